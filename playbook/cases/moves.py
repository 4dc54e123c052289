"""Every move on a case, written once for every store: ``CaseMoves``.

A move checks its input (the engine validates answers), builds one event and the case's new
columns, and hands both to the store's two primitives: ``insert_case`` (a new case and its
first event) and ``append`` (one event and the case moved on by one revision, only if nobody
else moved it first). The SQL store does each in one transaction; the memory store under a
lock. Either nothing changes or both do; a lost race raises ``ConflictError`` naming who won.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from typing import Any

from playbook.cases.erasure import WHY, Erasure, erasure_of
from playbook.cases.files import FileChange, FileMoves
from playbook.cases.records import (
    Case,
    Event,
    Opened,
    Saved,
    check_actor,
    new_case_id,
    rebuild_walk,
    walk_changes,
)
from playbook.errors import ConflictError, InputError, StepNotAllowed, StoreError
from playbook.library.library import Library
from playbook.library.model import STATUSES, is_closed
from playbook.scenarios.engine import Walk
from playbook.scenarios.facts import facts_to_json, format_fact


class CaseMoves(FileMoves):
    """The moves of ``SqlStore`` and ``MemoryStore``, on top of their primitives.

    A store subclass provides ``now`` (its clock), ``get_case`` and the three primitives below
    (and those of ``FileMoves`` for evidence files: ``attachments``, ``blob``).
    """

    now: Callable[[], dt.datetime]

    def get_case(self, case_id: str) -> Case:  # pragma: no cover - provided by the store
        """The case with ``case_id`` (StoreError ``error.case_not_found`` if none)."""
        raise NotImplementedError

    def insert_case(self, values: dict[str, Any], event: dict[str, Any]) -> bool:
        """Store a new case row and its first event; False when the id is taken."""
        raise NotImplementedError  # pragma: no cover - provided by the store

    def append(
        self,
        case: Case,
        event: dict[str, Any],
        values: dict[str, Any],
        files: FileChange | None = None,
        erasure: Erasure | None = None,
    ) -> bool:
        """Append ``event``, update the row with ``values`` and write ``files`` or ``erasure``.

        ``files`` is an evidence file change, ``erasure`` rewritten payloads and files dropped.
        All are written only if the row is still at ``case.revision``; False (and nothing
        written) when someone moved it on first.
        """
        raise NotImplementedError  # pragma: no cover - provided by the store

    def events(self, case_id: str) -> list[Event]:
        """The case's history, oldest first."""
        raise NotImplementedError  # pragma: no cover - provided by the store

    def last_event(self, case_id: str) -> Event | None:
        """The case's newest event (None: no such case)."""
        raise NotImplementedError  # pragma: no cover - provided by the store

    # --- reading -------------------------------------------------------------------------

    def open(self, case_id: str, library: Library) -> Opened:
        """Load a case and rebuild its walk at the current time, for resuming it.

        Raises:
            StoreError: no such case, or the store failed.
            ScenarioError: the case's scenario no longer exists.
        """
        case = self.get_case(case_id)
        walk, problem = rebuild_walk(case, library, self.now())
        return Opened(case, walk, problem)

    # --- writing: the walk ---------------------------------------------------------------

    def create_case(
        self,
        walk: Walk,
        *,
        actor: str,
        assignee: str | None = None,
        order_id: str | None = None,
        case_id: str | None = None,
    ) -> Case:
        """Start a case at the walk's first step, with the walk's facts.

        Args:
            walk: a fresh walk (scenario, typed facts, policies) as the page built it.
            actor: who starts the case.
            assignee: who works it (default nobody).
            order_id: the platform order id (default the ``order_id`` fact).
            case_id: a chosen id (default a new short random one).

        Raises:
            StoreError: ``case_id`` is taken, ``actor`` is empty, or the store failed.
        """
        actor = check_actor(actor)
        now = self.now()
        for _attempt in range(5):
            values, event = new_case_rows(
                walk, case_id or new_case_id(), actor, now, assignee, order_id
            )
            if self.insert_case(values, event):
                return Case(**values)
            if case_id is not None:
                raise StoreError("error.case_exists", case=case_id)
            # a random id collided; draw another
        raise StoreError("error.store", detail="could not draw a free case id")

    def answer(
        self, case: Case, walk: Walk, step_id: str, option_id: str | None = None, *, actor: str
    ) -> Saved:
        """Answer the walk's current step and save it before returning.

        ``walk`` is not changed; the returned ``Saved.walk`` is the walk after the answer.
        On a conflict nothing is written and the caller still holds its own input.

        Raises:
            StepNotAllowed: the answer is not valid now (nothing written).
            ConflictError: someone else saved the case since ``case`` was loaded.
            StoreError: the store failed.
        """
        moved = walk.copy()
        moved.answer(step_id, option_id)
        payload = {
            "option": option_id or "",
            "to": moved.current.id,
            "version": walk.scenario.version,
        }
        saved = self._commit(
            case, actor, "answer", step_id, payload, walk_changes(moved), closes=moved.closed
        )
        return Saved(saved, moved)

    def back(self, case: Case, walk: Walk, *, actor: str) -> Saved:
        """Go back one step, recorded as a ``back`` event (nothing is deleted).

        Raises:
            StepNotAllowed: already at the first step.
            ConflictError: someone else saved the case since it was loaded.
        """
        moved = walk.copy()
        from_step = moved.current.id
        moved.back()
        payload = {"from": from_step, "to": moved.current.id, "version": walk.scenario.version}
        saved = self._commit(case, actor, "back", from_step, payload, walk_changes(moved))
        return Saved(saved, moved)

    def restart(self, case: Case, walk: Walk, step_id: str | None = None, *, actor: str) -> Saved:
        """Restart the walk at ``step_id`` (default: where ``walk`` stands), as an event.

        Used after ``rebuild_walk`` reported a missing step: the rebuilt walk already stands at
        the problem's ``restart_step``, and this records it under the current version.

        Raises:
            StepNotAllowed: ``step_id`` is not on the walk's path.
            ConflictError: someone else saved the case since it was loaded.
        """
        moved = walk.copy()
        target = step_id or moved.current.id
        if target not in moved.path:
            raise StepNotAllowed(
                "error.step_not_current",
                scenario=walk.scenario.id,
                step=target,
                current=moved.current.id,
            )
        moved.path = moved.path[: len(moved.path) - moved.path[::-1].index(target)]
        payload = {
            "from": case.current_step,
            "to": target,
            "from_version": int(case.walk.get("version", case.scenario_version)),
            "version": walk.scenario.version,
            "dropped": [s for s in case.walk.get("path", []) if s not in moved.path],
        }
        saved = self._commit(case, actor, "restart", target, payload, walk_changes(moved))
        return Saved(saved, moved)

    # --- writing: everything else --------------------------------------------------------

    def set_evidence(
        self, case: Case, item_id: str, done: bool, *, actor: str, step_id: str | None = None
    ) -> Case:
        """Tick (or untick) an evidence item."""
        evidence = {**case.evidence, item_id: bool(done)}
        payload = {"item": item_id, "done": bool(done)}
        return self._commit(case, actor, "evidence", step_id, payload, {"evidence": evidence})

    def issue_draft(
        self,
        case: Case,
        template_id: str,
        *,
        actor: str,
        step_id: str | None = None,
        body: str | None = None,
        to_buyer: bool = False,
    ) -> Case:
        """Record that a message draft was issued (copied or sent), with its text if given.

        ``to_buyer``: the template is a message to the buyer; its first issue is the case's
        first reply.
        """
        now = self.now()
        issued = {
            "template": template_id,
            "step": step_id,
            "time": now.isoformat(),
            "actor": actor,
        }
        payload = {"template": template_id, "body": body}
        changes = {"drafts": [*case.drafts, issued]}
        return self._commit(
            case, actor, "draft_issued", step_id, payload, changes, now=now, replies=to_buyer
        )

    def set_status(self, case: Case, status: str, *, actor: str, note: str | None = None) -> Case:
        """Set the status by hand (it is set from the walk again at its next move).

        Raises:
            StoreError: ``status`` is not one of ``STATUSES``.
        """
        if status not in STATUSES:
            raise InputError("error.case_status", status=status, choices=list(STATUSES))
        changes: dict[str, Any] = {"status": status}
        if is_closed(status):
            changes["next_deadline"] = None
        payload = {"from": case.status, "to": status, "note": note}
        return self._commit(
            case, actor, "status", case.current_step, payload, changes, closes=is_closed(status)
        )

    def add_note(self, case: Case, note: str, *, actor: str, step_id: str | None = None) -> Case:
        """Add a free-text note to the history.

        Raises:
            StoreError: the note is empty.
        """
        if not note or not note.strip():
            raise InputError("error.note_empty", case=case.id)
        return self._commit(case, actor, "note", step_id, {"text": note.strip()}, {})

    def assign(self, case: Case, assignee: str | None, *, actor: str) -> Case:
        """Give the case to ``assignee`` (None: nobody)."""
        assignee = (assignee or "").strip() or None
        payload = {"from": case.assignee, "to": assignee}
        return self._commit(case, actor, "assign", None, payload, {"assignee": assignee})

    def set_root_causes(self, case: Case, root_causes: Sequence[str], *, actor: str) -> Case:
        """Replace the case's root-cause tags (ids from data/root_causes.yaml)."""
        tags = list(dict.fromkeys(root_causes))
        payload = {"from": case.root_causes, "to": tags}
        return self._commit(case, actor, "root_causes", None, payload, {"root_causes": tags})

    def erase_personal(
        self, case: Case, personal: Sequence[str], *, actor: str, why: str, reason: str
    ) -> Case:
        """Replace the buyer's personal data in the case and its history, drop its files.

        The personal data is replaced with a marker and the evidence files are dropped,
        recorded as one ``personal_data_erased`` event.

        The event says who, when, why (``retention`` or ``request``) and the operator's
        ``reason`` (a reference such as a ticket number), which facts were cleared and how
        many texts and files went; nothing personal.

        Args:
            case: the case as loaded.
            personal: ids of the facts marked ``personal`` in data/facts.yaml.
            actor: the operator.
            why: ``retention`` (purge) or ``request`` (erase).
            reason: why, in a few words; it must not repeat the personal data it removes.

        Raises:
            InputError: ``why`` or ``reason`` is missing or wrong; the reason names the buyer.
            ConflictError: someone saved the case since it was loaded (nothing written).
        """
        if why not in WHY:
            raise InputError("error.erase_why", why=why, choices=list(WHY))
        reason = " ".join((reason or "").split())
        if not reason or len(reason) > 200:
            raise InputError("error.erase_reason", limit=200)
        plan = erasure_of(case, self.events(case.id), personal)
        for fact in plan.facts_removed:
            value = str(case.facts[fact]).strip().lower()
            if len(value) >= 3 and value in reason.lower():
                raise InputError("error.erase_reason_personal", case=case.id, fact=fact)
        now = self.now()
        payload = {
            "why": why,
            "reason": reason,
            "facts": list(plan.facts_removed),
            "texts": plan.texts_removed,
            "files": len(self.attachments(case.id, removed=True)),
        }
        changes = {"facts": plan.facts, "erased_at": now}
        return self._commit(
            case, actor, "personal_data_erased", None, payload, changes, now, erasure=plan.erasure
        )

    # --- internals -----------------------------------------------------------------------

    def _commit(
        self,
        case: Case,
        actor: str,
        type_: str,
        step_id: str | None,
        payload: Mapping[str, Any],
        changes: Mapping[str, Any],
        now: dt.datetime | None = None,
        files: FileChange | None = None,
        *,
        erasure: Erasure | None = None,
        closes: bool = False,
        replies: bool = False,
    ) -> Case:
        """Append one event (with its evidence file change) and move the row on, or neither.

        ``closes`` (the move puts the case in a closed status) and ``replies`` (it issues a
        message to the buyer) set ``closed_at`` / ``first_reply_at`` to the event's time the
        first time (see playbook/cases/projection.py for the same rules over the event log).
        """
        actor = check_actor(actor)
        now = now or self.now()
        values = {**changes, "updated_at": now, "revision": case.revision + 1}
        if closes and case.closed_at is None:
            values["closed_at"] = now
        if replies and case.first_reply_at is None:
            values["first_reply_at"] = now
        event = {
            "case_id": case.id,
            "seq": case.revision + 1,
            "time": now,
            "actor": actor,
            "type": type_,
            "step_id": step_id,
            "payload": dict(payload),
        }
        if not self.append(case, event, values, files, erasure):
            raise self._conflict(case.id)
        return replace(case, **values)

    def _conflict(self, case_id: str) -> StoreError:
        last = self.last_event(case_id)
        if last is None:
            return StoreError("error.case_not_found", case=case_id)
        return ConflictError(case=case_id, actor=last.actor, time=format_fact(last.time))


def new_case_rows(
    walk: Walk,
    case_id: str,
    actor: str,
    now: dt.datetime,
    assignee: str | None,
    order_id: str | None,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The case row and its ``created`` event for a case starting at ``walk``'s first step."""
    facts = facts_to_json(walk.facts)
    values = {
        "id": case_id,
        "scenario_id": walk.scenario.id,
        "scenario_version": walk.scenario.version,
        "platform": walk.scenario.platform,
        "order_id": order_id or facts.get("order_id"),
        "facts": facts,
        "created_at": now,
        "assignee": assignee,
        "evidence": {},
        "drafts": [],
        "root_causes": [],
        **walk_changes(walk),
        "updated_at": now,
        "revision": 1,
    }
    event = {
        "case_id": case_id,
        "seq": 1,
        "time": now,
        "actor": actor,
        "type": "created",
        "step_id": walk.current.id,
        "payload": {"version": walk.scenario.version, "facts": facts, "assignee": assignee},
    }
    return values, event
