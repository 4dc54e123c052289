"""Team server under load: N signed-in people each walk a case at once (loopback only).

A real hub (deploy/jupyterhub_config.py, via tests/team_hub.py) in a temporary folder, with a
short idle-cull timeout. Each person signs up, is approved, is put in the staff group, signs
in, opens their own case on the staff page (their server is spawned, Voilà runs the page) and
walks it over the page's kernel websocket with the messages the browser would send (choose the
first option, click Next). Printed: how many finished, step latency (click -> next step on the
kernel's side: median and p95), spawn+first page time, memory per person (their server and
page kernel, RSS; the preheated pages their server's pool keeps besides, apart), and how long
until the idle culler stopped every server.

The baseline is the same step on one person's server while nobody else is signed in
(``solo``), measured in the same run: ``p95 under load / solo median`` is the ratio to read.
Bounded: every wait has a deadline; the hub is stopped by PID at the end.

    python bench/bench_team.py [--people 20] [--steps 4]
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import psutil

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from playbook.cases.roles import Identity  # noqa: E402  (after the sys.path line above)
from playbook.cases.session import CaseSession  # noqa: E402
from playbook.cases.sql_store import SqlStore  # noqa: E402
from playbook.load import load_library  # noqa: E402
from tests.browser.helpers import KernelSocket  # noqa: E402
from tests.store_fixtures import SAMPLE_FACTS  # noqa: E402
from tests.team_hub import TeamHub  # noqa: E402

PASSWORD = "Bench-pass-{n}-8841q"
READY_TIMEOUT = 300.0
CULL_TIMEOUT = 150  # seconds idle before the culler stops a server: longer than spawn + walk
# under load (the hub learns of activity only every few minutes: a shorter timeout culls
# servers in use)
CULL_EVERY = 15


@dataclass
class Person:
    """One signed-in person and what their walk measured."""

    name: str
    case_id: str
    steps: list[float] = field(default_factory=list)
    first_page: float = 0.0
    error: str = ""
    kernel_id: str = ""  # the kernel of their page (the others of their server are its pool)


def make_people(hub: TeamHub, count: int) -> list[Person]:
    """Sign up, approve, group, and give each a case of their own (started by a lead)."""
    lib = load_library()
    people = []
    with SqlStore(f"sqlite:///{hub.root / 'cases.sqlite3'}") as store:
        for n in range(count):
            name = f"staff{n:02d}"
            hub.add_person(name, PASSWORD.format(n=n), "staff")
            s = CaseSession(lib, store, identity=Identity.of("lead", "lead"))
            assert s.start("item-mismatch", SAMPLE_FACTS, assignee=name) == {}
            people.append(Person(name, s.case.id))
    return people


def open_page(hub: TeamHub, person: Person, n: int) -> KernelSocket:
    """Sign in, spawn, load the staff page on the person's case; its kernel's websocket."""
    t0 = time.perf_counter()
    session = hub.sign_in(person.name, PASSWORD.format(n=n))
    session.get(f"{hub.url}/hub/spawn", timeout=READY_TIMEOUT)
    deadline = time.monotonic() + READY_TIMEOUT
    while not (hub.api("GET", f"users/{person.name}").json()["servers"].get("", {}).get("ready")):
        if time.monotonic() > deadline:
            raise TimeoutError(f"{person.name}'s server not ready")
        time.sleep(0.5)
    url = f"{hub.url}/user/{person.name}/voila/render/staff.ipynb?lang=en&case={person.case_id}"
    page = session.get(url, timeout=READY_TIMEOUT)
    page.raise_for_status()
    kernel_id = re.search(r'"kernelId":\s*"([0-9a-f-]+)"', page.text).group(1)
    person.kernel_id = kernel_id
    person.first_page = time.perf_counter() - t0
    token = hub.api("POST", f"users/{person.name}/tokens", expires_in=3600).json()["token"]
    return KernelSocket(
        f"{hub.url}/user/{person.name}/", kernel_id, headers=[f"Authorization: token {token}"]
    )


def model(states: dict, css: str, kind: str | None = None) -> str:
    found = [
        m
        for m, s in states.items()
        if css in s["state"].get("_dom_classes", ())
        and (kind is None or s["state"]["_model_name"] == kind)
    ]
    return found[0]


def walk(kernel: KernelSocket, person: Person, steps: int) -> None:
    """Choose the first option (questions) and click Next, ``steps`` times; time each step."""
    for _ in range(steps):
        states = kernel.states()
        step_id = model(states, "pb-step")
        options = model(states, "pb-options", "RadioButtonsModel")
        if states[options]["state"].get("_options_labels"):
            kernel.send(
                "comm_msg", comm_id=options, data={"method": "update", "state": {"index": 0}}
            )
        before = states[step_id]["state"]["value"]
        t0 = time.perf_counter()
        kernel.click(model(states, "pb-next"))
        for msg in kernel.messages():
            data = msg.get("content", {}).get("data", {})
            if (
                msg["header"]["msg_type"] == "comm_msg"
                and msg["content"].get("comm_id") == step_id
                and data.get("method") == "update"
                and data.get("state", {}).get("value", before) != before
            ):
                person.steps.append(time.perf_counter() - t0)
                break
        else:
            raise TimeoutError(f"{person.name}: no next step after a click")


def run_person(hub: TeamHub, person: Person, n: int, steps: int, go: threading.Event) -> None:
    try:
        go.wait()
        kernel = open_page(hub, person, n)
        try:
            walk(kernel, person, steps)
        finally:
            kernel.close()
    except Exception as exc:  # reported in the summary: the bench must finish and say so
        person.error = f"{type(exc).__name__}: {exc}"


def server_memory(hub: TeamHub, people: list[Person]) -> dict[str, tuple[float, float]]:
    """RSS (MiB) of each person's server, by user name: (server + page kernel, its pool).

    The page kernel is the one their page was served from (its connection file names its
    id); the server's other kernels are preheated pages waiting in its pool (``TEAM_POOL``).
    """
    pages = {p.name: p.kernel_id for p in people}
    out = {}
    for user in hub.api("GET", "users").json():
        server = user["servers"].get("")
        if not server or "pid" not in server.get("state", {}) or not pages.get(user["name"]):
            continue
        try:
            proc = psutil.Process(server["state"]["pid"])
            used = proc.memory_info().rss
            pool = 0
            for child in proc.children(recursive=True):
                rss = child.memory_info().rss
                if f"kernel-{pages[user['name']]}.json" in " ".join(child.cmdline()):
                    used += rss
                else:
                    pool += rss
            out[user["name"]] = (used / 2**20, pool / 2**20)
        except psutil.Error:
            continue
    return out


def wait_culled(hub: TeamHub, limit: float) -> float:
    """Seconds until no server is running (the idle culler's work), or ``limit``."""
    t0 = time.monotonic()
    while time.monotonic() - t0 < limit:
        if not any(u["servers"] for u in hub.api("GET", "users").json()):
            return time.monotonic() - t0
        time.sleep(2)
    return float("nan")


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=20)
    parser.add_argument("--steps", type=int, default=4)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-team-") as tmp:
        env = {"TEAM_CULL_TIMEOUT": str(CULL_TIMEOUT), "TEAM_CULL_EVERY": str(CULL_EVERY)}
        hub = TeamHub(Path(tmp), env_extra=env).start()
        try:
            return measure(hub, args.people, args.steps)
        finally:
            hub.stop()
            out = REPO / "bench" / "out"
            out.mkdir(parents=True, exist_ok=True)
            (out / "team-hub.log").write_text(hub.log_path.read_text(errors="replace"))
            print(f"hub log: {out / 'team-hub.log'}")


def measure(hub: TeamHub, count: int, steps: int) -> int:
    t0 = time.perf_counter()
    people = make_people(hub, count + 1)
    solo, crowd = people[0], people[1:]
    print(
        f"{count + 1} people signed up, approved and grouped in {time.perf_counter() - t0:.1f} s"
    )
    go = threading.Event()
    go.set()
    run_person(hub, solo, 0, steps, go)  # baseline: one person, nobody else signed in
    if solo.error:
        print(f"baseline failed: {solo.error}")
        return 1
    go = threading.Event()
    threads = [
        threading.Thread(target=run_person, args=(hub, p, n + 1, steps, go), daemon=True)
        for n, p in enumerate(crowd)
    ]
    for thread in threads:
        thread.start()
    t0 = time.perf_counter()
    go.set()
    for thread in threads:
        thread.join(READY_TIMEOUT * 2)
    wall = time.perf_counter() - t0
    memory = server_memory(hub, people)
    done = [p for p in crowd if not p.error and len(p.steps) == steps]
    for p in crowd:
        if p.error:
            print(f"  {p.name}: {p.error}")
    latencies = [s for p in done for s in p.steps]
    base = statistics.median(solo.steps)
    print(f"{len(done)}/{count} people finished {steps} steps each in {wall:.1f} s (all at once)")
    if latencies:
        print(
            f"step latency: solo median {base * 1000:.0f} ms; under load median "
            f"{statistics.median(latencies) * 1000:.0f} ms, p95 {p95(latencies) * 1000:.0f} ms "
            f"(p95 / solo median = {p95(latencies) / base:.1f})"
        )
        firsts = [p.first_page for p in done]
        print(
            f"sign-in + spawn + first page: median {statistics.median(firsts):.1f} s, "
            f"max {max(firsts):.1f} s (solo {solo.first_page:.1f} s)"
        )
    if memory:
        used = [u for u, _ in memory.values()]
        pools = [pool for _, pool in memory.values()]
        print(
            "memory per person (server + page kernel, RSS): median "
            f"{statistics.median(used):.0f} MiB, max {max(used):.0f} MiB; "
            f"their pool's preheated pages besides: median {statistics.median(pools):.0f} MiB; "
            f"total {sum(used) + sum(pools):.0f} MiB for {len(used)}"
        )
    culled = wait_culled(hub, CULL_TIMEOUT * 3)
    print(f"idle servers culled (timeout {CULL_TIMEOUT} s): all stopped after {culled:.0f} s")
    print(json.dumps({"finished": len(done), "people": count, "culled_s": culled}))
    return 0 if len(done) == count and culled == culled else 1


if __name__ == "__main__":
    sys.exit(main())
