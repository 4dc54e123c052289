"""Errors the playbook raises. Each carries a code; its text comes from the message catalogue.

Staff see ``err.render(lang)`` in their language; logs and tracebacks see ``str(err)`` (English).
"""

from __future__ import annotations

from typing import Any

from playbook.i18n import text


class PlaybookError(Exception):
    """Base of every error the core raises on purpose.

    Args:
        code: key in ``data/i18n/messages.yaml`` (``error.*``).
        **params: values substituted into the message.
    """

    default_code = "error.generic"

    def __init__(self, code: str | None = None, /, **params: Any) -> None:
        self.code = code or self.default_code
        self.params = params
        super().__init__(self.render("en"))

    def render(self, lang: str = "en", **overrides: Any) -> str:
        """The message in ``lang`` ('en' or 'zh'), filled with this error's params.

        ``overrides`` replace params for display, e.g. a field's label instead of its id.
        """
        return text(self.code, lang, **{**self.params, **overrides})


class ScenarioError(PlaybookError):
    """A scenario, policy, template or catalogue file under data/ is invalid (load time)."""

    default_code = "error.data_invalid"


class StepNotAllowed(PlaybookError):
    """An answer or move that the walk cannot take in its current state (run time)."""

    default_code = "error.step_not_allowed"


class FactError(PlaybookError):
    """A case fact entered by staff is missing or malformed."""

    default_code = "error.fact_invalid"


class TemplateError(PlaybookError):
    """A message template cannot be rendered."""

    default_code = "error.template"


class OrderFileError(PlaybookError):
    """An order file cannot be read at all (wrong format, truncated, binary)."""

    default_code = "error.order_file"


class InputError(PlaybookError):
    """A value a person typed or chose is missing or wrong (nothing was written)."""

    default_code = "error.input"


class Forbidden(PlaybookError):
    """The signed-in person's roles do not allow this (nothing was changed)."""

    default_code = "error.forbidden.open"


class StoreError(PlaybookError):
    """The case store cannot be opened, read or written, or holds no such record."""

    default_code = "error.store"


class ConflictError(StoreError):
    """Someone else saved the case since it was loaded; reload before saving again."""

    default_code = "error.conflict"


class EvidenceError(PlaybookError):
    """An evidence file is refused (type, size, pixels, damaged) or a packet cannot be built."""

    default_code = "error.file"


class ConfigError(PlaybookError):
    """A setting in config/playbook.toml (or a secret) is missing, malformed or misplaced."""

    default_code = "error.config_value"


class DeliveryError(PlaybookError):
    """A reminder could not be delivered on a channel (the channel said no, or no answer)."""

    default_code = "error.delivery"


class BackupError(PlaybookError):
    """A backup cannot be made, read, verified or restored."""

    default_code = "error.backup"
