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
- ``remind [--dry-run] [--every SECONDS]``: send deadline reminders on the channels of
  ``[reminders]`` (exit 0 all sent, 1 a channel failed: a later run tries again).
- ``backup --out FILE``: a consistent copy of the case store with its manifest;
  ``restore FILE --to URL`` (into an empty store) and ``verify FILE [--scratch URL]`` check
  it against the manifest (exit 0 matches, 2 it does not or cannot be read).
- ``purge --actor NAME [--dry-run]``: remove buyers' personal data from cases closed longer
  than the retention period (``[privacy] retention_days``).
- ``erase (--order ID | --buyer NAME) --actor NAME --reason TEXT [--dry-run]``: the same at
  once for one order's or one buyer's cases, on request.
- ``claims [--out FILE] [--as-of DATE]``: the claims register (every platform rule the data
  states, where it is shown, its rule and source) as Markdown; docs/claims.md is its output.
- ``policies [--stale DAYS] [--platform P] [--as-of DATE]``: every rule with its value,
  confidence, source date, when it was last checked and how long ago (exit 1 when one was
  never checked or, with --stale, checked more than DAYS days ago).

Operator commands exit 0 when done, 2 on bad input or a store error (the message says which).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from playbook.config import REPO_ROOT, settings
from playbook.errors import (
    ConfigError,
    EvidenceError,
    PlaybookError,
    ScenarioError,
)
from playbook.i18n import text

# Each command imports what it uses when it runs: `--help` or `check` does not wait for
# pandas, Arrow, SQLAlchemy and the PDF writer to load (about 0.7 s of every start).
if TYPE_CHECKING:
    import pandas as pd

    from playbook.orders.reader import ImportResult
    from playbook.orders.triage import Triage, TriageResult
    from playbook.reminders.run import RunReport


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
    add_remind_parser(commands)
    add_backup_parsers(commands)
    add_privacy_parsers(commands)
    add_claims_parsers(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run a sub-command; returns the process exit code (2 for a usage error)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        settings()
    except ConfigError as err:  # the settings file itself: explain it with the shipped texts
        from playbook.load import load_library

        load_library(REPO_ROOT / "data")
        print(err.render(getattr(args, "lang", "en")), file=sys.stderr)
        return 2
    return args.run(args, parser)


def _case_store(lib):
    """The configured case store (it fills in what an upgrade needs from ``lib``)."""
    from playbook.cases.projection import ProjectionRules
    from playbook.cases.sql_store import SqlStore

    return SqlStore(projection=ProjectionRules.of(lib))


def run_check(args: argparse.Namespace, _parser: argparse.ArgumentParser) -> int:
    """Validate every data file; print each problem; 0 when clean, 1 otherwise."""
    from playbook.load import check as check_dir

    folder = args.folder or settings().data_dir
    lib, problems = check_dir(folder.resolve())
    for problem in problems:
        print(problem)
    if problems:
        count = len(problems)
        print(f"{count} problem{'' if count == 1 else 's'} in {folder}", file=sys.stderr)
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
    import pandas as pd

    from playbook.load import load_library
    from playbook.orders.reader import read_orders, write_table
    from playbook.orders.triage import TriageSet, as_utc, rules_for, triage

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
    import pandas as pd

    from playbook.orders.fields import CONTACT_COLUMNS

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
    for prio, count in tri.listed["priority"].value_counts().sort_index().items():
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
    from playbook.load import load_library
    from playbook.scenarios.diagram import render_svg

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
    from playbook.cases.packet import build_packet, check_packet
    from playbook.cases.session import CaseSession
    from playbook.load import load_library

    lang = args.lang
    actor = args.actor or os.environ.get("USER") or "cli"
    try:
        lib = load_library()
        with _case_store(lib) as store:
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


def add_privacy_parsers(commands: argparse._SubParsersAction) -> None:
    """``purge`` and ``erase``: buyers' personal data kept only as long as needed."""
    purge = commands.add_parser(
        "purge",
        help="remove buyers' personal data from cases closed longer than the retention period",
        description="Replace the personal facts (data/facts.yaml: personal: true), the free "
        "texts of the history and the evidence file names of every case closed more than "
        "[privacy] retention_days ago with a marker, and delete its evidence files. The case "
        "rows stay (the lessons page still counts them); each case gets a "
        "personal_data_erased event. Then the database is compacted (VACUUM).",
    )
    erase = commands.add_parser(
        "erase",
        help="remove one buyer's personal data now, on request",
        description="As purge, at once, for the cases of one order or of one buyer (the "
        "name as on the order; case and surrounding spaces ignored).",
    )
    target = erase.add_mutually_exclusive_group(required=True)
    target.add_argument("--order", help="the platform order id")
    target.add_argument("--buyer", help="the buyer's name as on the order")
    erase.add_argument(
        "--reason", default="", help="why, e.g. a ticket number (kept in the case history)"
    )
    for sub in (purge, erase):
        sub.add_argument("--actor", required=True, help="who runs it (kept in the history)")
        sub.add_argument("--dry-run", action="store_true", help="list the cases; write nothing")
        sub.add_argument("--lang", choices=["zh", "en"], default="en")
    purge.set_defaults(run=run_privacy)
    erase.set_defaults(run=run_privacy)


def run_privacy(args: argparse.Namespace, _parser: argparse.ArgumentParser) -> int:
    """Purge or erase; print each case touched and what was removed."""
    from playbook.cases import privacy
    from playbook.load import load_library

    lang = args.lang
    try:
        lib = load_library()
        with _case_store(lib) as store:
            if args.command == "purge":
                report = privacy.purge(
                    store,
                    lib,
                    actor=args.actor,
                    retention_days=settings().retention_days,
                    dry_run=args.dry_run,
                )
            else:
                report = privacy.erase(
                    store,
                    lib,
                    actor=args.actor,
                    reason=args.reason,
                    order_id=args.order,
                    buyer=args.buyer,
                    dry_run=args.dry_run,
                )
    except PlaybookError as err:
        print(err.render(lang), file=sys.stderr)
        return 2
    for case in report.cases:
        facts = ", ".join(case.facts) or "-"
        print(
            text(
                "privacy.cli.case",
                lang,
                case=case.case_id,
                facts=facts,
                texts=case.texts,
                files=case.files,
            )
        )
    key = "privacy.cli.dry_run" if report.dry_run else "privacy.cli.done"
    print(text(key, lang, count=len(report.cases)))
    if report.compacted:
        busy = report.compacted.get("wal_truncated") is False
        wal = text("privacy.cli.wal_busy", lang) if busy else ""
        print(text("privacy.cli.compacted", lang, wal=wal))
    return 0


def add_remind_parser(commands: argparse._SubParsersAction) -> None:
    """``remind [--dry-run] [--every SECONDS]``."""
    rem = commands.add_parser(
        "remind",
        help="send deadline reminders (cases due within the window, and overdue ones)",
        description="Send each assignee their cases due within [reminders] window_hours and "
        "the overdue ones (unassigned cases go to the leads) on every configured channel, "
        "once per case deadline, channel and person. Run it on a schedule (deploy/).",
    )
    rem.add_argument("--dry-run", action="store_true", help="count what is due; send nothing")
    rem.add_argument(
        "--every", type=float, default=None, metavar="SECONDS", help="run again every SECONDS"
    )
    rem.add_argument("--lang", choices=["zh", "en"], default="en")
    rem.set_defaults(run=run_remind)


def run_remind(args: argparse.Namespace, _parser: argparse.ArgumentParser) -> int:
    """One run (or one every ``--every`` seconds); 0 all sent, 1 a channel failed, 2 error."""
    while True:
        code = _remind_once(args)
        if args.every is None:
            return code
        time.sleep(args.every)


def _remind_once(args: argparse.Namespace) -> int:
    from playbook.load import load_library
    from playbook.reminders import settings as reminder_settings
    from playbook.reminders.run import remind

    lang = args.lang
    try:
        lib = load_library()
        conf = reminder_settings.load()
        with _case_store(lib) as store:
            report = remind(store, lib, conf, dry_run=args.dry_run)
    except PlaybookError as err:
        print(err.render(lang), file=sys.stderr)
        return 2
    print_remind_report(report, lang)
    return 0 if report.ok else 1


def print_remind_report(report: RunReport, lang: str) -> None:
    """Per channel: messages and reminders sent, failures, people without an address."""
    if report.dry_run:
        print(text("remind.cli.dry_run", lang, due=report.due))
    else:
        print(text("remind.cli.summary", lang, due=report.due, claimed=report.claimed))
    for channel, done in sorted(report.channels.items()):
        print(
            text(
                "remind.cli.channel",
                lang,
                channel=channel,
                sent=done.sent,
                reminders=done.reminders,
                failed=len(done.failed),
                skipped=done.skipped,
            )
        )
        for line in done.failed:
            print(text("remind.cli.failed", lang, channel=channel, detail=line), file=sys.stderr)
        if done.unreachable:
            names = ", ".join(done.unreachable)
            print(text("remind.cli.unreachable", lang, channel=channel, names=names))


def add_backup_parsers(commands: argparse._SubParsersAction) -> None:
    """``backup``, ``restore`` and ``verify``."""
    back = commands.add_parser(
        "backup",
        help="a consistent copy of the case store (cases, history, evidence files)",
        description="Copy the configured case store while servers write (SQLite's online "
        "backup API; pg_dump for PostgreSQL) into one .tar file with manifest.json (rows "
        "per table, SHA-256 of every evidence file).",
    )
    back.add_argument("--out", type=Path, required=True, help="the backup file (must not exist)")
    rest = commands.add_parser(
        "restore",
        help="restore a backup into an empty store and check it",
        description="Restore FILE into an empty store (a new SQLite file, or an empty "
        "PostgreSQL database) and check every count and file hash against its manifest.",
    )
    rest.add_argument("file", type=Path)
    rest.add_argument("--to", required=True, help="target URL, e.g. sqlite:////srv/new.sqlite3")
    ver = commands.add_parser(
        "verify",
        help="check a backup against its manifest",
        description="Check FILE: the database member's hash, then every table's rows and "
        "every evidence file's SHA-256. A PostgreSQL backup is checked by restoring it into "
        "an empty scratch database (--scratch URL).",
    )
    ver.add_argument("file", type=Path)
    ver.add_argument("--scratch", default=None, help="empty PostgreSQL database URL")
    for sub, run in ((back, run_backup), (rest, run_backup), (ver, run_backup)):
        sub.add_argument("--lang", choices=["zh", "en"], default="en")
        sub.set_defaults(run=run)


def run_backup(args: argparse.Namespace, _parser: argparse.ArgumentParser) -> int:
    """Backup, restore or verify; print what was done and how long it took."""
    from playbook.cases import backup as backups
    from playbook.cases.projection import ProjectionRules
    from playbook.cases.sql_store import SqlStore
    from playbook.load import load_library

    lang = args.lang
    try:
        lib = load_library()
        rules = ProjectionRules.of(lib)
        if args.command == "backup":
            with SqlStore(projection=rules) as store:
                done = backups.backup(store, args.out)
        elif args.command == "restore":
            done = backups.restore(args.file, args.to, projection=rules)
        else:
            done = backups.verify(args.file, args.scratch)
    except PlaybookError as err:
        print(err.render(lang), file=sys.stderr)
        return 2
    manifest = done.manifest
    rows = ", ".join(f"{t} {n}" for t, n in sorted(manifest["tables"].items()))
    print(
        text(
            f"backup.cli.{args.command}",
            lang,
            where=done.where,
            kind=manifest["kind"],
            rows=rows,
            blobs=len(manifest["blobs"]),
            seconds=f"{done.seconds:.2f}",
            size=f"{done.size / 1e6:.1f}",
        )
    )
    return 0


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {value!r}") from None


def add_claims_parsers(commands: argparse._SubParsersAction) -> None:
    """The ``claims`` and ``policies`` sub-commands."""
    claims = commands.add_parser(
        "claims",
        help="list every platform rule the data states (the claims register)",
        description="List every sentence staff or trainees read that states a platform rule "
        "(it cites {policy:KEY} or carries the unverified marker), every deadline and every "
        "rule a practice feedback names: where it is shown, its rule, source and check date. "
        "Markdown on standard output, or into --out (docs/claims.md).",
    )
    claims.add_argument("--out", type=Path, default=None, help="Markdown file to write")
    claims.add_argument(
        "--as-of", type=_date, default=None, help="date the marks are judged at (default: today)"
    )
    claims.set_defaults(run=run_claims)
    pol = commands.add_parser(
        "policies",
        help="list the platform rules by when they were last checked",
        description="Every rule: key, platform, value, confidence, the date on its source, "
        "when someone last compared it with the source, and how many days ago, the least "
        "recently checked first. Flags: never-checked, stale (older than --stale DAYS), "
        "undated or old-source (its sentences say 'verify'), unverified, historical. Exit 1 "
        "when a rule is never-checked or stale, so a scheduled job can alert.",
    )
    pol.add_argument("--stale", type=int, default=None, metavar="DAYS")
    pol.add_argument("--platform", default=None, help="one platform (default: all)")
    pol.add_argument("--as-of", type=_date, default=None, help="today's date (default: today)")
    pol.set_defaults(run=run_policies)


def run_claims(args: argparse.Namespace, _parser: argparse.ArgumentParser) -> int:
    """Write the register; 0 done, 2 invalid data."""
    from playbook.load import load_library
    from playbook.scenarios.claims import markdown as claims_markdown

    try:
        lib = load_library()
    except ScenarioError as err:
        print(err.render("en"), file=sys.stderr)
        return 2
    page = claims_markdown(lib, args.as_of or dt.date.today())
    if args.out is None:
        sys.stdout.write(page)
        return 0
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(page, encoding="utf-8")
    print(args.out)
    return 0


def run_policies(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    """Print the rules by age; 0 none due, 1 some due for a check, 2 invalid data."""
    from playbook.load import load_library
    from playbook.scenarios.freshness import policy_ages

    try:
        lib = load_library()
    except ScenarioError as err:
        print(err.render("en"), file=sys.stderr)
        return 2
    if args.platform is not None and args.platform not in lib.policies:
        parser.error(f"--platform: no data/policies/{args.platform}.yaml")
    as_of = args.as_of or dt.date.today()
    rows = policy_ages(lib, as_of, args.stale, args.platform)
    head = ("key", "platform", "value", "confidence", "source date", "checked on", "age", "flags")
    table = [head] + [
        (
            r.key, r.platform, r.value, r.confidence, r.source_date,
            str(r.checked_on or "never"), "-" if r.age_days is None else f"{r.age_days} d",
            ", ".join(r.flags) or "-",
        )
        for r in rows
    ]  # fmt: skip
    widths = [max(len(row[i]) for row in table) for i in range(len(head) - 1)]
    for row in table:
        cells = [c.ljust(w) for c, w in zip(row[:-1], widths, strict=True)]
        print("  ".join([*cells, row[-1]]))
    due = [r for r in rows if r.due]
    print(
        f"{len(rows)} rules as of {as_of}; {len(due)} due for a check"
        + (f" (never checked, or more than {args.stale} days ago)" if args.stale else ""),
        file=sys.stderr,
    )
    return 1 if due else 0
