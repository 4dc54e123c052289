"""The appeal packet: its PDF, its ZIP, its check, its record; on every store and from the CLI."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from pypdf import PdfReader

from playbook.cases.packet import build_packet, check_packet
from playbook.cases.session import CaseSession
from playbook.cases.sql_store import SqlStore
from playbook.config import REPO_ROOT
from playbook.errors import EvidenceError
from tests.evidence_fixtures import APPEAL_FACTS, pdf_doc, photo, walk_to_appeal

ORDER = APPEAL_FACTS["order_id"]


@pytest.fixture
def session(lib, store, clock) -> CaseSession:
    s = CaseSession(lib, store, clock=clock, actor=lambda: "amy")
    walk_to_appeal(s)
    return s


def attach_all(s: CaseSession) -> dict[str, bytes]:
    """Two photos, a tracking screenshot (PNG) and a 2-page chat PDF: every required item."""
    files = {
        "front.jpg": photo(1),
        "label.jpg": photo(2, size=(480, 640)),
        "tracking.png": photo(3, fmt="PNG"),
        "chat.pdf": pdf_doc(2, "Chat with buyer"),
    }
    s.attach("appeal-correspondence", "chat.pdf", files["chat.pdf"])  # added first, listed last
    s.attach("appeal-product-photos", "front.jpg", files["front.jpg"])
    s.attach("appeal-product-photos", "label.jpg", files["label.jpg"])
    s.attach("appeal-tracking", "tracking.png", files["tracking.png"])
    return files


def flat(value: str) -> str:
    """Text without whitespace and NULs.

    pypdf 7 reads this font's two-byte codes with a NUL before each character (the ToUnicode
    map fpdf2 writes maps each code to one character).
    """
    return re.sub(r"[\s\x00]+", "", value)


def page_texts(path: Path) -> list[str]:
    return [flat(p.extract_text()) for p in PdfReader(path).pages]


def test_pdf_holds_statement_reference_and_index_in_order(session, lib, tmp_path) -> None:
    attach_all(session)
    packet = build_packet(session, tmp_path / "out")
    pages = page_texts(packet.pdf)
    whole = "".join(pages)
    statement = lib.templates["appeal-item-mismatch"].body
    needles = [
        flat("Dispute statement"),
        flat(f"Order ID: {ORDER}"),
        flat("We request a review of the refund on this order."),
        flat("中文参考"),
        flat(statement.zh.splitlines()[0].format(order_id=ORDER)),
        flat("我们申请复核该订单的退款。"),
        flat("Case facts"),
        flat("Evidence index"),
        flat("#1 Item and SKU label photos"),
        flat("#2 Item and SKU label photos"),
        flat("#3 Carrier tracking screenshot or link"),
        flat("#4 The conversation with the buyer"),
        flat("Timeline"),  # last, after the evidence: the cover stays one page
    ]
    at = [whole.find(n) for n in needles]
    assert -1 not in at, [n for n, i in zip(needles, at, strict=True) if i < 0]
    assert at == sorted(at)
    assert packet.pages == len(pages)


def test_index_page_numbers_point_at_the_evidence(session, tmp_path) -> None:
    attach_all(session)
    session.attach("appeal-tracking", "label.pdf", pdf_doc(3, "Carrier label"))  # entry 4 of 5
    packet = build_packet(session, tmp_path)
    pages = page_texts(packet.pdf)
    index = next(t for t in pages if t.startswith(flat("Evidence index")))
    listed = [int(n) for n in re.findall(r"page(\d+)", index)]
    assert len(listed) == 5
    for number, page in enumerate(listed, start=1):
        assert pages[page - 1].startswith(flat(f"Evidence {number}:")), (number, page)
    # each PDF's own pages follow its title page
    assert pages[listed[3]].startswith(flat("Carrier label page 1"))
    assert listed[4] == listed[3] + 4
    assert pages[listed[4]].startswith(flat("Chat with buyer page 1"))
    assert pages[listed[4] + 1].startswith(flat("Chat with buyer page 2"))
    assert packet.pages == listed[4] + 3  # and the timeline's page, last


def test_each_attached_image_appears(session, tmp_path) -> None:
    attach_all(session)
    packet = build_packet(session, tmp_path)
    reader = PdfReader(packet.pdf)
    texts = [flat(p.extract_text()) for p in reader.pages]
    evidence = [i for i, t in enumerate(texts) if re.match(r"Evidence\d+:", t)]
    images = {i: len(reader.pages[i].images) for i in evidence}
    assert images == {evidence[0]: 1, evidence[1]: 1, evidence[2]: 1, evidence[3]: 0}
    index = next(i for i, t in enumerate(texts) if t.startswith(flat("Evidence index")))
    assert len(reader.pages[index].images) == 3  # a thumbnail per image (the PDF gets a box)
    shown = reader.pages[evidence[1]].images[0].image
    assert shown.size == (480, 640)  # small photos go in at their own size, upright


def test_zip_holds_exactly_the_originals(session, tmp_path) -> None:
    files = attach_all(session)
    packet = build_packet(session, tmp_path)
    with zipfile.ZipFile(packet.zip) as zf:
        names = zf.namelist()
        got = {hashlib.sha256(zf.read(n)).hexdigest() for n in names}
    assert got == {hashlib.sha256(d).hexdigest() for d in files.values()}
    assert names == [
        f"{ORDER}_appeal-product-photos_1.jpg",
        f"{ORDER}_appeal-product-photos_2.jpg",
        f"{ORDER}_appeal-tracking_1.png",
        f"{ORDER}_appeal-correspondence_1.pdf",
    ]


def test_packet_hashes_are_recorded_in_the_history(session, store, tmp_path) -> None:
    attach_all(session)
    packet = build_packet(session, tmp_path / "out")
    last = store.events(session.case.id)[-1]
    assert last.type == "packet_built"
    assert last.payload["pdf_sha256"] == hashlib.sha256(packet.pdf.read_bytes()).hexdigest()
    assert last.payload["zip_sha256"] == hashlib.sha256(packet.zip.read_bytes()).hexdigest()
    assert [f["sha256"] for f in last.payload["files"]] == [
        e.file.sha256 for e in packet.check.entries
    ]
    assert sorted(p.name for p in packet.pdf.parent.iterdir()) == [
        packet.pdf.name,
        packet.zip.name,
    ]


# --- the check -------------------------------------------------------------------------------


def refused(session: CaseSession, out: Path, profile: str | None = None) -> list[str]:
    """Build and expect a refusal: the error codes, with nothing written or recorded."""
    revision = session.case.revision
    with pytest.raises(EvidenceError) as err:
        build_packet(session, out, profile)
    assert err.value.code == "error.packet_refused"
    assert session.case.revision == revision
    assert not out.exists() or list(out.iterdir()) == []
    return [f.code for f in err.value.params["findings"] if f.level == "error"]


def test_required_evidence_missing(session, tmp_path) -> None:
    session.attach("appeal-product-photos", "a.jpg", photo(1))
    assert refused(session, tmp_path / "out") == ["packet.missing", "packet.missing"]
    messages = check_packet(session).messages("en")
    assert ("error", "Required evidence has no file: The conversation with the buyer") in messages
    assert ("error", "必需证据尚无文件：与买家的沟通记录") in check_packet(session).messages("zh")


def test_appeal_window_closed(session, clock, tmp_path) -> None:
    attach_all(session)
    clock.advance(days=90)  # refunded 2026-05-01 10:00 + 90 days has passed
    assert refused(session, tmp_path / "out") == ["packet.window_closed"]
    text = check_packet(session).messages("en")[0][1]
    assert text == (
        "The appeal window has closed: Refund dispute closes (Merchant Managed Return store) "
        "was 2026-07-30 10:00 UTC."
    )


def test_window_unknown_is_a_warning(lib, store, clock, tmp_path) -> None:
    s = CaseSession(lib, store, clock=clock, actor=lambda: "amy")
    walk_to_appeal(s, {k: v for k, v in APPEAL_FACTS.items() if k != "refunded_at"})
    attach_all(s)
    check = check_packet(s)
    assert check.ok
    assert [f.code for f in check.findings] == [
        "packet.window_unknown",
        "packet.limits_unverified",
    ]


def test_case_must_reach_its_appeal_step(lib, store, clock, tmp_path) -> None:
    s = CaseSession(lib, store, clock=clock, actor=lambda: "amy")
    assert s.start("item-mismatch", APPEAL_FACTS) == {}
    assert refused(s, tmp_path / "out") == ["packet.not_reached"]
    assert "Dispute the refund with Wish" in check_packet(s).messages("en")[0][1]


def test_file_over_a_profiles_size_limit(session, tmp_path) -> None:
    attach_all(session)
    big = photo(4, size=(2600, 2000), quality=100)
    assert 5 * 1024 * 1024 < len(big) < 10 * 1024 * 1024  # fine for Wish, too big for Amex
    session.attach("appeal-invoice", "scan.jpg", big)
    assert check_packet(session).ok
    assert refused(session, tmp_path / "out", "amex") == ["packet.file_size"]
    assert "takes at most 5 MB per file" in check_packet(session, "amex").messages("en")[0][1]


def test_page_file_and_type_budgets(session, tmp_path) -> None:
    attach_all(session)
    session.attach("appeal-invoice", "invoice.pdf", pdf_doc(17))
    session.attach("appeal-invoice", "anim.gif", photo(5, size=(64, 64), fmt="GIF"))
    codes = refused(session, tmp_path / "out", "amex")
    assert codes == ["packet.type", "packet.files", "packet.pages"]
    texts = [m for _, m in check_packet(session, "amex").messages("en")]
    assert "The evidence is 23 pages; American Express chargeback takes at most 20 pages." in texts
    assert "6 files; American Express chargeback takes at most 5." in texts


def test_unknown_profile(session, tmp_path) -> None:
    with pytest.raises(EvidenceError) as err:
        check_packet(session, "visa")
    assert err.value.code == "error.packet_profile"


# --- the command line ------------------------------------------------------------------------


def run_cli(*args: str, db: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PLAYBOOK_DB_URL": f"sqlite:///{db}"}
    return subprocess.run(
        [sys.executable, "-m", "playbook", "packet", *args],
        capture_output=True, text=True, cwd=REPO_ROOT, env=env, check=False,
    )  # fmt: skip


def test_cli_builds_refuses_and_names_unknown_cases(lib, tmp_path) -> None:
    db = tmp_path / "cases.sqlite3"
    refunded = dt.datetime.now(dt.UTC) - dt.timedelta(days=3)  # the CLI reads the real clock
    facts = {**APPEAL_FACTS, "refunded_at": refunded.strftime("%Y-%m-%d %H:%M")}
    with SqlStore(f"sqlite:///{db}") as st:
        s = CaseSession(lib, st, actor=lambda: "amy")
        walk_to_appeal(s, facts)
        s.attach("appeal-product-photos", "a.jpg", photo(1))
        case_id = s.case.id
    out = run_cli(case_id, "--out", str(tmp_path / "out"), db=db)
    assert out.returncode == 1, out.stderr
    assert "error: Required evidence has no file: Carrier tracking screenshot" in out.stderr
    with SqlStore(f"sqlite:///{db}") as st:
        s = CaseSession(lib, st, actor=lambda: "amy")
        s.open(case_id)
        s.attach("appeal-tracking", "t.png", photo(2, fmt="PNG"))
        s.attach("appeal-correspondence", "c.pdf", pdf_doc(1))
    out = run_cli(case_id, "--out", str(tmp_path / "out"), "--actor", "cli-user", db=db)
    assert out.returncode == 0, out.stderr
    assert "warning: The file limits of Wish appeal are unverified" in out.stderr
    pdf = tmp_path / "out" / f"appeal-{case_id}.pdf"
    assert f"sha256 {hashlib.sha256(pdf.read_bytes()).hexdigest()}" in out.stdout
    with SqlStore(f"sqlite:///{db}") as st:
        last = st.events(case_id)[-1]
    assert (last.type, last.actor) == ("packet_built", "cli-user")
    missing = run_cli("nosuchid", "--out", str(tmp_path / "x"), db=db)
    assert missing.returncode == 2
    assert "nosuchid" in missing.stderr


def test_pdf_is_a_valid_document_with_the_cjk_font_embedded(session, tmp_path) -> None:
    attach_all(session)
    packet = build_packet(session, tmp_path)
    reader = PdfReader(io.BytesIO(packet.pdf.read_bytes()))
    fonts = reader.pages[0]["/Resources"]["/Font"]
    names = [str(f.get_object()["/BaseFont"]) for f in fonts.values()]
    assert any("NotoSansCJK" in n for n in names), names


def test_rare_characters_get_the_full_font(lib, store, clock, tmp_path) -> None:
    s = CaseSession(lib, store, clock=clock, actor=lambda: "amy")
    walk_to_appeal(s, {**APPEAL_FACTS, "buyer_name": "张喆"})  # 喆 is not in GB2312
    attach_all(s)
    packet = build_packet(s, tmp_path / "out")
    reader = PdfReader(packet.pdf)
    assert "张喆" in flat(reader.pages[0].extract_text())
    fonts = reader.pages[0]["/Resources"]["/Font"]
    assert len(fonts) == 2  # the packet font and the full face as fallback
