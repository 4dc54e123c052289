"""A command run in a fresh process explains itself in words, never as a message key."""

from __future__ import annotations

import subprocess
import sys

from playbook.config import REPO_ROOT

BAD = REPO_ROOT / "tests" / "data" / "orders" / "bad"


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "playbook", *args],
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        check=False,
    )


def test_an_unreadable_order_file_is_explained_in_words(tmp_path) -> None:
    done = run("triage", str(BAD / "truncated.json"), "--out", str(tmp_path), "--lang", "en")
    assert done.returncode == 2
    assert "is not valid JSON" in done.stderr
    assert "error.order_file" not in done.stderr


def test_an_unknown_scenario_is_explained_in_both_languages() -> None:
    en = run("diagram", "no-such-scenario", "--lang", "en")
    zh = run("diagram", "no-such-scenario", "--lang", "zh")
    assert (en.returncode, zh.returncode) == (2, 2)
    assert "Unknown scenario 'no-such-scenario'" in en.stderr
    assert "未知场景 'no-such-scenario'" in zh.stderr
