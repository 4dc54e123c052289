"""Command line: ``python -m playbook check [DIR]`` and ``python -m playbook triage FILE``."""

from __future__ import annotations

import sys
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    """Run a sub-command; returns the process exit code."""
    args = list(sys.argv[1:] if argv is None else argv)
    usage = "usage: python -m playbook {check [DIR] | triage FILE [--as-of TIME] [--out DIR]}"
    if not args or args[0] in ("-h", "--help"):
        print(usage)
        return 0 if args else 2
    command, rest = args[0], args[1:]
    if command == "check":
        return check(rest)
    if command == "triage":
        from playbook.orders.triage import main_triage

        return main_triage(rest)
    print(usage, file=sys.stderr)
    return 2


def check(rest: list[str]) -> int:
    """Validate every data file; print each problem; exit 0 when clean, 1 otherwise."""
    from playbook.config import data_dir
    from playbook.scenarios.library import check as check_dir

    folder = Path(rest[0]) if rest else data_dir()
    lib, problems = check_dir(folder.resolve())
    for problem in problems:
        print(problem)
    if problems:
        print(f"{len(problems)} problem(s) in {folder}", file=sys.stderr)
        return 1
    print(
        f"ok: {len(lib.scenarios)} scenarios, {len(lib.templates)} templates, "
        f"{sum(len(p.policies) for p in lib.policies.values())} policies in {folder}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
