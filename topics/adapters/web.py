"""Web channel: the hotline portal's request form.

Raw record::

    {"form_id", "submitted_at" (ISO 8601, often without offset: Shanghai time), "title",
     "content" (plain or rich-text HTML), "type" (诉求类型), "name", "mobile", "id_card",
     "email", "district", "address", "is_public"}
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
    contact_id_number,
    contact_phone,
    opt_bool,
    opt_str,
    parse_time,
    raw_text,
    render_time,
    required_id,
    written_phone,
)
from topics.schemas import SCHEMA_VERSION, TZ, Location, Ticket

CHANNEL = "web"


def parse(record: dict[str, Any], *, max_text_chars: int) -> Ticket:
    """Build the Ticket of one portal form."""
    return build_ticket(
        channel=CHANNEL,
        source=required_id(record, "form_id"),
        received=parse_time(record.get("submitted_at"), "submitted_at"),
        title=opt_str(record, "title"),
        text=raw_text(record, "content"),
        max_text_chars=max_text_chars,
        name=opt_str(record, "name"),
        phones=[contact_phone(record, "mobile")],
        id_numbers=[contact_id_number(record, "id_card")],
        email=opt_str(record, "email"),
        location=Location(district=opt_str(record, "district"), address=opt_str(record, "address")),
        request_type=channel_request_type(record, "type"),
        extra={"is_public": opt_bool(record, "is_public")},
    )


def render(
    request: SyntheticRequest, *, source_id: str, when: datetime, rng: random.Random
) -> dict[str, Any]:
    """The portal form a citizen would submit for ``request``."""
    content = request.text
    if rng.random() < 0.3:
        content += f"联系电话：{written_phone(request.phone, rng)}"
    if rng.random() < 0.3:  # the portal's rich-text editor
        paragraphs = "".join(f"<p>{html.escape(line)}</p>" for line in content.split("\n"))
        content = f'<div class="editor">{paragraphs.replace("，", "，&nbsp;", 1)}</div>'
    local = when.astimezone(TZ) if when.tzinfo else when
    record: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "channel": CHANNEL,
        "form_id": source_id,
        # the portal writes local time, with or without its offset
        "submitted_at": (
            local.strftime("%Y-%m-%d %H:%M:%S") if rng.random() < 0.5 else render_time(when)
        ),
        "title": request.title,
        "content": content,
        "type": request.request_type,
        "name": request.citizen_name,
        "mobile": request.phone,
        "district": request.district,
        "address": request.address,
        "is_public": rng.random() < 0.4,
    }
    if request.id_number and rng.random() < 0.5:
        record["id_card"] = request.id_number
    return record
