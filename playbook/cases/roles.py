"""Who may do what: a signed-in person's identity, their roles, and the rules of each role.

On a team server (JupyterHub) every page knows who is signed in and the hub groups they are
in; the groups named in ``ROLES`` are roles. A ``CaseSession`` given an ``Identity`` checks it
when a case is started or opened and before every move; the pages only hide what a role
cannot do. With no identity (one machine, no hub) nothing is checked, as before.

The rules:

- **staff** work the cases assigned to them or to nobody: open, every move, start a case
  (it is theirs), take an unassigned case ("assign to me"); their case list shows only those.
- **lead** all cases: open, every move, assign and reassign to anyone (or nobody), take; the
  lessons page and recording fixes.
- **analyst** read all cases (list, open), import orders, start cases; no moves on them.
- **trainer** training sessions (the in-memory training page) and their results.

A person may hold several roles; they may do what any of them allows. Pure Python.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass

from playbook.cases.records import Case
from playbook.errors import Forbidden

log = logging.getLogger("playbook.roles")

ROLES = ("staff", "lead", "analyst", "trainer")
ENV_USER = "JUPYTERHUB_USER"
ENV_ROLES = "PLAYBOOK_ROLES"

# What each role may do. Case actions ("open", "move", "assign") are also limited by the
# case's assignee for roles in ``OWN_CASES_ONLY``.
GRANTS: Mapping[str, frozenset[str]] = {
    "staff": frozenset({"list", "open", "start", "move", "take", "training"}),
    "lead": frozenset(
        {"list", "open", "start", "move", "assign", "take", "lessons", "record_fix", "training"}
    ),
    "analyst": frozenset({"list", "open", "start", "import_orders"}),
    "trainer": frozenset({"training", "training_results"}),
}
OWN_CASES_ONLY = frozenset({"staff"})  # roles limited to cases assigned to them or nobody
# The case list's views: the person's own cases, the unassigned ones, everyone's (for staff:
# theirs and the unassigned ones, all they may see).
SCOPES = ("mine", "unassigned", "everyone")
ACTIONS = frozenset().union(*GRANTS.values())


@dataclass(frozen=True)
class Identity:
    """A signed-in person: their hub user name and their roles (hub groups that are roles)."""

    name: str
    roles: frozenset[str]

    @classmethod
    def of(cls, name: str, roles: str | list[str] | tuple[str, ...] | frozenset[str]) -> Identity:
        """An identity from a name and roles, as a list or a comma-separated text.

        Names that are not roles (other hub groups) are dropped.
        """
        items = roles.split(",") if isinstance(roles, str) else roles
        return cls(str(name), frozenset(r.strip() for r in items if r.strip() in ROLES))

    def grants(self, action: str) -> frozenset[str]:
        """The roles of this person that allow ``action``."""
        return frozenset(r for r in self.roles if action in GRANTS[r])

    def may(self, action: str, case: Case | None = None) -> bool:
        """Whether this person may take ``action`` (on ``case``, for case actions)."""
        for role in self.grants(action):
            if case is None or role not in OWN_CASES_ONLY or case.assignee in (None, self.name):
                return True
        return False

    def sees_all(self) -> bool:
        """Whether the case list shows every case (else only theirs and unassigned ones)."""
        return any(r not in OWN_CASES_ONLY for r in self.grants("list"))

    def require(self, action: str, case: Case | None = None, **detail: object) -> None:
        """Refuse, and log who tried what, unless this person may take ``action``.

        Raises:
            Forbidden: the roles do not allow it (the message names the person and the case).
        """
        if action not in ACTIONS:
            raise ValueError(f"unknown action {action!r}; known: {sorted(ACTIONS)}")
        if self.may(action, case):
            return
        roles = ", ".join(sorted(self.roles)) or "-"
        case_id = case.id if case is not None else "-"
        log.warning(
            "refused: user=%s roles=%s action=%s case=%s assignee=%s %s",
            self.name,
            roles,
            action,
            case_id,
            case.assignee if case is not None else "-",
            " ".join(f"{k}={v}" for k, v in detail.items()),
        )
        if case is not None and self.grants(action):  # the role may, but not on this case
            raise Forbidden("error.forbidden_case", user=self.name, roles=roles, case=case_id)
        raise Forbidden(f"error.forbidden.{action}", user=self.name, roles=roles)


def list_assignees(
    identity: Identity | None, assignee: str | None
) -> str | tuple[str | None, ...] | None:
    """The case list's assignee filter narrowed to what ``identity`` may see.

    Args:
        identity: the signed-in person (None: no hub, nothing narrowed).
        assignee: the assignee typed in the list's filter (None: any).

    Returns:
        What to pass as ``assignee`` to ``list_cases``/``count_cases``: unchanged for people
        who see every case; for staff, their own name and None (unassigned), or only the
        typed name when it is theirs, or an empty tuple (nothing) when it is someone else's.

    Raises:
        Forbidden: the person may not list cases at all.
    """
    if identity is None:
        return assignee
    identity.require("list")
    if identity.sees_all():
        return assignee
    if assignee is None:
        return (identity.name, None)
    return (assignee,) if assignee == identity.name else ()


def scope_assignees(
    identity: Identity | None, scope: str, me: str | None, typed: str | None = None
) -> str | tuple[str | None, ...] | None:
    """The case list's assignee filter for one of ``SCOPES``, narrowed to what may be seen.

    Args:
        identity: the signed-in person (None: no hub; nothing narrowed).
        scope: ``mine``, ``unassigned`` or ``everyone`` (anything else counts as ``everyone``:
            the value comes from the browser).
        me: the acting person's name (the signed-in one, or the name typed on the page).
        typed: an assignee typed in the list's filter, used with ``everyone`` only.

    Returns:
        What to pass as ``assignee`` to ``list_cases``/``count_cases`` (see ``list_assignees``).
    """
    if scope == "mine":
        wanted: str | tuple[str | None, ...] | None = (me,) if me else ()
    elif scope == "unassigned":
        wanted = (None,)
    else:
        wanted = typed
    if identity is None:
        return wanted
    if isinstance(wanted, tuple):
        identity.require("list")
        if identity.sees_all():
            return wanted
        return tuple(name for name in wanted if name in (identity.name, None))
    return list_assignees(identity, wanted)


def identity_from_env(environ: Mapping[str, str]) -> Identity | None:
    """The signed-in person on a hub server (``JUPYTERHUB_USER``, roles in ``PLAYBOOK_ROLES``).

    None when there is no hub user (one machine): then nothing is checked.
    """
    name = environ.get(ENV_USER, "").strip()
    if not name:
        return None
    return Identity.of(name, environ.get(ENV_ROLES, ""))
