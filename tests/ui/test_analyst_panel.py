"""The analyst page with real order files, the real triage and a real SQLite case store.

Nothing is mocked: files are the shipped sample or small CSVs cut from it in ``tmp_path``.
"""

from __future__ import annotations

import base64
import csv
import datetime as dt
import html
import re
from pathlib import Path

import pandas as pd
import pytest

from playbook.cases.records import CaseFilter
from playbook.config import REPO_ROOT
from playbook.errors import OrderFileError
from playbook.i18n import text
from playbook.orders.reader import read_orders
from playbook.orders.stats import filter_triage
from playbook.orders.triage import Triage, order_facts, triage
from playbook.scenarios.facts import parse_facts
from playbook.ui.analyst_panel import NO_ORDER, PAGE_ROWS, AnalystPanel, weekly_counts
from playbook.ui.html import esc

SAMPLE = REPO_ROOT / "data" / "sample" / "wish_orders_sample.csv"
AS_OF = "2026-11-20T12:00Z"
NOW = dt.datetime(2026, 11, 20, 12, 0, tzinfo=dt.UTC)
XSS_PRODUCT = "<img src=x onerror=alert(1)>"
XSS_BUYER = "<script>alert('buyer')</script>"


@pytest.fixture(scope="module")
def sample(lib):
    """The sample file as the core reads and triages it (the expected values)."""
    result = read_orders(SAMPLE)
    return result, triage(result.orders, AS_OF, Triage.from_library(lib))


@pytest.fixture
def now() -> dt.datetime:
    """The analyst page's clock and its store's."""
    return NOW


@pytest.fixture
def files(tmp_path: Path) -> Path:
    folder = tmp_path / "files"
    folder.mkdir()
    return folder


def make_panel(lib, store=None, files: Path | None = None, **kw) -> AnalystPanel:
    panel = AnalystPanel(lib, store=store, clock=lambda: NOW, allowed_dir=files, **kw)
    panel.as_of.value = AS_OF
    return panel


def load(panel: AnalystPanel, path: str | Path) -> AnalystPanel:
    panel.path.value = str(path)
    panel.load_button.click()
    return panel


def cut_sample(path: Path, rows: dict[int, dict[str, str]]) -> Path:
    """A small export: the sample's header and the given sample rows, with cells changed.

    The rows become file rows 2, 3, ...
    """
    with SAMPLE.open(encoding="utf-8", newline="") as fh:
        header, *body = list(csv.reader(fh))
    with path.open("w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(header)
        for source_row, changes in rows.items():
            cells = dict(zip(header, body[source_row - 2], strict=True))  # header is row 1
            out.writerow([changes.get(h, cells[h]) for h in header])
    return path


def rows_of(triaged: pd.DataFrame, scenario: str, n: int = 1) -> list[int]:
    return [int(r) for r in triaged.loc[triaged["scenario"] == scenario, "source_row"][:n]]


def upload_value(name: str, content: bytes) -> tuple[dict, ...]:
    """A FileUpload value as ipywidgets 8 builds it from the browser's message."""
    return (
        {
            "name": name,
            "type": "text/csv",
            "size": len(content),
            "content": memoryview(content),
            "last_modified": dt.datetime(2026, 11, 20, tzinfo=dt.UTC),
        },
    )


def choose(panel: AnalystPanel, source_row: int) -> None:
    panel.search.value = str(
        panel.loaded.result.orders.set_index("source_row").at[source_row, "order_id"]
    )
    panel.case_order.value = source_row


# --- loading ---------------------------------------------------------------------------------


def test_path_load_shows_counts_matching_the_import_and_triage(lib, sample) -> None:
    result, tri = sample
    panel = load(make_panel(lib), "data/sample/wish_orders_sample.csv")
    assert panel.message.value == ""
    assert "2000 rows read, 2000 imported, 0 rejected" in panel.summary.value
    assert f"{len(tri.table)} orders need a case" in panel.summary.value
    pd.testing.assert_frame_equal(panel.loaded.triaged.table, tri.table)
    counts = panel.counts.value
    assert f"<td>csv</td><td>{len(result.orders)}</td>" in counts
    for state, n in result.orders["state"].value_counts().items():
        assert f"<td>{state}</td><td>{n}</td>" in counts
    for scenario, n in tri.counts().items():
        assert f"<td>{esc(panel.scenario_label(scenario))}</td><td>{n}</td>" in counts
    for priority, n in tri.table["priority"].value_counts().items():
        assert f"<td>{priority}</td><td>{n}</td>" in counts
    assert "(no playbook yet)" not in counts  # every scenario triage names exists
    assert esc(lib.scenario("order-not-delivered").title.en) in counts
    assert f"50 of {len(tri.table)} matching orders shown" in panel.table.value
    assert panel.table.value.count("<tr>") == 51  # header + 50 rows
    assert "No row was rejected." in panel.rejects.value
    assert panel.results.layout.display == ""


def test_progress_bar_reaches_max_after_load(lib) -> None:
    panel = make_panel(lib)
    seen: list[tuple[int, int]] = []
    panel.progress.observe(lambda c: seen.append((c["new"], panel.progress.max)), names="value")
    load(panel, "data/sample/wish_orders_sample.csv")
    assert panel.progress.max == SAMPLE.stat().st_size  # CSV progress counts bytes
    assert panel.progress.value == panel.progress.max
    assert seen[-1] == (panel.progress.max, panel.progress.max)


def test_chart_counts_every_triaged_order_by_week_and_scenario(lib, sample) -> None:
    result, tri = sample
    counts, undated = weekly_counts(tri.table, result.orders)
    assert undated == 0
    assert int(counts.to_numpy().sum()) == len(tri.table)
    assert counts.sum().to_dict() == tri.counts().to_dict()
    panel = load(make_panel(lib), "data/sample/wish_orders_sample.csv")
    chart = panel.chart.value
    first_week = counts.index[0]
    assert re.fullmatch(r"\d{4}-W\d{2}", first_week)
    assert f"<td>{first_week}</td>" in chart
    assert 'class="pb-analyst-bar" style="width:' in chart


def test_chart_counts_an_order_without_release_time_by_its_order_time(sample, files, lib) -> None:
    _, tri = sample
    (row,) = rows_of(tri.table, "unfulfilled-order")
    changes = {"Available for Fulfillment Time": "", "Transaction Date": "2026-11-14 10:00:00"}
    result = read_orders(cut_sample(files / "no_release.csv", {row: changes}))
    table = triage(result.orders, AS_OF, Triage.from_library(lib)).table
    assert table["released_at"].isna().all()
    counts, undated = weekly_counts(table, result.orders)
    assert undated == 0
    assert counts.to_dict() == {"unfulfilled-order": {"2026-W46": 1}}


@pytest.mark.parametrize(
    "path",
    [
        str(SAMPLE),  # exists, but outside the allowed folder
        "data/sample/wish_orders_sample.csv",
        "files/../../../etc/passwd",
        "/etc/passwd",
    ],
)
def test_paths_outside_the_allowed_folder_are_refused(lib, files, path) -> None:
    panel = load(make_panel(lib, files=files), path)
    assert "outside" in panel.message.value
    assert "the only folder this page reads" in panel.message.value
    assert panel.loaded is None
    assert panel.results.layout.display == "none"


def test_a_link_out_of_the_allowed_folder_is_refused(lib, files) -> None:
    (files / "orders.csv").symlink_to(SAMPLE)
    panel = load(make_panel(lib, files=files), files / "orders.csv")
    assert "outside" in panel.message.value
    assert panel.loaded is None


def test_a_missing_file_and_an_empty_field_say_what_to_do(lib, files) -> None:
    panel = load(make_panel(lib, files=files), files / "nope.csv")
    assert "There is no file at" in panel.message.value
    load(panel, "  ")
    assert "or upload a file, then press Load" in panel.message.value
    assert panel.loaded is None


def test_upload_gives_the_same_result_as_the_path(lib, sample) -> None:
    result, tri = sample
    panel = make_panel(lib)
    panel.upload.value = upload_value("wish_orders_sample.csv", SAMPLE.read_bytes())
    panel.load_button.click()
    assert panel.message.value == ""
    assert panel.summary.value.startswith("<p>wish_orders_sample.csv (csv): 2000 rows read")
    pd.testing.assert_frame_equal(panel.loaded.triaged.table, tri.table)
    pd.testing.assert_frame_equal(panel.loaded.result.orders, result.orders)
    assert panel.upload.value == ()  # used up: the next Load reads the path again
    assert list(panel.tmp_dir.iterdir()) == []  # the server-side copy is gone
    panel.close()
    assert not panel.tmp_dir.exists()


def test_a_bad_file_shows_the_order_file_error_and_changes_nothing(lib, files) -> None:
    panel = load(make_panel(lib), "data/sample/wish_orders_sample.csv")
    before = (panel.loaded, panel.summary.value, panel.counts.value, panel.table.value)
    progress = (panel.progress.value, panel.progress.max)
    bad = files / "orders.csv"
    bad.write_bytes(b"\x00\x01binary\x00" * 20)
    with pytest.raises(OrderFileError) as caught:
        read_orders(bad)
    panel.upload.value = upload_value("orders.csv", bad.read_bytes())
    panel.load_button.click()
    assert esc(caught.value.render("en", file="orders.csv")) in panel.message.value
    assert str(panel.tmp_dir) not in panel.message.value
    assert (panel.loaded, panel.summary.value, panel.counts.value, panel.table.value) == before
    assert (panel.progress.value, panel.progress.max) == progress


def test_a_bad_as_of_is_refused_and_keeps_the_upload(lib) -> None:
    panel = make_panel(lib)
    panel.upload.value = upload_value("wish_orders_sample.csv", SAMPLE.read_bytes())
    panel.as_of.value = "next tuesday"
    panel.load_button.click()
    assert "&#x27;next tuesday&#x27; is not a time" in panel.message.value
    assert panel.loaded is None
    assert panel.upload.value != ()


def test_rejects_are_shown_with_row_and_reason_and_download(lib, sample, files) -> None:
    _, tri = sample
    good, other = rows_of(tri.table, "item-mismatch", 2)
    path = cut_sample(
        files / "some_bad_rows.csv",
        {good: {}, other: {"Quantity": "=1+1"}, 2: {"Transaction Date": "yesterday"}},
    )
    panel = load(make_panel(lib, files=files), path)
    assert panel.message.value == ""
    assert "3 rows read, 1 imported, 2 rejected" in panel.summary.value
    rejects = html.unescape(panel.rejects.value)
    assert "2 rows were rejected; the first 2 are shown." in rejects
    assert "<td>3</td>" in rejects  # file rows (header = 1)
    assert "<td>4</td>" in rejects
    assert text("reject.bad_quantity", "en") in rejects
    assert text("reject.bad_date", "en") in rejects
    payload = re.search(r'base64,([^"]+)"', panel.rejects.value).group(1)
    download = base64.b64decode(payload).decode("utf-8")
    assert download.startswith("\ufeffsource_row,order_id,column,value,reason,detail")
    assert ",'=1+1," in download  # the formula-safe writer neutralised the cell
    assert 'download="some_bad_rows.rejects.csv"' in panel.rejects.value


# --- the triage table ------------------------------------------------------------------------


def test_filters_narrow_the_table(lib, sample) -> None:
    _, tri = sample
    panel = load(make_panel(lib), "data/sample/wish_orders_sample.csv")
    mismatch = tri.table[tri.table["scenario"] == "item-mismatch"]
    panel.scenario_filter.value = "item-mismatch"
    assert f"50 of {len(mismatch)} matching orders" in panel.table.value
    assert "Order not fulfilled" not in panel.table.value
    assert len(panel.filtered()) == len(mismatch)
    panel.priority_filter.value = "1"
    both = mismatch[mismatch["priority"] == 1]
    assert len(panel.filtered()) == len(both)
    panel.scenario_filter.value = ""
    panel.priority_filter.value = ""
    order_id = tri.table["order_id"].iloc[7]
    panel.search.value = order_id[:10].upper()  # part of the id, any case
    assert list(panel.filtered()["order_id"]) == [order_id]
    assert f"1 of 1 matching orders shown ({len(tri.table)}" in panel.table.value
    assert [v for _, v in panel.case_order.options] == [
        NO_ORDER,
        int(tri.table["source_row"].iloc[7]),
    ]
    panel.search.value = "no-such-order"
    assert "No order matches these filters." in panel.table.value


def test_the_page_words_only_the_rows_it_shows_as_the_export_does(lib, sample) -> None:
    """Only the rows on the page are put into words, and they read as in the exported table.

    The table HTML is what the whole table (every explanation made at once, as the CSV has
    them) renders for the same filters; opening a case carries the same why.
    """
    result, tri = sample
    panel = load(make_panel(lib), "data/sample/wish_orders_sample.csv")
    triaged = panel.loaded.triaged
    out = panel._html
    for scenario, priority, query in [
        ("", "", ""),
        ("item-mismatch", "", ""),
        ("unfulfilled-order", "1", ""),
        ("", "", "a1"),
    ]:
        panel.scenario_filter.value = scenario
        panel.priority_filter.value = priority
        panel.search.value = query
        rows = filter_triage(tri.table, scenario, priority, query)
        assert len(rows) > 0
        assert panel.table.value == out.triage(rows.head(PAGE_ROWS), len(rows), len(tri.table))
        assert "; policy " in panel.table.value
    row = int(rows["source_row"].iloc[0])
    panel.case_order.value = row
    order = result.orders[result.orders["source_row"] == row].iloc[0]
    expected = order_facts(order, tri.table[tri.table["source_row"] == row].iloc[0])
    assert expected["triage_note"].startswith("state ")
    assert panel.order_facts_of(row) == expected
    assert triaged._table is None  # no other row was put into words


def test_xss_in_product_and_buyer_names_renders_escaped(lib, sample, files) -> None:
    _, tri = sample
    (row,) = rows_of(tri.table, "item-mismatch")
    path = cut_sample(files / "xss.csv", {row: {"Product": XSS_PRODUCT, "Name": XSS_BUYER}})
    panel = load(make_panel(lib, files=files), path)
    panel.case_order.value = 2  # the only row of the cut file
    rendered = panel.table.value + panel.case_hint.value
    assert esc(XSS_PRODUCT) in panel.table.value
    assert esc(XSS_BUYER) in panel.case_hint.value
    assert "<img" not in rendered
    assert "<script" not in rendered


# --- opening a case --------------------------------------------------------------------------


def test_open_a_case_saves_the_order_facts_and_the_actor(lib, sample, store) -> None:
    result, tri = sample
    (row,) = rows_of(tri.table, "item-mismatch")
    panel = load(make_panel(lib, store), "data/sample/wish_orders_sample.csv")
    choose(panel, row)
    assert panel.open_button.disabled is False
    panel.actor.value = "Ana"
    panel.store_name.value = "Harbor Lane Goods"
    panel.open_button.click()
    assert panel.message.value == ""
    order = result.orders[result.orders["source_row"] == row].iloc[0]
    (case,) = store.list_cases(CaseFilter(order_id=order["order_id"]))
    scenario = lib.scenario("item-mismatch")
    triaged = tri.table[tri.table["source_row"] == row].iloc[0]  # why: the case's triage_note
    expected, errors = parse_facts(
        scenario, lib.facts, {**order_facts(order, triaged), "store_name": "Harbor Lane Goods"}
    )
    assert expected["triage_note"].startswith("state REFUNDED; refund reason")
    assert errors == {}
    saved, _ = parse_facts(scenario, lib.facts, case.facts)
    assert saved == expected
    assert case.scenario_id == "item-mismatch"
    assert [(e.type, e.actor) for e in store.events(case.id)] == [("created", "Ana")]
    assert f"Case {case.id} opened for order {order['order_id']}" in panel.case_result.value
    assert f"<code>?case={case.id}</code>" in panel.case_result.value


def test_the_server_user_acts_when_known(lib, sample, store) -> None:
    _, tri = sample
    (row,) = rows_of(tri.table, "unfulfilled-order")
    panel = load(make_panel(lib, store, user="Bo"), "data/sample/wish_orders_sample.csv")
    assert panel.actor.disabled is True
    choose(panel, row)
    panel.store_name.value = "Harbor Lane Goods"
    panel.open_button.click()
    (case,) = store.list_cases()
    assert case.scenario_id == "unfulfilled-order"
    assert store.events(case.id)[0].actor == "Bo"


def test_missing_facts_are_named_and_no_case_is_made(lib, sample, store, files) -> None:
    _, tri = sample
    (row,) = rows_of(tri.table, "item-mismatch")
    path = cut_sample(files / "no_buyer.csv", {row: {"Name": ""}})
    panel = load(make_panel(lib, store, files=files), path)
    panel.case_order.value = 2
    panel.actor.value = "Ana"
    panel.open_button.click()  # no store name typed either
    message = html.unescape(panel.message.value)
    assert "cannot be opened yet" in message
    assert "Buyer name: required." in message
    assert "Store name: required." in message
    assert store.count_cases() == 0
    assert panel.case_result.value == ""


def test_a_forged_open_click_with_no_order_changes_nothing(lib, store) -> None:
    panel = make_panel(lib, store)
    panel.actor.value, panel.store_name.value = "Ana", "Harbor Lane Goods"
    panel.open_button.click()  # nothing loaded
    load(panel, "data/sample/wish_orders_sample.csv")
    assert panel.case_order.value == NO_ORDER
    result, hint = panel.case_result.value, panel.case_hint.value
    panel.open_button.click()
    assert store.count_cases() == 0
    assert (panel.case_result.value, panel.case_hint.value) == (result, hint)
    assert panel.message.value == ""


def test_without_a_store_the_first_step_is_shown(lib, sample) -> None:
    _, tri = sample
    (row,) = rows_of(tri.table, "unfulfilled-order")
    panel = load(make_panel(lib), "data/sample/wish_orders_sample.csv")
    choose(panel, row)
    panel.store_name.value = "Harbor Lane Goods"
    panel.open_button.click()
    first = lib.scenario("unfulfilled-order").step("find-cause").title.get("en")
    assert "Not saved" in panel.case_result.value
    assert esc(first) in panel.case_result.value


def test_language_toggle_redraws_in_chinese(lib) -> None:
    panel = load(make_panel(lib), "data/sample/wish_orders_sample.csv")
    panel.lang_toggle.value = "zh"
    assert "读取 2000 行" in panel.summary.value
    assert panel.load_button.description == "导入"
    assert panel.scenario_filter.options[0] == ("全部场景", "")
    assert "订单未履行" in panel.counts.value


def test_load_path_runs_headless_for_the_notebook(lib) -> None:
    panel = AnalystPanel(lib, clock=lambda: NOW)
    panel.load_path("data/sample/wish_orders_sample.csv", as_of=AS_OF)
    assert panel.path.value == "data/sample/wish_orders_sample.csv"
    assert panel.as_of.value == AS_OF
    assert panel.loaded.triaged.as_of == pd.Timestamp(AS_OF)
    with pytest.raises(OrderFileError, match="outside"):
        panel.load_path("pyproject.toml")
