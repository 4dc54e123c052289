"""The checked library is kept on disk for new kernels, and never outlives a change."""

from __future__ import annotations

import gc
import os
import subprocess
import sys
from pathlib import Path

from playbook.config import REPO_ROOT
from playbook.library import cache
from playbook.load import load_library

PROBE = (
    "import json\n"
    "from playbook import load as loader\n"
    "lib = loader.load_library()\n"
    "print(json.dumps({'title': lib.scenario('item-mismatch').title.en, "
    "'checked': loader.check.__name__ in dir(loader)}))\n"
)


def load_in_new_process(data: Path, var: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PLAYBOOK_DATA_DIR": str(data), "PLAYBOOK_VAR_DIR": str(var)}
    return subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, cwd=REPO_ROOT, env=env
    )


def cache_files(var: Path) -> list[Path]:
    return sorted((var / "cache").glob("library-*.pickle"))


def test_a_new_process_reads_the_cached_library(data_copy: Path, tmp_path: Path) -> None:
    var = tmp_path / "var"
    first = load_in_new_process(data_copy, var)
    assert first.returncode == 0, first.stderr
    (cached,) = cache_files(var)
    written = cached.stat().st_mtime_ns
    second = load_in_new_process(data_copy, var)
    assert second.stdout == first.stdout
    assert cache_files(var) == [cached]
    assert cached.stat().st_mtime_ns == written  # read, not written again


def test_a_changed_data_file_is_never_served_from_the_cache(data_copy: Path, tmp_path: Path):
    var = tmp_path / "var"
    assert load_in_new_process(data_copy, var).returncode == 0
    (old,) = cache_files(var)
    path = data_copy / "scenarios" / "item-mismatch.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace("  en: Item doesn't match", "  en: CHANGED Item doesn't match", 1)
    )
    changed = load_in_new_process(data_copy, var)
    assert '"title": "CHANGED Item' in changed.stdout, changed.stderr
    (new,) = cache_files(var)
    assert new != old  # the old state's file is gone


def test_a_damaged_cache_file_is_ignored_and_rewritten(data_copy: Path, tmp_path: Path):
    var = tmp_path / "var"
    assert load_in_new_process(data_copy, var).returncode == 0
    (cached,) = cache_files(var)
    cached.write_bytes(b"not a pickle")
    again = load_in_new_process(data_copy, var)
    assert again.returncode == 0, again.stderr
    assert cached.read_bytes() != b"not a pickle"


def test_a_broken_data_folder_is_never_cached(data_copy: Path, tmp_path: Path) -> None:
    var = tmp_path / "var"
    (data_copy / "facts.yaml").write_text("- id: [broken\n", encoding="utf-8")
    out = load_in_new_process(data_copy, var)
    assert out.returncode == 1
    assert "ScenarioError" in out.stderr
    assert cache_files(var) == []


def test_reading_the_cache_leaves_garbage_collection_as_it_was(tmp_path: Path) -> None:
    """The cache is read with the collector paused; it runs again after, also on a bad file."""
    lib = load_library()
    good, bad = tmp_path / "library-a.pickle", tmp_path / "damaged.pickle"
    cache.write(good, lib)
    bad.write_bytes(b"not a pickle")
    try:
        for collecting in (True, False):
            (gc.enable if collecting else gc.disable)()
            assert cache.read(good) is not None
            assert gc.isenabled() is collecting
            assert cache.read(bad) is None
            assert gc.isenabled() is collecting
    finally:
        gc.enable()
