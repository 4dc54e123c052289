"""The trainee page: walk practice cases with feedback after every answer.

Join a session with a name and the trainer's code, walk each practice case one item at a time
with feedback after every answer, then see the score and the map.

A view of a ``TraineeRun`` (every move is stored in the training tables before the page
moves on). Every callback re-checks its own preconditions; option values are checked by the
attempt. Nothing here keeps the correct answers in widget state before they are given: the
options carry only ids and texts, feedback appears after the answer.
"""

from __future__ import annotations

from typing import Any

import ipywidgets as w

from playbook.cases.session import utcnow
from playbook.library.library import Library
from playbook.scenarios.engine import Walk
from playbook.training.attempt import Move
from playbook.training.items import Choice, Item, rule_citation
from playbook.training.run import TraineeRun
from playbook.ui.feedback import show_errors
from playbook.ui.html import bullets, esc, tag
from playbook.ui.map_view import map_html
from playbook.ui.page import Clock, Page, duration
from playbook.ui.widgets import button, classed, html_box, relabel, text_box

TRAINING_STYLE = """<style>
.pb-vignette { background: #f6f6f6; border-left: 4px solid #888; padding: 6px 10px; }
.pb-feedback .right { background: #eef7ee; border-left: 4px solid #2e7d32; padding: 6px 10px; }
.pb-feedback .wrong { background: #fdecea; border-left: 4px solid #b3261e; padding: 6px 10px; }
.pb-feedback .plain { background: #eef4fb; border-left: 4px solid #2f6db5; padding: 6px 10px; }
.pb-end .pass { color: #2e7d32; font-weight: 600; }
.pb-end .fail { color: #b3261e; font-weight: 600; }
</style>"""


class TrainingPanel(Page):
    """The trainee page as one widget tree (``panel.widget``)."""

    def __init__(
        self, store: Any, library: Library, lang: str = "zh", clock: Clock = utcnow
    ) -> None:
        """Build the page and show the join form.

        Args:
            store: a ``TrainingStore`` (or a ``LazyStore`` opening one in the background).
            library: the library.
            lang: 'zh' or 'en'.
            clock: the real clock (move times, durations).
        """
        super().__init__(lang, clock=clock)
        self.store = store
        self.lib = library
        self.run: TraineeRun | None = None
        self._shown: str | None = None  # the key of the item on screen
        self.name = text_box("pb-trainee-name", "260px")
        self.code = text_box("pb-session-code", "160px")
        self.join_button = button("pb-join", style="primary")
        self.join_view = w.VBox([self.name, self.code, self.join_button])
        self.walk_box = w.VBox()
        self.widget = classed(
            w.VBox([self.header, self.lang_toggle, self.message, self.join_view, self.walk_box]),
            "pb-app",
        )
        self.join_button.on_click(self._on_join_click)
        self._warming = False
        for box in (self.name, self.code):
            box.observe(self._on_typing, names="value")
        self.render()

    def _build_walk_view(self) -> None:
        self.case_title = html_box("pb-case-title")
        self.vignette = html_box("pb-vignette-box")
        self.score = html_box("pb-score")
        self.feedback = html_box("pb-feedback")
        self.item_html = html_box("pb-item")
        self.options = classed(
            w.RadioButtons(options=[], value=None, layout=w.Layout(width="auto")), "pb-options"
        )
        self.back_button = button("pb-back")
        self.next_button = button("pb-next", style="primary")
        self.end_html = html_box("pb-end")
        self.next_case_button = button("pb-next-case", style="primary")
        self.walk_box.children = [
            self.case_title,
            self.vignette,
            self.score,
            self.feedback,
            self.item_html,
            self.options,
            w.HBox([self.back_button, self.next_button]),
            self.end_html,
            self.next_case_button,
        ]
        self.options.observe(self._on_option_change, names="value")
        self.back_button.on_click(self._on_back_click)
        self.next_button.on_click(self._on_next_click)
        self.next_case_button.on_click(self._on_next_case_click)

    # --- helpers --------------------------------------------------------------------------

    @property
    def walk(self) -> Walk | None:
        """The practice walk on screen (for the map)."""
        attempt = self.run.attempt if self.run else None
        return attempt.session.walk if attempt else None

    # --- rendering ------------------------------------------------------------------------

    def render(self) -> None:
        """Redraw the page from state, in the current language."""
        self.header.value = self.heading("ui.t.title", "ui.t.subtitle", style=TRAINING_STYLE)
        self.name.description = self.t("ui.t.name")
        self.code.description = self.t("ui.t.code")
        self.name.style.description_width = self.code.style.description_width = "120px"
        self.join_button.description = self.t("ui.t.join")
        attempt = self.run.attempt if self.run else None
        self.join_view.layout.display = "none" if attempt else ""
        self.walk_box.layout.display = "" if attempt else "none"
        if attempt is None:
            return
        if not hasattr(self, "item_html"):
            self._build_walk_view()
        self.back_button.description = self.t("ui.back")
        self.next_button.description = self.t("ui.next")
        self.next_case_button.description = self.t("ui.t.next_case")
        practice = attempt.practice
        number = self.run.index + 1
        total = len(self.run.session.practice_ids)
        self.case_title.value = tag(
            "h3",
            esc(self.t("ui.t.case_of", n=number, total=total))
            + " · "
            + esc(practice.case.title.get(self.lang)),
        )
        self.vignette.value = self._vignette_html()
        self.score.value = esc(
            self.t("ui.t.score_now", score=attempt.score, max=attempt.max_score)
        )
        if attempt.finished:
            self._render_end()
        else:
            self._render_item(attempt.current())

    def _vignette_html(self) -> str:
        practice = self.run.attempt.practice
        rows = "".join(
            f"<tr><th>{esc(self.lib.facts[f.id].label.get(self.lang))}</th>"
            f"<td>{esc(practice.case.vignette.facts[f.id])}</td></tr>"
            for f in practice.scenario.facts
            if f.id in practice.case.vignette.facts
        )
        message = practice.case.vignette.message
        seen = self.t("ui.t.seen_at", when=practice.case.vignette.seen_at)
        return tag(
            "div",
            tag("b", esc(practice.scenario.title.get(self.lang)))
            + tag("p", esc(seen), "pb-muted")
            + f"<table>{rows}</table>"
            + tag("p", f"<b>{esc(self.t('ui.t.buyer_says'))}</b> " + esc(message.en))
            + (tag("p", esc(message.zh), "pb-muted") if self.lang == "zh" else ""),
            "pb-vignette",
        )

    def _render_item(self, item: Item) -> None:
        keep = self.options.value if self._shown == item.key else None
        self._shown = item.key
        parts = [tag("h2", esc(item.title.get(self.lang)))]
        if item.prompt is not None:
            parts.append(tag("p", f"<b>{esc(item.prompt.get(self.lang))}</b>", "pb-prompt"))
        else:
            parts.append(tag("p", esc(item.body.get(self.lang))))
            if item.actions:
                parts.append(bullets(a.get(self.lang) for a in item.actions))
        self.item_html.value = "".join(parts)
        self.options.unobserve(self._on_option_change, names="value")
        relabel(self.options, [(c.text.get(self.lang), c.id) for c in item.choices])
        chosen = keep or self.run.attempt.last_answer(item.key)
        ids = {c.id for c in item.choices}
        self.options.value = chosen if chosen in ids else None
        self.options.observe(self._on_option_change, names="value")
        self.options.layout.display = "" if item.choices else "none"
        for part in (self.item_html, self.back_button, self.next_button):
            part.layout.display = ""
        self.back_button.disabled = not self.run.attempt.can_go_back
        self.next_button.disabled = not self._can_go_on()
        self.end_html.layout.display = self.next_case_button.layout.display = "none"

    def _render_end(self) -> None:
        attempt, run = self.run.attempt, self.run
        self._shown = None
        for part in (self.item_html, self.options, self.back_button, self.next_button):
            part.layout.display = "none"
        mark = run.session.pass_mark
        lines = [
            tag("h2", esc(self.t("ui.t.finished"))),
            self._result(
                "ui.t.case_result",
                run.case_passed,
                "pb-case-result",
                score=attempt.score,
                max=attempt.max_score,
                time=duration(attempt.elapsed(), self.lang),
                mark=mark,
            ),
        ]
        score, top, spent, overall = run.totals()
        if overall is not None:
            time = duration(spent, self.lang)
            lines.append(
                self._result(
                    "ui.t.session_result",
                    overall,
                    "pb-session-result",
                    score=score,
                    max=top,
                    time=time,
                )
            )
        lines.append(tag("h3", esc(self.t("ui.t.map"))))
        practice = attempt.practice
        lines.append(
            map_html(
                practice.scenario, self.lang, path=attempt.path, expected=practice.expected_path
            )
        )
        self.end_html.value = "".join(lines)
        self.end_html.layout.display = ""
        self.next_case_button.layout.display = "" if run.has_next_case else "none"

    def _result(self, key: str, ok: bool, cls: str, **params: Any) -> str:
        """A result line ending in "passed" or "not passed"."""
        verdict = tag(
            "span", esc(self.t("ui.t.pass" if ok else "ui.t.fail")), "pass" if ok else "fail"
        )
        return tag("p", esc(self.t(key, **params)) + " " + verdict, cls)

    def show_feedback(self, move: Move, choice: Choice | None) -> None:
        """What the answer just given means (nothing for a plain "continue")."""
        if choice is None:
            self.feedback.value = ""
            return
        if choice.correct is None:
            cls, head = "plain", self.t("ui.t.unscored")
        elif choice.correct:
            cls, head = "right", self.t("ui.t.right", points=move.points)
        else:
            cls, head = "wrong", self.t("ui.t.wrong", points=move.points)
        body = f"<b>{esc(head)}</b> {esc(choice.feedback.get(self.lang))}"
        if choice.policy:
            body += self._policy_html(choice.policy)
        self.feedback.value = tag("div", body, cls)

    def _policy_html(self, key: str) -> str:
        scenario = self.run.attempt.practice.scenario
        policy = self.lib.policies[scenario.platform].policies.get(key)
        if policy is None:
            return ""
        return tag("div", esc(rule_citation(policy, self.lang)), "pb-muted pb-policy")

    def _can_go_on(self) -> bool:
        attempt = self.run.attempt if self.run else None
        if attempt is None or attempt.finished:
            return False
        item = attempt.current()
        if item is None or item.key != self._shown:
            return False
        return not item.choices or self.options.value is not None

    # --- callbacks ------------------------------------------------------------------------

    @show_errors
    def _on_typing(self, change: dict) -> None:
        """Start opening the store in the background once the trainee starts typing."""
        if not self._warming and hasattr(self.store, "warm_up"):
            self._warming = True
            self.store.warm_up()

    @show_errors
    def _on_join_click(self, _button: w.Button) -> None:
        if self.run is not None and self.run.attempt is not None:
            return  # already walking: a forged click changes nothing
        run = TraineeRun(self.lib, self.store, clock=self.clock)
        run.join(str(self.code.value), str(self.name.value))
        self.run = run
        self.render()

    @show_errors
    def _on_option_change(self, change: dict) -> None:
        self.next_button.disabled = not self._can_go_on()

    @show_errors
    def _on_next_click(self, _button: w.Button) -> None:
        if not self._can_go_on():
            return
        item = self.run.attempt.current()
        option = self.options.value if item.choices else None
        move = self.run.answer(item.key, option)
        self.show_feedback(move, item.choice(option))
        self.render()

    @show_errors
    def _on_back_click(self, _button: w.Button) -> None:
        attempt = self.run.attempt if self.run else None
        if attempt is None or not attempt.can_go_back:
            return
        self.run.back()
        self.feedback.value = tag("div", esc(self.t("ui.t.backed")), "plain")
        self.render()

    @show_errors
    def _on_next_case_click(self, _button: w.Button) -> None:
        if self.run is None or not self.run.has_next_case:
            return
        self.run.next_case()
        self.feedback.value = ""
        self.render()
