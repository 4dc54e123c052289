"""Refusals of evidence files in plain words.

The real numbers, in the page's language, and an unknown file named by what it looks like:
never Pillow's own text or "type '?'".
"""

from __future__ import annotations

import io
import zipfile

import pytest

from playbook.cases.evidence import check_file, looks_like
from playbook.errors import EvidenceError
from tests.evidence_fixtures import bomb_png, photo


@pytest.fixture
def wish(lib):
    return lib.evidence_limits.profiles["wish"], lib.evidence_limits


def refusal(data: bytes, wish) -> EvidenceError:
    profile, limits = wish
    with pytest.raises(EvidenceError) as err:
        check_file(data, profile, limits)
    return err.value


def test_an_image_past_pillows_own_limit_is_refused_with_its_real_size(wish) -> None:
    err = refusal(bomb_png(14_000), wish)  # 196 million pixels: Pillow refuses to open it
    assert err.code == "error.file_pixels"
    en, zh = err.render("en"), err.render("zh")
    assert "196,000,000 pixels (about 196 megapixels)" in en
    assert "at most 60 megapixels" in en
    assert "196,000,000 像素（约 196 百万像素）" in zh
    assert "最多可上传 60 百万像素" in zh
    for shown in (en, zh):
        assert "decompression" not in shown.lower()
        assert "DOS" not in shown


def test_an_image_past_the_playbooks_limit_says_the_same(wish) -> None:
    err = refusal(bomb_png(8_000), wish)
    assert "8000 × 8000 pixels (about 64 megapixels)" in err.render("en")


def test_a_file_too_big_names_the_limit_in_the_pages_language(wish) -> None:
    err = refusal(b"\xff\xd8\xff\xe0" + b"\x00" * (11 * 1024 * 1024), wish)
    assert err.render("en").startswith(
        "The file is 11.0 MB; the limit we check for Wish appeal is 10 MB per file (unverified)."
    )
    assert err.render("zh").startswith(
        "文件大小为 11.0 MB；我们对Wish 申诉采用的单个文件上限为 10 MB（未核实）。"
    )


def office(member: str) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr(member, "<xml/>")
    return out.getvalue()


@pytest.mark.parametrize(
    ("data", "kind", "en", "zh"),
    [
        (b"MZ\x90\x00" + b"\x00" * 200, "program", "a program", "程序文件"),
        (office("word/document.xml"), "word", "a Word document", "Word 文档"),
        (office("xl/workbook.xml"), "excel", "an Excel spreadsheet", "Excel 表格"),
        (office("notes.txt"), "zip", "a ZIP archive", "ZIP 压缩包"),
        (b"\x00\x00\x00\x20ftypisom" + b"\x00" * 100, "video", "a video", "视频"),
        ("订单 5f1e 的截图说明\n".encode(), "text", "plain text", "纯文本"),
        (b"<!doctype html><html>", "html", "a web page", "网页文件"),
        (b"\x00\x01\x02\x03" * 50, "unknown", "a file of a kind", "无法识别"),
    ],
)
def test_an_unknown_file_is_named_by_what_it_looks_like(wish, data, kind, en, zh) -> None:
    assert looks_like(data) == kind
    err = refusal(data, wish)
    assert err.code == "error.file_type"
    assert f"This file looks like {en}" in err.render("en")
    assert "?" not in err.render("en").split(".")[0]
    assert zh in err.render("zh")
    assert "JPEG 照片、PNG 图片、GIF 图片或PDF 文档" in err.render("zh")


def test_a_webp_photo_is_named(wish) -> None:
    err = refusal(photo(3, fmt="WEBP"), wish)
    assert "looks like a WebP picture" in err.render("en")
