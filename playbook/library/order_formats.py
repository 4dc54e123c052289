"""Order-file formats declared as data (data/order_formats/<id>.yaml).

A format says which platform's files it reads, how a file of it is recognised (header columns),
whether its fields are ever quoted, the delimiter it is documented with (the reader splits a
file on the comma, semicolon or tab its header line has most of, so a copy re-saved with
another delimiter still reads), which column feeds which field of the order table, how
the written values of a field map onto the platform's values (statuses, channels), which fields
identify one row, and which date formats it may use besides ISO 8601. The reader
(``playbook.orders.formats``) follows the declaration; ``playbook.orders.checks`` refuses one
that names columns it does not map, or fields the order table does not have. Wish's built-in
readers (CSV export, .xlsx, API v2/v3 JSON) are code and need no declaration.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Literal

from pydantic import Field

from playbook.library.model import Id, Model, PlatformId, SourceDate, Text


def header_key(name: str) -> str:
    """How header names are matched: case and runs of spaces ignored ('Order ID' = 'order id')."""
    return " ".join(str(name).split()).casefold()


class OrderFormat(Model):
    """One declared order-file format.

    Attributes:
        columns: header as documented -> order-table field, or null to keep the column as it
            is (under its own name) although the format knows it. A header the file has but
            the format does not list is kept too; every field of the file is kept.
        detect: headers that together identify a file of this format (all must be there).
        required: headers without which a file of this format is refused (others may be
            missing: the facts they give are then not judged).
        values: field -> {value as written: the platform's value}; matched ignoring case,
            spaces and punctuation ('Partially Shipped' = 'PartiallyShipped'). A value not
            listed rejects the row ('unknown_state' for the state, 'unknown_value' otherwise).
        row_key: the fields that identify one row; repeats of them are duplicates.
        date_formats: strptime formats tried for dates that are not ISO 8601.
    """

    id: Id
    platform: PlatformId
    title: Text
    report_types: list[str] = []
    source: str | None = None
    source_title: str | None = None
    source_date: SourceDate | None = None
    confidence: Literal["high", "medium", "low", "unverified"]
    checked_on: dt.date | None = None
    note: str | None = None
    delimiter: Literal[",", ";", "\t"] = ","
    quote: bool = True
    detect: list[str] = Field(min_length=1)
    required: list[str] = []
    columns: dict[str, str | None] = Field(min_length=1)
    values: dict[str, dict[str, str]] = {}
    row_key: list[str] = ["order_id"]
    date_formats: list[str] = []

    def field_of(self, header: str) -> str | None:
        """The field a header feeds (None: kept as it is, or not a header of this format)."""
        return self._by_key().get(header_key(header))

    def knows(self, header: str) -> bool:
        """Whether the format lists ``header`` (mapped or kept)."""
        return header_key(header) in self._by_key()

    def _by_key(self) -> dict[str, str | None]:
        return {header_key(h): f for h, f in self.columns.items()}


# The formats files are matched against when a caller gives none: the loaded library's
# (``playbook.load.load_library`` sets them, as it sets the message catalogue).
_IN_USE: dict[str, OrderFormat] = {}


def use(formats: Mapping[str, OrderFormat]) -> None:
    """Make ``formats`` the declared formats order files are matched against by default."""
    _IN_USE.clear()
    _IN_USE.update(formats)


def known_formats() -> dict[str, OrderFormat]:
    """The declared formats order files are matched against by default."""
    return dict(_IN_USE)
