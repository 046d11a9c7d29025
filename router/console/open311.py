"""Open311 GeoReport v2 (wiki.open311.org/GeoReport_v2) over the hotline.

Endpoints under ``/open311/v2``, each in ``.json`` and ``.xml`` (no suffix answers JSON):

- ``GET services``: the request types a citizen can file (咨询, 求助, 投诉, 举报, 建议, 表扬), each
  a service with an ASCII ``service_code`` (``complaint``, ...). None has metadata, so a
  service definition (``GET services/<code>``) has no attributes.
- ``POST requests``: files a request. The API key (see :mod:`router.console.accounts`) says
  which intake channel (web or app) the posting app feeds; the request becomes that channel's
  raw record, checked with the worker's own intake step, sent to the channel's intake topic
  and acknowledged by the broker before the answer. Its ticket id is the one the worker
  will give it. A masked summary is kept in Redis so that the request can be looked up before
  (and while) the worker routes it.
- ``GET requests/<id>`` and ``GET requests``: the status of requests filed through Open311
  only (a phone call's ticket is not public), from that summary and the console's read
  model. Never the citizen's name, phone or e-mail.

Errors are the spec's error list, ``[{"code": 400, "description": "..."}]`` (XML
``<errors><error>``), with the same HTTP status: 400 bad input, 403 bad API key, 404 unknown,
429 too many requests (with ``Retry-After``), 503 broker or Redis unavailable.

Redis keys:

- ``hotline:open311:<ticket_id>``: the request as filed (service code, requested time,
  masked description, coordinates, address, address id, media URL, channel), JSON, kept
  90 days.
- ``hotline:open311:requests``: every Open311 ticket id scored by its filing time (POSIX
  seconds); entries older than 90 days are dropped on each filing.
"""

from __future__ import annotations

import json
import logging
import math
import re
import time
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any
from urllib.parse import urlsplit

import redis
from fastapi import APIRouter, Form, Request
from fastapi.responses import Response
from kafka import KafkaProducer
from kafka.errors import KafkaError
from pydantic import BaseModel

from classifiers.pii import mask_name, mask_pii, normalise_phone
from router.console.accounts import Accounts, ApiKey
from router.console.ratelimit import RateLimiter
from router.departments import TRIAGE, Catalogue
from router.exceptions import BadInputError
from router.queues import TICKET_PREFIX
from router.readmodel import HISTORY_PREFIX, STATE_PREFIX, ReadModel
from router.settings import Settings
from topics.adapters import normalise
from topics.catalogue import INTAKE_TOPICS
from topics.schemas import REQUEST_TYPES, SCHEMA_VERSION, TZ, make_ticket_id

log = logging.getLogger(__name__)

PREFIX = "/open311/v2"
REQUEST_PREFIX = "hotline:open311:"
REQUESTS = "hotline:open311:requests"
RETENTION_S = 90 * 24 * 3600
MAX_RANGE = timedelta(days=90)
MAX_RESULTS = 1000
SEND_TIMEOUT_S = 10.0
FORMATS = ("json", "xml")

_MAX_NAME = 64
_MAX_PHONE = 32
_MAX_EMAIL = 254
_MAX_ID = 128
_MAX_ADDRESS = 500
_MAX_URL = 2048
_TICKET_ID_RE = re.compile(r"[a-z]{2,16}-[0-9a-f]{1,64}")
_EMAIL_RE = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
# characters XML 1.0 cannot carry at all, even escaped
_NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


@dataclass(frozen=True, kw_only=True)
class Service:
    """One Open311 service: a request type of the 12345 standard."""

    code: str
    request_type: str
    description: str
    keywords: str
    group: str

    def to_dict(self) -> dict[str, Any]:
        """The service as GET services lists it."""
        return {
            "service_code": self.code,
            "service_name": self.request_type,
            "description": self.description,
            "metadata": False,
            "type": "realtime",
            "keywords": self.keywords,
            "group": self.group,
        }


#: The request types a citizen can file (撤销, withdrawal, is not a new request).
SERVICES: dict[str, Service] = {
    s.code: s
    for s in (
        Service(
            code="enquiry",
            request_type="咨询",
            description="咨询政策、办事流程和公共服务信息 (an enquiry about public services)",
            keywords="咨询,政策,办事,enquiry,question",
            group="咨询",
        ),
        Service(
            code="help",
            request_type="求助",
            description="生活中遇到困难，请求政府部门帮助解决 (a request for help)",
            keywords="求助,帮助,help",
            group="诉求",
        ),
        Service(
            code="complaint",
            request_type="投诉",
            description="对公共服务、企业或部门的问题进行投诉 (停水、噪音、物业等) (a complaint)",
            keywords="投诉,停水,停电,噪音,物业,complaint",
            group="诉求",
        ),
        Service(
            code="report",
            request_type="举报",
            description="举报违法违规行为，如违章搭建、非法经营 (a report of an offence)",
            keywords="举报,违建,违法,report",
            group="诉求",
        ),
        Service(
            code="suggestion",
            request_type="建议",
            description="对城市管理和公共服务提出意见建议 (a suggestion)",
            keywords="建议,意见,suggestion",
            group="意见建议",
        ),
        Service(
            code="praise",
            request_type="表扬",
            description="表扬部门或工作人员的优质服务 (praise for good service)",
            keywords="表扬,感谢,praise",
            group="意见建议",
        ),
    )
}
assert all(s.request_type in REQUEST_TYPES for s in SERVICES.values())
_CODE_OF_TYPE = {s.request_type: s.code for s in SERVICES.values()}

_NOT_ROUTED = "12345热线（正在分派）"
_AT_DESK = "12345热线派单台（等待人工派单）"
_NOTICES: dict[str | None, str] = {
    None: "已收到，正在分派 (received, being routed)",
    "triage": "已受理，等待派单员派单 (waiting for a dispatcher)",
    "assigned": "已派至承办单位，等待签收 (sent to the department)",
    "signed": "承办单位已签收，正在办理 (the department is working on it)",
    "contacted": "承办单位已联系市民，正在办理 (the department is working on it)",
    "replied": "承办单位已答复，等待回访 (answered; a callback will follow)",
    "closed": "已办结 (closed)",
    "merged": "已与其他工单合并办理 (merged with another request)",
}
_FILED_NOTICE = "已收到您的诉求，将按规定时限办理 (received; it will be routed to the department)"


class PostForm(BaseModel):
    """The fields of POST requests (form-encoded or multipart); all optional here so that a
    missing one gets the spec's error rather than FastAPI's."""

    api_key: str | None = None
    jurisdiction_id: str | None = None
    service_code: str | None = None
    lat: str | None = None
    long: str | None = None
    address_string: str | None = None
    address_id: str | None = None
    description: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    phone: str | None = None
    email: str | None = None
    device_id: str | None = None
    account_id: str | None = None
    media_url: str | None = None


class Open311Error(Exception):
    """An answer in the spec's error format."""

    def __init__(self, code: int, description: str, *, retry_after: float | None = None):
        super().__init__(description)
        self.code = code
        self.description = description
        self.retry_after = retry_after


# -- rendering -------------------------------------------------------------------------------


def _xml_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return _NOT_XML.sub("", str(value))


def _xml_fill(element: ET.Element, value: Any, item_tag: str) -> None:
    if isinstance(value, Mapping):
        for key, child in value.items():
            tag = str(key)
            sub = ET.SubElement(element, tag)
            _xml_fill(sub, child, tag[:-1] if tag.endswith("s") else "item")
    elif isinstance(value, list | tuple):
        for child in value:
            _xml_fill(ET.SubElement(element, item_tag), child, "item")
    else:
        element.text = _xml_text(value)


def render(fmt: str, payload: Any, *, root: str, item: str, status: int = 200) -> Response:
    """``payload`` as JSON, or as XML under ``<root>`` with one ``<item>`` per list entry."""
    if fmt == "xml":
        element = ET.Element(root)
        _xml_fill(element, payload, item)
        body = '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(element, "unicode")
        return Response(body.encode(), status_code=status, media_type="text/xml; charset=utf-8")
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
    return Response(body.encode(), status_code=status, media_type="application/json; charset=utf-8")


def error_response(fmt: str, error: Open311Error) -> Response:
    """The spec's error list for ``error``, with its HTTP status (and Retry-After)."""
    response = render(
        fmt if fmt in FORMATS else "json",
        [{"code": error.code, "description": error.description}],
        root="errors",
        item="error",
        status=error.code,
    )
    if error.retry_after is not None:
        response.headers["Retry-After"] = str(max(1, math.ceil(error.retry_after)))
    return response


def w3c(moment: float | str | None) -> str | None:
    """A POSIX time or ISO 8601 string as W3C date-time with the Asia/Shanghai offset."""
    if moment is None or moment == "":
        return None
    if isinstance(moment, str):
        parsed = datetime.fromisoformat(moment)
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=TZ)
    else:
        parsed = datetime.fromtimestamp(moment, TZ)
    return parsed.astimezone(TZ).isoformat(timespec="seconds")


def parse_w3c(value: str, name: str) -> datetime:
    """A query's W3C date-time (no offset: Asia/Shanghai); Open311Error 400 if malformed."""
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        raise Open311Error(
            400, f"{name} is not a W3C date-time such as 2026-01-01T00:00:00+08:00"
        ) from None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=TZ)


def _comma_list(value: str | None) -> list[str]:
    if not value:
        return []
    return list(dict.fromkeys(part.strip() for part in value.split(",") if part.strip()))


# -- the service ---------------------------------------------------------------------------


class Open311:
    """The endpoints' logic, free of FastAPI routing (so that tests can drive it directly)."""

    def __init__(
        self,
        *,
        settings: Settings,
        catalogue: Catalogue,
        read_model: ReadModel,
        accounts: Accounts,
        producer: KafkaProducer,
        limiter: RateLimiter,
        send_timeout_s: float = SEND_TIMEOUT_S,
    ) -> None:
        self.settings = settings
        self.catalogue = catalogue
        self.read_model = read_model
        self.client: redis.Redis = read_model.client
        self.accounts = accounts
        self.producer = producer
        self.limiter = limiter
        self.send_timeout_s = send_timeout_s

    # -- services

    def services(self) -> list[dict[str, Any]]:
        """GET services."""
        return [service.to_dict() for service in SERVICES.values()]

    def service_definition(self, service_code: str) -> dict[str, Any]:
        """GET services/<code>: no service has metadata, so no attributes; 404 if unknown."""
        if service_code not in SERVICES:
            raise Open311Error(404, f"unknown service_code {service_code[:64]!r}")
        return {"service_code": service_code, "attributes": []}

    # -- POST requests

    def post(self, form: PostForm, *, api_key: str | None, client_host: str) -> list[dict]:
        """POST requests: send the request to its channel's intake topic; its answer."""
        key = self._api_key(form.api_key or api_key)
        retry = self.limiter.hit(
            f"open311:{key.name}:{client_host}",
            limit=self.settings.open311_posts,
            window_s=self.settings.open311_window_s,
        )
        if retry is not None:
            raise Open311Error(429, "too many requests; try again later", retry_after=retry)
        fields = self._check(form)
        channel = key.channel
        source_id = f"o311-{uuid.uuid4().hex}"
        ticket_id = make_ticket_id(channel, source_id)
        now = datetime.now(TZ)
        record = build_record(channel, fields, source_id=source_id, when=now)
        raw = json.dumps(record, ensure_ascii=False, separators=(",", ":")).encode()
        topic = INTAKE_TOPICS[channel]
        try:  # the worker's own intake step: what passes here, the worker accepts
            ticket = normalise(
                raw,
                topic=topic,
                max_text_chars=self.settings.max_text_chars,
                max_record_bytes=self.settings.max_record_bytes,
            )
        except BadInputError as exc:
            raise Open311Error(400, f"the request cannot be filed: {exc.detail}") from None
        pending = {
            "service_code": fields["service_code"],
            "channel": channel,
            "requested_datetime": now.isoformat(timespec="seconds"),
            "description": _masked(ticket.text, name=fields["name"], email=fields["email"]),
            "lat": fields["lat"],
            "long": fields["long"],
            "address": fields["address_string"],
            "address_id": fields["address_id"],
            "media_url": fields["media_url"],
        }
        self._remember(ticket_id, pending, at=now.timestamp())
        try:
            self.producer.send(topic, key=source_id.encode(), value=raw).get(
                timeout=self.send_timeout_s
            )
        except KafkaError as exc:
            log.warning("open311: the broker did not take %s: %s", ticket_id, type(exc).__name__)
            self._forget(ticket_id)
            raise Open311Error(503, "the service is unavailable; try again later") from None
        log.info("open311: filed %s on %s for API key %s", ticket_id, channel, key.name)
        return [
            {"service_request_id": ticket_id, "service_notice": _FILED_NOTICE, "account_id": None}
        ]

    def _api_key(self, secret: str | None) -> ApiKey:
        found = self.accounts.check_api_key(secret.strip()) if secret else None
        if found is None:
            raise Open311Error(403, "api_key is missing or not valid")
        return found

    def _check(self, form: PostForm) -> dict[str, Any]:
        """The posted fields, checked and stripped (blank is absent); Open311Error 400."""

        def text(name: str, limit: int) -> str | None:
            value = getattr(form, name)
            value = value.strip() if value else None
            if value and len(value) > limit:
                raise Open311Error(400, f"{name} is longer than {limit} characters")
            return value or None

        code = text("service_code", 64)
        if code is None:
            raise Open311Error(400, "service_code is required")
        if code not in SERVICES:
            raise Open311Error(400, f"unknown service_code {code!r} (see services.json)")
        lat, lon = text("lat", 32), text("long", 32)
        if (lat is None) != (lon is None):
            raise Open311Error(400, "lat and long must be given together")
        coordinates = (
            (_coordinate(lat, "lat", 90), _coordinate(lon, "long", 180)) if lat and lon else None
        )
        address = text("address_string", _MAX_ADDRESS)
        address_id = text("address_id", _MAX_ID)
        if coordinates is None and address is None and address_id is None:
            raise Open311Error(
                400, "a location is required: lat and long, address_string or address_id"
            )
        description = form.description.strip() if form.description else ""
        if not description:
            raise Open311Error(400, "description is required")
        if len(description) > self.settings.max_text_chars:
            raise Open311Error(
                400, f"description is longer than {self.settings.max_text_chars} characters"
            )
        phone = text("phone", _MAX_PHONE)
        if phone is not None and normalise_phone(phone) is None:
            raise Open311Error(400, "phone is not a telephone number")
        email = text("email", _MAX_EMAIL)
        if email is not None and not _EMAIL_RE.fullmatch(email):
            raise Open311Error(400, "email is not an e-mail address")
        media_url = text("media_url", _MAX_URL)
        if media_url is not None:
            parts = urlsplit(media_url)
            if parts.scheme not in ("http", "https") or not parts.netloc:
                raise Open311Error(400, "media_url must be an http or https URL")
        text("jurisdiction_id", _MAX_ID)
        text("device_id", _MAX_ID)
        return {
            "service_code": code,
            "request_type": SERVICES[code].request_type,
            "lat": coordinates[0] if coordinates else None,
            "long": coordinates[1] if coordinates else None,
            "address_string": address,
            "address_id": address_id,
            "description": description,
            "name": full_name(text("first_name", _MAX_NAME), text("last_name", _MAX_NAME)),
            "phone": phone,
            "email": email,
            "account_id": text("account_id", _MAX_ID),
            "media_url": media_url,
        }

    def _remember(self, ticket_id: str, pending: dict[str, Any], *, at: float) -> None:
        try:
            with self.client.pipeline(transaction=True) as pipe:
                pipe.set(
                    REQUEST_PREFIX + ticket_id,
                    json.dumps(pending, ensure_ascii=False, separators=(",", ":")),
                    ex=RETENTION_S,
                )
                pipe.zadd(REQUESTS, {ticket_id: at})
                pipe.zremrangebyscore(REQUESTS, "-inf", at - RETENTION_S)
                pipe.execute()
        except redis.RedisError as exc:
            log.warning("open311: Redis refused %s: %s", ticket_id, type(exc).__name__)
            raise Open311Error(503, "the service is unavailable; try again later") from None

    def _forget(self, ticket_id: str) -> None:
        try:
            with self.client.pipeline(transaction=True) as pipe:
                pipe.delete(REQUEST_PREFIX + ticket_id)
                pipe.zrem(REQUESTS, ticket_id)
                pipe.execute()
        except redis.RedisError:
            pass  # the summary expires by itself; it names a ticket that never existed

    # -- GET requests

    def request(self, service_request_id: str) -> list[dict[str, Any]]:
        """GET requests/<id>: a one-element list; Open311Error 404 if not an Open311 request."""
        found = self.documents([service_request_id])
        if not found:
            raise Open311Error(404, f"no service request {service_request_id[:80]!r}")
        return found

    def requests(self, params: Mapping[str, str]) -> list[dict[str, Any]]:
        """GET requests: newest first, at most 1000, filtered by the spec's parameters."""
        ids = _comma_list(params.get("service_request_id"))
        if ids:  # overrides every other parameter
            return self.documents(ids[:MAX_RESULTS])
        codes = _comma_list(params.get("service_code"))
        unknown = [code for code in codes if code not in SERVICES]
        if unknown:
            raise Open311Error(400, f"unknown service_code {unknown[0][:64]!r}")
        statuses = _comma_list(params.get("status"))
        if any(status not in ("open", "closed") for status in statuses):
            raise Open311Error(400, "status must be open, closed or both (comma separated)")
        start, end = _date_range(params.get("start_date"), params.get("end_date"))
        found: list[dict[str, Any]] = []
        offset, page = 0, 500
        while len(found) < MAX_RESULTS:
            ids = [
                raw.decode()
                for raw in self.client.zrevrangebyscore(
                    REQUESTS, end.timestamp(), start.timestamp(), start=offset, num=page
                )
            ]
            if not ids:
                break
            offset += len(ids)
            for document in self.documents(ids):
                if codes and document["service_code"] not in codes:
                    continue
                if statuses and document["status"] not in statuses:
                    continue
                found.append(document)
        return found[:MAX_RESULTS]

    def documents(self, ids: Sequence[str]) -> list[dict[str, Any]]:
        """The request documents of those of ``ids`` that are Open311 requests, in order."""
        ids = [i for i in ids if _TICKET_ID_RE.fullmatch(i)]
        if not ids:
            return []
        with self.client.pipeline(transaction=False) as pipe:
            for ticket_id in ids:
                pipe.get(REQUEST_PREFIX + ticket_id)
                pipe.get(STATE_PREFIX + ticket_id)
                pipe.get(TICKET_PREFIX + ticket_id)
                pipe.zrevrange(HISTORY_PREFIX + ticket_id, 0, -1)
            replies = pipe.execute()
        found = []
        for n, ticket_id in enumerate(ids):
            pending, state, ticket, history = replies[4 * n : 4 * n + 4]
            if pending is None:
                continue
            found.append(
                self.document(
                    ticket_id,
                    json.loads(pending),
                    state=json.loads(state) if state is not None else None,
                    ticket=json.loads(ticket) if ticket is not None else None,
                    newest_first=(json.loads(entry) for entry in history),
                )
            )
        return found

    def document(
        self,
        ticket_id: str,
        pending: dict[str, Any],
        *,
        state: dict | None,
        ticket: dict | None,
        newest_first: Iterable[dict],
    ) -> dict[str, Any]:
        """One request as GET requests shows it (never the citizen's contact details)."""
        status = state["status"] if state else None
        department = state["department"] if state else None
        if department is None and ticket and ticket.get("routing"):
            department = ticket["routing"]["department"]
            status = "triage" if department == TRIAGE else "assigned"
            if self._state_retired(ticket["routing"].get("routed_at")):
                status = "closed"
        updated = (
            w3c(state.get("updated_at"))
            if state
            else w3c((ticket.get("routing") or {}).get("routed_at"))
            if ticket
            else None
        )
        resolve = (state or {}).get("clocks", {}).get("resolve") or {}
        code = pending["service_code"]
        return {
            "service_request_id": ticket_id,
            "status": "closed" if status in ("closed", "merged") else "open",
            "status_notes": _status_notes(state, newest_first),
            "service_name": SERVICES[code].request_type if code in SERVICES else code,
            "service_code": code,
            "description": pending.get("description") or "",
            "agency_responsible": self._agency(department),
            "service_notice": _NOTICES.get(status, _NOTICES[None]),
            "requested_datetime": pending["requested_datetime"],
            "updated_datetime": updated or pending["requested_datetime"],
            "expected_datetime": w3c(resolve.get("deadline")) if not resolve.get("ended") else None,
            "address": pending.get("address"),
            "address_id": pending.get("address_id"),
            "zipcode": None,
            "lat": pending.get("lat"),
            "long": pending.get("long"),
            "media_url": pending.get("media_url"),
        }

    def _state_retired(self, routed_at: str | None) -> bool:
        """Whether a routed ticket without a lifecycle state lost it to retention: the tracker
        writes a state moments after routing, and drops it only once the ticket has been
        closed for ``closed_retention_days``."""
        if not routed_at:
            return False
        age = time.time() - datetime.fromisoformat(routed_at).timestamp()
        return age > self.settings.closed_retention_days * 86_400

    def _agency(self, department: str | None) -> str:
        if department is None:
            return _NOT_ROUTED
        if department == TRIAGE:
            return _AT_DESK
        return self.catalogue[department].name if department in self.catalogue else department


def _status_notes(state: dict | None, newest_first: Iterable[dict]) -> str:
    if state and state.get("status") == "merged" and state.get("duplicate_of"):
        return f"merged into {state['duplicate_of']}"
    for entry in newest_first:
        replied = entry.get("type") in ("replied", "resolved") and not entry.get("refused")
        if replied and entry.get("reply"):
            return str(entry["reply"])
    return ""


def _masked(text: str, *, name: str | None, email: str | None) -> str:
    """``text`` with phone and ID numbers, the citizen's name and e-mail address masked."""
    masked = mask_name(mask_pii(text), name)
    return masked.replace(email, "***@***") if email else masked


def _coordinate(value: str, name: str, limit: float) -> float:
    try:
        number = float(value)
    except ValueError:
        raise Open311Error(400, f"{name} is not a number") from None
    if not math.isfinite(number) or abs(number) > limit:
        raise Open311Error(400, f"{name} is out of range")
    return number


def _date_range(start: str | None, end: str | None) -> tuple[datetime, datetime]:
    first = parse_w3c(start, "start_date") if start else None
    last = parse_w3c(end, "end_date") if end else None
    if first is None and last is None:
        last = datetime.now(TZ)
    if first is None:
        first = last - MAX_RANGE
    if last is None:
        last = first + MAX_RANGE
    if last < first:
        raise Open311Error(400, "end_date is before start_date")
    if last - first > MAX_RANGE:
        raise Open311Error(400, "start_date to end_date may span at most 90 days")
    return first, last


def full_name(first: str | None, last: str | None) -> str | None:
    """The citizen's full name: family name first for Chinese names (``王`` + ``小明``),
    ``first last`` otherwise."""
    if first and last:
        chinese = not (first + last).isascii()
        return f"{last}{first}" if chinese else f"{first} {last}"
    return first or last


def build_record(
    channel: str, fields: Mapping[str, Any], *, source_id: str, when: datetime
) -> dict[str, Any]:
    """The raw intake record of ``channel`` (web or app) for a checked Open311 request:
    that channel's own field names, the contact in its contact fields."""
    if channel == "web":
        record: dict[str, Any] = {
            "schema_version": SCHEMA_VERSION,
            "channel": "web",
            "form_id": source_id,
            "submitted_at": when.astimezone(TZ).isoformat(timespec="seconds"),
            "content": fields["description"],
            "type": fields["request_type"],
            "name": fields["name"],
            "mobile": fields["phone"],
            "email": fields["email"],
            "address": fields["address_string"],
        }
    elif channel == "app":
        place = {
            "lat": fields["lat"],
            "lon": fields["long"],
            "address": fields["address_string"],
        }
        record = {
            "schema_version": SCHEMA_VERSION,
            "channel": "app",
            "msg_id": source_id,
            "user_id": fields["account_id"],
            "created_at": when.astimezone(UTC).isoformat(timespec="milliseconds"),
            "category": fields["request_type"],
            "content": fields["description"],
            "photos": [fields["media_url"]] if fields["media_url"] else [],
            "location": {k: v for k, v in place.items() if v is not None},
            "contact_phone": fields["phone"],
        }
    else:
        raise ValueError(f"Open311 feeds the web or app channel, not {channel!r}")
    return {k: v for k, v in record.items() if v is not None}


# -- routing -------------------------------------------------------------------------------


def open311_router(
    *,
    settings: Settings,
    catalogue: Catalogue,
    read_model: ReadModel,
    accounts: Accounts,
    producer: KafkaProducer,
    limiter: RateLimiter,
    send_timeout_s: float = SEND_TIMEOUT_S,
) -> APIRouter:
    """The Open311 GeoReport v2 endpoints under ``/open311/v2`` (tag "Open311").

    ``producer`` should acknowledge with ``acks="all"`` and have a short ``max_block_ms``
    (see :func:`router.console.context.make_producer`); a send not acknowledged within
    ``send_timeout_s`` answers 503.
    """
    api = Open311(
        settings=settings,
        catalogue=catalogue,
        read_model=read_model,
        accounts=accounts,
        producer=producer,
        limiter=limiter,
        send_timeout_s=send_timeout_s,
    )
    router = APIRouter(prefix=PREFIX, tags=["Open311"])

    def answer(fmt: str, call: Callable[[], Any], *, root: str, item: str) -> Response:
        if fmt not in FORMATS:
            return error_response("json", Open311Error(404, f"unknown format {fmt[:16]!r}"))
        try:
            return render(fmt, call(), root=root, item=item)
        except Open311Error as error:
            return error_response(fmt, error)
        except redis.RedisError as exc:
            log.warning("open311: Redis failed: %s", type(exc).__name__)
            return error_response(fmt, Open311Error(503, "the service is unavailable"))

    # Suffixed routes first: "/requests/{id}" would otherwise take "x.json" as the id.
    def services(fmt: str = "json") -> Response:
        """GET services: the request types citizens can file."""
        return answer(fmt, api.services, root="services", item="service")

    def service_definition(service_code: str, fmt: str = "json") -> Response:
        """GET a service definition (no service has attributes)."""
        call = lambda: api.service_definition(service_code)  # noqa: E731
        return answer(fmt, call, root="service_definition", item="attribute")

    def post_request(
        request: Request, form: Annotated[PostForm, Form()], fmt: str = "json"
    ) -> Response:
        """POST a service request (form-encoded or multipart)."""
        host = request.client.host if request.client else "unknown"
        call = lambda: api.post(  # noqa: E731
            form, api_key=request.query_params.get("api_key"), client_host=host
        )
        return answer(fmt, call, root="service_requests", item="request")

    def get_requests(request: Request, fmt: str = "json") -> Response:
        """GET service requests (filed through Open311), newest first."""
        call = lambda: api.requests(request.query_params)  # noqa: E731
        return answer(fmt, call, root="service_requests", item="request")

    def get_request(service_request_id: str, fmt: str = "json") -> Response:
        """GET one service request."""
        call = lambda: api.request(service_request_id)  # noqa: E731
        return answer(fmt, call, root="service_requests", item="request")

    routes: list[tuple[str, Callable[..., Response], str]] = [
        ("/services", services, "GET"),
        ("/services/{service_code}", service_definition, "GET"),
        ("/requests", post_request, "POST"),
        ("/requests", get_requests, "GET"),
        ("/requests/{service_request_id}", get_request, "GET"),
    ]
    for path, endpoint, method in routes:
        router.add_api_route(path + ".{fmt}", endpoint, methods=[method])
    for path, endpoint, method in routes:  # no suffix: JSON
        router.add_api_route(path, endpoint, methods=[method], include_in_schema=False)
    return router
