"""The schedules in deploy/ run the reminders (and the purge) as documented.

A cron file, a systemd service with its timer, and a JupyterHub service allowed to read the
lead group.
"""

from __future__ import annotations

import configparser
import re
import shlex

from traitlets.config import Config

from playbook.cli import build_parser
from playbook.config import REPO_ROOT

DEPLOY = REPO_ROOT / "deploy"


def _cron_jobs() -> dict[str, list[str]]:
    jobs = {}
    for line in (DEPLOY / "cron" / "playbook").read_text().splitlines():
        if not line.strip() or line.startswith("#") or "=" in line.split()[0]:
            continue
        fields = line.split(None, 6)
        assert len(fields) == 7, line  # five time fields, the user, the command
        for part in fields[6].split("&&"):
            words = shlex.split(re.sub(r"\$\([^)]*\)", "DATE", part.split(">>")[0]))
            if words[:3] == [".venv/bin/python", "-m", "playbook"]:
                jobs[words[3]] = words[3:]
    return jobs


def test_cron_runs_remind_and_purge_with_arguments_the_cli_takes() -> None:
    jobs = _cron_jobs()
    assert set(jobs) >= {"remind", "purge", "backup"}
    for words in jobs.values():
        build_parser().parse_args(words)  # exits (fails the test) on a wrong argument


def test_systemd_timer_starts_the_remind_service() -> None:
    service = configparser.ConfigParser(strict=False)
    service.read(DEPLOY / "systemd" / "playbook-remind.service")
    command = shlex.split(service["Service"]["ExecStart"])
    assert command[1:] == ["-m", "playbook", "remind"]
    assert service["Service"]["Type"] == "oneshot"
    timer = configparser.ConfigParser(strict=False)
    timer.read(DEPLOY / "systemd" / "playbook-remind.timer")
    assert timer["Timer"]["OnCalendar"] == "*:0/15"
    assert timer["Install"]["WantedBy"] == "timers.target"


def test_the_hub_runs_reminders_as_a_service_that_may_read_groups(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("TEAM_STATE", str(tmp_path))
    monkeypatch.setenv("PLAYBOOK_SMTP_PASSWORD", "only-for-the-service")
    monkeypatch.setenv("TEAM_REMIND_EVERY", "600")
    config = Config()
    path = DEPLOY / "jupyterhub_config.py"
    namespace = {"get_config": lambda: config, "__file__": str(path)}
    exec(compile(path.read_text(), str(path), "exec"), namespace)  # noqa: S102
    service = next(s for s in config.JupyterHub.services if s["name"] == "reminders")
    assert service["command"][1:] == ["-m", "playbook", "remind", "--every=600"]
    build_parser().parse_args(service["command"][3:])
    assert service["environment"]["PLAYBOOK_SMTP_PASSWORD"] == "only-for-the-service"
    assert "PLAYBOOK_SMTP_PASSWORD" not in config.Spawner.env_keep  # user servers never get it
    role = next(r for r in config.JupyterHub.load_roles if r["name"] == "reminders")
    assert role == {"name": "reminders", "scopes": ["read:groups"], "services": ["reminders"]}
