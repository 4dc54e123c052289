"""Benchmark: an appeal packet with 10 phone photos of about 4 MB each (12 megapixels).

Targets: the build takes at most 3 s, and its peak memory stays under 2x the photos' total
size. Prints medians of N runs (one child process per run, modules imported and the case
opened before the clock starts) and ratios against a baseline measured in the same run: a
child that only reads the same 10 files from the store and writes them into a ZIP, the least
any packet has to do. Peak memory is the child's peak RSS during the build (VmHWM, reset just
before it through /proc/self/clear_refs; it also sees Pillow's and SQLite's allocations) minus
its RSS just before the build.

    python bench/bench_packet.py [--runs 3]
"""

from __future__ import annotations

import argparse
import io
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
from PIL import Image

from playbook.cases.packet_pdf import font_file, packet_font

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

# The way to item-mismatch's appeal step the packet tests walk (one list, kept with the data).
from tests.evidence_fixtures import TO_APPEAL  # noqa: E402  (after the sys.path line)

OUT = REPO / "bench" / "out"
PHOTOS, SIZE, QUALITY = 10, (4000, 3000), 85
FACTS = {
    "order_id": "5f1e2d3c4b5a69788796a5b4",
    "buyer_name": "Maria Lopez",
    "store_name": "Sunny Home Store",
    "order_total": "24.99",
    "currency": "USD",
    "refunded_at": "2026-11-20 08:00",
    "product_name": "Blue cotton T-shirt",
}
ITEMS = ["appeal-product-photos"] * 6 + ["appeal-tracking"] * 2 + ["appeal-correspondence"] * 2

_CHILD = """
import json, sys, tempfile, time, zipfile, datetime as dt
from pathlib import Path
from playbook.cases.packet import build_packet
from playbook.cases.session import CaseSession
from playbook.cases.sql_store import SqlStore
from playbook.load import load_library
mode, url, case_id = sys.argv[1:4]
clock = lambda: dt.datetime(2026, 11, 23, 12, tzinfo=dt.UTC)
store = SqlStore(url, now=clock)
session = CaseSession(load_library(), store, clock=clock, actor=lambda: "bench")
session.open(case_id)
def status(key):
    with open("/proc/self/status") as fh:
        return next(int(l.split()[1]) * 1024 for l in fh if l.startswith(key + ":"))
with tempfile.TemporaryDirectory() as out:
    with open("/proc/self/clear_refs", "w") as fh:
        fh.write("5")  # reset the peak (VmHWM); ru_maxrss would carry the parent's over exec
    before = status("VmRSS")
    t = time.perf_counter()
    if mode == "baseline":
        with zipfile.ZipFile(Path(out) / "x.zip", "w") as zf:
            for n, f in enumerate(session.files()):
                zf.writestr(f"{n}.jpg", store.blob(f.sha256).data)
    else:
        build_packet(session, Path(out))
    secs = time.perf_counter() - t
    peak = status("VmHWM")
print(json.dumps({"secs": secs, "peak": peak - before}))
"""


def phone_photo(seed: int) -> bytes:
    """A 12-megapixel photo-like JPEG of about 4 MB (gradient plus sensor-like noise)."""
    rng = np.random.default_rng(seed)
    w, h = SIZE
    x = np.linspace(0, 255, w, dtype=np.float32)[None, :, None]
    y = np.linspace(0, 255, h, dtype=np.float32)[:, None, None]
    base = (x * 0.6 + y * 0.4 + np.array([seed * 40 % 255, 90, 160], np.float32)) % 256
    pixels = np.clip(base + rng.normal(0, 18, (h, w, 3)).astype(np.float32), 0, 255)
    out = io.BytesIO()
    Image.fromarray(pixels.astype(np.uint8), "RGB").save(out, "JPEG", quality=QUALITY)
    return out.getvalue()


def make_case(url: str) -> tuple[str, int]:
    """A case at its appeal step with the 10 photos attached; (case id, photos' bytes)."""
    import datetime as dt

    from playbook.cases.session import CaseSession
    from playbook.cases.sql_store import SqlStore
    from playbook.load import load_library

    def clock() -> dt.datetime:
        return dt.datetime(2026, 11, 23, 12, tzinfo=dt.UTC)

    total = 0
    with SqlStore(url, now=clock) as store:
        session = CaseSession(load_library(), store, clock=clock, actor=lambda: "bench")
        assert session.start("item-mismatch", FACTS) == {}
        for step, option in TO_APPEAL:
            session.answer(step, option)
        for n, item in enumerate(ITEMS):
            data = phone_photo(n)
            total += len(data)
            session.attach(item, f"IMG_{n:04d}.JPG", data)
        return session.case.id, total


def run(mode: str, url: str, case_id: str) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", _CHILD, mode, url, case_id],
        check=True,
        capture_output=True,
        text=True,
        cwd=REPO,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=OUT) as folder:
        url = f"sqlite:///{Path(folder) / 'packet.sqlite3'}"
        case_id, total = make_case(url)
        font = packet_font(font_file())  # made once per machine, before any run is timed
        print(f"packet font: {font.name}, {font.stat().st_size / 1e6:.1f} MB")
        print(
            f"{PHOTOS} photos, {SIZE[0]}x{SIZE[1]}, {total / PHOTOS / 1e6:.2f} MB each on average"
        )
        base = [run("baseline", url, case_id) for _ in range(args.runs)]
        ours = [run("packet", url, case_id) for _ in range(args.runs)]
    b_secs = statistics.median(r["secs"] for r in base)
    o_secs = statistics.median(r["secs"] for r in ours)
    o_peak = statistics.median(r["peak"] for r in ours)
    b_peak = statistics.median(r["peak"] for r in base)
    print(f"baseline (read + zip the originals): {b_secs:.2f} s, peak +{b_peak / 1e6:.0f} MB")
    print(f"packet build: {o_secs:.2f} s (target <= 3 s), {o_secs / b_secs:.1f}x the baseline")
    print(
        f"packet peak memory: +{o_peak / 1e6:.0f} MB = {o_peak / total:.2f}x the photos "
        f"({total / 1e6:.0f} MB; target < 2), {o_peak / max(b_peak, 1):.1f}x the baseline's"
    )
    ok = o_secs <= 3 and o_peak < 2 * total
    print("targets met" if ok else "TARGET MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
