"""The case table snapshot: a new kernel reads only the cases that changed.

The table it returns is always the one a full read of the store gives (SQLite and PostgreSQL).
"""

from __future__ import annotations

import pandas as pd
import sqlalchemy as sa

from playbook.cases.session import CaseSession
from playbook.lessons.table import snapshot_path, typed_cases
from tests.store_fixtures import SAMPLE_FACTS


def _queries(engine) -> list[str]:
    seen: list[str] = []
    sa.event.listen(engine, "before_cursor_execute", lambda *a: seen.append(a[2]))
    return seen


def _same_as_full_read(store, cache) -> pd.DataFrame:
    warm = typed_cases(store, cache)
    pd.testing.assert_frame_equal(warm, typed_cases(store))
    return warm


def test_changed_new_and_gone_cases_are_caught_up(known_store, lib, tmp_path) -> None:
    cache = tmp_path / "cache"
    first = _same_as_full_read(known_store, cache)
    assert len(first) == 83
    path = snapshot_path(cache, known_store)
    assert path.is_file()
    stamp = path.stat().st_mtime_ns

    seen = _queries(known_store.engine)
    _same_as_full_read(known_store, cache)
    selects = [q for q in seen if q.startswith("SELECT")]
    assert len(selects) == 2  # the stamp scan, then (for the comparison) the full read
    assert "facts" not in selects[0]  # nothing changed: only ids and revisions were read
    assert path.stat().st_mtime_ns == stamp  # and nothing written

    case = known_store.get_case("a-before-000")
    known_store.set_root_causes(case, ["quality-problem"], actor="lead")  # a move
    s = CaseSession(lib, known_store, actor=lambda: "amy")
    assert s.start("item-mismatch", SAMPLE_FACTS) == {}  # a new case
    with known_store._writer.begin() as conn:  # a case gone (the app never deletes; a DBA might)
        conn.execute(sa.text("DELETE FROM events WHERE case_id = 'a-after-000'"))
        conn.execute(sa.text("DELETE FROM cases WHERE id = 'a-after-000'"))
    seen.clear()
    warm = _same_as_full_read(known_store, cache)
    reread = [q for q in seen if q.startswith("SELECT") and " IN " in q]
    assert len(reread) == 1  # only the changed and the new case were read again
    assert len(warm) == 83
    assert warm.set_index("id").loc["a-before-000", "root_causes"] == '["quality-problem"]'
    assert s.case.id in set(warm["id"])
    assert "a-after-000" not in set(warm["id"])


def test_same_revision_but_another_time_is_a_change(known_store, tmp_path) -> None:
    """A store restored from a backup and moved on again can repeat a revision number."""
    cache = tmp_path / "cache"
    typed_cases(known_store, cache)
    with known_store._writer.begin() as conn:
        conn.execute(
            sa.text(
                "UPDATE cases SET status = 'lost', updated_at = created_at "
                "WHERE id = 'b-pending-000'"
            )
        )
    warm = _same_as_full_read(known_store, cache)
    assert warm.set_index("id").loc["b-pending-000", "status"] == "lost"


def test_many_changes_read_the_whole_table(known_store, tmp_path) -> None:
    cache = tmp_path / "cache"
    typed_cases(known_store, cache)
    with known_store._writer.begin() as conn:
        conn.execute(sa.text("UPDATE cases SET revision = revision + 1"))
    seen = _queries(known_store.engine)
    typed_cases(known_store, cache)
    selects = [q for q in seen if q.startswith("SELECT")]
    assert len(selects) == 2
    assert " IN " not in selects[1]
    _same_as_full_read(known_store, cache)


def test_a_damaged_snapshot_is_rebuilt(known_store, tmp_path) -> None:
    cache = tmp_path / "cache"
    typed_cases(known_store, cache)
    path = snapshot_path(cache, known_store)
    path.write_bytes(b"not an arrow file")
    _same_as_full_read(known_store, cache)
    assert path.read_bytes()[:6] == b"ARROW1"  # written again, whole


def test_a_cache_folder_that_cannot_be_written_only_costs_speed(known_store, tmp_path) -> None:
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    assert len(_same_as_full_read(known_store, blocked / "cache")) == 83
    assert not list(tmp_path.glob(".cases-*"))


def test_a_case_gone_alone_is_dropped(known_store, tmp_path) -> None:
    cache = tmp_path / "cache"
    typed_cases(known_store, cache)
    with known_store._writer.begin() as conn:
        conn.execute(sa.text("DELETE FROM events WHERE case_id = 'e-by-hand-000'"))
        conn.execute(sa.text("DELETE FROM cases WHERE id = 'e-by-hand-000'"))
    warm = _same_as_full_read(known_store, cache)
    assert "e-by-hand-000" not in set(warm["id"])
    assert len(warm) == 82
