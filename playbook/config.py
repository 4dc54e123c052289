"""Settings: defaults, then ``config/playbook.toml`` (or $PLAYBOOK_CONFIG), then environment.

Environment variables win: PLAYBOOK_DATA_DIR, PLAYBOOK_DB_URL, PLAYBOOK_VAR_DIR,
PLAYBOOK_RETENTION_DAYS, PLAYBOOK_HIDDEN_PLATFORMS (comma-separated). Other sections of the
file (``[reminders]``) are read by the part that uses them (``file_section``). Secrets are never
read from the file: ``secret`` takes them from the environment or from a secrets file outside
the repository.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

from playbook.errors import ConfigError

REPO_ROOT = Path(__file__).resolve().parent.parent
SECRETS_FILE_ENV = "PLAYBOOK_SECRETS_FILE"
DEFAULT_RETENTION_DAYS = 365


@dataclass(frozen=True)
class Settings:
    """Resolved settings for one process."""

    data_dir: Path
    var_dir: Path
    db_url: str
    retention_days: int = DEFAULT_RETENTION_DAYS  # [privacy]: kept after a case closes
    # Platforms whose data is there but that staff are not offered yet (``Library.platforms``).
    hidden_platforms: tuple[str, ...] = ()


def config_path() -> Path:
    """The settings file (it need not exist)."""
    return Path(os.environ.get("PLAYBOOK_CONFIG", REPO_ROOT / "config" / "playbook.toml"))


def _read_file() -> dict:
    path = config_path()
    if not path.is_file():
        return {}
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError("error.config_syntax", file=str(path), detail=str(exc)) from None


def file_section(name: str) -> dict:
    """The ``[name]`` table of the settings file (empty when there is none)."""
    found = _read_file().get(name, {})
    if not isinstance(found, dict):
        raise ConfigError("error.config_value", file=str(config_path()), field=name, detail="")
    return found


def settings() -> Settings:
    """Read settings now (cheap; no caching so tests can change the environment)."""
    conf = file_section("playbook")
    data_dir = Path(os.environ.get("PLAYBOOK_DATA_DIR") or conf.get("data_dir") or "data")
    var_dir = Path(os.environ.get("PLAYBOOK_VAR_DIR") or conf.get("var_dir") or "var")
    if not data_dir.is_absolute():
        data_dir = REPO_ROOT / data_dir
    if not var_dir.is_absolute():
        var_dir = REPO_ROOT / var_dir
    db_url = os.environ.get("PLAYBOOK_DB_URL") or conf.get("db_url") or ""
    if not db_url:
        db_url = f"sqlite:///{var_dir / 'cases.sqlite3'}"
    raw_days = os.environ.get("PLAYBOOK_RETENTION_DAYS") or file_section("privacy").get(
        "retention_days", DEFAULT_RETENTION_DAYS
    )
    try:
        retention_days = int(raw_days)
        if retention_days < 1:
            raise ValueError
    except (TypeError, ValueError):
        raise ConfigError(
            "error.config_value",
            file=str(config_path()),
            field="privacy.retention_days",
            detail=f"{raw_days!r} is not a whole number of days of at least 1",
        ) from None
    hidden = os.environ.get("PLAYBOOK_HIDDEN_PLATFORMS")
    listed = hidden.split(",") if hidden is not None else conf.get("hidden_platforms", [])
    return Settings(
        data_dir=data_dir,
        var_dir=var_dir,
        db_url=db_url,
        retention_days=retention_days,
        hidden_platforms=tuple(p.strip() for p in listed if p.strip()),
    )


def data_dir() -> Path:
    """The folder holding scenarios, policies, templates and catalogues."""
    return settings().data_dir


def secret(name: str) -> str | None:
    """A secret (SMTP password, robot key or signing secret) by name, or None if not set.

    ``PLAYBOOK_<NAME>`` in the environment wins; otherwise the key ``name`` of the TOML file
    that ``PLAYBOOK_SECRETS_FILE`` names. That file must lie outside the repository (where
    ``config/`` and ``data/`` are committed) and be readable by its owner only.

    Raises:
        ConfigError: the secrets file is inside the repository, is readable by others, or
            cannot be read.
    """
    value = os.environ.get("PLAYBOOK_" + name.upper())
    if value:
        return value
    where = os.environ.get(SECRETS_FILE_ENV)
    if not where:
        return None
    path = Path(where).expanduser().resolve()
    if path.is_relative_to(REPO_ROOT):
        raise ConfigError("error.secret_in_repo", file=str(path), env=SECRETS_FILE_ENV)
    try:
        if path.stat().st_mode & 0o077:
            raise ConfigError("error.secret_file_open", file=str(path))
        with path.open("rb") as fh:
            found = tomllib.load(fh).get(name)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError("error.config_syntax", file=str(path), detail=str(exc)) from None
    return None if found is None else str(found)
