"""The JSON API for department systems: their queue, a ticket, claims and actions.

Every call carries a department token (``Authorization: Bearer hlt_…``, made with
``hotline tokens add NAME --department CODE``) and acts as a handler of that department:
the same department fence and lifecycle rules as the console's pages.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from pydantic import BaseModel, Field

from router.console import views
from router.console.actions import ACTIONS, Action, Actor, available
from router.console.auth import console_of, token_actor
from router.console.work import act, claim, fenced_state, release
from router.exceptions import ActionError, ServiceError
from router.lifecycle import ROLES_FOR
from router.readmodel import DUE_PREFIX, OPEN_PREFIX

router = APIRouter(prefix="/api", tags=["Department API"])
Caller = Annotated[Actor, Depends(token_actor)]

_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"description": "no token, or an unknown or revoked one"},
    404: {"description": "no such ticket in the caller's department"},
}


def _handler_may(action: Action) -> bool:
    return "handler" in ROLES_FOR[action.event]


class ActionRequest(BaseModel):
    """An action on a ticket, with the fields it needs."""

    action: str = Field(
        description="one of: " + ", ".join(a for a, x in ACTIONS.items() if _handler_may(x)),
        examples=["sign"],
    )
    reply: str | None = Field(None, description="reply: the answer given to the citizen")
    reason: str | None = Field(None, description="return, request_extension, pause: why")
    suggested_department: str | None = Field(None, description="return: whose ticket it is")
    until: str | None = Field(
        None, description="request_extension: new deadline, ISO 8601", examples=[None]
    )


def _fail(exc: ActionError) -> HTTPException:
    return HTTPException(exc.status, exc.message)


@router.get("/queue", responses=_ERRORS)
def get_queue(
    request: Request,
    caller: Caller,
    start: Annotated[int, Query(ge=0)] = 0,
    count: Annotated[int, Query(ge=1, le=500)] = 50,
    order: Annotated[str, Query(pattern="^(due|age)$")] = "due",
) -> dict[str, Any]:
    """The caller's department queue: most urgent first (``order=due``) or oldest first."""
    console = console_of(request)
    department = caller.department or ""
    key = (DUE_PREFIX if order == "due" else OPEN_PREFIX) + department
    page = console.read_model.page(key, start=start, count=count, holder=department)
    holders = console.claims.holders([i.ticket_id for i in page.items])
    return {
        "department": department,
        "total": page.total,
        "start": start,
        "tickets": views.rows(page.items, console.catalogue, holders=holders),
    }


@router.get("/tickets/{ticket_id}", responses=_ERRORS)
def get_ticket(request: Request, ticket_id: str, caller: Caller) -> dict[str, Any]:
    """A ticket of the caller's department: its text, contact, clocks, the actions it
    allows now, who holds it and its history."""
    console = console_of(request)
    try:
        state = fenced_state(console, caller, ticket_id)
    except ActionError as exc:
        raise _fail(exc) from None
    ticket = console.read_model.ticket(ticket_id)
    if ticket is None:
        raise HTTPException(404, f"no ticket {ticket_id} in your queue")
    return {
        "ticket": views.ticket_view(ticket, state, console.catalogue, role=caller.role),
        "actions": [a.name for a in available(caller, state)],
        "claimed_by": console.claims.holder(ticket_id),
        "history": views.history_view(console.read_model.history(ticket_id)),
    }


@router.post("/tickets/{ticket_id}/claim", responses={**_ERRORS, 409: {"description": "held"}})
def claim_ticket(request: Request, ticket_id: str, caller: Caller) -> dict[str, Any]:
    """Take the ticket (renews the caller's own claim); 409 if someone else holds it."""
    console = console_of(request)
    try:
        holder = claim(console, caller, ticket_id)
    except ActionError as exc:
        raise _fail(exc) from None
    return {"claimed_by": holder, "expires_in_s": console.claims.expires_in(ticket_id)}


@router.delete("/tickets/{ticket_id}/claim", responses=_ERRORS)
def release_ticket(request: Request, ticket_id: str, caller: Caller) -> dict[str, Any]:
    """Give the ticket back to the queue."""
    try:
        release(console_of(request), caller, ticket_id)
    except ActionError as exc:
        raise _fail(exc) from None
    return {"released": True}


@router.post(
    "/tickets/{ticket_id}/actions",
    status_code=202,
    responses={
        **_ERRORS,
        400: {"description": "bad input"},
        403: {"description": "not an action for a department"},
        409: {"description": "not allowed in the ticket's state, or held by someone else"},
        503: {"description": "the event bus did not take the event"},
    },
)
def post_action(
    request: Request, ticket_id: str, body: ActionRequest, caller: Caller
) -> dict[str, Any]:
    """Carry out an action: its lifecycle events are on ``tickets.events`` when this
    returns (202); the ticket's state follows once the tracker has applied them."""
    form = {k: v for k, v in body.model_dump(exclude={"action"}).items() if v is not None}
    try:
        events = act(console_of(request), caller, ticket_id, body.action, form)
    except ActionError as exc:
        raise _fail(exc) from None
    except ServiceError as exc:
        raise HTTPException(503, str(exc)) from None
    return {"events": [{"event_id": e.event_id, "type": e.type} for e in events]}
