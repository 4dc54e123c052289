"""``python -m playbook packet CASE_ID --out DIR``: check and build a case's appeal packet.

Exit codes: 0 built (warnings may be printed), 1 the check refused the packet (every error is
printed), 2 no such case, no such limits profile, or the case store failed.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from playbook.cases.packet import build_packet, check_packet
from playbook.cases.session import CaseSession
from playbook.cases.sql_store import SqlStore
from playbook.errors import EvidenceError, PlaybookError
from playbook.i18n import text
from playbook.scenarios.loader import load_library


def add_packet_parser(commands: Any) -> None:
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
        with SqlStore() as store:
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
