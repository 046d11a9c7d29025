"""WeChat channel: messages to the hotline's official account (from its XML push) or its
mini program.

Raw record::

    {"source": "official_account" | "mini_program", "msg_id", "openid", "to_user" (the
     account), "create_time" (epoch seconds), "msg_type" ("text", "voice" with
     "recognition", "image" with "pic_url", ...), "content", "nickname"}

A message without text (an image, a bare voice message without recognition) has no
request to route: ``missing_text``.
"""

from __future__ import annotations

import random
from datetime import datetime
from typing import Any

from classifiers.synthetic import SyntheticRequest
from topics.adapters._common import (
    build_ticket,
    invalid,
    opt_str,
    parse_time,
    raw_text,
    required_id,
    written_phone,
)
from topics.schemas import SCHEMA_VERSION, TZ, Ticket

CHANNEL = "wechat"
SOURCES = ("official_account", "mini_program")

_OPENID_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


def parse(record: dict[str, Any], *, max_text_chars: int) -> Ticket:
    """Build the Ticket of one WeChat message."""
    source = opt_str(record, "source")
    if source is not None and source not in SOURCES:
        raise invalid("source", "is not official_account or mini_program")
    msg_type = opt_str(record, "msg_type") or "text"
    text_field = "recognition" if msg_type == "voice" and "recognition" in record else "content"
    pic_url = opt_str(record, "pic_url")
    return build_ticket(
        channel=CHANNEL,
        source=required_id(record, "msg_id"),
        received=parse_time(record.get("create_time"), "create_time"),
        text=raw_text(record, text_field),
        max_text_chars=max_text_chars,
        name=opt_str(record, "nickname"),
        name_is_nickname=True,
        openid=opt_str(record, "openid"),
        attachments=[pic_url] if pic_url else [],
        extra={"source": source, "msg_type": msg_type, "account": opt_str(record, "to_user")},
    )


def render(
    request: SyntheticRequest, *, source_id: str, when: datetime, rng: random.Random
) -> dict[str, Any]:
    """The message record the WeChat gateway would produce for ``request``."""
    source = rng.choice(SOURCES)
    content = request.text
    if rng.random() < 0.5:
        content += f" 我的电话{written_phone(request.phone, rng)}"
    moment = when if when.tzinfo else when.replace(tzinfo=TZ)
    record: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "channel": CHANNEL,
        "source": source,
        "msg_id": source_id,
        "openid": "o" + "".join(rng.choice(_OPENID_CHARS) for _ in range(27)),
        "to_user": "gh_3f2a9c1d7e65" if source == "official_account" else "wx8c1f0e2d4b6a7935",
        "create_time": int(moment.timestamp()),
        "msg_type": "text",
        "content": content,
    }
    if rng.random() < 0.5:
        record["nickname"] = rng.choice(("阳光", "小蜜蜂", "海风", "A清风徐来", "椰城市民"))
    return record
