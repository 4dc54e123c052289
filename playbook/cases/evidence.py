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
import unicodedata
from dataclasses import dataclass
from typing import Any

from playbook.errors import EvidenceError
from playbook.library.evidence_limits import IMAGE_KINDS, MB, EvidenceLimits, Profile

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
    if head[4:8] == b"ftyp" and head[8:12] in _HEIF_BRANDS:
        return "heif"  # iPhone photos: named so the message can say "export as JPEG"
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
            confidence=profile.confidence,
        )
    kind = sniff(data)
    if kind not in profile.types:
        raise EvidenceError(
            "error.file_type",
            kind=kind or "?",
            types=", ".join(profile.types),
            profile=profile.title.get("en"),
        )
    sha = hashlib.sha256(data).hexdigest()
    if kind == "pdf":
        return FileInfo(sha, kind, size, pages=pdf_pages(data))
    width, height = image_size(data, kind, limits.max_image_pixels)
    return FileInfo(sha, kind, size, width=width, height=height)


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
                raise EvidenceError(
                    "error.file_pixels",
                    pixels=f"{width}×{height}" + (f"×{frames}" if frames > 1 else ""),
                    limit=f"{max_pixels:,}",
                )
            draft(img, THUMB_PX)
            img.load()
    except EvidenceError:
        raise
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
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
