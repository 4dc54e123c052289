"""Why triage listed an order, in words: the facts, the arithmetic, the policy and its source.

Built column-wise (Arrow string kernels) for the listed rows of each rule, in the chosen
language from the message catalogue (``triage.explain.*``, ``triage.col.*``). Pure pandas and
pyarrow.
"""

from __future__ import annotations

import string
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from playbook.i18n import text
from playbook.orders.deadlines import due_times, spec_rows, start_times

if TYPE_CHECKING:
    from playbook.orders.triage import Picked, Triage

__all__ = ["Explainer", "fill", "join"]

_TIME = "%Y-%m-%d %H:%M"
Param = pa.Array | pa.ChunkedArray | str


def fill(template: str, n: int, params: dict[str, Param]) -> pa.Array:
    """``template`` with ``{name}`` filled from ``params`` (arrays of ``n`` strings, or one
    string for every row), row by row; a missing value shows as '–'."""
    parts: list = []
    for literal, name, _spec, _conv in string.Formatter().parse(template):
        if literal:
            parts.append(pa.scalar(literal, pa.large_string()))
        if name is not None:
            value = params.get(name, "{" + name + "}")
            parts.append(pa.scalar(value, pa.large_string()) if isinstance(value, str) else value)
    if not parts:
        return pa.array([""] * n, pa.large_string())
    if all(isinstance(part, pa.Scalar) for part in parts):
        return pa.array(["".join(part.as_py() for part in parts)] * n, pa.large_string())
    arrays = [p.cast(pa.large_string()) if not isinstance(p, pa.Scalar) else p for p in parts]
    return pc.binary_join_element_wise(
        *arrays, pa.scalar("", pa.large_string()), null_handling="replace", null_replacement="–"
    )


def join(*parts: pa.Array, skip_nulls: bool = False) -> pa.Array:
    """Row by row, the parts' texts joined with '; ' (with ``skip_nulls``, null parts left
    out)."""
    arrays = [pc.cast(part, pa.large_string()) for part in parts]
    return pc.binary_join_element_wise(
        *arrays,
        pa.scalar("; ", pa.large_string()),
        null_handling="skip" if skip_nulls else "emit_null",
    )


def _times(ser: pd.Series) -> pa.Array:
    arr = pa.array(ser.dt.tz_convert("UTC").dt.tz_localize(None).to_numpy("datetime64[us]"))
    return pc.strftime(arr, format=_TIME)


def _number(values: np.ndarray) -> pa.Array:
    """Numbers with one decimal ('7.4'), whole ones without ('168')."""
    rounded = np.round(values.astype("float64"), 1)
    out = [
        None if np.isnan(v) else (str(int(v)) if float(v).is_integer() else f"{v:.1f}")
        for v in rounded
    ]
    return pa.array(out, pa.large_string())


class Explainer:
    """The words of the triage table's explanation columns for one language and as-of time."""

    def __init__(self, data: Triage, now: pd.Timestamp, lang: str) -> None:
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
        out = [f"{spec.policy} ({self.limit(spec.policy)}) + {c}" for c in spec.from_]
        if spec.left:
            out += [
                f"{spec.left.hours} + {spec.left.from_}",
                f"{spec.left.days} + {spec.left.from_}",
            ]
        return [*out, ""]

    def sources(self, pick: np.ndarray, basis: np.ndarray) -> pd.Series:
        """The ``deadline_source`` column: the policy and start, or Wish's time left."""
        out = np.full(len(pick), "", dtype=object)
        for k, rule in enumerate(self.data.rules.rules):
            sel = pick == k
            if sel.any():
                out[sel] = np.array(self.source(rule.deadline), dtype=object)[basis[sel]]
        return pd.Series(out, dtype="str")

    def labels(self, pick: np.ndarray, case: np.ndarray) -> pd.Series:
        """The rule's label, or its "needs a look" label."""
        rules = self.data.rules.rules
        fired = [r.label.get(self.lang) for r in rules]
        look = [r.look.label.get(self.lang) if r.look else "" for r in rules]
        return pd.Series(np.where(case, np.array(fired)[pick], np.array(look)[pick]), dtype="str")

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
        out = np.full(len(pick), "", dtype=object)
        for k in range(len(self.data.rules.rules)):
            sel = pick == k
            if not sel.any():
                continue
            names = self.needs(k)
            row_bits = bits[k][idx[sel]]
            for combo in np.unique(row_bits[row_bits != 0]):
                where = np.flatnonzero(sel)[row_bits == combo]
                out[where] = ", ".join(n for j, n in enumerate(names) if combo >> j & 1)
        return pd.Series(out, dtype="str")

    def explain(self, orders: pd.DataFrame, table: pd.DataFrame, p: Picked) -> pd.Series:
        """The ``explanation`` column (``table`` is in the order of ``p``)."""
        out = pa.array([""] * len(table), pa.large_string())
        pieces = []
        positions = []
        for k, _rule in enumerate(self.data.rules.rules):
            sel = np.flatnonzero(p.pick == k)
            if len(sel):
                pieces.append(self._rule(orders, table.iloc[sel], p.idx[sel], p.case[sel], k))
                positions.append(sel)
        if pieces:
            order = np.argsort(np.concatenate(positions), kind="stable")
            out = pa.concat_arrays([pc.cast(x, pa.large_string()) for x in pieces]).take(order)
        return pd.Series(out.to_pandas(), dtype="str")

    def _rule(self, orders, rows: pd.DataFrame, idx, case, k: int) -> pa.Array:
        rule = self.data.rules.rules[k]
        n = len(rows)
        parts = [fill(self.t("triage.explain.state"), n, {"state": _text(rows["state"])})]
        if rule.when.reason_group is not None:
            parts.append(self._reason(rows))
        if rule.when.overdue is not None:
            parts.append(self._overdue(orders, idx, rule.when.overdue, case))
        parts.append(self._deadline(rows, rule))
        joined = join(*parts, skip_nulls=True)
        if rule.look is None or case.all():
            return joined
        look = self._look(rows, k)
        return pc.if_else(pa.array(case), joined, join(look, joined))

    def _reason(self, rows: pd.DataFrame) -> pa.Array:
        groups = self.data.reasons.groups
        group = rows["reason_group"].map(lambda g: groups[g].get(self.lang) if g in groups else g)
        return fill(
            self.t("triage.explain.reason"),
            len(rows),
            {
                "reason": _text(rows["refund_reason"]),
                "key": _text(rows["refund_reason_key"]),
                "group": _text(group),
            },
        )

    def _overdue(self, orders, idx, spec, case) -> pa.Array:
        """The arithmetic of an overdue test, and its policy and source."""
        sub = spec_rows(orders, idx, spec)
        due, basis = due_times(sub, spec, self.data)
        names, start = start_times(sub, spec, basis)
        params = {
            "start": pa.array([self.col(c) if c else "" for c in names], pa.large_string()),
            "start_at": _times(start),
            "due": _times(due),
            "limit": self._limits(sub, spec, basis),
            "as_of": self.now.strftime(_TIME),
        }
        n = len(sub)
        if spec.by:
            by = sub[spec.by]
            unit = (
                pd.Timedelta(hours=1)
                if self.data.policy(spec.policy).unit == "hours"
                else (pd.Timedelta(days=1))
            )
            elapsed = ((by - start) / unit).to_numpy(dtype="float64", na_value=np.nan)
            unit_text = self.t(f"triage.unit.{self.data.policy(spec.policy).unit}")
            params |= {
                "by": self.col(spec.by),
                "by_at": _times(by),
                "elapsed": fill(unit_text, n, {"n": _number(elapsed)}),
            }
            late = fill(self.t("triage.explain.late"), n, params)
            none = fill(self.t("triage.explain.late_none"), n, params)
            part = pc.if_else(pa.array(by.notna().to_numpy()), late, none)
        else:
            within = spec.within_hours
            params["within"] = self.t("triage.explain.within", n=f"{within:g}") if within else ""
            part = fill(self.t("triage.explain.due"), n, params)
        return join(part, self._policy(spec.policy, n))

    def _limits(self, sub: pd.DataFrame, spec, basis: np.ndarray) -> pa.Array:
        n = len(sub)
        limit = pa.array([self.limit(spec.policy)] * n, pa.large_string())
        if spec.left is None:
            return limit
        nf = len(spec.from_)
        for k, (col, key) in enumerate(
            ((spec.left.hours, "left_hours"), (spec.left.days, "left_days"))
        ):
            use = basis == nf + k
            if col and use.any():
                count = sub[col].to_numpy(dtype="float64", na_value=np.nan)
                text_k = fill(self.t(f"triage.explain.{key}", field=col), n, {"n": _number(count)})
                limit = pc.if_else(pa.array(use), text_k, limit)
        return limit

    def _policy(self, key: str, n: int) -> pa.Array:
        pol = self.data.policy(key)
        return fill(self.t("triage.explain.policy"), n, {"policy": key, "source": pol.source})

    def _deadline(self, rows: pd.DataFrame, rule) -> pa.Array:
        n = len(rows)
        act = fill(
            self.t("triage.explain.act_by"),
            n,
            {"due": _times(rows["due_at"]), "how": _text(rows["deadline_source"])},
        )
        policy = rule.deadline.policy
        overdue = rule.when.overdue
        if overdue is not None and overdue.policy == policy:
            return act
        return join(act, self._policy(policy, n))

    def _look(self, rows: pd.DataFrame, k: int) -> pa.Array:
        labels = {
            ids: ", ".join(self.fact_label(f) for f in ids.split(", ")) if ids else ""
            for ids in rows["missing_facts"].unique()
        }
        facts = rows["missing_facts"].map(labels)
        return fill(self.t("triage.explain.look"), len(rows), {"facts": _text(facts)})


def _text(ser: pd.Series) -> pa.Array:
    return pa.array(
        ser.astype(object).where(ser.notna(), None), pa.large_string(), from_pandas=True
    )
