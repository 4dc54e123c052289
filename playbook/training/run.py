"""A trainee's run through a training session.

Join with a code, walk each practice case in turn, every move stored in the training tables before
it is made. The trainee page is a view of a ``TraineeRun``; tests drive it directly. Pure Python.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING

from playbook.cases.records import check_actor
from playbook.cases.session import utcnow
from playbook.errors import StepNotAllowed
from playbook.library.library import Library
from playbook.training.attempt import Attempt, Move, passed
from playbook.training.items import Practice

if TYPE_CHECKING:  # the trainee page must not pay for SQLAlchemy before the first click
    from playbook.training.store import TrainingSession, TrainingStore


class TraineeRun:
    """One trainee in one session.

    Args:
        lib: the library (practice cases and scenarios).
        store: where sessions are found and moves are stored.
        clock: the real clock (move times, durations).
    """

    def __init__(
        self, lib: Library, store: TrainingStore, clock: Callable[[], dt.datetime] = utcnow
    ) -> None:
        self.lib, self.store, self.clock = lib, store, clock
        self.session: TrainingSession | None = None
        self.trainee: str | None = None
        self.index = 0
        self.attempt: Attempt | None = None
        self.attempt_id: str | None = None
        self.results: list[tuple[str, int, int, dt.timedelta]] = []  # finished cases

    def join(self, code: str, trainee: str) -> None:
        """Join the session with ``code`` as ``trainee`` and start its first practice case.

        Raises:
            StoreError: no such session, no name, or the store failed.
        """
        name = check_actor(trainee)
        session = self.store.get_session(code)
        self.session, self.trainee, self.index, self.results = session, name, 0, []
        self.start_case()

    def start_case(self) -> None:
        """Start the session's practice case number ``index``."""
        session = self._joined()
        case = self.lib.practice.get(session.practice_ids[self.index])
        if case is None:
            raise StepNotAllowed("error.practice_invalid", case=session.practice_ids[self.index])
        practice = Practice(self.lib, case)
        attempt = Attempt(practice, clock=self.clock)
        attempt_id = self.store.start_attempt(
            session,
            self.trainee,
            case.id,
            scenario=(practice.scenario.id, practice.scenario.version),
            max_score=practice.max_score,
            started_at=attempt.started_at,
            path=attempt.path,
        )
        attempt.record = lambda move: self.store.record_move(attempt_id, move)
        self.attempt, self.attempt_id = attempt, attempt_id

    def answer(self, key: str, option: str | None) -> Move:
        """Answer the current item (stored first); at the outcome the case's result is kept."""
        attempt = self._walking()
        move = attempt.answer(key, option)
        self.store.update_attempt(
            self.attempt_id, path=attempt.path, finished_at=attempt.finished_at
        )
        if attempt.finished:
            self.results.append(
                (attempt.practice.case.id, attempt.score, attempt.max_score, attempt.elapsed())
            )
        return move

    def back(self) -> Move:
        """Step back (stored first); the points of the undone answer are dropped."""
        attempt = self._walking()
        move = attempt.back()
        self.store.update_attempt(self.attempt_id, path=attempt.path, finished_at=None)
        return move

    @property
    def has_next_case(self) -> bool:
        """Whether the session has another practice case after this finished one."""
        return (
            self.session is not None
            and self.attempt is not None
            and self.attempt.finished
            and self.index + 1 < len(self.session.practice_ids)
        )

    def next_case(self) -> None:
        """Go on to the next practice case (only after finishing this one)."""
        if not self.has_next_case:
            raise StepNotAllowed("error.training_not_finished")
        self.index += 1
        self.start_case()

    @property
    def case_passed(self) -> bool | None:
        """Whether the practice case on screen reached the session's pass mark.

        None until the case is finished.
        """
        attempt = self.attempt
        if attempt is None or not attempt.finished:
            return None
        return passed(attempt.score, attempt.max_score, self._joined().pass_mark)

    def totals(self) -> tuple[int, int, dt.timedelta, bool | None]:
        """Score, maximum and time over the finished cases, and pass/fail once all are done."""
        session = self._joined()
        score = sum(r[1] for r in self.results)
        top = sum(r[2] for r in self.results)
        spent = sum((r[3] for r in self.results), dt.timedelta())
        done = len(self.results) >= len(session.practice_ids)
        return score, top, spent, passed(score, top, session.pass_mark) if done else None

    def _joined(self) -> TrainingSession:
        if self.session is None or self.trainee is None:
            raise StepNotAllowed("error.training_not_joined")
        return self.session

    def _walking(self) -> Attempt:
        self._joined()
        if self.attempt is None:
            raise StepNotAllowed("error.training_not_joined")
        return self.attempt
