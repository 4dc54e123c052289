"""The hub's sign-in in plain words: NativeAuthenticator with its refusals said clearly.

NativeAuthenticator refuses a locked account (too many wrong passwords) with the same
"Invalid username or password." as a wrong password, so a person who then types the right one
is told it is wrong again and again. ``PlaybookAuthenticator`` keeps NativeAuthenticator's
rules and pages and only replaces the sign-in page's refusal: a locked account is told it is
locked and for how many more minutes; a wrong password and an account still waiting for an
admin's approval are said in plain words. Every text is in data/i18n/hub.yaml (中文 and
English, shown together: the sign-in page does not know the person's language yet).

Used by deploy/jupyterhub_config.py only (the hub process); user servers never import it.
"""

from __future__ import annotations

import functools
import math
from datetime import datetime

from nativeauthenticator import NativeAuthenticator
from nativeauthenticator.handlers import LoginHandler

from playbook.i18n import text


@functools.cache
def _catalogue_loaded() -> bool:
    from playbook.load import load_library  # the hub reads the message catalogue once

    load_library()
    return True


def both(key: str, **params: object) -> str:
    """A catalogue text in 中文 and English, the way the sign-in page shows it."""
    _catalogue_loaded()
    return f"{text(key, 'zh', **params)} / {text(key, 'en', **params)}"


def minutes_left(auth: NativeAuthenticator, username: str, now: datetime | None = None) -> int:
    """Whole minutes (at least 1) until a locked account may try again."""
    attempts = auth.login_attempts.get(username) or {}
    since = ((now or datetime.now()) - attempts.get("time", datetime.now())).total_seconds()
    return max(1, math.ceil((auth.seconds_before_next_try - since) / 60))


class PlainLoginHandler(LoginHandler):
    """/hub/login: NativeAuthenticator's page, with its refusal said in plain words."""

    async def _render(self, login_error: str | None = None, username: str | None = None):
        """The page, its refusal replaced by what happened to this account."""
        if login_error and username:
            login_error = self._plain_refusal(username, login_error)
        return await super()._render(login_error=login_error, username=username)

    def _plain_refusal(self, username: str, said: str) -> str:
        auth = self.authenticator
        name = auth.normalize_username(username)
        if auth.allowed_failed_logins and auth.is_blocked(name):
            self.log.warning("sign-in refused: %s is locked", name)
            return both(
                "hub.account_locked",
                tries=auth.allowed_failed_logins,
                minutes=minutes_left(auth, name),
            )
        if "has not been authorized" in said:
            return both("hub.not_approved")
        return both("hub.sign_in_failed")


class PlaybookAuthenticator(NativeAuthenticator):
    """NativeAuthenticator whose sign-in page says why a sign-in was refused."""

    def get_handlers(self, app: object) -> list:
        """NativeAuthenticator's pages, with the plain-words sign-in page."""
        return [
            (path, PlainLoginHandler if handler is LoginHandler else handler)
            for path, handler in super().get_handlers(app)
        ]
