"""The work operations pages and API share: look a ticket up behind the department fence,
claim and release it, and carry out an action."""

from __future__ import annotations

from collections.abc import Mapping

from router.console.actions import ACTIONS, Actor, plan, visible
from router.console.context import Console
from router.exceptions import ActionError
from topics.events import TicketEvent

#: After these, the ticket leaves the handler's hands: their claim is given back.
_RELEASING = frozenset({"reply", "return"})


def fenced_state(console: Console, actor: Actor, ticket_id: str) -> dict:
    """The ticket's state; 404 when it does not exist or is outside the actor's department
    (the same answer, so the fence does not reveal which tickets exist)."""
    state = console.read_model.state(ticket_id)
    if state is None or not visible(actor, state):
        raise ActionError(404, f"no ticket {ticket_id} in your queue")
    return state


def claim(console: Console, actor: Actor, ticket_id: str) -> str:
    """Take the ticket for ``actor`` (a handler); 409 if another handler holds it."""
    fenced_state(console, actor, ticket_id)
    if actor.role != "handler":
        raise ActionError(403, "only department handlers claim tickets")
    holder = console.claims.claim(ticket_id, actor.username)
    if holder != actor.username:
        raise ActionError(409, f"{holder} is already working on this ticket")
    return holder


def release(console: Console, actor: Actor, ticket_id: str) -> None:
    """Give the ticket back to the queue; 409 if the actor does not hold it."""
    fenced_state(console, actor, ticket_id)
    if not console.claims.release(ticket_id, actor.username):
        raise ActionError(409, "you do not hold this ticket")


def act(
    console: Console, actor: Actor, ticket_id: str, action: str, form: Mapping[str, str]
) -> list[TicketEvent]:
    """Check ``action`` and publish its events; a handler's action needs (and takes, when
    free) the ticket's claim. Raises ActionError or ServiceError."""
    state = fenced_state(console, actor, ticket_id)
    if action == "merge":
        _check_original(console, actor, ticket_id, form.get("duplicate_of") or "")
    events = plan(
        action,
        actor=actor,
        state=state,
        form=form,
        catalogue=console.catalogue,
        lifecycle=console.lifecycle,
    )
    if actor.role == "handler" and ACTIONS[action].claimed:
        claim(console, actor, ticket_id)
    console.publish(events)
    if action in _RELEASING and actor.role == "handler":
        console.claims.release(ticket_id, actor.username)
    return events


def _check_original(console: Console, actor: Actor, ticket_id: str, original: str) -> None:
    """A duplicate is merged into a ticket that exists and is not itself merged."""
    original = original.strip()
    if not original:
        return  # plan() says the field is required
    state = console.read_model.state(original)
    if state is None or not visible(actor, state):
        raise ActionError(400, f"no ticket {original} to merge into")
    if state["status"] == "merged":
        raise ActionError(400, f"{original} is itself merged into {state['duplicate_of']}")
