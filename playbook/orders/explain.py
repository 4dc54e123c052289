"""Why triage listed an order, in words: the facts, the arithmetic, the policy and its source.

Built column-wise (Arrow string kernels) for the listed rows of each rule, in the chosen
language from the message catalogue (``triage.explain.*``, ``triage.col.*``). Pure pandas and
pyarrow.
"""

from __future__ import annotations

import dataclasses
import string

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from playbook.i18n import text
from playbook.orders.deadlines import (
    Picked,
    TriageData,
    basis_names,
    due_times,
    spec_rows,
    start_times,
)

__all__ = [
    "Explainer",
    "Explanations",
    "concat",
    "fill",
    "parts_of",
    "per_rule",
    "pick_text",
    "sep_join",
]

_TIME = "%Y-%m-%d %H:%M"
Param = pa.Array | pa.ChunkedArray | str


def parts_of(template: str, params: dict[str, Param]) -> list:
    """``template`` as parts to join.

    Its literal text and the ``{name}`` values of ``params`` (arrays of strings, or one string
    for every row).
    """
    parts: list = []
    for literal, name, _spec, _conv in string.Formatter().parse(template):
        if literal:
            parts.append(pa.scalar(literal, pa.large_string()))
        if name is not None:
            value = params.get(name, "{" + name + "}")
            parts.append(pa.scalar(value, pa.large_string()) if isinstance(value, str) else value)
    return parts


def fill(template: str, n: int, params: dict[str, Param]) -> pa.Array:
    """``template`` with ``{name}`` filled from ``params`` row by row: ``n`` strings.

    A missing value shows as '–'.
    """
    return concat(parts_of(template, params), n)


def concat(parts: list, n: int) -> pa.Array:
    """The parts (Arrow scalars and arrays of ``n`` strings) joined row by row, once."""
    if not any(isinstance(part, pa.Array | pa.ChunkedArray) for part in parts):
        text = "".join(part.as_py() or "" for part in parts)
        return pa.repeat(pa.scalar(text, pa.large_string()), n)
    arrays = [p if isinstance(p, pa.Scalar) else pc.cast(p, pa.large_string()) for p in parts]
    return pc.binary_join_element_wise(
        *arrays, pa.scalar("", pa.large_string()), null_handling="replace", null_replacement="–"
    )


_SEP = pa.scalar("; ", pa.large_string())


def sep_join(segments: list[list]) -> list:
    """Segments (lists of parts) as one list of parts, '; ' between them."""
    out: list = []
    for seg in segments:
        out += [_SEP, *seg] if out else seg
    return out


def _times(ser: pd.Series) -> pa.Array:
    """'2026-01-06 23:25' per time (UTC), null for none."""
    arr = ser.dt.tz_convert("UTC").dt.tz_localize(None).to_numpy("datetime64[m]")
    text = pa.array(np.datetime_as_string(arr, unit="m"), pa.large_string())
    text = pc.replace_substring(text, "T", " ")
    return pc.if_else(pa.array(np.isnat(arr)), pa.scalar(None, pa.large_string()), text)


def pick_text(values: list[str], at: np.ndarray) -> pa.Array:
    """``values[at[i]]`` per row, as Arrow text (no Python string per row)."""
    return pa.array(values, pa.large_string()).take(pa.array(np.asarray(at, dtype=np.int64)))


def _number(values: np.ndarray) -> pa.Array:
    """Numbers with one decimal ('7.4'), whole ones without ('168'); NaN as null."""
    rounded = np.round(values.astype("float64"), 1)
    return pc.cast(pa.array(rounded, from_pandas=True), pa.large_string())


class Explainer:
    """The words of the triage table's explanation columns for one language and as-of time."""

    def __init__(self, data: TriageData, now: pd.Timestamp, lang: str) -> None:
        self.data, self.now, self.lang = data, now, lang

    def t(self, key: str, **params: object) -> str:
        """Catalogue text (with placeholders left as they are when no value is given)."""
        return text(key, self.lang, **params)

    def col(self, name: str) -> str:
        """An order column in words ('released', 'first carrier scan')."""
        return self.t(f"triage.col.{name}")

    def limit(self, policy: str) -> str:
        """A duration policy's length in words ('168 h', '5 days')."""
        pol = self.data.policy(policy)
        value = float(pol.value)
        shown = str(int(value)) if value.is_integer() else str(value)
        return self.t(f"triage.unit.{pol.unit}", n=shown)

    def source(self, spec) -> list[str]:
        """Per basis of ``due_times`` (then -1: no start): where a due time came from."""
        if spec is None:  # a rule without an act-by date
            return [""]
        out = [f"{spec.policy} ({self.limit(spec.policy)}) + {c}" for c in spec.from_]
        left = spec.left
        out += (
            [f"{left.hours} + {left.from_}", f"{left.days} + {left.from_}"] if left else ["", ""]
        )
        out.append(spec.given or "")
        return [*out, ""]

    def sources(self, pick: np.ndarray, basis: np.ndarray) -> pd.Series:
        """The ``deadline_source`` column: policy and start, time left, or the file's due time."""
        texts: list[str] = []
        offset = np.zeros(len(self.data.rules.rules), np.int64)
        for k, rule in enumerate(self.data.rules.rules):
            offset[k] = len(texts)
            texts += self.source(rule.deadline)
        width = np.array([len(self.source(r.deadline)) for r in self.data.rules.rules])
        at = offset[pick] + np.where(basis < 0, width[pick] - 1, basis)
        return _series(pick_text(texts, at))

    def labels(self, pick: np.ndarray, case: np.ndarray) -> pd.Series:
        """The rule's label, or its "needs a look" label."""
        rules = self.data.rules.rules
        fired = [r.label.get(self.lang) for r in rules]
        look = [r.look.label.get(self.lang) if r.look else "" for r in rules]
        at = np.where(case, pick, pick + len(rules))
        return _series(pick_text([*fired, *look], at))

    def needs(self, k: int) -> list[str]:
        """The facts rule ``k`` needs, in the order of the missing-fact bits."""
        rules = self.data.rules
        hold = ["reason"] if rules.unknown_reason == "hold" else []
        return [*rules.rules[k].needs, *hold]

    def fact_label(self, fact: str) -> str:
        """A fact in words."""
        spec = self.data.rules.facts.get(fact)
        return spec.label.get(self.lang) if spec else self.t(f"triage.fact.{fact}")

    def missing(self, pick: np.ndarray, idx: np.ndarray, bits: list[np.ndarray]) -> pd.Series:
        """The ``missing_facts`` column: the facts a "needs a look" row lacks (ids)."""
        texts = [""]
        at = np.zeros(len(pick), np.int64)
        for k in range(len(self.data.rules.rules)):
            sel = np.flatnonzero(pick == k)
            if not len(sel):
                continue
            names = self.needs(k)
            row_bits = bits[k][idx[sel]]
            for combo in np.unique(row_bits[row_bits != 0]):
                at[sel[row_bits == combo]] = len(texts)
                texts.append(", ".join(n for j, n in enumerate(names) if combo >> j & 1))
        return _series(pick_text(texts, at))

    def explain(self, orders: pd.DataFrame, table: pd.DataFrame, p: Picked) -> pd.Series:
        """The ``explanation`` column (``table`` is in the order of ``p``).

        Each rule's explanation is a list of parts (literal text, or short per-row values for
        its rows). Part j of every row is laid out in table order (literals by rule, values
        put in place), and all parts are joined once: the long texts are never reordered.
        """
        n = len(table)
        parts: dict[int, tuple[np.ndarray, list]] = {}
        for k in range(len(self.data.rules.rules)):
            sel = np.flatnonzero(p.pick == k)
            if len(sel):
                rows = pd.DataFrame({c: _take(table[c], sel) for c in _USED})
                parts[k] = (sel, self._rule(orders, rows, p.idx[sel], p.case[sel], k))
        if not parts:
            return pd.Series([""] * n, dtype="str")
        width = max(len(rule_parts) for _, rule_parts in parts.values())
        slots = [self._slot(parts, j, p.pick, n) for j in range(width)]
        out = concat(slots, n)
        return pd.Series(out.to_pandas(), dtype="str")

    def _slot(self, parts: dict, j: int, pick: np.ndarray, n: int) -> pa.Array:
        """Part ``j`` of every row's explanation, in table order."""
        literals = [""] * len(self.data.rules.rules)
        placed: list[tuple[np.ndarray, pa.Array]] = []
        for k, (sel, rule_parts) in parts.items():
            if j >= len(rule_parts):
                continue
            part = rule_parts[j]
            if isinstance(part, pa.Scalar):
                literals[k] = part.as_py() or ""
            else:
                placed.append((sel, pc.cast(part, pa.large_string())))
        slot = pick_text(literals, pick)
        if not placed:
            return slot
        at = np.concatenate([sel for sel, _ in placed])
        values = pa.concat_arrays([_one_chunk(v) for _, v in placed])
        if len(placed) > 1:
            values = values.take(pa.array(np.argsort(at, kind="stable")))
        where = np.zeros(n, bool)
        where[at] = True
        return pc.replace_with_mask(slot, pa.array(where), values)

    def _rule(self, orders, rows: pd.DataFrame, idx, case, k: int) -> list:
        """The parts of the explanation of rule ``k``'s listed rows."""
        rule = self.data.rules.rules[k]
        segments = [parts_of(self.t("triage.explain.state"), {"state": _text(rows["state"])})]
        for column in rule.when.is_true:
            segments.append(parts_of(self.t("triage.explain.flag"), {"column": self.col(column)}))
        for column in rule.when.values:
            value = _text(gather_col(orders, column, idx))
            segments.append(
                parts_of(
                    self.t("triage.explain.value"), {"column": self.col(column), "value": value}
                )
            )
        if rule.when.reason_group is not None:
            segments.append(self._reason(rows))
        if rule.when.overdue is not None:
            segments.append(self._overdue(orders, idx, rule.when.overdue))
        parts = sep_join(segments)
        if rule.look is not None and not case.all():
            parts.insert(0, self._look(rows))
        return parts

    def _reason(self, rows: pd.DataFrame) -> list:
        groups = self.data.reasons.groups
        codes, uniq = pd.factorize(rows["reason_group"])
        names = [groups[g].get(self.lang) if g in groups else str(g) for g in uniq]
        group = pick_text([*names, ""], np.where(codes < 0, len(names), codes))
        return parts_of(
            self.t("triage.explain.reason"),
            {
                "reason": _text(rows["refund_reason"]),
                "key": _text(rows["refund_reason_key"]),
                "group": group,
            },
        )

    def _overdue(self, orders, idx, spec) -> list:
        """The arithmetic of an overdue test, and its policy and source."""
        sub = spec_rows(orders, idx, spec)
        due, basis = due_times(sub, spec, self.data)
        _names, start = start_times(sub, spec, basis)
        params = {
            "start": self._start_labels(spec, basis),
            "start_at": _times(start),
            "due": _times(due),
            "limit": self._limits(sub, spec, basis),
            "as_of": self.now.strftime(_TIME),
        }
        if not spec.by:
            within = spec.within_hours
            params["within"] = self.t("triage.explain.within", n=f"{within:g}") if within else ""
            return parts_of(self.t("triage.explain.due"), params)
        by = sub[spec.by]
        pol = self.data.policy(spec.policy)
        hours = pol.unit == "hours"
        unit = pd.Timedelta(hours=1) if hours else pd.Timedelta(days=1)
        elapsed = ((by - start) / unit).to_numpy(dtype="float64", na_value=np.nan)
        shown = "triage.unit.hours" if hours else "triage.unit.calendar_days"  # elapsed time
        params |= {
            "by": self.col(spec.by),
            "by_at": _times(by),
            "elapsed": fill(self.t(shown), len(sub), {"n": _number(elapsed)}),
        }
        has_by = by.notna().to_numpy()
        late = parts_of(self.t("triage.explain.late"), params)
        if not has_by.all():  # a known but missing 'by' (rare): the other wording there
            none = concat(parts_of(self.t("triage.explain.late_none"), params), len(sub))
            late = [pc.if_else(pa.array(has_by), concat(late, len(sub)), none)]
        return late

    def _start_labels(self, spec, basis: np.ndarray) -> pa.Array:
        names = basis_names(spec)
        labels = [self.col(c) if c else "" for c in names]
        return pick_text(labels, np.where(basis < 0, len(names) - 1, basis))

    def _limits(self, sub: pd.DataFrame, spec, basis: np.ndarray) -> pa.Array | str:
        limit = self.limit(spec.policy)
        n = len(sub)
        nf = len(spec.from_)
        out: pa.Array | str = limit
        if spec.given and (basis == nf + 2).any():
            own = pa.repeat(pa.scalar(self.t("triage.explain.given"), pa.large_string()), n)
            plain = pa.repeat(pa.scalar(limit, pa.large_string()), n)
            out = pc.if_else(pa.array(basis == nf + 2), own, plain)
        if spec.left is None:
            return out
        for k, (col, key) in enumerate(
            ((spec.left.hours, "left_hours"), (spec.left.days, "left_days"))
        ):
            use = basis == nf + k
            if col and use.any():
                count = sub[col].to_numpy(dtype="float64", na_value=np.nan)
                text_k = fill(self.t(f"triage.explain.{key}", field=col), n, {"n": _number(count)})
                base = (
                    pa.repeat(pa.scalar(out, pa.large_string()), n)
                    if isinstance(out, str)
                    else out
                )
                out = pc.if_else(pa.array(use), text_k, base)
        return out

    def policies(self, pick: np.ndarray) -> tuple[pd.Series, pd.Series]:
        """The ``rule_policy`` and ``policy_source`` columns.

        The policy that made the rule fire (its overdue test's, else its deadline's) and that
        policy's source URL.
        """
        keys = [
            (r.when.overdue.policy if r.when.overdue else r.deadline.policy if r.deadline else "")
            for r in self.data.rules.rules
        ]
        urls = [self.data.policy(k).source or "" if k else "" for k in keys]
        return per_rule(keys, pick), per_rule(urls, pick)

    def _look(self, rows: pd.DataFrame) -> pa.Array:
        """Per row: '' for a case, "not judged: ...; " for a look."""
        codes, uniq = pd.factorize(rows["missing_facts"])
        texts = []
        for ids in uniq:
            facts = ", ".join(self.fact_label(f) for f in ids.split(", ")) if ids else ""
            texts.append(self.t("triage.explain.look", facts=facts) + "; " if ids else "")
        return pick_text([*texts, ""], np.where(codes < 0, len(texts), codes))


class Explanations:
    """The ``explanation`` column of a triage table, made for the rows asked for.

    Keeps what the sentences are made of: the explainer (language, as-of time, rules), the
    orders as they were triaged, the rule picked for each listed row and the table columns an
    explanation reads. A row's sentence depends on that row alone, so a page of rows gets the
    words the whole table would give it; a row nobody shows is never put into words.
    """

    def __init__(
        self, explainer: Explainer, orders: pd.DataFrame, table: pd.DataFrame, p: Picked
    ) -> None:
        # Shallow copies: pandas copies on write, so a later change to the order table (or
        # the triage table) does not change what was triaged.
        self.explainer = explainer
        self.orders = orders.copy(deep=False)
        # Without the import's attrs: pandas deep-copies them into every column and frame
        # taken from the table (a third of the time of explaining a page of rows).
        self.orders.attrs = {}
        self.used = table[list(_USED)].copy(deep=False)
        self.picked = p

    def __len__(self) -> int:
        """The number of rows of the triage table."""
        return len(self.picked.idx)

    def at(self, pos: np.ndarray) -> pd.Series:
        """The explanations of the triage table's rows at positions ``pos`` (numbered from 0)."""
        pos = np.asarray(pos, dtype=np.int64)
        if len(pos) == len(self) and np.array_equal(pos, np.arange(len(self))):
            return self.explainer.explain(self.orders, self.used, self.picked)
        picked = Picked(*(getattr(self.picked, f.name)[pos] for f in dataclasses.fields(Picked)))
        rows = self.used.take(pos).reset_index(drop=True)
        return self.explainer.explain(self.orders, rows, picked)


# The triage-table columns an explanation reads.
_USED = (
    "state",
    "refund_reason",
    "refund_reason_key",
    "reason_group",
    "due_at",
    "deadline_source",
    "missing_facts",
)


def gather_col(orders: pd.DataFrame, column: str, idx: np.ndarray) -> pd.Series:
    """Rows ``idx`` of an order column, numbered from 0."""
    return orders[column].take(idx).reset_index(drop=True)


def _series(arr: pa.Array) -> pd.Series:
    return pd.Series(arr.to_pandas(), dtype="str")


def per_rule(values: list[str], pick: np.ndarray) -> pd.Series:
    """``values[pick[i]]`` per row as a categorical column (one copy of each text)."""
    cats = list(dict.fromkeys(values))
    codes = np.array([cats.index(v) for v in values], dtype=np.int64)[pick]
    return pd.Series(pd.Categorical.from_codes(codes, categories=pd.Index(cats, dtype="str")))


def _one_chunk(arr: pa.Array | pa.ChunkedArray) -> pa.Array:
    return arr.combine_chunks() if isinstance(arr, pa.ChunkedArray) else arr


def _take(ser: pd.Series, at: np.ndarray) -> pd.Series:
    return ser.take(at).reset_index(drop=True)


def _text(ser: pd.Series) -> pa.Array:
    return pa.array(
        ser.astype(object).where(ser.notna(), None), pa.large_string(), from_pandas=True
    )
