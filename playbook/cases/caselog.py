"""Decision log: one case and its history as readable Markdown or HTML, to attach to an appeal.

Pure: takes the case, its events and the library (step and option texts, in ``lang``); labels
come from the message catalogue. Every value goes through ``html.escape`` (Markdown too, since
viewers render raw HTML in it).
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from playbook.cases.records import Case, Event
from playbook.cases.store import CaseStore
from playbook.i18n import text
from playbook.library.library import Library
from playbook.library.model import Scenario, Text
from playbook.scenarios.facts import format_fact
from playbook.scenarios.policies import policy_text

__all__ = ["DecisionLog", "LogEntry", "build_log", "export_case", "to_html", "to_markdown"]


@dataclass(frozen=True)
class LogEntry:
    """One line of the history: when, who, at which step, what happened."""

    time: str
    actor: str
    kind: str
    step: str
    detail: str
    sentence: str = ""  # the line as a sentence ("Amy answered “…”: … The next step is “…”.")


@dataclass(frozen=True)
class DecisionLog:
    """A case laid out for reading; ``to_markdown``/``to_html`` only format it."""

    title: str
    summary: list[tuple[str, str]]
    facts: list[tuple[str, str]]
    entries: list[LogEntry]
    evidence: list[tuple[str, bool]]
    drafts: list[tuple[str, str, str, str]] = field(default_factory=list)
    outcome: tuple[str, str] | None = None
    root_causes: list[tuple[str, str]] = field(default_factory=list)
    lang: str = "en"


def _time(value: dt.datetime | str | None) -> str:
    if value is None:
        return "—"
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    return value.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


class _Texts:
    """Step, option, evidence, template and root-cause texts, tolerant of removed ids."""

    def __init__(self, case: Case, library: Library, lang: str) -> None:
        self.lang = lang
        self.library = library
        self.scenario: Scenario | None = library.scenarios.get(case.scenario_id)
        policy_set = library.policies.get(case.platform)
        self.policies = policy_set.policies if policy_set else {}
        # Policy marks ("verify on the merchant dashboard") as they stood at the last change.
        self.as_of = case.updated_at

    def fill(self, value: Text) -> str:
        """A step text in this language with its ``{policy:KEY}`` numbers filled in."""
        return policy_text(value.get(self.lang), self.policies, self.lang, self.as_of)

    def step(self, step_id: str | None) -> str:
        if not step_id:
            return ""
        if self.scenario is None or not self.scenario.has_step(step_id):
            return text("caselog.step_removed", self.lang, step=step_id)
        return self.fill(self.scenario.step(step_id).title)

    def option(self, step_id: str | None, option_id: str) -> str:
        if option_id == "":
            return text("caselog.continued", self.lang)
        if self.scenario is not None and step_id and self.scenario.has_step(step_id):
            for option in self.scenario.step(step_id).options:
                if option.id == option_id:
                    return self.fill(option.text)
        return option_id

    def evidence_items(self) -> dict[str, str]:
        if self.scenario is None:
            return {}
        return {e.id: self.fill(e.item) for s in self.scenario.steps for e in s.evidence}

    def fact_label(self, fact_id: str) -> str:
        fact = self.library.facts.get(fact_id)
        return fact.label.get(self.lang) if fact else fact_id

    def template(self, template_id: str) -> str:
        template = self.library.templates.get(template_id)
        return template.title.get(self.lang) if template else template_id

    def root_cause(self, cause_id: str) -> tuple[str, str]:
        cause = self.library.root_causes.get(cause_id)
        if cause is None:
            return cause_id, ""
        return cause.text.get(self.lang), cause.prevention.get(self.lang)

    def status(self, status: str | None) -> str:
        return text(f"ui.status.{status}", self.lang) if status else "—"


def _detail(event: Event, t: _Texts) -> str:
    p: dict[str, Any] = event.payload
    lang = t.lang
    kind = event.type
    if kind == "created":
        return text("caselog.detail_created", lang, version=p.get("version", "?"))
    if kind == "answer":
        return text(
            "caselog.detail_answer",
            lang,
            answer=t.option(event.step_id, p["option"]),
            to=t.step(p.get("to")),
        )
    if kind in ("back", "restart"):
        return text(
            f"caselog.detail_{kind}", lang, to=t.step(p.get("to")), version=p.get("version", "?")
        )
    if kind == "evidence":
        item = t.evidence_items().get(p["item"], p["item"])
        return text(
            "caselog.detail_evidence_done" if p["done"] else "caselog.detail_evidence_undone",
            lang,
            item=item,
        )
    if kind == "draft_issued":
        return text("caselog.detail_draft", lang, template=t.template(p["template"]))
    if kind == "status":
        out = text("caselog.detail_status", lang, status=t.status(p["to"]))
        return f"{out} {p['note']}" if p.get("note") else out
    if kind == "note":
        return p["text"]
    if kind == "assign":
        return text("caselog.detail_assign", lang, to=p.get("to") or "—")
    if kind == "root_causes":
        return ", ".join(t.root_cause(c)[0] for c in p.get("to", [])) or "—"
    if kind in ("evidence_file_added", "evidence_file_removed", "packet_built"):
        return _file_detail(kind, p, t)
    if kind == "personal_data_erased":
        return text(
            f"caselog.detail_erased_{p.get('why')}",
            lang,
            reason=p.get("reason", ""),
            facts=", ".join(t.fact_label(f) for f in p.get("facts", [])) or "—",
            texts=p.get("texts", 0),
            files=p.get("files", 0),
        )
    return str(p)


def _sentence(event: Event, t: _Texts) -> str:
    """The event as a sentence a reader of an appeal follows (the packet's timeline)."""
    p: dict[str, Any] = event.payload
    lang, kind, actor = t.lang, event.type, event.actor
    if kind == "created":
        return text("caselog.sentence.created", lang, actor=actor, version=p.get("version", "?"))
    if kind == "answer":
        step, to = t.step(event.step_id), t.step(p.get("to"))
        if p.get("option") in ("", None):
            return text("caselog.sentence.done", lang, actor=actor, step=step, to=to)
        answer = t.option(event.step_id, p["option"])
        return text("caselog.sentence.answer", lang, actor=actor, step=step, answer=answer, to=to)
    event_name = text(f"caselog.event.{kind}", lang)
    return text(
        "caselog.sentence.other", lang, actor=actor, event=event_name, detail=_detail(event, t)
    )


def _file_detail(kind: str, p: dict[str, Any], t: _Texts) -> str:
    """Evidence files and packets: what, and the content hash that names it exactly."""
    if kind == "packet_built":
        return text(
            "caselog.detail_packet",
            t.lang,
            pdf=p["pdf"],
            pdf_sha=p["pdf_sha256"],
            zip=p["zip"],
            zip_sha=p["zip_sha256"],
            files=len(p.get("files", [])),
            pages=p.get("pages", "?"),
            profile=p.get("profile", "?"),
        )
    item = t.evidence_items().get(p["item"], p["item"])
    key = (
        "caselog.detail_file_added"
        if kind == "evidence_file_added"
        else "caselog.detail_file_removed"
    )
    size = round(p.get("size", 0) / 1024)
    return text(
        key, t.lang, item=item, name=p["name"], kind=p.get("kind", "?"), size=size, sha=p["sha256"]
    )


def build_log(
    case: Case, events: Sequence[Event], library: Library, lang: str = "en"
) -> DecisionLog:
    """Lay out a case and its history for reading, with texts in ``lang`` ('en' or 'zh').

    Steps or options the current playbook no longer has are shown by id, marked as removed.
    """
    t = _Texts(case, library, lang)
    entries = [
        LogEntry(
            _time(e.time),
            e.actor,
            text(f"caselog.event.{e.type}", lang),
            t.step(e.step_id),
            _detail(e, t),
            _sentence(e, t),
        )
        for e in events
    ]
    items = t.evidence_items()
    drafts = [
        (
            _time(d.get("time")),
            d.get("actor", ""),
            t.template(d["template"]),
            t.step(d.get("step")),
        )
        for d in case.drafts
    ]
    return DecisionLog(
        title=text("caselog.title", lang, case=case.id),
        summary=_summary(case, t),
        facts=_facts(case, library, lang),
        entries=entries,
        evidence=[(items.get(k, k), done) for k, done in case.evidence.items()],
        drafts=drafts,
        outcome=_outcome(case, t),
        root_causes=[t.root_cause(c) for c in case.root_causes],
        lang=lang,
    )


def _summary(case: Case, t: _Texts) -> list[tuple[str, str]]:
    lang, scenario = t.lang, t.scenario
    title = scenario.title.get(lang) if scenario else case.scenario_id
    current = scenario.version if scenario else "?"
    return [
        (text("caselog.scenario", lang), f"{title} ({case.scenario_id})"),
        (
            text("caselog.version", lang),
            text("caselog.version_value", lang, started=case.scenario_version, current=current),
        ),
        (text("caselog.platform", lang), t.library.platform_name(case.platform, lang)),
        (text("caselog.order", lang), case.order_id or "—"),
        (text("caselog.status", lang), t.status(case.status)),
        (text("caselog.assignee", lang), case.assignee or "—"),
        (text("caselog.created", lang), _time(case.created_at)),
        (text("caselog.updated", lang), _time(case.updated_at)),
        (text("caselog.deadline", lang), _time(case.next_deadline)),
    ]


def _facts(case: Case, library: Library, lang: str) -> list[tuple[str, str]]:
    out = []
    for key, value in case.facts.items():
        fact = library.facts.get(key)
        label = fact.label.get(lang) if fact else key
        shown = value
        if fact is not None and fact.type == "datetime":
            shown = format_fact(dt.datetime.fromisoformat(value))
        out.append((label, shown))
    return out


def _outcome(case: Case, t: _Texts) -> tuple[str, str] | None:
    if not case.outcome:
        return None
    scenario, outcome_text = t.scenario, ""
    if scenario is not None and scenario.has_step(case.outcome):
        outcome_text = t.fill(scenario.step(case.outcome).text)
    return (t.step(case.outcome), outcome_text)


def _md(value: str) -> str:
    r"""A value safe in Markdown: no raw HTML, and no pipe or line break to split a table cell.

    >>> _md("a <b> | c\nd")
    'a &lt;b&gt; \\| c<br>d'
    """
    value = html.escape(value, quote=False).replace("\\", "\\\\").replace("|", "\\|")
    return value.replace("\r", "").replace("\n", "<br>")


def _md_table(head: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    out = ["| " + " | ".join(_md(h) for h in head) + " |", "|" + "---|" * len(head)]
    out += ["| " + " | ".join(_md(str(c)) for c in row) + " |" for row in rows]
    return out


def to_markdown(case: Case, events: Sequence[Event], library: Library, lang: str = "en") -> str:
    """The decision log as Markdown (tables for facts and history)."""
    log = build_log(case, events, library, lang)
    lines = [f"# {_md(log.title)}", ""]
    lines += [f"- **{_md(k)}:** {_md(v)}" for k, v in log.summary] + [""]
    for heading, block in _sections(log):
        lines += [f"## {heading}", ""]
        if block[0] == "table":
            lines += _md_table(block[1], block[2]) if block[2] else [_none(lang)]
        else:
            lines += [f"- {_md(line)}" for line in block[1]] or [_none(lang)]
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def to_html(case: Case, events: Sequence[Event], library: Library, lang: str = "en") -> str:
    """The decision log as a standalone HTML page; every value is escaped."""
    log = build_log(case, events, library, lang)
    e = html.escape
    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{e(lang)}"><head><meta charset="utf-8"><title>{e(log.title)}</title>',
        "<style>body{font-family:sans-serif;max-width:60rem;margin:1rem auto}"
        "table{border-collapse:collapse}td,th{border:1px solid #999;padding:.25rem .5rem;"
        "text-align:left;vertical-align:top}</style></head><body>",
        f"<h1>{e(log.title)}</h1>",
        "<dl>" + "".join(f"<dt>{e(k)}</dt><dd>{e(v)}</dd>" for k, v in log.summary) + "</dl>",
    ]
    for heading, block in _sections(log):
        parts.append(f"<h2>{e(heading)}</h2>")
        if block[0] == "table" and block[2]:
            head = "".join(f"<th>{e(h)}</th>" for h in block[1])
            body = "".join(
                "<tr>" + "".join(f"<td>{e(str(c))}</td>" for c in row) + "</tr>"
                for row in block[2]
            )
            parts.append(f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")
        elif block[0] == "list" and block[1]:
            parts.append("<ul>" + "".join(f"<li>{e(x)}</li>" for x in block[1]) + "</ul>")
        else:
            parts.append(f"<p>{e(_none(lang))}</p>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def export_case(
    store: CaseStore, case_id: str, library: Library, *, fmt: str = "markdown", lang: str = "en"
) -> str:
    """Load a case and its events from ``store`` and render its decision log.

    Args:
        store: a case store (``SqlStore`` or ``MemoryStore``).
        case_id: the case to export.
        library: the playbook library for step and option texts.
        fmt: ``"markdown"`` or ``"html"``.
        lang: ``"en"`` or ``"zh"``.

    Raises:
        StoreError: no such case, or the store failed.
        ValueError: ``fmt`` is neither markdown nor html (a programming error).
    """
    render = {"markdown": to_markdown, "html": to_html}.get(fmt)
    if render is None:
        raise ValueError(f"fmt must be 'markdown' or 'html', not {fmt!r}")
    return render(store.get_case(case_id), store.events(case_id), library, lang)


def _none(lang: str) -> str:
    return text("caselog.none", lang)


def _sections(log: DecisionLog) -> list[tuple[str, tuple]]:
    lang = log.lang
    yes, no = text("caselog.evidence_done", lang), text("caselog.evidence_missing", lang)
    return [
        (
            text("ui.case_facts", lang),
            ("table", [text("caselog.fact", lang), text("caselog.value", lang)], log.facts),
        ),
        (
            text("caselog.history", lang),
            (
                "table",
                [
                    text(f"caselog.col_{c}", lang)
                    for c in ("time", "actor", "event", "step", "detail")
                ],
                [(x.time, x.actor, x.kind, x.step, x.detail) for x in log.entries],
            ),
        ),
        (
            text("ui.evidence", lang),
            ("list", [f"{yes if done else no} {item}" for item, done in log.evidence]),
        ),
        (
            text("ui.drafts", lang),
            (
                "table",
                [text(f"caselog.col_{c}", lang) for c in ("time", "actor", "draft", "step")],
                log.drafts,
            ),
        ),
        (
            text("ui.outcome", lang),
            ("list", [f"{log.outcome[0]}: {log.outcome[1]}"] if log.outcome else []),
        ),
        (
            text("ui.root_causes", lang),
            ("list", [f"{c}: {p}" if p else c for c, p in log.root_causes]),
        ),
    ]
