"""Pytest plugin: under CI (``CI`` set), a run with any skipped test fails.

Loaded for every run through ``-p tests.ci_no_skip`` in pyproject.toml. Locally, skips stay
skips (each says how to run the test for real).
"""

from __future__ import annotations

import os

import pytest


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Turn a green run with skips into a failure when ``CI`` is set."""
    if not os.environ.get("CI") or exitstatus != 0:
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = reporter.stats.get("skipped", []) if reporter else []
    if skipped:
        if reporter:
            reporter.write_line(
                f"CI is set: {len(skipped)} skipped test(s) fail the run "
                "(nothing may skip in CI):",
                red=True,
            )
            for report in skipped:
                reporter.write_line(f"  {report.nodeid}")
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
