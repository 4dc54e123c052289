"""End to end: evidence files attached in the browser, the appeal packet built and downloaded.

Two photos and a PDF are attached to a case; the uploaded bytes are gone from the kernel's
widget state afterwards.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from playbook.library.library import Library
from tests.browser.conftest import StaffPage
from tests.browser.helpers import ORDER_ID, Flow, KernelSocket, ago, item_mismatch_facts, stamp
from tests.evidence_fixtures import pdf_doc, photo

pytestmark = pytest.mark.browser


def choose_file(page, item: str, path: Path) -> None:
    """Click the item's upload button, pick ``path`` in the file chooser, wait for the file."""
    with page.expect_file_chooser() as chooser:
        page.locator(f"button.pb-upload-{item}").click()
    chooser.value.set_files(str(path))
    expect(page.locator(f".pb-files-{item} .pb-file")).to_have_count(1)


def test_attach_build_and_download_the_packet(
    staff: StaffPage, lib: Library, tmp_path: Path
) -> None:
    files = {
        "front.jpg": photo(1, size=(800, 600)),
        "tracking.png": photo(2, fmt="PNG"),
        "chat.pdf": pdf_doc(2, "Chat with buyer"),
    }
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    flow = Flow(staff, lib, "item-mismatch", "zh")
    page = flow.page
    flow.switch_language("en")
    flow.start(item_mismatch_facts(refunded_at=stamp(ago(days=3)), product_name="Mug"))
    flow.answer("shipped-correctly", "refund-status")
    flow.answer("open", "contact-buyer")
    flow.next("buyer-details")
    flow.answer("correct-but-disputed", "explain-with-evidence")
    flow.next("buyer-response")
    flow.answer("refuses", "prepare-appeal")

    choose_file(page, "appeal-product-photos", tmp_path / "front.jpg")
    choose_file(page, "appeal-tracking", tmp_path / "tracking.png")
    choose_file(page, "appeal-correspondence", tmp_path / "chat.pdf")
    expect(page.locator(".pb-files-appeal-product-photos img.pb-thumb")).to_have_count(1)
    expect(page.locator(".pb-files-appeal-correspondence")).to_contain_text("chat.pdf")

    page.locator(".pb-packet").click()
    pdf_link = page.locator(".pb-packet-links a", has_text="PDF")
    expect(pdf_link).to_be_visible()
    with page.expect_download() as pdf_download:
        pdf_link.click()
    pdf = Path(pdf_download.value.path()).read_bytes()
    with page.expect_download() as zip_download:
        page.locator(".pb-packet-links a", has_text="ZIP").click()
    archive = Path(zip_download.value.path()).read_bytes()

    text = re.sub(
        r"[\s\x00]+", "", "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    )
    assert f"OrderID:{ORDER_ID}" in text
    assert "我们申请复核该订单的退款。" in text
    assert "ChatwithbuyerPage2".lower() in text.lower()
    with zipfile.ZipFile(io.BytesIO(archive)) as zf:
        assert sorted(zf.read(n) for n in zf.namelist()) == sorted(files.values())
    assert re.fullmatch(r"appeal-\w+\.pdf", pdf_download.value.suggested_filename)

    kernel_id = page.evaluate(
        "JSON.parse(document.getElementById('jupyter-config-data').textContent).kernelId"
    )
    kernel = KernelSocket(staff.url, kernel_id)
    try:
        states = kernel.states()  # JSON only: a widget still holding file bytes has buffers
    finally:
        kernel.close()
    uploads = [
        s["state"] for s in states.values() if s["state"].get("_model_name") == "FileUploadModel"
    ]
    assert len(uploads) == 4
    assert all(u["value"] == [] for u in uploads)
