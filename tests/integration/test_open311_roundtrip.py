"""Open311 end to end: the console (and its Open311 router) served by uvicorn on a loopback
port, a real worker routing on the session's broker and Redis, and the ``georeport`` client
from PyPI talking to it as a third-party app would."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import requests
from georeport import GeoReport

from router.departments import Catalogue
from tests.conftest import ConsoleServer, wait_until

pytestmark = pytest.mark.integration

PHONE = "13907551234"
TEXT = (
    "龙华区金盘路幸福小区从昨天早上开始停水，到现在快两天了自来水还没有来，"
    "也没有看到任何停水通知，家里老人孩子生活很不方便，请供水公司尽快恢复供水。"
)
W3C = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00")


@pytest.fixture(scope="module")
def root_address(console_server: ConsoleServer) -> str:
    """The Open311 root of the session's console (uvicorn on a loopback port), with the
    demo's API key ``demo`` for the app channel."""
    accounts = console_server.console.accounts  # type: ignore[attr-defined]
    if accounts.check_api_key("demo") is None:
        accounts.add_api_key("demo-app", channel="app", key="demo")
    return f"{console_server.url}/open311/v2"


def test_a_request_posted_through_open311_is_routed_and_tracked(
    root_address: str, catalogue: Catalogue, tmp_path: Path
):
    geo = GeoReport(root_address=root_address)
    services = {s["service_code"]: s for s in geo.get_service_list()}
    assert services["complaint"]["service_name"] == "投诉"
    xml_services = GeoReport(root_address=root_address, output_format="xml").get_service_list()
    assert {s["service_code"] for s in xml_services} == set(services)

    # The georeport client has no method to create a request: POST the form fields exactly
    # as GeoReport v2 specifies (application/x-www-form-urlencoded to requests.json).
    response = requests.post(
        f"{root_address}/requests.json",
        data={
            "api_key": "demo",
            "service_code": "complaint",
            "lat": "20.0301",
            "long": "110.3312",
            "address_string": "龙华区金盘路幸福小区",
            "description": TEXT,
            "first_name": "建国",
            "last_name": "李",
            "phone": PHONE,
        },
        timeout=30,
    )
    assert response.status_code == 200, response.text
    [filed] = response.json()
    ticket_id = filed["service_request_id"]
    assert ticket_id.startswith("app-")

    names = {department.name for department in catalogue}

    def routed() -> dict | None:
        request = geo.get_service_request(ticket_id)
        return request if request["agency_responsible"] in names else None

    request = wait_until(routed, timeout_s=120, what="the worker to route the Open311 request")
    assert request["agency_responsible"] == catalogue["WATER_SUPPLY"].name
    assert request["service_request_id"] == ticket_id
    assert request["status"] == "open"
    assert request["service_code"] == "complaint" and request["service_name"] == "投诉"
    assert "停水" in request["description"]
    assert (request["lat"], request["long"]) == (20.0301, 110.3312)
    assert request["address"] == "龙华区金盘路幸福小区"
    assert W3C.fullmatch(request["requested_datetime"])
    assert W3C.fullmatch(request["updated_datetime"])
    assert request["service_notice"]

    # the tracker opens the ticket's clocks: the resolve deadline is the expected time
    tracked = wait_until(
        lambda: geo.get_service_request(ticket_id)["expected_datetime"],
        timeout_s=60,
        what="the tracker to open the ticket's clocks",
    )
    assert W3C.fullmatch(tracked) and tracked > request["requested_datetime"]

    [listed] = geo.get_service_requests(service_request_id=ticket_id)
    assert listed["service_request_id"] == ticket_id
    assert listed["agency_responsible"] == request["agency_responsible"]
    recent = geo.get_service_requests(service_code="complaint", status="open")
    assert ticket_id in [r["service_request_id"] for r in recent]

    as_xml = GeoReport(root_address=root_address, output_format="xml").get_service_request(
        ticket_id
    )
    assert as_xml["service_request_id"] == ticket_id
    assert as_xml["agency_responsible"] == request["agency_responsible"]
    assert as_xml["status"] == "open"

    # what the public sees never holds the citizen's contact details
    public = requests.get(f"{root_address}/requests/{ticket_id}.json", timeout=10).text
    for secret in (PHONE, "李建国"):
        assert secret not in public
