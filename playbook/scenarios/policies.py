"""Policies and deadlines: platform rules as data, and the arithmetic to turn them into dates.

Pure: callers pass the start time and the "as of" time; nothing here reads the clock.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from playbook.i18n import text as catalogue_text
from playbook.library.model import UNDATED, Policy

UTC = dt.UTC
SOON = dt.timedelta(hours=24)


def add_duration(start: dt.datetime, policy: Policy, country: str | None = None) -> dt.datetime:
    """``start`` plus the policy's duration (the destination country's, where it has one).

    >>> from playbook.library.model import Policy, Text
    >>> p = Policy(value=5, unit="calendar_days", summary=Text(en="x", zh="x"),
    ...            source="u", confidence="high")
    >>> add_duration(dt.datetime(2026, 1, 1, tzinfo=UTC), p).isoformat()
    '2026-01-06T00:00:00+00:00'

    Raises:
        ValueError: the policy is not a duration (e.g. a money amount).
    """
    value = policy.for_country(country)
    if policy.unit == "hours":
        return start + dt.timedelta(hours=value)
    if policy.unit == "calendar_days":
        return start + dt.timedelta(days=value)
    if policy.unit == "business_days":
        return add_business_days(start, int(value))
    raise ValueError(f"policy unit {policy.unit!r} is not a duration")


def add_business_days(start: dt.datetime, days: int) -> dt.datetime:
    """``start`` plus ``days`` Monday-to-Friday days (no holiday calendar).

    >>> add_business_days(dt.datetime(2026, 11, 27, 9, tzinfo=UTC), 1).date()  # Fri -> Mon
    datetime.date(2026, 11, 30)
    """
    out = start
    left = days
    while left > 0:
        out += dt.timedelta(days=1)
        if out.weekday() < 5:
            left -= 1
    return out


@dataclass(frozen=True)
class Deadline:
    """A computed deadline and how it stands at ``as_of``."""

    policy_key: str
    due: dt.datetime
    as_of: dt.datetime

    @property
    def left(self) -> dt.timedelta:
        """Time left (negative once past)."""
        return self.due - self.as_of

    @property
    def state(self) -> str:
        """'past', 'soon' (under 24 h left) or 'ok'."""
        if self.left <= dt.timedelta(0):
            return "past"
        if self.left <= SOON:
            return "soon"
        return "ok"

    @property
    def hours_left(self) -> float:
        """Hours left, negative once past."""
        return self.left.total_seconds() / 3600


def deadline(
    key: str, policy: Policy, start: dt.datetime, as_of: dt.datetime, country: str | None = None
) -> Deadline:
    """The deadline for ``policy`` counted from ``start``, seen at ``as_of``."""
    return Deadline(policy_key=key, due=add_duration(start, policy, country), as_of=as_of)


# --- policy status and policy numbers in step texts ----------------------------------------

PolicyStatus = Literal["ok", "verify", "unverified"]
# ``{policy:KEY}`` in a step text: the policy's number with its unit, in the page language (a
# rule with no number, unit ``rule``, shows the title of its source instead).
POLICY_PLACEHOLDER = re.compile(r"\{policy:([a-z][a-z0-9_]*)\}")
FRESH_MONTHS = 12
# The marker of a claim no source supports, exactly as staff read it (shared with every
# platform's data: a sentence carrying it is listed as "unverified" by ``python -m playbook
# claims``).
UNVERIFIED_MARK = {"en": "(unverified)", "zh": "（未核实）"}


def months_before(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` calendar months earlier (the month's last day if it is shorter).

    >>> months_before(dt.date(2028, 2, 29), 12)
    datetime.date(2027, 2, 28)
    """
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    month += 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def policy_status(policy: Policy, as_of: dt.datetime | dt.date) -> PolicyStatus:
    """How far staff can rely on a rule at ``as_of``.

    ``unverified``: no source at all (or marked ``confidence: unverified``); ``verify``: the
    source is undated, or its date is more than 12 months before ``as_of``; ``ok`` otherwise.
    """
    if not policy.source or policy.confidence == "unverified":
        return "unverified"
    day = as_of.date() if isinstance(as_of, dt.datetime) else as_of
    when = policy.source_date
    if when is None or when == UNDATED or when < months_before(day, FRESH_MONTHS):
        return "verify"
    return "ok"


def policy_mark(policy: Policy, as_of: dt.datetime | dt.date) -> str | None:
    """The mark a sentence citing ``policy`` carries.

    One of ``unverified``, ``historical`` (a rule no longer in force, not to be checked on today's
    dashboard), ``verify``, or None.
    """
    status = policy_status(policy, as_of)
    if status == "unverified":
        return "unverified"
    if policy.historical:
        return "historical"
    return None if status == "ok" else "verify"


def _number(value: float, decimals: int | None) -> str:
    if decimals is not None:
        return f"{value:,.{decimals}f}"
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,}"


def policy_value(policy: Policy, lang: str) -> str:
    """The policy's number with its unit in ``lang``.

    "90 days" / "90 天", "1 hour", "$10,000.00" / "10,000.00 美元" (money always has cents),
    "0.5%"; a value written as text keeps its digits ("16.20" stays "16.20%"); a rule with no
    number (unit ``rule``) shows its source's title ("Order Cancellation Policy" /
    "《Order Cancellation Policy》").
    """
    if policy.unit == "rule":
        return catalogue_text("policy.unit.rule", lang, title=policy.source_title or "")
    value = policy.value
    if isinstance(value, str):
        number = value
        one = value.strip() in ("1", "1.0")
    else:
        number = _number(value, 2 if policy.unit == "usd" else None)
        one = float(value) == 1
    key = f"policy.unit.{policy.unit}"
    if one and lang == "en":
        key += ".one"
    return catalogue_text(key, lang, n=number)


def policy_keys(text: str) -> list[str]:
    """The policy keys named by ``{policy:KEY}`` placeholders in ``text``, in order."""
    return POLICY_PLACEHOLDER.findall(text)


# A sentence ends at . ! ? (then a space or the end) in English, at 。！？ in Chinese, and at a
# line break; "e.g." and "i.e." do not end one.
_SENTENCE_END = re.compile(r"(?<!\be\.g)(?<!\bi\.e)[.!?](?=[\s\"”’)]|$)|[。！？]|\n")


def sentences(text: str) -> list[str]:
    """``text`` cut into sentences, each with its end mark (joined, they give ``text`` back).

    >>> sentences("One rule. Another (e.g. this)! 第三句。第四")
    ['One rule.', ' Another (e.g. this)!', ' 第三句。', '第四']
    """
    out, start = [], 0
    for m in _SENTENCE_END.finditer(text):
        out.append(text[start : m.end()])
        start = m.end()
    if start < len(text):
        out.append(text[start:])
    return out


def _with_mark(sentence: str, marks: list[str], lang: str) -> str:
    """``sentence`` with its marks before its end mark (inside a closing parenthesis)."""
    if not marks:
        return sentence
    words = [catalogue_text(f"policy.mark.{m}", lang) for m in marks if m != "unverified"]
    added = catalogue_text("policy.mark.unverified", lang) if "unverified" in marks else ""
    body = sentence.rstrip()
    tail = sentence[len(body) :]
    end = ""
    if body and body[-1] in ".!?。！？":
        body, end = body[:-1], body[-1]
    joined = catalogue_text("policy.mark.sep", lang).join(words)
    if words and body.endswith((")", "）")):
        close = body[-1]
        body = body[:-1] + catalogue_text("policy.mark.sep", lang) + joined + close
    elif words:
        body += catalogue_text("policy.mark.wrap", lang, marks=joined)
    if added:
        body += ("" if lang == "zh" else " ") + added
    return body + end + tail


_HAN = "\u3400-\u9fff"
_FULL = "\u3000-\u303f\uff00-\uffef《》“”‘’"


def _tidy_zh(text: str) -> str:
    """No space beside full-width punctuation, nor between two Chinese characters."""
    text = re.sub(rf" +(?=[{_FULL}])|(?<=[{_FULL}]) +", "", text)
    return re.sub(rf"(?<=[{_HAN}]) (?=[{_HAN}])", "", text)


def policy_text(
    text: str, policies: Mapping[str, Policy], lang: str, as_of: dt.datetime | dt.date
) -> str:
    """``text`` with every ``{policy:KEY}`` replaced by that policy's number in ``lang``.

    A sentence citing a rule whose source is undated or more than 12 months old at ``as_of``
    ends with "verify on the merchant dashboard"; one citing a historical rule with
    "historical rule"; one citing a rule with no source with "(unverified)" (from the message
    catalogue; each rule is marked once per text, in the first sentence that names it). An
    unknown key stays as written, so it is visible (``python -m playbook check`` reports it).
    """
    marked: set[str] = set()
    out = []
    for sentence in sentences(text):
        marks: list[str] = []

        def one(match: re.Match[str], marks: list[str] = marks) -> str:
            key = match.group(1)
            policy = policies.get(key)
            if policy is None:
                return match.group(0)
            mark = policy_mark(policy, as_of)
            if mark and key not in marked:
                marked.add(key)
                if mark not in marks:
                    marks.append(mark)
            return policy_value(policy, lang)

        filled = POLICY_PLACEHOLDER.sub(one, sentence)
        order = [m for m in ("unverified", "historical", "verify") if m in marks]
        out.append(_with_mark(filled, order, lang))
    joined = "".join(out)
    return _tidy_zh(joined) if lang == "zh" else joined
