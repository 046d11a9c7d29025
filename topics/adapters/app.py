"""App channel: a submission from the city's citizen app.

Raw record::

    {"msg_id", "user_id", "created_at" (ISO 8601, the app server writes UTC),
     "device": {"os", "os_version", "app_version", "model"}, "category" (诉求类型, optional),
     "content", "photos": [urls], "location": {"lat", "lon", "address", "district"},
     "contact_phone"}

The user id is the citizen's account: it goes to ``Contact.openid``, not to ``extra``.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime
from typing import Any

from classifiers.synthetic import SyntheticRequest
from topics.adapters._common import (
    build_ticket,
    channel_request_type,
    contact_phone,
    opt_coordinate,
    opt_dict,
    opt_id,
    opt_str,
    parse_time,
    photo_urls,
    raw_text,
    required_id,
    str_list,
)
from topics.schemas import SCHEMA_VERSION, TZ, Location, Ticket

CHANNEL = "app"

_DEVICE_FIELDS = ("os", "os_version", "app_version", "model")
_DEVICES = (
    ("iOS", ("17.5.1", "16.7.8", "18.1"), ("iPhone15,2", "iPhone14,5", "iPhone16,1")),
    ("Android", ("14", "13", "12"), ("HUAWEI ALN-AL10", "Xiaomi 23127PN0CC", "OPPO PHW110")),
    ("HarmonyOS", ("4.2.0", "4.0.0"), ("HUAWEI ALN-AL80", "HUAWEI NOH-AN00")),
)


def parse(record: dict[str, Any], *, max_text_chars: int) -> Ticket:
    """Build the Ticket of one app submission."""
    device = opt_dict(record, "device")
    place = opt_dict(record, "location")
    return build_ticket(
        channel=CHANNEL,
        source=required_id(record, "msg_id"),
        received=parse_time(record.get("created_at"), "created_at"),
        text=raw_text(record, "content"),
        max_text_chars=max_text_chars,
        phones=[contact_phone(record, "contact_phone")],
        openid=opt_id(record, "user_id"),
        location=Location(
            district=opt_str(place, "district", path="location.district"),
            address=opt_str(place, "address", path="location.address"),
            lat=opt_coordinate(place, "lat", path="location.lat", limit=90),
            lon=opt_coordinate(place, "lon", path="location.lon", limit=180),
        ),
        request_type=channel_request_type(record, "category"),
        attachments=str_list(record, "photos"),
        extra={
            "device": {
                key: value
                for key in _DEVICE_FIELDS
                if (value := opt_str(device, key, path=f"device.{key}")) is not None
            }
            or None
        },
    )


def render(
    request: SyntheticRequest, *, source_id: str, when: datetime, rng: random.Random
) -> dict[str, Any]:
    """The JSON the city app would send for ``request``."""
    os_name, versions, models = rng.choice(_DEVICES)
    moment = when if when.tzinfo else when.replace(tzinfo=TZ)
    place: dict[str, Any] = {"address": request.address, "district": request.district}
    if request.lat is not None and request.lon is not None:
        place.update(lat=request.lat, lon=request.lon)
    record: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "channel": CHANNEL,
        "msg_id": source_id,
        "user_id": f"u{rng.getrandbits(40):010x}",
        "created_at": moment.astimezone(UTC).isoformat(timespec="milliseconds"),
        "device": {
            "os": os_name,
            "os_version": rng.choice(versions),
            "app_version": f"3.{rng.randint(0, 9)}.{rng.randint(0, 20)}",
            "model": rng.choice(models),
        },
        "content": request.text,
        "photos": photo_urls(rng, host="img.app.12345.example.cn", when=moment, most=3),
        "location": place,
        "contact_phone": request.phone,
    }
    if rng.random() < 0.6:
        record["category"] = request.request_type
    return record
