"""Order facts for a case: the facts (ids of data/facts.yaml) one order row gives, as strings.

Pure pandas; used by the analyst page to start a case from a triaged order. Contact details
(street, phone) are never facts.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import pandas as pd

from playbook.i18n import text
from playbook.orders.reader import money_text

__all__ = ["ORDER_FACTS", "TRIAGE_FACT", "as_utc", "order_facts", "triage_note"]

ORDER_FACTS = [
    "order_id",
    "transaction_id",
    "buyer_name",
    "product_name",
    "sku",
    "quantity",
    "order_total",
    "currency",
    "country",
    "ordered_at",
    "released_at",
    "shipped_at",
    "confirmed_fulfilled_at",
    "delivered_at",
    "refunded_at",
    "refund_reason",
    "tracking_number",
    "carrier",
    "fulfilment_channel",
    "return_requested_at",
]
# The fact that carries why triage listed the order (its explanation), when one is given.
TRIAGE_FACT = "triage_note"


def as_utc(value: str | dt.datetime | pd.Timestamp) -> pd.Timestamp:
    """A time as a UTC timestamp; a time without zone is taken as UTC."""
    ts = pd.Timestamp(value)
    return ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")


def triage_note(row: pd.Series | Mapping[str, Any], lang: str = "en") -> str:
    """One triage row's reasons in words.

    The explanation (facts and arithmetic), the policy and its source, the act-by date and where
    it comes from.
    """
    parts = [str(row.get("explanation") or "")]
    policy = row.get("rule_policy")
    if not _empty(policy) and str(policy):
        source = row.get("policy_source")
        parts.append(text("triage.explain.policy", lang, policy=policy, source=source))
    due = row.get("due_at")
    if not _empty(due):
        when = as_utc(due).strftime("%Y-%m-%d %H:%M")
        how = row.get("deadline_source")
        parts.append(text("triage.explain.act_by", lang, due=when, how=how))
    return "; ".join(p for p in parts if p)


def order_facts(
    row: pd.Series | Mapping[str, Any],
    triaged: pd.Series | Mapping[str, Any] | None = None,
    lang: str = "en",
) -> dict[str, str]:
    """The case facts of one order row, as strings.

    Empty values are left out. Times are ISO 8601 in UTC with ``Z``; money is a decimal
    string. An export without a release time gives the order time as ``released_at`` (the
    earlier, safer start for the fulfilment deadline). With ``triaged`` (the order's row of
    the triage table) the facts also carry why it was listed: ``triage_note``, in ``lang``.
    """
    get = row.get
    facts: dict[str, str] = {}
    for name in ORDER_FACTS:
        value = get(name)
        if name == "released_at" and _empty(value):
            value = get("ordered_at")
        if _empty(value):
            continue
        if isinstance(value, pd.Timestamp | dt.datetime):
            text = as_utc(value).strftime("%Y-%m-%dT%H:%M:%SZ")
        elif name == "order_total":
            text = money_text(value)
        elif name == "quantity":
            text = str(int(value))
        else:
            text = str(value).strip()
        if text:
            facts[name] = text
    note = "" if triaged is None else triage_note(triaged, lang)
    if note.strip():
        facts[TRIAGE_FACT] = note.strip()
    return facts


def _empty(value: Any) -> bool:
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False
