"""The appeal packet's PDF, laid out with fpdf2 and Debian's Noto Sans CJK (embedded, subset).

Order: cover (statement in English, its Chinese reference, case facts), evidence index from
page 2 (a fixed-height row per file, so its page count and every page number are known before
the evidence is laid out), then the evidence: one page per image, and for each PDF a
title page followed by the PDF's own pages (appended with pypdf); last the timeline, one
sentence per event.
"""

from __future__ import annotations

import functools
import hashlib
import io
import math
import os
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTFont
from fpdf import FPDF
from fpdf.enums import XPos, YPos
from pypdf import PdfReader, PdfWriter

from playbook.cases.files import Attachment
from playbook.config import settings
from playbook.errors import EvidenceError
from playbook.i18n import fill
from playbook.library.model import EvidenceItem

# Debian's fonts-noto-cjk (scripts/install-system-deps.sh); index 2 of the collection is SC.
FONT_FILES = (
    Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"),
    Path("/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc"),
)
FONT_SC = 2
FONT = "noto"
FULL = "noto-full"
# The packet font: Noto Sans SC cut down once per machine to ASCII, Latin-1, punctuation and the
# 6,763 GB2312 hanzi (1.5 MB instead of the 20 MB collection: loading it takes a tenth of the
# time and memory). Text with any other character also gets the full face as a fallback.
SUBSET_VERSION = 1
MARGIN = 15.0
PAGE_W, PAGE_H = 210.0, 297.0
WIDTH = PAGE_W - 2 * MARGIN
ROW_H = 27.0  # one index row
THUMB = 24.0
HEAD_H = 14.0  # the index heading on each index page


@dataclass(frozen=True)
class PacketText:
    """What the PDF says (English, with the statement's Chinese reference)."""

    title: str
    statement: str
    reference: str
    facts: Sequence[tuple[str, str]]
    timeline: Sequence[tuple[str, str]]  # (time, what happened as a sentence)
    labels: dict[str, str]


@dataclass(frozen=True)
class EvidencePage:
    """One file of the evidence, ready to lay out: a scaled JPEG, or a PDF's bytes."""

    number: int
    item: EvidenceItem
    file: Attachment
    zip_name: str
    thumb: bytes | None
    data: bytes
    width: int | None = None
    height: int | None = None

    @property
    def span(self) -> int:
        """Pages it takes in the packet: one for an image, a title page plus a PDF's pages."""
        return 1 if self.width is not None else 1 + (self.file.pages or 1)


def font_file() -> Path:
    """The Noto Sans CJK collection on this machine.

    Raises:
        EvidenceError: not installed (``scripts/install-system-deps.sh`` installs it).
    """
    for path in FONT_FILES:
        if path.is_file():
            return path
    raise EvidenceError("error.packet_font", paths=", ".join(str(p) for p in FONT_FILES))


@functools.cache
def subset_chars() -> frozenset[int]:
    """The code points of the cached packet font."""
    chars = set(range(0x20, 0x7F)) | set(range(0xA0, 0x180)) | set(range(0x2000, 0x2070))
    chars |= set(range(0x2190, 0x2200)) | set(range(0x3000, 0x3040)) | set(range(0xFF00, 0xFFF0))
    for hi in range(0xB0, 0xF8):  # GB2312 hanzi, both levels
        for lo in range(0xA1, 0xFF):
            try:
                chars.add(ord(bytes([hi, lo]).decode("gb2312")))
            except UnicodeDecodeError:
                continue
    return frozenset(chars)


def packet_font(source: Path, cache_dir: Path | None = None) -> Path:
    """The cut-down packet font, made from ``source`` on first use and kept under var/fonts.

    Written under a temporary name and renamed, so servers making it at once never read half
    a file.
    """
    folder = cache_dir or settings().var_dir / "fonts"
    stat = source.stat()
    key = hashlib.sha256(f"{source}:{stat.st_size}:{stat.st_mtime_ns}:{SUBSET_VERSION}".encode())
    path = folder / f"noto-sans-sc-packet-{key.hexdigest()[:12]}.otf"
    if path.is_file():
        return path
    folder.mkdir(parents=True, exist_ok=True)
    options = subset.Options()
    options.name_IDs, options.notdef_outline, options.hinting = ["*"], True, False
    options.layout_features = []
    cutter = subset.Subsetter(options)
    cutter.populate(unicodes=subset_chars())
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".", suffix=".otf")
    os.close(fd)
    with TTFont(str(source), fontNumber=FONT_SC, lazy=True) as font:  # closes the .ttc
        try:
            cutter.subset(font)
            font.save(tmp)
            os.replace(tmp, path)
        finally:
            Path(tmp).unlink(missing_ok=True)
    return path


def _fonts(pdf: FPDF, texts: Iterable[str]) -> None:
    """The packet font, plus the full face as fallback when a text needs it."""
    source = font_file()
    pdf.add_font(FONT, "", str(packet_font(source)))
    used = {ord(c) for t in texts for c in t if not c.isspace()}
    if used - subset_chars():
        pdf.add_font(FULL, "", str(source), collection_font_number=FONT_SC)
        pdf.set_fallback_fonts([FULL])


def render_packet(content: PacketText, pages: Sequence[EvidencePage], out: Path) -> int:
    """Write the packet PDF to ``out``; returns its page count."""
    pdf = FPDF(orientation="P", unit="mm", format="A4")
    pdf.set_margins(MARGIN, MARGIN, MARGIN)
    pdf.set_auto_page_break(True, MARGIN)
    _fonts(pdf, _texts(content, pages))
    pdf.set_title(content.title)
    _cover(pdf, content)
    index_pages = max(1, math.ceil(len(pages) / rows_per_page()))
    first = pdf.page + index_pages + 1
    starts, page_no = [], first
    for p in pages:
        starts.append(page_no)
        page_no += p.span
    _index(pdf, content, pages, starts)
    separators = _evidence(pdf, content, pages)
    _timeline(pdf, content)
    return _merge(bytes(pdf.output()), separators, out)


def _texts(content: PacketText, pages: Sequence[EvidencePage]) -> Iterator[str]:
    yield from (content.title, content.statement, content.reference, *content.labels.values())
    for pair in content.facts:
        yield from pair
    for row in content.timeline:
        yield from row
    for p in pages:
        yield from (p.item.item.get("en"), p.item.why.get("en"), p.file.name, p.zip_name)


def shows(label: str, why: str) -> str:
    """What a file shows, said once: "Shows: the right item…", never "Shows: Shows the…"."""
    if why.casefold().startswith(label.casefold()):
        return why
    return f"{label}: {why}"


def rows_per_page() -> int:
    """Index rows on one page."""
    return int((PAGE_H - 2 * MARGIN - HEAD_H) // ROW_H)


def _heading(pdf: FPDF, label: str, size: float = 13) -> None:
    pdf.set_font(FONT, "", size)
    pdf.multi_cell(WIDTH, size * 0.55, label, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(1.5)


def _body(pdf: FPDF, value: str, size: float = 10) -> None:
    pdf.set_font(FONT, "", size)
    pdf.multi_cell(WIDTH, size * 0.5, value, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(2)


def _cover(pdf: FPDF, content: PacketText) -> None:
    labels = content.labels
    pdf.add_page()
    _heading(pdf, content.title, 16)
    _heading(pdf, labels["statement"])
    _body(pdf, content.statement)
    _heading(pdf, labels["reference"])
    _body(pdf, content.reference)
    _heading(pdf, labels["facts"])
    pdf.set_font(FONT, "", 9.5)
    for label, value in content.facts:
        pdf.set_x(MARGIN)
        pdf.cell(55, 5, _fit(pdf, label, 54), new_x=XPos.RIGHT, new_y=YPos.TOP)
        pdf.multi_cell(WIDTH - 55, 5, value, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(2)


def _timeline(pdf: FPDF, content: PacketText) -> None:
    """The case's history, one sentence per line, after the evidence.

    The cover stays one page, so the index starts on page 2.
    """
    pdf.add_page()
    _heading(pdf, content.labels["timeline"])
    pdf.set_font(FONT, "", 8.5)
    for time, sentence in content.timeline:
        line = f"{time} — {sentence}"
        pdf.multi_cell(WIDTH, 4.4, line, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _index(
    pdf: FPDF, content: PacketText, pages: Sequence[EvidencePage], starts: list[int]
) -> None:
    labels = content.labels
    pdf.set_auto_page_break(False)
    per_page = rows_per_page()
    chunks = [pages[i : i + per_page] for i in range(0, len(pages), per_page)] or [[]]
    number = 0
    for chunk in chunks:
        pdf.add_page()
        _heading(pdf, labels["index"])
        pdf.set_y(MARGIN + HEAD_H)
        if not chunk:
            _body(pdf, labels["none"])
        for p in chunk:
            _index_row(pdf, labels, p, starts[number])
            number += 1
    pdf.set_auto_page_break(True, MARGIN)


def _index_row(pdf: FPDF, labels: dict[str, str], p: EvidencePage, start: int) -> None:
    y = pdf.get_y()
    _thumb(pdf, p, MARGIN, y + 1)
    x = MARGIN + THUMB + 4
    text_w = WIDTH - THUMB - 4 - 22
    rows = (
        (10.5, f"#{p.number} {p.item.item.get('en')}"),
        (8.5, shows(labels["proves"], p.item.why.get("en"))),
        (8, f"{labels['file']}: {p.zip_name} ({_size(p.file)}) — {p.file.name}"),
        (7, f"SHA-256 {p.file.sha256}"),
    )
    for n, (size, value) in enumerate(rows):
        pdf.set_font(FONT, "", size)
        pdf.set_xy(x, y + 1 + n * 5.5)
        pdf.cell(text_w, 5, _fit(pdf, value, text_w))
    pdf.set_font(FONT, "", 10.5)
    pdf.set_xy(PAGE_W - MARGIN - 22, y + 1)
    pdf.cell(22, 5, f"{labels['page']} {start}", align="R")
    pdf.set_draw_color(200, 200, 200)
    pdf.line(MARGIN, y + ROW_H - 0.5, PAGE_W - MARGIN, y + ROW_H - 0.5)
    pdf.set_xy(MARGIN, y + ROW_H)


def _thumb(pdf: FPDF, p: EvidencePage, x: float, y: float) -> None:
    if p.thumb:
        pdf.image(io.BytesIO(p.thumb), x=x, y=y, w=THUMB, h=THUMB, keep_aspect_ratio=True)
        return
    pdf.set_draw_color(120, 120, 120)
    pdf.rect(x, y, THUMB * 0.8, THUMB)
    pdf.set_font(FONT, "", 9)
    pdf.set_xy(x, y + THUMB / 2 - 5)
    pdf.cell(THUMB * 0.8, 5, "PDF", align="C")
    pdf.set_xy(x, y + THUMB / 2)
    pdf.cell(THUMB * 0.8, 5, f"{p.file.pages or '?'} p.", align="C")


def _evidence(
    pdf: FPDF, content: PacketText, pages: Sequence[EvidencePage]
) -> list[tuple[int, bytes]]:
    """Lay out the evidence pages; returns (page number, PDF bytes) of each PDF's title page."""
    labels = content.labels
    separators = []
    for p in pages:
        pdf.add_page()
        _heading(pdf, f"{labels['evidence']} {p.number}: {p.item.item.get('en')}", 12)
        _body(pdf, shows(labels["proves"], p.item.why.get("en")), 9)
        _body(pdf, f"{labels['file']}: {p.zip_name} ({_size(p.file)}) — {p.file.name}", 8)
        if p.width is None:
            _body(pdf, fill(labels["pages_follow"], pages=p.file.pages or "?"), 10)
            separators.append((pdf.page, p.data))
            continue
        top = pdf.get_y() + 2
        box_h = PAGE_H - MARGIN - top
        pdf.image(io.BytesIO(p.data), x=MARGIN, y=top, w=WIDTH, h=box_h, keep_aspect_ratio=True)
    return separators


def _merge(body: bytes, separators: list[tuple[int, bytes]], out: Path) -> int:
    """The fpdf2 pages with each PDF's pages inserted after its title page; written to out."""
    reader = PdfReader(io.BytesIO(body))
    if not separators:
        out.write_bytes(body)
        return len(reader.pages)
    after = dict(separators)
    writer = PdfWriter()
    for number, page in enumerate(reader.pages, start=1):
        writer.add_page(page)
        if number in after:
            writer.append(PdfReader(io.BytesIO(after[number])))
    with out.open("wb") as fh:
        writer.write(fh)
    return len(writer.pages)


def _fit(pdf: FPDF, value: str, width: float) -> str:
    """``value`` on one line, cut with an ellipsis to fit ``width`` mm at the current font."""
    value = " ".join(str(value).split())
    if pdf.get_string_width(value) <= width:
        return value
    lo, hi = 0, len(value)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if pdf.get_string_width(value[:mid] + "…") <= width:
            lo = mid
        else:
            hi = mid - 1
    return value[:lo] + "…"


def _size(f: Attachment) -> str:
    kb = f.size / 1024
    size = f"{kb / 1024:.1f} MB" if kb >= 1024 else f"{kb:.0f} KB"
    return f"{f.kind}, {size}"
