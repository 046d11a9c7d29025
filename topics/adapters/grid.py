"""Grid channel: reports from grid workers (网格员) patrolling their grid with a handset.

Raw record::

    {"report_id", "grid_code" ("DH-03-12"), "worker_id", "reported_at" (ISO 8601),
     "coordinates": {"lat", "lon"}, "category_hint" (what the worker ticked),
     "description", "photos": [urls], "district", "street", "community", "address"}
"""

from __future__ import annotations

import random
from datetime import datetime
from typing import Any

from classifiers.synthetic import SyntheticRequest
from topics.adapters._common import (
    build_ticket,
    opt_coordinate,
    opt_dict,
    opt_id,
    opt_str,
    parse_time,
    photo_urls,
    raw_text,
    render_time,
    required_id,
    str_list,
)
from topics.schemas import SCHEMA_VERSION, TZ, Location, Ticket

CHANNEL = "grid"

_GRID_PREFIXES = ("LH", "MX", "XY", "QS", "DH")
_CATEGORIES = ("市容环境", "道路交通", "违法建设", "噪音扰民", "公共设施", "安全隐患", "其他")


def parse(record: dict[str, Any], *, max_text_chars: int) -> Ticket:
    """Build the Ticket of one grid report."""
    coordinates = opt_dict(record, "coordinates")
    return build_ticket(
        channel=CHANNEL,
        source=required_id(record, "report_id"),
        received=parse_time(record.get("reported_at"), "reported_at"),
        text=raw_text(record, "description"),
        max_text_chars=max_text_chars,
        location=Location(
            district=opt_str(record, "district"),
            street=opt_str(record, "street"),
            community=opt_str(record, "community"),
            grid_code=opt_str(record, "grid_code"),
            address=opt_str(record, "address"),
            lat=opt_coordinate(coordinates, "lat", path="coordinates.lat", limit=90),
            lon=opt_coordinate(coordinates, "lon", path="coordinates.lon", limit=180),
        ),
        attachments=str_list(record, "photos"),
        category_hint=opt_str(record, "category_hint"),
        extra={"worker_id": opt_id(record, "worker_id")},
    )


def render(
    request: SyntheticRequest, *, source_id: str, when: datetime, rng: random.Random
) -> dict[str, Any]:
    """The report a grid worker would file for ``request``."""
    moment = when if when.tzinfo else when.replace(tzinfo=TZ)
    lat = request.lat if request.lat is not None else round(20.02 + rng.uniform(-0.08, 0.08), 6)
    lon = request.lon if request.lon is not None else round(110.33 + rng.uniform(-0.12, 0.12), 6)
    prefix = rng.choice(("", "巡查发现：", "群众反映："))
    grid_code = f"{rng.choice(_GRID_PREFIXES)}-{rng.randint(1, 12):02d}-{rng.randint(1, 30):02d}"
    return {
        "schema_version": SCHEMA_VERSION,
        "channel": CHANNEL,
        "report_id": source_id,
        "grid_code": grid_code,
        "worker_id": f"W{rng.randint(10000, 99999)}",
        "reported_at": render_time(moment),
        "coordinates": {"lat": lat, "lon": lon},
        "category_hint": request.category_hint or rng.choice(_CATEGORIES),
        "description": f"{prefix}{request.text}",
        "photos": photo_urls(rng, host="img.grid.example.gov.cn", when=moment, least=1, most=3),
        "district": request.district,
        "street": request.street,
        "community": request.community,
        "address": request.address,
    }
