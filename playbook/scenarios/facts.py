"""Case facts: parse and check what staff typed, and format facts for display and drafts.

Every value from a form is untrusted text; it becomes a typed value here or an error that
names the field.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from playbook.errors import FactError
from playbook.library.model import FactDef, Scenario

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_DATE_FORMATS = ("%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M", "%Y/%m/%d %H:%M")


def parse_fact(fact: FactDef, raw: Any) -> Any:
    """One fact from its raw form value to a typed value (None when empty).

    Raises:
        FactError: the value does not fit the fact's type; ``err.params['field']`` names it.
    """
    if raw is None:
        return None
    if not isinstance(raw, str):
        if fact.type == "datetime" and isinstance(raw, dt.datetime):
            return raw if raw.tzinfo else raw.replace(tzinfo=dt.UTC)
        raw = str(raw)
    text = raw.strip()
    if not text:
        return None
    if _CONTROL.search(text):
        raise FactError("error.fact_control_chars", field=fact.id)
    limit = 5000 if fact.type == "longtext" else fact.max_length
    if len(text) > limit:
        raise FactError("error.fact_too_long", field=fact.id, limit=limit)
    kind = fact.type
    if kind in ("text", "longtext"):
        return text
    if kind == "money":
        try:
            value = Decimal(text.replace(",", ""))
        except InvalidOperation:
            raise FactError("error.fact_money", field=fact.id, value=text) from None
        if not value.is_finite() or value < 0 or value.as_tuple().exponent < -2:
            raise FactError("error.fact_money", field=fact.id, value=text)
        return value
    if kind == "currency":
        if not re.fullmatch(r"[A-Za-z]{3}", text):
            raise FactError("error.fact_currency", field=fact.id, value=text)
        return text.upper()
    if kind == "country":
        if not re.fullmatch(r"[A-Za-z]{2}", text):
            raise FactError("error.fact_country", field=fact.id, value=text)
        return text.upper()
    if kind == "integer":
        if not re.fullmatch(r"\d{1,9}", text):
            raise FactError("error.fact_integer", field=fact.id, value=text)
        return int(text)
    if kind == "date":
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            raise FactError("error.fact_date", field=fact.id, value=text) from None
    if kind == "datetime":
        return _parse_datetime(fact, text)
    if kind == "choice":
        ids = [c.id for c in fact.choices]
        if text not in ids:
            raise FactError("error.fact_choice", field=fact.id, value=text, choices=ids)
        return text
    raise FactError("error.fact_invalid", field=fact.id, value=text)  # pragma: no cover


def _parse_datetime(fact: FactDef, text: str) -> dt.datetime:
    value = None
    try:
        value = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        for fmt in _DATE_FORMATS:
            try:
                value = dt.datetime.strptime(text, fmt)
                break
            except ValueError:
                continue
    if value is None:
        raise FactError("error.fact_datetime", field=fact.id, value=text)
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC)


def parse_facts(
    scenario: Scenario, defs: Mapping[str, FactDef], raw: Mapping[str, Any]
) -> tuple[dict[str, Any], dict[str, FactError]]:
    """All of a scenario's facts from form values.

    Returns:
        ``(facts, errors)``: typed facts that parsed, and an error per field that did not
        (including required facts left empty). Keys not asked for by the scenario are dropped.
    """
    facts: dict[str, Any] = {}
    errors: dict[str, FactError] = {}
    for ref in scenario.facts:
        try:
            value = parse_fact(defs[ref.id], raw.get(ref.id))
        except FactError as err:
            errors[ref.id] = err
            continue
        if value is None:
            if ref.required:
                errors[ref.id] = FactError("error.fact_required", field=ref.id)
            continue
        facts[ref.id] = value
    return facts, errors


def format_fact(value: Any) -> str:
    """A typed fact as text for drafts and review (UTC datetimes, 2-decimal money)."""
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    return str(value)


def facts_to_json(facts: Mapping[str, Any]) -> dict[str, str]:
    """Typed facts as strings that ``parse_facts`` reads back to the same values."""
    out = {}
    for key, value in facts.items():
        if isinstance(value, dt.datetime):
            out[key] = value.astimezone(dt.UTC).isoformat()
        else:
            out[key] = str(value)
    return out
