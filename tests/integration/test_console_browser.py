"""The console in a real browser (Debian's Chromium driven by Playwright) against a real
worker, broker and Redis: what each role sees on the page and that lists and tickets follow
the tracker without a reload."""

from __future__ import annotations

import re
import shutil
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta

import pytest

from tests.conftest import ConsoleServer, deliver_routed, routed_ticket, wait_until
from topics.schemas import TZ, Contact, Ticket, make_ticket_id

pytestmark = pytest.mark.integration

sync_api = pytest.importorskip("playwright.sync_api")
expect = sync_api.expect

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
LAUNCH_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
#: the tracker applies events asynchronously; pages refresh their live region every second
SLOW = 30_000

URBAN, MUNICIPAL, WATER = "URBAN_MANAGEMENT", "MUNICIPAL_ENGINEERING", "WATER_SUPPLY"
HOUSING = "HOUSING_CONSTRUCTION"
PHONE = "13912345678"


def _id() -> str:
    return make_ticket_id("phone", uuid.uuid4().hex)


def _ticket(
    department: str,
    *,
    text: str = "市民来电反映：幸福路12号门口路灯已坏一周，晚上出行不便，请尽快维修。",
    title: str = "路灯损坏",
    routed_ago: timedelta = timedelta(0),
) -> Ticket:
    """A routed ticket; received two days before it was routed, so that the oldest-first
    lists (triage) show it on their first page whatever else the session left there."""
    routed = datetime.now(TZ) - routed_ago
    ticket = routed_ticket(_id(), department, routed, text=text)
    ticket.received_at = (routed - timedelta(days=2)).isoformat()
    ticket.title = title
    ticket.contact = Contact(name="王小明", phones=[PHONE])
    assert ticket.routing is not None
    ticket.routing.top = [(URBAN, 0.41), (MUNICIPAL, 0.33), (WATER, 0.12)]
    return ticket


def _state(server: ConsoleServer, ticket_id: str) -> dict:
    return server.console.read_model.state(ticket_id) or {}  # type: ignore[attr-defined]


def _deliver(server: ConsoleServer, *tickets: Ticket) -> None:
    # in a thread of its own: deliver_routed runs asyncio, and Playwright's sync API keeps
    # an event loop running in this one
    with ThreadPoolExecutor(1) as pool:
        pool.submit(deliver_routed, server.settings, list(tickets)).result()
    for t in tickets:
        wait_until(lambda t=t: _state(server, t.ticket_id), what=f"{t.ticket_id} tracked")


def _wait_state(server: ConsoleServer, ticket_id: str, **expected: object) -> dict:
    def matches() -> dict | None:
        state = _state(server, ticket_id)
        return state if all(state.get(k) == v for k, v in expected.items()) else None

    return wait_until(matches, timeout_s=30, what=f"{ticket_id} to have {expected}")  # type: ignore[return-value]


def _act_directly(
    server: ConsoleServer, ticket_id: str, user: str, steps: list[tuple], *, role: str = "handler"
) -> None:
    """Take a ticket through ``steps`` (action, form, status it reaches) as ``user``, without
    a browser: set-up, or a colleague acting while the browser's page is open."""
    from router.console.actions import Actor
    from router.console.work import act

    department = _state(server, ticket_id)["department"] if role == "handler" else None
    actor = Actor(username=user, role=role, department=department)
    for action, form, status in steps:
        act(server.console, actor, ticket_id, action, form)  # type: ignore[arg-type]
        _wait_state(server, ticket_id, status=status)


def _mark(page) -> None:
    """Mark the loaded document: the mark survives the live refreshes, not a reload."""
    page.evaluate("window.__noReload = true")


def _not_reloaded(page) -> None:
    assert page.evaluate("window.__noReload === true"), "the page was reloaded"


def _row(page, ticket_id: str):
    return page.locator(f'tr[data-ticket="{ticket_id}"]')


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    if not shutil.which(CHROMIUM):
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        yield browser
        browser.close()


Login = Callable[..., tuple[object, str]]


@pytest.fixture
def login(browser, console_server: ConsoleServer) -> Iterator[Login]:
    """``login(role, department=None)``: a new user logged in through the real form in a
    fresh browser context; returns their page and user name. Fails the test on any uncaught
    script error in one of its pages."""
    contexts, errors = [], []

    def log_in(role: str, department: str | None = None) -> tuple[object, str]:
        name = f"{role[:4]}-{uuid.uuid4().hex[:8]}"
        password = console_server.add_user(name, role, department)
        context = browser.new_context(
            base_url=console_server.url, viewport={"width": 1280, "height": 800}
        )
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda exc: errors.append(f"{name}: {exc}"))
        page.goto("/login")
        page.locator("input[name=username]").fill(name)
        page.locator("input[name=password]").fill(password)
        page.get_by_role("button", name="登录 Log in").click()
        page.wait_for_url(re.compile(r"/(triage|queue|callbacks|supervisor)$"))
        return page, name

    yield log_in
    for context in contexts:
        context.close()
    assert not errors, errors


def test_log_in_with_a_wrong_then_the_right_password_and_log_out(
    browser, console_server: ConsoleServer
) -> None:
    name = f"disp-{uuid.uuid4().hex[:8]}"
    password = console_server.add_user(name, "dispatcher")
    context = browser.new_context(base_url=console_server.url)
    try:
        page = context.new_page()
        page.goto("/triage")  # not logged in: the log-in form
        expect(page).to_have_url(re.compile(r"/login$"))
        page.locator("input[name=username]").fill(name)
        page.locator("input[name=password]").fill("not-the-password")
        page.get_by_role("button", name="登录 Log in").click()
        expect(page.get_by_role("alert")).to_contain_text("Wrong user name or password")
        expect(page).to_have_url(re.compile(r"/login$"))
        page.locator("input[name=username]").fill(name)
        page.locator("input[name=password]").fill(password)
        page.get_by_role("button", name="登录 Log in").click()
        expect(page).to_have_url(re.compile(r"/triage$"))
        expect(page.get_by_role("heading", level=1)).to_contain_text("派单台 Triage queue")
        expect(page.locator("header .user")).to_contain_text(f"{name} · dispatcher")
        page.get_by_role("button", name="退出 Log out").click()
        expect(page).to_have_url(re.compile(r"/login$"))
        page.goto("/triage")  # the session is gone
        expect(page).to_have_url(re.compile(r"/login$"))
        # every role lands on its own home page
        for role, department, home in (
            ("handler", URBAN, "/queue"),
            ("callback", None, "/callbacks"),
            ("supervisor", None, "/supervisor"),
        ):
            user = f"{role[:4]}-{uuid.uuid4().hex[:8]}"
            secret = console_server.add_user(user, role, department)
            page.goto("/login")
            page.locator("input[name=username]").fill(user)
            page.locator("input[name=password]").fill(secret)
            page.get_by_role("button", name="登录 Log in").click()
            expect(page).to_have_url(re.compile(f"{home}$"))
            page.get_by_role("button", name="退出 Log out").click()
            expect(page).to_have_url(re.compile(r"/login$"))
    finally:
        context.close()


def test_dispatch_from_triage_with_a_suggestion_and_with_the_department_box(
    console_server: ConsoleServer, login: Login
) -> None:
    one = _ticket("TRIAGE", text="市民来电反映：小区门口下水道井盖缺失，存在安全隐患。")
    two = _ticket("TRIAGE", text="市民来电反映：家中燃气表漏气，闻到明显气味，请派人检查。")
    three = _ticket("TRIAGE", text="市民来电反映：自来水管爆裂，路面大量积水。")
    _deliver(console_server, one, two, three)
    page, _ = login("dispatcher")
    row = _row(page, one.ticket_id)
    expect(row).to_be_visible(timeout=SLOW)
    suggestion = row.get_by_role("button", name=re.compile("市市政工程管理处"))
    expect(suggestion).to_contain_text("33%")
    suggestion.click()
    expect(page.get_by_role("status")).to_contain_text("派单 Dispatch: sent")
    # gone from the list by the live refresh, with no reload
    expect(row).to_have_count(0, timeout=SLOW)
    _wait_state(console_server, one.ticket_id, status="assigned", department=MUNICIPAL)
    # a colleague dispatches another one: it leaves this open list by itself
    expect(_row(page, three.ticket_id)).to_be_visible()
    _mark(page)
    steps = [("dispatch", {"department": WATER}, "assigned")]
    _act_directly(console_server, three.ticket_id, "colleague", steps, role="dispatcher")
    expect(_row(page, three.ticket_id)).to_have_count(0, timeout=SLOW)
    _not_reloaded(page)
    expect(_row(page, two.ticket_id)).to_be_visible()
    # the second through the ticket page's searchable department box
    _row(page, two.ticket_id).get_by_role("link", name=two.ticket_id).click()
    expect(page.get_by_test_id("status")).to_have_text("triage")
    page.get_by_test_id("department-search").fill("市燃气集团有限公司")
    page.locator("button[data-action=dispatch]").click()
    expect(page.get_by_test_id("status")).to_have_text("assigned", timeout=SLOW)
    expect(page.get_by_test_id("department")).to_have_text("市燃气集团有限公司")
    _wait_state(console_server, two.ticket_id, status="assigned", department="GAS_SUPPLY")
    page.goto("/triage")
    expect(_row(page, two.ticket_id)).to_have_count(0)


def test_a_handler_claims_signs_contacts_and_replies(
    console_server: ConsoleServer, login: Login
) -> None:
    page, handler = login("handler", URBAN)
    _mark(page)
    ticket = _ticket(URBAN)
    _deliver(console_server, ticket)
    row = _row(page, ticket.ticket_id)
    expect(row).to_be_visible(timeout=SLOW)  # arrives in the open queue by itself
    _not_reloaded(page)
    badge = row.locator(".sla")
    expect(badge).to_have_class(re.compile(r"\bsla-green\b"))
    expect(badge).to_contain_text("签收 sign")
    expect(badge).to_contain_text("left")  # the countdown ticks in the browser
    row.get_by_role("button", name="认领 Claim").click()
    expect(page).to_have_url(re.compile(rf"/tickets/{ticket.ticket_id}\?notice=claimed"))
    expect(page.get_by_test_id("holder")).to_contain_text(handler)
    expect(page.get_by_test_id("contact")).to_contain_text(PHONE)  # the handler calls
    status = page.get_by_test_id("status")
    expect(status).to_have_text("assigned")
    page.locator("button[data-action=sign]").click()
    expect(status).to_have_text("signed", timeout=SLOW)
    expect(page.locator("button[data-action=contact]")).to_be_visible(timeout=SLOW)
    # the contact recorded from another tab (or the department's system) shows up here
    _mark(page)
    _act_directly(console_server, ticket.ticket_id, handler, [("contact", {}, "contacted")])
    expect(status).to_have_text("contacted", timeout=SLOW)
    _not_reloaded(page)
    page.locator("textarea[name=reply]").fill("已联系路灯管理所，路灯已于今日修复，市民表示认可。")
    page.locator("button[data-action=reply]").click()
    expect(status).to_have_text("replied", timeout=SLOW)
    history = page.get_by_test_id("history")
    for kind in ("signed", "contacted", "replied"):
        expect(history.locator(f'tr[data-type="{kind}"]')).to_contain_text(f"{handler} (handler)")
    expect(history.locator('tr[data-type="replied"]')).to_contain_text("路灯已于今日修复")
    expect(history.locator('tr[data-type="routed"]')).to_have_count(1)
    assert _state(console_server, ticket.ticket_id)["status"] == "replied"


def test_a_returned_ticket_goes_back_to_the_dispatchers(
    console_server: ConsoleServer, login: Login
) -> None:
    ticket = _ticket(URBAN, text="市民来电反映：楼上住户空调外机滴水，影响楼下晾晒。")
    _deliver(console_server, ticket)
    page, handler = login("handler", URBAN)
    page.goto(f"/tickets/{ticket.ticket_id}")
    page.locator("form[action$='/act/return'] input[name=reason]").fill("属于物业纠纷，非城管职责")
    page.locator("input[name=suggested_department]").fill(HOUSING)
    page.locator("button[data-action=return]").click()
    # back in the queue, which the ticket leaves (it is no longer the handler's to open)
    expect(page).to_have_url(re.compile(r"/queue\?notice="))
    expect(page.get_by_role("status")).to_contain_text("退单 Return: sent")
    expect(_row(page, ticket.ticket_id)).to_have_count(0, timeout=SLOW)
    _wait_state(console_server, ticket.ticket_id, status="triage")
    desk, _ = login("dispatcher")
    row = _row(desk, ticket.ticket_id)
    expect(row).to_be_visible(timeout=SLOW)
    row.get_by_role("link", name=ticket.ticket_id).click()
    returned = desk.get_by_test_id("history").locator('tr[data-type="returned"]')
    expect(returned).to_contain_text(f"{handler} (handler)")
    expect(returned).to_contain_text("属于物业纠纷")
    expect(returned).to_contain_text(HOUSING)


def test_callbacks_close_a_satisfied_ticket_and_reopen_an_unsatisfied_one(
    console_server: ConsoleServer, login: Login
) -> None:
    happy = _ticket(WATER, text="市民来电反映：解放路小区停水两天，无人通知。", title="小区停水")
    unhappy = _ticket(WATER, text="市民来电反映：自来水发黄有异味，已持续三天。", title="水质发黄")
    _deliver(console_server, happy, unhappy)
    for t in (happy, unhappy):
        steps = [("sign", {}, "signed"), ("reply", {"reply": "已抢修管道，恢复供水。"}, "replied")]
        _act_directly(console_server, t.ticket_id, "water-handler", steps)
    agent, _ = login("callback")
    row = _row(agent, happy.ticket_id)
    expect(row).to_be_visible(timeout=SLOW)
    expect(row).to_contain_text("市水务集团有限公司")
    expect(row.locator(".sla")).to_contain_text("回访 callback")
    row.get_by_role("link", name=happy.ticket_id).click()
    expect(agent.get_by_test_id("contact")).to_contain_text(f"王小明 · {PHONE}")
    # a dispatcher sees the same citizen masked
    desk, _ = login("dispatcher")
    desk.goto(f"/tickets/{happy.ticket_id}")
    expect(desk.get_by_test_id("contact")).to_contain_text("王** · 139****5678")
    expect(desk.get_by_test_id("contact")).to_contain_text("(masked)")
    expect(desk.get_by_test_id("contact")).not_to_contain_text(PHONE)
    # 满意: closed
    agent.get_by_label("满意", exact=True).check()
    agent.locator("select[name=resolved]").select_option("yes")
    agent.locator("button[data-action=callback]").click()
    expect(agent.get_by_test_id("status")).to_have_text("closed", timeout=SLOW)
    expect(agent.locator(".badge", has_text="回访 满意")).to_be_visible()
    # 不满意: reopened, signed again at the department that replied
    agent.goto("/callbacks")
    expect(_row(agent, happy.ticket_id)).to_have_count(0)
    _row(agent, unhappy.ticket_id).get_by_role("link", name=unhappy.ticket_id).click()
    agent.get_by_label("不满意", exact=True).check()
    agent.locator("input[name=note]").fill("水质仍未改善")
    agent.locator("button[data-action=callback]").click()
    expect(agent.get_by_test_id("status")).to_have_text("signed", timeout=SLOW)
    expect(agent.get_by_test_id("department")).to_have_text("市水务集团有限公司")
    expect(agent.locator(".badge", has_text="重办 reopened ×1")).to_be_visible()
    reopened = agent.get_by_test_id("history").locator('tr[data-type="reopened"]')
    expect(reopened).to_contain_text("水质仍未改善")
    state = _state(console_server, unhappy.ticket_id)
    assert (state["status"], state["department"], state["reopened"]) == ("signed", WATER, 1)


def test_the_supervisor_sees_overdue_tickets_and_escalates_one(
    console_server: ConsoleServer, login: Login
) -> None:
    late = _ticket(
        MUNICIPAL,
        text="市民来电反映：人民大道与和平路交叉口路面塌陷，已有车辆受损。",
        title="路面塌陷",
        routed_ago=timedelta(days=6),
    )
    _deliver(console_server, late)
    page, supervisor = login("supervisor")
    overdue = (
        page.get_by_test_id("overdue-list")
        .locator("table")
        .locator(f'tr[data-ticket="{late.ticket_id}"]')
    )
    expect(overdue).to_be_visible(timeout=SLOW)
    expect(overdue.locator(".sla")).to_have_class(re.compile(r"\bsla-red\b"))
    expect(overdue.locator(".sla")).to_contain_text("overdue")
    counter = page.locator(f'tr[data-department="{MUNICIPAL}"] td').nth(2)
    expect(counter).to_have_class(re.compile(r"\bbad\b"))
    assert int(counter.inner_text()) > 0
    assert int(page.get_by_test_id("overdue-total").inner_text()) > 0
    overdue.get_by_role("button", name="督办 Escalate").click()
    expect(page.get_by_role("status")).to_contain_text("督办 Escalate: sent")
    escalated = (
        page.get_by_test_id("escalated-list")
        .locator("table")
        .locator(f'tr[data-ticket="{late.ticket_id}"]')
    )
    expect(escalated).to_be_visible(timeout=SLOW)
    _wait_state(console_server, late.ticket_id, escalated=1)
    escalated.get_by_role("link", name=late.ticket_id).click()
    expect(page.locator(".badge", has_text="督办 escalated")).to_be_visible(timeout=SLOW)
    history = page.get_by_test_id("history").locator('tr[data-type="escalated"]')
    expect(history).to_contain_text(f"{supervisor} (supervisor)")


def test_a_script_in_a_ticket_is_shown_as_text(console_server: ConsoleServer, login: Login) -> None:
    script = "<script>window.__xss=1</script>"
    ticket = _ticket(
        URBAN,
        text=f"{script}市民反映路边摊占道经营。",
        title='<img src=x onerror="window.__xss=2">',
    )
    _deliver(console_server, ticket)
    page, _ = login("handler", URBAN)
    row = _row(page, ticket.ticket_id)
    expect(row).to_be_visible(timeout=SLOW)
    expect(row.locator(".excerpt")).to_contain_text(script)
    expect(row.locator(".title")).to_have_text('<img src=x onerror="window.__xss=2">')
    page.goto(f"/tickets/{ticket.ticket_id}")
    expect(page.get_by_test_id("text")).to_contain_text(f"{script}市民反映路边摊占道经营。")
    page.wait_for_timeout(2500)  # through a live refresh or two
    expect(page.get_by_test_id("text")).to_contain_text(script)
    expect(page.locator("#live script, #live img")).to_have_count(0)
    assert page.evaluate("typeof window.__xss") == "undefined"
