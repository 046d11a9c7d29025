"""The console's pages and JSON API against a real worker, broker and Redis: every role,
the department fence, claim races, CSRF, escaping, masking and the log-in rate limit."""

from __future__ import annotations

import re
import threading
import uuid
from datetime import datetime, timedelta

import httpx
import pytest

from router.console.actions import ACTIONS
from tests.conftest import ConsoleServer, Running, deliver_routed, routed_ticket, wait_until
from topics.schemas import TZ, Contact

pytestmark = pytest.mark.integration

A, B = "URBAN_MANAGEMENT", "MUNICIPAL_ENGINEERING"
PHONE = "13912345678"


def _id(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def _ticket(ticket_id: str, department: str, *, text: str = "路灯不亮，晚上出行不便", **kw):
    ticket = routed_ticket(ticket_id, department, datetime.now(TZ), text=text, **kw)
    ticket.title = "路灯不亮"
    ticket.contact = Contact(name="王小明", phones=[PHONE])
    assert ticket.routing is not None
    ticket.routing.top = [(A, 0.41), (B, 0.33), ("WATER_SUPPLY", 0.12)]
    return ticket


def _state(server: ConsoleServer, ticket_id: str) -> dict | None:
    return server.console.read_model.state(ticket_id)  # type: ignore[attr-defined]


def _deliver(server: ConsoleServer, *tickets) -> None:
    deliver_routed(server.settings, list(tickets))
    for t in tickets:
        wait_until(lambda t=t: _state(server, t.ticket_id), what=f"{t.ticket_id} tracked")


def _login(server: ConsoleServer, username: str, password: str) -> httpx.Client:
    client = httpx.Client(base_url=server.url, timeout=30)
    page = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    response = client.post(
        "/login", data={"username": username, "password": password, "csrf_token": token}
    )
    assert response.status_code == 303, response.text
    return client


def _csrf(client: httpx.Client, path: str) -> str:
    page = client.get(path)
    assert page.status_code == 200, page.text
    return re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)


def _act(client: httpx.Client, ticket_id: str, action: str, **form: str) -> httpx.Response:
    token = _csrf(client, f"/tickets/{ticket_id}")
    return client.post(f"/tickets/{ticket_id}/act/{action}", data={"csrf_token": token, **form})


def _status_becomes(server: ConsoleServer, ticket_id: str, status: str) -> None:
    wait_until(
        lambda: (_state(server, ticket_id) or {}).get("status") == status,
        what=f"{ticket_id} to be {status}",
    )


@pytest.fixture(scope="module")
def people(console_server: ConsoleServer) -> dict[str, httpx.Client]:
    """One logged-in client per role (two handlers in A, one in B)."""
    suffix = uuid.uuid4().hex[:6]
    logins = {
        "dispatcher": ("dispatcher", None),
        "handler_a": ("handler", A),
        "handler_a2": ("handler", A),
        "handler_b": ("handler", B),
        "callback": ("callback", None),
        "supervisor": ("supervisor", None),
    }
    clients = {}
    for key, (role, dept) in logins.items():
        name = f"{key.replace('_', '-')}-{suffix}"
        password = console_server.add_user(name, role, dept)
        clients[key] = _login(console_server, name, password)
    return clients


def test_anonymous_calls_get_401_and_pages_send_to_login(console_server: ConsoleServer) -> None:
    with httpx.Client(base_url=console_server.url) as anonymous:
        assert anonymous.get("/api/queue").status_code == 401
        bad = anonymous.get("/api/queue", headers={"Authorization": "Bearer hlt_nope"})
        assert bad.status_code == 401
        assert bad.headers["www-authenticate"] == "Bearer"
        assert anonymous.get("/api/tickets/x").status_code == 401
        page = anonymous.get("/triage")
        assert page.status_code == 303 and page.headers["location"] == "/login"
        missing = anonymous.get("/open311/v2/nothing/here.json")
        assert missing.status_code == 404 and missing.json()[0]["code"] == 404
        docs = anonymous.get("/api/openapi.json").json()
        assert "/api/queue" in docs["paths"] and "/api/tickets/{ticket_id}/actions" in docs["paths"]


def test_the_department_fence_holds_for_pages_and_api(
    console_server: ConsoleServer, people: dict[str, httpx.Client]
) -> None:
    mine, theirs, desk = _id("fa"), _id("fb"), _id("ft")
    _deliver(console_server, _ticket(mine, A), _ticket(theirs, B), _ticket(desk, "TRIAGE"))
    accounts = console_server.console.accounts  # type: ignore[attr-defined]
    token = accounts.add_department_token(_id("sys").lower(), department=A)
    api = httpx.Client(
        base_url=console_server.url, headers={"Authorization": f"Bearer {token}"}, timeout=30
    )
    queue = api.get("/api/queue", params={"count": 500}).json()
    ids = {t["ticket_id"] for t in queue["tickets"]}
    assert queue["department"] == A and mine in ids and theirs not in ids and desk not in ids
    assert api.get(f"/api/tickets/{mine}").status_code == 200
    # every way into another department's ticket (or the desk's) answers 404, as for a
    # ticket that does not exist: nothing leaks
    for other in (theirs, desk, "no-such-ticket"):
        assert api.get(f"/api/tickets/{other}").status_code == 404
        assert api.post(f"/api/tickets/{other}/claim").status_code == 404
        assert api.delete(f"/api/tickets/{other}/claim").status_code == 404
        for action in ACTIONS:  # whatever the action, the answer does not tell it exists
            posted = api.post(f"/api/tickets/{other}/actions", json={"action": action})
            assert posted.status_code == 404, action
        handler = people["handler_a"]
        assert handler.get(f"/tickets/{other}").status_code == 404
        token_a = _csrf(handler, "/queue")
        paths = [f"/tickets/{other}/claim", f"/tickets/{other}/release"]
        paths += [f"/tickets/{other}/act/{action}" for action in ACTIONS]
        for path in paths:
            assert handler.post(path, data={"csrf_token": token_a}).status_code == 404, path
    # pages of other roles are forbidden to a handler
    for page in ("/triage", "/callbacks", "/supervisor"):
        assert people["handler_a"].get(page).status_code == 403
    # a handler's queue is their department's, whatever they ask for
    page = people["handler_a"].get("/queue", params={"department": B})
    assert mine in page.text and theirs not in page.text
    # a department token cannot do what only the desk does
    dispatched = api.post(f"/api/tickets/{mine}/actions", json={"action": "dispatch"})
    assert dispatched.status_code == 403


def test_two_handlers_racing_for_one_ticket_one_wins(
    console_server: ConsoleServer, people: dict[str, httpx.Client]
) -> None:
    ticket_id = _id("race")
    _deliver(console_server, _ticket(ticket_id, A))
    first, second = people["handler_a"], people["handler_a2"]
    tokens = {c: _csrf(c, f"/tickets/{ticket_id}") for c in (first, second)}
    barrier = threading.Barrier(2)
    results: dict[int, int] = {}

    def claim(client: httpx.Client, slot: int) -> None:
        barrier.wait()
        response = client.post(f"/tickets/{ticket_id}/claim", data={"csrf_token": tokens[client]})
        results[slot] = response.status_code

    threads = [threading.Thread(target=claim, args=(c, i)) for i, c in enumerate(tokens)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results.values()) == [303, 409]
    winner = first if results[0] == 303 else second
    loser = second if winner is first else first
    # the loser cannot act on it either
    assert _act(loser, ticket_id, "sign").status_code == 409
    assert _act(winner, ticket_id, "sign").status_code == 303
    _status_becomes(console_server, ticket_id, "signed")


def test_api_claims_race_and_an_abandoned_claim_returns(console_server: ConsoleServer) -> None:
    ticket_id = _id("apirace")
    _deliver(console_server, _ticket(ticket_id, A))
    accounts = console_server.console.accounts  # type: ignore[attr-defined]
    headers = [
        {"Authorization": f"Bearer {accounts.add_department_token(_id('s').lower(), department=A)}"}
        for _ in range(2)
    ]
    barrier = threading.Barrier(2)
    codes: list[int] = []

    def claim(h: dict) -> None:
        with httpx.Client(base_url=console_server.url, headers=h, timeout=30) as c:
            barrier.wait()
            codes.append(c.post(f"/api/tickets/{ticket_id}/claim").status_code)

    threads = [threading.Thread(target=claim, args=(h,)) for h in headers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(codes) == [200, 409]
    # an abandoned claim expires: shorten it here rather than wait half an hour
    claims = console_server.console.claims  # type: ignore[attr-defined]
    claims.client.expire(f"hotline:claim:{ticket_id}", 1)
    wait_until(lambda: claims.holder(ticket_id) is None, what="the claim to expire")
    with httpx.Client(base_url=console_server.url, headers=headers[1], timeout=30) as c:
        assert c.post(f"/api/tickets/{ticket_id}/claim").status_code == 200


def test_a_ticket_goes_from_triage_to_callback_through_every_role(
    console_server: ConsoleServer, people: dict[str, httpx.Client]
) -> None:
    ticket_id = _id("life")
    _deliver(console_server, _ticket(ticket_id, "TRIAGE"))
    dispatcher, handler = people["dispatcher"], people["handler_a"]
    assert ticket_id in dispatcher.get("/triage").text
    assert _act(dispatcher, ticket_id, "dispatch", department=f"{A} 城管").status_code == 303
    wait_until(lambda: (_state(console_server, ticket_id) or {}).get("department") == A)
    assert ticket_id in handler.get("/queue").text
    for action, form, status in (
        ("sign", {}, "signed"),
        ("contact", {}, "contacted"),
        ("reply", {"reply": "已修复路灯"}, "replied"),
    ):
        assert _act(handler, ticket_id, action, **form).status_code == 303
        _status_becomes(console_server, ticket_id, status)
    callback = people["callback"]
    assert ticket_id in callback.get("/callbacks").text
    page = callback.get(f"/tickets/{ticket_id}")
    assert PHONE in page.text  # the callback agent calls the citizen
    response = _act(callback, ticket_id, "callback", rating="满意", resolved="yes")
    assert response.status_code == 303
    _status_becomes(console_server, ticket_id, "closed")
    history = console_server.console.read_model.history(ticket_id)  # type: ignore[attr-defined]
    kinds = [h["type"] for h in history]
    assert kinds == ["routed", "dispatched", "signed", "contacted", "replied", "callback", "closed"]
    roles = [h["role"] for h in history]
    assert roles == ["system", "dispatcher", *["handler"] * 3, "callback", "callback"]
    assert all(h["actor"] and h["at"] for h in history)


def test_an_unsatisfied_callback_reopens_and_a_return_goes_back_to_the_desk(
    console_server: ConsoleServer, people: dict[str, httpx.Client]
) -> None:
    ticket_id = _id("reopen")
    _deliver(console_server, _ticket(ticket_id, A))
    handler = people["handler_a"]
    for action, form, status in (
        ("sign", {}, "signed"),
        ("reply", {"reply": "已处理"}, "replied"),
    ):
        assert _act(handler, ticket_id, action, **form).status_code == 303
        _status_becomes(console_server, ticket_id, status)
    assert _act(people["callback"], ticket_id, "callback", rating="不满意").status_code == 303
    _status_becomes(console_server, ticket_id, "signed")
    state = _state(console_server, ticket_id)
    assert state is not None and state["reopened"] == 1 and state["department"] == A
    response = _act(handler, ticket_id, "return", reason="不属于本部门", suggested_department=B)
    assert response.status_code == 303
    _status_becomes(console_server, ticket_id, "triage")
    assert handler.get(f"/tickets/{ticket_id}").status_code == 404  # no longer theirs
    assert ticket_id in people["dispatcher"].get("/triage").text


def test_masking_escaping_csrf_and_validation(
    console_server: ConsoleServer, people: dict[str, httpx.Client]
) -> None:
    ticket_id = _id("xss")
    script = "<script>alert('x')</script>"
    _deliver(console_server, _ticket(ticket_id, A, text=f"{script} 井盖丢失"))
    dispatcher_view = people["dispatcher"].get(f"/tickets/{ticket_id}").text
    assert PHONE not in dispatcher_view and "139****5678" in dispatcher_view
    assert "王**" in dispatcher_view
    handler = people["handler_a"]
    page = handler.get(f"/tickets/{ticket_id}").text
    assert PHONE in page  # the handler contacts the citizen
    assert script not in page and "&lt;script&gt;" in page
    assert script not in handler.get("/queue").text
    # a form without the session's CSRF token is refused
    forged = handler.post(f"/tickets/{ticket_id}/act/sign", data={"csrf_token": "forged"})
    assert forged.status_code == 403
    assert (_state(console_server, ticket_id) or {})["status"] == "assigned"
    # clear messages for bad input
    empty = _act(handler, ticket_id, "return", reason=" ")
    assert empty.status_code == 400 and "reason is required" in empty.text
    too_long = _act(handler, ticket_id, "return", reason="长" * 501)
    assert too_long.status_code == 400 and "longer than 500" in too_long.text
    early = _act(handler, ticket_id, "reply", reply="x")  # not signed yet
    assert early.status_code == 409
    unknown = _act(people["dispatcher"], ticket_id, "reassign", department="NOPE", reason="r")
    assert unknown.status_code == 400 and "unknown department" in unknown.text
    nowhere = _act(people["dispatcher"], ticket_id, "merge", duplicate_of="no-such-ticket")
    assert nowhere.status_code == 400 and "no ticket no-such-ticket to merge into" in nowhere.text


def test_supervisor_sees_overdue_tickets_and_counters(
    console_server: ConsoleServer, people: dict[str, httpx.Client]
) -> None:
    late = _id("late")
    old = _ticket(late, B)
    assert old.routing is not None
    six_days_ago = (datetime.now(TZ) - timedelta(days=6)).isoformat()
    old.received_at = old.routing.routed_at = six_days_ago
    _deliver(console_server, old)
    supervisor = people["supervisor"]
    page = supervisor.get("/supervisor")
    assert late in page.text
    assert re.search(rf'data-department="{B}"><td>.*?</td><td>\d+</td><td class="bad">', page.text)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    urged = supervisor.post(
        f"/tickets/{late}/act/escalate",
        data={"csrf_token": token, "reason": "超时", "back": "/supervisor"},
    )
    assert urged.status_code == 303
    wait_until(lambda: (_state(console_server, late) or {}).get("escalated") == 1)
    assert late in supervisor.get("/supervisor").text


def test_disabling_a_user_ends_their_session_and_login_is_rate_limited(
    console_server: ConsoleServer,
) -> None:
    name = _id("temp").lower()
    password = console_server.add_user(name, "dispatcher")
    client = _login(console_server, name, password)
    assert client.get("/triage").status_code == 200
    console_server.console.accounts.disable_user(name)  # type: ignore[attr-defined]
    assert client.get("/triage").status_code == 303  # back to the log-in page
    with httpx.Client(base_url=console_server.url) as guesser:
        codes = []
        for _ in range(console_server.settings.login_attempts + 1):
            page = guesser.get("/login")
            token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
            codes.append(
                guesser.post(
                    "/login", data={"username": name, "password": "wrong", "csrf_token": token}
                ).status_code
            )
    assert codes[:-1] == [401] * console_server.settings.login_attempts
    assert codes[-1] == 429


def test_a_dispatcher_merges_a_duplicate_into_an_existing_ticket(
    console_server: ConsoleServer, people: dict[str, httpx.Client]
) -> None:
    original, duplicate = _id("orig"), _id("dup")
    _deliver(console_server, _ticket(original, A), _ticket(duplicate, "TRIAGE"))
    dispatcher = people["dispatcher"]
    assert _act(dispatcher, duplicate, "merge", duplicate_of=original).status_code == 303
    _status_becomes(console_server, duplicate, "merged")
    assert (_state(console_server, duplicate) or {})["duplicate_of"] == original
    assert duplicate not in dispatcher.get("/triage").text
    token = _csrf(dispatcher, "/triage")
    missing = dispatcher.post(
        f"/tickets/{_id('none')}/act/merge", data={"csrf_token": token, "duplicate_of": original}
    )
    assert missing.status_code == 404  # the ticket to merge does not exist
    third = _id("third")
    _deliver(console_server, _ticket(third, "TRIAGE"))
    chained = _act(dispatcher, third, "merge", duplicate_of=duplicate)
    assert chained.status_code == 400 and "itself merged" in chained.text


def test_the_worker_reports_each_departments_open_tickets_as_its_queue_depth(
    console_server: ConsoleServer, running: Running
) -> None:
    import urllib.request

    def depth(department: str) -> float:
        url = f"http://127.0.0.1:{running.web_port}/metrics"
        with urllib.request.urlopen(url, timeout=10) as page:
            for line in page.read().decode().splitlines():
                if line.startswith(f'hotline_queue_depth{{department="{department}"}}'):
                    return float(line.rsplit(" ", 1)[1])
        return -1.0

    read_model = console_server.console.read_model  # type: ignore[attr-defined]
    ticket_id = _id("depth")
    _deliver(console_server, _ticket(ticket_id, B))
    wait_until(
        lambda: depth(B) == read_model.client.zcard(f"hotline:open:{B}") and depth(B) > 0,
        what="the queue depth to follow the read model",
    )
