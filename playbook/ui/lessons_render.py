"""What each view of the lessons page shows: a chart (PNG), its table and its CSV, in one language.

No widgets and no state. Each ``*_view`` turns figures from
:mod:`playbook.lessons.analytics` into a ``View``; every text from the store, the orders or the
library is escaped where it becomes HTML (``html_table``), and CSV cells that could run as
spreadsheet formulas are neutralised.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from playbook.i18n import text
from playbook.lessons import analytics as an
from playbook.lessons import charts
from playbook.library.lessons import LessonsConfig
from playbook.library.library import Library
from playbook.orders.reader import neutralise_formulas
from playbook.ui.analyst_render import html_table
from playbook.ui.html import data_link, esc, tag

LESSONS_STYLE = """
<style>
.pb-lessons .pb-analyst-table { border-collapse: collapse; margin: 4px 0 8px; font-size: 13px; }
.pb-lessons .pb-analyst-table th, .pb-lessons .pb-analyst-table td { border: 1px solid #ddd;
  padding: 2px 6px; text-align: left; }
.pb-lessons .pb-analyst-table th { background: #f3f3f3; }
.pb-kpis { display: flex; flex-wrap: wrap; gap: 8px; margin: 6px 0; }
.pb-kpi { border: 1px solid #ddd; border-radius: 4px; padding: 4px 10px; min-width: 150px; }
.pb-kpi b { display: block; font-size: 20px; }
.pb-empty { background: #eef4fb; border-left: 4px solid #2f6db5; padding: 10px 14px; }
.pb-caveat { color: #8a5a00; font-size: 13px; }
</style>
"""


@dataclass
class View:
    """One chart's content: PNG bytes (empty: nothing to draw), table HTML, CSV text."""

    png: bytes
    table_html: str
    csv: str
    filename: str


def view(png: bytes, frame: pd.DataFrame, headers: list[str], filename: str) -> View:
    """A View of ``frame`` (already in display form) under ``headers``."""
    rows = frame.astype("object").where(frame.notna(), "").to_numpy().tolist()
    table = html_table(headers, rows) if rows else ""
    csv = neutralise_formulas(frame.set_axis(headers, axis=1)).to_csv(index=False)
    return View(png, table, csv, filename)


def pct(value: float | None) -> str:
    """A share as a percentage with one decimal ('' for none)."""
    return "" if value is None or pd.isna(value) else f"{value * 100:.1f}%"


def hours(value: float | None, lang: str) -> str:
    """Hours as '5.0 h' or days as '3.0 d' from two days on ('–' for none)."""
    if value is None:
        return "–"
    if value >= 48:
        return text("lessons.days", lang, n=f"{value / 24:.1f}")
    return text("lessons.hours", lang, n=f"{value:.1f}")


class LessonsText:
    """Texts and views of the page in one language."""

    def __init__(self, lib: Library, config: LessonsConfig, lang: str) -> None:
        self.lib, self.config, self.lang = lib, config, lang

    def t(self, key: str, **params: object) -> str:
        return text(key, self.lang, **params)

    def scenario(self, scenario_id: str) -> str:
        found = self.lib.scenarios.get(scenario_id)
        return found.title.get(self.lang) if found else scenario_id

    def cause(self, cause_id: str) -> str:
        found = self.lib.root_causes.get(cause_id)
        return found.text.get(self.lang) if found else cause_id

    def value(self, raw: object) -> str:
        return str(raw) if raw not in ("", None) and not pd.isna(raw) else self.t("lessons.none")

    # --- summary -----------------------------------------------------------------------------

    def kpis(self, shown: pd.DataFrame, now_open: an.OpenNow) -> str:
        """The figure boxes: open / overdue now, appeal success, median reply and resolution."""
        appeal = an.appeal_rate(shown, self.config)
        medians = an.median_times(shown)
        rate = pct(appeal.rate) or "–"
        boxes = [
            ("lessons.kpi_cases", str(len(shown)), ""),
            ("lessons.kpi_open", str(now_open.open), ""),
            ("lessons.kpi_overdue", str(now_open.overdue), ""),
            (
                "lessons.kpi_appeal",
                rate,
                self.t(
                    "lessons.kpi_appeal_n",
                    won=appeal.won,
                    lost=appeal.lost,
                    pending=appeal.pending,
                ),
            ),
            (
                "lessons.kpi_reply",
                hours(medians.reply_hours, self.lang),
                self.t("lessons.kpi_n", n=medians.reply_cases),
            ),
            (
                "lessons.kpi_resolution",
                hours(medians.resolution_hours, self.lang),
                self.t("lessons.kpi_n", n=medians.resolution_cases),
            ),
        ]
        html = "".join(
            tag(
                "div",
                esc(self.t(k)) + tag("b", esc(v)) + tag("span", esc(n), "pb-muted"),
                "pb-kpi",
            )
            for k, v, n in boxes
        )
        return tag("div", html, "pb-kpis")

    # --- views -------------------------------------------------------------------------------

    def weekly_view(self, flow: pd.DataFrame) -> View:
        names = {s: self.scenario(s) for s in self.lib.scenarios}
        png = b""
        if len(flow):
            png = charts.weekly_chart(
                flow,
                names,
                self.t("lessons.opened"),
                self.t("lessons.closed"),
                self.t("lessons.chart_weekly"),
            )
        frame = pd.DataFrame(
            {
                "week": flow["week"].dt.strftime("%Y-%m-%d"),
                "scenario": [names.get(s, s) for s in flow["scenario_id"]],
                "opened": flow["opened"],
                "closed": flow["closed"],
            }
        )
        headers = [
            self.t(k)
            for k in (
                "lessons.col_week",
                "lessons.col_scenario",
                "lessons.opened",
                "lessons.closed",
            )
        ]
        return view(png, frame, headers, "cases-per-week.csv")

    def outcome_view(self, shown: pd.DataFrame) -> View:
        mix = an.outcome_mix(shown, self.config)
        labels = [self.config.label(c, self.lang) for c in mix["outcome"]]
        png = (
            charts.bar_chart(labels, mix["cases"], self.t("lessons.chart_outcomes"))
            if len(mix)
            else b""
        )
        frame = pd.DataFrame({"o": labels, "n": mix["cases"], "s": mix["share"].map(pct)})
        headers = [
            self.t(k) for k in ("lessons.col_outcome", "lessons.col_cases", "lessons.col_share")
        ]
        return view(png, frame, headers, "outcome-mix.csv")

    def pareto_view(self, shown: pd.DataFrame, by: str | None, cause: str | None) -> View:
        table = an.pareto(shown, by, cause)
        name = self.cause if by is None else self.value
        labels = [name(k) for k in table["key"]]
        title = self.t("lessons.chart_pareto", by=self.t(f"lessons.by_{by or 'cause'}"))
        png = b""
        if len(table):
            png = charts.bar_chart(labels, table["cases"], title, cumulative=table["cumulative"])
        frame = pd.DataFrame(
            {
                "k": labels,
                "n": table["cases"],
                "s": table["share"].map(pct),
                "c": table["cumulative"].map(pct),
            }
        )
        headers = [self.t(f"lessons.by_{by or 'cause'}")] + [
            self.t(k) for k in ("lessons.col_cases", "lessons.col_share", "lessons.col_cumulative")
        ]
        return view(png, frame, headers, f"root-causes-by-{by or 'cause'}.csv")

    def rate_view(self, rates: pd.DataFrame, by: str) -> View:
        labels = [self.value(k) for k in rates["key"]]
        drawable = rates["rate"].notna().to_numpy()
        png = b""
        if drawable.any():
            png = charts.bar_chart(
                [x for x, d in zip(labels, drawable, strict=True) if d],
                rates["rate"][drawable].astype(float).tolist(),
                self.t("lessons.chart_rate", by=self.t(f"lessons.by_{by}")),
                percent=True,
                muted=rates["few"][drawable].tolist(),
            )
        few = self.t("lessons.few_orders")
        frame = pd.DataFrame(
            {
                "k": labels,
                "d": rates["disputes"],
                "s": rates["shipped"],
                "r": [pct(r) for r in rates["rate"].astype(object)],
                "f": [few if f else "" for f in rates["few"]],
            }
        )
        headers = [self.t(f"lessons.by_{by}")] + [
            self.t(k)
            for k in (
                "lessons.col_disputes",
                "lessons.col_shipped",
                "lessons.col_rate",
                "lessons.col_caveat",
            )
        ]
        return view(png, frame, headers, f"dispute-rate-by-{by}.csv")

    def fix_view(self, effect: an.FixEffect, title: str) -> View:
        png = charts.fix_chart(
            effect.weekly,
            effect.starts_at,
            self.t("lessons.chart_fix", cause=self.cause(effect.cause), title=title),
            self.t("lessons.before"),
            self.t("lessons.after"),
        )
        weekly = effect.weekly
        frame = pd.DataFrame(
            {
                "w": weekly["week"].dt.strftime("%Y-%m-%d"),
                "p": [self.t(f"lessons.{p}") for p in weekly["period"]],
                "c": weekly["cases"],
                "t": weekly["total"],
            }
        )
        headers = [
            self.t(k)
            for k in (
                "lessons.col_week",
                "lessons.col_period",
                "lessons.col_cause_cases",
                "lessons.col_all_cases",
            )
        ]
        return view(png, frame, headers, f"fix-{effect.cause}.csv")

    def fix_summary(self, effect: an.FixEffect) -> str:
        """Before and after side by side, with the counts the rates rest on."""

        def rate(value: float | None) -> str:
            return "–" if value is None else f"{value:.2f}"

        rows = [
            [
                self.t("lessons.before"),
                effect.before_cases,
                effect.before_total,
                f"{effect.before_weeks:.1f}",
                rate(effect.before_rate),
            ],
            [
                self.t("lessons.after"),
                effect.after_cases,
                effect.after_total,
                f"{effect.after_weeks:.1f}",
                rate(effect.after_rate),
            ],
        ]
        headers = [
            self.t(k)
            for k in (
                "lessons.col_period",
                "lessons.col_cause_cases",
                "lessons.col_all_cases",
                "lessons.col_weeks",
                "lessons.col_per_week",
            )
        ]
        change = (
            ""
            if effect.change is None
            else self.t("lessons.change", pct=f"{effect.change * 100:+.0f}%")
        )
        return html_table(headers, rows) + tag("p", esc(change), "pb-fix-change")

    def csv_link(self, v: View) -> str:
        return data_link(v.csv, v.filename, "text/csv", self.t("lessons.csv"))


Renderer = Callable[[], View]
