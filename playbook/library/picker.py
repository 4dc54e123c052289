"""The staff page's dispute picker as data (``data/picker.yaml``): groups, ranks, "use this when".

Which disputes come most often, how they are grouped (by what the buyer, the bank or the
platform did) and the one line that says when to pick each are data, in both languages. The
order the page shows is worked out in ``playbook.scenarios.picker``; scenarios of another
platform are listed under their platform there, so this file needs no platform dimension of
its own (each entry's scenario says which platform it is for).
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from playbook.library.model import Id, Model, Text

FILE_NAME = "picker.yaml"


class PickerGroup(Model):
    """A heading of the picker: what happened (the buyer complained, the platform acted...)."""

    id: Id
    title: Text


class PickerEntry(Model):
    """One scenario in the picker: its group, its rank (1 = most common) and when to use it."""

    scenario: Id
    group: Id
    rank: Annotated[int, Field(ge=1)]
    when: Text


class PickerConfig(Model):
    """The whole of data/picker.yaml."""

    groups: list[PickerGroup] = Field(min_length=1)
    scenarios: list[PickerEntry] = []
    other: Text  # the heading of scenarios the file does not list yet
