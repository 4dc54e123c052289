"""Settings of the lessons page from ``data/lessons.yaml``: outcome classes and thresholds.

The mapping from a case's outcome step and status to an outcome class (refunded, reshipped,
cancelled, appeal won / lost / pending, ...) is data; this module reads it, checks every id
against the library (scenarios, their outcome steps, statuses) and classifies cases with it.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from playbook.library.model import Id, Model, Text

FILE_NAME = "lessons.yaml"


class OutcomeClass(Model):
    """One outcome class; ``appeal`` marks the classes the appeal success rate counts."""

    id: Id
    text: Text
    appeal: Literal["won", "lost", "pending"] | None = None


class LessonsConfig(Model):
    """The whole of data/lessons.yaml."""

    small_numbers: Annotated[int, Field(ge=1)]
    fix_window_weeks: Annotated[int, Field(ge=1, le=104)]
    classes: list[OutcomeClass]
    by_status: dict[str, Id] = {}
    by_outcome: dict[Id, dict[Id, Id]] = {}
    closed_without_outcome: dict[str, Id] = {}

    def class_ids(self, appeal: str | None = None) -> list[str]:
        """Class ids in file order (only those with ``appeal`` when given)."""
        return [c.id for c in self.classes if appeal is None or c.appeal == appeal]

    def label(self, class_id: str, lang: str) -> str:
        """A class's text in ``lang`` (the id for an unknown class)."""
        found = next((c for c in self.classes if c.id == class_id), None)
        return found.text.get(lang) if found else class_id
