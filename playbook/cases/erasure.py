"""Removing a buyer's personal data from one case: what changes, worked out without a store.

Personal data sits in four places of a case: the facts marked ``personal`` in
``data/facts.yaml`` (the case row and its ``created`` event), the free texts of its history
(drafts issued with their rendered body, notes, status notes), the names of its evidence
files, and the files themselves. ``erasure_of`` replaces every such value with ``MARKER`` and
says which files go; ``CaseMoves.erase_personal`` writes it, with one
``personal_data_erased`` event, in one transaction. What the lessons page counts (status,
outcome, times, root causes, store, SKU, product, carrier, country) is kept.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from playbook.cases.records import Case, Event

MARKER = "[removed]"
WHY = ("retention", "request")  # purge after the retention period; erase on request
# Free-text fields of event payloads, by event type (their text may name the buyer).
FREE_TEXT = {
    "draft_issued": ("body",),
    "note": ("text",),
    "status": ("note",),
    "evidence_file_added": ("name",),
    "evidence_file_removed": ("name",),
}


@dataclass(frozen=True)
class Erasure:
    """What ``append`` writes besides the event: rewritten payloads and the files dropped."""

    payloads: Mapping[int, dict[str, Any]] = field(default_factory=dict)  # event seq -> payload
    drop_files: bool = True  # the case's attachments go, and blobs no other case uses


@dataclass(frozen=True)
class ErasurePlan:
    """One case's erasure: the new facts, the store change, and what it counts."""

    facts: dict[str, str]
    erasure: Erasure
    facts_removed: tuple[str, ...]
    texts_removed: int

    @property
    def empty(self) -> bool:
        """Nothing personal is left to remove from the case row or its history."""
        return not self.facts_removed and not self.texts_removed


def scrub_facts(facts: Mapping[str, Any], personal: Collection[str]) -> dict[str, Any]:
    """``facts`` with each personal value (not already the marker) replaced by the marker."""
    return {k: MARKER if k in personal and v not in (None, "") else v for k, v in facts.items()}


def scrub_payload(event: Event, personal: Collection[str]) -> dict[str, Any]:
    """The event's payload with its personal values replaced by the marker."""
    payload = dict(event.payload)
    if event.type == "created" and isinstance(payload.get("facts"), dict):
        payload["facts"] = scrub_facts(payload["facts"], personal)
    for key in FREE_TEXT.get(event.type, ()):
        if payload.get(key):
            payload[key] = MARKER
    return payload


def erasure_of(case: Case, events: Sequence[Event], personal: Collection[str]) -> ErasurePlan:
    """Everything personal in ``case`` and its ``events``, and what replaces it.

    Args:
        case: the case as loaded.
        events: its whole history.
        personal: ids of the facts marked ``personal`` in data/facts.yaml.
    """
    facts = scrub_facts(case.facts, personal)
    removed = tuple(sorted(k for k in case.facts if facts[k] != case.facts[k]))
    payloads = {}
    texts = 0
    for event in events:
        new = scrub_payload(event, personal)
        if new != event.payload:
            payloads[event.seq] = new
            texts += sum(new.get(k) != event.payload.get(k) for k in FREE_TEXT.get(event.type, ()))
    return ErasurePlan(facts, Erasure(payloads), removed, texts)
