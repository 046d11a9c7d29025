"""Intake adapters: hand-written raw records of every channel, render → normalise round trips
and malformed input for every dead-letter reason."""

from __future__ import annotations

import base64
import copy
import json
import quopri
import random
import re
from datetime import datetime, timedelta
from typing import Any

import pytest

from classifiers.synthetic import SyntheticRequest
from router.exceptions import BadInputError, ConfigurationError
from topics.adapters import ADAPTERS, normalise, render
from topics.catalogue import intake_topic
from topics.schemas import (
    CHANNELS,
    DEADLETTER_REASONS,
    REQUEST_TYPES,
    TZ,
    Location,
    Ticket,
    make_ticket_id,
)

MAX_TEXT = 2_000
MAX_BYTES = 200_000

# Personal data planted in the records below: it must never reach an error detail.
PHONE = "13976331317"
PHONE_2 = "13812345678"
ID_NUMBER = "46010219900101123X"
NAME = "王毅宏"
PERSONAL = (PHONE, PHONE_2, ID_NUMBER, ID_NUMBER.lower(), NAME, "1397633", "o6_bmjrPTlm6")


def word(text: str, charset: str = "GB18030") -> str:
    """``text`` as one RFC 2047 B-encoded word."""
    codec = "gb18030" if charset.lower() in ("gb18030", "gbk", "gb2312") else charset
    return f"=?{charset}?B?{base64.b64encode(text.encode(codec)).decode()}?="


MAIL_BODY = (
    f"尊敬的市长：\r\n金宇路夜市占道经营，噪音扰民，请尽快处理。\r\n联系电话：{PHONE}\r\n{NAME}\r\n"
)


def eml(
    *,
    subject: str | None = None,
    sender: str | None = None,
    content_type: str = "text/plain; charset=GB18030",
    encoding: str = "base64",
    body: bytes | None = None,
    message_id: str | None = "<20240501100000.4711@qq.com>",
    date: str | None = "Wed, 01 May 2024 10:00:00 +0800",
) -> bytes:
    """A raw mail; by default GB18030 text/plain, base64 body, encoded-word headers."""
    if body is None:
        body = base64.encodebytes(MAIL_BODY.encode("gb18030"))
    headers = [
        f"From: {sender if sender is not None else word(NAME)} <{PHONE}@qq.com>",
        "To: szxx@12345.example.gov.cn",
        f"Subject: {subject if subject is not None else word('金宇路夜市扰民严重')}",
        f"Date: {date}" if date else "",
        f"Message-ID: {message_id}" if message_id else "",
        "MIME-Version: 1.0",
        f"Content-Type: {content_type}",
        f"Content-Transfer-Encoding: {encoding}" if encoding else "",
    ]
    return "".join(f"{line}\r\n" for line in headers if line).encode() + b"\r\n" + body


def eml_b64(**parts: Any) -> str:
    """:func:`eml` as the gateway's ``eml_b64`` field."""
    return base64.b64encode(eml(**parts)).decode()


DEVICE = {"os": "iOS", "os_version": "17.5.1", "app_version": "3.2.0", "model": "iPhone15,2"}

RECORDS: dict[str, dict[str, Any]] = {
    "phone": {
        "call_id": "C20240501-100512-0087",
        "call_started_at": "2024-05-01T10:05:12+08:00",
        "call_duration_s": 312,
        "caller_number": "+86 139-7633-1317",
        "agent_id": "A1087",
        "summary": "金宇路夜市占道经营噪音扰民",
        "transcript": (
            "市民来电反映：龙华区金宇路与金盘路交叉口每晚有夜市占道经营，噪音很大至凌晨２点，"
            f"影响休息。来电人：{NAME}，回拨电话：１３８－１２３４－５６７８。"
        ),
        "request_type": "投诉",
        "caller_name": NAME,
        "district": "龙华区",
        "address": "金宇路88号",
    },
    "web": {
        "form_id": "WEB202405010031",
        "submitted_at": "2024-05-01 09:30:00",
        "title": "咨询居住证办理",
        "content": (
            "<p>请问外地户籍在海口办理居住证需要哪些材料？</p>"
            f"<p>我的身份证号：{ID_NUMBER}，电话{PHONE}</p>"
        ),
        "type": "咨询",
        "name": NAME,
        "mobile": PHONE,
        "id_card": ID_NUMBER.lower(),
        "email": "lisi@example.com",
        "district": "美兰区",
        "address": "海府路1号",
        "is_public": False,
    },
    "app": {
        "msg_id": "app-7f3a9c01",
        "user_id": "u00a1b2c3d4",
        "created_at": "2024-05-01T02:00:00.123Z",
        "device": {
            "os": "iOS",
            "os_version": "17.5.1",
            "app_version": "3.2.0",
            "model": "iPhone15,2",
        },
        "category": "其他",
        "content": "小区门口的井盖坏了，晚上很危险\u200b，请尽快维修！联系我：139 7633 1317",
        "photos": ["https://img.app.example.cn/2024/05/01/a1.jpg"],
        "location": {
            "lat": 20.0311,
            "lon": 110.3259,
            "address": "海口市龙华区金宇路88号",
            "district": "龙华区",
        },
        "contact_phone": PHONE,
    },
    "wechat": {
        "source": "official_account",
        "msg_id": 24500123456789012,
        "openid": "o6_bmjrPTlm6_2sgVt7hMZOPfL2M",
        "to_user": "gh_3f2a9c1d7e65",
        "create_time": 1714528800,
        "msg_type": "text",
        "content": "举报：金宇路某ＫＴＶ深夜扰民，老板电话0898-66123456",
        "nickname": "阳光",
    },
    "mailbox": {
        "message_id": "gw-000123",
        "received_at": "2024-05-01T10:00:41+08:00",
        "mailbox": "szxx@12345.example.gov.cn",
        "eml_b64": eml_b64(),
    },
    "inquiry": {
        "post_id": "WZ-2024-004512",
        "board": "市长信箱",
        "title": "关于江东新区公交的建议",
        "body_html": (
            "<div>&nbsp;&nbsp;尊敬的领导：</div><div>建议在江东新区增设公交线路&amp;站点，"
            "方便居民出行。<br/>谢谢！</div>"
        ),
        "is_public": True,
        "posted_at": "2024-05-01T08:15:00+08:00",
        "author": "椰城居民",
        "phone": PHONE_2,
        "area": "美兰区",
        "images": [],
    },
    "grid": {
        "report_id": "GR-20240501-0007",
        "grid_code": "LH-03-12",
        "worker_id": "W20417",
        "reported_at": "2024-05-01T07:45:00+08:00",
        "coordinates": {"lat": 20.0198, "lon": 110.3411},
        "category_hint": "市容环境",
        "description": "巡查发现：金盘路口垃圾堆积，散发异味，已拍照。",
        "photos": ["https://img.grid.example.cn/1.jpg", "https://img.grid.example.cn/2.jpg"],
        "district": "龙华区",
        "street": "金宇街道",
        "community": "金宇社区",
        "address": "金盘路口",
    },
}

SOURCE_KEYS = {
    "phone": "call_id",
    "web": "form_id",
    "app": "msg_id",
    "wechat": "msg_id",
    "mailbox": "message_id",
    "inquiry": "post_id",
    "grid": "report_id",
}
TEXT_KEYS = {
    "phone": "transcript",
    "web": "content",
    "app": "content",
    "wechat": "content",
    "inquiry": "body_html",
    "grid": "description",
}
TIME_KEYS = {
    "phone": "call_started_at",
    "web": "submitted_at",
    "app": "created_at",
    "wechat": "create_time",
    "mailbox": "received_at",
    "inquiry": "posted_at",
    "grid": "reported_at",
}


def record_of(channel: str, **changes: Any) -> dict[str, Any]:
    """A deep copy of the channel's hand-written record, with header fields and changes."""
    record = {"schema_version": 1, "channel": channel, **copy.deepcopy(RECORDS[channel])}
    for key, value in changes.items():
        if value is DELETE:
            record.pop(key, None)
        else:
            record[key] = value
    return record


DELETE = object()


def to_bytes(record: dict[str, Any]) -> bytes:
    return json.dumps(record, ensure_ascii=False).encode()


def parse(record: dict[str, Any], *, topic: str | None = None, max_text: int = MAX_TEXT) -> Ticket:
    return normalise(
        to_bytes(record),
        topic=topic or intake_topic(record["channel"]),
        max_text_chars=max_text,
        max_record_bytes=MAX_BYTES,
    )


def rejected(
    raw: bytes | dict[str, Any] | None, reason: str, *, topic: str = "intake.web", **limits: int
) -> BadInputError:
    """Assert that ``raw`` is rejected with ``reason`` and a detail free of personal data."""
    if isinstance(raw, dict):
        topic = intake_topic(raw["channel"]) if isinstance(raw.get("channel"), str) else topic
        raw = to_bytes(raw)
    with pytest.raises(BadInputError) as caught:
        normalise(
            raw,
            topic=topic,
            max_text_chars=limits.get("max_text_chars", MAX_TEXT),
            max_record_bytes=limits.get("max_record_bytes", MAX_BYTES),
        )
    error = caught.value
    assert error.reason == reason, error.detail
    assert error.reason in DEADLETTER_REASONS
    assert error.detail
    for value in PERSONAL:
        assert value not in str(error), (value, str(error))
    return error


# ----------------------------------------------------------------- hand-written records


def test_every_channel_has_an_adapter() -> None:
    assert list(ADAPTERS) == list(CHANNELS)
    for channel, module in ADAPTERS.items():
        assert channel == module.CHANNEL


def test_phone_record() -> None:
    ticket = parse(record_of("phone"))
    assert ticket.channel == "phone"
    assert ticket.source_id == "C20240501-100512-0087"
    assert ticket.ticket_id == make_ticket_id("phone", "C20240501-100512-0087")
    assert ticket.received_at == "2024-05-01T10:05:12+08:00"
    assert ticket.title == "金宇路夜市占道经营噪音扰民"
    assert ticket.text == (
        "市民来电反映：龙华区金宇路与金盘路交叉口每晚有夜市占道经营，噪音很大至凌晨2点，"
        "影响休息。来电人：王**，回拨电话：138****5678。"
    )
    assert ticket.contact.phones == [PHONE, PHONE_2]
    assert ticket.contact.name == NAME
    assert ticket.request_type == "投诉"
    assert ticket.urgency == "normal"
    assert ticket.location == Location(district="龙华区", address="金宇路88号")
    assert ticket.extra == {"agent_id": "A1087", "call_duration_s": 312}


def test_phone_caller_named_only_in_transcript() -> None:
    record = record_of("phone", caller_name=DELETE, caller_number="anonymous")
    record["transcript"] = "市民来电咨询：公积金如何提取？来电人：张先生。"
    ticket = parse(record)
    assert ticket.contact.name == "张先生"
    assert ticket.contact.phones == []
    assert ticket.request_type == "投诉"  # the agent's choice wins over the text


def test_web_record() -> None:
    ticket = parse(record_of("web"))
    assert ticket.received_at == "2024-05-01T09:30:00+08:00"  # naive portal time is Shanghai
    assert ticket.title == "咨询居住证办理"
    assert ticket.text == (
        "请问外地户籍在海口办理居住证需要哪些材料？\n我的身份证号：4601**********123X，电话139****1317"
    )
    assert ticket.contact.phones == [PHONE]
    assert ticket.contact.id_numbers == [ID_NUMBER]
    assert ticket.contact.name == NAME
    assert ticket.contact.email == "lisi@example.com"
    assert ticket.request_type == "咨询"
    assert ticket.location == Location(district="美兰区", address="海府路1号")
    assert ticket.extra == {"is_public": False}


def test_app_record() -> None:
    ticket = parse(record_of("app"))
    assert ticket.source_id == "app-7f3a9c01"
    assert ticket.received_at == "2024-05-01T10:00:00+08:00"  # UTC converted
    assert ticket.text == "小区门口的井盖坏了，晚上很危险，请尽快维修！联系我：139****1317"
    assert ticket.contact.phones == [PHONE]
    assert ticket.contact.openid == "u00a1b2c3d4"
    assert ticket.request_type == "求助"  # "其他" is not a request type: inferred
    assert ticket.attachments == ["https://img.app.example.cn/2024/05/01/a1.jpg"]
    assert ticket.location == Location(
        district="龙华区", address="海口市龙华区金宇路88号", lat=20.0311, lon=110.3259
    )
    assert ticket.extra == {
        "device": {
            "os": "iOS",
            "os_version": "17.5.1",
            "app_version": "3.2.0",
            "model": "iPhone15,2",
        }
    }


def test_wechat_record() -> None:
    ticket = parse(record_of("wechat"))
    assert ticket.source_id == "24500123456789012"
    assert ticket.received_at == "2024-05-01T10:00:00+08:00"
    assert ticket.text == "举报：金宇路某KTV深夜扰民，老板电话0898-****3456"
    assert ticket.contact.phones == ["089866123456"]
    assert ticket.contact.openid == "o6_bmjrPTlm6_2sgVt7hMZOPfL2M"
    assert ticket.contact.name == "阳光"  # a nickname: not masked in the text
    assert ticket.request_type == "举报"
    assert ticket.extra == {
        "source": "official_account",
        "msg_type": "text",
        "account": "gh_3f2a9c1d7e65",
    }


def test_wechat_xml_strings_and_voice_recognition() -> None:
    record = record_of(
        "wechat", msg_id="24500123456789012", create_time="1714528800", msg_type="voice"
    )
    record.pop("content")
    record["recognition"] = "请问公积金怎么提取"
    ticket = parse(record)
    assert ticket.received_at == "2024-05-01T10:00:00+08:00"
    assert ticket.text == "请问公积金怎么提取"
    assert ticket.request_type == "咨询"
    assert ticket.ticket_id == parse(record_of("wechat")).ticket_id


def test_mailbox_record() -> None:
    ticket = parse(record_of("mailbox"))
    assert ticket.source_id == "20240501100000.4711@qq.com"  # the Message-ID header
    assert ticket.received_at == "2024-05-01T10:00:00+08:00"  # the Date header
    assert ticket.title == "金宇路夜市扰民严重"
    assert ticket.text == (
        "尊敬的市长：\n金宇路夜市占道经营，噪音扰民，请尽快处理。\n联系电话：139****1317\n王**"
    )
    assert ticket.contact.name == NAME
    assert ticket.contact.email == f"{PHONE}@qq.com"
    assert ticket.contact.phones == [PHONE]
    assert ticket.extra == {
        "mailbox": "szxx@12345.example.gov.cn",
        "subject_charset": "gb18030",
        "body_charset": "gb18030",
        "body_type": "plain",
        "attachment_count": 0,
    }


def test_inquiry_record() -> None:
    ticket = parse(record_of("inquiry"))
    assert ticket.title == "关于江东新区公交的建议"
    assert ticket.text == "尊敬的领导：\n建议在江东新区增设公交线路&站点，方便居民出行。\n谢谢！"
    assert ticket.request_type == "建议"
    assert ticket.contact.phones == [PHONE_2]
    assert ticket.contact.name == "椰城居民"
    assert ticket.location == Location(district="美兰区")
    assert ticket.extra == {"board": "市长信箱", "is_public": True}


def test_grid_record() -> None:
    ticket = parse(record_of("grid"))
    assert ticket.received_at == "2024-05-01T07:45:00+08:00"
    assert ticket.text == "巡查发现：金盘路口垃圾堆积，散发异味，已拍照。"
    assert ticket.category_hint == "市容环境"
    assert ticket.location == Location(
        district="龙华区",
        street="金宇街道",
        community="金宇社区",
        grid_code="LH-03-12",
        address="金盘路口",
        lat=20.0198,
        lon=110.3411,
    )
    assert ticket.attachments == RECORDS["grid"]["photos"]
    assert ticket.extra == {"worker_id": "W20417"}
    assert ticket.contact.phones == []


@pytest.mark.parametrize("channel", CHANNELS)
def test_ticket_id_is_stable_and_per_channel(channel: str) -> None:
    first, again = parse(record_of(channel)), parse(record_of(channel))
    assert first.ticket_id == again.ticket_id
    assert first == again
    assert first.ticket_id.startswith(f"{channel}-")
    assert Ticket.from_json(first.to_json()) == first


def test_same_source_id_on_different_channels_gives_different_tickets() -> None:
    ids = set()
    for channel in CHANNELS:
        record = record_of(channel, **{SOURCE_KEYS[channel]: "SAME-0001"})
        if channel == "mailbox":  # the Message-ID header would win
            record["eml_b64"] = eml_b64(message_id=None)
        ids.add(parse(record).ticket_id)
    assert len(ids) == len(CHANNELS)


@pytest.mark.parametrize("channel", CHANNELS)
def test_no_personal_data_outside_the_contact(channel: str) -> None:
    ticket = parse(record_of(channel))
    data = ticket.to_dict()
    data.pop("contact")
    dumped = json.dumps(data, ensure_ascii=False)
    for value in (PHONE, PHONE_2, ID_NUMBER, NAME, "1397633", "o6_bmjrPTlm6", "u00a1b2c3d4"):
        assert value not in dumped


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2024-05-01T10:00:00+08:00", "2024-05-01T10:00:00+08:00"),
        ("2024-05-01T02:00:00Z", "2024-05-01T10:00:00+08:00"),
        ("2024-05-01T04:00:00+02:00", "2024-05-01T10:00:00+08:00"),
        ("2024-05-01T10:00:00", "2024-05-01T10:00:00+08:00"),
        ("2024-05-01 10:00:00.789", "2024-05-01T10:00:00+08:00"),
        ("2024-05-01", "2024-05-01T00:00:00+08:00"),
        (1714528800, "2024-05-01T10:00:00+08:00"),
        (1714528800.5, "2024-05-01T10:00:00+08:00"),
        (1714528800123, "2024-05-01T10:00:00+08:00"),
        ("1714528800", "2024-05-01T10:00:00+08:00"),
    ],
)
def test_time_formats(value: Any, expected: str) -> None:
    assert parse(record_of("grid", reported_at=value)).received_at == expected


def test_channel_request_type_when_valid_else_inferred() -> None:
    assert parse(record_of("web", type="建议")).request_type == "建议"
    assert parse(record_of("web", type="意见反馈")).request_type == "咨询"  # inferred: "请问"
    assert parse(record_of("web", type=DELETE)).request_type == "咨询"
    assert parse(record_of("app", category="表扬")).request_type == "表扬"


# ------------------------------------------------------------------------- round trips

REQUESTS = [
    SyntheticRequest(
        department="URBAN_MGMT",
        request_type="投诉",
        title="夜市占道经营噪音扰民",
        text="金宇路与金盘路交叉口每晚有夜市占道经营，噪音很大，垃圾满地，多次反映无人处理。",
        district="龙华区",
        street="金宇街道",
        community="金宇社区",
        address="金宇路88号",
        citizen_name="王毅宏",
        phone="13976331317",
        category_hint="市容环境",
        lat=20.0311,
        lon=110.3259,
    ),
    SyntheticRequest(
        department="PUBLIC_SECURITY",
        request_type="咨询",
        title="居住证办理材料",
        text="请问外地户籍在本市办理居住证需要哪些材料？我的身份证号46010219900101123X，"
        "电话13812345678，谢谢。",
        district="美兰区",
        street="海府街道",
        community="海府社区",
        address="海府路1号",
        citizen_name="李娜",
        phone="13812345678",
        id_number="46010219900101123X",
    ),
    SyntheticRequest(
        department="WATER",
        request_type="求助",
        title="停水",
        text="我家所在的小区从昨天晚上开始停水，到现在还没有恢复，\n家里有老人小孩，非常不便。",
        district="秀英区",
        street="秀英街道",
        community="向荣社区",
        address="向荣路12号3栋",
        citizen_name="陈建国",
        phone="15808981234",
        urgent=True,
    ),
    SyntheticRequest(
        department="TRANSPORT",
        request_type="建议",
        title="增设公交线路",
        text="建议在江东新区增设一条公交线路连接高铁站，方便居民出行。",
        district="美兰区",
        street="灵山镇",
        community="灵山社区",
        address="江东大道200号",
        citizen_name="欧阳明月",
        phone="18976082869",
    ),
    SyntheticRequest(
        department="PUBLIC_SECURITY",
        request_type="表扬",
        title="表扬派出所民警",
        text="表扬金宇派出所的民警，帮我找回了丢失的钱包，态度非常好。",
        district="龙华区",
        street="金宇街道",
        community="金宇社区",
        address="金宇派出所",
        citizen_name="赵敏",
        phone="13307633923",
    ),
    SyntheticRequest(
        department="MARKET",
        request_type="举报",
        title="无证经营",
        text="举报滨海大道一家餐馆无证经营，后厨卫生极差，老板电话0898-66123456。",
        district="龙华区",
        street="滨海街道",
        community="滨海社区",
        address="滨海大道55号",
        citizen_name="孙丽",
        phone="13005123456",
    ),
    SyntheticRequest(
        department="HOUSING",
        request_type="撤销",
        title="撤销工单",
        text="之前反映的物业维修问题已经解决了，不需要再处理，申请撤销工单。",
        district="琼山区",
        street="府城街道",
        community="府城社区",
        address="府城大道9号",
        citizen_name="周杰",
        phone="17733561234",
    ),
    SyntheticRequest(
        department="ENVIRONMENT",
        request_type="投诉",
        title="工厂排放废气 <急>",
        text="长流镇一家工厂夜间排放刺鼻废气，&居民无法开窗，请环保部门查处！",
        district="秀英区",
        street="长流镇",
        community="长流社区",
        address="长流工业园",
        citizen_name="Li Ming",
        phone="19912345678",
    ),
]

WHEN = datetime(2024, 5, 1, 10, 0, tzinfo=TZ)
CARRY_TYPE = {"phone", "web"}  # channels that always carry the request type


def masked(phone: str) -> str:
    return f"{phone[:3]}****{phone[-4:]}"


def first_clause(text: str) -> str:
    return re.split(r"[，。？！\n]", text)[0]


@pytest.mark.parametrize("channel", CHANNELS)
def test_render_normalise_round_trip(channel: str) -> None:
    for seed in range(12):
        rng = random.Random(seed)
        for i, request in enumerate(REQUESTS):
            source_id = f"rt-{seed}-{i}@12345.example"
            when = WHEN + timedelta(hours=seed, minutes=i, seconds=7)
            raw = render(channel, request, source_id=source_id, when=when, rng=rng)
            record = json.loads(raw)
            assert record["schema_version"] == 1
            assert record["channel"] == channel
            ticket = normalise(
                raw,
                topic=intake_topic(channel),
                max_text_chars=MAX_TEXT,
                max_record_bytes=MAX_BYTES,
            )
            context = f"{channel} seed {seed} request {i}: {ticket.text}"
            assert ticket.channel == channel
            assert ticket.source_id == source_id
            assert ticket.ticket_id == make_ticket_id(channel, source_id)
            assert ticket.received_at == when.isoformat(timespec="seconds"), context
            assert ticket.request_type in REQUEST_TYPES
            if channel in CARRY_TYPE:
                assert ticket.request_type == request.request_type, context
            assert first_clause(request.text) in ticket.text, context
            assert "<p>" not in ticket.text and "&nbsp;" not in ticket.text, context
            assert not re.search(r"[０-９Ａ-Ｚａ-ｚ\u200b\u3000]", ticket.text), context
            # personal data: in the contact, never in the rest of the ticket
            rest = ticket.to_dict()
            rest.pop("contact")
            dumped = json.dumps(rest, ensure_ascii=False)
            assert request.phone not in dumped, context
            if request.id_number:
                assert request.id_number not in dumped, context
            if channel in ("phone", "web", "app"):
                assert request.phone in ticket.contact.phones, context
            if masked(request.phone) in ticket.text:
                assert request.phone in ticket.contact.phones, context
            if request.id_number and request.id_number[:4] + "*" * 10 in ticket.text:
                assert request.id_number in ticket.contact.id_numbers, context
            if channel in ("phone", "web", "inquiry", "grid"):
                assert ticket.location.district == request.district
            if channel == "grid":
                assert ticket.location.street == request.street
                assert ticket.location.community == request.community
                assert ticket.location.lat is not None and ticket.location.lon is not None
                assert ticket.attachments
            assert Ticket.from_json(ticket.to_json()) == ticket


@pytest.mark.parametrize("channel", CHANNELS)
def test_render_is_deterministic_for_a_seed(channel: str) -> None:
    def once() -> bytes:
        return render(channel, REQUESTS[1], source_id="d-1", when=WHEN, rng=random.Random(9))

    assert once() == once()


def test_render_accepts_naive_times_as_shanghai() -> None:
    naive = datetime(2024, 5, 1, 10, 0)
    for channel in CHANNELS:
        raw = render(channel, REQUESTS[0], source_id="n-1", when=naive, rng=random.Random(1))
        ticket = normalise(
            raw, topic=intake_topic(channel), max_text_chars=MAX_TEXT, max_record_bytes=MAX_BYTES
        )
        assert ticket.received_at == "2024-05-01T10:00:00+08:00"


def test_mailbox_render_varies() -> None:
    rng = random.Random(4)
    kinds = set()
    for i in range(40):
        raw = render("mailbox", REQUESTS[i % len(REQUESTS)], source_id=f"m{i}", when=WHEN, rng=rng)
        ticket = normalise(
            raw, topic="intake.mailbox", max_text_chars=MAX_TEXT, max_record_bytes=MAX_BYTES
        )
        kinds.add((ticket.extra["body_type"], ticket.extra["body_charset"]))
        assert ticket.contact.email and ticket.contact.name
    assert ("plain", "utf-8") not in kinds
    assert ("html", "utf-8") in kinds
    assert {charset for kind, charset in kinds if kind == "plain"} >= {"gb18030", "gbk"}


def test_render_unknown_channel() -> None:
    with pytest.raises(ConfigurationError):
        render("fax", REQUESTS[0], source_id="x", when=WHEN, rng=random.Random(1))


# ----------------------------------------------------------------------- malformed input


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (None, "not_json"),
        (b"", "not_json"),
        (b"not json at all", "not_json"),
        (b'{"schema_version": 1, "channel": "web"', "not_json"),
        (b"[1, 2, 3]", "not_json"),
        (b'"a string"', "not_json"),
        (b"null", "not_json"),
        (b"[" * 100_000 + b"]" * 100_000, "not_json"),
        (b'{"schema_version": 1, "channel": "web", "n": ' + b"1" * 5000 + b"}", "not_json"),
        (b'{"content": "\xff\xfe"}', "undecodable"),
        (b'{"schema_version": 1, "channel": "web", "content": "\\ud800"}', "undecodable"),
        ('{"content": "路灯"}'.encode("gb18030"), "undecodable"),
        (b'{"channel": "web"}', "missing_schema_version"),
        (b'{"schema_version": 2, "channel": "web"}', "bad_schema_version"),
        (b'{"schema_version": "1", "channel": "web"}', "bad_schema_version"),
        (b'{"schema_version": 1}', "unknown_channel"),
        (b'{"schema_version": 1, "channel": "fax"}', "unknown_channel"),
        (b'{"schema_version": 1, "channel": 7}', "unknown_channel"),
        (b'{"schema_version": 1, "channel": null}', "unknown_channel"),
    ],
)
def test_malformed_records(raw: bytes | None, reason: str) -> None:
    rejected(raw, reason, max_record_bytes=1_000_000)


def test_escaped_surrogate_pairs_are_fine() -> None:
    raw = to_bytes(record_of("web")).replace("请问".encode(), b"\\ud83d\\ude00\\u8bf7\\u95ee")
    ticket = normalise(raw, topic="intake.web", max_text_chars=MAX_TEXT, max_record_bytes=MAX_BYTES)
    assert ticket.text.startswith("\U0001f600请问")
    ticket.to_json()


def test_record_too_large() -> None:
    raw = to_bytes(record_of("web"))
    rejected(raw, "record_too_large", max_record_bytes=len(raw) - 1)
    assert normalise(raw, topic="intake.web", max_text_chars=MAX_TEXT, max_record_bytes=len(raw))


@pytest.mark.parametrize("channel", CHANNELS)
def test_channel_must_match_topic(channel: str) -> None:
    other = CHANNELS[(CHANNELS.index(channel) + 1) % len(CHANNELS)]
    rejected(to_bytes(record_of(channel)), "unknown_channel", topic=intake_topic(other))
    rejected(to_bytes(record_of(channel)), "unknown_channel", topic="tickets.normalized")


@pytest.mark.parametrize("channel", CHANNELS)
@pytest.mark.parametrize(
    ("value", "reason"),
    [
        (DELETE, "missing_field"),
        (None, "missing_field"),
        ("", "missing_field"),
        ("  ", "missing_field"),
        (["x"], "invalid_field"),
        (True, "invalid_field"),
    ],
)
def test_source_id(channel: str, value: Any, reason: str) -> None:
    record = record_of(channel, **{SOURCE_KEYS[channel]: value})
    if channel == "mailbox":  # without a Message-ID header, the gateway's id is used
        record["eml_b64"] = eml_b64(message_id=None)
    rejected(record, reason)


TEXT_CHANNELS = list(TEXT_KEYS)


@pytest.mark.parametrize("channel", TEXT_CHANNELS)
@pytest.mark.parametrize(
    ("value", "reason"),
    [
        (DELETE, "missing_text"),
        (None, "missing_text"),
        (123, "invalid_field"),
        (["路灯不亮"], "invalid_field"),
        ("", "empty_text"),
        ("   \u3000\n\t\u200b ", "empty_text"),
        ("<p><br></p>&nbsp;<script>alert(1)</script>", "empty_text"),
        ("路" * (MAX_TEXT + 1), "text_too_long"),
        ("<p>" + "路" * MAX_TEXT + "</p>", None),
    ],
)
def test_text(channel: str, value: Any, reason: str | None) -> None:
    record = record_of(channel, **{TEXT_KEYS[channel]: value})
    if reason is None:
        assert len(parse(record).text) == MAX_TEXT
    else:
        rejected(record, reason)


@pytest.mark.parametrize("channel", CHANNELS)
@pytest.mark.parametrize(
    ("value", "reason"),
    [
        (DELETE, "missing_field"),
        ("", "missing_field"),
        ("yesterday", "invalid_field"),
        ("2024-13-01T10:00:00", "invalid_field"),
        ("2024-05-01T25:00:00+08:00", "invalid_field"),
        ("01/05/2024 10:00", "invalid_field"),
        ("1850-05-01T10:00:00", "invalid_field"),
        (99, "invalid_field"),
        (-1714528800, "invalid_field"),
        (True, "invalid_field"),
        ({"t": 1}, "invalid_field"),
    ],
)
def test_bad_times(channel: str, value: Any, reason: str) -> None:
    record = record_of(channel, **{TIME_KEYS[channel]: value})
    if channel == "mailbox":  # without a Date header, the gateway's time is used
        record["eml_b64"] = eml_b64(date=None)
    rejected(record, reason)


@pytest.mark.parametrize(
    ("channel", "changes"),
    [
        ("phone", {"caller_number": ["13976331317"]}),
        ("phone", {"call_duration_s": -5}),
        ("phone", {"call_duration_s": "312"}),
        ("phone", {"caller_name": 42}),
        ("phone", {"district": {"name": "龙华区"}}),
        ("web", {"is_public": "yes"}),
        ("web", {"id_card": "4601021990"}),
        ("web", {"id_card": 46010219900101123}),
        ("web", {"mobile": 13.9}),
        ("web", {"type": 3}),
        ("app", {"photos": "https://img.app.example.cn/a.jpg"}),
        ("app", {"photos": [1, 2]}),
        ("app", {"location": "龙华区金宇路"}),
        ("app", {"location": {"lat": "20.03", "lon": 110.3}}),
        ("app", {"location": {"lat": 20.03, "lon": 200.0}}),
        ("app", {"location": {"lat": float("nan"), "lon": 110.3}}),
        ("app", {"device": "iPhone"}),
        ("app", {"device": {"os": 17}}),
        ("app", {"user_id": ["u1"]}),
        ("wechat", {"source": "weibo"}),
        ("wechat", {"openid": 12345}),
        ("wechat", {"msg_type": ["text"]}),
        ("inquiry", {"images": "a.jpg"}),
        ("inquiry", {"is_public": 2}),
        ("grid", {"coordinates": [20.01, 110.34]}),
        ("grid", {"coordinates": {"lat": "x", "lon": 110.34}}),
        ("grid", {"coordinates": {"lat": True, "lon": 110.34}}),
        ("grid", {"coordinates": {"lat": 91, "lon": 110.34}}),
        ("grid", {"photos": {"1": "a.jpg"}}),
        ("grid", {"worker_id": {"id": 1}}),
    ],
)
def test_wrong_types(channel: str, changes: dict[str, Any]) -> None:
    rejected(record_of(channel, **changes), "invalid_field")


def test_wechat_message_without_text() -> None:
    record = record_of("wechat", msg_type="image", pic_url="https://mmbiz.qpic.cn/a.jpg")
    record.pop("content")
    rejected(record, "missing_text")
    rejected(record_of("wechat", msg_type="voice", content=DELETE), "missing_text")


def test_wechat_image_with_a_caption_keeps_the_picture() -> None:
    record = record_of("wechat", msg_type="image", pic_url="https://mmbiz.qpic.cn/a.jpg")
    ticket = parse(record)
    assert ticket.attachments == ["https://mmbiz.qpic.cn/a.jpg"]


def test_unexpected_errors_inside_a_parse_become_invalid_field(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(record: dict[str, Any], *, max_text_chars: int) -> Ticket:
        raise KeyError(f"{PHONE} {NAME}")

    monkeypatch.setattr(ADAPTERS["web"], "parse", broken)
    error = rejected(record_of("web"), "invalid_field")
    assert "KeyError" in error.detail


@pytest.mark.parametrize("channel", CHANNELS)
def test_fuzzed_records_never_escape(channel: str) -> None:
    """Any field replaced by any JSON value gives a ticket or a BadInputError."""
    values: list[Any] = [None, "", "x", 0, -1, 1.5, True, [], {}, ["x"], {"a": 1}, "<p>", "\x00"]
    for key in RECORDS[channel]:
        for value in values:
            record = record_of(channel, **{key: value})
            try:
                parse(record)
            except BadInputError as error:
                assert error.reason in DEADLETTER_REASONS
                for personal in PERSONAL:
                    assert personal not in error.detail


# ------------------------------------------------------------------------ mailbox MIME


def mail_ticket(raw: bytes, **envelope: Any) -> Ticket:
    record = record_of("mailbox", eml_b64=base64.b64encode(raw).decode(), **envelope)
    return parse(record)


def mail_rejected(raw: bytes, reason: str, **envelope: Any) -> BadInputError:
    record = record_of("mailbox", eml_b64=base64.b64encode(raw).decode(), **envelope)
    return rejected(record, reason)


def test_mail_utf8_html_quoted_printable() -> None:
    html = (
        "<html><head><title>无标题</title><style>p{margin:0}</style></head><body>"
        f"<p>路灯不亮已经两周了，&nbsp;请尽快修复。</p><p>电话：{PHONE}</p></body></html>"
    )
    raw = eml(
        subject="=?utf-8?Q?=E8=B7=AF=E7=81=AF=E4=B8=8D=E4=BA=AE?=",
        content_type='text/html; charset="utf-8"',
        encoding="quoted-printable",
        body=quopri.encodestring(html.encode()),
    )
    ticket = mail_ticket(raw)
    assert ticket.title == "路灯不亮"
    assert ticket.text == "路灯不亮已经两周了， 请尽快修复。\n电话：139****1317"
    assert ticket.contact.phones == [PHONE]
    assert ticket.extra["body_type"] == "html"
    assert ticket.extra["subject_charset"] == "utf-8"


def multipart(subtype: str, *parts: bytes) -> bytes:
    boundary = "----=_Part_0_12345"
    chunks = [f'Content-Type: multipart/{subtype}; boundary="{boundary}"\r\n\r\npreamble\r\n']
    chunks += [f"--{boundary}\r\n" + part.decode() + "\r\n" for part in parts]
    return ("".join(chunks) + f"--{boundary}--\r\n").encode()


def part(content_type: str, body: bytes, encoding: str = "base64", extra: str = "") -> bytes:
    payload = base64.encodebytes(body) if encoding == "base64" else body
    return (
        f"Content-Type: {content_type}\r\nContent-Transfer-Encoding: {encoding}\r\n{extra}\r\n"
    ).encode() + payload


def with_body(mime: bytes, **headers: Any) -> bytes:
    """A mail whose Content-Type header and body are ``mime`` (a part or a multipart)."""
    head, _, body = mime.partition(b"\r\n\r\n")
    content_type = head.decode().split("\r\n")[0].removeprefix("Content-Type: ")
    encoding_lines = [line for line in head.decode().split("\r\n")[1:] if line]
    raw = eml(content_type=content_type, encoding="", body=b"", **headers)
    top, _, _ = raw.partition(b"\r\n\r\n")
    extra = "".join(f"{line}\r\n" for line in encoding_lines).encode()
    return top + b"\r\n" + extra + b"\r\n" + body


def test_mail_multipart_alternative_prefers_plain() -> None:
    mime = multipart(
        "alternative",
        part('text/plain; charset="gbk"', "纯文本正文：井盖丢失。".encode("gb18030")),
        part("text/html; charset=utf-8", "<p>网页正文：井盖丢失。</p>".encode()),
    )
    ticket = mail_ticket(with_body(mime))
    assert ticket.text == "纯文本正文：井盖丢失。"
    assert ticket.extra["body_type"] == "plain"
    assert ticket.extra["body_charset"] == "gbk"
    assert ticket.extra["attachment_count"] == 0


def test_mail_multipart_mixed_with_html_and_a_photo() -> None:
    mime = multipart(
        "mixed",
        part("text/html; charset=utf-8", "<div>井盖丢失，见附件照片。</div>".encode()),
        part(
            "image/jpeg",
            b"\xff\xd8\xff\xe0fakejpeg\xff\xd9",
            extra='Content-Disposition: attachment; filename="1.jpg"\r\n',
        ),
        part(
            "text/plain; charset=utf-8",
            "附件里的文本".encode(),
            extra="Content-Disposition: attachment\r\n",
        ),
    )
    ticket = mail_ticket(with_body(mime))
    assert ticket.text == "井盖丢失，见附件照片。"
    assert ticket.extra["body_type"] == "html"
    assert ticket.extra["attachment_count"] == 2


def test_mail_gb2312_label_with_gbk_only_characters() -> None:
    text = "朱镕基路的路灯坏了，陈喆反映"  # 镕 and 喆 are not in GB2312
    raw = eml(
        subject=word("镕基路路灯", "gb2312"),
        content_type="text/plain; charset=gb2312",
        body=base64.encodebytes(text.encode("gb18030")),
    )
    ticket = mail_ticket(raw)
    assert ticket.title == "镕基路路灯"
    assert ticket.text == text


@pytest.mark.parametrize("codec", ["utf-8", "gb18030"])
def test_mail_raw_8bit_headers_and_undeclared_body(codec: str) -> None:
    raw = eml(
        subject="",
        sender="",
        content_type="text/plain",
        encoding="8bit",
        body="井盖丢失".encode(codec),
    )
    raw = raw.replace(b"Subject: \r\n", "Subject: 井盖丢失\r\n".encode(codec))
    raw = raw.replace(b"From:  <", f"From: {NAME} <".encode(codec))
    ticket = mail_ticket(raw)
    assert ticket.title == "井盖丢失"
    assert ticket.text == "井盖丢失"
    assert ticket.contact.name == NAME


def test_mail_unknown_charset_is_read_as_utf8() -> None:
    raw = eml(
        content_type="text/plain; charset=x-unheard-of", body=base64.encodebytes("井盖".encode())
    )
    assert mail_ticket(raw).text == "井盖"


def test_mail_without_message_id_date_or_display_name() -> None:
    raw = eml(message_id=None, date=None, sender="")
    ticket = mail_ticket(raw)
    assert ticket.source_id == "gw-000123"
    assert ticket.received_at == "2024-05-01T10:00:41+08:00"
    assert ticket.contact.name is None
    assert ticket.contact.email == f"{PHONE}@qq.com"


def test_mail_with_unparseable_date_uses_the_gateway_time() -> None:
    ticket = mail_ticket(eml(date="sometime last week"))
    assert ticket.received_at == "2024-05-01T10:00:41+08:00"
    mail_rejected(eml(date="sometime last week"), "invalid_field", received_at=DELETE)


def test_mail_eml_b64_may_be_wrapped() -> None:
    wrapped = base64.encodebytes(eml()).decode()
    assert "\n" in wrapped
    assert parse(record_of("mailbox", eml_b64=wrapped)).title == "金宇路夜市扰民严重"


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        # bytes that do not decode in the declared charset
        (eml(body=base64.encodebytes(b"\xff\xfe\xfd\x81\x20")), "undecodable"),
        (
            eml(
                content_type="text/plain; charset=utf-8",
                body=base64.encodebytes("路灯".encode("gb18030")),
            ),
            "undecodable",
        ),
        (eml(content_type="text/plain", encoding="8bit", body=b"\xff\xff\xff"), "undecodable"),
        (
            eml(subject="=?utf-8?B?" + base64.b64encode(b"\xd6\xd0\xff").decode() + "?="),
            "undecodable",
        ),
        # broken MIME
        (eml(body=b"@@@@ not base64 @@@@"), "invalid_field"),
        (eml(subject="=?utf-8?B?5Lit5?="), "invalid_field"),
        (
            eml(content_type="multipart/alternative", encoding="", body=b"no boundary at all"),
            "invalid_field",
        ),
        (
            eml(content_type='multipart/mixed; boundary="XYZ"', encoding="", body=b"no parts"),
            "invalid_field",
        ),
        (b"\x00\x01\x02 just garbage \xff", "invalid_field"),
        # no text
        (with_body(multipart("mixed", part("image/jpeg", b"\xff\xd8\xff\xd9"))), "missing_text"),
        (eml(body=b""), "empty_text"),
        (
            eml(content_type="text/html; charset=utf-8", body=base64.encodebytes(b"<p>&nbsp;</p>")),
            "empty_text",
        ),
    ],
)
def test_mail_rejected(raw: bytes, reason: str) -> None:
    mail_rejected(raw, reason)


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        (DELETE, "missing_field"),
        ("", "missing_field"),
        (12345, "invalid_field"),
        ("!!! not base64 !!!", "invalid_field"),
        ("路灯不亮", "invalid_field"),
        ("QUJD=", "invalid_field"),
    ],
)
def test_mail_bad_eml_b64(value: Any, reason: str) -> None:
    rejected(record_of("mailbox", eml_b64=value), reason)


def test_mail_date_minus_0000_is_utc_and_address_as_name_is_no_name() -> None:
    raw = eml(date="Wed, 01 May 2024 02:00:00 -0000", sender=f'"{PHONE}@qq.com"')
    ticket = mail_ticket(raw)
    assert ticket.received_at == "2024-05-01T10:00:00+08:00"
    assert ticket.contact.name is None
    assert ticket.contact.email == f"{PHONE}@qq.com"
