"""Real servers on loopback standing in for the reminder channels.

An SMTP server (aiosmtpd, STARTTLS with a self-signed certificate, login required) and an HTTP
receiver per robot that records each request and checks its signature as the robot's
documentation says (recomputed here, independently of playbook/reminders/channels.py).
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import socket
import ssl
import threading
import urllib.parse
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

SMTP_USER, SMTP_PASSWORD = "playbook@example.test", "s3cret-smtp-pass"
WECOM_KEY = "693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa"
DING_TOKEN, DING_SECRET = "ding-access-token", "SECdingsecret0123456789"
FEISHU_HOOK, FEISHU_SECRET = "hook-5f6e7d", "feishu-signing-secret"
WEBHOOK_SECRET = "webhook-signing-secret"
SECRETS_ENV = {
    "PLAYBOOK_SMTP_PASSWORD": SMTP_PASSWORD,
    "PLAYBOOK_WECOM_KEY": WECOM_KEY,
    "PLAYBOOK_DINGTALK_TOKEN": DING_TOKEN,
    "PLAYBOOK_DINGTALK_SECRET": DING_SECRET,
    "PLAYBOOK_FEISHU_HOOK": FEISHU_HOOK,
    "PLAYBOOK_FEISHU_SECRET": FEISHU_SECRET,
    "PLAYBOOK_WEBHOOK_SECRET": WEBHOOK_SECRET,
}


def self_signed(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 and its key (PEM files)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    import ipaddress

    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=2))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "smtp-cert.pem", folder / "smtp-key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


class _Mailbox:
    def __init__(self) -> None:
        self.messages: list[tuple[str, EmailMessage, bool]] = []  # (login, message, over TLS)
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 - aiosmtpd API
        with self.lock:
            login = session.authenticated and session.auth_data.login.decode()
            msg = message_from_bytes(envelope.original_content, policy=policy.default)
            self.messages.append((login, msg, session.ssl is not None))
        return "250 OK"


def _authenticate(server, session, envelope, mechanism, auth_data) -> AuthResult:
    ok = isinstance(auth_data, LoginPassword) and (
        auth_data.login.decode(),
        auth_data.password.decode(),
    ) == (SMTP_USER, SMTP_PASSWORD)
    return AuthResult(success=ok, auth_data=auth_data if ok else None)


class SmtpServer:
    """aiosmtpd on a free loopback port: STARTTLS required, then login."""

    def __init__(self, folder: Path) -> None:
        self.cert, key = self_signed(folder)
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(self.cert, key)
        self.box = _Mailbox()
        with socket.socket() as probe:  # a free loopback port (aiosmtpd checks it by connecting)
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.controller = Controller(
            self.box,
            hostname="127.0.0.1",
            port=self.port,
            tls_context=context,
            require_starttls=True,
            auth_required=True,
            authenticator=_authenticate,
        )

    def __enter__(self) -> SmtpServer:
        self.controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.controller.stop()

    @property
    def messages(self) -> list[tuple[str, EmailMessage, bool]]:
        with self.box.lock:
            return list(self.box.messages)


@dataclass
class Request:
    """One request a receiver accepted (answered 2xx, or held: the body was read)."""

    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: Any


@dataclass
class Receiver:
    """An HTTP server on a free loopback port standing in for one robot endpoint.

    ``fail_first``: refuse that many requests (as the robot does: HTTP 200 with an error code);
    ``hold``: keep the first accepted request's answer back until ``release`` is set.
    """

    kind: str
    fail_first: int = 0
    always_fail: bool = False
    delay: float = 0.0
    hold: bool = False
    accepted: list[Request] = field(default_factory=list)
    refused: list[Request] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.lock = threading.Lock()
        self.held = threading.Event()
        self.release = threading.Event()
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server API
                owner._handle(self)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()

    def _handle(self, handler: BaseHTTPRequestHandler) -> None:
        parts = urllib.parse.urlsplit(handler.path)
        raw = handler.rfile.read(int(handler.headers.get("Content-Length", 0)))
        request = Request(
            parts.path,
            urllib.parse.parse_qs(parts.query),
            {k.lower(): v for k, v in handler.headers.items()},
            json.loads(raw),
        )
        problem = self.check(request, raw)
        if self.delay:
            threading.Event().wait(self.delay)
        with self.lock:
            refuse = self.always_fail or len(self.refused) < self.fail_first
            if problem:
                self.problems.append(problem)
                refuse = True
            (self.refused if refuse else self.accepted).append(request)
            first_held = self.hold and not refuse and len(self.accepted) == 1
        if first_held:
            self.held.set()
            self.release.wait(60)
        code, answer = self.answer(refuse, problem)
        data = json.dumps(answer).encode()
        try:
            handler.send_response(code)
            handler.send_header("Content-Type", "application/json")
            handler.send_header("Content-Length", str(len(data)))
            handler.end_headers()
            handler.wfile.write(data)
        except OSError:
            pass  # the client is gone (killed while we held the answer)

    def answer(self, refuse: bool, problem: str | None) -> tuple[int, dict]:
        if self.kind in ("wecom", "dingtalk"):
            return 200, {"errcode": 310000 if refuse else 0, "errmsg": problem or "ok"}
        if self.kind == "feishu":
            return 200, {"code": 19021 if refuse else 0, "msg": problem or "success"}
        return (503 if refuse else 200), {}

    def check(self, r: Request, raw: bytes) -> str | None:
        """What the service's documentation requires of the request, checked here."""
        b = r.body
        if self.kind == "wecom":
            if r.path != "/cgi-bin/webhook/send" or r.query != {"key": [WECOM_KEY]}:
                return f"wrong address {r.path} {r.query}"
            if set(b) != {"msgtype", "markdown"} or b["msgtype"] != "markdown":
                return f"wrong body keys {sorted(b)}"
            if set(b["markdown"]) != {"content"} or len(b["markdown"]["content"].encode()) > 4096:
                return "markdown.content missing or over 4096 bytes"
        elif self.kind == "dingtalk":
            if r.path != "/robot/send" or r.query.get("access_token") != [DING_TOKEN]:
                return f"wrong address {r.path} {r.query}"
            timestamp = r.query["timestamp"][0]
            mac = hmac.new(DING_SECRET.encode(), f"{timestamp}\n{DING_SECRET}".encode(), "sha256")
            if r.query["sign"] != [base64.b64encode(mac.digest()).decode()]:
                return "bad sign"
            if set(b) != {"msgtype", "markdown", "at"} or set(b["markdown"]) != {"title", "text"}:
                return f"wrong body {sorted(b)}"
        elif self.kind == "feishu":
            if r.path != f"/open-apis/bot/v2/hook/{FEISHU_HOOK}":
                return f"wrong address {r.path}"
            if set(b) != {"timestamp", "sign", "msg_type", "content"} or b["msg_type"] != "text":
                return f"wrong body {sorted(b)}"
            key = f"{b['timestamp']}\n{FEISHU_SECRET}".encode()
            expected = base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()
            if b["sign"] != expected:
                return "bad sign"
        else:
            mac = hmac.new(WEBHOOK_SECRET.encode(), raw, hashlib.sha256).hexdigest()
            if r.headers.get("x-playbook-signature") != f"sha256={mac}":
                return "bad signature"
            if not r.headers.get("idempotency-key"):
                return "no Idempotency-Key"
        return None

    def requests(self) -> list[Request]:
        with self.lock:
            return list(self.accepted)


def receivers(**options: dict) -> dict[str, Receiver]:
    """One receiver per robot channel and the webhook (``options`` per kind)."""
    return {
        k: Receiver(k, **options.get(k, {})) for k in ("wecom", "dingtalk", "feishu", "webhook")
    }


def config_toml(
    smtp: SmtpServer,
    hooks: dict[str, Receiver],
    *,
    extra: str = "",
    retry: str = "[0.2, 0.2]",
    people: str | None = None,
) -> str:
    """A [reminders] section pointing every channel at the loopback servers."""
    return f"""
[reminders]
window_hours = 24
channels = ["email", "wecom", "dingtalk", "feishu", "webhook"]
public_url = "https://playbook.example.test/voila/render/staff.ipynb"
leads = ["lin"]
leads_from_hub = false
retry_seconds = {retry}
{extra}

[reminders.email]
host = "127.0.0.1"
port = {smtp.port}
username = "{SMTP_USER}"
from = "Dispute Playbook <{SMTP_USER}>"
ca_file = "{smtp.cert}"

[reminders.wecom]
url = "{hooks["wecom"].url}/cgi-bin/webhook/send"
interval = 0

[reminders.dingtalk]
url = "{hooks["dingtalk"].url}/robot/send"
interval = 0

[reminders.feishu]
url = "{hooks["feishu"].url}/open-apis/bot/v2/hook/"
interval = 0

[reminders.webhook]
url = "{hooks["webhook"].url}/playbook"
""" + (
        people
        if people is not None
        else """
[reminders.people.amy]
lang = "zh"
email = "amy@example.test"
wecom = "amy.wx"
dingtalk = "amy-ding"
feishu = "ou_amy"

[reminders.people.bob]
lang = "en"
email = "bob@example.test"

[reminders.people.lin]
lang = "zh"
email = "lin@example.test"
"""
    )
