"""Inquiry channel: posts on the online inquiry boards (网络问政: mayor's mailbox page,
inquiry platform, department boards).

Raw record::

    {"post_id", "board", "title", "body_html", "is_public", "posted_at" (ISO 8601),
     "author" (the poster's nickname), "phone" (optional), "area" (区域, optional),
     "type" (留言类型, optional), "images": [urls]}
"""

from __future__ import annotations

import html
import random
from datetime import datetime
from typing import Any

from classifiers.synthetic import SyntheticRequest
from topics.adapters._common import (
    build_ticket,
    channel_request_type,
    contact_phone,
    opt_bool,
    opt_str,
    parse_time,
    photo_urls,
    raw_text,
    render_time,
    required_id,
    str_list,
    written_phone,
)
from topics.schemas import SCHEMA_VERSION, TZ, Location, Ticket

CHANNEL = "inquiry"
BOARDS = ("市长信箱", "问政平台", "部门留言板", "区长信箱")
_NICKNAMES = ("网友", "热心市民", "椰城居民", "匿名用户")


def parse(record: dict[str, Any], *, max_text_chars: int) -> Ticket:
    """Build the Ticket of one board post."""
    return build_ticket(
        channel=CHANNEL,
        source=required_id(record, "post_id"),
        received=parse_time(record.get("posted_at"), "posted_at"),
        title=opt_str(record, "title"),
        text=raw_text(record, "body_html"),
        max_text_chars=max_text_chars,
        name=opt_str(record, "author"),
        name_is_nickname=True,
        phones=[contact_phone(record, "phone")],
        location=Location(district=opt_str(record, "area")),
        request_type=channel_request_type(record, "type"),
        attachments=str_list(record, "images"),
        extra={"board": opt_str(record, "board"), "is_public": opt_bool(record, "is_public")},
    )


def render(
    request: SyntheticRequest, *, source_id: str, when: datetime, rng: random.Random
) -> dict[str, Any]:
    """The board post a citizen would write for ``request``."""
    paragraphs = [f"<p>{html.escape(line)}</p>" for line in request.text.split("\n")]
    if rng.random() < 0.3:
        paragraphs.append(f"<p>联系方式：{written_phone(request.phone, rng)}</p>")
    body = "\n".join(paragraphs)
    if rng.random() < 0.4:  # pasted from a word processor
        body = f'<div style="font-size:14px">&nbsp;&nbsp;&nbsp;&nbsp;{body}<br/></div>'
    moment = when if when.tzinfo else when.replace(tzinfo=TZ)
    record: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "channel": CHANNEL,
        "post_id": source_id,
        "board": rng.choice(BOARDS),
        "title": request.title,
        "body_html": body,
        "is_public": rng.random() < 0.7,
        "posted_at": render_time(moment),
        "author": rng.choice(("网友", "热心市民", "椰城居民", "匿名用户"))
        + str(rng.randint(1, 9999)),
        "area": request.district,
        "images": photo_urls(rng, host="img.wenzheng.example.gov.cn", when=moment, most=2),
    }
    if rng.random() < 0.5:
        record["phone"] = request.phone
    if rng.random() < 0.6:
        record["type"] = request.request_type
    return record
