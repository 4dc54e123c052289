"""HTML of the analyst page: summary, counts, rejects, weekly chart, triage rows, case hints.

No widgets and no state. Every text from an order file, the library or the analyst is escaped
here before it reaches an HTML widget; only ``Safe`` cells built here pass through as they are.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from playbook.library.library import Library
from playbook.orders.facts import triage_note
from playbook.orders.reader import ImportResult, money_text
from playbook.orders.stats import cell_text, weekly_counts
from playbook.orders.triage import TriageResult
from playbook.ui.html import Safe, download_link, esc, html_table, tag
from playbook.ui.page import Texts
from playbook.ui.widgets import ANY

NO_ORDER = -1  # the case chooser's "nothing chosen" value (source rows are never negative)
REJECT_ROWS = 20
TRIAGE_HEADERS = (
    "col_order by_scenario col_priority col_deadline by_state col_refund_reason col_product "
    "col_total col_country col_why"
).split()
ANALYST_STYLE = """
<style>
.pb-analyst-table { border-collapse: collapse; margin: 4px 16px 8px 0; font-size: 13px; }
.pb-analyst-table th, .pb-analyst-table td { border: 1px solid #ddd; padding: 2px 6px;
  text-align: left; vertical-align: top; }
.pb-analyst-table th { background: #f3f3f3; }
.pb-analyst-tables { display: flex; flex-wrap: wrap; align-items: flex-start; }
.pb-analyst-chart td { min-width: 150px; white-space: nowrap; }
.pb-analyst-bar { display: inline-block; height: 12px; background: #2f6db5;
  margin-right: 4px; vertical-align: middle; }
</style>
"""


@dataclass
class Loaded:
    """One loaded file: its name as the analyst knows it, the import, the triage."""

    name: str
    result: ImportResult
    triaged: TriageResult
    rejects_csv: str


class AnalystHtml(Texts):
    """Renders the analyst page's HTML parts in one language."""

    def __init__(self, lib: Library, lang: str) -> None:
        """Render for ``lib`` in ``lang``.

        Args:
            lib: the library (scenario titles, fact labels).
            lang: 'zh' or 'en'.
        """
        self.lib, self.lang = lib, lang

    def table(self, headers: Sequence[str], rows: Iterable[Sequence[object]], cls: str) -> str:
        """One of the page's tables (``html_table``: every cell escaped but ``Safe`` ones)."""
        return html_table(headers, rows, f"pb-analyst-table {cls}")

    def p(self, key: str, cls: str = "", /, **params: Any) -> str:
        """A paragraph of catalogue text."""
        return tag("p", esc(self.t(key, **params)), cls)

    def h3(self, key: str) -> str:
        """A heading of catalogue text."""
        return tag("h3", esc(self.t(key)))

    def scenario_label(self, scenario_id: str) -> str:
        """A scenario's title, or its id marked as having no playbook yet."""
        sc = self.lib.scenarios.get(scenario_id)
        if sc is not None:
            return sc.title.get(self.lang)
        return self.t("analyst.scenario_to_come", scenario=scenario_id)

    def summary(self, loaded: Loaded) -> str:
        """One line: the file, its format, rows read/imported/rejected, as-of, triaged."""
        res, tri = loaded.result, loaded.triaged
        return self.p(
            "analyst.summary",
            file=loaded.name,
            format=res.format,
            read=res.rows_read,
            imported=len(res.orders),
            rejected=len(res.rejects),
            as_of=tri.as_of.strftime("%Y-%m-%dT%H:%MZ"),
            triaged=len(tri.listed),
        )

    def counts(self, loaded: Loaded) -> str:
        """Count tables by format, state, scenario and priority, and unknown refund reasons."""
        res, tri, t = loaded.result, loaded.triaged, self.t
        formats = res.orders["source_format"].value_counts()
        by_format = list(formats.items()) or [(res.format, 0)]
        by_state = list(res.orders["state"].value_counts().items())
        by_scenario = [(self.scenario_label(s), n) for s, n in tri.counts().items()]
        by_priority = list(tri.listed["priority"].value_counts().sort_index().items())
        tables = [
            self.table([t(key), t("analyst.count")], rows, cls)
            for key, rows, cls in (
                ("analyst.by_format", by_format, "pb-analyst-by-format"),
                ("analyst.by_state", by_state, "pb-analyst-by-state"),
                ("analyst.by_scenario", by_scenario, "pb-analyst-by-scenario"),
                ("analyst.by_priority", by_priority, "pb-analyst-by-priority"),
            )
        ]
        out = self.h3("analyst.counts") + tag("div", "".join(tables), "pb-analyst-tables")
        if len(tri.unjudged):
            out += self.p("analyst.unjudged")
            out += self.table(
                [t("analyst.col_rule"), t("analyst.col_missing"), t("analyst.count")],
                tri.unjudged.itertuples(index=False),
                "pb-analyst-unjudged",
            )
        if len(tri.unknown_refund_sources):
            out += self.p("analyst.unknown_refund_sources")
            out += self.table(
                [t("analyst.col_refund_source"), t("analyst.count")],
                tri.unknown_refund_sources.itertuples(index=False),
                "pb-analyst-unknown-sources",
            )
        unknown = tri.unknown_reasons
        if len(unknown):
            out += self.p("analyst.unknown_reasons", count=len(unknown))
            out += self.table(
                [t("analyst.col_refund_reason"), t("analyst.count")],
                unknown.head(REJECT_ROWS).itertuples(index=False),
                "pb-analyst-unknown-reasons",
            )
        return out

    def rejects(self, loaded: Loaded) -> str:
        """The first rejected rows with their reasons, and a download link for all of them."""
        rejects, t = loaded.result.rejects, self.t
        out = self.h3("analyst.rejects")
        if not len(rejects):
            return out + self.p("analyst.rejects_none", "pb-muted")
        shown = rejects.head(REJECT_ROWS)
        out += self.p("analyst.rejects_count", total=len(rejects), shown=len(shown))
        out += self.table(
            [t(f"analyst.col_{c}") for c in ("row", "order", "column", "value", "reason")],
            (
                [
                    r.source_row,
                    cell_text(r.order_id),
                    r.column,
                    cell_text(r.value)[:80],
                    self.reason(r),
                ]
                for r in shown.itertuples(index=False)
            ),
            "pb-analyst-reject-rows",
        )
        stem = Path(loaded.name).stem or "orders"
        link = download_link(
            loaded.rejects_csv, f"{stem}.rejects.csv", "text/csv", t("analyst.rejects_download")
        )
        return out + tag("p", link)

    def reason(self, reject: Any) -> str:
        """A reject row's reason in words, with its detail when that adds anything."""
        reason = self.t(f"reject.{reject.reason}")
        detail = cell_text(reject.detail)
        return f"{reason} ({detail})" if detail and detail != reject.reason else reason

    def chart(self, loaded: Loaded) -> str:
        """Triaged orders per release week and scenario, as a table of bars."""
        counts, undated = weekly_counts(loaded.triaged.listed, loaded.result.orders)
        out = self.h3("analyst.chart")
        if counts.empty:
            return out + self.p("analyst.chart_none", "pb-muted")
        top = max(int(counts.to_numpy().max()), 1)

        def bar(n: int) -> Safe:  # width from a count only: nothing from the file goes in
            width = round(120 * n / top)
            return Safe(f'<span class="pb-analyst-bar" style="width:{width}px"></span>{n}')

        headers = [self.t("analyst.col_week"), *map(self.scenario_label, counts.columns)]
        rows = ([week, *(bar(int(n)) for n in values)] for week, values in counts.iterrows())
        out += self.table(headers, rows, "pb-analyst-chart")
        if undated:
            out += self.p("analyst.chart_undated", "pb-muted", count=undated)
        return out

    def triage(self, shown: pd.DataFrame, matched: int, total: int) -> str:
        """The triage rows shown, after a line saying how many of how many."""
        if not len(shown):
            return self.p("analyst.triage_none", "pb-muted")
        count = self.p("analyst.triage_count", shown=len(shown), total=matched, all=total)
        return count + self.table(
            [self.t(f"analyst.{k}") for k in TRIAGE_HEADERS],
            (self.row_cells(r) for r in shown.to_dict("records")),
            "pb-analyst-triage-rows",
        )

    def row_cells(self, row: dict) -> list[str]:
        """One triage row's cells as text (escaped later by ``html_table``)."""
        state = self.t(f"analyst.deadline.{row['deadline_state']}")
        due = row["due_at"]
        deadline = f"{due:%Y-%m-%d %H:%M} UTC ({state})" if cell_text(due) else state
        total = row["order_total"]
        money = (
            f"{money_text(total)} {cell_text(row['currency'])}".strip() if cell_text(total) else ""
        )
        return [
            cell_text(row["order_id"]),
            self.scenario_label(row["scenario"]),
            cell_text(row["priority"]),
            deadline,
            cell_text(row["state"]),
            cell_text(row["refund_reason"]),
            cell_text(row["product_name"]),
            money,
            cell_text(row["country"]),
            self.why(row),
        ]

    def why(self, row: dict) -> str:
        """Why the order is listed: the rule's explanation; for "needs a look" its label too."""
        note = triage_note(row, self.lang)
        if row["verdict"] == "look":
            return f"{self.t('analyst.look')}: {cell_text(row['label'])} ({note})"
        return note

    def filter_options(
        self, table: pd.DataFrame
    ) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
        """The scenario and the priority filter's choices for a triage table (``ANY`` first)."""
        scenarios = sorted(table["scenario"].unique())
        priorities = sorted(int(p) for p in table["priority"].unique())
        return (
            [(self.t("analyst.any_scenario"), ANY)]
            + [(self.scenario_label(s), s) for s in scenarios],
            [(self.t("analyst.any_priority"), ANY)] + [(str(p), str(p)) for p in priorities],
        )

    def order_choices(self, shown: pd.DataFrame) -> list[tuple[str, int]]:
        """The case chooser's choices: ``NO_ORDER``, then each shown order by its file row."""
        return [(self.t("analyst.choose_order_none"), NO_ORDER)] + [
            (
                f"{r.order_id} · {self.scenario_label(r.scenario)} · P{r.priority}",
                int(r.source_row),
            )
            for r in shown.itertuples(index=False)
        ]

    def case_hint(self, row: pd.Series | None, facts: Mapping[str, str] | None) -> str:
        """Under the order chooser: choose one, cannot open it, or the facts a case gets.

        Args:
            row: the chosen triage row, or None.
            facts: the chosen order's case facts, or None when its scenario has no playbook.
        """
        if row is None:
            return self.p("analyst.choose_hint", "pb-muted")
        if facts is None:
            note = self.t("analyst.not_openable", order=row["order_id"], scenario=row["scenario"])
            return tag("div", esc(note), "pb-deadline soon")
        asked = [ref.id for ref in self.lib.scenario(row["scenario"]).facts]
        rows = [(self.lib.facts[f].label.get(self.lang), facts[f]) for f in asked if f in facts]
        return self.p("analyst.facts_preview") + self.table(
            [self.t("caselog.fact"), self.t("caselog.value")], rows, "pb-analyst-facts"
        )

    def fact_errors(self, order_id: str, errors: Mapping[str, Any]) -> str:
        """Plain text (``error_html`` escapes it): the order's facts that cannot start a case."""
        lang = self.lang
        lines = [self.t("analyst.fact_errors", order=order_id)] + [
            "• " + err.render(lang, field=self.lib.facts[fid].label.get(lang))
            for fid, err in errors.items()
        ]
        return "\n".join(lines)

    def case_result(self, case_id: str | None, params: Mapping[str, str]) -> str:
        """After "Open a case": the case opened and its link, or (no store) its first step."""
        if case_id is None:
            return tag("div", self.p("analyst.no_store", **params), "pb-outcome")
        link = f"{esc(self.t('analyst.case_link'))} <code>{esc(f'?case={case_id}')}</code>"
        return tag(
            "div",
            self.p("analyst.case_opened", case=case_id, **params) + tag("p", link),
            "pb-outcome pb-analyst-case-opened",
        )
