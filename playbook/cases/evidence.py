"""Evidence files: tell a file's type from its bytes, check it against the limits, thumbnail it.

Nothing here trusts the name or the type a browser sends: the type comes from the first bytes,
images are opened to check their size in pixels before anything is decoded (decompression
bombs), PDFs are parsed once so a corrupt one is refused at the door and never breaks a
packet later. A browser's file name is kept as text only (``display_name``); it never becomes
a path. Pure Python, no store, no widgets.

Pillow and pypdf are imported on first use: the staff page must not pay for them before the
first upload (a lighter first page, not an import cycle).
"""

from __future__ import annotations

import hashlib
import io
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from playbook.errors import EvidenceError
from playbook.i18n import text
from playbook.library.evidence_limits import IMAGE_KINDS, MB, EvidenceLimits, Profile
from playbook.scenarios.policies import UNVERIFIED_MARK

MAX_NAME = 200
THUMB_PX = 240
# What each kind is called in the ZIP and in messages.
EXTENSIONS = {"jpeg": "jpg", "png": "png", "gif": "gif", "webp": "webp", "pdf": "pdf"}
MIME = {
    "jpeg": "image/jpeg",
    "png": "image/png",
    "gif": "image/gif",
    "webp": "image/webp",
    "pdf": "application/pdf",
}
_PIL_FORMATS = {"JPEG": "jpeg", "PNG": "png", "GIF": "gif", "WEBP": "webp"}
_HEIF_BRANDS = (b"heic", b"heix", b"hevc", b"heim", b"heis", b"mif1", b"msf1", b"avif")


@dataclass(frozen=True)
class FileInfo:
    """What a checked file is: its hash, type, size, and pixels or pages."""

    sha256: str
    kind: str
    size: int
    width: int | None = None
    height: int | None = None
    pages: int | None = None

    @property
    def is_image(self) -> bool:
        """Whether the file is a picture (not a PDF)."""
        return self.kind in IMAGE_KINDS


def sniff(data: bytes) -> str | None:
    r"""The file's type from its first bytes: jpeg, png, gif, webp, pdf, heif, or None.

    >>> sniff(b"%PDF-1.7 ..."), sniff(b"\x89PNG\r\n\x1a\n..."), sniff(b"MZ\x90\x00")
    ('pdf', 'png', None)
    """
    head = bytes(data[:32])
    if head[4:8] == b"ftyp" and head[8:12] in _HEIF_BRANDS:
        return "heif"  # iPhone photos: named so the message can say "export as JPEG"
    return _sniff_taken(head)


def looks_like(data: bytes) -> str:
    r"""What a file looks like, for a refusal.

    A type ``sniff`` knows, else one of ``video``, ``word``, ``excel``, ``zip``, ``bmp``,
    ``tiff``, ``program``, ``rar``, ``7z``, ``html``, ``text``, or ``unknown`` (each has a
    name in data/i18n/evidence.yaml).

    >>> looks_like(b"MZ\x90\x00"), looks_like("订单号 123".encode()), looks_like(b"\x00\x01")
    ('program', 'text', 'unknown')
    """
    kind = sniff(data)
    if kind is not None:
        return kind
    head = bytes(data[:64])
    if head[4:8] == b"ftyp":
        return "video"  # MP4 and QuickTime share the ISO box format
    if head.startswith(b"PK\x03\x04"):
        inner = bytes(data[30:200])
        if inner.startswith(b"word/") or b"word/" in bytes(data[:4096]):
            return "word"
        if inner.startswith(b"xl/") or b"xl/" in bytes(data[:4096]):
            return "excel"
        return "zip"
    for magic, name in (
        (b"BM", "bmp"),
        (b"II*\x00", "tiff"),
        (b"MM\x00*", "tiff"),
        (b"MZ", "program"),
        (b"\x7fELF", "program"),
        (b"Rar!", "rar"),
        (b"7z\xbc\xaf", "7z"),
    ):
        if head.startswith(magic):
            return name
    sample = bytes(data[:2048])
    try:
        decoded = sample.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(sample) - 4:  # not just a character cut at the sample's end
            return "unknown"
        decoded = sample[: exc.start].decode("utf-8")
    if "\x00" in decoded or not decoded.strip():
        return "unknown"
    return "html" if decoded.lstrip().startswith("<") else "text"


def _sniff_taken(head: bytes) -> str | None:
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "gif"
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return "webp"
    if head.startswith(b"%PDF-"):
        return "pdf"
    return None


def display_name(name: str) -> str:
    r"""A browser's file name as text to show: last path part, no control characters, short.

    >>> display_name("../../etc/passwd"), display_name("C:\\fakepath\\photo 1.JPG")
    ('passwd', 'photo 1.JPG')
    """
    base = str(name or "").replace("\\", "/").rsplit("/", 1)[-1]
    clean = "".join(c for c in base if unicodedata.category(c)[0] != "C").strip()
    return clean[:MAX_NAME] or "file"


def check_file(data: bytes, profile: Profile, limits: EvidenceLimits) -> FileInfo:
    """Check one uploaded file against ``profile``; what it is, or why it is refused.

    Raises:
        EvidenceError: empty, over the profile's size limit, a type the profile does not take
            (or none we know), an image over the pixel limit or that cannot be decoded, a PDF
            that cannot be read, is encrypted or has no pages.
    """
    size = len(data)
    if size == 0:
        raise EvidenceError("error.file_empty")
    if profile.max_file_bytes is not None and size > profile.max_file_bytes:
        raise EvidenceError(
            "error.file_too_big",
            size=f"{size / MB:.1f}",
            limit=_mb(profile.max_file_mb),
            profile=profile.title.get("en"),
            profile_zh=profile.title.get("zh"),
            # a limit no source states is marked as every unverified rule is
            mark=f" {UNVERIFIED_MARK['en']}" if profile.confidence == "unverified" else "",
            mark_zh=UNVERIFIED_MARK["zh"] if profile.confidence == "unverified" else "",
        )
    kind = sniff(data)
    if kind not in profile.types:
        seen = looks_like(data)
        raise EvidenceError(
            "error.file_type",
            kind=seen,
            what=text(f"evidence.kind.{seen}", "en"),
            what_zh=text(f"evidence.kind.{seen}", "zh"),
            types=_kinds(profile.types, "en"),
            types_zh=_kinds(profile.types, "zh"),
            profile=profile.title.get("en"),
            profile_zh=profile.title.get("zh"),
        )
    sha = hashlib.sha256(data).hexdigest()
    if kind == "pdf":
        return FileInfo(sha, kind, size, pages=pdf_pages(data))
    width, height = image_size(data, kind, limits.max_image_pixels)
    return FileInfo(sha, kind, size, width=width, height=height)


def _kinds(kinds: Sequence[str], lang: str) -> str:
    names = [text(f"evidence.kind.{k}", lang) for k in kinds]
    if len(names) < 2:
        return "".join(names)
    first = text("evidence.kinds_sep", lang).join(names[:-1])
    return text("evidence.kinds_or", lang, first=first, last=names[-1])


def _pixels_refused(width: int, height: int, frames: int, max_pixels: int) -> EvidenceError:
    total = width * height * frames
    return EvidenceError(
        "error.file_pixels",
        pixels=f"{width} × {height}" + (f" × {frames}" if frames > 1 else ""),
        mp=f"{total / 1e6:,.0f}",
        limit_mp=f"{max_pixels / 1e6:g}",
    )


def _mb(value: float | None) -> str:
    return "—" if value is None else f"{value:g}"


def image_size(data: bytes, kind: str, max_pixels: int) -> tuple[int, int]:
    """Width and height of an image, checked to decode within ``max_pixels``.

    The header is read first and the pixel count checked before any pixel is decoded; then a
    small decode proves the file is whole (a truncated photo is refused here, not later).

    Raises:
        EvidenceError: not a readable image of ``kind``, or over ``max_pixels``.
    """
    from PIL import Image

    try:
        with Image.open(
            io.BytesIO(data), formats=[f for f, k in _PIL_FORMATS.items() if k == kind]
        ) as img:
            width, height = img.size
            frames = getattr(img, "n_frames", 1)
            if width * height * frames > max_pixels:
                raise _pixels_refused(width, height, frames, max_pixels)
            draft(img, THUMB_PX)
            img.load()
    except EvidenceError:
        raise
    except Image.DecompressionBombError as exc:
        # Pillow refuses to open images past twice its own limit before we can read the size;
        # its message carries the pixel count ("Image size (N pixels) exceeds limit ...")
        found = re.search(r"\((\d+) pixels\)", str(exc))
        total = int(found.group(1)) if found else 0
        raise EvidenceError(
            "error.file_pixels",
            pixels=f"{total:,}" if total else "?",
            mp=f"{total / 1e6:,.0f}" if total else "?",
            limit_mp=f"{max_pixels / 1e6:g}",
        ) from exc
    except (OSError, SyntaxError, ValueError) as exc:
        raise EvidenceError("error.file_image_broken", kind=kind, detail=str(exc)[:200]) from exc
    return width, height


def pdf_pages(data: bytes) -> int:
    """The page count of a PDF that pypdf can read and copy, else refused.

    Raises:
        EvidenceError: the PDF is damaged, encrypted, or has no pages.
    """
    from pypdf import PdfReader, PdfWriter
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise EvidenceError("error.file_pdf_encrypted")
        pages = len(reader.pages)
        if pages == 0:
            raise EvidenceError("error.file_pdf_broken", detail="no pages")
        PdfWriter(clone_from=reader).write(io.BytesIO())  # what the packet will do with it
    except EvidenceError:
        raise
    except (PyPdfError, OSError, ValueError, KeyError, TypeError, AttributeError,
            IndexError, AssertionError, RecursionError, ZeroDivisionError) as exc:  # fmt: skip
        raise EvidenceError(
            "error.file_pdf_broken", detail=str(exc)[:200] or type(exc).__name__
        ) from exc
    return pages


def scaled_jpeg(data: bytes, long_side: int, quality: int = 85) -> tuple[bytes, int, int]:
    """An image as an upright JPEG about ``long_side`` pixels on its longest side.

    JPEGs are decoded at a reduced scale straight away (``draft``: 1/2, 1/4 or 1/8, never
    below ``long_side``), so a 12-megapixel photo never sits in memory at full size; the
    result is resampled only when the draft is still more than a quarter too large. A JPEG
    already small enough and upright is returned as it is.
    """
    from PIL import Image, ImageOps

    with Image.open(io.BytesIO(data)) as img:
        rotated = _rotated(img)
        small = max(img.size) <= long_side
        if img.format == "JPEG" and small and img.mode in ("RGB", "L") and not rotated:
            return data, img.size[0], img.size[1]
        draft(img, long_side)
        out = _flat_rgb(ImageOps.exif_transpose(img) if rotated else img)
        if max(out.size) > long_side * 1.25:
            out.thumbnail((long_side, long_side), Image.Resampling.LANCZOS, reducing_gap=2.0)
        buf = io.BytesIO()
        out.save(buf, "JPEG", quality=quality)
        return buf.getvalue(), out.size[0], out.size[1]


def draft(img: Any, long_side: int) -> None:
    """Have a JPEG decode at the smallest 1/2, 1/4 or 1/8 scale that still covers ``long_side``.

    The image's longest side stays at least ``long_side``; other formats decode in full. Both
    sides of the requested size must fit, so the request keeps the image's proportions.
    """
    width, height = img.size
    k = min(1.0, long_side / max(width, height, 1))
    img.draft("RGB", (max(1, int(width * k)), max(1, int(height * k))))


def thumbnail(data: bytes, kind: str) -> bytes | None:
    """A small JPEG of an image for the page and the packet's index (None for a PDF)."""
    if kind not in IMAGE_KINDS:
        return None
    thumb, _w, _h = scaled_jpeg(data, THUMB_PX, quality=75)
    return thumb


def _rotated(img: Any) -> bool:
    try:
        return img.getexif().get(0x0112, 1) not in (1, None)
    except (OSError, ValueError):
        return False


def _flat_rgb(img: Any) -> Any:
    """RGB on white (transparent PNG and GIF corners would turn black in a JPEG)."""
    from PIL import Image

    if img.mode in ("RGBA", "LA", "P", "PA"):
        rgba = img.convert("RGBA")
        back = Image.new("RGB", rgba.size, (255, 255, 255))
        back.paste(rgba, mask=rgba.getchannel("A"))
        return back
    return img.convert("RGB") if img.mode != "RGB" else img
