"""The trainer's view of a session, computed from the stored moves.

Each trainee's score and time, each item's error rate with the most common wrong option and its
feedback, and every choice each trainee made in order; exported as CSV (UTF-8 with BOM) or XLSX.

Scores are recomputed from the moves with ``dynamic_score``, the same function the trainee's
page uses, so the two always agree. Pure Python (openpyxl only for XLSX).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from openpyxl import Workbook

from playbook.errors import PlaybookError
from playbook.i18n import text
from playbook.library.library import Library
from playbook.library.model import Text
from playbook.training.attempt import ANSWER, BACK, Move, dynamic_score, passed
from playbook.training.items import Choice, Item, Practice
from playbook.training.store import AttemptRow, TrainingSession

_FORMULA = re.compile(r"^[=+\-@\t\r]")


@dataclass(frozen=True)
class TraineeResult:
    """One trainee's standing in a session (over all their attempts)."""

    trainee: str
    score: int
    max_score: int
    seconds: float
    done: int  # practice cases finished
    total: int  # practice cases in the session
    passed: bool | None  # None until every practice case is finished

    @property
    def percent(self) -> float:
        """Score as a percentage of the maximum."""
        return 100.0 * self.score / self.max_score if self.max_score else 100.0


@dataclass(frozen=True)
class ItemStat:
    """How trainees did on one item of one practice case."""

    practice_id: str
    item: str
    label: Text
    answers: int
    wrong: int
    common_wrong: Choice | None
    common_wrong_count: int

    @property
    def error_rate(self) -> float:
        """Wrong answers over answers (0 when nobody answered)."""
        return self.wrong / self.answers if self.answers else 0.0


@dataclass(frozen=True)
class ChoiceRow:
    """One answer (or step back) a trainee made, with whether it still counts."""

    trainee: str
    practice_id: str
    attempt_id: str
    move: Move
    label: Text
    option: Text | None
    counted: bool
    number: int = 0  # 1, 2, 3... the trainee's answers and steps back in this attempt, as made


@dataclass
class SessionReport:
    """Everything the trainer view shows for one session."""

    session: TrainingSession
    trainees: list[TraineeResult]
    items: list[ItemStat]
    choices: list[ChoiceRow]


class Labels:
    """Practice cases compiled once per report, for item labels and feedback."""

    def __init__(self, lib: Library) -> None:
        self.lib = lib
        self._practice: dict[str, Practice | None] = {}

    def practice(self, practice_id: str) -> Practice | None:
        """The compiled practice case (None if it is no longer in the library)."""
        if practice_id not in self._practice:
            case = self.lib.practice.get(practice_id)
            try:
                self._practice[practice_id] = Practice(self.lib, case) if case else None
            except PlaybookError:
                self._practice[practice_id] = None
        return self._practice[practice_id]

    def item(self, practice_id: str, key: str) -> Item | None:
        """The item ``key`` of a practice case."""
        practice = self.practice(practice_id)
        return practice.item(key) if practice else None

    def label(self, practice_id: str, key: str) -> Text:
        """The item's label, "Step title" or "Step title: question", in both languages."""
        item = self.item(practice_id, key)
        if item is None:
            return Text(zh=key, en=key)
        if item.prompt is None:
            return item.title
        return Text(
            **{lang: f"{item.title.get(lang)}: {item.prompt.get(lang)}" for lang in ("zh", "en")}
        )

    def choice(self, practice_id: str, key: str, option: str | None) -> Choice | None:
        """The choice ``option`` of item ``key`` with its feedback."""
        item = self.item(practice_id, key)
        found = item.choice(option) if item else None
        if found is not None or item is None or option is None:
            return found
        # offered on the trainee's walk but not on the expected one (an option's `when`)
        question = self.practice(practice_id).case.question(item.step.id)
        opt = next((o for o in item.step.options if o.id == option), None)
        fb = question.feedback.get(option) if question else None
        if opt is None:
            return None
        practice = self.practice(practice_id)
        feedback = practice.show(fb.text) if fb else Text(zh="", en="")
        return Choice(option, practice.show(opt.text), False, 0, feedback)


def build_report(
    lib: Library,
    session: TrainingSession,
    attempts: Sequence[AttemptRow],
    moves: dict[str, list[Move]],
    now: dt.datetime,
) -> SessionReport:
    """The trainer's view of ``session`` from its stored attempts and moves."""
    labels = Labels(lib)
    return SessionReport(
        session=session,
        trainees=trainee_results(labels, session, attempts, moves, now),
        items=item_stats(labels, session, attempts, moves),
        choices=choice_rows(labels, attempts, moves),
    )


def trainee_results(
    labels: Labels,
    session: TrainingSession,
    attempts: Sequence[AttemptRow],
    moves: dict[str, list[Move]],
    now: dt.datetime,
) -> list[TraineeResult]:
    """Each trainee's score, maximum, time and pass/fail, in order of joining."""
    session_max = sum(
        p.max_score for p in map(labels.practice, session.practice_ids) if p is not None
    )
    by_trainee: dict[str, list[AttemptRow]] = {}
    for attempt in attempts:
        by_trainee.setdefault(attempt.trainee, []).append(attempt)
    out = []
    for trainee, rows in by_trainee.items():
        score = sum(dynamic_score(moves.get(a.id, []))[0] for a in rows)
        seconds = sum(
            ((a.finished_at or _last_time(moves.get(a.id), now)) - a.started_at).total_seconds()
            for a in rows
        )
        done = len({a.practice_id for a in rows if a.finished_at is not None})
        total = len(session.practice_ids)
        verdict = passed(score, session_max, session.pass_mark) if done >= total else None
        out.append(TraineeResult(trainee, score, session_max, seconds, done, total, verdict))
    return out


def _last_time(moves: list[Move] | None, now: dt.datetime) -> dt.datetime:
    return moves[-1].time if moves else now


def item_stats(
    labels: Labels,
    session: TrainingSession,
    attempts: Sequence[AttemptRow],
    moves: dict[str, list[Move]],
) -> list[ItemStat]:
    """Per practice case and item: answers, wrong answers, the most common wrong option."""
    found: dict[tuple[str, str], list[Move]] = {}
    for attempt in attempts:
        for move in moves.get(attempt.id, []):
            if move.kind == ANSWER and move.correct is not None:
                found.setdefault((attempt.practice_id, move.item), []).append(move)
    order = {pid: i for i, pid in enumerate(session.practice_ids)}

    def position(key: tuple[str, str]) -> tuple[int, int, int, str]:
        practice = labels.practice(key[0])
        path = practice.expected_path if practice else []
        step = key[1].split("#", 1)[0]
        at = path.index(step) if step in path else 99
        return order.get(key[0], 99), at, 0 if "#" in key[1] else 1, key[1]

    out = []
    for key in sorted(found, key=position):
        answers = found[key]
        wrong = Counter(m.option for m in answers if m.correct is False)
        common, count = wrong.most_common(1)[0] if wrong else (None, 0)
        out.append(
            ItemStat(
                practice_id=key[0],
                item=key[1],
                label=labels.label(*key),
                answers=len(answers),
                wrong=sum(wrong.values()),
                common_wrong=labels.choice(key[0], key[1], common) if common else None,
                common_wrong_count=count,
            )
        )
    return out


def choice_rows(
    labels: Labels, attempts: Sequence[AttemptRow], moves: dict[str, list[Move]]
) -> list[ChoiceRow]:
    """Every answer and step back, by trainee (in order of joining), then as made."""
    first: dict[str, int] = {}
    for i, attempt in enumerate(attempts):
        first.setdefault(attempt.trainee, i)
    ordered = sorted(enumerate(attempts), key=lambda p: (first[p[1].trainee], p[0]))
    out = []
    for _, attempt in ordered:
        log = moves.get(attempt.id, [])
        counted = {m.seq for m in dynamic_score(log)[1]}
        number = 0
        for move in log:
            if move.kind not in (ANSWER, BACK):
                continue
            number += 1
            choice = labels.choice(attempt.practice_id, move.item, move.option)
            out.append(
                ChoiceRow(
                    trainee=attempt.trainee,
                    practice_id=attempt.practice_id,
                    attempt_id=attempt.id,
                    move=move,
                    label=labels.label(attempt.practice_id, move.item),
                    option=choice.text if choice else None,
                    counted=move.seq in counted,
                    number=number,
                )
            )
    return out


# --- export -----------------------------------------------------------------------------------

COLUMNS = (
    "session",
    "trainee",
    "practice_case",
    "seq",
    "time",
    "kind",
    "step",
    "item",
    "question",
    "option",
    "option_text",
    "correct",
    "points",
    "counted",
    "number",
    "action",
)
# What the trainer's page shows of each choice (the export has every column): the trainee's
# moves numbered as they made them (``seq`` also counts the moves not listed, such as going on
# past an info step), a step back said as one.
SHOWN_COLUMNS = (
    "trainee",
    "number",
    "action",
    "question",
    "option_text",
    "correct",
    "points",
    "counted",
)


def choices_table(
    report: SessionReport, lang: str, columns: Sequence[str] = COLUMNS
) -> tuple[list[str], list[list[object]]]:
    """The choices as a table: the header (catalogue labels) and one row per choice.

    Args:
        report: the session's report.
        lang: the header's language (and of the questions and option texts).
        columns: which columns, by name (``COLUMNS``), in this order.

    Raises:
        ValueError: a column name is not one of ``COLUMNS``.
    """
    unknown = [c for c in columns if c not in COLUMNS]
    if unknown:
        raise ValueError(f"unknown choice columns: {unknown}")
    header = [text(f"training.col.{c}", lang) for c in columns]
    rows = []
    for c in report.choices:
        m = c.move
        cells = dict(
            zip(
                COLUMNS,
                (
                    report.session.code,
                    c.trainee,
                    c.practice_id,
                    m.seq,
                    m.time.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
                    m.kind,
                    m.step_id,
                    m.item,
                    c.label.get(lang),
                    m.option or "",
                    c.option.get(lang) if c.option else "",
                    "" if m.correct is None else ("yes" if m.correct else "no"),
                    m.points,
                    "yes" if c.counted else "no",
                    c.number,
                    text(f"training.move.{m.kind}", lang),
                ),
                strict=True,
            )
        )
        rows.append([cells[name] for name in columns])
    return header, rows


def safe_cell(value: object) -> object:
    """Text that cannot run as a spreadsheet formula (OWASP CSV injection advice)."""
    if isinstance(value, str) and _FORMULA.match(value):
        return "'" + value
    return value


def to_csv(header: list[str], rows: list[list[object]]) -> str:
    """CSV text with a BOM (so Excel shows Chinese), formula-safe."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow([safe_cell(h) for h in header])
    writer.writerows([[safe_cell(v) for v in row] for row in rows])
    return "\ufeff" + buf.getvalue()


def to_xlsx(header: list[str], rows: list[list[object]]) -> bytes:
    """An XLSX workbook with one sheet of choices, formula-safe."""
    book = Workbook()
    sheet = book.active
    sheet.title = "choices"
    sheet.append([safe_cell(h) for h in header])
    for row in rows:
        sheet.append([safe_cell(v) for v in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
