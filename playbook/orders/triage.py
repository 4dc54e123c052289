"""Triage imported orders into dispute scenarios, vectorised, by the file's platform's rules.

The rules are in data/triage.yaml for Wish, data/triage/<platform>.yaml for the others.

Deadlines come from that platform's policy file (or the platform's own count of the time left,
or its own due time in the file) and an explicit "as of" time; refund reasons are grouped
through the platform's reason codes. A rule fires only on orders that give every fact it needs
(see data/triage.yaml); the others are counted as not judged, or listed as "needs a look".
Every row explains itself (:mod:`playbook.orders.explain`), in words made for the rows a page
or an export asks for (``TriageResult.explained``, ``TriageResult.table``). Order facts for a
case are in :mod:`playbook.orders.facts`.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Collection, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from playbook.errors import PlaybookError
from playbook.library.library import Library
from playbook.library.model import Policy, PolicySet
from playbook.library.triage_rules import (
    DEADLINE_STATES,
    ReasonCodes,
    Rule,
    RuleSet,
)
from playbook.orders.deadlines import Picked, add_business_days, due_times, gather, spec_rows
from playbook.orders.explain import Explainer, Explanations
from playbook.orders.facts import ORDER_FACTS, as_utc, order_facts, triage_note
from playbook.orders.fields import FIELDS, KNOWN_REFUND_SOURCES, MAPPED_KINDS

__all__ = [
    "ORDER_FACTS",
    "REASON_FACT",
    "TRIAGE_COLUMNS",
    "Triage",
    "TriageResult",
    "TriageSet",
    "as_utc",
    "order_facts",
    "triage",
    "triage_note",
]

TRIAGE_COLUMNS = [
    "order_id",
    "source_row",
    "verdict",
    "scenario",
    "rule",
    "priority",
    "due_at",
    "hours_left",
    "deadline_state",
    "deadline_policy",
    "deadline_source",
    "label",
    "explanation",
    "rule_policy",
    "policy_source",
    "missing_facts",
    "state",
    "reason_group",
    "refund_reason_key",
    "refund_reason",
    "refund_source",
    "other_rules",
    "released_at",
    "shipped_at",
    "confirmed_fulfilled_at",
    "delivered_at",
    "refunded_at",
    "product_name",
    "sku",
    "quantity",
    "order_total",
    "currency",
    "country",
]
# Order columns copied into the triage table as they are.
_COPIED = ["order_id", "source_row", "state", "refund_reason", "refund_source"]
_COPIED += TRIAGE_COLUMNS[TRIAGE_COLUMNS.index("released_at") :]
# The fact every rule needs under ``unknown_reason: hold``: a refund reason, when there is
# one, that data/reason_codes.yaml knows.
REASON_FACT = "reason"


@dataclass(frozen=True)
class Triage:
    """Everything triage needs from data/ for one platform: rules, reason codes, policies."""

    rules: RuleSet
    reasons: ReasonCodes
    policies: PolicySet

    @property
    def platform(self) -> str:
        """The platform whose orders these rules judge."""
        return self.rules.platform

    @classmethod
    def from_library(cls, lib: Library, platform: str | None = None) -> Triage | TriageSet:
        """The triage data of ``platform`` in a loaded (and so checked) library.

        Without a platform: every platform's (a :class:`TriageSet`), from which
        :func:`triage` takes the one of each file's platform (what the analyst page asks for).

        Raises:
            PlaybookError: the platform has no triage rules.
        """
        if platform is None:
            return TriageSet.from_library(lib)
        rules = lib.triage.get(platform)
        if rules is None:
            raise PlaybookError(
                "error.no_triage_rules", platform=platform, platforms=sorted(lib.triage)
            )
        reasons = lib.reasons.get(platform) or ReasonCodes(
            platform=platform, groups={}, reasons={}
        )
        return cls(rules, reasons, lib.policies[platform])

    def policy(self, key: str) -> Policy:
        """The policy ``key`` of this platform."""
        return self.policies.policies[key]

    def duration(self, key: str) -> pd.Timedelta:
        """The policy's duration as a fixed length.

        Business days count as calendar days: only for showing elapsed times; :meth:`due`
        counts them properly.
        """
        pol = self.policy(key)
        unit = "h" if pol.unit == "hours" else "D"
        return pd.Timedelta(float(pol.value), unit=unit)

    def due(self, key: str, start: pd.Series) -> pd.Series:
        """``start`` plus the policy's duration: hours, calendar days or business days.

        Business days run Monday to Friday, as
        :func:`playbook.scenarios.policies.add_business_days`.
        """
        pol = self.policy(key)
        if pol.unit == "business_days":
            return add_business_days(start, int(float(pol.value)))
        return start + self.duration(key)


@dataclass(frozen=True)
class TriageSet:
    """Every platform's triage data; :func:`triage` judges each file with its platform's."""

    platforms: Mapping[str, Triage]

    @classmethod
    def from_library(cls, lib: Library) -> TriageSet:
        """The triage data of every platform with rules in a loaded library."""
        return cls({p: Triage.from_library(lib, p) for p in sorted(lib.triage)})

    def of(self, platform: str | None) -> Triage:
        """The triage data of ``platform`` (None: the only platform, if there is one).

        Raises:
            PlaybookError: no rules for that platform.
        """
        if platform is None and len(self.platforms) == 1:
            return next(iter(self.platforms.values()))
        found = self.platforms.get(platform) if platform else None
        if found is None:
            raise PlaybookError(
                "error.no_triage_rules", platform=platform or "?", platforms=sorted(self.platforms)
            )
        return found


@dataclass
class TriageResult:
    """Orders that need a case (or a look), and what triage could not judge.

    Attributes:
        listed: one row per listed order, sorted by priority then due date; the columns of
            :data:`TRIAGE_COLUMNS` but ``explanation`` (see :attr:`table` and
            :meth:`explained`). ``verdict`` is 'case' (the first rule that fired wins) or
            'look' (a rule could not judge it for a missing fact, ``missing_facts``, and asks
            for a look with its own lower priority). Why: ``rule_policy`` and its
            ``policy_source``, the act-by date ``due_at`` with its ``deadline_source``, and
            the ``explanation`` (the facts and the arithmetic), put into words for the rows
            asked for; :func:`~playbook.orders.facts.triage_note` puts them all in words.
        unknown_reasons: refund reasons found in no entry of data/reason_codes.yaml, with
            their count (``reason``, ``orders``).
        unjudged: per rule, orders it would have judged but could not (``rule``,
            ``missing`` facts, ``orders``).
        unknown_refund_sources: who-refunded values that are not Wish's (``refund_source``,
            ``orders``).
        as_of: the time deadlines were judged at.
        why: the explanations of the listed rows, made when asked for.
    """

    listed: pd.DataFrame
    unknown_reasons: pd.DataFrame
    unjudged: pd.DataFrame
    unknown_refund_sources: pd.DataFrame
    as_of: pd.Timestamp
    why: Explanations = field(repr=False, compare=False)
    _table: pd.DataFrame | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def table(self) -> pd.DataFrame:
        """Every listed row with every column of :data:`TRIAGE_COLUMNS` (the CSV export).

        The explanation of every row is made on the first call (then kept): a page that
        shows some rows asks :meth:`explained` for those only.
        """
        if self._table is None:
            self._table = self.explained(self.listed)
        return self._table

    def explained(self, rows: pd.DataFrame) -> pd.DataFrame:
        """``rows`` of :attr:`listed` (filtered, a page, any order) with their ``explanation``.

        The same words :attr:`table` has for them; columns in :data:`TRIAGE_COLUMNS` order
        (any other column of ``rows`` after them).

        Raises:
            ValueError: ``rows`` are not rows of this result's table (by index and file row).
        """
        pos = self.listed.index.get_indexer(rows.index)
        rows_at = self.listed["source_row"].to_numpy()[pos]
        if (pos < 0).any() or not np.array_equal(rows_at, rows["source_row"].to_numpy()):
            raise ValueError("not rows of this triage table")
        words = self.why.at(pos)
        out = rows.assign(explanation=pd.Series(words.to_numpy(), index=rows.index, dtype="str"))
        ordered = [c for c in TRIAGE_COLUMNS if c in out.columns]
        return out[ordered + [c for c in out.columns if c not in TRIAGE_COLUMNS]]

    def counts(self) -> pd.Series:
        """Orders per scenario (cases only, not "needs a look")."""
        cases = self.listed[self.listed["verdict"] == "case"]
        return cases["scenario"].value_counts().sort_index()

    def looks(self) -> pd.Series:
        """Orders listed as "needs a look", per rule."""
        looks = self.listed[self.listed["verdict"] == "look"]
        return looks["rule"].value_counts().sort_index()


_GATHER_WORKERS = max(1, min(4, os.cpu_count() or 1))


# --- reasons ----------------------------------------------------------------------------------


@dataclass
class _Reasons:
    """Each order's refund reason mapped once per distinct spelling."""

    codes: np.ndarray  # per row: index into the distinct reasons, -1 for none
    canon: np.ndarray  # per distinct reason (+ None last): canonical reason
    group: np.ndarray  # per distinct reason (+ None last): group
    unknown: pd.DataFrame

    def at(self, idx: np.ndarray) -> np.ndarray:
        """Index into ``canon``/``group`` for rows ``idx`` (no reason -> the last, None)."""
        codes = self.codes[idx]
        return np.where(codes < 0, len(self.canon) - 1, codes)

    @property
    def at_all(self) -> np.ndarray:
        """Index into ``canon``/``group`` for every row."""
        return np.where(self.codes < 0, len(self.canon) - 1, self.codes)

    @property
    def known(self) -> np.ndarray:
        """Per row: no reason, or one data/reason_codes.yaml knows."""
        return (self.codes < 0) | np.array([g is not None for g in self.group])[self.at_all]


def _map_reasons(reasons: pd.Series, codes_data: ReasonCodes) -> _Reasons:
    codes, uniq = pd.factorize(reasons)  # map each distinct spelling once, not each row
    lookup = codes_data.lookup()
    mapped = [codes_data.match(r, lookup) or (None, None) for r in uniq]
    canon = np.array([m[0] for m in mapped] + [None], dtype=object)
    group = np.array([m[1] for m in mapped] + [None], dtype=object)
    unknown_at = [i for i, m in enumerate(mapped) if m[1] is None]
    counts = np.bincount(codes[codes >= 0], minlength=len(uniq))
    unknown = pd.DataFrame(
        {
            "reason": pd.Series([uniq[i] for i in unknown_at], dtype="str"),
            "orders": np.array([counts[i] for i in unknown_at], dtype=np.int64),
        }
    ).sort_values("orders", ascending=False, ignore_index=True)
    return _Reasons(codes, canon, group, unknown)


def _unknown_refund_sources(orders: pd.DataFrame) -> pd.DataFrame:
    sources = orders["refund_source"].dropna()
    odd = sources[~sources.isin(KNOWN_REFUND_SOURCES)]
    counts = odd.value_counts()
    return pd.DataFrame(
        {
            "refund_source": pd.Series(counts.index, dtype="str"),
            "orders": counts.to_numpy(dtype=np.int64),
        }
    )


# --- facts and tests --------------------------------------------------------------------------


def known_facts(
    orders: pd.DataFrame, rules: RuleSet, complete: Collection[str] | None
) -> dict[str, np.ndarray]:
    """Per fact of data/triage.yaml, which orders give it.

    ``complete``: the fields the file reports whenever they happened (None: every column, for
    tables made by hand).
    """
    n = len(orders)
    known = {}
    for name, spec in rules.facts.items():
        first = spec.columns[0]
        full = complete is None or first in complete
        # A missing yes/no flag is never a 'no', nor a missing status or channel another one.
        if full and FIELDS.get(first) != "bool" and FIELDS.get(first) not in MAPPED_KINDS:
            known[name] = np.ones(n, bool)
            continue
        has = np.zeros(n, bool)
        for col in spec.columns:
            has |= orders[col].notna().to_numpy()
        known[name] = has
    return known


def _tests(
    orders: pd.DataFrame,
    rule: Rule,
    reasons: _Reasons,
    now,
    data,
    unknown: dict[str, np.ndarray] | None = None,
) -> np.ndarray:
    """Where every test of the rule holds, reading empty values as they are.

    ``unknown``: per column, the orders for which a fact the rule needs, covering that column,
    is not given. A ``values`` test on such an order's empty cell cannot be judged: it is let
    through, so that the missing fact makes the order "not judged" (or a look), not a "no".
    """
    w = rule.when
    ok = np.ones(len(orders), bool)
    if w.state is not None:
        ok &= orders["state"].isin(w.state).to_numpy()
    if w.reason_group is not None:
        ok &= np.isin(reasons.group, w.reason_group)[reasons.at_all]
    for col, wanted in w.values.items():
        hit = orders[col].isin(wanted).to_numpy(dtype=bool)
        if unknown and col in unknown:
            hit = hit | (orders[col].isna().to_numpy() & unknown[col])
        ok &= hit
    for col in w.present:
        ok &= orders[col].notna().to_numpy()
    for col in w.absent:
        ok &= orders[col].isna().to_numpy()
    for col in w.is_true:
        ok &= orders[col].fillna(False).to_numpy(dtype=bool)
    for col in w.not_true:
        ok &= ~orders[col].fillna(False).to_numpy(dtype=bool)
    if w.overdue:
        # Due times of the orders every other test let through; when that is most of them,
        # of every order (gathering the rows would cost more than it saves).
        at = np.flatnonzero(ok) if 2 * ok.sum() <= len(ok) else np.arange(len(ok))
        rows = spec_rows(orders, at, w.overdue) if len(at) < len(ok) else orders
        due, _ = due_times(rows, w.overdue, data)
        if w.overdue.by:
            by = rows[w.overdue.by]
            hit = (by > due) | (by.isna() & (due <= now))
        else:
            hit = due <= now + pd.Timedelta(hours=w.overdue.within_hours)
        ok[at] &= hit.fillna(False).to_numpy(dtype=bool)
    return ok


@dataclass
class _Verdicts:
    fires: np.ndarray  # rules x orders: the rule fires
    looks: np.ndarray  # rules x orders: a look is asked for
    missing: list[np.ndarray]  # per rule: bit mask of missing facts per order (0: none)
    unjudged: pd.DataFrame


def _judge(orders, data: Triage, reasons: _Reasons, known, now) -> _Verdicts:
    """Every rule on every order: where it fires, where it asks for a look, what is missing."""
    rules = data.rules
    hold = rules.unknown_reason == "hold"
    reason_ok = reasons.known if hold else np.ones(len(orders), bool)
    fires, looks, missing, rows = [], [], [], []
    for rule in rules.rules:
        unknown: dict[str, np.ndarray] = {}
        for need in rule.needs:
            spec = rules.facts.get(need)
            for col in spec.columns if spec else []:
                unknown[col] = unknown.get(col, np.zeros(len(orders), bool)) | ~known[need]
        ok = _tests(orders, rule, reasons, now, data, unknown)
        needs = [*rule.needs, *([REASON_FACT] if hold else [])]
        bits = np.zeros(len(orders), np.int64)
        for j, need in enumerate(needs):
            have = reason_ok if need == REASON_FACT else known[need]
            bits |= np.where(have, 0, 1 << j)
        fires.append(ok & (bits == 0))
        not_judged = ok & (bits != 0)
        looks.append(not_judged if rule.look else np.zeros(len(orders), bool))
        missing.append(np.where(ok, bits, 0))
        counts = np.bincount(bits[not_judged], minlength=1 << len(needs))
        for combo in np.flatnonzero(counts):
            names = [n for j, n in enumerate(needs) if combo >> j & 1]
            rows.append((rule.id, ", ".join(names), int(counts[combo])))
    unjudged = pd.DataFrame(rows, columns=["rule", "missing", "orders"]).astype(
        {"rule": "str", "missing": "str", "orders": "int64"}
    )
    return _Verdicts(np.vstack(fires), np.vstack(looks), missing, unjudged)


# --- picking and sorting ----------------------------------------------------------------------


def _pick(orders, data: Triage, v: _Verdicts, now) -> Picked:
    """The first rule that fires on each order, else the first asking for a look.

    With their deadlines and priorities; sorted by priority, then due date (none last), stable.
    """
    rules = data.rules.rules
    any_fire, any_look = v.fires.any(axis=0), v.looks.any(axis=0)
    listed = any_fire | any_look
    idx = np.flatnonzero(listed)
    case = any_fire[idx]
    pick = np.where(case, v.fires[:, idx].argmax(axis=0), v.looks[:, idx].argmax(axis=0))
    due = np.full(len(idx), np.datetime64("NaT"), dtype="datetime64[us]")
    basis = np.full(len(idx), -1)
    for k, rule in enumerate(rules):
        sel = pick == k
        if sel.any() and rule.deadline is not None:
            times, how = due_times(spec_rows(orders, idx[sel], rule.deadline), rule.deadline, data)
            due[sel] = times.to_numpy(dtype="datetime64[us]")
            basis[sel] = how
    left = (due - now.tz_convert(None).to_datetime64()) / np.timedelta64(1, "h")
    with np.errstate(invalid="ignore"):
        state_code = np.select(
            [np.isnat(due), left <= 0, left <= data.rules.soon_hours], [3, 0, 1], 2
        )
    by_state = np.array(
        [[rule.priority.get(st, 2) for st in DEADLINE_STATES] for rule in rules], np.int64
    ).reshape(len(rules), len(DEADLINE_STATES))
    look_prio = np.array([r.look.priority if r.look else 9 for r in rules], np.int64)
    priority = np.where(case, by_state[pick, state_code], look_prio[pick])
    due_key = np.where(np.isnat(due), np.iinfo(np.int64).max, due.view(np.int64))
    order = np.lexsort((due_key, priority))
    return Picked(*(a[order] for a in (idx, pick, case, due, basis, state_code, priority)))


# --- the table --------------------------------------------------------------------------------


def triage(
    orders: pd.DataFrame,
    as_of: str | dt.datetime | pd.Timestamp,
    data: Triage,
    lang: str = "en",
    complete: Collection[str] | None = None,
) -> TriageResult:
    """Match every order against the rules, at ``as_of``.

    Args:
        orders: the order table from :func:`playbook.orders.reader.read_orders`.
        as_of: the time deadlines are judged at (no clock is read here).
        data: rules, reasons and policies of the orders' platform (``Triage.from_library``),
            or every platform's (a ``TriageSet``: the one of ``orders.attrs['platform']``).
        lang: language of the ``label`` and ``explanation`` columns ('en' or 'zh').
        complete: the fields the file reports whenever they happened (default:
            ``orders.attrs['complete']`` as the import sets it; None there too: every column).

    Raises:
        PlaybookError: the orders are another platform's than the rules (or no platform has
            rules for them).
    """
    data = rules_for(orders, data)
    now = as_utc(as_of)
    if complete is None:
        complete = orders.attrs.get("complete")
    reasons = _map_reasons(orders["refund_reason"], data.reasons)
    known = known_facts(orders, data.rules, complete)
    verdicts = _judge(orders, data, reasons, known, now)
    picked = _pick(orders, data, verdicts, now)
    table, why = _table(orders, data, reasons, verdicts, picked, now, lang)
    return TriageResult(
        table, reasons.unknown, verdicts.unjudged, _unknown_refund_sources(orders), now, why
    )


def rules_for(orders: pd.DataFrame, data: Triage | TriageSet) -> Triage:
    """The triage data for ``orders``: their platform's.

    The platform is ``orders.attrs['platform']``, set by the import; a table made by hand has
    none and takes ``data`` as it is.
    """
    platform = orders.attrs.get("platform")
    if isinstance(data, TriageSet):
        return data.of(platform)
    if platform is not None and platform != data.platform:
        raise PlaybookError("error.triage_platform", orders=platform, rules=data.platform)
    return data


def _table(orders, data: Triage, reasons: _Reasons, v: _Verdicts, p: Picked, now, lang):
    """The listed rows (every column but ``explanation``), and their explanations to make."""
    # Gathering the listed rows is random access (cache misses, mostly in the text columns):
    # the columns are gathered in parallel (Arrow's take releases the GIL) while this thread
    # makes the columns of the verdicts.
    series = [orders[name] for name in _COPIED]
    with ThreadPoolExecutor(max_workers=_GATHER_WORKERS) as pool:
        jobs = [pool.submit(gather, ser, p.idx) for ser in series]
        explainer = Explainer(data, now, lang)
        made = _verdict_columns(data, reasons, v, p, now, explainer)
        column = dict(zip(_COPIED, (job.result() for job in jobs), strict=True))
    table = pd.DataFrame({**column, **made})
    table = table[[c for c in TRIAGE_COLUMNS if c != "explanation"]]
    return table, Explanations(explainer, orders, table, p)


def _verdict_columns(
    data: Triage, reasons: _Reasons, v: _Verdicts, p: Picked, now, explainer: Explainer
) -> dict[str, pd.Series | np.ndarray]:
    """The triage table's columns that are not copied from the orders (but the explanation)."""
    rules = data.rules.rules
    due_at = pd.Series(p.due).dt.tz_localize("UTC")
    reason_at = reasons.at(p.idx)

    def text(values, at: np.ndarray) -> pd.Series:
        return pd.Series(pd.array(list(values), dtype="str").take(at))

    return {
        "verdict": text(["look", "case"], p.case.astype(np.int64)),
        "scenario": text([r.scenario for r in rules], p.pick),
        "rule": text([r.id for r in rules], p.pick),
        "priority": p.priority,
        "due_at": due_at,
        "hours_left": ((due_at - now) / pd.Timedelta(hours=1)).round(1),
        "deadline_state": text(DEADLINE_STATES, p.state_code),
        "deadline_policy": text([r.deadline.policy if r.deadline else "" for r in rules], p.pick),
        "deadline_source": explainer.sources(p.pick, p.basis),
        "label": explainer.labels(p.pick, p.case),
        **dict(zip(("rule_policy", "policy_source"), explainer.policies(p.pick), strict=True)),
        "missing_facts": explainer.missing(p.pick, p.idx, v.missing),
        "reason_group": text(reasons.group, reason_at),
        "refund_reason_key": text(reasons.canon, reason_at),
        "other_rules": _others([r.id for r in rules], v.fires, p),
    }


def _others(ids: list[str], fires: np.ndarray, p: Picked, first: int = 0) -> pd.Series:
    """Per listed order: the other rules that fire on it ('a;b'), in rule order.

    ``ids`` and ``fires`` are the rules from number ``first`` on.
    """
    if len(ids) > 62:  # one bit per rule in an int64: 62 rules at a time
        head = _others(ids[:62], fires[:62], p, first)
        tail = _others(ids[62:], fires[62:], p, first + 62)
        both = (head != "") & (tail != "")
        return (head + np.where(both, ";", "") + tail).astype("str")
    combo = np.zeros(len(p.idx), np.int64)  # bit k: rule first + k fires too
    for k in range(len(ids)):
        combo |= (fires[k, p.idx] & (p.pick != first + k)).astype(np.int64) << k
    combos, at = np.unique(combo, return_inverse=True)
    texts = [";".join(r for k, r in enumerate(ids) if c >> k & 1) for c in combos.tolist()]
    return pd.Series(pd.array(texts, dtype="str").take(at.reshape(-1)))
