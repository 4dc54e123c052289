"""Settings: defaults, then ``config/playbook.toml`` (or $PLAYBOOK_CONFIG), then environment.

Environment variables win: PLAYBOOK_DATA_DIR, PLAYBOOK_DB_URL, PLAYBOOK_VAR_DIR,
PLAYBOOK_HIDDEN_PLATFORMS (comma-separated).
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Settings:
    """Resolved settings for one process."""

    data_dir: Path
    var_dir: Path
    db_url: str
    # Platforms whose data is there but that staff are not offered yet (``Library.platforms``).
    hidden_platforms: tuple[str, ...] = ()


def _file_settings() -> dict:
    path = Path(os.environ.get("PLAYBOOK_CONFIG", REPO_ROOT / "config" / "playbook.toml"))
    if not path.is_file():
        return {}
    with path.open("rb") as fh:
        return tomllib.load(fh).get("playbook", {})


def settings() -> Settings:
    """Read settings now (cheap; no caching so tests can change the environment)."""
    conf = _file_settings()
    data_dir = Path(os.environ.get("PLAYBOOK_DATA_DIR") or conf.get("data_dir") or "data")
    var_dir = Path(os.environ.get("PLAYBOOK_VAR_DIR") or conf.get("var_dir") or "var")
    if not data_dir.is_absolute():
        data_dir = REPO_ROOT / data_dir
    if not var_dir.is_absolute():
        var_dir = REPO_ROOT / var_dir
    db_url = os.environ.get("PLAYBOOK_DB_URL") or conf.get("db_url") or ""
    if not db_url:
        db_url = f"sqlite:///{var_dir / 'cases.sqlite3'}"
    hidden = os.environ.get("PLAYBOOK_HIDDEN_PLATFORMS")
    listed = hidden.split(",") if hidden is not None else conf.get("hidden_platforms", [])
    return Settings(
        data_dir=data_dir,
        var_dir=var_dir,
        db_url=db_url,
        hidden_platforms=tuple(p.strip() for p in listed if p.strip()),
    )


def data_dir() -> Path:
    """The folder holding scenarios, policies, templates and catalogues."""
    return settings().data_dir
