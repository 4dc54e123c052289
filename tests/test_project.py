"""Project-level guards: dependency lists agree, the core stays widget-free, README is true."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib

import yaml

from playbook.config import REPO_ROOT

# PyPI name -> conda-forge name, where they differ.
CONDA_NAMES = {"psycopg[binary]": "psycopg"}


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
        if isinstance(d, str) and not d.startswith(("python", "pip"))
    }


def test_environment_yml_matches_pyproject() -> None:
    assert _conda_deps() == _pyproject_deps()


def test_environment_python_matches_requires_python() -> None:
    project = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]
    env = yaml.safe_load((REPO_ROOT / "environment.yml").read_text())
    assert f"python{project['requires-python']}" in env["dependencies"]


def test_core_does_not_import_widgets() -> None:
    code = (
        "import sys, playbook, playbook.engine, playbook.library, playbook.checker, "
        "playbook.facts, playbook.templates, playbook.policy\n"
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
