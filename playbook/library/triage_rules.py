"""Triage rules and refund-reason codes, one set per platform.

``data/triage.yaml`` and ``data/reason_codes.yaml`` (Wish's, where they have always been) and
``data/triage/<platform>.yaml``, ``data/reason_codes/<platform>.yaml`` for the others; each file
names its ``platform``, whose policy file its deadlines come from. Their schema here; their
cross-checks in ``playbook.orders.checks``. Pydantic only — no pandas — so ``python -m playbook
check`` and the staff page can load them cheaply; ``playbook.orders.triage`` applies them.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import Field

from playbook.library.model import Model, PlatformId, PolicySet, Text

DEADLINE_STATES = ("past", "soon", "ok", "none")
# Policy units triage can count a deadline in (vectorised in playbook.orders.deadlines).
TRIAGE_UNITS = ("hours", "calendar_days", "business_days")


class TimeLeft(Model):
    """Wish's own count of the time left (v2 and the older CSV).

    When the order has it, the deadline is ``from`` + that many hours (else days), not the
    policy's.
    """

    from_: str = Field(alias="from")
    hours: str | None = None
    days: str | None = None


class Overdue(Model):
    """A policy deadline counted from the first present ``from`` column.

    ``given``: a column holding the platform's own due time for the order (e.g. the ship-by
    date); where it has a value it is the due time, instead of the policy counted from ``from``.
    """

    policy: str
    from_: list[str] = Field(alias="from", min_length=1)
    within_hours: float = 0
    by: str | None = None
    left: TimeLeft | None = None
    given: str | None = None


class When(Model):
    """The tests of one rule (all must hold)."""

    state: list[str] | None = None
    reason_group: list[str] | None = None
    # column -> the values it must have (e.g. fulfilment_channel: [MFN]); an empty value
    # never matches.
    values: dict[str, list[str]] = {}
    present: list[str] = []
    absent: list[str] = []
    is_true: list[str] = []
    not_true: list[str] = []
    overdue: Overdue | None = None


class DeadlineSpec(Model):
    """The act-by date of a rule (``given``: as in :class:`Overdue`)."""

    policy: str
    from_: list[str] = Field(alias="from", min_length=1)
    left: TimeLeft | None = None
    given: str | None = None


class Look(Model):
    """Orders the rule could not judge but that a person should look at.

    The rule cannot judge an order when a fact it needs is not in the file; such orders are
    listed with this (lower) priority and label.
    """

    priority: int = Field(ge=1)
    label: Text


class Rule(Model):
    """One triage rule (see data/triage.yaml)."""

    id: str = Field(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
    scenario: str = Field(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
    label: Text
    needs: list[str] = []
    when: When
    deadline: DeadlineSpec | None = None  # None: no act-by date (its state is 'none')
    priority: dict[Literal["past", "soon", "ok", "none"], int]
    look: Look | None = None


class FactSpec(Model):
    """A fact a rule can need, and the order columns that tell it.

    An order gives the fact when one of the columns has a value, or when the file reports the first
    column whenever it happened (a CSV column in the header, a v3 event; never a yes/no flag).
    """

    columns: list[str] = Field(min_length=1)
    label: Text


class RuleSet(Model):
    """The triage rules of one platform (data/triage.yaml, data/triage/<platform>.yaml)."""

    platform: PlatformId
    soon_hours: float = 24
    unknown_reason: Literal["hold", "judge"] = "hold"
    facts: dict[str, FactSpec] = {}
    rules: list[Rule] = Field(min_length=1)


class ReasonEntry(Model):
    """One canonical refund reason and its spellings."""

    group: str
    codes: list[int] = []
    texts: list[str] = []
    also: list[str] = []


class ReasonCodes(Model):
    """The refund or return reasons of one platform.

    data/reason_codes.yaml, data/reason_codes/<platform>.yaml. ``source``/``confidence``:
    where the spellings come from (``unverified``: no published list; unknown spellings are
    reported either way).
    """

    platform: PlatformId
    source: str | None = None
    confidence: Literal["high", "medium", "low", "unverified"] | None = None
    note: str | None = None
    groups: dict[str, Text]
    reasons: dict[str, ReasonEntry]

    def lookup(self) -> dict[str, tuple[str, str]]:
        """Matching key -> (canonical reason, group); see :func:`reason_keys`.

        Keys two reasons share when filler words are cut from unspaced text are left out:
        such text is then unknown rather than mapped to either of them.
        """
        out: dict[str, tuple[str, str]] = {}
        loose: dict[str, set[tuple[str, str]]] = {}
        for key, entry in self.reasons.items():
            for spelling in [key, *entry.also, *entry.texts, *map(str, entry.codes)]:
                exact, squashed = reason_keys(spelling)
                out[exact] = (key, entry.group)
                loose.setdefault(squashed, set()).add((key, entry.group))
        for squashed, hits in loose.items():
            if len(hits) == 1:
                out.setdefault(LOOSE + squashed, next(iter(hits)))
        return out

    def match(self, text: object, lookup: dict[str, tuple[str, str]] | None = None):
        """(canonical reason, group) of a reason as written, or None when it is unknown."""
        lookup = self.lookup() if lookup is None else lookup
        exact, squashed = reason_keys(str(text))
        return lookup.get(exact) or lookup.get(LOOSE + squashed)


# Words that do not change a reason: "Customer received the wrong item" is "Received the wrong
# item"; "Item does not match the listing" is "Item does not match listing".
FILLER_WORDS = ("the", "customer")
LOOSE = "~"
_WORD_RE = re.compile(r"-?[0-9]+|[^\W_]+")


def reason_keys(text: str) -> tuple[str, str]:
    """The two keys a reason is matched by.

    Its words without filler words, joined; and the same of text written without spaces, with
    the filler words cut wherever they occur. Case, spaces, '_' and punctuation never matter;
    '-1' keeps its sign.

    >>> reason_keys("Item does not match the listing.")
    ('itemdoesnotmatchlisting', 'itemdoesnotmatchlisting')
    >>> reason_keys("Customercancelledorder")[1] == reason_keys("Customer cancelled order")[1]
    True
    """
    words = _WORD_RE.findall(str(text).casefold())
    exact = "".join(w for w in words if w not in FILLER_WORDS) or "".join(words)
    squashed = "".join(words)
    for word in FILLER_WORDS:
        squashed = squashed.replace(word, "")
    return exact or str(text).strip(), squashed or exact or str(text).strip()


def reason_key(text: str) -> str:
    """The exact matching key of a reason (see :func:`reason_keys`)."""
    return reason_keys(text)[0]


def is_duration(policies: PolicySet | None, key: str) -> bool:
    """Whether ``key`` is a policy triage can count a deadline with (hours or days)."""
    pol = policies.policies.get(key) if policies else None
    return pol is not None and pol.unit in TRIAGE_UNITS
