"""The command line: ``python -m playbook COMMAND``. Each sub-command has its own ``--help``.

- ``check [DIR]``: validate every file under data/ (exit 0 clean, 1 problems).
- ``triage FILE [--platform P] [--encoding E] [--as-of TIME] [--out DIR] [--lang en|zh]
  [--with-contact]``: import an order file (Wish's exports, or a format declared under
  data/order_formats/ such as Amazon's reports; the platform is told from the file) and write
  its triage and rejects (exit 0 all rows accepted, 1 some rejected, 2 unreadable). Contact
  details stay out of the triage CSV unless ``--with-contact``.
- ``diagram ID [--lang zh|en] [--out FILE.svg]``: draw a scenario's map (Graphviz SVG).
- ``packet CASE_ID --out DIR [--profile P] [--actor NAME]``: check a case's appeal packet and
  write its PDF and ZIP (exit 0 built, 1 the check refused it, 2 no such case or store error).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from playbook.cases.packet import build_packet, check_packet
from playbook.cases.projection import ProjectionRules
from playbook.cases.session import CaseSession
from playbook.cases.sql_store import SqlStore
from playbook.config import settings
from playbook.errors import EvidenceError, PlaybookError
from playbook.i18n import text
from playbook.load import check as check_dir
from playbook.load import load_library
from playbook.orders.fields import CONTACT_COLUMNS
from playbook.orders.reader import ImportResult, read_orders, write_table
from playbook.orders.triage import Triage, TriageResult, TriageSet, as_utc, rules_for, triage
from playbook.scenarios.diagram import render_svg


def build_parser() -> argparse.ArgumentParser:
    """The parser with one sub-parser per command."""
    parser = argparse.ArgumentParser(
        prog="python -m playbook",
        description="Dispute Playbook: check the data files, triage order exports.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    check = commands.add_parser(
        "check",
        help="validate every file under data/",
        description="Validate scenarios, policies, templates, facts, root causes, triage "
        "rules, reason codes and messages. Prints FILE:LINE: path: message per problem.",
    )
    check.add_argument("folder", nargs="?", type=Path, help="data folder (default: configured)")
    check.set_defaults(run=run_check)
    tri = commands.add_parser(
        "triage",
        help="import an order file and list the orders that need a dispute case",
        description="Import an order file (Wish's exports, or a format declared under "
        "data/order_formats/, e.g. Amazon's All Orders and returns reports) and list the orders "
        "that need a dispute case, by the rules of the file's platform. "
        "Writes <name>.triage.csv and <name>.rejects.csv.",
    )
    tri.add_argument(
        "file", type=Path, help="CSV/tab-delimited report, the same saved as .xlsx, or JSON"
    )
    tri.add_argument(
        "--platform",
        default=None,
        help="read the file as this platform's (default: told from its header)",
    )
    tri.add_argument(
        "--encoding",
        default=None,
        help="the file's text encoding when known, e.g. cp1252 (default: UTF-8 or GB18030)",
    )
    tri.add_argument(
        "--as-of", default=None, help="ISO time deadlines are judged at (UTC if no zone)"
    )
    tri.add_argument("--out", type=Path, default=Path("."), help="folder for the CSV files")
    tri.add_argument("--lang", choices=["zh", "en"], default="en")
    tri.add_argument(
        "--with-contact",
        action="store_true",
        help="also write the buyers' contact details (street, phone) into the triage CSV",
    )
    tri.set_defaults(run=run_triage)
    add_diagram_parser(commands)
    add_packet_parser(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run a sub-command; returns the process exit code (2 for a usage error)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    return args.run(args, parser)


def run_check(args: argparse.Namespace, _parser: argparse.ArgumentParser) -> int:
    """Validate every data file; print each problem; 0 when clean, 1 otherwise."""
    folder = args.folder or settings().data_dir
    lib, problems = check_dir(folder.resolve())
    for problem in problems:
        print(problem)
    if problems:
        print(f"{len(problems)} problem(s) in {folder}", file=sys.stderr)
        return 1
    print(
        f"ok: {len(lib.scenarios)} scenarios, {len(lib.templates)} templates, "
        f"{sum(len(p.policies) for p in lib.policies.values())} policies, "
        f"{sum(len(r.rules) for r in lib.triage.values())} triage rules, "
        f"{len(lib.order_formats)} order formats for {len(lib.policies)} platforms "
        f"({', '.join(sorted(lib.policies))}) in {folder}"
    )
    return 0


def run_triage(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    """Triage one file; 0 every row accepted, 1 some rejected, 2 the file or data unreadable."""
    try:
        as_of = as_utc(args.as_of) if args.as_of else pd.Timestamp.now(tz="UTC").floor("s")
    except ValueError:
        parser.error(f"--as-of: not a time: {args.as_of!r}")
    try:
        lib = load_library()  # first: its messages explain any error
        data = TriageSet.from_library(lib)
        result = read_orders(
            args.file, formats=lib.order_formats, platform=args.platform, encoding=args.encoding
        )
        rules = rules_for(result.orders, data)
        tri = triage(result.orders, as_of, rules, lang=args.lang)
    except PlaybookError as err:
        print(err.render(args.lang), file=sys.stderr)
        return 2
    args.out.mkdir(parents=True, exist_ok=True)
    stem = args.file.name.rsplit(".", 1)[0]
    table = with_contact(tri.table, result.orders) if args.with_contact else tri.table
    write_table(table, args.out / f"{stem}.triage.csv")
    write_table(result.rejects, args.out / f"{stem}.rejects.csv")
    print_summary(args, result, tri, as_of, print, rules=rules, lib=lib)
    return 1 if len(result.rejects) else 0


def with_contact(table: pd.DataFrame, orders: pd.DataFrame) -> pd.DataFrame:
    """The triage table with the buyers' contact details (CONTACT_COLUMNS) added."""
    contact = orders.set_index("source_row")[list(CONTACT_COLUMNS)]
    added = contact.reindex(table["source_row"]).reset_index(drop=True)
    return pd.concat([table.reset_index(drop=True), added], axis=1)


def print_summary(
    args: argparse.Namespace,
    result: ImportResult,
    tri: TriageResult,
    as_of: pd.Timestamp,
    say: Callable[[str], None],
    *,
    rules: Triage | None = None,
    lib=None,
) -> None:
    """The counts of one triage run, in the chosen language.

    With ``rules`` and ``lib``: which platform's rules and policies judged it, and the
    reason-code file unknown reasons are missing from.
    """
    lang = args.lang
    say(
        text(
            "triage.cli.summary",
            lang,
            file=args.file,
            # the encoding is said, never assumed silently (a Windows-1252 file can decode as
            # GB18030: --encoding names the right one)
            format=f"{result.format}, {result.encoding}" if result.encoding else result.format,
            read=result.rows_read,
            imported=len(result.orders),
            rejected=len(result.rejects),
            as_of=as_of.strftime("%Y-%m-%dT%H:%M:%SZ"),
        )
    )
    if rules is not None and lib is not None:
        say(
            text(
                "triage.cli.platform",
                lang,
                platform=rules.platform,
                rules=lib.rel(lib.files[("triage", rules.platform)]),
                policies=lib.rel(lib.files[("policy", rules.platform)]),
            )
        )
    say(text("triage.cli.by_scenario", lang))
    for scenario, count in tri.counts().items():
        say(f"  {scenario:<28} {count:>8}")
    say(text("triage.cli.by_priority", lang))
    for prio, count in tri.table["priority"].value_counts().sort_index().items():
        say(f"  {prio:<28} {count:>8}")
    if len(result.rejects):
        say(text("triage.cli.by_reason", lang))
        for reason, count in result.rejects["reason"].value_counts().items():
            say(f"  {reason:<28} {count:>8}")
    reasons_file = "the reason codes"
    if rules is not None and lib is not None:
        where = lib.files.get(("reasons", rules.platform))
        reasons_file = lib.rel(where) if where else f"data/reason_codes/{rules.platform}.yaml"
    _print_not_judged(tri, lang, say, reasons_file)
    say(text("triage.cli.written", lang, folder=args.out))


def _print_not_judged(
    tri: TriageResult, lang: str, say: Callable[[str], None], reasons_file: str
) -> None:
    """What triage could not judge: looks, not-judged orders, unknown reasons and sources."""
    if len(tri.looks()):
        say(text("triage.cli.looks", lang))
        for rule, count in tri.looks().items():
            say(f"  {rule:<28} {count:>8}")
    if len(tri.unjudged):
        say(text("triage.cli.unjudged", lang))
        for r in tri.unjudged.itertuples():
            say(f"  {r.rule:<28} {r.orders:>8}  ({r.missing})")
    if len(tri.unknown_reasons):
        say(
            text(
                "triage.cli.unknown_reasons",
                lang,
                count=len(tri.unknown_reasons),
                file=reasons_file,
            )
        )
        for r in tri.unknown_reasons.itertuples():
            say(f"  {r.reason:<28} {r.orders:>8}")
    if len(tri.unknown_refund_sources):
        say(text("triage.cli.unknown_refund_sources", lang, count=len(tri.unknown_refund_sources)))
        for r in tri.unknown_refund_sources.itertuples():
            say(f"  {r.refund_source:<28} {r.orders:>8}")


def add_diagram_parser(commands: argparse._SubParsersAction) -> None:
    """``diagram ID [--lang zh|en] [--out FILE.svg]``."""
    dia = commands.add_parser(
        "diagram",
        help="draw a scenario's map as SVG (Graphviz)",
        description="Draw the map of scenario ID: every step and every way between steps, "
        "labels in the chosen language. Writes SVG to --out, or to standard output.",
    )
    dia.add_argument("scenario", metavar="ID", help="scenario id (file name under data/scenarios)")
    dia.add_argument("--lang", choices=["zh", "en"], default="zh")
    dia.add_argument("--out", type=Path, default=None, help="SVG file to write")
    dia.set_defaults(run=run_diagram)


def run_diagram(args: argparse.Namespace, _parser: argparse.ArgumentParser) -> int:
    """Write the map; 0 done, 2 unknown scenario, invalid data or no Graphviz."""
    try:
        svg = render_svg(load_library().scenario(args.scenario), args.lang)
    except PlaybookError as err:
        print(err.render(args.lang), file=sys.stderr)
        return 2
    if args.out is None:
        sys.stdout.write(svg)
        return 0
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(svg, encoding="utf-8")
    print(args.out)
    return 0


def add_packet_parser(commands: argparse._SubParsersAction) -> None:
    """The ``packet`` sub-command on ``commands`` (the CLI's sub-parsers)."""
    packet = commands.add_parser(
        "packet",
        help="check a case's appeal packet and write its PDF and ZIP",
        description="Check a case's appeal packet (required evidence, platform file limits, "
        "appeal window), then write appeal-<case>.pdf and appeal-<case>.zip into --out and "
        "record their SHA-256 in the case history. Uses the configured case store.",
    )
    packet.add_argument("case_id", help="the case id (as on the staff page)")
    packet.add_argument("--out", type=Path, required=True, help="folder for the PDF and ZIP")
    packet.add_argument(
        "--profile", default=None, help="limits profile (default: the case's platform)"
    )
    packet.add_argument("--actor", default=None, help="who builds it (default: $USER)")
    packet.add_argument("--lang", choices=["zh", "en"], default="en")
    packet.set_defaults(run=run_packet)


def run_packet(args: argparse.Namespace, _parser: argparse.ArgumentParser) -> int:
    """Check, then build; print the findings and the files written."""
    lang = args.lang
    actor = args.actor or os.environ.get("USER") or "cli"
    try:
        lib = load_library()
        with SqlStore(projection=ProjectionRules.of(lib)) as store:
            session = CaseSession(lib, store, actor=lambda: actor)
            session.open(args.case_id[:64])
            check = check_packet(session, args.profile)
            for level, message in check.messages(lang):
                print(f"{text('packet.cli.' + level, lang)}: {message}", file=sys.stderr)
            if not check.ok:
                return 1
            packet = build_packet(session, args.out, args.profile)
    except EvidenceError as err:
        print(err.render(lang), file=sys.stderr)
        return 1 if err.code == "error.packet_refused" else 2
    except PlaybookError as err:
        print(err.render(lang), file=sys.stderr)
        return 2
    print(
        text(
            "packet.cli.built",
            lang,
            pdf=packet.pdf,
            pages=packet.pages,
            pdf_sha256=packet.pdf_sha256,
            zip=packet.zip,
            zip_sha256=packet.zip_sha256,
        )
    )
    return 0
