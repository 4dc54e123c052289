"""The claims register: every platform rule, number, mechanism or likelihood the playbook states.

A *claim* is a sentence staff or trainees read that cites a rule of data/policies
(``{policy:KEY}``, rendered from the policy with its mark) or carries the unverified marker
("(unverified)" / "（未核实）"), and every deadline a step computes from a policy. Everything
else a text says must not state a platform rule: the checks below report the hedges and
generalisations that give one away ("usually", "most", "通常" ...) when the sentence cites
nothing, and a text whose two languages cite different rules.

``python -m playbook claims [--out docs/claims.md]`` lists the register (``register``,
``markdown``); ``check_claims`` runs in ``python -m playbook check``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from playbook.library.library import Library, Problem
from playbook.library.model import Policy, Text
from playbook.scenarios.policies import UNVERIFIED_MARK, policy_keys, policy_mark, sentences

AREAS = (
    "scenarios", "templates", "training", "facts", "root_causes", "triage", "i18n", "policies"
)  # fmt: skip


@dataclass(frozen=True)
class Site:
    """One staff- or trainee-visible text: where it lives and where it is shown."""

    area: str  # one of AREAS
    kind: str  # the Library.where kind of its file
    ident: str  # the Library.where id of its file
    loc: tuple  # path inside the file (without the language)
    shown: str  # where people read it
    text: Text
    platform: str | None = None
    cites_ok: bool = True  # whether {policy:KEY} is rendered here
    claims_ok: bool = True  # whether it may state rules at all (hedges are checked)


LISTED = {"fact": "facts", "root_cause": "root_causes"}  # files holding a list of items


def located(lib: Library, site: Site, lang: str | None = None) -> tuple[str, str, int | None]:
    """File, path and line of a site (of its ``lang`` half), as problems and the register say."""
    loc = (*site.loc, lang) if lang else site.loc
    file, _ = lib.where(site.kind, site.ident)
    if site.kind in LISTED:
        items = getattr(lib, LISTED[site.kind])
        index = list(items).index(site.ident)
        _, line = lib.where(site.kind, site.ident, (index, *loc))
        return file, ".".join(map(str, (site.ident, *loc))), line
    _, line = lib.where(site.kind, site.ident, loc)
    return file, ".".join(map(str, loc)), line


def _walk_texts(obj: Any, loc: tuple = ()) -> Iterator[tuple[tuple, Text]]:
    if isinstance(obj, Text):
        yield loc, obj
    elif isinstance(obj, BaseModel):
        for name, info in type(obj).model_fields.items():
            yield from _walk_texts(getattr(obj, name), (*loc, info.alias or name))
    elif isinstance(obj, list):
        for i, item in enumerate(obj):
            yield from _walk_texts(item, (*loc, i))
    elif isinstance(obj, dict):
        for key, item in obj.items():
            yield from _walk_texts(item, (*loc, key))


def _scenario_shown(scenario: Any, loc: tuple) -> str:
    if len(loc) >= 2 and loc[0] == "steps":
        step = scenario.steps[loc[1]]
        part = {
            "deadlines": "deadline",
            "options": "option",
            "evidence": "evidence checklist",
            "actions": "what to do",
            "guidance": "why",
            "notes": "why, for this case",
        }.get(loc[2] if len(loc) > 2 else "", "step")
        return f"staff page, step '{step.id}' ({part})"
    return "staff page, scenario list"


def sites(lib: Library) -> Iterator[Site]:
    """Every text a person reads, file by file.

    Scenarios, templates, practice cases, facts, root causes, triage labels, the message
    catalogue.
    """
    for scenario in lib.scenarios.values():
        for loc, text in _walk_texts(scenario):
            yield Site(
                "scenarios", "scenario", scenario.id, loc, _scenario_shown(scenario, loc), text,
                scenario.platform,
            )  # fmt: skip
    for template in lib.templates.values():
        shown = "buyer draft" if template.kind == "buyer_message" else "statement to Wish"
        for loc, text in _walk_texts(template):
            yield Site("templates", "template", template.id, loc, shown, text, None, False)
    for case in lib.practice.values():
        scenario = lib.scenarios.get(case.scenario)
        platform = scenario.platform if scenario else None
        yield Site("training", "practice", case.id, ("title",), "training page", case.title)
        for i, q in enumerate(case.questions):
            for option, fb in q.feedback.items():
                loc = ("questions", i, "feedback", option, "text")
                yield Site(
                    "training", "practice", case.id, loc, f"trainee feedback, step '{q.step}'",
                    fb.text, platform,
                )  # fmt: skip
        # The vignette is the case as received (the buyer's words), not something we state.
        yield Site(
            "training", "practice", case.id, ("vignette", "message"), "training page (case)",
            case.vignette.message, platform, False, False,
        )  # fmt: skip
    for kind, area, items in (
        ("fact", "facts", lib.facts),
        ("root_cause", "root_causes", lib.root_causes),
    ):
        shown = "staff page, case facts form" if area == "facts" else "staff and lessons pages"
        for ident, obj in items.items():
            for loc, text in _walk_texts(obj):
                yield Site(area, kind, ident, loc, shown, text, None, False)
    for platform, rules in lib.triage.items():  # one rule set per platform
        for loc, text in _walk_texts(rules):
            yield Site(
                "triage", "triage", platform, loc, "triage table and case note", text, platform
            )
    for platform, ps in lib.policies.items():
        for key, policy in ps.policies.items():
            # The rule itself, shown under a deadline question in training.
            yield Site(
                "policies", "policy", platform, ("policies", key, "summary"),
                "training page (deadline feedback)", policy.summary, platform, False, False,
            )  # fmt: skip
    for key, entry in lib.catalogue.items():
        text = Text(zh=entry.get("zh"), en=entry.get("en"))
        # The marks and units the renderer adds are the register's own vocabulary.
        claims_ok = not key.startswith("policy.")
        yield Site("i18n", "i18n", key, (key,), "message catalogue", text, None, False, claims_ok)


# --- claims ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Claim:
    """One row of the register."""

    file: str
    line: int | None
    path: str
    shown: str
    text: str  # the English sentence as written (placeholders kept)
    keys: tuple[str, ...]  # the rules it cites; () = unverified
    platform: str | None


def has_unverified_mark(sentence: str) -> bool:
    """Whether a sentence carries the unverified marker in either language."""
    return any(mark in sentence for mark in UNVERIFIED_MARK.values())


def register(lib: Library) -> list[Claim]:
    """Every claim in the data, in file order.

    Claims are sentences citing a rule or marked unverified, deadlines, and the rule a practice
    feedback names.
    """
    out: list[Claim] = []
    for site in sites(lib):
        if not site.claims_ok or site.area == "i18n":
            continue
        file, path, line = located(lib, site, "en")
        path = path.removesuffix(".en")
        if site.area == "training" and site.loc[-1] == "text":
            case = lib.practice[site.ident]
            fb = case.questions[site.loc[1]].feedback[site.loc[3]]
            if fb.policy:
                text = (site.text.en or "").strip()
                out.append(
                    Claim(
                        file, line, path.removesuffix(".text") + ".policy", site.shown, text,
                        (fb.policy,), site.platform,
                    )
                )  # fmt: skip
        for sentence in sentences(site.text.en or ""):
            keys = tuple(dict.fromkeys(policy_keys(sentence)))
            if keys or has_unverified_mark(sentence):
                out.append(
                    Claim(file, line, path, site.shown, sentence.strip(), keys, site.platform)
                )
    for scenario in lib.scenarios.values():
        for i, step in enumerate(scenario.steps):
            for j, ref in enumerate(step.deadlines):
                loc = ("steps", i, "deadlines", j, "policy")
                file, line = lib.where("scenario", scenario.id, loc)
                out.append(
                    Claim(
                        file, line, ".".join(map(str, loc)),
                        f"staff page, step '{step.id}' (deadline)",
                        f"{ref.label.en} (counted from {ref.from_})", (ref.policy,),
                        scenario.platform,
                    )
                )  # fmt: skip
    for platform, rules in lib.triage.items():
        for i, rule in enumerate(rules.rules):
            if rule.deadline is not None:
                loc = ("rules", i, "deadline", "policy")
                file, line = lib.where("triage", platform, loc)
                out.append(
                    Claim(
                        file, line, ".".join(map(str, loc)), "triage table and case note",
                        f"{rule.label.en}: due by", (rule.deadline.policy,), platform,
                    )
                )  # fmt: skip
    return out


def _policy(lib: Library, platform: str | None, key: str) -> Policy | None:
    ps = lib.policies.get(platform or "")
    if ps is not None and key in ps.policies:
        return ps.policies[key]
    return next((p.policies[key] for p in lib.policies.values() if key in p.policies), None)


def _cell(value: str) -> str:
    return value.replace("|", "\\|").replace("\n", " ")


def markdown(lib: Library, as_of: dt.date) -> str:
    """The register as the Markdown page docs/claims.md (generated; never edited by hand)."""
    claims = register(lib)
    sourced = sum(1 for c in claims if c.keys)
    lines = [
        "# Claims register",
        "",
        "Generated by `python -m playbook claims --out docs/claims.md` from the files under "
        "`data/`; do not edit by hand (`tests/scenarios/test_claims.py` fails when it is stale).",
        "",
        "Every sentence staff or trainees read that states a platform rule, number, mechanism "
        "or likelihood either cites a rule of `data/policies/` with `{policy:KEY}` (rendered "
        'from the policy, with "verify on the merchant dashboard" when its source is undated '
        'or older than 12 months, "historical rule" when it is no longer in force) or carries '
        'the unverified marker "(unverified)" / "（未核实）". Deadlines a step computes and '
        "the rule a practice feedback names are claims too. The English sentence is shown; the "
        "Chinese one cites the same rules (`python -m playbook check`). `scope` is the rule's "
        "`applies_to`: the checker keeps a scoped rule on steps whose facts are in it.",
        "",
        f"{len(claims)} claims: {sourced} cite a rule, {len(claims) - sourced} are unverified. "
        f"Marks as of {as_of}.",
        "",
        "| # | shown | where | claim (en) | rule | scope | mark | source | checked on |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for n, c in enumerate(claims, start=1):
        where = f"`{c.file}:{c.line}` `{c.path}`" if c.line else f"`{c.file}` `{c.path}`"
        rules, scopes, marks, urls, checked = [], [], [], [], []
        for key in c.keys:
            policy = _policy(lib, c.platform, key)
            rules.append(f"`{key}`")
            if policy is None:
                marks.append("unknown")
                continue
            scopes += [f"{f} in {', '.join(v)}" for f, v in policy.applies_to.items()]
            marks.append(policy_mark(policy, as_of) or "ok")
            urls.append(policy.source or "none")
            checked.append(str(policy.checked_on) if policy.checked_on else "never")
        if not c.keys:
            rules, marks, urls, checked = ["unverified"], ["unverified"], ["none"], ["-"]
        lines.append(
            "| "
            + " | ".join(
                [
                    str(n),
                    _cell(c.shown),
                    where,
                    _cell(c.text),
                    "<br>".join(rules),
                    _cell("<br>".join(dict.fromkeys(scopes)) or "every case"),
                    "<br>".join(dict.fromkeys(marks)),
                    "<br>".join(dict.fromkeys(urls)),
                    "<br>".join(dict.fromkeys(checked)),
                ]
            )
            + " |"
        )
    return "\n".join(lines) + "\n"


# --- checks ---------------------------------------------------------------------------------

# Words that state a likelihood or a generalisation. A sentence using one must cite a rule or
# carry the unverified marker; otherwise say what to check instead. "at most" is a limit.
HEDGES = {
    "en": re.compile(
        r"\b(usually|often|rarely|seldom|typically|generally|most|mostly|always|never|"
        r"commonly|common|likely|unlikely)\b",
        re.IGNORECASE,
    ),
    "zh": re.compile(r"通常|一般|大多|大部分|总是|往往|常见|经常|从不|很少|多半|基本上|从来"),
}
_NOT_HEDGES = re.compile(r"\bat most\b|最多|\bat the most\b", re.IGNORECASE)


def hedges(sentence: str, lang: str) -> list[str]:
    """The hedge words of an uncited sentence (none when it cites a rule or is unverified)."""
    if policy_keys(sentence) or has_unverified_mark(sentence):
        return []
    return [m.group(0) for m in HEDGES[lang].finditer(_NOT_HEDGES.sub(" ", sentence))]


def check_claims(lib: Library) -> list[Problem]:
    """Problems of the claims in the data.

    Hedges with no citation; rules cited in one language only; ``{policy:KEY}`` where it is not
    rendered or names no rule of the platform.
    """
    problems: list[Problem] = []
    every_key = {k for ps in lib.policies.values() for k in ps.policies}
    for site in sites(lib):
        for lang in ("en", "zh"):
            if site.area == "i18n" and "{policy:" in (getattr(site.text, lang) or ""):
                continue  # the message layer's own placeholders
            value = getattr(site.text, lang) or ""
            found: list[str] = []
            if site.claims_ok:
                for sentence in sentences(value):
                    hedged = hedges(sentence, lang)
                    if hedged:
                        found.append(
                            f"'{hedged[0]}' states a likelihood or generalisation without a "
                            f"source: cite the rule ({{policy:KEY}}), mark the sentence "
                            f"{UNVERIFIED_MARK[lang]}, or say what to check instead: "
                            f'"{sentence.strip()}"'
                        )
            keys = policy_keys(value)
            if keys and not site.cites_ok:
                found.append(
                    "{policy:KEY} is not rendered here; state no platform rule in this text, "
                    "or move it to a scenario step"
                )
            elif keys and site.area == "training":
                known = lib.policies.get(site.platform or "")
                found += [
                    f"unknown policy '{key}'"
                    for key in keys
                    if known is None or key not in known.policies
                ]
            if found:  # where a text is, only for texts with a problem (it is not cheap)
                file, where, line = located(lib, site, lang)
                problems += [Problem(file, where, message, line) for message in found]
        problems.extend(_parity(lib, site, every_key))
    return problems


def _parity(lib: Library, site: Site, known: set[str]) -> list[Problem]:
    """Both languages cite the same rules and carry the unverified marker alike.

    ``known``: every platform's policy keys (an unknown key is reported apart).
    """
    if not (site.text.en and site.text.zh) or site.area == "i18n":
        return []
    en, zh = site.text.en, site.text.zh
    found = []
    cited_en = sorted(set(policy_keys(en)) & known)
    cited_zh = sorted(set(policy_keys(zh)) & known)
    if cited_en != cited_zh:
        found.append(f"the two languages cite different rules: en {cited_en}, zh {cited_zh}")
    marks_en, marks_zh = en.count(UNVERIFIED_MARK["en"]), zh.count(UNVERIFIED_MARK["zh"])
    if marks_en != marks_zh:
        found.append(
            f"the unverified marker: {marks_en} in en, {marks_zh} in zh; "
            "mark the same claims in both"
        )
    if not found:
        return []
    file, where, line = located(lib, site, "zh")
    return [Problem(file, where, message, line) for message in found]
