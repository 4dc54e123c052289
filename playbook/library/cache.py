"""A validated ``Library`` kept on disk, so each new kernel loads it in milliseconds.

Every page view starts a kernel; with the cache it reads the checked library instead of parsing
and checking every data file again.

The file is named by a digest of what the library is made of: every file under data/ and every
Python file of the package (name, size, modification time). Change either and the digest, so
the file, changes; an old or damaged file is never read as current. Only a library that passed
every check is written. The cache lives in the app's own var/ folder, which only the server
writes (it is a pickle: never point it at a folder others can write).
"""

from __future__ import annotations

import gc
import hashlib
import os
import pickle
import tempfile
from pathlib import Path

from playbook.library.library import Library

PACKAGE = Path(__file__).resolve().parent.parent
FORMAT = 1  # bump when the cached object's layout changes without a .py change


def digest(data_dir: Path) -> str:
    """What the cached library depends on: data files and package sources, by stat."""
    h = hashlib.sha256(f"{FORMAT}:{data_dir}".encode())
    for root in (data_dir, PACKAGE):
        for path in sorted(root.rglob("*")):
            if path.is_file() and (root is data_dir or path.suffix == ".py"):
                st = path.stat()
                h.update(f"{path}:{st.st_size}:{st.st_mtime_ns}\n".encode())
    return h.hexdigest()[:24]


def cache_path(cache_dir: Path, data_dir: Path) -> Path:
    """The cache file for ``data_dir`` as it is now."""
    return cache_dir / f"library-{digest(data_dir)}.pickle"


def read(path: Path) -> Library | None:
    """The cached library at ``path``, or None (missing, unreadable, or not a Library)."""
    # Unpickling makes tens of thousands of objects and no garbage: the full collection it
    # triggers walks every object of the process (a new kernel's load: 55-63 -> 23-25 ms).
    collecting = gc.isenabled()
    gc.disable()
    try:
        with path.open("rb") as fh:
            lib = pickle.load(fh)  # noqa: S301 - our own file in the app's var/ folder
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError):
        return None
    finally:
        if collecting:
            gc.enable()
    return lib if isinstance(lib, Library) else None


def write(path: Path, lib: Library) -> None:
    """Write ``lib`` to ``path`` whole or not at all (temporary file, then rename).

    The cache files of earlier states of the data are removed (one file per data folder is
    kept).
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".library-", suffix=".tmp")
    except OSError:
        return  # a read-only var/ folder only costs speed
    try:
        with os.fdopen(fd, "wb") as fh:
            pickle.dump(lib, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
    except (OSError, pickle.PicklingError):
        return
    finally:
        Path(tmp).unlink(missing_ok=True)
    for old in path.parent.glob("library-*.pickle"):
        if old != path:
            old.unlink(missing_ok=True)
