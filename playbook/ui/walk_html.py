"""HTML of the walk screen: step, deadlines, drafts, outcome, review. No widgets, no state.

Everything comes from one ``Screen`` (computed once per render by the case session). Every
text from data or case facts is escaped here before it reaches an HTML widget.
"""

from __future__ import annotations

from playbook.cases.session import Screen
from playbook.library.library import Library
from playbook.library.model import DeadlineRef, Text
from playbook.scenarios.policies import Deadline, policy_text
from playbook.ui.html import bullets, esc, tag
from playbook.ui.page import Texts


class WalkHtml(Texts):
    """Renders one walk's screen parts in one language."""

    def __init__(self, lib: Library, lang: str) -> None:
        """Render for ``lib`` in ``lang``.

        Args:
            lib: the library (facts, templates, root causes for labels).
            lang: 'zh' or 'en'.
        """
        self.lib, self.lang = lib, lang

    def pt(self, screen: Screen, value: Text | None) -> str:
        """A data text in this language with its ``{policy:KEY}`` numbers filled in."""
        raw = value.get(self.lang) if value else ""
        return policy_text(raw, screen.policies, self.lang, screen.as_of)

    def analyst_facts(self, facts: dict) -> str:
        """The facts only an analyst fills (triage's note), read-only, when the case has them."""
        parts = []
        for fid, value in facts.items():
            fact = self.lib.facts.get(fid)
            if fact is None or fact.filled_by == "staff" or value in (None, ""):
                continue
            lines = "<br>".join(esc(line) for line in str(value).splitlines())
            parts.append(tag("div", f"<b>{esc(fact.label.get(self.lang))}</b>: {lines}"))
        return tag("div", "".join(parts), "pb-guidance") if parts else ""

    def step(self, screen: Screen) -> str:
        """The step: title, text, why, deadlines, what to do; at an outcome, the summary."""
        step, pt = screen.step, self.pt
        parts = [tag("h2", esc(pt(screen, step.title))), tag("p", esc(pt(screen, step.text)))]
        if step.guidance:
            parts.append(
                tag(
                    "div",
                    f"<b>{esc(self.t('ui.why'))}</b>: {esc(pt(screen, step.guidance))}",
                    "pb-guidance",
                )
            )
        for note in screen.notes:  # only the notes whose `when` holds for this case
            parts.append(tag("div", esc(pt(screen, note)), "pb-guidance pb-note"))
        if screen.deadlines:  # a deadline whose `when` does not hold is already left out
            parts.append(tag("h3", esc(self.t("ui.deadlines"))))
            for ref, due in screen.deadlines:
                parts.append(self.deadline(screen, ref, due))
        if step.actions:
            parts.append(tag("h3", esc(self.t("ui.actions"))))
            parts.append(bullets(pt(screen, a) for a in step.actions))
        if step.kind == "outcome":
            parts.append(self.outcome(screen))
        return "".join(parts)

    def deadline(self, screen: Screen, ref: DeadlineRef, due: Deadline | None) -> str:
        """A deadline as date and time left, classed ok / soon / past / unknown."""
        label = esc(self.pt(screen, ref.label))
        if due is None:
            fact = self.lib.facts[ref.from_].label.get(self.lang)
            return tag(
                "div",
                f"{label}: {esc(self.t('ui.deadline_unknown', fact=fact))}",
                "pb-deadline unknown",
            )
        left = abs(due.left)
        days, rest = divmod(int(left.total_seconds()), 86400)
        hours, minutes = rest // 3600, rest % 3600 // 60
        span = (
            self.t("ui.days_hours", days=days, hours=hours)
            if days
            else self.t("ui.hours_minutes", hours=hours, minutes=minutes)
        )
        when = self.t("ui.deadline_past" if due.state == "past" else "ui.deadline_left", left=span)
        stamp = due.due.strftime("%Y-%m-%d %H:%M UTC")
        return tag(
            "div", f"{label}: <b>{esc(stamp)}</b> ({esc(when)})", f"pb-deadline {due.state}"
        )

    def outcome(self, screen: Screen) -> str:
        """What to do at an outcome: status, evidence still open, root causes and fixes."""
        lang, step, causes = self.lang, screen.step, screen.causes
        parts = [tag("h3", esc(self.t("ui.outcome")))]
        if step.status:
            status = self.t(f"ui.status.{step.status}")
            parts.append(tag("p", esc(self.t("ui.status", status=status))))
        open_items = [self.pt(screen, e.item) for e in screen.open_evidence]
        if open_items:
            parts.append(
                tag("p", esc(self.t("ui.outcome_open_evidence", items="; ".join(open_items))))
            )
        if causes:
            parts.append(tag("b", esc(self.t("ui.outcome_root_causes"))))
            parts.append(
                bullets(
                    f"{self.lib.root_causes[c].text.get(lang)}: "
                    f"{self.lib.root_causes[c].prevention.get(lang)}"
                    for c in causes
                )
            )
        return tag("div", "".join(parts), "pb-outcome")

    def drafts(self, screen: Screen) -> str:
        """Each message draft: English to send in a copyable box, Chinese for reference."""
        if not screen.drafts:
            return ""
        parts = [tag("h3", esc(self.t("ui.drafts")))]
        for draft in screen.drafts:
            template, en, tid = draft.template, draft.en, draft.template.id
            title = f"{self.t('ui.kind.' + template.kind)}: {template.title.get(self.lang)}"
            block = [tag("b", esc(title))]
            if en.missing:
                labels = ", ".join(self.lib.facts[m].label.get(self.lang) for m in en.missing)
                block.append(
                    tag("div", esc(self.t("ui.draft_missing", fields=labels)), "pb-deadline soon")
                )
            block.append(tag("div", esc(self.t("ui.draft_send")), "pb-muted"))
            block.append(
                f'<textarea readonly class="pb-draft-text pb-draft-{esc(tid)}" '
                f'aria-label="{esc(title)}">'
                f"{esc(draft.send_text)}</textarea>"
            )
            if self.lang == "zh":
                ref = draft.reference_text
                block.append(
                    tag(
                        "details",
                        tag("summary", esc(self.t("ui.draft_reference"))) + tag("pre", esc(ref)),
                    )
                )
            parts.append(tag("div", "".join(block), "pb-draft"))
        return "".join(parts)

    def review(self, screen: Screen) -> str:
        """The answers on the current path."""
        rows = [
            f"{esc(self.pt(screen, step.title))}: "
            f"<b>{esc(self.pt(screen, option.text) if option else self.t('ui.done'))}</b>"
            for step, option in screen.review
        ]
        body = (
            tag("ol", "".join(tag("li", r) for r in rows))
            if rows
            else tag("p", esc(self.t("ui.review_empty")), "pb-muted")
        )
        return tag("h3", esc(self.t("ui.review"))) + body
