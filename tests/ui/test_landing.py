"""The served pages: which a visitor may open, where they land, how many are preheated."""

from __future__ import annotations

from pathlib import Path

import pytest

from playbook.cases.roles import Identity
from playbook.config import REPO_ROOT
from playbook.ui.landing import landing_hook, landing_pages, pool_sizes

PAGES = REPO_ROOT / "notebooks" / "pages"
TRAINING = REPO_ROOT / "notebooks" / "training"


@pytest.mark.parametrize(
    ("folder", "roles", "offered"),
    [
        (PAGES, None, ["staff.ipynb", "lessons.ipynb"]),  # one machine: no sign-in
        (PAGES, "staff", ["staff.ipynb"]),
        (PAGES, "lead", ["staff.ipynb", "lessons.ipynb"]),
        (PAGES, "trainer", []),
        (TRAINING, "trainer", ["training.ipynb"]),
        (TRAINING, "staff", ["training.ipynb"]),
        (TRAINING, "analyst", []),
    ],
)
def test_the_pages_offered_follow_the_folder_and_the_roles(
    folder: Path, roles: str | None, offered: list[str]
) -> None:
    identity = None if roles is None else Identity.of("amy", roles)
    assert landing_pages(folder, identity) == offered


def test_the_hook_reads_the_served_folder_and_the_signed_in_person(monkeypatch) -> None:
    class Manager:
        root_dir = str(PAGES)

    monkeypatch.setenv("JUPYTERHUB_USER", "amy")
    monkeypatch.setenv("PLAYBOOK_ROLES", "staff")
    config = landing_hook({"baseUrl": "/"}, settings={"contents_manager": Manager()})
    assert config == {"baseUrl": "/", "playbookPages": ["staff.ipynb"]}


def test_pool_sizes() -> None:
    assert pool_sizes("staff=2, lessons=1") == {
        "default": {"pool_size": 0},
        "staff.ipynb": {"pool_size": 2},
        "lessons.ipynb": {"pool_size": 1},
    }
    assert pool_sizes("") == {"default": {"pool_size": 0}}
    for bad in ("staff", "staff=-1", "analyst=1", "staff=two"):
        with pytest.raises(ValueError, match="PLAYBOOK_POOL"):
            pool_sizes(bad)
