"""The appeal packet: a check before export, then one PDF and one ZIP, recorded in the history.

``check_packet`` says what stands in the way, with messages staff can act on: the case has not
reached its appeal step, required evidence has no file, a file is over the platform's size or
type limits, the packet is over its page, file or total-size budget, the appeal window has
closed (from the step's deadline data). ``build_packet`` re-checks, then writes

1. ``appeal-<case>.pdf``: cover with the filled appeal statement (English) and its Chinese
   reference, the case facts, a timeline from the event log, an evidence index (each file with
   what it proves, a thumbnail and its page), then the evidence (images scaled to stay
   legible, PDFs appended as they are);
2. ``appeal-<case>.zip``: the original files, named by order id and evidence type;

and records their SHA-256 as a ``packet_built`` event, so the team knows exactly what was sent.
Pure Python (fpdf2, pypdf, Pillow); no widgets.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from playbook.cases.caselog import build_log
from playbook.cases.evidence import EXTENSIONS, scaled_jpeg
from playbook.cases.files import Attachment, evidence_items
from playbook.cases.packet_pdf import EvidencePage, PacketText, render_packet
from playbook.cases.records import Case
from playbook.cases.session import CaseSession
from playbook.errors import EvidenceError
from playbook.i18n import text
from playbook.library.evidence_limits import IMAGE_KINDS, MB, Profile
from playbook.library.model import EvidenceItem, Step, Template
from playbook.scenarios.engine import Walk
from playbook.scenarios.templates import render

__all__ = ["Finding", "Packet", "PacketCheck", "build_packet", "check_packet"]


@dataclass(frozen=True)
class Finding:
    """One thing the check found: an ``error`` stops the export, a ``warning`` does not."""

    level: str
    code: str
    params: dict[str, Any] = field(default_factory=dict)

    def render(self, lang: str = "en") -> str:
        """The message in ``lang``."""
        return text(self.code, lang, **self.params)


@dataclass(frozen=True)
class IndexEntry:
    """One file of the packet: its number, the evidence item it belongs to, the file."""

    number: int
    item: EvidenceItem
    file: Attachment


@dataclass(frozen=True)
class PacketCheck:
    """What a packet would hold now, and what stands in the way."""

    case: Case
    walk: Walk
    step: Step | None
    template: Template | None
    profile_name: str
    profile: Profile
    entries: list[IndexEntry]
    findings: list[Finding]

    @property
    def ok(self) -> bool:
        """Whether nothing stops the export."""
        return not any(f.level == "error" for f in self.findings)

    def messages(self, lang: str = "en") -> list[tuple[str, str]]:
        """``(level, message)`` for each finding, errors first."""
        ordered = sorted(self.findings, key=lambda f: f.level != "error")
        return [(f.level, f.render(lang)) for f in ordered]


@dataclass(frozen=True)
class Packet:
    """The files written and their hashes (as recorded in the case history)."""

    pdf: Path
    zip: Path
    pdf_sha256: str
    zip_sha256: str
    pages: int
    check: PacketCheck


# --- the check ----------------------------------------------------------------------------


def check_packet(session: CaseSession, profile: str | None = None) -> PacketCheck:
    """Check the open case's packet against ``profile`` (default: the case's platform).

    Raises:
        StepNotAllowed: no open case.
        EvidenceError: no such profile in data/evidence_limits.yaml.
    """
    case, walk = session.case, session.walk
    if case is None or walk is None:
        session.screen()  # raises StepNotAllowed("error.no_case")
    walk = walk.copy()
    walk.as_of = session.clock()
    limits = session.lib.evidence_limits
    name = profile or case.platform
    if limits is None or name not in limits.profiles:
        choices = sorted(limits.profiles) if limits else []
        raise EvidenceError("error.packet_profile", profile=name, choices=choices)
    prof = limits.profile(name)
    step, template = appeal_step(session, walk)
    entries = index_entries(walk, session.store.attachments(case.id))
    findings = _step_findings(session, walk, step)
    if step is not None:
        findings += _missing_findings(step, entries)
        findings += _window_findings(walk, step)
        findings += _statement_findings(session, walk, template)
    findings += _budget_findings(entries, prof, name)
    return PacketCheck(case, walk, step, template, name, prof, entries, findings)


def appeal_step(session: CaseSession, walk: Walk) -> tuple[Step | None, Template | None]:
    """The last step on the walk's path with an appeal statement, and that template."""
    for step_id in reversed(walk.path):
        step = walk.scenario.step(step_id)
        for tid in step.messages:
            template = session.lib.templates.get(tid)
            if template is not None and template.kind == "appeal_statement":
                return step, template
    return None, None


def index_entries(walk: Walk, files: list[Attachment]) -> list[IndexEntry]:
    """The packet's files grouped by evidence item, in the order the packet shows them.

    Items of the path come first, in path order, then any other item of the scenario that has
    files; within an item, oldest first.
    """
    items = evidence_items(walk.scenario)
    order = list(dict.fromkeys(e.id for s in walk.path for e in walk.scenario.step(s).evidence))
    order += [i for i in items if i not in order]
    entries: list[IndexEntry] = []
    for item_id in order:
        for f in files:
            if f.item_id == item_id:
                entries.append(IndexEntry(len(entries) + 1, items[item_id], f))
    return entries


def _step_findings(session: CaseSession, walk: Walk, step: Step | None) -> list[Finding]:
    if step is not None:
        return []
    steps = [
        s.title.get("en")
        for s in walk.scenario.steps
        if any(
            session.lib.templates[t].kind == "appeal_statement"
            for t in s.messages
            if t in session.lib.templates
        )
    ]
    if not steps:
        return [Finding("error", "packet.no_appeal_step", {"scenario": walk.scenario.id})]
    return [Finding("error", "packet.not_reached", {"steps": "; ".join(steps)})]


def _missing_findings(step: Step, entries: list[IndexEntry]) -> list[Finding]:
    have = {e.item.id for e in entries}
    return [
        Finding("error", "packet.missing", {"item": e.item.get("en"), "item_zh": e.item.get("zh")})
        for e in step.evidence
        if e.required and e.id not in have
    ]


def _window_findings(walk: Walk, step: Step) -> list[Finding]:
    out = []
    for ref, due in walk.deadlines(step):
        label = ref.label.get("en")
        if due is None:
            out.append(Finding("warning", "packet.window_unknown", {"label": label}))
        elif due.state == "past":
            stamp = due.due.strftime("%Y-%m-%d %H:%M UTC")
            out.append(Finding("error", "packet.window_closed", {"label": label, "due": stamp}))
    return out


def _statement_findings(
    session: CaseSession, walk: Walk, template: Template | None
) -> list[Finding]:
    if template is None:
        return []
    draft = render(template, walk.facts, session.lib.facts, "en")
    if not draft.missing:
        return []
    labels = ", ".join(session.lib.facts[m].label.get("en") for m in draft.missing)
    return [Finding("warning", "packet.statement_gaps", {"fields": labels})]


def _budget_findings(entries: list[IndexEntry], prof: Profile, name: str) -> list[Finding]:
    out: list[Finding] = []
    label = prof.title.get("en")
    for e in entries:
        f = e.file
        if f.kind not in prof.types:
            params = {"name": f.name, "kind": f.kind, "types": ", ".join(prof.types)}
            out.append(Finding("error", "packet.type", {**params, "profile": label}))
        if prof.max_file_bytes is not None and f.size > prof.max_file_bytes:
            params = {
                "name": f.name,
                "size": f"{f.size / MB:.1f}",
                "limit": f"{prof.max_file_mb:g}",
            }
            out.append(Finding("error", "packet.file_size", {**params, "profile": label}))
    total = sum(e.file.size for e in entries)
    if prof.max_total_bytes is not None and total > prof.max_total_bytes:
        params = {"size": f"{total / MB:.1f}", "limit": f"{prof.max_total_mb:g}", "profile": label}
        out.append(Finding("error", "packet.total_size", params))
    if prof.max_files is not None and len(entries) > prof.max_files:
        params = {"count": len(entries), "limit": prof.max_files, "profile": label}
        out.append(Finding("error", "packet.files", params))
    pages = evidence_pages(entries)
    if prof.max_pages is not None and pages > prof.max_pages:
        params = {"pages": pages, "limit": prof.max_pages, "profile": label}
        out.append(Finding("error", "packet.pages", params))
    if prof.confidence == "unverified":
        out.append(Finding("warning", "packet.limits_unverified", {"profile": label}))
    if not entries:
        out.append(Finding("warning", "packet.no_files", {}))
    return out


def evidence_pages(entries: list[IndexEntry]) -> int:
    """Pages the evidence itself takes: one per image, each PDF's pages."""
    return sum(e.file.pages or 1 for e in entries)


# --- building -----------------------------------------------------------------------------


def build_packet(session: CaseSession, out_dir: Path, profile: str | None = None) -> Packet:
    """Check, then write the packet's PDF and ZIP into ``out_dir`` and record their hashes.

    Each file is written under a temporary name and renamed when complete, so a failure
    leaves no half-written packet; the event is recorded only after both files exist.

    Raises:
        EvidenceError: the check found errors (``error.packet_refused`` lists them all).
        StepNotAllowed: no open case.
        ConflictError, StoreError: recording the packet failed (the files stay written).
    """
    check = check_packet(session, profile)
    if not check.ok:
        problems = "\n".join(f"- {m}" for level, m in check.messages("en") if level == "error")
        raise EvidenceError("error.packet_refused", problems=problems, findings=check.findings)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = f"appeal-{safe_part(check.case.id)}"
    limits = session.lib.evidence_limits
    pdf_path, zip_path = out_dir / f"{stem}.pdf", out_dir / f"{stem}.zip"
    with _atomic(zip_path) as zip_tmp:
        pages = write_zip(session, check, zip_tmp, limits.image_long_side)
        content = packet_text(session, check)
        with _atomic(pdf_path) as pdf_tmp:
            count = render_packet(content, pages, pdf_tmp)
    pdf_sha, zip_sha = _sha256(pdf_path), _sha256(zip_path)
    session.record_packet(
        {
            "pdf": pdf_path.name,
            "pdf_sha256": pdf_sha,
            "zip": zip_path.name,
            "zip_sha256": zip_sha,
            "pages": count,
            "profile": check.profile_name,
            "files": [{"seq": e.file.seq, "sha256": e.file.sha256} for e in check.entries],
        }
    )
    return Packet(pdf_path, zip_path, pdf_sha, zip_sha, count, check)


def write_zip(
    session: CaseSession, check: PacketCheck, path: Path, long_side: int
) -> list[EvidencePage]:
    """Write the originals into the ZIP, one blob at a time, and prepare each PDF page.

    Each file is read from the store once: stored as it is in the ZIP, then scaled (images)
    or kept (PDFs) for the packet PDF. Returns the evidence pages in index order.
    """
    order = check.case.order_id or check.case.id
    pages: list[EvidencePage] = []
    counts: dict[str, int] = {}
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED) as zf:
        for entry in check.entries:
            f = entry.file
            blob = session.store.blob(f.sha256)
            counts[f.item_id] = counts.get(f.item_id, 0) + 1
            name = zip_name(order, f.item_id, counts[f.item_id], f.kind)
            zf.writestr(name, blob.data)
            if f.kind in IMAGE_KINDS:
                jpeg, w, h = scaled_jpeg(blob.data, long_side)
                pages.append(
                    EvidencePage(entry.number, entry.item, f, name, blob.thumb, jpeg, w, h)
                )
            else:
                pages.append(EvidencePage(entry.number, entry.item, f, name, None, blob.data))
            del blob
    return pages


def zip_name(order_id: str, item_id: str, n: int, kind: str) -> str:
    """A ZIP entry name from the order id, the evidence type and its number.

    Never the browser's name for the file.

    >>> zip_name("5f9a/../x", "product-photos", 2, "jpeg")
    '5f9a-x_product-photos_2.jpg'
    """
    return f"{safe_part(order_id)}_{safe_part(item_id)}_{n}.{EXTENSIONS[kind]}"


def safe_part(value: str) -> str:
    """Letters, digits, ``-`` and ``_`` only (runs of anything else become one ``-``)."""
    return re.sub(r"[^A-Za-z0-9_]+", "-", str(value)).strip("-")[:64] or "x"


def packet_text(session: CaseSession, check: PacketCheck) -> PacketText:
    """Everything the PDF says, as text: statement, reference, facts, timeline, labels."""
    lib, case = session.lib, check.case
    log = build_log(case, session.store.events(case.id), lib, "en")
    en = render(check.template, check.walk.facts, lib.facts, "en")
    zh = render(check.template, check.walk.facts, lib.facts, "zh")
    return PacketText(
        title=text("packet.pdf.title", "en", order=case.order_id or "—", case=case.id),
        statement=en.body,
        reference=zh.body,
        facts=log.facts,
        timeline=[(x.time, x.sentence) for x in log.entries],
        labels={
            k: text(f"packet.pdf.{k}", "en")
            for k in (
                "statement",
                "reference",
                "facts",
                "timeline",
                "index",
                "evidence",
                "proves",
                "page",
                "file",
                "pages_follow",
                "none",
            )  # fmt: skip
        },
    )


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


class _atomic:
    """A temporary file next to ``path``, renamed onto it only if the block succeeds."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __enter__(self) -> Path:
        fd, name = tempfile.mkstemp(dir=self.path.parent, prefix=".", suffix=".part")
        os.close(fd)
        self.tmp = Path(name)
        return self.tmp

    def __exit__(self, exc_type: Any, *_exc: Any) -> None:
        if exc_type is None:
            os.replace(self.tmp, self.path)
        else:
            self.tmp.unlink(missing_ok=True)
