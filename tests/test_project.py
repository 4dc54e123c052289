"""Project-level guards: dependency lists agree, the core stays widget-free, README is true.

The test harness is checked here too: no test may skip in CI, and the PostgreSQL tests get a
throwaway server from scripts/with-test-postgres.sh.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml

from playbook.config import REPO_ROOT
from tests.store_fixtures import PG_ENV, require_pg_url

# PyPI name -> conda-forge name, where they differ.
CONDA_NAMES = {"psycopg[binary]": "psycopg", "graphviz": "python-graphviz"}


def _pyproject_deps() -> set[str]:
    project = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]
    deps = project["dependencies"] + project["optional-dependencies"]["test"]
    out = set()
    for dep in deps:
        name, spec = re.match(r"^([A-Za-z0-9_.\-\[\]]+)(.*)$", dep).groups()
        out.add(CONDA_NAMES.get(name, name).lower() + spec.replace(" ", ""))
    return out


def _conda_deps() -> set[str]:
    env = yaml.safe_load((REPO_ROOT / "environment.yml").read_text())
    return {
        d.replace(" ", "").lower()
        for d in env["dependencies"]
        if isinstance(d, str) and not re.match(r"^(python|pip)([<>=]|$)", d)
    }


def test_environment_yml_matches_pyproject() -> None:
    assert _conda_deps() == _pyproject_deps()


def test_environment_python_matches_requires_python() -> None:
    project = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]
    env = yaml.safe_load((REPO_ROOT / "environment.yml").read_text())
    assert f"python{project['requires-python']}" in env["dependencies"]


def core_modules() -> list[str]:
    """Every module of the core: all of playbook/ except the widget layer (playbook/ui)."""
    root = REPO_ROOT / "playbook"
    names = []
    for path in sorted(root.rglob("*.py")):
        parts = path.relative_to(REPO_ROOT).with_suffix("").parts
        if "ui" in parts or "migrations" in parts or parts[-1] == "__main__":
            continue
        names.append(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return names


def test_core_modules_found() -> None:
    found = core_modules()
    for name in (
        "playbook.cases.sql_store",
        "playbook.cases.caselog",
        "playbook.orders.reader",
        "playbook.orders.triage",
        "playbook.scenarios.engine",
    ):
        assert name in found


def test_core_does_not_import_widgets() -> None:
    """Importing every core module (store, orders, triage, decision log...) loads no widgets."""
    code = (
        "import importlib, sys\n"
        f"for name in {core_modules()!r}:\n"
        "    importlib.import_module(name)\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in "
        "('ipywidgets', 'IPython', 'traitlets', 'voila'))\n"
        "print(','.join(bad))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO_ROOT
    )
    assert out.stdout.strip() == ""


def test_readme_shows_the_two_commands() -> None:
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    assert "make serve" in readme
    assert "make test" in readme


def test_ci_runs_the_readme_test_command() -> None:
    assert "make test" in (REPO_ROOT / ".ci" / "run").read_text()


def test_ci_fails_a_run_with_a_skipped_test(tmp_path: Path) -> None:
    (tmp_path / "test_one.py").write_text(
        "import pytest\n\ndef test_ok():\n    pass\n\n"
        "def test_skipped():\n    pytest.skip('no server here')\n",
        encoding="utf-8",
    )

    def run(ci: str | None, *extra: str) -> subprocess.CompletedProcess:
        env = {k: v for k, v in os.environ.items() if k != "CI"}
        if ci is not None:
            env["CI"] = ci
        return subprocess.run(
            [
                sys.executable,
                "-m",
                "pytest",
                "-p",
                "tests.ci_no_skip",
                "-q",
                "-p",
                "no:cacheprovider",
                "--rootdir",
                str(tmp_path),
                *extra,
                str(tmp_path),
            ],
            capture_output=True,
            text=True,
            cwd=REPO_ROOT,
            env=env,
            check=False,
        )

    local = run(None)
    assert local.returncode == 0, local.stdout
    ci = run("true")
    assert ci.returncode == 1, ci.stdout
    assert "tests/test_one.py::test_skipped" in ci.stdout or "test_skipped" in ci.stdout
    assert "nothing may skip in CI" in ci.stdout
    # The same with parallel workers (make test runs pytest-xdist): the skip is reported by a
    # worker, the run still fails.
    parallel = run("true", "-n", "2")
    assert parallel.returncode == 1, parallel.stdout
    assert "nothing may skip in CI" in parallel.stdout


def test_without_a_server_postgres_tests_skip_locally_and_fail_in_ci(monkeypatch):
    monkeypatch.delenv(PG_ENV, raising=False)
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.delenv("PLAYBOOK_REQUIRE_ALL_TESTS", raising=False)
    with pytest.raises(pytest.skip.Exception, match="bash scripts/with-test-postgres.sh"):
        require_pg_url()
    monkeypatch.setenv("PLAYBOOK_REQUIRE_ALL_TESTS", "1")
    with pytest.raises(pytest.fail.Exception, match="not skipping"):
        require_pg_url()


@pytest.mark.postgres
def test_harness_script_runs_command_with_a_server_and_cleans_up(tmp_path):
    """scripts/with-test-postgres.sh: URL exported, exit code passed on, temp dir removed."""
    env = {k: v for k, v in os.environ.items() if k != PG_ENV}
    harness = ["bash", str(REPO_ROOT / "scripts" / "with-test-postgres.sh"), sys.executable]
    probe = (
        "import os, sys, sqlalchemy as sa; "
        f"e = sa.create_engine(os.environ['{PG_ENV}']); "
        "c = e.connect(); print(c.execute(sa.text('select 41 + 1')).scalar()); "
        "c.close(); e.dispose(); sys.exit(7)"
    )
    done = subprocess.run(
        [*harness, "-c", probe],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    if "no PostgreSQL server binaries" in done.stderr:
        # No binaries to start one here: check, with the server we were given, the branch
        # that passes a given URL straight through (never a skip while a server is given).
        url = require_pg_url()  # without a server: skips locally, fails in CI
        done = subprocess.run(
            [*harness, "-c", probe],
            env={**env, PG_ENV: url},
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert (done.returncode, done.stdout.strip()) == (7, "42"), done.stderr
        return
    assert done.returncode == 7, done.stderr
    assert done.stdout.strip() == "42"
    cluster = re.search(r"cluster in (\S+)", done.stderr)
    assert cluster, done.stderr
    assert not Path(cluster.group(1)).exists()


def test_public_api_is_all_and_resolves() -> None:
    import playbook

    assert playbook.__all__ == sorted(playbook.__all__)
    for name in playbook.__all__:
        assert getattr(playbook, name) is not None, name
    assert playbook.SqlStore.__module__ == "playbook.cases.sql_store"
    assert playbook.read_orders.__module__ == "playbook.orders.reader"


def test_importing_playbook_loads_neither_sqlalchemy_nor_pandas() -> None:
    code = (
        "import sys, playbook, playbook.cases.session, playbook.ui.staff_panel\n"
        "print(','.join(sorted(m for m in ('sqlalchemy', 'pandas', 'alembic', 'pyarrow') "
        "if m in sys.modules)))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO_ROOT
    )
    assert out.stdout.strip() == ""


def test_the_command_line_loads_only_what_its_command_uses() -> None:
    """`check` (and `--help`) start without pandas, Arrow, SQLAlchemy or the PDF writer."""
    heavy = "('sqlalchemy', 'pandas', 'pyarrow', 'alembic', 'fpdf', 'PIL')"
    code = (
        "import sys\nfrom playbook import cli\nrc = cli.main(['check'])\n"
        f"print(rc, ','.join(sorted(m for m in {heavy} if m in sys.modules)))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO_ROOT
    )
    assert out.stdout.strip().splitlines()[-1] == "0", out.stdout


def _module_imports() -> dict[str, set[str]]:
    """Each playbook module -> the playbook modules it imports at module level.

    Type-only and lazy imports inside ``if``/functions are not edges.
    """
    import ast

    files = {}
    for path in (REPO_ROOT / "playbook").rglob("*.py"):
        parts = path.relative_to(REPO_ROOT).with_suffix("").parts
        files[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    graph = {}
    for name, path in files.items():
        deps = set()
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("playbook"):
                deps.add(node.module)
                deps |= {f"{node.module}.{a.name}" for a in node.names}
            elif isinstance(node, ast.Import):
                deps |= {a.name for a in node.names}
        graph[name] = {d for d in deps if d in files and d != name}
    return graph


def test_no_import_cycles() -> None:
    graph = _module_imports()
    assert "playbook.library.library" in graph["playbook.library.read"]
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done

    def visit(name: str, path: list[str]) -> None:
        state[name] = 1
        for dep in sorted(graph[name]):
            if state.get(dep) == 1:
                raise AssertionError("import cycle: " + " -> ".join([*path, name, dep]))
            if dep not in state:
                visit(dep, [*path, name])
        state[name] = 2

    for name in sorted(graph):
        if name not in state:
            visit(name, [])
