"""Reminder settings: ``[reminders]`` of config/playbook.toml, secrets, and who the leads are.

The file says which channels to use, where their endpoints are (so tests point them at
loopback), the public address of the staff page (links are ``<public_url>?case=<id>``), the
leads, and each person's language and addresses. Secrets never come from the file: a key
that names one (``password``, ``key``, ``secret``, ``token``...) or an endpoint URL that
carries one is refused with the environment variable to use instead (``playbook.config.secret``).

On a team server the reminders run as a JupyterHub service; then the members of the hub group
``lead`` are leads too (``leads_from_hub``), asked from the hub's REST API.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import urllib.parse
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from playbook.config import config_path, file_section, secret
from playbook.errors import ConfigError

CHANNELS = ("email", "wecom", "dingtalk", "feishu", "webhook")
# Keys that hold secrets: refused anywhere in [reminders] (they come from the environment).
SECRET_KEYS = frozenset(
    {"password", "key", "secret", "token", "access_token", "sign", "hook", "api_token"}
)
# Query parameters of an endpoint URL that are secrets (a robot's full webhook address).
SECRET_PARAMS = frozenset({"key", "access_token", "token", "sign", "secret"})
# The secrets each channel needs (name in the secrets file; env PLAYBOOK_<NAME>).
NEEDED = {
    "email": (),
    "wecom": ("wecom_key",),
    "dingtalk": ("dingtalk_token", "dingtalk_secret"),
    "feishu": ("feishu_hook", "feishu_secret"),
    "webhook": (),
}
OPTIONAL = {"email": ("smtp_password",), "webhook": ("webhook_secret",)}


class _Conf(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class EmailConf(_Conf):
    """SMTP: STARTTLS on the submission port and a login (password: PLAYBOOK_SMTP_PASSWORD).

    The server's certificate is checked against the system's CAs, or ``ca_file``.
    """

    host: str
    port: int = 587
    starttls: bool = True
    ca_file: str | None = None
    username: str | None = None
    sender: str = Field(alias="from")
    timeout: float = 30.0
    interval: float = 0.0


class RobotConf(_Conf):
    """A group robot's endpoint (the secret part comes from the environment).

    ``interval``: seconds between two messages; WeCom and DingTalk take 20 a minute per robot.
    """

    url: str
    timeout: float = 10.0
    interval: float = 3.1


class WebhookConf(_Conf):
    """A generic JSON webhook (optional signing secret: PLAYBOOK_WEBHOOK_SECRET)."""

    url: str
    timeout: float = 10.0
    interval: float = 0.0


class PersonConf(_Conf):
    """How to reach one person: language, e-mail, and the ids a robot mentions."""

    lang: Literal["zh", "en"] | None = None
    email: str | None = None
    wecom: str | None = None  # WeCom userid, mentioned as <@userid>
    dingtalk: str | None = None  # DingTalk userId (at.atUserIds)
    feishu: str | None = None  # Feishu/Lark open_id (<at user_id="ou_...">)


class RemindersConf(_Conf):
    """``[reminders]``."""

    window_hours: float = Field(24.0, gt=0)
    channels: list[Literal["email", "wecom", "dingtalk", "feishu", "webhook"]] = []
    public_url: str = "http://127.0.0.1:8866/voila/render/staff.ipynb"
    leads: list[str] = []
    leads_from_hub: bool = True
    default_lang: Literal["zh", "en"] = "zh"
    lease_seconds: float = Field(600.0, gt=0)
    retry_seconds: list[float] = [2.0, 10.0, 30.0]  # in-run retries of a failed message
    retry_after_seconds: float = Field(300.0, gt=0)  # then a later run, doubling each time
    max_attempts: int = Field(8, ge=1)
    email: EmailConf | None = None
    wecom: RobotConf = RobotConf(url="https://qyapi.weixin.qq.com/cgi-bin/webhook/send")
    dingtalk: RobotConf = RobotConf(url="https://oapi.dingtalk.com/robot/send")
    feishu: RobotConf = RobotConf(url="https://open.feishu.cn/open-apis/bot/v2/hook/")
    webhook: WebhookConf | None = None
    people: dict[str, PersonConf] = {}


@dataclass(frozen=True)
class Person:
    """Someone reminders go to."""

    name: str
    lang: str
    email: str | None = None
    wecom: str | None = None
    dingtalk: str | None = None
    feishu: str | None = None


@dataclass(frozen=True)
class ReminderSettings:
    """Resolved reminder settings with the secrets of the configured channels."""

    conf: RemindersConf
    secrets: Mapping[str, str | None]
    leads: tuple[str, ...]

    @property
    def window(self) -> dt.timedelta:
        """How far ahead a deadline makes a case due (``window_hours``)."""
        return dt.timedelta(hours=self.conf.window_hours)

    @property
    def lease(self) -> dt.timedelta:
        """How long a run's claim holds before another run may take it over."""
        return dt.timedelta(seconds=self.conf.lease_seconds)

    def person(self, name: str) -> Person:
        """The person called ``name`` (someone not in ``people`` gets the default language)."""
        found = self.conf.people.get(name)
        if found is None:
            return Person(name, self.conf.default_lang)
        return Person(
            name,
            found.lang or self.conf.default_lang,
            found.email,
            found.wecom,
            found.dingtalk,
            found.feishu,
        )

    def case_url(self, case_id: str) -> str:
        """The link that opens a case on the staff page."""
        base = self.conf.public_url
        sep = "&" if "?" in base else "?"
        return f"{base}{sep}case={urllib.parse.quote(case_id)}"


def load(raw: Mapping[str, Any] | None = None) -> ReminderSettings:
    """The reminder settings (``raw``: the ``[reminders]`` table; default: read the file).

    Raises:
        ConfigError: a value is wrong (file and field named), a secret is in the file, or a
            configured channel's secret is missing.
    """
    where = str(config_path())
    raw = file_section("reminders") if raw is None else raw
    _refuse_secrets(raw, where, "reminders")
    try:
        conf = RemindersConf.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = "reminders." + ".".join(str(p) for p in first["loc"])
        raise ConfigError(
            "error.config_value", file=where, field=field, detail=first["msg"]
        ) from None
    if "email" in conf.channels and conf.email is None:
        raise ConfigError(
            "error.config_value", file=where, field="reminders.email", detail="missing"
        )
    if "webhook" in conf.channels and conf.webhook is None:
        raise ConfigError(
            "error.config_value", file=where, field="reminders.webhook", detail="missing"
        )
    secrets: dict[str, str | None] = {}
    for channel in conf.channels:
        for name in NEEDED[channel]:
            secrets[name] = secret(name)
            if not secrets[name]:
                raise ConfigError(
                    "error.secret_missing", channel=channel, env=_env(name), name=name
                )
        for name in OPTIONAL.get(channel, ()):
            secrets[name] = secret(name)
    leads = list(conf.leads)
    if conf.leads_from_hub:
        leads += [n for n in hub_group_members("lead") if n not in leads]
    return ReminderSettings(conf, secrets, tuple(leads))


def _env(name: str) -> str:
    return "PLAYBOOK_" + name.upper()


def _secret_name(channel: str, key: str) -> str:
    """The secret's name for a key found in ``[reminders.<channel>]`` (for the message)."""
    return {
        ("email", "password"): "smtp_password",
        ("dingtalk", "access_token"): "dingtalk_token",
    }.get((channel, key), f"{channel}_{key}")


def _refuse_secrets(raw: Mapping[str, Any], where: str, section: str) -> None:
    channel = section.rsplit(".", 1)[-1]
    for key, value in raw.items():
        if isinstance(value, Mapping):
            _refuse_secrets(value, where, f"{section}.{key}")
            continue
        found = key.lower() if key.lower() in SECRET_KEYS else None
        field = key
        if key == "url" and isinstance(value, str):
            params = urllib.parse.parse_qs(urllib.parse.urlsplit(value).query)
            found = next(iter(sorted(SECRET_PARAMS & set(params))), None)
            field = f"url (?{found}=)"
        if found is not None:
            name = _secret_name(channel, found)
            raise ConfigError(
                "error.secret_in_config",
                file=where,
                section=section,
                field=field,
                env=_env(name),
                name=name,
            )


def hub_group_members(group: str) -> list[str]:
    """The members of a JupyterHub group, when running as a hub service (else none).

    Uses ``JUPYTERHUB_API_URL`` and ``JUPYTERHUB_API_TOKEN``, which the hub gives its services;
    the service's role needs the ``read:groups`` scope (deploy/jupyterhub_config.py).

    Raises:
        ConfigError: the hub did not answer or refused.
    """
    api = os.environ.get("JUPYTERHUB_API_URL")
    token = os.environ.get("JUPYTERHUB_API_TOKEN")
    if not api or not token:
        return []
    url = f"{api.rstrip('/')}/groups/{urllib.parse.quote(group)}"
    request = urllib.request.Request(url, headers={"Authorization": f"token {token}"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            users = json.load(response).get("users", [])
    except (OSError, ValueError) as exc:
        raise ConfigError(
            "error.config_value", file=url, field="leads_from_hub", detail=str(exc)
        ) from None
    return sorted(str(u) for u in users)
