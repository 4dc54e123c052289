"""The appeal packet reads well.

The index starts on page 2, each file says once what it shows, and the timeline is sentences
(never "Answer: done; next: …").
"""

from __future__ import annotations

from pypdf import PdfReader

from playbook.cases.packet import build_packet
from tests.cases.test_packet import attach_all, flat, session  # noqa: F401 (a fixture)


def test_the_index_starts_on_page_two_and_the_timeline_is_sentences(
    session,  # noqa: F811 (the fixture imported above)
    tmp_path,
) -> None:
    attach_all(session)
    packet = build_packet(session, tmp_path / "out")
    reader = PdfReader(packet.pdf)
    texts = [flat(p.extract_text()) for p in reader.pages]
    assert texts[1].startswith(flat("Evidence index"))  # page 2: no half-empty cover page
    whole = "".join(texts)
    assert flat("Shows: Shows") not in whole
    assert flat("Shows the right item") in whole or flat("Shows") in whole
    timeline = texts[-1]
    assert timeline.startswith(flat("Timeline"))
    assert flat("amy opened the case (playbook version") in timeline
    assert flat("amy answered “") in timeline
    assert flat("The next step was “") in timeline
    assert flat("Answer:") not in timeline
    assert flat("; next:") not in timeline


def test_what_a_file_shows_is_said_once() -> None:
    from playbook.cases.packet_pdf import shows

    once = "Shows the right item was shipped."
    assert shows("Shows", once) == once
    assert shows("Shows", "The label matches the order.") == "Shows: The label matches the order."
