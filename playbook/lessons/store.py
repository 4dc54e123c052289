"""What the lessons page reads from the case store and the one thing it writes there.

``LessonsStore`` sits on an opened ``SqlStore`` and uses only its public connections: the
case table (``read_cases``, with its snapshot on disk) and fix tracking. Recording a fix is a
lead's move: with a signed-in identity (team server) anyone else is refused, the refusal is
logged, and nothing is written; with none (one machine) nothing is checked, as for cases.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from playbook.cases.roles import Identity
from playbook.cases.session import utcnow
from playbook.cases.sql_store import SqlStore
from playbook.lessons import analytics
from playbook.lessons.fixes import check_fix, insert_fix, read_fixes
from playbook.library.library import Library


class LessonsStore:
    """The lessons page's reads and writes in the case store.

    Args:
        store: an opened case store.
        library: the library (outcome classes, root causes).
        identity: the signed-in person (team server); None checks nothing.
        clock: the current UTC time (when a fix is recorded).
    """

    def __init__(
        self,
        store: SqlStore,
        library: Library,
        *,
        identity: Identity | None = None,
        clock: Callable[[], dt.datetime] = utcnow,
    ) -> None:
        self.store, self.lib, self.identity, self.clock = store, library, identity, clock

    def read_cases(
        self, orders: pd.DataFrame | None = None, *, cache_dir: Path | None = None
    ) -> pd.DataFrame:
        """One row per case, ready for the page (see ``analytics.read_cases``)."""
        return analytics.read_cases(self.store, self.lib.lessons, orders, cache_dir=cache_dir)

    def fixes(self) -> pd.DataFrame:
        """Every recorded fix, newest start first."""
        with self.store.reading() as conn:
            return read_fixes(conn)

    def record_fix(self, *, root_cause: str, title: str, day: object, actor: str = "") -> int:
        """Record a change against a root cause from ``day`` (midnight UTC); returns its id.

        The signed-in person, when there is one, is the actor (``actor`` is then ignored).

        Raises:
            Forbidden: the signed-in person is not a lead (nothing written; logged).
            InputError: a value is missing or wrong (nothing written).
            StoreError: the store failed (nothing written).
        """
        if self.identity is not None:
            self.identity.require("record_fix", root_cause=str(root_cause)[:64])
            actor = self.identity.name
        row = check_fix(
            self.lib, root_cause=root_cause, title=title, day=day, actor=actor, now=self.clock()
        )
        with self.store.transaction() as conn:
            return insert_fix(conn, row)
