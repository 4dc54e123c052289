"""The trainer's view: create a session (practice cases, pass mark) and get its code; see who
joined, each trainee's score and time, each item's error rate with the most common wrong
option and its feedback, every choice each trainee made in order; download CSV and XLSX.

A view of ``TrainingStore`` and ``playbook.training.report``; every text from data or from
trainees (names) is escaped. Callbacks re-check their inputs (the store validates them).
"""

from __future__ import annotations

import base64
import datetime as dt
from typing import Any

import ipywidgets as w

from playbook.cases.session import utcnow
from playbook.errors import StoreError
from playbook.i18n import text
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
from playbook.ui.html import STYLE, esc, tag
from playbook.ui.training_panel import LANGS, duration

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TABLE_STYLE = """<style>
.pb-report table { border-collapse: collapse; margin: 4px 0 12px; font-size: 13px; }
.pb-report th, .pb-report td { border: 1px solid #ccc; padding: 2px 6px; text-align: left;
  vertical-align: top; }
</style>"""


def download_link(payload: bytes, filename: str, mime: str, label: str, cls: str) -> str:
    """A link that carries the file itself (works offline, no file server)."""
    data = base64.b64encode(payload).decode("ascii")
    return (
        f'<a class="{esc(cls)}" download="{esc(filename)}" '
        f'href="data:{esc(mime)};base64,{data}">{esc(label)}</a>'
    )


def html_table(header: list[str], rows: list[list[object]], cls: str) -> str:
    """An escaped HTML table."""
    head = "".join(f"<th>{esc(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{esc(v)}</td>" for v in r) + "</tr>" for r in rows)
    return f'<table class="{esc(cls)}"><tr>{head}</tr>{body}</table>'


class TrainerPanel:
    """The trainer page as one widget tree (``panel.widget``).

    Args:
        store: a ``TrainingStore``.
        library: the library.
        lang: 'zh' or 'en'.
        user: the trainer's name when the server knows it.
    """

    def __init__(
        self,
        store: TrainingStore,
        library: Library,
        lang: str = "zh",
        user: str | None = None,
    ) -> None:
        self.store = store
        self.lib = library
        self.lang = lang if lang in ("zh", "en") else "zh"
        self._build_widgets(user)
        self.report: SessionReport | None = None
        self.render()

    def _build_widgets(self, user: str | None) -> None:
        self.header = w.HTML()
        self.lang_toggle = w.ToggleButtons(options=LANGS, value=self.lang)
        self.lang_toggle.add_class("pb-lang")
        self.message = w.HTML()
        self.message.add_class("pb-message")
        self.trainer = w.Text(value=user or "", disabled=bool(user))
        self.trainer.add_class("pb-trainer-name")
        self.cases = {
            pid: w.Checkbox(value=False, indent=False) for pid in sorted(self.lib.practice)
        }
        for pid, box in self.cases.items():
            box.add_class(f"pb-practice-{pid}")
        self.pass_mark = w.BoundedIntText(value=70, min=0, max=100)
        self.pass_mark.add_class("pb-pass-mark")
        self.create_button = w.Button(button_style="primary")
        self.create_button.add_class("pb-create")
        self.created = w.HTML()
        self.created.add_class("pb-created")
        self.view_code = w.Text()
        self.view_code.add_class("pb-view-code")
        self.refresh_button = w.Button()
        self.refresh_button.add_class("pb-refresh")
        self.report_html = w.HTML()
        self.report_html.add_class("pb-report")
        self.create_title, self.view_title = w.HTML(), w.HTML()
        self.widget = w.VBox(
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
        )
        self.widget.add_class("pb-app")
        self.lang_toggle.observe(self._on_lang_change, names="value")
        self.create_button.on_click(self._on_create_click)
        self.refresh_button.on_click(self._on_refresh_click)

    def t(self, key: str, **params: Any) -> str:
        """Catalogue text in the page's language."""
        return text(key, self.lang, **params)

    def render(self) -> None:
        """Redraw labels and the report in the current language."""
        self.header.value = (
            STYLE
            + TABLE_STYLE
            + tag("h2", esc(self.t("ui.tr.title")))
            + tag("p", esc(self.t("ui.tr.subtitle")), "pb-muted")
        )
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
            utcnow(),
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
                    to_csv(header, rows).encode("utf-8"),
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
    def _on_lang_change(self, change: dict) -> None:
        if change["new"] in ("zh", "en"):
            self.lang = change["new"]
            self.render()

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
