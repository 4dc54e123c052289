"""The case row's first reply and closing times: kept by the moves, as the event log says.

What the event log says is worked out by ``refresh_projection``, which Alembic revision 0005
also runs on older stores.
"""

from __future__ import annotations

import datetime as dt
import sys

import pytest
import sqlalchemy as sa

from playbook.cases.memory_store import MemoryStore
from playbook.cases.projection import ProjectionRules, refresh_projection
from playbook.cases.session import CaseSession
from playbook.cases.sql_store import SqlStore as Store
from playbook.config import REPO_ROOT
from playbook.errors import StoreError
from playbook.scenarios.engine import explore
from tests.store_fixtures import SAMPLE_FACTS


def _projection(store: Store) -> dict[str, tuple]:
    with store.reading() as conn:
        rows = conn.execute(sa.text("SELECT id, first_reply_at, closed_at FROM cases"))
        return {r[0]: (r[1], r[2]) for r in rows}


def _walk_every_way(lib, store, clock) -> int:
    """Every way through every scenario, as cases; returns the number of cases.

    Each way starts from the facts of a practice case of its scenario, issues each step's
    drafts and goes back once on the way. A way already walked from another practice case (the
    same steps and answers: the same moves) is not walked again.
    """
    n = 0
    walked: set[tuple] = set()
    for practice in lib.practice.values():
        seen = dt.datetime.fromisoformat(practice.vignette.seen_at).replace(tzinfo=dt.UTC)
        clock.time = seen
        probe = CaseSession(lib, MemoryStore(now=clock), clock=clock, actor=lambda: "amy")
        assert probe.start(practice.scenario, practice.vignette.facts) == {}
        for way in explore(probe.walk.copy()):
            moves = (practice.scenario, tuple((s, way.answers[s]) for s in way.path[:-1]))
            if moves in walked:
                continue
            walked.add(moves)
            clock.time = seen
            s = CaseSession(lib, store, clock=clock, actor=lambda: "amy")
            assert s.start(practice.scenario, practice.vignette.facts) == {}
            for i, step_id in enumerate(way.path[:-1]):
                for template in way.scenario.step(step_id).messages:
                    s.issue_draft(template, step_id)
                s.answer(step_id, way.answers[step_id] or None)
                if i == 1:  # once: back and the same answer again
                    s.back()
                    s.answer(step_id, way.answers[step_id] or None)
            n += 1
    return n


def test_moves_keep_what_the_event_log_says(sql_store, clock, lib) -> None:
    n = _walk_every_way(lib, sql_store, clock)
    kept = _projection(sql_store)
    with sql_store.transaction() as conn:
        assert refresh_projection(conn, ProjectionRules.of(lib)) == n
    assert _projection(sql_store) == kept
    replied = sum(1 for reply, _ in kept.values() if reply is not None)
    closed = sum(1 for _, close in kept.values() if close is not None)
    assert n == len(kept) > 40
    assert 0 < replied < n
    assert 0 < closed < n


def test_first_times_only_and_only_buyer_messages(sql_store, clock, lib) -> None:
    s = CaseSession(lib, sql_store, clock=clock, actor=lambda: "amy")
    assert s.start("item-mismatch", SAMPLE_FACTS) == {}
    case_id = s.case.id
    appeal = next(t for t in lib.templates.values() if not t.to_buyer)
    assert appeal.id not in ProjectionRules.of(lib).buyer_templates
    # an appeal statement is no reply; the store's move is told so by the session
    sql_store.issue_draft(s.case, appeal.id, actor="amy", step_id=s.walk.current.id)
    s.case = sql_store.get_case(case_id)
    assert s.case.first_reply_at is None
    s.set_status("closed", note="duplicate")
    closed_at = sql_store.get_case(case_id).closed_at
    assert closed_at == sql_store.events(case_id)[-1].time
    s.set_status("open")
    clock.advance(hours=5)
    s.set_status("refunded")
    assert sql_store.get_case(case_id).closed_at == closed_at  # the first closing stays
    kept = _projection(sql_store)
    with sql_store.transaction() as conn:
        refresh_projection(conn, ProjectionRules.of(lib))
    assert _projection(sql_store) == kept


def test_a_current_store_opens_without_alembic(tmp_path) -> None:
    """Opening a store already at the newest revision checks it without importing Alembic."""
    import subprocess

    url = f"sqlite:///{tmp_path / 'cases.sqlite3'}"
    Store(url).close()  # created (Alembic runs here)
    code = (
        "import sys; from playbook.cases.sql_store import SqlStore;"
        f"SqlStore({url!r}).close(); print('alembic' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"


def test_schema_version_is_the_newest_migration() -> None:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from playbook.cases.schema import SCHEMA_VERSION
    from playbook.cases.sql_store import MIGRATIONS

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    assert ScriptDirectory.from_config(cfg).get_current_head() == SCHEMA_VERSION


def test_revision_0005_works_the_times_out_for_existing_cases(db_url, lib) -> None:
    """A store at revision 0004 holding the known cases is upgraded on open.

    Revision 0004 has no such columns yet; after the upgrade the lessons figures match those
    worked out by hand (tests/lessons/test_analytics.py).
    """
    from alembic import command

    from playbook.cases.schema import cases, events
    from playbook.cases.sql_store import _alembic_config
    from playbook.lessons import analytics as an
    from tests.lessons_store import make_cases_module

    mc = make_cases_module()
    engine = sa.create_engine(db_url)
    new = ("first_reply_at", "closed_at")
    old_cases = sa.Table(  # the cases table as revision 0004 has it
        "cases",
        sa.MetaData(),
        *(sa.Column(c.name, c.type) for c in cases.columns if c.name not in new),
    )
    with engine.begin() as conn:
        cfg = _alembic_config()
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0004")
        for group in mc.KNOWN_GROUPS:
            for i in range(group.count):
                row, evs = mc._case_rows(group, i)
                conn.execute(sa.insert(old_cases), [row])
                conn.execute(sa.insert(events), evs)
    engine.dispose()
    with pytest.raises(StoreError) as err:  # the upgrade needs the library's rules
        Store(db_url)
    assert err.value.code == "error.store_upgrade_library"
    with Store(db_url, projection=ProjectionRules.of(lib)) as store:
        medians = an.median_times(an.read_cases(store, lib.lessons))
    assert (medians.reply_hours, medians.reply_cases) == (2.0, 78)
    assert (medians.resolution_hours, medians.resolution_cases) == (72.0, 72)


def test_no_migration_reads_the_data_folder() -> None:
    """A schema migration is given what it needs; it never loads the library itself."""
    versions = REPO_ROOT / "playbook" / "cases" / "migrations" / "versions"
    for path in versions.glob("*.py"):
        source = path.read_text(encoding="utf-8")
        assert "load_library" not in source, path.name
        assert "playbook.load" not in source, path.name
