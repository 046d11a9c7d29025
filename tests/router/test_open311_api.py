"""The Open311 GeoReport v2 endpoints: a FastAPI app with just the Open311 router, over the
session's real Redis server and Tansu broker (no worker: routing is simulated by writing the
read model where a test needs it)."""

from __future__ import annotations

import json
import re
import time
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import redis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from kafka.errors import KafkaTimeoutError

from router.console.accounts import Accounts
from router.console.context import make_producer
from router.console.open311 import (
    REQUEST_PREFIX,
    REQUESTS,
    RETENTION_S,
    SERVICES,
    open311_router,
)
from router.console.ratelimit import RateLimiter
from router.departments import TRIAGE, Catalogue
from router.queues import TICKET_PREFIX
from router.readmodel import HISTORY_PREFIX, STATE_PREFIX, ReadModel
from router.settings import Settings
from topics.adapters import app as app_adapter
from topics.adapters import web as web_adapter
from topics.admin import ensure_topics
from topics.catalogue import intake_topic
from topics.reading import read_topic
from topics.schemas import REQUEST_TYPES, TZ, make_ticket_id

SETTINGS = Settings(open311_posts=30, open311_window_s=60, max_text_chars=500)
#: invalid posts count too: the rate-limit test has a window of its own with a low limit
LIMITED = replace(SETTINGS, open311_posts=3)
PHONE = "13812345678"
W3C = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00")
BASE = "/open311/v2"


@pytest.fixture(scope="module")
def bootstrap(services) -> str:
    assert services.state is not None
    ensure_topics(services.state.bootstrap_servers, partitions=2)
    return services.state.bootstrap_servers


@pytest.fixture(scope="module")
def client(services) -> redis.Redis:
    assert services.state is not None
    return redis.Redis.from_url(services.state.redis_url)


@pytest.fixture(scope="module")
def producer(bootstrap: str):
    producer = make_producer(bootstrap)
    yield producer
    producer.close()


@pytest.fixture
def accounts(tmp_path: Path, catalogue: Catalogue) -> Iterator[Accounts]:
    with Accounts(path=tmp_path / "accounts.sqlite3", catalogue=catalogue) as store:
        store.add_api_key("demo-app", channel="app", key="demo")
        store.add_api_key("portal", channel="web", key="portal-key")
        yield store


def build_app(
    *,
    catalogue: Catalogue,
    client: redis.Redis,
    accounts: Accounts,
    producer,
    settings: Settings = SETTINGS,
    **options,
) -> FastAPI:
    app = FastAPI()
    app.include_router(
        open311_router(
            settings=settings,
            catalogue=catalogue,
            read_model=ReadModel(client=client),
            accounts=accounts,
            producer=producer,
            # a fresh prefix per app: every test starts with empty rate-limit windows
            limiter=RateLimiter(client=client, prefix=f"test:o311:{uuid.uuid4().hex[:8]}:"),
            **options,
        )
    )
    return app


@pytest.fixture
def api(catalogue, client, accounts, producer) -> TestClient:
    app = build_app(catalogue=catalogue, client=client, accounts=accounts, producer=producer)
    return TestClient(app)


def form(**changes: str | None) -> dict[str, str]:
    data = {
        "api_key": "demo",
        "service_code": "complaint",
        "lat": "20.0442",
        "long": "110.1999",
        "address_string": "龙华区金盘路18号",
        "description": f"我们小区从昨天早上开始停水，到现在还没来水，联系电话{PHONE}，请尽快处理。",
        "first_name": "小明",
        "last_name": "王",
        "phone": PHONE,
        "email": "wxm@example.cn",
        "account_id": "acct-42",
        "media_url": "https://img.example.cn/2026/a.jpg",
        "device_id": "device-1",
        "jurisdiction_id": "haikou",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def errors(response, code: int) -> str:
    assert response.status_code == code, response.text
    body = response.json()
    assert isinstance(body, list) and len(body) == 1 and body[0]["code"] == code
    return body[0]["description"]


def xml_root(response, tag: str) -> ET.Element:
    assert response.headers["content-type"].startswith("text/xml")
    assert response.content.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    root = ET.fromstring(response.content)
    assert root.tag == tag
    return root


def put_pending(
    client: redis.Redis, ticket_id: str, *, code: str = "complaint", at: float | None = None
) -> None:
    """An Open311 summary as POST writes it (for tests that simulate the routing)."""
    at = time.time() if at is None else at
    pending = {
        "service_code": code,
        "channel": "app",
        "requested_datetime": datetime.fromtimestamp(at, TZ).isoformat(timespec="seconds"),
        "description": "小区停水两天",
        "lat": 20.0,
        "long": 110.0,
        "address": "金盘路18号",
        "address_id": None,
        "media_url": None,
    }
    client.set(REQUEST_PREFIX + ticket_id, json.dumps(pending, ensure_ascii=False), ex=600)
    client.zadd(REQUESTS, {ticket_id: at})


def new_id() -> str:
    return make_ticket_id("app", f"test-{uuid.uuid4().hex}")


# -- services ----------------------------------------------------------------------------------


def test_services_list_the_request_types_in_json(api: TestClient):
    response = api.get(f"{BASE}/services.json")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    services = response.json()
    codes = {s["service_code"]: s for s in services}
    assert set(codes) == {"enquiry", "help", "complaint", "report", "suggestion", "praise"}
    assert codes["complaint"]["service_name"] == "投诉"
    for service in services:
        assert service["service_code"].isascii()
        assert service["service_name"] in REQUEST_TYPES
        assert service["metadata"] is False
        assert service["type"] == "realtime"
        assert service["description"] and service["keywords"] and service["group"]
    assert api.get(f"{BASE}/services").json() == services  # no suffix: JSON


def test_services_list_in_xml(api: TestClient):
    root = xml_root(api.get(f"{BASE}/services.xml"), "services")
    services = root.findall("service")
    assert len(services) == len(SERVICES)
    complaint = next(s for s in services if s.findtext("service_code") == "complaint")
    assert complaint.findtext("service_name") == "投诉"
    assert complaint.findtext("metadata") == "false"
    assert complaint.findtext("type") == "realtime"


def test_a_service_definition_has_no_attributes_and_an_unknown_one_is_404(api: TestClient):
    assert api.get(f"{BASE}/services/complaint.json").json() == {
        "service_code": "complaint",
        "attributes": [],
    }
    root = xml_root(api.get(f"{BASE}/services/praise.xml"), "service_definition")
    assert root.findtext("service_code") == "praise"
    assert root.find("attributes") is not None and len(root.find("attributes")) == 0
    errors(api.get(f"{BASE}/services/potholes.json"), 404)


def test_an_unknown_format_is_404(api: TestClient):
    errors(api.get(f"{BASE}/services.csv"), 404)


# -- POST requests: refusals -----------------------------------------------------------------------


def test_post_without_or_with_a_wrong_api_key_is_403(api: TestClient):
    assert "api_key" in errors(api.post(f"{BASE}/requests.json", data=form(api_key=None)), 403)
    errors(api.post(f"{BASE}/requests.json", data=form(api_key="guess")), 403)
    response = api.post(f"{BASE}/requests.xml", data=form(api_key=None))
    assert response.status_code == 403
    root = xml_root(response, "errors")
    assert root.find("error").findtext("code") == "403"
    assert root.find("error").findtext("description")


def test_post_with_a_missing_or_unknown_service_code_is_400(api: TestClient):
    errors(api.post(f"{BASE}/requests.json", data=form(service_code=None)), 400)
    assert "potholes" in errors(
        api.post(f"{BASE}/requests.json", data=form(service_code="potholes")), 400
    )


def test_post_without_a_location_is_400(api: TestClient):
    no_place = form(lat=None, long=None, address_string=None)
    assert "location" in errors(api.post(f"{BASE}/requests.json", data=no_place), 400)
    only_lat = form(long=None, address_string=None)
    errors(api.post(f"{BASE}/requests.json", data=only_lat), 400)
    errors(api.post(f"{BASE}/requests.json", data=form(lat="north")), 400)
    errors(api.post(f"{BASE}/requests.json", data=form(lat="95")), 400)


def test_post_checks_the_description_and_contact_fields(api: TestClient):
    errors(api.post(f"{BASE}/requests.json", data=form(description=None)), 400)
    errors(api.post(f"{BASE}/requests.json", data=form(description="   ")), 400)
    too_long = "停水" * (SETTINGS.max_text_chars // 2 + 1)
    errors(api.post(f"{BASE}/requests.json", data=form(description=too_long)), 400)


def test_post_over_the_rate_limit_is_429_with_retry_after(catalogue, client, accounts, producer):
    app = build_app(
        catalogue=catalogue, client=client, accounts=accounts, producer=producer, settings=LIMITED
    )
    api = TestClient(app)
    for _ in range(LIMITED.open311_posts):
        assert api.post(f"{BASE}/requests.json", data=form()).status_code == 200
    response = api.post(f"{BASE}/requests.json", data=form())
    errors(response, 429)
    assert 1 <= int(response.headers["Retry-After"]) <= LIMITED.open311_window_s
    assert api.post(f"{BASE}/requests.xml", data=form()).status_code == 429
    # invalid posts count too, and a refused one is answered before any check of its fields
    errors(api.post(f"{BASE}/requests.json", data=form(service_code=None)), 429)
    # counted per API key (and address): another key is not limited
    assert api.post(f"{BASE}/requests.json", data=form(api_key="portal-key")).status_code == 200
    # an unknown key is refused as such, whatever the limits
    errors(api.post(f"{BASE}/requests.json", data=form(api_key="guess")), 403)


def test_post_answers_503_when_the_broker_does_not_take_the_record(catalogue, client, accounts):
    class Refused:
        def get(self, timeout: float):
            raise KafkaTimeoutError("no ack")

    class DownProducer:
        def send(self, topic, *, key, value):
            return Refused()

    before = client.zcard(REQUESTS)
    api = TestClient(
        build_app(catalogue=catalogue, client=client, accounts=accounts, producer=DownProducer())
    )
    assert "unavailable" in errors(api.post(f"{BASE}/requests.json", data=form()), 503)
    assert client.zcard(REQUESTS) == before  # no summary of a request that was not filed


# -- POST requests: filing -------------------------------------------------------------------------


def find_record(bootstrap: str, channel: str, ticket_id: str) -> tuple[bytes, dict]:
    for message in read_topic(bootstrap, intake_topic(channel), idle_ms=1500):
        try:  # other tests share the topic, some with malformed records on purpose
            record = json.loads(message.value)
        except ValueError:
            continue
        if not isinstance(record, dict):
            continue
        source = record.get("msg_id") or record.get("form_id")
        if source and make_ticket_id(channel, source) == ticket_id:
            return message.key, record
    pytest.fail(f"{ticket_id} is not on {intake_topic(channel)}")


def test_a_posted_request_is_filed_on_the_app_intake_in_the_app_adapters_shape(
    api: TestClient, client: redis.Redis, bootstrap: str
):
    response = api.post(f"{BASE}/requests.json", data=form())
    assert response.status_code == 200, response.text
    [answer] = response.json()
    assert set(answer) == {"service_request_id", "service_notice", "account_id"}
    assert answer["account_id"] is None and answer["service_notice"]
    ticket_id = answer["service_request_id"]
    assert re.fullmatch(r"app-[0-9a-f]{16}", ticket_id)

    key, record = find_record(bootstrap, "app", ticket_id)
    assert key == record["msg_id"].encode()
    ticket = app_adapter.parse(record, max_text_chars=SETTINGS.max_text_chars)
    assert ticket.ticket_id == ticket_id
    assert ticket.request_type == "投诉"
    assert ticket.contact.phones == [PHONE]
    assert ticket.contact.openid == "acct-42"
    assert (ticket.location.lat, ticket.location.lon) == (20.0442, 110.1999)
    assert ticket.location.address == "龙华区金盘路18号"
    assert ticket.attachments == ["https://img.example.cn/2026/a.jpg"]
    assert PHONE not in ticket.text

    # the summary kept for look-ups holds no contact details, and expires
    raw = client.get(REQUEST_PREFIX + ticket_id).decode()
    for secret in (PHONE, "王小明", "小明", "wxm@example.cn", "acct-42", "device-1"):
        assert secret not in raw
    pending = json.loads(raw)
    assert pending["service_code"] == "complaint"
    assert "停水" in pending["description"] and "138****5678" in pending["description"]
    assert RETENTION_S - 60 < client.ttl(REQUEST_PREFIX + ticket_id) <= RETENTION_S
    assert client.zscore(REQUESTS, ticket_id) is not None


def test_a_web_key_files_on_the_web_intake_with_the_contact_in_its_fields(
    api: TestClient, bootstrap: str
):
    data = form(api_key="portal-key", service_code="report", lat=None, long=None)
    response = api.post(f"{BASE}/requests.json", data=data, files={"unused": ("", b"")})
    assert response.status_code == 200, response.text  # multipart/form-data
    ticket_id = response.json()[0]["service_request_id"]
    assert ticket_id.startswith("web-")
    _, record = find_record(bootstrap, "web", ticket_id)
    ticket = web_adapter.parse(record, max_text_chars=SETTINGS.max_text_chars)
    assert ticket.ticket_id == ticket_id
    assert ticket.request_type == "举报"
    assert ticket.contact.name == "王小明"
    assert ticket.contact.phones == [PHONE]
    assert ticket.contact.email == "wxm@example.cn"
    assert ticket.location.address == "龙华区金盘路18号"


def test_a_request_can_be_looked_up_before_the_worker_routes_it(api: TestClient):
    ticket_id = api.post(f"{BASE}/requests.json", data=form()).json()[0]["service_request_id"]
    response = api.get(f"{BASE}/requests/{ticket_id}.json")
    assert response.status_code == 200
    [request] = response.json()
    assert request["service_request_id"] == ticket_id
    assert request["status"] == "open"
    assert request["service_code"] == "complaint" and request["service_name"] == "投诉"
    assert "停水" in request["description"]
    assert W3C.fullmatch(request["requested_datetime"])
    assert W3C.fullmatch(request["updated_datetime"])
    assert (request["lat"], request["long"]) == (20.0442, 110.1999)
    assert request["address"] == "龙华区金盘路18号"
    assert request["media_url"] == "https://img.example.cn/2026/a.jpg"
    assert request["agency_responsible"]  # not yet routed: says so
    for secret in (PHONE, "王小明", "wxm@example.cn"):
        assert secret not in response.text
    standard = {
        "service_request_id",
        "status",
        "status_notes",
        "service_name",
        "service_code",
        "description",
        "agency_responsible",
        "service_notice",
        "requested_datetime",
        "updated_datetime",
        "expected_datetime",
        "address",
        "address_id",
        "zipcode",
        "lat",
        "long",
        "media_url",
    }
    assert set(request) == standard
    assert api.get(f"{BASE}/requests/{ticket_id}").json() == [request]


def test_unknown_and_non_open311_requests_are_404(api: TestClient, client: redis.Redis):
    assert "no service request" in errors(
        api.get(f"{BASE}/requests/app-0000000000000000.json"), 404
    )
    errors(api.get(f"{BASE}/requests/<script>.json"), 404)
    root = xml_root(api.get(f"{BASE}/requests/app-0000000000000000.xml"), "errors")
    assert root.find("error").findtext("code") == "404"
    # a phone call's ticket is routed and in the read model, but it is not public
    phone_id = make_ticket_id("phone", f"test-{uuid.uuid4().hex}")
    client.set(TICKET_PREFIX + phone_id, json.dumps({"ticket_id": phone_id}), ex=600)
    errors(api.get(f"{BASE}/requests/{phone_id}.json"), 404)


def test_xml_escapes_markup_in_the_description(api: TestClient):
    text = "小区停水 &lt;script&gt;alert('x')&lt;/script&gt; 1<2 & 3>2"
    response = api.post(f"{BASE}/requests.xml", data=form(description=text))
    assert response.status_code == 200, response.text
    ticket_id = (
        xml_root(response, "service_requests").find("request").findtext("service_request_id")
    )
    response = api.get(f"{BASE}/requests/{ticket_id}.xml")
    assert b"<script>" not in response.content
    assert b"&lt;script&gt;" in response.content
    request = xml_root(response, "service_requests").find("request")
    assert request.findtext("description") == "小区停水 <script>alert('x')</script> 1<2 & 3>2"
    assert request.findtext("service_request_id") == ticket_id
    assert request.find("zipcode") is not None and request.findtext("zipcode") == ""


# -- the status, from the console's read model ---------------------------------------------------


def route(client: redis.Redis, ticket_id: str, department: str, *, at: datetime) -> None:
    """What the route stage writes for a ticket (only the fields Open311 reads)."""
    routing = {"department": department, "routed_at": at.isoformat()}
    client.set(TICKET_PREFIX + ticket_id, json.dumps({"ticket_id": ticket_id, "routing": routing}))
    client.expire(TICKET_PREFIX + ticket_id, 600)


def track(client: redis.Redis, ticket_id: str, **state) -> None:
    """What the tracker writes for a ticket (only the fields Open311 reads)."""
    data = {"status": "assigned", "clocks": {}, "duplicate_of": "", **state}
    client.set(STATE_PREFIX + ticket_id, json.dumps(data), ex=600)


def note(client: redis.Redis, ticket_id: str, at: datetime, **entry) -> None:
    item = json.dumps({"at": at.isoformat(), **entry}, ensure_ascii=False, sort_keys=True)
    client.zadd(HISTORY_PREFIX + ticket_id, {item: at.timestamp()})
    client.expire(HISTORY_PREFIX + ticket_id, 600)


def get_one(api: TestClient, ticket_id: str) -> dict:
    response = api.get(f"{BASE}/requests/{ticket_id}.json")
    assert response.status_code == 200, response.text
    return response.json()[0]


def test_the_status_follows_the_ticket_through_its_lifecycle(
    api: TestClient, client: redis.Redis, catalogue: Catalogue
):
    ticket_id = new_id()
    put_pending(client, ticket_id)
    assert "分派" in get_one(api, ticket_id)["agency_responsible"]

    at = datetime.now(TZ).replace(microsecond=0)
    route(client, ticket_id, TRIAGE, at=at)
    request = get_one(api, ticket_id)
    assert "派单" in request["agency_responsible"] and request["status"] == "open"
    assert request["updated_datetime"] == at.isoformat()

    deadline = (at + timedelta(days=1)).timestamp()
    track(
        client,
        ticket_id,
        status="signed",
        department="WATER_SUPPLY",
        updated_at=at.timestamp() + 60,
        clocks={"resolve": {"deadline": deadline, "ended": None}},
    )
    request = get_one(api, ticket_id)
    assert request["agency_responsible"] == catalogue["WATER_SUPPLY"].name
    assert request["status"] == "open" and request["status_notes"] == ""
    assert request["expected_datetime"] == (at + timedelta(days=1)).isoformat()
    assert request["updated_datetime"] == (at + timedelta(seconds=60)).isoformat()

    note(client, ticket_id, at + timedelta(minutes=5), type="replied", reply="第一次答复")
    note(client, ticket_id, at + timedelta(minutes=9), type="replied", reply="已恢复供水，感谢反映")
    note(
        client,
        ticket_id,
        at + timedelta(minutes=10),
        type="replied",
        reply="不应显示",
        refused="illegal_transition",
    )
    note(client, ticket_id, at + timedelta(minutes=11), type="callback", rating="满意")
    track(
        client,
        ticket_id,
        status="closed",
        department="WATER_SUPPLY",
        updated_at=at.timestamp() + 900,
        clocks={"resolve": {"deadline": None, "ended": at.timestamp() + 540}},
    )
    request = get_one(api, ticket_id)
    assert request["status"] == "closed"
    assert request["status_notes"] == "已恢复供水，感谢反映"
    assert request["expected_datetime"] is None


def test_a_merged_ticket_is_closed_and_says_into_which(api: TestClient, client: redis.Redis):
    ticket_id, other = new_id(), new_id()
    put_pending(client, ticket_id)
    track(
        client, ticket_id, status="merged", department="WATER_SUPPLY", updated_at=time.time(),
        duplicate_of=other,
    )  # fmt: skip
    request = get_one(api, ticket_id)
    assert request["status"] == "closed"
    assert request["status_notes"] == f"merged into {other}"


def test_a_ticket_whose_state_retention_is_over_shows_closed(api: TestClient, client: redis.Redis):
    ticket_id = new_id()
    put_pending(client, ticket_id, at=time.time() - 40 * 86_400)
    routed_at = datetime.now(TZ) - timedelta(days=SETTINGS.closed_retention_days + 1)
    route(client, ticket_id, "WATER_SUPPLY", at=routed_at)  # no state: the tracker dropped it
    assert get_one(api, ticket_id)["status"] == "closed"


# -- GET requests ---------------------------------------------------------------------------------


def test_get_requests_filters_newest_first(api: TestClient, client: redis.Redis):
    base = datetime(2025, 3, 1, 9, 0, tzinfo=TZ)
    ids = [new_id() for _ in range(4)]
    codes = ["complaint", "enquiry", "complaint", "report"]
    for n, (ticket_id, code) in enumerate(zip(ids, codes, strict=True)):
        put_pending(client, ticket_id, code=code, at=(base + timedelta(days=n)).timestamp())
    track(client, ids[2], status="closed", department="WATER_SUPPLY", updated_at=time.time())
    window = {"start_date": "2025-03-01T00:00:00+08:00", "end_date": "2025-03-10T00:00:00Z"}

    def listed(**params) -> list[str]:
        response = api.get(f"{BASE}/requests.json", params={**window, **params})
        assert response.status_code == 200, response.text
        return [r["service_request_id"] for r in response.json()]

    assert listed() == ids[::-1]
    assert listed(service_code="complaint") == [ids[2], ids[0]]
    assert listed(service_code="complaint,report") == [ids[3], ids[2], ids[0]]
    assert listed(status="closed") == [ids[2]]
    assert listed(status="open", service_code="complaint") == [ids[0]]
    assert listed(status="open,closed") == ids[::-1]
    assert listed(end_date="2025-03-02T12:00:00+08:00") == [ids[1], ids[0]]
    # service_request_id overrides the other parameters
    both = f"{ids[0]},{ids[3]},app-0000000000000000"
    assert listed(service_request_id=both, service_code="enquiry") == [ids[0], ids[3]]
    root = xml_root(api.get(f"{BASE}/requests.xml", params=window), "service_requests")
    assert [r.findtext("service_request_id") for r in root.findall("request")] == ids[::-1]
    # the default window is the last 90 days: these are older
    default = [r["service_request_id"] for r in api.get(f"{BASE}/requests.json").json()]
    assert not set(ids) & set(default)


def test_get_requests_refuses_bad_parameters(api: TestClient):
    url = f"{BASE}/requests.json"
    assert "90 days" in errors(
        api.get(
            url, params={"start_date": "2025-01-01T00:00:00Z", "end_date": "2025-06-01T00:00:00Z"}
        ),
        400,
    )
    errors(api.get(url, params={"start_date": "yesterday"}), 400)
    errors(
        api.get(
            url, params={"start_date": "2025-02-01T00:00:00Z", "end_date": "2025-01-01T00:00:00Z"}
        ),
        400,
    )
    errors(api.get(url, params={"status": "pending"}), 400)
    errors(api.get(url, params={"service_code": "potholes"}), 400)
