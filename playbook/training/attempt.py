"""One trainee's attempt at one practice case: the walk, every move, and the dynamic score.

The scenario is walked through a ``CaseSession`` on its own ``MemoryStore`` (never the case
store: practice cases are not cases), measured at the vignette's time. Every move (an answer,
a "continue" on an action step, a step back) is handed to ``record`` before the attempt
changes, so a failing save changes nothing.

Scoring is H5P Branching Scenario's dynamic score: each answer scores its points, and going
back drops the points of what is undone, so only the answers on the path the trainee ends on
count (``dynamic_score``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from playbook.cases.memory_store import MemoryStore
from playbook.cases.records import TRAINING_ACTOR
from playbook.cases.session import CaseSession, utcnow
from playbook.errors import StepNotAllowed
from playbook.training.items import STEP, Item, Practice

ANSWER, CONTINUE, BACK = "answer", "continue", "back"


@dataclass(frozen=True)
class Move:
    """One move of an attempt, as recorded."""

    seq: int
    kind: str  # ANSWER, CONTINUE or BACK
    item: str  # the item's key (for BACK: the item undone)
    step_id: str
    option: str | None
    correct: bool | None
    points: int
    time: dt.datetime


def dynamic_score(moves: Iterable[Move]) -> tuple[int, list[Move]]:
    """H5P's dynamic score of a move log: the points of the answers still on the path.

    Returns:
        ``(score, path)``: ``path`` is the answers and continues not undone by a later BACK,
        oldest first. An item met twice on the path (a loop) counts its latest answer once.
    """
    path: list[Move] = []
    for move in moves:
        if move.kind == BACK:
            if path:
                path.pop()
        else:
            path.append(move)
    latest = {m.item: m for m in path}
    return sum(m.points for m in latest.values()), path


def passed(score: int, max_score: int, pass_mark: int) -> bool:
    """Whether ``score`` out of ``max_score`` reaches ``pass_mark`` percent."""
    if max_score <= 0:
        return True
    return score * 100 >= pass_mark * max_score


class Attempt:
    """A trainee walking one practice case.

    Args:
        practice: the practice case, ready to walk.
        record: called with each move before it is made (the trainer's store); raising
            there leaves the attempt unchanged.
        clock: the real clock, for move times and the attempt's duration.
    """

    def __init__(
        self,
        practice: Practice,
        record: Callable[[Move], None] = lambda move: None,
        clock: Callable[[], dt.datetime] = utcnow,
    ) -> None:
        self.practice = practice
        self.record = record
        self.clock = clock
        seen_at = practice.seen_at
        store = MemoryStore(now=lambda: seen_at)
        self.session = CaseSession(
            practice.lib, store, clock=lambda: seen_at, actor=lambda: TRAINING_ACTOR
        )
        errors = self.session.start(practice.scenario.id, practice.case.vignette.facts)
        if errors:
            raise StepNotAllowed("error.practice_invalid", case=practice.case.id)
        self.moves: list[Move] = []
        self.started_at = clock()
        self.finished_at: dt.datetime | None = None

    # --- reading ------------------------------------------------------------------------

    @property
    def path(self) -> list[str]:
        """The steps the trainee's walk went through, the current one last."""
        return list(self.session.walk.path)

    @property
    def finished(self) -> bool:
        """Whether the walk reached an outcome."""
        return self.session.walk.finished

    @property
    def score(self) -> int:
        """The dynamic score now."""
        return dynamic_score(self.moves)[0]

    @property
    def max_score(self) -> int:
        """The most the expected path scores."""
        return self.practice.max_score

    def elapsed(self) -> dt.timedelta:
        """Time from the start to the end (or to now, while walking)."""
        return (self.finished_at or self.clock()) - self.started_at

    def current(self) -> Item | None:
        """The item waiting for an answer (None at the outcome)."""
        if self.finished:
            return None
        walk = self.session.walk
        items = self.practice.items(walk.current, walk)
        _, path = dynamic_score(self.moves)
        tail: list[Move] = []
        for move in reversed(path):
            if "#" not in move.item:  # a step's own answer: the steps before this one
                break
            tail.append(move)
        done = {m.item for m in tail}
        return next(i for i in items if i.key not in done)

    def last_answer(self, key: str) -> str | None:
        """The option last chosen for ``key`` (to show it again after going back)."""
        return next((m.option for m in reversed(self.moves) if m.item == key and m.option), None)

    @property
    def can_go_back(self) -> bool:
        """Whether there is a move to undo (not after the end)."""
        return not self.finished and bool(dynamic_score(self.moves)[1])

    # --- moves --------------------------------------------------------------------------

    def answer(self, key: str, option_id: str | None) -> Move:
        """Answer the current item (``option_id`` None to continue past an action step).

        Raises:
            StepNotAllowed: ``key`` is not the current item, or the option is not offered.
        """
        item = self._current(key)
        if item.choices:
            choice = item.choice(option_id)
            if choice is None:
                raise StepNotAllowed(
                    "error.unknown_option",
                    scenario=self.practice.scenario.id,
                    step=item.key,
                    option=option_id,
                    choices=[c.id for c in item.choices],
                )
            move = self._move(ANSWER, item, choice.id, choice.correct, choice.points)
        else:
            move = self._move(CONTINUE, item, None, None, 0)
        self.record(move)
        self.moves.append(move)
        if item.kind == STEP:
            self.session.answer(item.step.id, move.option)
        if self.finished:
            self.finished_at = move.time
        return move

    def back(self) -> Move:
        """Undo the last answer or continue on the path; its points no longer count.

        Raises:
            StepNotAllowed: nothing to undo, or the attempt is finished.
        """
        _, path = dynamic_score(self.moves)
        if self.finished or not path:
            raise StepNotAllowed(
                "error.at_start", scenario=self.practice.scenario.id, step=self.path[-1]
            )
        undone = path[-1]
        move = Move(
            len(self.moves) + 1, BACK, undone.item, undone.step_id, None, None, 0, self.clock()
        )
        self.record(move)
        self.moves.append(move)
        if "#" not in undone.item:
            self.session.back()
        return move

    def _current(self, key: str) -> Item:
        item = self.current()
        if item is None or item.key != key:
            raise StepNotAllowed(
                "error.step_not_current",
                scenario=self.practice.scenario.id,
                step=key,
                current=item.key if item else self.path[-1],
            )
        return item

    def _move(
        self, kind: str, item: Item, option: str | None, correct: bool | None, points: int
    ) -> Move:
        scored = points if item.scored else 0
        return Move(
            len(self.moves) + 1,
            kind,
            item.key,
            item.step.id,
            option,
            correct,
            scored,
            self.clock(),
        )


def answered(moves: Sequence[Move]) -> list[Move]:
    """The answers among ``moves`` (no continues, no backs), in order."""
    return [m for m in moves if m.kind == ANSWER]
