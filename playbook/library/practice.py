"""Practice cases as data (data/training/<id>.yaml): a vignette and the expected answers.

A practice case names a scenario and the version it was written for, gives the case facts and
the buyer's message as staff would receive them, and for each question step on the expected
path the expected option with points and feedback per option (why, citing a policy key of
data/policies, whose source the page shows). The expected path itself is worked out by the
engine from these answers and the facts (``playbook.training.items``).
"""

from __future__ import annotations

from pydantic import Field

from playbook.library.model import Id, Model, PolicyKey, Text


class OptionFeedback(Model):
    """What the trainee is told after choosing one option, and what it scores."""

    text: Text
    policy: PolicyKey | None = None  # the rule behind it (its source is shown with it)
    points: int | None = Field(default=None, ge=0)  # default: the question's points if expected


class Question(Model):
    """The expected answer at one question step of the scenario."""

    step: Id
    answer: Id
    points: int = Field(default=1, ge=1)
    feedback: dict[Id, OptionFeedback]


class Vignette(Model):
    """The case as staff would receive it.

    Facts (as typed in the form), the buyer's message, and when the case is looked at (deadlines
    and ``days_since`` routes are measured then).
    """

    seen_at: str
    facts: dict[str, str]
    message: Text


class PracticeCase(Model):
    """One practice case for training sessions."""

    id: Id
    scenario: Id
    version: int = Field(ge=1)
    title: Text
    vignette: Vignette
    questions: list[Question] = Field(min_length=1)
    outcome: Id  # the outcome step the expected answers lead to

    def question(self, step_id: str) -> Question | None:
        """The expected answer at ``step_id`` (None: the case states none)."""
        return next((q for q in self.questions if q.step == step_id), None)
