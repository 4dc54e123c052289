"""Evidence files on the staff page (widgets, real SQLite store).

Upload, thumbnails, remove, build the packet; forged messages change nothing; uploaded bytes
leave widget state.
"""

from __future__ import annotations

import base64
import datetime as dt
import io
import re
import zipfile

from playbook.ui.staff_panel import StaffPanel
from tests.evidence_fixtures import TO_APPEAL, pdf_doc, photo

from .test_staff_panel import FACTS, NOW

XSS_NAME = "<img src=x onerror=alert(1)>.jpg"
MODIFIED = dt.datetime(2026, 11, 20, tzinfo=dt.UTC)
APPEAL = {**FACTS, "refunded_at": "2026-11-20 08:00", "product_name": "Mug"}


def at_appeal(lib, store) -> StaffPanel:
    panel = StaffPanel(lib, clock=lambda: NOW, lang="en", store=store, user="Ana")
    panel.nav.value = "walk"
    panel.start_view.scenario.value = "item-mismatch"
    for key, value in APPEAL.items():
        if key in panel.start_view.fact_inputs:
            panel.start_view.fact_inputs[key].value = value
    panel.start_view.start_button.click()
    for _step, option in TO_APPEAL:
        if option:
            panel.walk_view.options.value = option
        panel.walk_view.next_button.click()
    assert panel.walk.current.id == "prepare-appeal"
    return panel


def widget(panel: StaffPanel, cls: str):
    found = []

    def walk(node) -> None:
        if cls in getattr(node, "_dom_classes", ()):
            found.append(node)
        for child in getattr(node, "children", ()):
            walk(child)

    walk(panel.walk_view.evidence_box)
    assert len(found) == 1, cls
    return found[0]


def upload(panel: StaffPanel, item: str, *files: tuple[str, bytes]) -> None:
    """What the browser sends: the FileUpload's value set to the chosen files."""
    box = widget(panel, f"pb-upload-{item}")
    box.value = tuple(
        {
            "name": n,
            "type": "",
            "size": len(d),
            "content": memoryview(d),
            "last_modified": MODIFIED,
        }
        for n, d in files
    )
    assert box.value == ()  # cleared once saved: the bytes do not stay in widget state


def test_upload_attaches_and_shows_thumbnails(lib, store) -> None:
    panel = at_appeal(lib, store)
    upload(panel, "appeal-product-photos", ("front.jpg", photo(1)), (XSS_NAME, photo(2)))
    assert [f.name for f in panel.session.files()] == ["front.jpg", XSS_NAME]
    shown = widget(panel, "pb-files-appeal-product-photos").value
    assert shown.count('<img class="pb-thumb" src="data:image/jpeg;base64,') == 2
    assert "&lt;img src=x onerror=alert(1)&gt;.jpg" in shown
    assert "<img src=x" not in shown
    assert "Attached: front.jpg" in panel.message.value


def test_refused_file_is_named_and_the_rest_saved(lib, store) -> None:
    panel = at_appeal(lib, store)
    upload(
        panel,
        "appeal-tracking",
        ("evil.exe.png", b"MZ" + b"\x00" * 100),
        ("t.png", photo(3, fmt="PNG")),
    )
    assert [f.name for f in panel.session.files()] == ["t.png"]
    assert "evil.exe.png: This file looks like a program" in panel.message.value


def test_remove_button(lib, store) -> None:
    panel = at_appeal(lib, store)
    upload(panel, "appeal-correspondence", ("chat.pdf", pdf_doc(2)))
    seq = panel.session.files()[0].seq
    assert "PDF 2" in widget(panel, "pb-files-appeal-correspondence").value
    widget(panel, f"pb-remove-{seq}").click()
    assert panel.session.files() == []
    assert store.events(panel.case.id)[-1].type == "evidence_file_removed"


def test_forged_upload_on_a_step_not_shown_changes_nothing(lib, store) -> None:
    panel = at_appeal(lib, store)
    stale = widget(panel, "pb-upload-appeal-tracking")
    panel.walk_view.shown_step = "contact-buyer"  # the page shows another step now
    revision = panel.case.revision
    data = photo(4, fmt="PNG")
    stale.value = (
        {
            "name": "a.png",
            "type": "",
            "size": len(data),
            "content": memoryview(data),
            "last_modified": MODIFIED,
        },
    )
    assert stale.value == ()
    assert panel.case.revision == revision
    assert store.attachments(panel.case.id) == []


def test_build_packet_shows_messages_then_download_links(lib, store) -> None:
    panel = at_appeal(lib, store)
    widget(panel, "pb-packet").click()
    messages = widget(panel, "pb-packet-messages").value
    assert "Required evidence has no file: Item and SKU label photos" in messages
    assert widget(panel, "pb-packet-links").value == ""
    upload(panel, "appeal-product-photos", ("front.jpg", photo(1)))
    upload(panel, "appeal-tracking", ("t.png", photo(3, fmt="PNG")))
    upload(panel, "appeal-correspondence", ("chat.pdf", pdf_doc(1)))
    widget(panel, "pb-packet").click()
    links = widget(panel, "pb-packet-links").value
    found = dict(re.findall(r'download="([^"]+)" href="data:[^;]+;base64,([^"]+)"', links))
    case_id = panel.case.id
    assert sorted(found) == [f"appeal-{case_id}.pdf", f"appeal-{case_id}.zip"]
    assert base64.b64decode(found[f"appeal-{case_id}.pdf"]).startswith(b"%PDF-")
    with zipfile.ZipFile(io.BytesIO(base64.b64decode(found[f"appeal-{case_id}.zip"]))) as zf:
        assert len(zf.namelist()) == 3
    assert store.events(case_id)[-1].type == "packet_built"
