"""One reminder run: find what is due, claim it, send it on every channel, record the outcome.

``python -m playbook remind`` calls ``remind`` on a schedule (cron, a systemd timer, or the
JupyterHub service). Each case not closed whose next deadline falls within the window (or has
passed) is due; it goes to its assignee, or to every lead when nobody has it. A reminder is
one row of the ``reminders`` table per case, deadline, channel and person, and it is sent
once:

1. **Claim before sending.** In one write transaction the run inserts a ``claimed`` row for
   every due key no row has yet (``INSERT ... ON CONFLICT DO NOTHING``: of two runs at once,
   one gets each key) and takes over rows whose run died (``claimed`` longer than the lease)
   or whose last try failed (``failed``, ``next_try_at`` passed, attempts left). Keys are
   claimed in one order, so runs never deadlock.
2. **Send, per channel in its own thread** (a slow or failing channel never holds up the
   others). Just before each message the run renews its claim on the message's rows; a row
   another run has taken over is not sent. A failed send is retried after
   ``retry_seconds``; when those are used up the rows become ``failed`` with a later
   ``next_try_at`` (``retry_after_seconds``, doubling) for a later run, until
   ``max_attempts``.
3. **Mark sent** right after the channel accepted the message.

A run killed before step 3 leaves its rows ``claimed``; the next run after the lease sends
them (no gap). A run killed between the channel accepting a message and step 3 — a window of
one database write — leaves that one message to be sent again: at least once for that
message, with the same id (e-mail ``Message-ID``, webhook ``Idempotency-Key``) so a receiver
can drop the copy. The robots take no such key.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import threading
import time
import uuid
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import and_, or_, select, update

from playbook.cases.schema import cases
from playbook.cases.sql_store import SqlStore
from playbook.errors import DeliveryError
from playbook.library.library import Library
from playbook.library.model import CLOSED_STATUSES
from playbook.reminders.channels import Digest, Item, deliverable, send
from playbook.reminders.schema import reminders
from playbook.reminders.settings import ReminderSettings

log = logging.getLogger("playbook.reminders")

Key = tuple[str, dt.datetime, str, str]  # case id, deadline, channel, recipient


@dataclass(frozen=True)
class Due:
    """A case due for a reminder."""

    case_id: str
    scenario_id: str
    order_id: str | None
    deadline: dt.datetime
    assignee: str | None


@dataclass
class ChannelReport:
    """What one channel did in a run."""

    sent: int = 0  # messages
    reminders: int = 0  # rows sent (case, deadline, person)
    failed: list[str] = field(default_factory=list)  # one line per failed message
    unreachable: list[str] = field(default_factory=list)  # people without an address
    skipped: int = 0  # messages another run took over


@dataclass
class RunReport:
    """A run's outcome, per channel."""

    due: int = 0
    claimed: int = 0
    channels: dict[str, ChannelReport] = field(default_factory=dict)
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        """Whether no channel failed."""
        return not any(c.failed for c in self.channels.values())


def due_cases(store: SqlStore, until: dt.datetime) -> list[Due]:
    """Cases not closed whose next deadline is before ``until`` (overdue ones included)."""
    query = (
        select(
            cases.c.id,
            cases.c.scenario_id,
            cases.c.order_id,
            cases.c.next_deadline,
            cases.c.assignee,
        )
        .where(
            cases.c.next_deadline.is_not(None),
            cases.c.next_deadline <= until,
            cases.c.status.not_in(sorted(CLOSED_STATUSES)),
        )
        .order_by(cases.c.next_deadline, cases.c.id)
    )
    with store.reading() as conn:
        return [Due(*row) for row in conn.execute(query)]


def wanted(dues: list[Due], conf: ReminderSettings) -> dict[Key, Due]:
    """Every reminder the due cases call for.

    One per person (the assignee, or each lead for unassigned cases) and channel that can
    reach them.
    """
    out: dict[Key, Due] = {}
    for due in dues:
        people = [due.assignee] if due.assignee else list(conf.leads)
        for name in people:
            for channel in conf.conf.channels:
                out[(due.case_id, due.deadline, channel, name)] = due
    return out


def run_id() -> str:
    """This run's name in the claims: host, process, a random part."""
    return f"{socket.gethostname()[:60]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def claim(store: SqlStore, keys: list[Key], conf: ReminderSettings, me: str) -> dict[Key, str]:
    """Claim ``keys`` for run ``me`` in one transaction; the keys won, with their message id.

    A new key gets a fresh message id per channel and person; a key taken over keeps the id
    it was (maybe) sent under, so a copy carries the same id.
    """
    now = store.now()
    stale = now - conf.lease
    fresh: dict[tuple[str, str], str] = {}
    won: dict[Key, str] = {}
    insert = _dialect_insert(store)
    with store.transaction() as conn:
        for key in sorted(keys):
            case_id, deadline, channel, recipient = key
            message = fresh.setdefault((channel, recipient), uuid.uuid4().hex)
            row = dict(zip(("case_id", "deadline", "channel", "recipient"), key, strict=True))
            done = conn.execute(
                insert(reminders)
                .values(
                    **row,
                    status="claimed",
                    message_id=message,
                    attempts=0,
                    claimed_by=me,
                    claimed_at=now,
                )
                .on_conflict_do_nothing()
                .returning(reminders.c.case_id)  # rowcount of an INSERT is not portable
            ).first()
            if done is not None:
                won[key] = message
                continue
            taken = conn.execute(
                update(reminders)
                .where(
                    *_is(key),
                    or_(
                        and_(reminders.c.status == "claimed", reminders.c.claimed_at < stale),
                        and_(
                            reminders.c.status == "failed",
                            reminders.c.next_try_at <= now,
                            reminders.c.attempts < conf.conf.max_attempts,
                        ),
                    ),
                )
                .values(status="claimed", claimed_by=me, claimed_at=now)
            ).rowcount
            if taken == 1:
                won[key] = conn.execute(
                    select(reminders.c.message_id).where(*_is(key))
                ).scalar_one()
    return won


def _dialect_insert(store: SqlStore) -> Callable:
    """The dialect's own INSERT (it has ON CONFLICT DO NOTHING on SQLite and PostgreSQL)."""
    if store.is_sqlite:
        from sqlalchemy.dialects.sqlite import insert
    else:
        from sqlalchemy.dialects.postgresql import insert
    return insert


def _is(key: Key) -> list:
    case_id, deadline, channel, recipient = key
    return [
        reminders.c.case_id == case_id,
        reminders.c.deadline == deadline,
        reminders.c.channel == channel,
        reminders.c.recipient == recipient,
    ]


def _mine(keys: list[Key], me: str) -> list:
    return [
        or_(*(and_(*_is(k)) for k in keys)),
        reminders.c.claimed_by == me,
        reminders.c.status == "claimed",
    ]


class _Lost(Exception):
    """Another run holds some of the rows now (rolls the renewal back)."""


def renew(store: SqlStore, keys: list[Key], me: str) -> bool:
    """Renew run ``me``'s claim on ``keys`` and count an attempt.

    False (nothing changed) unless the run still holds every one of them.
    """
    try:
        with store.transaction() as conn:
            done = conn.execute(
                update(reminders)
                .where(*_mine(keys, me))
                .values(claimed_at=store.now(), attempts=reminders.c.attempts + 1)
            ).rowcount
            if done != len(keys):
                raise _Lost
    except _Lost:
        return False
    return True


def mark(store: SqlStore, keys: list[Key], me: str, error: str | None, conf: ReminderSettings):
    """Record the outcome of a message: ``sent``, or ``failed`` with the next try.

    The next try comes ``retry_after_seconds`` later, doubling with each failed run; none
    after ``max_attempts``.
    """
    now = store.now()
    if error is None:
        values = {"status": "sent", "sent_at": now, "last_error": None, "next_try_at": None}
    else:
        with store.reading() as conn:
            attempts = conn.execute(select(reminders.c.attempts).where(*_is(keys[0]))).scalar_one()
        runs = (attempts - 1) // (1 + len(conf.conf.retry_seconds))  # earlier failed runs
        wait = dt.timedelta(seconds=conf.conf.retry_after_seconds * 2**runs)
        later = now + wait if attempts < conf.conf.max_attempts else None
        values = {"status": "failed", "next_try_at": later, "last_error": error[:500]}
    with store.transaction() as conn:
        conn.execute(update(reminders).where(*_mine(keys, me)).values(**values))


@dataclass(frozen=True)
class Message:
    """One message of a run: a channel, a person, the rows it covers and its digest."""

    channel: str
    keys: tuple[Key, ...]
    digest: Digest


def messages(
    won: dict[Key, str], wanted_: dict[Key, Due], conf: ReminderSettings, lib: Library, now
) -> list[Message]:
    """The won keys grouped into messages (channel, person, message id), oldest first."""
    groups: dict[tuple[str, str, str], list[Key]] = defaultdict(list)
    for key, message_id in won.items():
        groups[(key[2], key[3], message_id)].append(key)
    out = []
    for (channel, name, message_id), keys in sorted(groups.items()):
        person = conf.person(name)
        items = []
        for key in sorted(keys, key=lambda k: (k[1], k[0])):
            due = wanted_[key]
            scenario = lib.scenarios.get(due.scenario_id)
            items.append(
                Item(
                    case_id=due.case_id,
                    scenario=scenario.title.get(person.lang) if scenario else due.scenario_id,
                    order_id=due.order_id,
                    deadline=due.deadline,
                    overdue=due.deadline <= now,
                    unassigned=due.assignee is None,
                    url=conf.case_url(due.case_id),
                )
            )
        digest = Digest(message_id, person, tuple(items), now, conf.conf.public_url)
        out.append(Message(channel, tuple(keys), digest))
    return out


def deliver(
    store: SqlStore,
    channel: str,
    batch: list[Message],
    conf: ReminderSettings,
    me: str,
    report: ChannelReport,
    sleep: Callable[[float], None] = time.sleep,
) -> None:
    """Send one channel's messages in order, each with its retries, recording each outcome."""
    settings = getattr(conf.conf, channel)
    interval = settings.interval if settings is not None else 0.0
    for n, message in enumerate(batch):
        if n and interval:
            sleep(interval)  # the robots' rate limits
        outcome = _send_with_retries(store, channel, message, conf, me, sleep)
        if outcome is _TAKEN:
            report.skipped += 1
            continue
        mark(store, list(message.keys), me, outcome, conf)
        if outcome is None:
            report.sent += 1
            report.reminders += len(message.keys)
        else:
            report.failed.append(f"{message.digest.person.name}: {outcome}")


_TAKEN = "taken over by another run"


def _send_with_retries(
    store: SqlStore,
    channel: str,
    message: Message,
    conf: ReminderSettings,
    me: str,
    sleep: Callable[[float], None],
) -> str | None:
    """None when sent; ``_TAKEN`` when another run holds the rows; else the last error."""
    error = None
    for delay in [0.0, *conf.conf.retry_seconds]:
        if delay:
            sleep(delay)
        if not renew(store, list(message.keys), me):
            return _TAKEN
        try:
            send(channel, message.digest, conf)
        except DeliveryError as exc:
            error = exc.render("en")
            log.warning(
                "reminder on %s to %s failed: %s", channel, message.digest.person.name, error
            )
            continue
        return None
    return error


def remind(
    store: SqlStore,
    lib: Library,
    conf: ReminderSettings,
    *,
    dry_run: bool = False,
    sleep: Callable[[float], None] = time.sleep,
) -> RunReport:
    """One run (see the module docstring); on a dry run nothing is claimed or sent."""
    now = store.now()
    dues = due_cases(store, now + conf.window)
    asked = wanted(dues, conf)
    report = RunReport(due=len(dues), dry_run=dry_run)
    keys = []
    for key in asked:
        person = conf.person(key[3])
        channel_report = report.channels.setdefault(key[2], ChannelReport())
        if deliverable(key[2], person):
            keys.append(key)
        elif person.name not in channel_report.unreachable:
            channel_report.unreachable.append(person.name)
    if dry_run:
        with store.reading() as conn:
            done = {
                tuple(r)
                for r in conn.execute(
                    select(
                        reminders.c.case_id,
                        reminders.c.deadline,
                        reminders.c.channel,
                        reminders.c.recipient,
                    ).where(reminders.c.status == "sent")
                )
            }
        todo = {k: "dry-run" for k in keys if k not in done}
        for message in messages(todo, asked, conf, lib, now):
            report.channels[message.channel].reminders += len(message.keys)
            report.channels[message.channel].sent += 1
        return report
    me = run_id()
    won = claim(store, keys, conf, me)
    report.claimed = len(won)
    by_channel: dict[str, list[Message]] = defaultdict(list)
    for message in messages(won, asked, conf, lib, now):
        by_channel[message.channel].append(message)
    threads = [
        threading.Thread(
            target=deliver,
            args=(store, channel, batch, conf, me, report.channels[channel], sleep),
            name=f"remind-{channel}",
        )
        for channel, batch in by_channel.items()
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return report
