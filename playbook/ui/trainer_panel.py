"""The trainer's view: create training sessions and read their results.

Create a session (practice cases, pass mark) and get its code; see who joined, each trainee's
score and time, each item's error rate with the most common wrong option and its feedback,
every choice each trainee made in order; download CSV and XLSX.

A view of ``TrainingStore`` and ``playbook.training.report``; every text from data or from
trainees (names) is escaped. Callbacks re-check their inputs (the store validates them).
"""

from __future__ import annotations

import datetime as dt

import ipywidgets as w

from playbook.cases.session import utcnow
from playbook.errors import StoreError
from playbook.library.library import Library
from playbook.training.report import (
    SHOWN_COLUMNS,
    SessionReport,
    build_report,
    choices_table,
    to_csv,
    to_xlsx,
)
from playbook.training.store import TrainingStore
from playbook.ui.feedback import show_errors
from playbook.ui.html import download_link, esc, html_table, tag
from playbook.ui.page import Clock, Page, duration
from playbook.ui.widgets import button, classed, html_box

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TABLE_STYLE = """<style>
.pb-report table { border-collapse: collapse; margin: 4px 0 12px; font-size: 13px; }
.pb-report th, .pb-report td { border: 1px solid #ccc; padding: 2px 6px; text-align: left;
  vertical-align: top; }
</style>"""


class TrainerPanel(Page):
    """The trainer page as one widget tree (``panel.widget``)."""

    def __init__(
        self,
        store: TrainingStore,
        library: Library,
        lang: str = "zh",
        user: str | None = None,
        clock: Clock = utcnow,
    ) -> None:
        """Build the page.

        Args:
            store: a ``TrainingStore``.
            library: the library.
            lang: 'zh' or 'en'.
            user: the trainer's name when the server knows it.
            clock: the current UTC time (how long unfinished attempts have taken).
        """
        super().__init__(lang, clock=clock)
        self.store = store
        self.lib = library
        self._build_widgets(user)
        self.report: SessionReport | None = None
        self.render()

    def _build_widgets(self, user: str | None) -> None:
        self.trainer = classed(w.Text(value=user or "", disabled=bool(user)), "pb-trainer-name")
        self.cases = {
            pid: classed(w.Checkbox(value=False, indent=False), f"pb-practice-{pid}")
            for pid in sorted(self.lib.practice)
        }
        self.pass_mark = classed(w.BoundedIntText(value=70, min=0, max=100), "pb-pass-mark")
        self.create_button = button("pb-create", style="primary")
        self.created = html_box("pb-created")
        self.view_code = classed(w.Text(), "pb-view-code")
        self.refresh_button = button("pb-refresh")
        self.report_html = html_box("pb-report")
        self.create_title, self.view_title = w.HTML(), w.HTML()
        self.widget = classed(
            w.VBox(
                [
                    self.header,
                    self.lang_toggle,
                    self.message,
                    self.create_title,
                    self.trainer,
                    w.VBox(list(self.cases.values())),
                    self.pass_mark,
                    self.create_button,
                    self.created,
                    self.view_title,
                    w.HBox([self.view_code, self.refresh_button]),
                    self.report_html,
                ]
            ),
            "pb-app",
        )
        self.create_button.on_click(self._on_create_click)
        self.refresh_button.on_click(self._on_refresh_click)

    def render(self) -> None:
        """Redraw labels and the report in the current language."""
        self.header.value = self.heading("ui.tr.title", "ui.tr.subtitle", style=TABLE_STYLE)
        self.create_title.value = tag("h3", esc(self.t("ui.tr.create")))
        self.view_title.value = tag("h3", esc(self.t("ui.tr.results")))
        self.trainer.description = self.t("ui.tr.trainer")
        self.pass_mark.description = self.t("ui.tr.pass_mark")
        for widget in (self.trainer, self.pass_mark, self.view_code):
            widget.style.description_width = "140px"
        self.view_code.description = self.t("ui.t.code")
        self.create_button.description = self.t("ui.tr.create_button")
        self.refresh_button.description = self.t("ui.tr.refresh")
        for pid, box in self.cases.items():
            case = self.lib.practice[pid]
            scenario = self.lib.scenarios[case.scenario].title.get(self.lang)
            box.description = f"{case.title.get(self.lang)} ({scenario})"
        self.report_html.value = self._report_html() if self.report else ""

    # --- report ---------------------------------------------------------------------------

    def load_report(self, code: str) -> None:
        """Read the session's results from the store and show them."""
        session = self.store.get_session(code)
        self.report = build_report(
            self.lib,
            session,
            self.store.attempts(session.code),
            self.store.moves(session.code),
            self.clock(),
        )
        self.render()

    def _report_html(self) -> str:
        report, lang = self.report, self.lang
        session = report.session
        parts = [
            tag(
                "p",
                esc(
                    self.t(
                        "ui.tr.session_line",
                        code=session.code,
                        cases=", ".join(session.practice_ids),
                        mark=session.pass_mark,
                        trainees=len(report.trainees),
                    )
                ),
                "pb-session-line",
            ),
            tag("h3", esc(self.t("ui.tr.trainees"))),
            self._trainees_table(),
            tag("h3", esc(self.t("ui.tr.items"))),
            self._items_table(),
            tag("h3", esc(self.t("ui.tr.choices"))),
        ]
        header, rows = choices_table(report, lang)
        name = f"training-{session.code}"
        parts.append(
            tag(
                "p",
                download_link(
                    to_csv(header, rows),
                    f"{name}.csv",
                    "text/csv",
                    self.t("ui.tr.csv"),
                    "pb-csv",
                )
                + " · "
                + download_link(
                    to_xlsx(header, rows),
                    f"{name}.xlsx",
                    XLSX_MIME,
                    self.t("ui.tr.xlsx"),
                    "pb-xlsx",
                ),
                "pb-export-links",
            )
        )
        shown_header, shown = choices_table(report, lang, SHOWN_COLUMNS)
        parts.append(html_table(shown_header, shown, "pb-choices"))
        return "".join(parts)

    def _trainees_table(self) -> str:
        header = [self.t(f"ui.tr.col.{c}") for c in ("trainee", "score", "time", "done", "result")]
        rows = []
        for r in self.report.trainees:
            result = (
                self.t("ui.tr.in_progress")
                if r.passed is None
                else self.t("ui.t.pass" if r.passed else "ui.t.fail")
            )
            rows.append(
                [
                    r.trainee,
                    f"{r.score} / {r.max_score} ({r.percent:.0f}%)",
                    duration(dt.timedelta(seconds=r.seconds), self.lang),
                    f"{r.done} / {r.total}",
                    result,
                ]
            )
        return html_table(header, rows, "pb-trainees")

    def _items_table(self) -> str:
        cols = ("case", "question", "answers", "error_rate", "common_wrong", "feedback")
        header = [self.t(f"ui.tr.col.{c}") for c in cols]
        rows = []
        for s in self.report.items:
            wrong = s.common_wrong
            rows.append(
                [
                    s.practice_id,
                    s.label.get(self.lang),
                    s.answers,
                    f"{s.error_rate:.0%} ({s.wrong}/{s.answers})",
                    f"{wrong.text.get(self.lang)} (×{s.common_wrong_count})" if wrong else "-",
                    wrong.feedback.get(self.lang) if wrong else "",
                ]
            )
        return html_table(header, rows, "pb-items")

    # --- callbacks ------------------------------------------------------------------------

    @show_errors
    def _on_create_click(self, _button: w.Button) -> None:
        chosen = [pid for pid, box in self.cases.items() if box.value and pid in self.lib.practice]
        if not chosen:
            raise StoreError("error.training_no_cases")
        session = self.store.create_session(
            chosen, int(self.pass_mark.value), created_by=str(self.trainer.value)
        )
        self.created.value = tag(
            "p",
            esc(self.t("ui.tr.created")) + " " + tag("b", esc(session.code), "pb-code"),
        )
        self.view_code.value = session.code
        self.load_report(session.code)

    @show_errors
    def _on_refresh_click(self, _button: w.Button) -> None:
        code = str(self.view_code.value or "").strip()
        if not code:
            raise StoreError("error.training_unknown_code", code="")
        self.load_report(code)
