"""Data models for everything under data/: scenarios, facts, policies, templates, root causes.

Pydantic validates shape and types; graph and cross-file rules live in
``playbook.scenarios.checks``.
Models are frozen: nothing downstream edits or reads raw dicts.
"""

from __future__ import annotations

import datetime as dt
import typing
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, PrivateAttr, model_validator

Id = Annotated[str, Field(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$", max_length=64)]
FactId = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=64)]
PolicyKey = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=64)]
# A platform is named by its policy file, data/policies/<platform>.yaml (the checker refuses a
# scenario, template, rule set or order format naming a platform without one).
PlatformId = Annotated[str, Field(pattern=r"^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$", max_length=32)]


class Model(BaseModel):
    """Strict base: unknown keys are errors, instances are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Text(Model):
    """A text in both staff languages. Missing halves are reported by the checker."""

    zh: str | None = None
    en: str | None = None

    def get(self, lang: str) -> str:
        """The text in ``lang``, falling back to the other language rather than nothing."""
        value = self.zh if lang == "zh" else self.en
        return value or self.en or self.zh or ""


# --- conditions ---------------------------------------------------------------------------

COMPARATORS = ("eq", "ne", "lt", "le", "gt", "ge", "in", "present")


class Condition(Model):
    """A declarative test on case facts or earlier answers. Never evaluated as code.

    A leaf names one subject (``fact``, ``days_since`` a date fact, ``answer`` of a step, or
    ``visited`` a step) and one comparator; a group is ``all``, ``any`` or ``not``.
    """

    all: list[Condition] | None = None
    any: list[Condition] | None = None
    not_: Condition | None = Field(default=None, alias="not")
    fact: FactId | None = None
    days_since: FactId | None = None
    answer: Id | None = None
    visited: Id | None = None
    eq: Any = None
    ne: Any = None
    lt: float | None = None
    le: float | None = None
    gt: float | None = None
    ge: float | None = None
    in_: list[Any] | None = Field(default=None, alias="in")
    present: bool | None = None

    @model_validator(mode="after")
    def _one_shape(self) -> Condition:
        groups = [g for g in ("all", "any", "not_") if getattr(self, g) is not None]
        subjects = [s for s in ("fact", "days_since", "answer", "visited") if getattr(self, s)]
        comps = [c for c in COMPARATORS if getattr(self, "in_" if c == "in" else c) is not None]
        if groups:
            if len(groups) > 1 or subjects or comps:
                raise ValueError("a condition is either one of all/any/not, or one test")
            return self
        if len(subjects) != 1:
            raise ValueError("a test names exactly one of fact, days_since, answer, visited")
        if subjects == ["visited"]:
            if comps:
                raise ValueError("'visited' takes no comparator")
            return self
        if len(comps) != 1:
            raise ValueError(f"a test has exactly one comparator of {list(COMPARATORS)}")
        return self


class Route(Model):
    """One way on: go ``to`` a step, if ``when`` holds (no ``when`` = always)."""

    when: Condition | None = None
    to: Id


def _routes_from_yaml(value: Any) -> Any:
    # `next: step-id` is shorthand for one unconditional route.
    return [{"to": value}] if isinstance(value, str) else value


Next = Annotated[list[Route], BeforeValidator(_routes_from_yaml)]


def routes(next_: list[Route] | None) -> list[Route]:
    """The routes of a ``next`` field (none for a missing one)."""
    return list(next_ or [])


# --- steps and scenarios ------------------------------------------------------------------


class Option(Model):
    """An answer to a question step."""

    id: Id
    text: Text
    hint: Text | None = None
    when: Condition | None = None
    next: Next


class EvidenceItem(Model):
    """One piece of evidence to gather, and why it matters."""

    id: Id
    item: Text
    why: Text
    required: bool = True


class DeadlineRef(Model):
    """A deadline shown on a step: a policy duration counted from a date fact.

    ``when`` limits it to cases where a condition holds (e.g. a rule that applies only to
    merchants who manage their own returns); no ``when`` = always shown.
    """

    policy: PolicyKey
    from_: FactId = Field(alias="from")
    label: Text
    when: Condition | None = None


class Note(Model):
    """A paragraph of a step shown only when its ``when`` holds for the case (e.g.

    a rule that applies to some stores only); no ``when`` = always shown.
    """

    when: Condition | None = None
    text: Text


StepKind = Literal["question", "action", "info", "outcome"]
CaseStatus = Literal[
    "open", "waiting_buyer", "waiting_platform", "won", "lost", "refunded", "closed"
]
STATUSES: tuple[str, ...] = typing.get_args(CaseStatus)
CLOSED_STATUSES = frozenset({"won", "lost", "refunded", "closed"})


def is_closed(status: str | None) -> bool:
    """Whether a case in ``status`` is closed.

    The one rule the moves, the case rows, the projection of old stores and the lessons page
    follow.
    """
    return status in CLOSED_STATUSES


class Step(Model):
    """One step of a scenario."""

    id: Id
    kind: StepKind
    title: Text
    text: Text
    guidance: Text | None = None
    notes: list[Note] = []
    options: list[Option] = []
    actions: list[Text] = []
    evidence: list[EvidenceItem] = []
    messages: list[Id] = []
    deadlines: list[DeadlineRef] = []
    root_causes: list[Id] = []
    status: CaseStatus | None = None
    next: Next | None = None


class FactRef(Model):
    """A case fact a scenario asks for (defined in data/facts.yaml)."""

    id: FactId
    required: bool = True


class Scenario(Model):
    """A dispute scenario: metadata plus steps, as written in data/scenarios/<id>.yaml."""

    id: Id
    version: int = Field(ge=1)
    platform: PlatformId
    title: Text
    summary: Text
    facts: list[FactRef]
    start: Id
    steps: list[Step] = Field(min_length=1)

    _index: dict[str, Step] = PrivateAttr(default_factory=dict)

    def model_post_init(self, context: Any, /) -> None:  # noqa: D102
        self._index.update((s.id, s) for s in self.steps)

    def step(self, step_id: str) -> Step:
        """The step with ``step_id`` (KeyError if none)."""
        return self._index[step_id]

    def has_step(self, step_id: str) -> bool:
        """Whether a step with this id exists."""
        return step_id in self._index

    def closing_steps(self) -> list[str]:
        """Ids of the steps that close a case when it reaches them (their status is closed)."""
        return sorted(s.id for s in self.steps if is_closed(s.status))


# --- facts catalogue ----------------------------------------------------------------------

FactType = Literal[
    "text", "longtext", "money", "currency", "country", "date", "datetime", "integer", "choice"
]


class Choice(Model):
    """One allowed value of a choice fact."""

    id: Id
    text: Text


class FactDef(Model):
    """A case fact staff can enter: its type, label and help (data/facts.yaml).

    ``personal``: the fact is the buyer's personal data (name, contact details, their own
    words). Purge and erase (``playbook.cases.privacy``) replace such values with a marker.
    ``filled_by``: who gives the fact. ``staff`` facts are asked on the staff page's form;
    ``analyst`` facts (triage's note) come with a case opened from an order and are only
    shown, read-only, never asked of staff (a scenario cannot require them).
    """

    id: FactId
    type: FactType
    label: Text
    help: Text | None = None
    example: str | None = None
    max_length: int = 200
    choices: list[Choice] = []
    personal: bool = False
    filled_by: Literal["staff", "analyst"] = "staff"


# --- policies -----------------------------------------------------------------------------

# ``rule``: a rule with no number (its summary says it all; texts cite it by its source's title).
PolicyUnit = Literal[
    "hours", "calendar_days", "business_days", "usd", "percent", "count", "date", "rule"
]
DURATION_UNITS = ("hours", "calendar_days", "business_days")


UNDATED = "undated"
SourceDate = dt.date | Literal["undated"]


class PolicyVariant(Model):
    """Another figure seen for the same rule (older or conflicting source)."""

    value: float | str
    unit: PolicyUnit
    source: str
    source_date: dt.date | None = None
    confidence: Literal["high", "medium", "low", "unverified"]
    note: str | None = None


class Policy(Model):
    """One platform rule with its number and where the number comes from.

    ``source`` is the URL of the page the number comes from and ``source_date`` the date shown
    on that page, or ``undated`` when the page shows none. A rule found in no source has no
    ``source`` and ``confidence: unverified``. The checker enforces these (see
    ``check_policy_sources``); ``playbook.scenarios.policies.policy_status`` judges them.
    ``unit: rule`` is a mechanism with no number ("the claim box takes no attachments"): it has
    no ``value``, and ``{policy:KEY}`` in a text cites it (only its mark shows).
    """

    value: float | str | None = None
    unit: PolicyUnit
    summary: Text
    source: str | None = None
    source_title: str | None = None
    source_date: SourceDate | None = None
    confidence: Literal["high", "medium", "low", "unverified"]
    note: str | None = None
    others: list[PolicyVariant] = []
    # When someone last compared this entry with its source (None: never since it was added).
    checked_on: dt.date | None = None
    # The cases the rule is about, as case facts and the values they must have (e.g. only
    # merchants who manage their own returns: {manages_own_returns: [yes]}); empty: every case.
    # A text or deadline naming the rule must be reachable only where the facts have those
    # values (``python -m playbook check``); a scope no case fact can test stays in `summary`.
    applies_to: dict[FactId, list[str]] = {}
    # No longer in force (e.g. a money penalty Wish said it would stop on 2022-02-22): shown as
    # "historical rule", never as something to verify on today's dashboard.
    historical: bool = False
    # The date the rule took effect as stated in the source's text (not the page's own date).
    effective_from: dt.date | None = None
    # Per destination country (ISO alpha-2); ``value`` applies to countries not listed.
    by_country: dict[Annotated[str, Field(pattern=r"^[A-Z]{2}$")], float] = {}

    @model_validator(mode="after")
    def _valued(self) -> Policy:
        if self.value is None and self.unit != "rule":
            raise ValueError("a policy needs a 'value' (only 'unit: rule' has none)")
        return self

    def for_country(self, country: str | None) -> float:
        """The number for ``country`` (the general ``value`` when it has none of its own)."""
        if country and country in self.by_country:
            return self.by_country[country]
        return float(self.value)

    @property
    def is_duration(self) -> bool:
        """Whether this policy can be a deadline."""
        return self.unit in DURATION_UNITS


class PolicySet(Model):
    """All policies of one platform (data/policies/<platform>.yaml)."""

    platform: str
    name: Text | None = None  # as staff read it (default: the id, capitalised)
    checked_on: dt.date
    policies: dict[PolicyKey, Policy]


# --- templates and root causes ------------------------------------------------------------


class Template(Model):
    """A message draft with named ``{fact}`` placeholders (data/templates/<id>.yaml).

    ``en`` is what is sent (to the buyer or the platform); ``zh`` is the staff's reference
    translation. ``kind``: a message to the buyer, a dispute statement to the platform (it goes
    into the appeal packet), or a question to the platform's merchant support. ``platform``:
    only scenarios of that platform may use it (None: any).
    """

    id: Id
    kind: Literal["buyer_message", "appeal_statement", "support_message"]
    platform: PlatformId | None = None
    title: Text
    subject: Text | None = None
    body: Text

    @property
    def to_buyer(self) -> bool:
        """A message to the buyer (its first issue on a case is the case's first reply)."""
        return self.kind == "buyer_message"


class RootCause(Model):
    """A root-cause tag for the lessons-learned review (data/root_causes.yaml)."""

    id: Id
    area: Literal[
        "warehouse", "listing", "quality", "buyer", "supply_chain", "logistics", "policy"
    ]
    text: Text
    prevention: Text


# --- glossary -----------------------------------------------------------------------------

GLOSSARY_AREAS = Literal[
    "scenarios", "templates", "training", "facts", "root_causes", "triage", "i18n", "policies"
]


class Avoid(Model):
    """Wordings a term must not take, per language."""

    en: list[str] = []
    zh: list[str] = []


class GlossaryTerm(Model):
    """One term and its one translation (data/glossary.yaml)."""

    id: Id
    en: str
    zh: str
    where: list[GLOSSARY_AREAS] = []  # the data areas it is used in (checked)
    avoid: Avoid = Avoid()
    note: str | None = None
