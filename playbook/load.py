"""The library as an entry point gets it: read, checked, kept on disk, its messages in use.

The CLI, the page builders, the notebooks and the tests call ``load_library`` (or ``check``);
nothing below them does: code in the subsystems is given the ``Library`` it works with. The
data layer (``playbook.library``) reads and schema-checks the files; the rules about what the
data means belong to the subsystem that uses it, each in its own ``checks`` module, listed
here in ``CHECKS``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path

from playbook.cases.checks import check_evidence_limits
from playbook.config import settings
from playbook.errors import ScenarioError
from playbook.i18n import use as use_messages
from playbook.lessons.checks import check_lessons
from playbook.library import cache, order_formats
from playbook.library.library import Library, Problem
from playbook.library.read import read_all
from playbook.orders.checks import check_order_formats, check_reason_codes, check_triage_rules
from playbook.scenarios.checks import check_library
from playbook.scenarios.claims import check_claims
from playbook.scenarios.language import check_language
from playbook.scenarios.picker import check_picker
from playbook.training.checks import check_practice_cases

Check = Callable[[Library], list[Problem]]

# Each subsystem's rules about its data, in the order their problems are listed.
CHECKS: tuple[Check, ...] = (
    check_library,
    check_claims,
    check_language,
    check_reason_codes,
    check_triage_rules,
    check_order_formats,
    check_lessons,
    check_evidence_limits,
    check_picker,
)
# Rules that walk the scenarios: they run only on a library every other check passed.
CHECKS_ON_SOUND: tuple[Check, ...] = (check_practice_cases,)


def check(data_dir: Path) -> tuple[Library, list[Problem]]:
    """Every problem in the data folder: each file's schema, then every subsystem's rules."""
    lib, problems = read_all(data_dir)
    for run in CHECKS:
        problems.extend(run(lib))
    if not problems:
        for run in CHECKS_ON_SOUND:
            problems.extend(run(lib))
    return lib, problems


@functools.cache
def _load(data_dir: Path) -> Library:
    conf = settings()
    # Only the served data folder is kept on disk (not every folder a test or a check reads).
    cached = None
    if data_dir == conf.data_dir.resolve():
        cached = cache.cache_path(conf.var_dir / "cache", data_dir)
        lib = cache.read(cached)
        if lib is not None:
            return lib
    lib, problems = check(data_dir)
    if problems:
        if lib.catalogue and not any(p.file.startswith(_i18n_folder(lib)) for p in problems):
            use_messages(lib.catalogue)  # so the error below reads as text, not as its key
        raise ScenarioError(
            "error.data_invalid",
            count=len(problems),
            problems="\n".join(str(p) for p in problems),
        )
    if cached is not None:
        cache.write(cached, lib)
    return lib


def _i18n_folder(lib: Library) -> str:
    return lib.rel(lib.data_dir / "i18n")


def load_library(data_dir: Path | None = None) -> Library:
    """The checked library for ``data_dir`` (default: the configured data folder).

    Kept per folder in the process, and on disk under var/cache (``playbook.library.cache``):
    a new kernel reads the checked library instead of checking every file again. Its message
    catalogue becomes the one staff-visible texts come from (``playbook.i18n``), and its
    declared order formats the ones order files are matched against by default
    (``playbook.library.order_formats.use``).

    Raises:
        ScenarioError: any file is invalid; the message lists every problem.
    """
    lib = _load(Path(data_dir or settings().data_dir).resolve())
    use_messages(lib.catalogue)
    order_formats.use(lib.order_formats)
    return lib
