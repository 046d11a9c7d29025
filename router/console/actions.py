"""What each role may do to a ticket, turned into lifecycle events for ``tickets.events``.

The console and the JSON API share this module: :func:`visible` is the department fence,
:func:`available` lists the actions a user may take on a ticket now, and :func:`plan` checks
an action's input and returns the events it stands for, after trying them on a copy of the
ticket's state with the tracker's own rules, so a refusal is explained at once rather than
turning into a dead letter. The tracker stays the authority: two agents acting at the same
moment are settled there.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from router.departments import TRIAGE, Catalogue
from router.exceptions import ActionError, BadInputError, UnknownDepartmentError
from router.lifecycle import ALLOWED_IN, ROLES_FOR, Lifecycle, TicketState
from topics import events as ev
from topics.schemas import TZ

MAX_REASON = 500
MAX_REPLY = 4000


@dataclass(frozen=True, kw_only=True)
class Actor:
    """Who acts: a console user, or a department system through its API token."""

    username: str
    role: str  # dispatcher, handler, callback, supervisor
    department: str | None = None  # a handler's department


@dataclass(frozen=True, kw_only=True)
class Action:
    """One thing a user can do: its label, the event type it starts with, its inputs."""

    name: str
    label: str
    event: str
    fields: tuple[str, ...] = ()
    claimed: bool = False  # a handler must hold the ticket's claim


ACTIONS: dict[str, Action] = {
    a.name: a
    for a in (
        Action(name="dispatch", label="派单 Dispatch", event=ev.DISPATCHED, fields=("department",)),
        Action(
            name="reassign",
            label="改派 Reassign",
            event=ev.REASSIGNED,
            fields=("department", "reason"),
        ),
        Action(
            name="merge", label="合并 Merge duplicate", event=ev.MERGED, fields=("duplicate_of",)
        ),
        Action(name="sign", label="签收 Sign", event=ev.SIGNED, claimed=True),
        Action(name="contact", label="已联系 Contacted", event=ev.CONTACTED, claimed=True),
        Action(
            name="reply", label="办结答复 Reply", event=ev.REPLIED, fields=("reply",), claimed=True
        ),
        Action(
            name="return",
            label="退单 Return",
            event=ev.RETURNED,
            fields=("reason", "suggested_department"),
            claimed=True,
        ),
        Action(
            name="request_extension",
            label="申请延期 Request extension",
            event=ev.EXTENSION_REQUESTED,
            fields=("until", "reason"),
            claimed=True,
        ),
        Action(
            name="pause",
            label="挂起 Pause clocks",
            event=ev.PAUSED,
            fields=("reason",),
            claimed=True,
        ),
        Action(name="resume", label="恢复 Resume clocks", event=ev.RESUMED, claimed=True),
        Action(
            name="approve_extension",
            label="批准延期 Approve extension",
            event=ev.EXTENSION_APPROVED,
        ),
        Action(
            name="refuse_extension",
            label="驳回延期 Refuse extension",
            event=ev.EXTENSION_REFUSED,
            fields=("reason",),
        ),
        Action(
            name="callback",
            label="回访 Record callback",
            event=ev.CALLBACK,
            fields=("rating", "resolved", "note"),
        ),
        Action(name="urge", label="催办 Urge", event=ev.URGED, fields=("reason",)),
        Action(name="escalate", label="督办 Escalate", event=ev.ESCALATED, fields=("reason",)),
        Action(name="close", label="结案 Close", event=ev.CLOSED, fields=("reason",)),
    )
}

#: The roles that see phone numbers in full: they call the citizen.
CALLING_ROLES = frozenset({"handler", "callback"})
_DESK_ROLES = frozenset({"dispatcher", "supervisor"})


def visible(actor: Actor, state: Mapping) -> bool:
    """The department fence: a handler sees only the tickets their department holds; the
    centre's roles see every ticket."""
    if actor.role == "handler":
        return state["department"] == actor.department
    return True


def available(actor: Actor, state: Mapping) -> list[Action]:
    """The actions ``actor`` may take on the ticket in its current state."""
    if not visible(actor, state):
        return []
    found = []
    for action in ACTIONS.values():
        if actor.role not in ROLES_FOR[action.event] or actor.role == "system":
            continue
        if state["status"] not in ALLOWED_IN[action.event]:
            continue
        if not _fits(action, state, actor.role):
            continue
        found.append(action)
    return found


def _fits(action: Action, state: Mapping, role: str) -> bool:
    name = action.name
    if name == "close" and role == "callback":
        return False  # a callback agent closes by recording the callback
    if name == "pause":
        return not state["paused"]
    if name == "resume":
        return bool(state["paused"])
    if name == "request_extension":
        return state["extension_requested"] is None
    if name in ("approve_extension", "refuse_extension"):
        return state["extension_requested"] is not None
    if name == "callback":
        return not state["rating"]
    if name == "reassign":
        return state["status"] != "triage"  # from the desk it is a dispatch
    return True


def plan(
    action_name: str,
    *,
    actor: Actor,
    state: Mapping,
    form: Mapping[str, str],
    catalogue: Catalogue,
    lifecycle: Lifecycle,
    now: datetime | None = None,
) -> list[ev.TicketEvent]:
    """The events ``action_name`` stands for, checked against the ticket's state.

    Raises ActionError: 400 for bad input, 403 when the role may not take the action,
    404 when the ticket is outside the actor's department, 409 when the ticket's state
    does not allow it now.
    """
    if not visible(actor, state):
        raise ActionError(404, f"no ticket {state['ticket_id']} in your queue")
    action = ACTIONS.get(action_name)
    if action is None:
        raise ActionError(400, f"unknown action {action_name!r}")
    if actor.role not in ROLES_FOR[action.event]:
        raise ActionError(403, f"a {actor.role} cannot {action.name}")
    if action not in available(actor, state):
        raise ActionError(409, f"cannot {action.name} a ticket that is {_describe(state)}")
    now = now or datetime.now(TZ)
    base = {
        "ticket_id": state["ticket_id"],
        "at": now,
        "actor": actor.username,
        "role": actor.role,
        "department": actor.department if actor.role == "handler" else state["department"],
    }
    try:
        events = _events(action, base, state, form, catalogue, now)
    except BadInputError as exc:
        raise ActionError(400, exc.detail) from exc
    trial = TicketState.from_dict(dict(state))
    for event in events:  # the tracker's own rules, on a copy
        try:
            lifecycle.apply(trial, event)
        except BadInputError as exc:
            raise ActionError(409, exc.detail) from exc
    return events


def _describe(state: Mapping) -> str:
    extra = " with its clocks paused" if state["paused"] else ""
    return f"{state['status']}{extra}"


def _text(form: Mapping[str, str], name: str, *, limit: int, required: bool) -> str | None:
    value = (form.get(name) or "").strip()
    if not value:
        if required:
            raise ActionError(400, f"{name.replace('_', ' ')} is required")
        return None
    if len(value) > limit:
        raise ActionError(400, f"{name.replace('_', ' ')} is longer than {limit} characters")
    return value


def _department(catalogue: Catalogue, value: str | None, *, required: bool) -> str | None:
    value = (value or "").strip()
    if not value:
        if required:
            raise ActionError(400, "choose a department")
        return None
    try:
        return catalogue.resolve(value.split(" ", 1)[0].upper()).code
    except UnknownDepartmentError:
        try:
            return catalogue.resolve(value).code
        except UnknownDepartmentError:
            raise ActionError(400, f"unknown department {value!r}") from None


def _until(value: str | None, now: datetime) -> datetime:
    if not value:
        raise ActionError(400, "until is required (a date and time)")
    try:
        until = datetime.fromisoformat(value.strip())
    except ValueError:
        raise ActionError(400, f"until {value!r} is not a date and time") from None
    if until.tzinfo is None:
        until = until.replace(tzinfo=TZ)
    if until <= now:
        raise ActionError(400, "until must be in the future")
    return until


def _events(
    action: Action,
    base: dict,
    state: Mapping,
    form: Mapping[str, str],
    catalogue: Catalogue,
    now: datetime,
) -> list[ev.TicketEvent]:
    name = action.name

    def event(kind: str, *, after_ms: int = 0, **fields: object) -> ev.TicketEvent:
        # a follow-up event is a millisecond later, so the history keeps the order
        at = base["at"] + timedelta(milliseconds=after_ms)
        return ev.TicketEvent(type=kind, **{**base, "at": at}, **fields)  # type: ignore[arg-type]

    def reason(required: bool) -> str | None:
        return _text(form, "reason", limit=MAX_REASON, required=required)

    if name in ("dispatch", "reassign"):
        target = _department(catalogue, form.get("department"), required=True)
        if target == TRIAGE:
            raise ActionError(400, "choose a department, not the dispatch desk")
        if target == state["department"]:
            raise ActionError(409, f"the ticket is already at {target}")
        return [event(action.event, to_department=target, reason=reason(name == "reassign"))]
    if name == "merge":
        original = _text(form, "duplicate_of", limit=64, required=True)
        if original == state["ticket_id"]:
            raise ActionError(400, "a ticket cannot be a duplicate of itself")
        return [event(ev.MERGED, duplicate_of=original)]
    if name in ("sign", "contact", "resume", "approve_extension"):
        if name == "approve_extension":
            until = datetime.fromtimestamp(state["extension_requested"], TZ)
            return [event(action.event, extension_until=until)]
        return [event(action.event)]
    if name == "reply":
        return [event(ev.REPLIED, reply=_text(form, "reply", limit=MAX_REPLY, required=True))]
    if name == "return":
        suggested = _department(catalogue, form.get("suggested_department"), required=False)
        if suggested == TRIAGE:
            suggested = None
        return [event(ev.RETURNED, reason=reason(True), suggested_department=suggested)]
    if name == "request_extension":
        until = _until(form.get("until"), now)
        return [event(ev.EXTENSION_REQUESTED, extension_until=until, reason=reason(True))]
    if name in ("pause", "escalate"):
        return [event(action.event, reason=reason(True))]
    if name in ("refuse_extension", "urge", "close"):
        return [event(action.event, reason=reason(name == "close"))]
    assert name == "callback"
    return _callback(event, form)


def _callback(
    event: Callable[..., ev.TicketEvent], form: Mapping[str, str]
) -> list[ev.TicketEvent]:
    """A callback and what follows it: a satisfied (or unreachable) citizen's ticket is
    closed; an unsatisfied one is reopened at the department that replied."""
    rating = (form.get("rating") or "").strip()
    if rating not in ev.RATINGS:
        raise ActionError(400, "choose a rating: 满意, 基本满意, 不满意 or unreachable")
    resolved_text = (form.get("resolved") or "").strip()
    if resolved_text not in ("", "yes", "no"):
        raise ActionError(400, "resolved must be yes, no or left empty")
    resolved = None if rating == "unreachable" or not resolved_text else resolved_text == "yes"
    note = _text(form, "note", limit=MAX_REASON, required=False)
    first = event(ev.CALLBACK, rating=rating, resolved=resolved, note=note)
    if rating == "不满意":
        reason = "回访不满意 citizen not satisfied" + (f": {note}" if note else "")
        return [first, event(ev.REOPENED, after_ms=1, reason=reason[:MAX_REASON])]
    closing = "citizen not reached" if rating == "unreachable" else f"回访{rating}"
    return [first, event(ev.CLOSED, after_ms=1, reason=closing)]
