"""The console's pages: log-in, the four roles' lists, the ticket page and its actions.

Every list page renders a ``live`` region that the browser re-fetches every few seconds
with ``?fragment=1`` (see ``static/console.js``), so lists and tickets follow the tracker
without a reload. Every form carries the session's CSRF token.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from router.console import views
from router.console.actions import ACTIONS, available
from router.console.auth import ROLE_HOME, actor_of, console_of, page_user, session_of
from router.console.sessions import COOKIE, Session
from router.console.work import act, claim, fenced_state, release
from router.departments import TRIAGE
from router.exceptions import ActionError, ServiceError
from router.readmodel import CALLBACKS, DUE_PREFIX, ESCALATED, OPEN_PREFIX
from topics.events import RATINGS

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
LOGIN_CSRF = "hotline_login_csrf"
PAGE_SIZE = 50

router = APIRouter(include_in_schema=False)


def _render(
    request: Request,
    template: str,
    session: Session | None,
    *,
    status_code: int = 200,
    **context: Any,
) -> HTMLResponse:
    """A page, or only its live region when the browser's refresher asks."""
    console = console_of(request)
    fragment = request.query_params.get("fragment") == "1"
    return TEMPLATES.TemplateResponse(
        request,
        template,
        {
            "session": session,
            "fragment": fragment,
            "refresh_ms": int(console.settings.console_refresh_s * 1000),
            "notice": request.query_params.get("notice", ""),
            **context,
        },
        status_code=status_code,
    )


def _redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def _check_csrf(session: Session, token: str) -> None:
    if not session.csrf_ok(token):
        raise HTTPException(403, "the form is out of date (CSRF check failed): reload the page")


# ---------------------------------------------------------------- log-in


@router.get("/login")
def login_form(request: Request) -> Response:
    if session_of(request) is not None:
        return _redirect("/")
    token = secrets.token_urlsafe(24)
    response = _render(request, "login.html", None, login_csrf=token, error="")
    _set_cookie(request, response, LOGIN_CSRF, token, max_age=3600)
    return response


@router.post("/login")
def login(
    request: Request,
    username: str = Form(""),
    password: str = Form(""),
    csrf_token: str = Form(""),
) -> Response:
    console = console_of(request)
    settings = console.settings
    cookie = request.cookies.get(LOGIN_CSRF, "")
    error, status = "", 200
    username = username.strip().lower()
    bucket = f"login:{username}:{request.client.host if request.client else ''}"
    limits = {"limit": settings.login_attempts, "window_s": settings.login_window_s}
    if not cookie or not secrets.compare_digest(cookie, csrf_token):
        error, status = "The form is out of date: please try again.", 403
    elif not username or not password:
        error, status = "Enter your user name and password.", 400
    elif (wait := console.limiter.check(bucket, **limits)) is not None:
        error, status = f"Too many failed log-ins: try again in {int(wait) + 1} s.", 429
    else:
        user = console.accounts.authenticate(username, password)
        if user is None:
            console.limiter.hit(bucket, **limits)
            error, status = "Wrong user name or password, or the account is disabled.", 401
        else:
            console.limiter.reset(bucket)
            response = _redirect(ROLE_HOME[user.role])
            _set_cookie(request, response, COOKIE, console.sessions.create(user))
            response.delete_cookie(LOGIN_CSRF)
            return response
    token = secrets.token_urlsafe(24)
    response = _render(
        request, "login.html", None, status_code=status, login_csrf=token, error=error
    )
    _set_cookie(request, response, LOGIN_CSRF, token, max_age=3600)
    return response


def _set_cookie(
    request: Request, response: Response, name: str, value: str, *, max_age: int | None = None
) -> None:
    settings = console_of(request).settings
    response.set_cookie(
        name,
        value,
        max_age=max_age if max_age is not None else settings.session_ttl_s,
        httponly=True,
        samesite="strict",
        secure=settings.cookie_secure,
    )


@router.post("/logout")
def logout(request: Request, csrf_token: str = Form("")) -> Response:
    session = page_user(request)
    _check_csrf(session, csrf_token)
    console_of(request).sessions.end(request.cookies.get(COOKIE))
    response = _redirect("/login")
    response.delete_cookie(COOKIE)
    return response


@router.get("/")
def home(request: Request) -> Response:
    return _redirect(ROLE_HOME[page_user(request).role])


# ---------------------------------------------------------------- lists


def _start(request: Request) -> int:
    try:
        return max(int(request.query_params.get("start", "0")), 0)
    except ValueError:
        return 0


@router.get("/triage")
def triage(request: Request) -> Response:
    session = page_user(request, "dispatcher", "supervisor")
    console = console_of(request)
    start = _start(request)
    page = console.read_model.page(
        OPEN_PREFIX + TRIAGE, start=start, count=PAGE_SIZE, holder=TRIAGE
    )
    return _render(
        request,
        "triage.html",
        session,
        total=page.total,
        start=start,
        page_size=PAGE_SIZE,
        rows=views.rows(page.items, console.catalogue),
        departments=_departments(request),
    )


@router.get("/queue")
def queue(request: Request) -> Response:
    session = page_user(request, "handler", "dispatcher", "supervisor")
    console = console_of(request)
    department = session.department or request.query_params.get("department") or ""
    if session.role == "handler":
        department = session.department or ""
    if department and department not in console.catalogue:
        raise HTTPException(404, f"no department {department}")
    start = _start(request)
    order = "age" if request.query_params.get("order") == "age" else "due"
    rows: list[dict] = []
    total = 0
    if department:
        key = (OPEN_PREFIX if order == "age" else DUE_PREFIX) + department
        page = console.read_model.page(key, start=start, count=PAGE_SIZE, holder=department)
        holders = console.claims.holders([i.ticket_id for i in page.items])
        rows, total = views.rows(page.items, console.catalogue, holders=holders), page.total
    return _render(
        request,
        "queue.html",
        session,
        department=department,
        department_name=views.department_name(console.catalogue, department),
        order=order,
        total=total,
        start=start,
        page_size=PAGE_SIZE,
        rows=rows,
        departments=_departments(request),
    )


@router.get("/callbacks")
def callbacks(request: Request) -> Response:
    session = page_user(request, "callback", "supervisor")
    console = console_of(request)
    start = _start(request)
    page = console.read_model.page(CALLBACKS, start=start, count=PAGE_SIZE)
    return _render(
        request,
        "callbacks.html",
        session,
        total=page.total,
        start=start,
        page_size=PAGE_SIZE,
        rows=views.rows(page.items, console.catalogue),
        ratings=RATINGS,
    )


@router.get("/supervisor")
def supervisor(request: Request) -> Response:
    session = page_user(request, "supervisor")
    console = console_of(request)
    codes = [TRIAGE, *console.catalogue.codes]
    counters = console.read_model.counters(codes)
    catalogue = console.catalogue
    overdue = console.read_model.overdue(catalogue.codes, limit=PAGE_SIZE)
    escalated = console.read_model.page(ESCALATED, count=PAGE_SIZE)
    callbacks_due = console.read_model.page(CALLBACKS, count=0, max_score=time.time())
    table = [
        {"code": code, "name": views.department_name(catalogue, code), **counters[code]}
        for code in codes
        if counters[code]["open"] or code == TRIAGE
    ]
    return _render(
        request,
        "supervisor.html",
        session,
        counters=table,
        totals={
            "open": sum(c["open"] for c in counters.values()),
            "overdue": sum(c["overdue"] for c in counters.values()),
            "callbacks_overdue": callbacks_due.total,
        },
        overdue=views.rows(overdue.items, catalogue),
        overdue_total=overdue.total,
        escalated=views.rows(escalated.items, catalogue),
        escalated_total=escalated.total,
    )


def _departments(request: Request) -> list[dict[str, str]]:
    return [{"code": d.code, "name": d.name} for d in console_of(request).catalogue]


# ---------------------------------------------------------------- a ticket


@router.get("/tickets/{ticket_id}")
def ticket_page(request: Request, ticket_id: str) -> Response:
    session = page_user(request)
    return _ticket(request, session, ticket_id)


def _ticket(
    request: Request,
    session: Session,
    ticket_id: str,
    *,
    error: str = "",
    status_code: int = 200,
    form: dict | None = None,
) -> Response:
    console = console_of(request)
    actor = actor_of(session)
    try:
        state = fenced_state(console, actor, ticket_id)
    except ActionError as exc:
        raise HTTPException(exc.status, exc.message) from None
    ticket = console.read_model.ticket(ticket_id)
    if ticket is None:
        raise HTTPException(404, f"no ticket {ticket_id} in your queue")
    holder = console.claims.holder(ticket_id)
    actions = available(actor, state)
    if session.role == "handler" and holder not in (None, session.username):
        actions = [a for a in actions if not a.claimed]
    return _render(
        request,
        "ticket.html",
        session,
        status_code=status_code,
        ticket=views.ticket_view(ticket, state, console.catalogue, role=session.role),
        history=views.history_view(console.read_model.history(ticket_id)),
        actions={a.name: a for a in actions},
        holder=holder,
        claim_left=console.claims.expires_in(ticket_id) if holder else None,
        departments=_departments(request),
        ratings=RATINGS,
        error=error,
        form=form or {},
    )


def _claim_operation(
    request: Request, ticket_id: str, csrf_token: str, operation: Callable, success: str
) -> Response:
    """Take or give back a handler's claim, then go to ``success`` (or back to the ticket
    page with the reason it could not be done)."""
    session = page_user(request, "handler")
    _check_csrf(session, csrf_token)
    try:
        operation(console_of(request), actor_of(session), ticket_id)
    except ActionError as exc:
        if exc.status == 404:
            raise HTTPException(404, exc.message) from None
        return _ticket(request, session, ticket_id, error=exc.message, status_code=exc.status)
    return _redirect(success)


@router.post("/tickets/{ticket_id}/claim")
def claim_ticket(request: Request, ticket_id: str, csrf_token: str = Form("")) -> Response:
    success = f"/tickets/{quote(ticket_id)}?notice=claimed"
    return _claim_operation(request, ticket_id, csrf_token, claim, success)


@router.post("/tickets/{ticket_id}/release")
def release_ticket(request: Request, ticket_id: str, csrf_token: str = Form("")) -> Response:
    return _claim_operation(request, ticket_id, csrf_token, release, "/queue?notice=released")


async def _form(request: Request) -> dict[str, str]:
    """The posted form's text fields; of a field sent twice (a suggestion button and the
    department search box), the last non-empty value."""
    fields: dict[str, str] = {}
    for key, value in (await request.form()).multi_items():
        if isinstance(value, str) and (value.strip() or key not in fields):
            fields[key] = value
    return fields


@router.post("/tickets/{ticket_id}/act/{action}")
def act_on_ticket(
    request: Request, ticket_id: str, action: str, form: Annotated[dict, Depends(_form)]
) -> Response:
    session = page_user(request)
    _check_csrf(session, form.pop("csrf_token", ""))
    back = form.pop("back", "")
    console = console_of(request)
    try:
        act(console, actor_of(session), ticket_id, action, form)
    except ActionError as exc:
        if exc.status == 404:
            raise HTTPException(404, exc.message) from None
        return _ticket(
            request, session, ticket_id, error=exc.message, status_code=exc.status, form=form
        )
    except ServiceError as exc:
        return _ticket(request, session, ticket_id, error=str(exc), status_code=503, form=form)
    label = ACTIONS[action].label
    notice = quote(f"{label}: sent, the ticket updates in a moment")
    if back in ("/triage", "/callbacks", "/supervisor", "/queue"):
        return _redirect(f"{back}?notice={notice}")
    return _redirect(f"/tickets/{quote(ticket_id)}?notice={notice}")
