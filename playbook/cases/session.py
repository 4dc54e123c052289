"""A case session: one case's walk, evidence, drafts, root causes and status, and every move.

The staff page, the analyst page and training are views of a ``CaseSession``. It is the one
place a move is made: it validates through the engine, saves through a ``CaseStore`` (SQL or
in memory) before it changes what it holds, and on a conflict reloads the case and re-raises.
``screen()`` computes what a page shows for the current step once (deadlines, drafts).
Pure Python: no widgets.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from playbook.cases.files import Attachment
from playbook.cases.records import Case, Saved, WalkProblem, check_actor
from playbook.cases.roles import Identity
from playbook.cases.store import CaseStore
from playbook.errors import ConflictError, EvidenceError, FactError, InputError, StepNotAllowed
from playbook.library.library import Library
from playbook.library.model import DeadlineRef, EvidenceItem, Option, Step, Template, Text
from playbook.scenarios.engine import Walk
from playbook.scenarios.facts import parse_facts
from playbook.scenarios.policies import Deadline
from playbook.scenarios.templates import Draft, render

T = TypeVar("T")


MAX_ASSIGNEE = 64


def assignee_name(raw: object) -> str | None:
    """A name to give a case to, from a page (untrusted): trimmed; None for nobody.

    Raises:
        InputError: longer than ``MAX_ASSIGNEE`` characters, or holding control characters.
    """
    name = str(raw or "").strip()
    if not name:
        return None
    if len(name) > MAX_ASSIGNEE or any(ord(ch) < 32 or ord(ch) == 127 for ch in name):
        raise InputError("error.assignee_invalid", limit=MAX_ASSIGNEE)
    return name


def utcnow() -> dt.datetime:
    """The real clock (sessions take any other, for tests)."""
    return dt.datetime.now(dt.UTC)


@dataclass(frozen=True)
class DraftView:
    """A message draft of the current step, rendered once: English to send, Chinese reference."""

    template: Template
    en: Draft
    zh: Draft
    issued: bool

    @property
    def send_text(self) -> str:
        """What staff copy: the subject (if any), a blank line, the body."""
        return (self.en.subject + "\n\n" if self.en.subject else "") + self.en.body

    @property
    def reference_text(self) -> str:
        """The Chinese reference, laid out like ``send_text``."""
        return (self.zh.subject + "\n\n" if self.zh.subject else "") + self.zh.body


@dataclass(frozen=True)
class Screen:
    """Everything a page shows for the current step, computed once per render."""

    step: Step
    options: list[Option]
    previous_answer: str | None
    deadlines: list[tuple[DeadlineRef, Deadline | None]]
    drafts: list[DraftView]
    progress: tuple[int, int]
    review: list[tuple[Step, Option | None]]
    ticked: Mapping[str, bool]
    causes: list[str]
    open_evidence: list[EvidenceItem]
    can_go_back: bool
    finished: bool
    policies: Mapping[str, Any]  # the platform's rules, for {policy:KEY} in step texts
    as_of: dt.datetime  # when this screen was measured (deadlines, policy "verify" marks)
    notes: list[Text] = field(default_factory=list)  # the step's notes that hold for the case


class CaseSession:
    """One person working one case at a time.

    Args:
        library: scenarios, facts, policies, templates.
        store: where cases are kept (``SqlStore`` or ``MemoryStore``).
        clock: returns the current UTC time; deadlines and conditions are measured with it.
        actor: returns who is acting (asked at each move, so a name typed later counts).
        identity: the signed-in person (team server). Then they are the actor of every event
            (``actor`` is ignored) and their roles are checked when a case is started or
            opened and before every move (``playbook.cases.roles``); None checks nothing.
    """

    def __init__(
        self,
        library: Library,
        store: CaseStore,
        *,
        clock: Callable[[], dt.datetime] = utcnow,
        actor: Callable[[], str] = lambda: "",
        identity: Identity | None = None,
    ) -> None:
        self.lib = library
        self.store = store
        self.clock = clock
        self.identity = identity
        self.actor = actor if identity is None else (lambda: identity.name)
        self.case: Case | None = None
        self.walk: Walk | None = None
        self.problem: WalkProblem | None = None

    @property
    def active(self) -> bool:
        """Whether a case is open."""
        return self.case is not None and self.walk is not None

    # --- starting, opening, leaving --------------------------------------------------------

    def start(
        self,
        scenario_id: str,
        raw_facts: Mapping[str, Any],
        *,
        assignee: str | None = None,
        order_id: str | None = None,
    ) -> dict[str, FactError]:
        """Start a case from form values (staff page) or an order's facts (analyst page).

        Returns:
            An error per fact that did not parse (nothing is saved then); empty when the case
            was created and is now open at the scenario's first step.

        Raises:
            ScenarioError: no such scenario.
            StoreError: the case could not be saved (nothing changes here).
            Forbidden: the signed-in person may not start it (or give it to someone else).
        """
        self._allow("start")
        if assignee is not None and self.identity is not None and assignee != self.identity.name:
            self._allow("assign")
        scenario = self.lib.scenario(scenario_id)
        facts, errors = parse_facts(scenario, self.lib.facts, raw_facts)
        if errors:
            return errors
        policies = self.lib.policies[scenario.platform].policies
        walk = Walk(scenario, facts, self.clock(), policies)
        case = self.store.create_case(
            walk, actor=self.actor(), assignee=assignee, order_id=order_id
        )
        self.case, self.walk, self.problem = case, walk, None
        return {}

    def starter(self) -> str | None:
        """Who a case started on the staff page is given to.

        The signed-in person when their roles let them work cases (staff, lead; an analyst's
        case goes to nobody), else the name typed on the page (one machine); None when
        neither is known.
        """
        if self.identity is not None:
            return self.identity.name if self.identity.may("move") else None
        return str(self.actor() or "").strip() or None

    def open(self, case_id: str) -> None:
        """Resume a case where it stopped (or where its scenario's current version allows).

        Raises:
            StoreError: no such case, or the store failed.
            ScenarioError: the case's scenario no longer exists.
            Forbidden: the signed-in person may not open this case (nothing changes here).
        """
        opened = self.store.open(str(case_id), self.lib)
        self._allow("open", opened.case)
        self.case, self.walk, self.problem = opened.case, opened.walk, opened.problem

    def leave(self) -> None:
        """Close the open case here (it stays saved)."""
        self.case, self.walk, self.problem = None, None, None

    # --- moves ------------------------------------------------------------------------------

    def answer(self, step_id: str, option_id: str | None = None) -> None:
        """Answer the current step (``option_id`` None for action and info steps) and move on.

        Raises:
            StepNotAllowed: no open case, or the engine refuses the answer (nothing saved).
            ConflictError: someone else saved the case first (the case is reloaded).
        """
        case, walk = self._open_case()
        walk.as_of = self.clock()
        self._adopt(
            self._save(
                lambda: self.store.answer(case, walk, step_id, option_id, actor=self.actor())
            )
        )

    def back(self) -> None:
        """Go back one step; the answers given stay on offer."""
        case, walk = self._open_case()
        self._adopt(self._save(lambda: self.store.back(case, walk, actor=self.actor())))

    def restart(self, step_id: str | None = None) -> None:
        """Restart where a newer scenario version allows (``problem.restart_step``), as an event.

        Raises:
            StepNotAllowed: no open case, or nothing to restart from.
        """
        case, walk = self._open_case()
        if self.problem is None and step_id is None:
            raise StepNotAllowed("error.nothing_to_restart", scenario=walk.scenario.id)
        self._adopt(
            self._save(lambda: self.store.restart(case, walk, step_id, actor=self.actor()))
        )
        self.problem = None

    def tick(self, item_id: str, done: bool, step_id: str) -> None:
        """Tick (or untick) an evidence item of the current step."""
        case, walk = self._open_case()
        self._current(walk, step_id)
        if item_id not in {e.id for e in walk.current.evidence}:
            raise StepNotAllowed(
                "error.unknown_option",
                scenario=walk.scenario.id,
                step=step_id,
                option=item_id,
                choices=[e.id for e in walk.current.evidence],
            )
        self.case = self._save(
            lambda: self.store.set_evidence(
                case, item_id, bool(done), actor=self.actor(), step_id=step_id
            )
        )

    def issue_draft(self, template_id: str, step_id: str) -> None:
        """Record that a draft of the current step was sent, with the text as shown."""
        case, walk = self._open_case()
        self._current(walk, step_id)
        if template_id not in walk.current.messages:
            raise StepNotAllowed(
                "error.unknown_option",
                scenario=walk.scenario.id,
                step=step_id,
                option=template_id,
                choices=list(walk.current.messages),
            )
        draft = next(d for d in self._drafts(walk) if d.template.id == template_id)
        self.case = self._save(
            lambda: self.store.issue_draft(
                case,
                template_id,
                actor=self.actor(),
                step_id=step_id,
                body=draft.send_text,
                to_buyer=draft.template.to_buyer,
            )
        )

    def set_root_causes(self, causes: Sequence[str], step_id: str) -> None:
        """Replace the case's root-cause tags with those of ``causes`` the step offers."""
        case, walk = self._open_case()
        self._current(walk, step_id)
        offered = set(walk.current.root_causes) | set(case.root_causes)
        tags = [c for c in causes if c in offered]
        self.case = self._save(lambda: self.store.set_root_causes(case, tags, actor=self.actor()))

    def note(self, text: str) -> None:
        """Add a free-text note to the case history."""
        case, walk = self._open_case()
        self.case = self._save(
            lambda: self.store.add_note(case, text, actor=self.actor(), step_id=walk.current.id)
        )

    def assign(self, assignee: str | None, case_id: str | None = None) -> Case:
        """Give a case to ``assignee`` (None or empty: nobody): a lead's move, as an event.

        Args:
            assignee: the name (untrusted: a page passes what was picked or typed).
            case_id: the case (default: the open one); another case is read from the store.

        Returns:
            The case as saved.

        Raises:
            InputError: the name is too long or holds control characters (nothing saved).
            Forbidden: the signed-in person may not assign (nothing saved).
            ConflictError: someone else saved the case first (the open case is reloaded).
        """
        name = assignee_name(assignee)
        return self._assign(case_id, name, "assign")

    def take(self, case_id: str | None = None) -> Case:
        """Give a case to the acting person ("assign to me"), as an event.

        Staff may take a case that is assigned to nobody (or already theirs); a lead any case.

        Raises:
            InputError: nobody is acting (no name typed on a page without sign-in).
            Forbidden: the case is someone else's, or the role may not take cases.
            ConflictError: someone else saved the case first (the open case is reloaded).
        """
        me = check_actor(self.actor())
        return self._assign(case_id, me, "take")

    def _assign(self, case_id: str | None, name: str | None, action: str) -> Case:
        if case_id is None or (self.case is not None and self.case.id == case_id):
            case, _ = self._open_case()
            self.case = self._save(
                lambda: self.store.assign(case, name, actor=self.actor()), action=action
            )
            return self.case
        case = self.store.get_case(str(case_id))
        self._allow(action, case)
        return self.store.assign(case, name, actor=self.actor())

    def set_status(self, status: str, note: str | None = None) -> None:
        """Set the status by hand (the walk sets it again at its next move)."""
        case, _ = self._open_case()
        self.case = self._save(
            lambda: self.store.set_status(case, status, actor=self.actor(), note=note)
        )

    # --- evidence files ----------------------------------------------------------------------

    def attach(self, item_id: str, name: str, data: bytes) -> Attachment:
        """Attach an uploaded file to evidence item ``item_id`` (any item of the scenario).

        ``name`` is the browser's file name, kept as text only; the type comes from ``data``.

        Raises:
            StepNotAllowed: no open case.
            EvidenceError: the item is not the scenario's, or the file is refused (nothing saved).
            ConflictError: someone else saved the case first (the case is reloaded).
            StoreError: the database refused the write (nothing saved, the case unchanged here).
        """
        case, walk = self._open_case()
        limits = self.lib.evidence_limits
        if limits is None:
            raise EvidenceError("error.file_limits_missing")
        saved, attachment = self._save(
            lambda: self.store.attach_file(
                case,
                walk.scenario,
                item_id,
                name,
                data,
                limits=limits,
                actor=self.actor(),
                step_id=walk.current.id,
            )
        )
        self.case = saved
        return attachment

    def detach(self, seq: int) -> None:
        """Remove the attachment added by event ``seq`` (its file stays in the history)."""
        case, walk = self._open_case()
        self.case = self._save(
            lambda: self.store.detach_file(
                case, int(seq), actor=self.actor(), step_id=walk.current.id
            )
        )

    def files(self) -> list[Attachment]:
        """The open case's attached files, oldest first."""
        case, _ = self._open_case()
        return self.store.attachments(case.id)

    def record_packet(self, payload: Mapping[str, Any]) -> None:
        """Record in the history that an appeal packet was built (files and their hashes)."""
        case, walk = self._open_case()
        self.case = self._save(
            lambda: self.store.record_packet(
                case, payload, actor=self.actor(), step_id=walk.current.id
            )
        )

    # --- what a page shows ----------------------------------------------------------------

    def screen(self) -> Screen:
        """The current step with its options, deadlines and drafts, measured now.

        Raises:
            StepNotAllowed: no open case.
        """
        case, walk = self._open_case()
        walk.as_of = self.clock()
        step = walk.current
        ticked = dict(case.evidence)
        return Screen(
            step=step,
            options=walk.options(step) if step.kind == "question" else [],
            previous_answer=walk.previous_answer(step.id),
            deadlines=walk.deadlines(step),
            drafts=self._drafts(walk),
            progress=walk.progress,
            review=walk.review(),
            ticked=ticked,
            causes=list(case.root_causes),
            open_evidence=[
                e
                for sid in walk.path
                for e in walk.scenario.step(sid).evidence
                if e.required and not ticked.get(e.id)
            ],
            can_go_back=walk.can_go_back,
            finished=walk.finished,
            policies=walk.policies,
            as_of=walk.as_of,
            notes=walk.notes(step),
        )

    # --- internals --------------------------------------------------------------------------

    def _drafts(self, walk: Walk) -> list[DraftView]:
        step = walk.current
        issued = {d["template"] for d in self.case.drafts if d.get("step") == step.id}
        out = []
        for tid in step.messages:
            template = self.lib.templates[tid]
            en = render(template, walk.facts, self.lib.facts, "en")
            zh = render(template, walk.facts, self.lib.facts, "zh")
            out.append(DraftView(template, en, zh, tid in issued))
        return out

    def _open_case(self) -> tuple[Case, Walk]:
        if self.case is None or self.walk is None:
            raise StepNotAllowed("error.no_case")
        return self.case, self.walk

    def _current(self, walk: Walk, step_id: str) -> None:
        if walk.current.id != step_id:
            raise StepNotAllowed(
                "error.step_not_current",
                scenario=walk.scenario.id,
                step=step_id,
                current=walk.current.id,
            )

    def _adopt(self, saved: Saved) -> None:
        self.case, self.walk = saved.case, saved.walk

    def _allow(self, action: str, case: Case | None = None) -> None:
        if self.identity is not None:
            self.identity.require(action, case)

    def _save(self, write: Callable[[], T], action: str = "move") -> T:
        """Check the signed-in person's role, then run one store write.

        On a conflict the case is reloaded, then the error re-raised.
        """
        self._allow(action, self.case)
        try:
            return write()
        except ConflictError:
            self.open(self.case.id)
            raise
