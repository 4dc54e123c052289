"""Evidence files on a case: attach, remove, bad input, one transaction; on every store."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from playbook.cases.caselog import to_markdown
from playbook.cases.evidence import display_name, sniff
from playbook.cases.session import CaseSession
from playbook.cases.sql_store import SqlStore
from playbook.config import REPO_ROOT
from playbook.errors import ConflictError, EvidenceError, StoreError
from playbook.load import check
from tests.evidence_fixtures import bomb_png, pdf_doc, photo, walk_to_appeal


@pytest.fixture
def session(lib, store, clock) -> CaseSession:
    s = CaseSession(lib, store, clock=clock, actor=lambda: "amy")
    walk_to_appeal(s)
    return s


def untouched(session: CaseSession, store, before: tuple) -> None:
    """Nothing was written: same revision, same events, no attachment."""
    case_id = session.case.id
    assert (store.get_case(case_id).revision, len(store.events(case_id))) == before
    assert session.case.revision == before[0]
    assert store.attachments(case_id, removed=True) == []


def state(session: CaseSession, store) -> tuple:
    return store.get_case(session.case.id).revision, len(store.events(session.case.id))


# --- attaching -------------------------------------------------------------------------------


def test_attach_is_an_event_and_the_file_comes_back(session, store) -> None:
    data = photo(1)
    att = session.attach("appeal-product-photos", "IMG_0001.JPG", data)
    assert (att.kind, att.size, att.sha256) == (
        "jpeg",
        len(data),
        hashlib.sha256(data).hexdigest(),
    )
    assert (att.width, att.height) == (640, 480)
    last = store.events(session.case.id)[-1]
    assert last.type == "evidence_file_added"
    assert last.seq == att.seq == session.case.revision
    assert last.payload["sha256"] == att.sha256
    assert last.payload["name"] == "IMG_0001.JPG"
    assert store.blob(att.sha256).data == data
    assert store.blob(att.sha256).thumb[:3] == b"\xff\xd8\xff"  # a JPEG thumbnail
    assert session.files() == [att]


def test_pdf_attach_counts_pages(session) -> None:
    att = session.attach("appeal-correspondence", "chat.pdf", pdf_doc(3))
    assert (att.kind, att.pages) == ("pdf", 3)


def test_identical_file_is_stored_once(session, store) -> None:
    data = photo(2)
    a = session.attach("appeal-product-photos", "a.jpg", data)
    b = session.attach("appeal-tracking", "b.jpg", data)
    assert a.sha256 == b.sha256
    assert a.seq != b.seq
    assert [f.item_id for f in session.files()] == ["appeal-product-photos", "appeal-tracking"]
    if isinstance(store, SqlStore):
        with store.engine.connect() as conn:
            assert conn.execute(sa.text("SELECT count(*) FROM blobs")).scalar() == 1
    else:
        assert len(store._blobs) == 1


def test_detach_keeps_the_history_and_the_blob(session, store) -> None:
    att = session.attach("appeal-product-photos", "a.jpg", photo(3))
    session.detach(att.seq)
    assert session.files() == []
    assert [a.removed for a in store.attachments(session.case.id, removed=True)] == [True]
    assert store.events(session.case.id)[-1].type == "evidence_file_removed"
    assert store.blob(att.sha256).size == att.size
    with pytest.raises(EvidenceError) as err:
        session.detach(att.seq)
    assert err.value.code == "error.file_not_attached"


def test_file_events_in_the_decision_log(session, store, lib) -> None:
    att = session.attach("appeal-product-photos", "a<b>.jpg", photo(4))
    log = to_markdown(session.case, store.events(session.case.id), lib, "en")
    assert "File attached" in log
    assert att.sha256 in log
    assert "a&lt;b&gt;.jpg" in log


# --- bad input -------------------------------------------------------------------------------


def test_renamed_file_is_detected_by_its_content(session) -> None:
    png = photo(5, fmt="PNG")
    assert session.attach("appeal-tracking", "screenshot.jpg", png).kind == "png"
    with pytest.raises(EvidenceError) as err:
        session.attach("appeal-tracking", "photo.jpg", b"MZ\x90\x00" + b"\x00" * 2000)
    assert err.value.code == "error.file_type"
    assert "a JPEG photo, a PNG picture, a GIF picture or a PDF document" in err.value.render("en")


def test_webp_and_heif_are_named_and_refused(session) -> None:
    webp = photo(6, fmt="WEBP")
    assert sniff(webp) == "webp"
    with pytest.raises(EvidenceError) as err:
        session.attach("appeal-tracking", "x.jpg", webp)
    assert err.value.params["kind"] == "webp"
    heif = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 100
    with pytest.raises(EvidenceError) as err:
        session.attach("appeal-tracking", "IMG_1.HEIC", heif)
    assert err.value.params["kind"] == "heif"


def test_file_over_the_size_limit_is_refused_naming_the_limit(session, store) -> None:
    before = state(session, store)
    big = b"\xff\xd8\xff\xe0" + b"\x00" * (10 * 1024 * 1024)
    with pytest.raises(EvidenceError) as err:
        session.attach("appeal-product-photos", "big.jpg", big)
    assert err.value.code == "error.file_too_big"
    assert "the limit we check for Wish appeal is 10 MB per file (unverified)" in err.value.render(
        "en"
    )
    assert "confidence" not in err.value.render("en")  # no jargon for staff
    untouched(session, store, before)


def test_decompression_bomb_is_refused(session, store) -> None:
    before = state(session, store)
    bomb = bomb_png(8000)
    assert len(bomb) < 20_000  # tiny on disk, 64 million pixels open
    with pytest.raises(EvidenceError) as err:
        session.attach("appeal-product-photos", "small.png", bomb)
    assert err.value.code == "error.file_pixels"
    assert "8000 × 8000" in err.value.render("en")
    untouched(session, store, before)


def test_truncated_photo_is_refused(session, store) -> None:
    data = photo(7)
    with pytest.raises(EvidenceError) as err:
        session.attach("appeal-product-photos", "cut.jpg", data[: len(data) // 2])
    assert err.value.code == "error.file_image_broken"


@pytest.mark.parametrize(
    "damage",
    [
        lambda d: d[: len(d) // 2],  # truncated
        lambda d: b"%PDF-1.4\n" + b"\x00garbage" * 200,  # only the header is right
        lambda d: d.replace(b"/Type /Page", b"/Type /Xage"),  # no page objects
    ],
    ids=["truncated", "garbage", "no-pages"],
)
def test_corrupt_pdf_is_refused_and_the_case_goes_on(session, store, damage) -> None:
    before = state(session, store)
    with pytest.raises(EvidenceError) as err:
        session.attach("appeal-correspondence", "chat.pdf", damage(pdf_doc(2)))
    assert err.value.code == "error.file_pdf_broken"
    untouched(session, store, before)
    assert session.attach("appeal-correspondence", "chat.pdf", pdf_doc(2)).pages == 2


def test_item_must_belong_to_the_scenario(session, store) -> None:
    before = state(session, store)
    with pytest.raises(EvidenceError) as err:
        session.attach("tracking-screenshot", "x.jpg", photo(8))  # unfulfilled-order's item
    assert err.value.code == "error.file_item"
    untouched(session, store, before)


def test_browser_file_name_is_text_never_a_path(session) -> None:
    att = session.attach("appeal-product-photos", "../../../etc/cron.d/x\x00.jpg", photo(9))
    assert att.name == "x.jpg"
    assert display_name("C:\\fakepath\\IMG 1.jpg") == "IMG 1.jpg"
    assert display_name("\n\t") == "file"


def test_conflict_writes_nothing(lib, session, store, clock) -> None:
    other = CaseSession(lib, store, clock=clock, actor=lambda: "bob")
    other.open(session.case.id)
    other.note("I was first")
    revision = store.get_case(session.case.id).revision
    with pytest.raises(ConflictError):
        session.attach("appeal-product-photos", "a.jpg", photo(10))
    assert store.get_case(session.case.id).revision == revision
    assert store.attachments(session.case.id) == []


# --- one transaction -------------------------------------------------------------------------


REFUSE_SQLITE = (
    "CREATE TRIGGER refuse BEFORE INSERT ON attachments "
    "BEGIN SELECT RAISE(ABORT, 'disk says no'); END"
)
REFUSE_PG = [
    "CREATE FUNCTION refuse() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'disk says no'; "
    "END $$ LANGUAGE plpgsql",
    "CREATE TRIGGER refuse BEFORE INSERT ON attachments FOR EACH ROW EXECUTE FUNCTION refuse()",
]


def test_a_refused_write_leaves_nothing_half_written(lib, sql_store, clock) -> None:
    s = CaseSession(lib, sql_store, clock=clock, actor=lambda: "amy")
    walk_to_appeal(s)
    before = state(s, sql_store)
    sqlite = sql_store.engine.dialect.name == "sqlite"
    with sql_store.engine.begin() as conn:
        for sql in [REFUSE_SQLITE] if sqlite else REFUSE_PG:
            conn.execute(sa.text(sql))
    with pytest.raises(StoreError) as err:
        s.attach("appeal-product-photos", "a.jpg", photo(11))
    assert "disk says no" in str(err.value)
    untouched(s, sql_store, before)
    with sql_store.engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM blobs")).scalar() == 0


# --- the limits file -------------------------------------------------------------------------


def test_limits_file_problems_name_file_and_line(data_copy: Path) -> None:
    path = data_copy / "evidence_limits.yaml"
    text = path.read_text(encoding="utf-8")
    paypal = "en: PayPal dispute}\n    types: [jpeg, png, gif, pdf]"
    assert paypal in text
    path.write_text(text.replace(paypal, "en: PayPal dispute}\n    types: [jpeg, bmp]"))
    _, problems = check(data_copy)
    assert [str(p) for p in problems] == [
        "data/evidence_limits.yaml:38: profiles.paypal.types.1: "
        "Input should be 'jpeg', 'png', 'gif', 'webp' or 'pdf'"
    ]
    out = subprocess.run(
        [sys.executable, "-m", "playbook", "check", str(data_copy)],
        capture_output=True, text=True, cwd=REPO_ROOT, check=False,
    )  # fmt: skip
    assert out.returncode == 1
    assert "evidence_limits.yaml:38" in out.stdout


def test_every_scenario_platform_needs_a_limits_profile(data_copy: Path) -> None:
    path = data_copy / "evidence_limits.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("  wish:\n", "  wsh:\n", 1))
    _, problems = check(data_copy)
    assert [str(p) for p in problems] == [
        "data/evidence_limits.yaml:21: profiles: no profile for platform 'wish', "
        "which scenarios are written for"
    ]


def test_limits_without_source_must_be_unverified(data_copy: Path) -> None:
    path = data_copy / "evidence_limits.yaml"
    text = path.read_text(encoding="utf-8").replace(
        "confidence: unverified", "confidence: high", 1
    )
    path.write_text(text, encoding="utf-8")
    _, problems = check(data_copy)
    assert any("must say confidence: unverified" in str(p) for p in problems), problems


def test_missing_limits_file_is_a_problem(data_copy: Path) -> None:
    (data_copy / "evidence_limits.yaml").unlink()
    _, problems = check(data_copy)
    assert [str(p) for p in problems] == ["data/evidence_limits.yaml: file not found"]
