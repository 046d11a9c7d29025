"""Who is calling: a console session (cookie) for pages, a department token for the API."""

from __future__ import annotations

from fastapi import HTTPException, Request

from router.console.actions import Actor
from router.console.context import Console
from router.console.sessions import COOKIE, Session
from router.exceptions import LoginRequiredError

ROLE_HOME = {
    "dispatcher": "/triage",
    "handler": "/queue",
    "callback": "/callbacks",
    "supervisor": "/supervisor",
}


def console_of(request: Request) -> Console:
    """The process's :class:`Console`."""
    return request.app.state.console


def session_of(request: Request) -> Session | None:
    """The caller's live session, if the account still allows it (not disabled, password
    not reset since the log-in)."""
    console = console_of(request)
    refresh = request.query_params.get("fragment") == "1"  # the page's own polling
    session = console.sessions.get(request.cookies.get(COOKIE), touch=not refresh)
    if session is None:
        return None
    user = console.accounts.get_user(session.username)
    if user is None or user.disabled or user.generation != session.generation:
        console.sessions.end(request.cookies.get(COOKIE))
        return None
    return session


def page_user(request: Request, *roles: str) -> Session:
    """The logged-in user of a page; 403 if their role may not open it."""
    session = session_of(request)
    if session is None:
        raise LoginRequiredError
    if roles and session.role not in roles:
        raise HTTPException(403, f"this page is not for a {session.role}")
    return session


def actor_of(session: Session) -> Actor:
    """The acting user of a session."""
    return Actor(username=session.username, role=session.role, department=session.department)


def token_actor(request: Request) -> Actor:
    """The department system calling the API (``Authorization: Bearer <token>``); 401 for
    anonymous calls and unknown or revoked tokens."""
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise HTTPException(
            401, "a department API token is required", headers={"WWW-Authenticate": "Bearer"}
        )
    found = console_of(request).accounts.check_department_token(token.strip())
    if found is None:
        raise HTTPException(
            401, "unknown or revoked API token", headers={"WWW-Authenticate": "Bearer"}
        )
    return Actor(username=f"api:{found.name}", role="handler", department=found.department)
