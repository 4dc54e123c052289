r"""One reminder message and how each channel sends it.

A ``Digest`` is what one person gets on one channel in one run: their cases due within the
window and overdue (or, for a lead, the unassigned ones), each with the link that opens it.
Texts come from data/i18n/operations.yaml in the person's language; nothing personal about
buyers is in them (case id, scenario, order id, deadline).

The robots' formats and signatures follow their documentation:

- WeCom (企业微信) group robot: POST ``<url>?key=KEY`` with ``{"msgtype": "markdown",
  "markdown": {"content": ...}}`` (at most 4096 bytes; ``<@userid>`` mentions), answer
  ``{"errcode": 0}``. https://developer.work.weixin.qq.com/document/path/91770
- DingTalk custom robot with 加签: ``sign = urlencode(base64(HmacSHA256(key=secret,
  msg=timestamp_ms + "\n" + secret)))`` appended as ``&timestamp=&sign=`` to
  ``<url>?access_token=TOKEN``; body ``{"msgtype": "markdown", "markdown": {"title", "text"},
  "at": {"atUserIds": [...]}}``, answer ``{"errcode": 0}``.
  https://open.dingtalk.com/document/robots/customize-robot-security-settings
- Feishu/Lark custom bot with signature verification: ``sign = base64(HmacSHA256(
  key=timestamp_s + "\n" + secret, msg=""))``, sent in the body beside ``"timestamp"`` with
  ``{"msg_type": "text", "content": {"text": ...}}`` (``<at user_id="ou_...">`` mentions),
  POST ``<url><hook id>``, answer ``{"code": 0}``.
  https://open.feishu.cn/document/client-docs/bot-v3/add-custom-bot
- a generic webhook: the digest as JSON, ``Idempotency-Key: <message id>`` and, with a secret,
  ``X-Playbook-Signature: sha256=<hex HMAC-SHA256 of the body>``.
- e-mail: SMTP with STARTTLS and login (``smtplib``), ``Message-ID: <message id@playbook>``.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import smtplib
import ssl
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate
from typing import Any

from playbook.errors import DeliveryError
from playbook.i18n import text
from playbook.reminders.settings import Person, ReminderSettings

MAX_ITEMS = 20  # cases listed in one message; the rest are counted, with the case list link
WECOM_MAX_BYTES = 4096


@dataclass(frozen=True)
class Item:
    """One case in a reminder."""

    case_id: str
    scenario: str  # the scenario's title in the person's language
    order_id: str | None
    deadline: dt.datetime
    overdue: bool
    unassigned: bool
    url: str


@dataclass(frozen=True)
class Digest:
    """What one person gets on one channel in one run."""

    message_id: str
    person: Person
    items: tuple[Item, ...]
    now: dt.datetime
    list_url: str

    @property
    def lang(self) -> str:
        """The person's language, the language of every text of the digest."""
        return self.person.lang

    def subject(self) -> str:
        """The subject line: how many cases, how many of them overdue."""
        overdue = sum(i.overdue for i in self.items)
        return text("remind.subject", self.lang, count=len(self.items), overdue=overdue)

    def lines(self, link: str = "plain") -> list[str]:
        """One line per case (``link``: plain URL, or markdown ``[open](url)``)."""
        out = []
        for item in self.items[:MAX_ITEMS]:
            key = "remind.line_overdue" if item.overdue else "remind.line_due"
            hours = max(0, round((item.deadline - self.now).total_seconds() / 3600))
            line = text(
                key,
                self.lang,
                case=item.case_id,
                scenario=item.scenario,
                order=item.order_id or "—",
                due=item.deadline.strftime("%Y-%m-%d %H:%M"),
                hours=hours,
            )
            if item.unassigned:
                line += " " + text("remind.unassigned", self.lang)
            opener = text("remind.open", self.lang)
            line += f" [{opener}]({item.url})" if link == "markdown" else f" {item.url}"
            out.append(line)
        rest = len(self.items) - MAX_ITEMS
        if rest > 0:
            out.append(text("remind.more", self.lang, count=rest, url=self.list_url))
        return out

    def plain(self) -> str:
        """The digest as plain text (e-mail): greeting, one line per case, footer."""
        greeting = text("remind.greeting", self.lang, name=self.person.name)
        return "\n".join([greeting, "", *self.lines(), "", text("remind.footer", self.lang)])

    def markdown(self) -> str:
        """The digest as markdown (the robots): subject, greeting, one bullet per case."""
        greeting = text("remind.greeting", self.lang, name=self.person.name)
        body = "\n".join(f"- {line}" for line in self.lines("markdown"))
        return f"**{self.subject()}**\n\n{greeting}\n\n{body}"

    def as_json(self) -> dict[str, Any]:
        """The digest as the generic webhook's JSON body."""
        return {
            "event": "playbook.reminder",
            "id": self.message_id,
            "recipient": {"name": self.person.name, "lang": self.lang},
            "subject": self.subject(),
            "text": self.plain(),
            "cases": [
                {
                    "case_id": i.case_id,
                    "scenario": i.scenario,
                    "order_id": i.order_id,
                    "deadline": i.deadline.isoformat(),
                    "overdue": i.overdue,
                    "unassigned": i.unassigned,
                    "url": i.url,
                }
                for i in self.items
            ],
        }


# --- the channels ---------------------------------------------------------------------------


def send(channel: str, digest: Digest, conf: ReminderSettings) -> None:
    """Send ``digest`` on ``channel``.

    Raises:
        DeliveryError: the channel refused it or did not answer (the text says why).
    """
    senders = {
        "email": _email,
        "wecom": _wecom,
        "dingtalk": _dingtalk,
        "feishu": _feishu,
        "webhook": _webhook,
    }
    senders[channel](digest, conf)


def deliverable(channel: str, person: Person) -> bool:
    """Whether ``channel`` can reach ``person``.

    E-mail needs an address; robots post to a group and mention the person when they have an
    id there.
    """
    return channel != "email" or bool(person.email)


def _email(digest: Digest, conf: ReminderSettings) -> None:
    mail = conf.conf.email
    msg = EmailMessage()
    msg["Subject"] = digest.subject()
    msg["From"] = mail.sender
    msg["To"] = digest.person.email
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = f"<{digest.message_id}@playbook>"
    msg.set_content(digest.plain())
    try:
        with smtplib.SMTP(mail.host, mail.port, timeout=mail.timeout) as smtp:
            if mail.starttls:
                smtp.starttls(context=ssl.create_default_context(cafile=mail.ca_file))
            if mail.username:
                smtp.login(mail.username, conf.secrets.get("smtp_password") or "")
            smtp.send_message(msg)
    except (smtplib.SMTPException, OSError) as exc:
        raise DeliveryError("error.delivery", channel="email", detail=_short(exc)) from None


def _wecom(digest: Digest, conf: ReminderSettings) -> None:
    content = digest.markdown()
    if digest.person.wecom:
        content += f"\n<@{digest.person.wecom}>"
    data = content.encode()
    if len(data) > WECOM_MAX_BYTES:
        content = data[: WECOM_MAX_BYTES - 4].decode(errors="ignore") + "\n…"
    url = _with_query(conf.conf.wecom.url, key=conf.secrets["wecom_key"])
    body = {"msgtype": "markdown", "markdown": {"content": content}}
    answer = _post("wecom", url, body, conf.conf.wecom.timeout)
    _expect("wecom", answer, "errcode")


def dingtalk_sign(timestamp_ms: int, secret: str) -> str:
    r"""DingTalk's 加签: HmacSHA256 keyed by the secret, Base64, then URL-encoded.

    The message signed is ``timestamp + "\n" + secret``.
    """
    digest = hmac.new(
        secret.encode(), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256
    ).digest()
    return urllib.parse.quote_plus(base64.b64encode(digest))


def _dingtalk(digest: Digest, conf: ReminderSettings) -> None:
    timestamp = int(time.time() * 1000)
    sign = dingtalk_sign(timestamp, conf.secrets["dingtalk_secret"])
    url = _with_query(conf.conf.dingtalk.url, access_token=conf.secrets["dingtalk_token"])
    url += f"&timestamp={timestamp}&sign={sign}"  # sign is URL-encoded already
    body_text = digest.markdown()
    at: dict[str, Any] = {"isAtAll": False}
    if digest.person.dingtalk:
        body_text += f"\n\n@{digest.person.dingtalk}"
        at["atUserIds"] = [digest.person.dingtalk]
    body = {
        "msgtype": "markdown",
        "markdown": {"title": digest.subject(), "text": body_text},
        "at": at,
    }
    answer = _post("dingtalk", url, body, conf.conf.dingtalk.timeout)
    _expect("dingtalk", answer, "errcode")


def feishu_sign(timestamp_s: int, secret: str) -> str:
    r"""Feishu/Lark's signature: HmacSHA256 over an empty message, Base64.

    The key is ``timestamp + "\n" + secret``.
    """
    key = f"{timestamp_s}\n{secret}".encode()
    return base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()


def _feishu(digest: Digest, conf: ReminderSettings) -> None:
    timestamp = int(time.time())
    message = digest.plain()
    if digest.person.feishu:
        message = f'<at user_id="{digest.person.feishu}">{digest.person.name}</at> ' + message
    body = {
        "timestamp": str(timestamp),
        "sign": feishu_sign(timestamp, conf.secrets["feishu_secret"]),
        "msg_type": "text",
        "content": {"text": message},
    }
    url = conf.conf.feishu.url + urllib.parse.quote(conf.secrets["feishu_hook"])
    answer = _post("feishu", url, body, conf.conf.feishu.timeout)
    _expect("feishu", answer, "code")


def _webhook(digest: Digest, conf: ReminderSettings) -> None:
    hook = conf.conf.webhook
    data = json.dumps(digest.as_json(), ensure_ascii=False).encode()
    headers = {"Idempotency-Key": digest.message_id}
    secret_value = conf.secrets.get("webhook_secret")
    if secret_value:
        mac = hmac.new(secret_value.encode(), data, hashlib.sha256).hexdigest()
        headers["X-Playbook-Signature"] = f"sha256={mac}"
    _post("webhook", hook.url, data, hook.timeout, headers)


# --- HTTP -------------------------------------------------------------------------------------


def _with_query(url: str, **params: str) -> str:
    sep = "&" if "?" in url else "?"
    return url + sep + urllib.parse.urlencode(params)


def _post(
    channel: str,
    url: str,
    body: dict[str, Any] | bytes,
    timeout: float,
    headers: dict[str, str] | None = None,
) -> Any:
    """POST JSON; the decoded answer (None when it is not JSON).

    Raises:
        DeliveryError: no answer, or an HTTP status other than 2xx.
    """
    data = body if isinstance(body, bytes) else json.dumps(body, ensure_ascii=False).encode()
    request = urllib.request.Request(
        url,
        data=data,
        method="POST",
        headers={"Content-Type": "application/json; charset=utf-8", **(headers or {})},
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            raw = response.read()
    except urllib.error.HTTPError as exc:
        raise DeliveryError(
            "error.delivery", channel=channel, detail=f"HTTP {exc.code} {exc.reason}"
        ) from None
    except OSError as exc:  # URLError, timeouts, refused connections
        raise DeliveryError("error.delivery", channel=channel, detail=_short(exc)) from None
    try:
        return json.loads(raw or b"null")
    except ValueError:
        return None


def _expect(channel: str, answer: Any, field: str) -> None:
    """The robots answer HTTP 200 with an error code in the body; 0 is success."""
    code = answer.get(field, answer.get("StatusCode")) if isinstance(answer, dict) else None
    if code != 0:
        message = answer.get("errmsg") or answer.get("msg") if isinstance(answer, dict) else ""
        raise DeliveryError(
            "error.delivery", channel=channel, detail=f"{field}={code} {message or answer!r}"
        )


def _short(exc: BaseException) -> str:
    return (str(exc) or type(exc).__name__).splitlines()[0][:300]
