"""The trainer's "every choice" table.

A step back is said as one, and moves are numbered as the trainee made them (going on past an
info step is not a choice, so it leaves no gap in the numbers).
"""

from __future__ import annotations

import datetime as dt

from playbook.training.attempt import ANSWER, BACK, CONTINUE, Move
from playbook.training.report import Labels, choice_rows
from playbook.training.store import AttemptRow

T0 = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)


def test_numbers_follow_the_trainees_choices_and_a_back_is_named(lib) -> None:
    practice_id = sorted(lib.practice)[0]
    practice = lib.practice[practice_id]
    attempt = AttemptRow("a1", "S1", "Amy", practice_id, practice.scenario, 1, 10, T0, None, [])
    moves = [
        Move(1, CONTINUE, "intro", "intro", None, None, 0, T0),
        Move(2, ANSWER, "q1", "q1", "x", True, 1, T0),
        Move(3, CONTINUE, "info", "info", None, None, 0, T0),
        Move(4, BACK, "q1", "q1", None, None, 0, T0),
        Move(5, ANSWER, "q1", "q1", "y", False, 0, T0),
    ]
    rows = choice_rows(Labels(lib), [attempt], {"a1": moves})
    assert [(r.number, r.move.kind, r.move.seq) for r in rows] == [
        (1, ANSWER, 2),
        (2, BACK, 4),
        (3, ANSWER, 5),
    ]
