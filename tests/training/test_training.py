"""Training: practice cases, generated questions, the dynamic score, the training tables.

Every store test uses a real SQLite file; deadlines are worked out by hand here.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import shutil
from pathlib import Path

import pytest
from openpyxl import load_workbook

from playbook.cases.sql_store import SqlStore
from playbook.errors import InputError, StepNotAllowed, StoreError
from playbook.library.library import Library
from playbook.load import check
from playbook.training.attempt import ANSWER, BACK, CONTINUE, Attempt, Move, dynamic_score, passed
from playbook.training.items import Practice
from playbook.training.report import (
    COLUMNS,
    SHOWN_COLUMNS,
    build_report,
    choices_table,
    to_csv,
    to_xlsx,
)
from playbook.training.run import TraineeRun
from playbook.training.store import TrainingStore
from tests.store_fixtures import FakeClock

T0 = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)


def move(seq: int, kind: str, item: str, points: int = 0) -> Move:
    return Move(seq, kind, item, item.split("#")[0], None, None, points, T0)


class TestDynamicScore:
    def test_sums_answers_on_the_path(self) -> None:
        moves = [move(1, ANSWER, "a", 1), move(2, CONTINUE, "b"), move(3, ANSWER, "c", 2)]
        assert dynamic_score(moves)[0] == 3

    def test_back_drops_the_points_of_what_is_undone(self) -> None:
        moves = [
            move(1, ANSWER, "a", 1),
            move(2, ANSWER, "b", 1),  # won on a branch ...
            move(3, BACK, "b"),  # ... the trainee backs out of
            move(4, ANSWER, "b", 0),
        ]
        score, path = dynamic_score(moves)
        assert score == 1
        assert [m.seq for m in path] == [1, 4]

    def test_backing_out_twice_then_right_again(self) -> None:
        moves = [
            move(1, ANSWER, "a", 0),
            move(2, ANSWER, "b", 1),
            move(3, BACK, "b"),
            move(4, BACK, "a"),
            move(5, ANSWER, "a", 1),
            move(6, ANSWER, "b", 1),
        ]
        assert dynamic_score(moves)[0] == 2

    def test_an_item_met_twice_on_a_loop_counts_once(self) -> None:
        moves = [move(1, ANSWER, "a", 1), move(2, ANSWER, "b", 0), move(3, ANSWER, "a", 1)]
        assert dynamic_score(moves)[0] == 1

    @pytest.mark.parametrize(
        ("score", "top", "mark", "ok"),
        [
            (3, 4, 75, True),
            (2, 4, 75, False),
            (0, 4, 0, True),
            (4, 4, 100, True),
            (3, 4, 76, False),
        ],
    )
    def test_pass_mark(self, score: int, top: int, mark: int, ok: bool) -> None:
        assert passed(score, top, mark) is ok


class TestGeneratedQuestions:
    def test_fulfilment_deadline_by_hand(self, lib: Library) -> None:
        practice = Practice(lib, lib.practice["uo-stock-out-in-time"])
        item = practice.item("find-cause#deadline:auto_refund_deadline")
        # released 2026-11-20 08:00 UTC + 5 calendar days = 2026-11-25 08:00 UTC
        right = [c for c in item.choices if c.correct]
        assert [c.text.en for c in right] == ["2026-11-25 08:00 UTC"]
        # distractors: a day early, a day late, counting from when the case is seen
        # (2026-11-22 10:00 + 5 days); the rule has no other source's figure
        assert sorted(c.text.en for c in item.choices if not c.correct) == [
            "2026-11-24 08:00 UTC",
            "2026-11-26 08:00 UTC",
            "2026-11-27 10:00 UTC",
        ]
        assert item.prompt.en.startswith("By when?")
        assert item.prompt.zh
        assert item.prompt.zh != item.prompt.en

    def test_deadline_is_asked_once_on_the_path(self, lib: Library) -> None:
        practice = Practice(lib, lib.practice["uo-stock-out-in-time"])
        assert practice.item("contact-buyer#deadline:auto_refund_deadline") is None
        assert practice.item("adjust-order#deadline:auto_refund_deadline") is None

    def test_ticket_reply_48_hours(self, lib: Library) -> None:
        practice = Practice(lib, lib.practice["im-wrong-size"])
        item = practice.item("own-it#deadline:ticket_response")
        # ticket opened 2026-11-22 14:00 UTC + 48 hours = 2026-11-24 14:00 UTC
        assert [c.text.en for c in item.choices if c.correct] == ["2026-11-24 14:00 UTC"]

    def test_infraction_window_90_days(self, lib: Library) -> None:
        practice = Practice(lib, lib.practice["uo-shipped-infraction"])
        item = practice.item("appeal-with-evidence#deadline:infraction_dispute_window")
        # issued 2026-11-10 16:00 UTC + 90 days: 20 left in Nov, 31 Dec, 31 Jan -> 8 Feb 2027
        assert [c.text.en for c in item.choices if c.correct] == ["2027-02-08 16:00 UTC"]

    def test_delivery_limit_by_destination_country(self, lib: Library) -> None:
        practice = Practice(lib, lib.practice["ond-stalled-lost"])
        item = practice.item("check-tracking#deadline:late_delivery_liability")
        # ordered 2026-11-08 19:00 UTC; Germany's limit is 16 days (not the general 15)
        assert [c.text.en for c in item.choices if c.correct] == ["2026-11-24 19:00 UTC"]
        # the vignette does not say it is a Confirmed Delivery Policy order: not asked
        assert practice.item("check-tracking#deadline:confirmed_delivery_days") is None

    def test_every_generated_question_has_one_right_choice(self, lib: Library) -> None:
        for case in lib.practice.values():
            practice = Practice(lib, case)
            for sid in dict.fromkeys(practice.expected_path):
                walk = practice.expected_walk_at(sid)
                for item in practice.items(practice.scenario.step(sid), walk):
                    if item.prompt is None:
                        continue
                    assert len(item.choices) >= 2, item.key
                    assert sum(1 for c in item.choices if c.correct) == 1, item.key

    def test_required_evidence(self, lib: Library) -> None:
        practice = Practice(lib, lib.practice["uo-shipped-infraction"])
        item = practice.item("gather-proof#evidence")
        right = [c for c in item.choices if c.correct]
        assert len(right) == 1
        step = practice.scenario.step("gather-proof")
        required = [e.item.en for e in step.evidence if e.required]
        assert right[0].text.en == "; ".join(required)
        assert len(item.choices) >= 3
        assert len({c.text.en for c in item.choices}) == len(item.choices)


class TestPracticeCases:
    def test_every_scenario_has_two_bilingual_cases(self, lib: Library) -> None:
        for scenario_id in lib.scenarios:
            cases = [c for c in lib.practice.values() if c.scenario == scenario_id]
            assert len(cases) >= 2, scenario_id
            for case in cases:
                assert case.title.zh
                assert case.title.en
                assert case.vignette.message.zh
                assert case.vignette.message.en

    def test_expected_path_follows_the_facts(self, lib: Library) -> None:
        practice = Practice(lib, lib.practice["im-low-value-empty-parcel"])
        # "refuses" on a USD 8.50 order is routed by the engine to the low-value decision
        assert "low-value-decision" in practice.expected_path
        assert "prepare-appeal" not in practice.expected_path

    def _break(self, data_copy: Path, old: str, new: str) -> list[str]:
        path = data_copy / "training" / "im-low-value-empty-parcel.yaml"
        path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
        return [str(p) for p in check(data_copy)[1]]

    def test_check_reports_a_step_the_facts_route_around(self, data_copy: Path) -> None:
        # USD 80 is above the low-value limit: "refuses" now goes to prepare-appeal
        problems = self._break(data_copy, 'order_total: "8.50"', 'order_total: "80.00"')
        assert any(
            p.startswith("data/training/im-low-value-empty-parcel.yaml:")
            and "the expected path reaches question 'appeal-result'" in p
            for p in problems
        ), problems

    def test_check_reports_a_wrong_outcome(self, data_copy: Path) -> None:
        problems = self._break(
            data_copy, "outcome: outcome-refunded", "outcome: outcome-explained"
        )
        assert any(
            "outcome: the expected answers lead to 'outcome-refunded'" in p for p in problems
        ), problems

    def test_check_reports_an_unknown_option_with_its_line(self, data_copy: Path) -> None:
        problems = self._break(data_copy, "answer: accept-refund", "answer: shrug")
        assert any(
            p.startswith("data/training/im-low-value-empty-parcel.yaml:")
            and "'shrug' is not an option of 'low-value-decision'" in p
            for p in problems
        ), problems

    def test_check_reports_a_stale_version(self, data_copy: Path) -> None:
        problems = self._break(data_copy, "version: 2", "version: 7")
        assert any("written for version 7" in p for p in problems), problems


@pytest.fixture
def training_store(sql_store: SqlStore) -> TrainingStore:
    """The training tables of a fresh case store: an SQLite file, then a PostgreSQL schema."""
    return TrainingStore(sql_store)


def trainee_clock(start: dt.datetime = T0) -> FakeClock:
    """A trainee's clock: ten seconds further at each reading."""
    return FakeClock(start, tick=dt.timedelta(seconds=10))


def play(run: TraineeRun, answers: list[str | None]) -> None:
    for answer in answers:
        if answer == "BACK":
            run.back()
            continue
        run.answer(run.attempt.current().key, answer)


RIGHT = ["d202611250800", "stock-out", None, "will-wait", "adjust", None, "accepted", None]
BO = ["d202611250800", "stock-out", "BACK", "policy-change", None, "will-wait", "cancel"]


def play_right(run: TraineeRun) -> None:
    """Answer every item with its right choice (continue past action steps)."""
    while not run.attempt.finished:
        item = run.attempt.current()
        right = next((c.id for c in item.choices if c.correct), None)
        run.answer(item.key, right)


class TestSessionStore:
    def test_two_trainees_report_and_export(
        self, lib: Library, training_store: TrainingStore
    ) -> None:
        session = training_store.create_session(["uo-stock-out-in-time"], 75, created_by="Tina")
        amy = TraineeRun(lib, training_store, clock=trainee_clock())
        amy.join(session.code.lower(), "Amy")
        assert amy.case_passed is None  # not finished
        play(amy, RIGHT)
        bo = TraineeRun(lib, training_store, clock=trainee_clock(T0 + dt.timedelta(minutes=1)))
        bo.join(f" {session.code} ", "Bo")
        # right twice, back out of the branch, then the wrong cause: the +1 is dropped
        play(bo, [*BO, None, None])
        assert (amy.attempt.score, bo.attempt.score, amy.attempt.max_score) == (5, 2, 5)
        assert bo.attempt.path[-1] == "outcome-cancelled"
        assert amy.totals()[3] is True
        assert bo.totals()[3] is False
        assert (amy.case_passed, bo.case_passed) == (True, False)  # 5/5 and 2/5, mark 75

        report = build_report(
            lib,
            session,
            training_store.attempts(session.code),
            training_store.moves(session.code),
            T0,
        )
        assert [(t.trainee, t.score, t.passed) for t in report.trainees] == [
            ("Amy", 5, True),
            ("Bo", 2, False),
        ]
        assert report.trainees[0].seconds == pytest.approx(80.0)
        rates = {s.item: (s.answers, s.wrong) for s in report.items}
        assert rates["find-cause"] == (3, 1)
        assert rates["adjust-or-cancel"] == (2, 1)
        cause = next(s for s in report.items if s.item == "find-cause")
        assert cause.common_wrong.id == "policy-change"
        assert "No rule changed" in cause.common_wrong.feedback.en

        header, rows = choices_table(report, "en")
        text = to_csv(header, rows)
        assert text.startswith("\ufeff")
        got = [
            (r["trainee"], r["kind"], r["item"], r["option"], r["counted"])
            for r in csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
        ]
        assert got == [
            ("Amy", "answer", "find-cause#deadline:auto_refund_deadline", "d202611250800", "yes"),
            ("Amy", "answer", "find-cause", "stock-out", "yes"),
            ("Amy", "answer", "buyer-reply", "will-wait", "yes"),
            ("Amy", "answer", "adjust-or-cancel", "adjust", "yes"),
            ("Amy", "answer", "buyer-decision", "accepted", "yes"),
            ("Bo", "answer", "find-cause#deadline:auto_refund_deadline", "d202611250800", "yes"),
            ("Bo", "answer", "find-cause", "stock-out", "no"),
            ("Bo", "back", "find-cause", "", "no"),
            ("Bo", "answer", "find-cause", "policy-change", "yes"),
            ("Bo", "answer", "buyer-reply", "will-wait", "yes"),
            ("Bo", "answer", "adjust-or-cancel", "cancel", "yes"),
        ]
        sheet = load_workbook(io.BytesIO(to_xlsx(header, rows))).active
        assert sheet.max_row == len(rows) + 1
        assert [c.value for c in sheet[2]][:3] == [session.code, "Amy", "uo-stock-out-in-time"]

        # the trainer's page shows these columns, picked by name
        shown_header, shown = choices_table(report, "en", SHOWN_COLUMNS)
        assert shown_header == [header[COLUMNS.index(c)] for c in SHOWN_COLUMNS]
        question = "Find out why it is not fulfilled"
        back = "stepped back (undoes this answer)"
        assert shown[6:9] == [
            ["Bo", 2, "answered", question, "Out of stock", "yes", 1, "no"],  # then undone
            ["Bo", 3, back, question, "", "", 0, "no"],  # the step back, said as one
            [
                "Bo",
                4,
                "answered",
                question,
                "Policy change (platform or destination rules, embargo)",
                "no",
                0,
                "yes",
            ],
        ]
        with pytest.raises(ValueError, match="email"):
            choices_table(report, "en", ["trainee", "email"])

    def test_a_case_is_passed_against_the_sessions_own_mark(
        self, lib: Library, training_store: TrainingStore
    ) -> None:
        session = training_store.create_session(["uo-stock-out-in-time"], 40, created_by="Tina")
        bo = TraineeRun(lib, training_store, clock=trainee_clock())
        bo.join(session.code, "Bo")
        play(bo, [*BO, None])
        assert not bo.attempt.finished
        assert bo.case_passed is None
        play(bo, [None])
        assert (bo.attempt.score, bo.attempt.max_score) == (2, 5)
        assert bo.case_passed is True  # 40 % reaches a mark of 40

    def test_training_never_creates_cases(
        self, lib: Library, training_store: TrainingStore
    ) -> None:
        session = training_store.create_session(["im-wrong-size"], 50, created_by="Tina")
        run = TraineeRun(lib, training_store, clock=trainee_clock())
        run.join(session.code, "Amy")
        play_right(run)
        assert run.attempt.finished
        assert run.attempt.score == run.attempt.max_score == 5
        assert training_store.store.count_cases() == 0
        assert training_store.store.list_cases() == []

    def test_unknown_code_and_bad_input(self, lib: Library, training_store: TrainingStore) -> None:
        with pytest.raises(StoreError) as err:
            TraineeRun(lib, training_store).join("NOPE42", "Amy")
        assert err.value.code == "error.training_unknown_code"
        with pytest.raises(InputError):
            training_store.create_session([], 50, created_by="Tina")
        with pytest.raises(InputError):
            training_store.create_session(["im-wrong-size"], 101, created_by="Tina")

    def test_a_forged_answer_is_refused_and_not_stored(
        self, lib: Library, training_store: TrainingStore
    ) -> None:
        session = training_store.create_session(["uo-stock-out-in-time"], 50, created_by="Tina")
        run = TraineeRun(lib, training_store, clock=trainee_clock())
        run.join(session.code, "Amy")
        with pytest.raises(StepNotAllowed):
            run.answer("find-cause", "stock-out")  # not the current item
        with pytest.raises(StepNotAllowed):
            run.answer(run.attempt.current().key, "d209901010000")  # not offered
        assert training_store.moves(session.code) == {}

    def test_failing_save_changes_nothing(
        self, lib: Library, training_store: TrainingStore
    ) -> None:
        practice = Practice(lib, lib.practice["uo-stock-out-in-time"])

        def refuse(_move: Move) -> None:
            raise StoreError("error.store", detail="disk full")

        attempt = Attempt(practice, record=refuse)
        key = attempt.current().key
        with pytest.raises(StoreError):
            attempt.answer(key, "d202611250800")
        assert attempt.moves == []
        assert attempt.current().key == key


def test_library_without_training_folder(data_copy: Path) -> None:
    shutil.rmtree(data_copy / "training")
    lib, problems = check(data_copy)
    assert problems == []
    assert lib.practice == {}
