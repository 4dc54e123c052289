"""The one error boundary of the widget layer: ``@show_errors`` on every callback."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any

from playbook.errors import PlaybookError
from playbook.i18n import text
from playbook.ui.html import esc

log = logging.getLogger("playbook.ui")


def show_errors(method: Callable[..., Any]) -> Callable[..., Any]:
    """Run a panel callback; show a ``PlaybookError`` in the panel's language, log the rest.

    The panel needs ``lang`` and a ``message`` HTML widget. Voilà hides tracebacks, so the
    text shown here is all a visitor ever sees.
    """

    @functools.wraps(method)
    def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
        self.message.value = ""
        try:
            return method(self, *args, **kwargs)
        except PlaybookError as err:
            log.info("%s: %s", method.__name__, err)
            self.message.value = error_html(err.render(self.lang))
        except Exception:
            log.exception("unexpected error in %s", method.__name__)
            self.message.value = error_html(text("error.unexpected", self.lang))
        return None

    return wrapper


def error_html(message: str) -> str:
    """An escaped error box."""
    lines = "<br>".join(esc(line) for line in message.splitlines())
    return f'<div class="pb-error" role="alert">{lines}</div>'
