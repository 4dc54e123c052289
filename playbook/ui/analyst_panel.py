"""The analyst page: load an order file, see its triage at a glance, open a case for an order.

Holds no rules: ``orders.read_orders`` reads the file, ``triage.triage`` judges it, and a case
starts through a ``CaseSession`` (the same start as the staff page). Paths and uploads are
untrusted: only files under one allowed folder are read, and uploads are copied into the
panel's own temp folder.
Widgets and callbacks only: the HTML is built in ``analyst_render``.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
import shutil
import tempfile
import weakref
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import ipywidgets as w
import pandas as pd

from playbook.cases.memory_store import MemoryStore
from playbook.cases.records import TRAINING_ACTOR
from playbook.cases.roles import Identity
from playbook.cases.session import CaseSession, utcnow
from playbook.cases.store import CaseStore
from playbook.config import REPO_ROOT
from playbook.errors import OrderFileError
from playbook.library.library import Library
from playbook.orders.facts import order_facts
from playbook.orders.paths import folder_label, order_file_under
from playbook.orders.reader import read_orders, write_table
from playbook.orders.stats import filter_triage, parse_as_of, weekly_counts
from playbook.orders.triage import Triage, triage
from playbook.ui.analyst_render import ANALYST_STYLE, NO_ORDER, AnalystHtml, Loaded
from playbook.ui.feedback import error_html, show_errors
from playbook.ui.html import esc
from playbook.ui.page import Clock, Page
from playbook.ui.widgets import ANY, button, classed, html_box, quiet, relabel, text_box

PAGE_ROWS = 50  # triage rows shown (and offered for a case) at a time
_SUFFIX_RE = re.compile(r"\.[a-z0-9]{1,5}")

# Tests and callers import weekly_counts, Loaded, ANY and NO_ORDER from here.
__all__ = ["ANY", "NO_ORDER", "PAGE_ROWS", "AnalystPanel", "Loaded", "weekly_counts"]


class AnalystPanel(Page):
    """The whole analyst page as one widget tree (``panel.widget``)."""

    def __init__(
        self,
        library: Library,
        store: CaseStore | None = None,
        clock: Clock = utcnow,
        lang: str = "en",
        user: str | None = None,
        *,
        identity: Identity | None = None,
        allowed_dir: str | Path | None = None,
    ) -> None:
        """Build the page (results stay hidden until a file is loaded).

        Args:
            library: scenarios and facts.
            store: the case store "Open a case" saves to; default a ``MemoryStore`` (the case
                is not kept: the page shows its first step and says it was not saved).
            clock: returns the current UTC time (default "as of", and when a case starts).
            lang: 'en' (default) or 'zh'.
            user: the acting person when the server knows it; otherwise the page asks.
            identity: the signed-in person on a team server: they are the actor (``user`` is
                ignored) and the case session checks their roles when a case is started.
            allowed_dir: the only folder typed paths may point into (default: the repo's data/).
        """
        super().__init__(lang, default_lang="en", clock=clock, toggle="pb-analyst-lang")
        self.identity = identity
        user = identity.name if identity is not None else user
        self.lib = library
        self.store: CaseStore = store or MemoryStore(now=clock)
        self.user = user or (None if self.store.durable else TRAINING_ACTOR)
        self.allowed_dir = Path(allowed_dir or REPO_ROOT / "data").resolve()
        self.loaded: Loaded | None = None
        self._rules: Triage | None = None
        self._busy = False  # filters are being reset by the page, not the user
        self._seq = itertools.count(1)
        self._tmp: Path | None = None
        self._cleanup: weakref.finalize | None = None

        self._build_load_widgets()
        self._build_result_widgets(user)
        self._lay_out()
        self._wire()
        self.render()

    def _build_load_widgets(self) -> None:
        """What picks and reads a file (the header and message area come from ``Page``)."""
        self.header.add_class("pb-analyst-header")
        self.message.add_class("pb-analyst-message")
        self.path_label = html_box("pb-analyst-label")
        self.as_of_label = html_box("pb-analyst-label")
        self.path = text_box("pb-analyst-path")
        self.upload = classed(
            w.FileUpload(accept=".csv,.txt,.xlsx,.json", multiple=False), "pb-analyst-upload"
        )
        as_of = self.clock().astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%MZ")
        self.as_of = text_box("pb-analyst-as-of", "200px", value=as_of)
        self.load_button = button("pb-analyst-load", style="primary")
        self.progress = classed(w.IntProgress(min=0, max=1, value=0), "pb-analyst-progress")

    def _build_result_widgets(self, user: str | None) -> None:
        """Counts, rejects, triage table with filters, chart, and "open a case"."""
        self.summary, self.counts = html_box("pb-analyst-summary"), html_box("pb-analyst-counts")
        self.rejects, self.chart = html_box("pb-analyst-rejects"), html_box("pb-analyst-chart")
        self.triage_title, self.case_title = html_box("pb-analyst-h"), html_box("pb-analyst-h")
        self.scenario_filter = classed(
            w.Dropdown(options=[(ANY, ANY)], value=ANY), "pb-analyst-filter-scenario"
        )
        self.priority_filter = classed(
            w.Dropdown(options=[(ANY, ANY)], value=ANY), "pb-analyst-filter-priority"
        )
        self.search = text_box("pb-analyst-search", "220px", continuous_update=False)
        self.table = html_box("pb-analyst-triage")
        self.case_order = classed(
            w.Dropdown(options=[(ANY, NO_ORDER)], value=NO_ORDER), "pb-analyst-case-order"
        )
        self.case_order.layout.width = "520px"
        self.case_hint = html_box("pb-analyst-case-hint")
        self.actor_label = html_box("pb-analyst-label")
        self.store_name_label = html_box("pb-analyst-label")
        self.actor = text_box("pb-analyst-actor", "260px", value=user or "", disabled=bool(user))
        self.store_name = text_box("pb-analyst-store-name", "260px")
        self.open_button = button("pb-analyst-open", style="primary")
        self.open_button.disabled = True
        self.case_result = html_box("pb-analyst-case-result")

    def _lay_out(self) -> None:
        who = [self.actor_label, self.actor] if self.store.durable else []
        self.results = w.VBox(
            [
                self.summary,
                self.counts,
                self.rejects,
                self.triage_title,
                w.HBox([self.scenario_filter, self.priority_filter, self.search]),
                self.table,
                self.chart,
                self.case_title,
                self.case_order,
                self.case_hint,
                w.HBox([*who, self.store_name_label, self.store_name]),
                self.open_button,
                self.case_result,
            ]
        )
        self.results.add_class("pb-analyst-results")
        load_box = w.VBox(
            [
                w.HBox([self.path_label, self.path, self.upload]),
                w.HBox([self.as_of_label, self.as_of, self.load_button, self.progress]),
            ]
        )
        load_box.add_class("pb-analyst-load-box")
        self.widget = w.VBox([self.header, self.lang_toggle, load_box, self.message, self.results])
        self.widget.add_class("pb-app")
        self.widget.add_class("pb-analyst")

    def _wire(self) -> None:
        self.load_button.on_click(self._on_load_click)
        for box in (self.scenario_filter, self.priority_filter, self.search):
            box.observe(self._on_filter_change, names="value")
        self.case_order.observe(self._on_case_order_change, names="value")
        self.open_button.on_click(self._on_open_click)

    @property
    def _html(self) -> AnalystHtml:
        return AnalystHtml(self.lib, self.lang)

    @property
    def tmp_dir(self) -> Path:
        """The panel's own folder for uploaded files and downloads (made on first use)."""
        if self._tmp is None:
            self._tmp = Path(tempfile.mkdtemp(prefix="pb-analyst-"))
            self._cleanup = weakref.finalize(self, shutil.rmtree, self._tmp, ignore_errors=True)
        return self._tmp

    def close(self) -> None:
        """Remove the panel's temporary folder now (it also goes when the panel does)."""
        if self._cleanup is not None:
            self._cleanup()

    # --- loading -----------------------------------------------------------------------------

    def load_path(self, path: str | Path, as_of: str | None = None) -> None:
        """Read an order file under the allowed folder and show its triage.

        Args:
            path: relative to the project folder (``data/...``) or absolute.
            as_of: ISO time deadlines are judged at (default: the page's "as of" field).

        Raises:
            OrderFileError: the path is outside the allowed folder, no file is there, or the
                file cannot be read as an order file. Nothing on the page changes then.
            PlaybookError: ``as_of`` is not a time.
        """
        when = parse_as_of(self.as_of.value if as_of is None else as_of)
        shown = str(path).strip()
        self._load(order_file_under(shown, self.allowed_dir), shown, when)
        self.path.value = shown
        if as_of is not None:
            self.as_of.value = str(as_of).strip()

    def load_upload(self, value: Sequence[Mapping[str, Any]], as_of: str | None = None) -> None:
        """Read an uploaded file (a ``FileUpload`` value) and show its triage.

        Raises:
            OrderFileError: the upload is empty or cannot be read as an order file.
            PlaybookError: ``as_of`` is not a time.
        """
        when = parse_as_of(self.as_of.value if as_of is None else as_of)
        entry = value[-1] if value else None
        try:
            content = bytes(entry["content"])
        except (KeyError, TypeError) as exc:
            raise OrderFileError("analyst.error.upload") from exc
        name = Path(str(entry.get("name") or "upload")).name[:120] or "upload"
        suffix = Path(name).suffix.lower()
        # The name is untrusted: only a plain suffix survives into the server-side file name.
        target = (
            self.tmp_dir
            / f"upload-{next(self._seq)}{suffix if _SUFFIX_RE.fullmatch(suffix) else ''}"
        )
        target.write_bytes(content)
        try:
            self._load(target, name, when)
        finally:
            target.unlink(missing_ok=True)

    def _load(self, path: Path, name: str, as_of: pd.Timestamp) -> None:
        before = (self.progress.max, self.progress.value)
        self.progress.value = 0
        try:
            result = read_orders(path, progress=self._progress)
            if self._rules is None:
                self._rules = Triage.from_library(self.lib)
            triaged = triage(result.orders, as_of, self._rules, lang=self.lang)
        except Exception as err:
            self.progress.value, self.progress.max = 0, before[0]
            self.progress.value = before[1]
            if isinstance(err, OrderFileError) and "file" in err.params:
                err.params["file"] = name  # the name the analyst knows, not a server-side path
            raise
        rejects_csv = ""
        if len(result.rejects):
            out = write_table(result.rejects, self.tmp_dir / f"rejects-{next(self._seq)}.csv")
            rejects_csv = out.read_text(encoding="utf-8")
            out.unlink()
        self.loaded = Loaded(name, result, triaged, rejects_csv)
        self.progress.value = self.progress.max
        self.case_result.value = ""
        self._busy = True
        try:
            self.scenario_filter.value = self.priority_filter.value = ANY
            self.search.value = ""
        finally:
            self._busy = False
        self._render_results()

    def _progress(self, done: int, total: int) -> None:
        total = max(int(total), 1)
        if self.progress.max != total:
            self.progress.value, self.progress.max = 0, total
        self.progress.value = max(0, min(int(done), total))

    # --- rendering ---------------------------------------------------------------------------

    def render(self) -> None:
        """Redraw the page in the current language."""
        t, out = self.t, self._html
        self.header.value = self.heading("analyst.title", "analyst.subtitle", style=ANALYST_STYLE)
        self.path_label.value = esc(t("analyst.path"))
        self.path.placeholder = t("analyst.path_placeholder")
        self.upload.description = t("analyst.upload")
        self.as_of_label.value = esc(t("analyst.as_of"))
        self.load_button.description = t("analyst.load")
        self.progress.description = t("analyst.reading")
        self.triage_title.value = out.h3("analyst.triage")
        self.search.placeholder = t("analyst.search_placeholder")
        self.case_title.value = out.h3("analyst.open_case")
        self.actor_label.value = esc(t("ui.actor"))
        self.actor.placeholder = t("ui.actor_placeholder")
        fact = self.lib.facts.get("store_name")
        self.store_name_label.value = esc(fact.label.get(self.lang) if fact else "store_name")
        self.open_button.description = t("analyst.open")
        self._render_results()

    def scenario_label(self, scenario_id: str) -> str:
        """A scenario's title, or its id marked as having no playbook yet."""
        return self._html.scenario_label(scenario_id)

    def _render_results(self) -> None:
        loaded = self.loaded
        self.results.layout.display = "" if loaded else "none"
        if loaded is None:
            return
        out = self._html
        self.summary.value = out.summary(loaded)
        self.counts.value = out.counts(loaded)
        self.rejects.value = out.rejects(loaded)
        self.chart.value = out.chart(loaded)
        self._render_table()

    def filtered(self) -> pd.DataFrame:
        """The triage rows that pass the filters (widget values are untrusted input)."""
        return filter_triage(
            self.loaded.triaged.listed,
            self.scenario_filter.value,
            self.priority_filter.value,
            self.search.value,
        )

    def _render_table(self) -> None:
        out, table = self._html, self.loaded.triaged.listed
        self._busy = True
        try:
            by_scenario, by_priority = out.filter_options(table)
            relabel(self.scenario_filter, by_scenario)
            relabel(self.priority_filter, by_priority)
        finally:
            self._busy = False
        rows = self.filtered()
        shown = self.loaded.triaged.explained(rows.head(PAGE_ROWS))  # words for these only
        self.table.value = out.triage(shown, len(rows), len(table))
        relabel(self.case_order, out.order_choices(shown))
        self._render_case()

    # --- opening a case ----------------------------------------------------------------------

    def _triaged_row(self, source_row: object) -> pd.Series | None:
        if self.loaded is None or not isinstance(source_row, int) or source_row == NO_ORDER:
            return None
        triaged = self.loaded.triaged
        hit = triaged.listed[triaged.listed["source_row"] == source_row]
        return triaged.explained(hit).iloc[0] if len(hit) else None

    def order_facts_of(self, source_row: int) -> dict[str, str]:
        """The case facts of the loaded order from file row ``source_row``.

        With why triage listed it; never its contact details.
        """
        orders = self.loaded.result.orders
        return order_facts(
            orders[orders["source_row"] == source_row].iloc[0],
            self._triaged_row(source_row),
            self.lang,
        )

    def _render_case(self) -> None:
        row = self._triaged_row(self.case_order.value)
        openable = row is not None and row["scenario"] in self.lib.scenarios
        self.open_button.disabled = not openable
        facts = self.order_facts_of(int(row["source_row"])) if openable else None
        self.case_hint.value = self._html.case_hint(row, facts)

    def acting(self) -> str:
        """Who is acting: the server's user if known, else the name typed on the page."""
        return self.user or str(self.actor.value)

    @show_errors
    def _on_open_click(self, _button: w.Button) -> None:
        row = self._triaged_row(self.case_order.value)
        if row is None:  # nothing chosen (also a forged click on the disabled button)
            return
        order_id, lang = str(row["order_id"]), self.lang
        self.case_result.value = ""
        if row["scenario"] not in self.lib.scenarios:
            self.message.value = error_html(
                self.t("analyst.not_openable", order=order_id, scenario=row["scenario"])
            )
            return
        raw = {
            **self.order_facts_of(int(row["source_row"])),
            "store_name": str(self.store_name.value),
        }
        session = CaseSession(
            self.lib, self.store, clock=self.clock, actor=self.acting, identity=self.identity
        )
        errors = session.start(row["scenario"], raw, order_id=order_id)
        if errors:
            self.message.value = error_html(self._html.fact_errors(order_id, errors))
            return
        params = {
            "order": order_id,
            "scenario": session.walk.scenario.title.get(lang),
            "step": session.walk.current.title.get(lang),
        }
        saved = session.case.id if self.store.durable else None
        self.case_result.value = self._html.case_result(saved, params)

    # --- callbacks ---------------------------------------------------------------------------

    @show_errors
    def _on_load_click(self, _button: w.Button) -> None:
        as_of = str(self.as_of.value)
        if self.upload.value:
            parse_as_of(as_of)  # a bad time keeps the upload for the next try
            upload, self.upload.value = self.upload.value, ()
            self.load_upload(upload, as_of)
        elif str(self.path.value).strip():
            self.load_path(self.path.value, as_of)
        else:
            raise OrderFileError("analyst.error.no_source", folder=folder_label(self.allowed_dir))

    @show_errors
    def _on_filter_change(self, change: dict) -> None:
        if self.loaded is None or self._busy:  # the page resets or relabels the filters
            return
        self._render_table()

    @show_errors
    def _on_case_order_change(self, change: dict) -> None:
        if not quiet(self.case_order):
            self.case_result.value = ""
            self._render_case()
