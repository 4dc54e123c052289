"""``python -m playbook remind`` against real servers on loopback.

An SMTP server and an HTTP receiver per robot check the documented body and signature; every
due reminder is delivered once per channel and person, also with two runs at once and after a
run killed mid-way.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select

from playbook import cli
from playbook.cases.sql_store import SqlStore
from playbook.config import REPO_ROOT
from playbook.errors import ConfigError
from playbook.reminders import settings as reminder_settings
from playbook.reminders.schema import reminders
from tests.reminders.servers import (
    SECRETS_ENV,
    SMTP_USER,
    Receiver,
    SmtpServer,
    config_toml,
    receivers,
)
from tests.store_fixtures import backend_url, new_walk

ROBOTS = ("wecom", "dingtalk", "feishu", "webhook")


def _case(store, lib, hours_left: float, assignee: str | None, n: int, close: bool = False):
    """An unfulfilled-order case whose fulfilment deadline is ``hours_left`` from now."""
    now = dt.datetime.now(dt.UTC)
    released = now + dt.timedelta(hours=hours_left) - dt.timedelta(days=5)
    facts = {
        "order_id": f"ord-{n:04d}",
        "buyer_name": f"Buyer {n}",
        "store_name": "Sunny Home",
        "released_at": released.strftime("%Y-%m-%d %H:%M:%S"),
    }
    case = store.create_case(
        new_walk(lib, "unfulfilled-order", facts, as_of=now), actor="ann", assignee=assignee
    )
    if close:
        store.set_status(case, "closed", actor="ann")
    return case.id


def team_cases(url: str, lib, per_person: int = 1) -> dict[str, set[str]]:
    """Cases due (and not) for amy, bob and nobody; the ids each person must be reminded of."""
    expected: dict[str, set[str]] = {"amy": set(), "bob": set(), "lin": set()}
    n = 0
    with SqlStore(url) as store:
        for _ in range(per_person):
            for person, who in (("amy", "amy"), ("bob", "bob"), ("lin", None)):
                n += 1
                expected[person].add(_case(store, lib, 20, who, n))  # due in 20 h
                n += 1
                expected[person].add(_case(store, lib, -10, who, n))  # overdue
        _case(store, lib, 90, "amy", n + 1)  # not due yet
        _case(store, lib, 5, "amy", n + 2, close=True)  # closed
    return expected


@pytest.fixture
def servers(tmp_path):
    with SmtpServer(tmp_path) as smtp:
        hooks = receivers()
        yield smtp, hooks
        for hook in hooks.values():
            hook.close()


def _use(monkeypatch, tmp_path, url: str, toml: str) -> dict[str, str]:
    conf = tmp_path / "playbook.toml"
    conf.write_text(toml, encoding="utf-8")
    env = {"PLAYBOOK_CONFIG": str(conf), "PLAYBOOK_DB_URL": url, **SECRETS_ENV}
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return env


def _delivered(smtp, hooks) -> dict[str, Counter]:
    """(recipient, case id) -> times delivered, per channel."""
    out = {"email": Counter()}
    for _login, msg, _tls in smtp.messages:
        body = msg.get_content()
        for line in body.splitlines():
            if "?case=" in line:
                out["email"][(msg["To"].split("@")[0], line.rsplit("?case=", 1)[1])] += 1
    for kind, hook in hooks.items():
        out[kind] = Counter()
        for r in hook.requests():
            text = _text_of(kind, r.body)
            who = _recipient(kind, r.body, text)
            for part in text.split("?case=")[1:]:
                out[kind][(who, part[:8])] += 1
    return out


def _text_of(kind: str, body: dict) -> str:
    if kind == "wecom":
        return body["markdown"]["content"]
    if kind == "dingtalk":
        return body["markdown"]["text"]
    if kind == "feishu":
        return body["content"]["text"]
    return body["text"]


def _recipient(kind: str, body: dict, text: str) -> str:
    if kind == "webhook":
        return body["recipient"]["name"]
    return next(
        name for name in ("amy", "bob", "lin") if name in text.split("\n", 3)[-4:][0] + text
    )


def _expected_pairs(expected: dict[str, set[str]]) -> Counter:
    return Counter({(who, case): 1 for who, ids in expected.items() for case in ids})


def test_one_run_sends_each_reminder_once_in_each_format(
    servers, tmp_path, lib, monkeypatch, capsys
) -> None:
    smtp, hooks = servers
    url = f"sqlite:///{tmp_path / 'cases.sqlite3'}"
    expected = team_cases(url, lib)
    _use(monkeypatch, tmp_path, url, config_toml(smtp, hooks))
    assert cli.main(["remind"]) == 0
    want = _expected_pairs(expected)
    got = _delivered(smtp, hooks)
    for channel in ("email", *ROBOTS):
        assert got[channel] == want, channel
    assert all(not h.problems for h in hooks.values()), {k: h.problems for k, h in hooks.items()}

    # e-mail: over STARTTLS, logged in, one message per person in their language
    mails = {msg["To"]: (login, msg, tls) for login, msg, tls in smtp.messages}
    assert set(mails) == {"amy@example.test", "bob@example.test", "lin@example.test"}
    login, bob_mail, tls = mails["bob@example.test"]
    assert (login, tls) == (SMTP_USER, True)
    assert bob_mail["Subject"] == "[Dispute Playbook] 2 cases due, 1 overdue"
    assert "OVERDUE since" in bob_mail.get_content()
    assert "即将到期" in mails["amy@example.test"][1]["Subject"]
    assert "（未指派）" in mails["lin@example.test"][1].get_content()  # a lead gets unassigned
    link = "https://playbook.example.test/voila/render/staff.ipynb?case="
    assert link in bob_mail.get_content()
    assert "Buyer" not in bob_mail.get_content()  # no buyer's personal data in reminders

    # the robots mention the person where they have an id there
    amy_wecom = next(
        r for r in hooks["wecom"].requests() if "amy" in r.body["markdown"]["content"]
    )
    assert "<@amy.wx>" in amy_wecom.body["markdown"]["content"]
    amy_ding = next(r for r in hooks["dingtalk"].requests() if r.body["at"].get("atUserIds"))
    assert amy_ding.body["at"] == {"isAtAll": False, "atUserIds": ["amy-ding"]}
    assert any(
        '<at user_id="ou_amy">' in r.body["content"]["text"] for r in hooks["feishu"].requests()
    )
    hook_ids = [r.headers["idempotency-key"] for r in hooks["webhook"].requests()]
    assert len(set(hook_ids)) == 3

    # a second run finds everything sent: nothing goes out again
    assert cli.main(["remind"]) == 0
    assert _delivered(smtp, hooks) == got
    out = capsys.readouterr().out
    assert "0 reminders claimed" in out


def test_a_failing_channel_is_retried_and_reported_without_holding_up_the_others(
    tmp_path, lib, monkeypatch, capsys
) -> None:
    with SmtpServer(tmp_path) as smtp:
        hooks = receivers(dingtalk={"fail_first": 2}, feishu={"always_fail": True})
        url = f"sqlite:///{tmp_path / 'cases.sqlite3'}"
        expected = team_cases(url, lib)
        _use(
            monkeypatch, tmp_path, url, config_toml(smtp, hooks, extra="retry_after_seconds = 1.5")
        )
        assert cli.main(["remind"]) == 1  # feishu failed
        captured = capsys.readouterr()
        assert "feishu failed: amy: feishu: code=19021" in captured.err
        got = _delivered(smtp, hooks)
        want = _expected_pairs(expected)
        for channel in ("email", "wecom", "dingtalk", "webhook"):
            assert got[channel] == want, channel  # dingtalk after two refusals
        assert len(hooks["dingtalk"].refused) == 2
        assert len(hooks["feishu"].refused) == 3 * 3  # each message: first try + 2 retries

        # feishu comes back; the next run after the backoff sends what failed, once
        hooks["feishu"].always_fail = False
        assert cli.main(["remind"]) == 0  # too early: the next try is later
        assert _delivered(smtp, hooks)["feishu"] == Counter()
        time.sleep(1.6)  # retry_after_seconds
        assert cli.main(["remind"]) == 0
        assert _delivered(smtp, hooks)["feishu"] == want
        assert _delivered(smtp, hooks)["dingtalk"] == want  # not again
        for hook in hooks.values():
            hook.close()


def _remind_process(env: dict[str, str], tmp_path: Path, name: str) -> subprocess.Popen:
    with (tmp_path / f"{name}.log").open("w") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "playbook", "remind"],
            cwd=REPO_ROOT,
            env={**os.environ, **env},
            stdout=out,
            stderr=subprocess.STDOUT,
        )


@pytest.mark.parametrize("kind", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_two_runs_at_once_send_each_reminder_once(kind, tmp_path, lib, monkeypatch) -> None:
    with SmtpServer(tmp_path) as smtp, backend_url(kind, tmp_path) as url:
        hooks = receivers(**{k: {"delay": 0.05} for k in ROBOTS})
        expected = team_cases(url, lib, per_person=4)
        people = "".join(
            f'\n[reminders.people.{n}]\nemail = "{n}@example.test"\n'
            for n in ("amy", "bob", "lin")
        )
        env = _use(monkeypatch, tmp_path, url, config_toml(smtp, hooks, people=people))
        runs = [_remind_process(env, tmp_path, f"run{i}") for i in range(2)]
        codes = [p.wait(120) for p in runs]
        assert codes == [0, 0], [(tmp_path / f"run{i}.log").read_text() for i in range(2)]
        got = _delivered(smtp, hooks)
        want = _expected_pairs(expected)
        for channel in ("email", *ROBOTS):
            assert got[channel] == want, channel
        logs = "".join((tmp_path / f"run{i}.log").read_text() for i in range(2))
        assert "0 failed" in logs
        for hook in hooks.values():
            hook.close()


def _all_sent(url: str, channels: tuple[str, ...]) -> bool:
    """Every reminder row of ``channels`` is marked sent in the store (and there are some)."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            query = select(reminders.c.status).where(reminders.c.channel.in_(channels))
            found = list(conn.execute(query).scalars())
    finally:
        engine.dispose()
    return bool(found) and all(status == "sent" for status in found)


def _wait(condition, timeout: float = 60.0) -> None:
    end = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < end, "timed out"
        time.sleep(0.05)


def test_a_run_killed_mid_way_leaves_no_gap_and_no_duplicate(tmp_path, lib, monkeypatch) -> None:
    """Killed while DingTalk waits to retry: the next run sends what it claimed but not sent.

    The next run sends those rows once the lease has passed; nothing already sent goes out
    again.
    """
    with SmtpServer(tmp_path) as smtp:
        hooks = receivers(dingtalk={"fail_first": 1})
        url = f"sqlite:///{tmp_path / 'cases.sqlite3'}"
        expected = team_cases(url, lib)
        want = _expected_pairs(expected)
        toml = config_toml(smtp, hooks, extra="lease_seconds = 0.3", retry="[60]")
        env = _use(monkeypatch, tmp_path, url, toml)
        run = _remind_process(env, tmp_path, "killed")
        _wait(lambda: len(hooks["dingtalk"].refused) == 1)
        _wait(
            lambda: all(
                _delivered(smtp, hooks)[c] == want for c in ("email", "wecom", "feishu", "webhook")
            )
        )
        _wait(lambda: _all_sent(url, ("email", "wecom", "feishu", "webhook")))
        run.send_signal(signal.SIGKILL)
        run.wait(10)
        assert hooks["dingtalk"].requests() == []  # the kill came before any DingTalk message
        time.sleep(0.4)  # the dead run's lease passes
        again = _remind_process(env, tmp_path, "again")
        assert again.wait(60) == 0, (tmp_path / "again.log").read_text()
        got = _delivered(smtp, hooks)
        for channel in ("email", *ROBOTS):
            assert got[channel] == want, channel
        for hook in hooks.values():
            hook.close()


def test_killed_after_the_channel_accepted_a_message_it_goes_again_with_the_same_key(
    tmp_path, lib, monkeypatch
) -> None:
    """The one narrow window (README): the webhook accepted a message, the run died unrecorded.

    The next run sends that message again, under the same Idempotency-Key, so a receiver that
    honours the key sees it once; every other reminder went exactly once.
    """
    with SmtpServer(tmp_path) as smtp:
        hooks = receivers(webhook={"hold": True})
        url = f"sqlite:///{tmp_path / 'cases.sqlite3'}"
        expected = team_cases(url, lib)
        want = _expected_pairs(expected)
        toml = config_toml(smtp, hooks, extra="lease_seconds = 0.3")
        env = _use(monkeypatch, tmp_path, url, toml)
        run = _remind_process(env, tmp_path, "killed")
        assert hooks["webhook"].held.wait(60)
        others = ("email", "wecom", "dingtalk", "feishu")
        _wait(lambda: all(_delivered(smtp, hooks)[c] == want for c in others))
        _wait(lambda: _all_sent(url, others))
        run.send_signal(signal.SIGKILL)
        run.wait(10)
        hooks["webhook"].release.set()
        time.sleep(0.4)  # the dead run's lease passes
        again = _remind_process(env, tmp_path, "again")
        assert again.wait(60) == 0, (tmp_path / "again.log").read_text()
        requests = hooks["webhook"].requests()
        keys = Counter(r.headers["idempotency-key"] for r in requests)
        assert sorted(keys.values()) == [1, 1, 2]  # one message twice, with the same key
        once = {r.headers["idempotency-key"]: r for r in requests}.values()
        by_key = Counter(
            (r.body["recipient"]["name"], c["case_id"]) for r in once for c in r.body["cases"]
        )
        assert by_key == want
        got = _delivered(smtp, hooks)
        for channel in ("email", "wecom", "dingtalk", "feishu"):
            assert got[channel] == want, channel
        for hook in hooks.values():
            hook.close()


# --- settings ---------------------------------------------------------------------------------


def test_secrets_in_the_settings_file_are_refused(tmp_path, monkeypatch) -> None:
    conf = tmp_path / "playbook.toml"
    monkeypatch.setenv("PLAYBOOK_CONFIG", str(conf))
    conf.write_text(
        '[reminders]\nchannels = ["email"]\n'
        '[reminders.email]\nhost = "h"\nfrom = "a@b"\npassword = "x"\n'
    )
    with pytest.raises(ConfigError) as err:
        reminder_settings.load()
    assert err.value.code == "error.secret_in_config"
    assert str(conf) in str(err.value)
    assert "PLAYBOOK_SMTP_PASSWORD" in str(err.value)
    conf.write_text(
        '[reminders.wecom]\nurl = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abc"\n'
    )
    with pytest.raises(ConfigError) as err:
        reminder_settings.load()
    assert "PLAYBOOK_WECOM_KEY" in str(err.value)


def test_a_channel_without_its_secret_and_a_secrets_file_in_the_repo_are_refused(
    tmp_path, monkeypatch
) -> None:
    conf = tmp_path / "playbook.toml"
    conf.write_text('[reminders]\nchannels = ["dingtalk"]\n')
    monkeypatch.setenv("PLAYBOOK_CONFIG", str(conf))
    monkeypatch.setenv("PLAYBOOK_DINGTALK_TOKEN", "t")
    with pytest.raises(ConfigError) as err:
        reminder_settings.load()
    assert err.value.code == "error.secret_missing"
    assert "PLAYBOOK_DINGTALK_SECRET" in str(err.value)
    inside = REPO_ROOT / "config" / "secrets.toml"
    monkeypatch.setenv("PLAYBOOK_SECRETS_FILE", str(inside))
    with pytest.raises(ConfigError) as err:
        reminder_settings.load()
    assert err.value.code == "error.secret_in_repo"
    outside = tmp_path / "secrets.toml"
    outside.write_text('dingtalk_secret = "SECfromfile"\n')
    outside.chmod(0o600)
    monkeypatch.setenv("PLAYBOOK_SECRETS_FILE", str(outside))
    assert reminder_settings.load().secrets["dingtalk_secret"] == "SECfromfile"
    outside.chmod(0o644)
    with pytest.raises(ConfigError) as err:
        reminder_settings.load()
    assert err.value.code == "error.secret_file_open"


def test_leads_come_from_the_hub_group_when_run_as_a_hub_service(tmp_path, monkeypatch) -> None:
    hub = Receiver("hub")
    seen = []

    def answer_get(handler) -> None:
        seen.append((handler.path, handler.headers.get("Authorization")))
        data = b'{"name": "lead", "users": ["wang", "lin"]}'
        handler.send_response(200)
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        handler.wfile.write(data)

    hub.server.RequestHandlerClass.do_GET = answer_get
    conf = tmp_path / "playbook.toml"
    conf.write_text('[reminders]\nleads = ["lin"]\n')
    monkeypatch.setenv("PLAYBOOK_CONFIG", str(conf))
    monkeypatch.setenv("JUPYTERHUB_API_URL", hub.url + "/hub/api")
    monkeypatch.setenv("JUPYTERHUB_API_TOKEN", "svc-token")
    assert reminder_settings.load().leads == ("lin", "wang")
    assert seen == [("/hub/api/groups/lead", "token svc-token")]
    hub.close()


def test_a_broken_settings_file_is_named_in_words(tmp_path, monkeypatch, capsys) -> None:
    conf = tmp_path / "playbook.toml"
    conf.write_text("[reminders]\nwindow_hours = 24\nwindow_hours = 12\n")
    monkeypatch.setenv("PLAYBOOK_CONFIG", str(conf))
    assert cli.main(["remind"]) == 2
    err = capsys.readouterr().err
    assert f"{conf}: cannot be read as TOML" in err
    conf.write_text('[reminders]\nwindow_hours = "soon"\n')
    assert cli.main(["remind", "--lang", "zh"]) == 2
    assert f"{conf}:reminders.window_hours:" in capsys.readouterr().err


def test_a_run_whose_claim_was_taken_over_sends_nothing(tmp_path, lib, monkeypatch) -> None:
    """A run slower than its lease finds its rows taken over by another run: it does not send.

    It renews its claim before each message, so it never sends them too.
    """
    from playbook.reminders.run import ChannelReport, claim, deliver, due_cases, messages, wanted

    hook = Receiver("webhook")
    url = f"sqlite:///{tmp_path / 'cases.sqlite3'}"
    expected = team_cases(url, lib)
    monkeypatch.setenv("PLAYBOOK_WEBHOOK_SECRET", SECRETS_ENV["PLAYBOOK_WEBHOOK_SECRET"])
    conf = reminder_settings.load(
        {
            "channels": ["webhook"],
            "webhook": {"url": hook.url},
            "leads": ["lin"],
            "leads_from_hub": False,
            "lease_seconds": 0.2,
            "retry_seconds": [],
        }
    )
    with SqlStore(url) as store:
        asked = wanted(due_cases(store, store.now() + conf.window), conf)
        slow = claim(store, list(asked), conf, "slow-run")
        time.sleep(0.3)
        fast = claim(store, list(asked), conf, "fast-run")
        assert fast == slow  # every row taken over, with the message ids it had
        now = store.now()
        report = ChannelReport()
        deliver(store, "webhook", messages(slow, asked, conf, lib, now), conf, "slow-run", report)
        assert (report.sent, report.skipped) == (0, 3)
        assert hook.requests() == []
        deliver(store, "webhook", messages(fast, asked, conf, lib, now), conf, "fast-run", report)
        assert report.sent == 3
        sent = Counter(
            (r.body["recipient"]["name"], c["case_id"])
            for r in hook.requests()
            for c in r.body["cases"]
        )
        assert sent == _expected_pairs(expected)
    hook.close()
