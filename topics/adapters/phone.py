"""Phone channel: the 12345 call centre's record of a call, typed by the intake agent.

Raw record::

    {"call_id", "call_started_at" (ISO 8601), "call_duration_s", "caller_number"
     (null or "anonymous" when withheld), "agent_id", "summary" (the agent's title),
     "transcript" ("市民来电反映：…"), "request_type" (the agent's choice), "caller_name",
     "district", "address"}
"""

from __future__ import annotations

import random
import re
from datetime import datetime
from typing import Any

from classifiers.synthetic import SyntheticRequest
from topics.adapters._common import (
    build_ticket,
    channel_request_type,
    contact_phone,
    invalid,
    opt_id,
    opt_str,
    parse_time,
    raw_text,
    render_time,
    required_id,
    written_phone,
)
from topics.schemas import SCHEMA_VERSION, Location, Ticket

CHANNEL = "phone"

# "来电人：张先生" in a transcript names the caller when the agent left caller_name empty.
_CALLER_IN_TRANSCRIPT = re.compile(
    r"来电人[:：]\s*([\u4e00-\u9fff]{1,4}?(?:先生|女士)?)(?:[，,。；）)\s]|$)"
)

# Request types an agent names in the transcript's prefix; the others are "市民来电反映：".
_OWN_PREFIX = ("咨询", "建议", "撤销", "表扬")


def parse(record: dict[str, Any], *, max_text_chars: int) -> Ticket:
    """Build the Ticket of one call record."""
    transcript = raw_text(record, "transcript")
    name = opt_str(record, "caller_name")
    if name is None and (found := _CALLER_IN_TRANSCRIPT.search(transcript)):
        name = found[1]
    duration = record.get("call_duration_s")
    if duration is not None and (
        isinstance(duration, bool) or not isinstance(duration, int) or duration < 0
    ):
        raise invalid("call_duration_s", "is not a number of seconds")
    return build_ticket(
        channel=CHANNEL,
        source=required_id(record, "call_id"),
        received=parse_time(record.get("call_started_at"), "call_started_at"),
        title=opt_str(record, "summary"),
        text=transcript,
        max_text_chars=max_text_chars,
        name=name,
        phones=[contact_phone(record, "caller_number")],
        location=Location(district=opt_str(record, "district"), address=opt_str(record, "address")),
        request_type=channel_request_type(record, "request_type"),
        extra={"agent_id": opt_id(record, "agent_id"), "call_duration_s": duration},
    )


def render(
    request: SyntheticRequest, *, source_id: str, when: datetime, rng: random.Random
) -> dict[str, Any]:
    """The call record an intake agent would produce for ``request``."""
    honorific = f"{request.citizen_name[0]}{rng.choice(('先生', '女士'))}"
    roll = rng.random()
    if roll < 0.1:
        caller_number = "anonymous"  # caller id withheld
    elif roll < 0.2:
        caller_number = f"0898-6{rng.randrange(10**7):07d}"  # a landline, callback elsewhere
    else:
        caller_number = request.phone
    verb = request.request_type if request.request_type in _OWN_PREFIX else "反映"
    transcript = f"市民来电{verb}：{request.text}"
    if caller_number != request.phone or rng.random() < 0.3:
        transcript += f"回拨电话：{written_phone(request.phone, rng)}。"
    if rng.random() < 0.3:
        transcript += f"来电人：{honorific}。"
    record: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "channel": CHANNEL,
        "call_id": source_id,
        "call_started_at": render_time(when),
        "call_duration_s": rng.randint(45, 900),
        "caller_number": caller_number,
        "agent_id": f"A{rng.randint(1001, 1200)}",
        "transcript": transcript,
        "request_type": request.request_type,
        "district": request.district,
        "address": request.address,
    }
    if rng.random() < 0.7:
        record["summary"] = request.title
    name_roll = rng.random()
    if name_roll < 0.5:
        record["caller_name"] = request.citizen_name
    elif name_roll < 0.8:
        record["caller_name"] = honorific
    return record
