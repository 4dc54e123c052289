"""Evidence files made at test time (Pillow, fpdf2) and a case walked to its appeal step."""

from __future__ import annotations

import functools
import io

import numpy as np
from fpdf import FPDF
from PIL import Image

from playbook.cases.session import CaseSession
from tests.store_fixtures import SAMPLE_FACTS

APPEAL_FACTS = {
    **SAMPLE_FACTS,
    "refunded_at": "2026-05-01 10:00",
    "product_name": "Blue cotton T-shirt, size M",
    "carrier": "YunExpress",
    "tracking_number": "YT2412345678901234",
}
# item-mismatch v2: we shipped correctly, the refund is open, the buyer disputes a correct
# order and refuses our evidence, so the case goes to the appeal step.
TO_APPEAL = [
    ("confirm-order", "shipped-correctly"),
    ("refund-status", "open"),
    ("contact-buyer", None),
    ("buyer-details", "correct-but-disputed"),
    ("explain-with-evidence", None),
    ("buyer-response", "refuses"),
]


@functools.cache  # the same picture for the same arguments: made once per test process
def photo(seed: int, size: tuple[int, int] = (640, 480), fmt: str = "JPEG", **save) -> bytes:
    """A photo-like picture (smooth gradient plus noise) in ``fmt``."""
    rng = np.random.default_rng(seed)
    w, h = size
    x = np.linspace(0, 255, w, dtype=np.float32)[None, :, None]
    y = np.linspace(0, 255, h, dtype=np.float32)[:, None, None]
    base = (x * 0.6 + y * 0.4 + np.array([seed * 40 % 255, 90, 160], np.float32)) % 256
    noise = rng.normal(0, 18, (h, w, 3)).astype(np.float32)
    pixels = np.clip(base + noise, 0, 255).astype(np.uint8)
    out = io.BytesIO()
    Image.fromarray(pixels, "RGB").save(
        out, fmt, **({"quality": 90} | save if fmt == "JPEG" else save)
    )
    return out.getvalue()


def pdf_doc(pages: int = 2, label: str = "Invoice INV-7731") -> bytes:
    """A text PDF of ``pages`` pages, each saying ``label`` and its page number."""
    doc = FPDF()
    doc.set_font("helvetica", size=14)
    for n in range(1, pages + 1):
        doc.add_page()
        doc.cell(0, 10, f"{label} page {n}")
    return bytes(doc.output())


def bomb_png(side: int = 8000) -> bytes:
    """A tiny PNG that decodes to ``side`` x ``side`` pixels (a decompression bomb)."""
    out = io.BytesIO()
    Image.new("1", (side, side)).save(out, "PNG", optimize=True)
    return out.getvalue()


def walk_to_appeal(session: CaseSession, facts: dict | None = None) -> None:
    """Start an item-mismatch case and answer up to its appeal step."""
    assert session.start("item-mismatch", facts or APPEAL_FACTS) == {}
    for step, option in TO_APPEAL:
        session.answer(step, option)
    assert session.walk.current.id == "prepare-appeal"
