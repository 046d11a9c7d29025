"""What the console shows of a ticket: plain dicts for the templates and the JSON API.

Contact details are masked here for every role that does not call citizens, so nothing
downstream (templates, JSON) can show them by mistake.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from router.console.actions import CALLING_ROLES
from router.departments import TRIAGE, Catalogue
from router.readmodel import Listed
from topics.schemas import TZ

GREEN, YELLOW, RED, PAUSED = "green", "yellow", "red", "paused"
CLOCK_NAMES = {"sign": "签收 sign", "contact": "联系 contact", "resolve": "办结 resolve"}
CLOCK_NAMES["callback"] = "回访 callback"
_CLOCK_ORDER = {name: i for i, name in enumerate(CLOCK_NAMES)}
_PHONE = re.compile(r"(\d{3})\d+(\d{4})")


def mask_phone(phone: str) -> str:
    """``13812345678`` → ``138****5678``; short numbers keep only their last two digits."""
    digits = re.sub(r"\D", "", phone)
    if len(digits) >= 8:
        return _PHONE.sub(r"\1****\2", digits)
    return "*" * max(len(digits) - 2, 0) + digits[-2:]


def mask_name(name: str) -> str:
    """``张三丰`` → ``张**``."""
    return name[:1] + "*" * (len(name) - 1) if name else name


def local(ts: float | None) -> str:
    """A POSIX time as the centre's local time, ``2026-11-23 14:05``."""
    if ts is None:
        return ""
    return datetime.fromtimestamp(ts, TZ).strftime("%Y-%m-%d %H:%M")


def local_iso(iso: str | None) -> str:
    """An ISO 8601 time as the centre's local time."""
    return local(datetime.fromisoformat(iso).timestamp()) if iso else ""


def clock_view(name: str, clock: Mapping, now: float) -> dict[str, Any]:
    """One clock: its deadline, warning time and colour (green, yellow at the warning,
    red when breached; paused clocks have no deadline)."""
    live = clock["ended"] is None
    if not live:
        colour = RED if clock["outcome"] == "breached" else GREEN
    elif clock["deadline"] is None:
        colour = PAUSED
    elif clock["breached"] or now >= clock["deadline"]:
        colour = RED
    elif clock["warned"] or (clock["warn_at"] is not None and now >= clock["warn_at"]):
        colour = YELLOW
    else:
        colour = GREEN
    return {
        "name": name,
        "label": CLOCK_NAMES.get(name, name),
        "live": live,
        "deadline": clock["deadline"],
        "warn_at": clock["warn_at"],
        "deadline_text": local(clock["deadline"]),
        "ended_text": local(clock["ended"]),
        "outcome": clock["outcome"] or "",
        "colour": colour,
    }


def next_clock(state: Mapping, now: float) -> dict[str, Any] | None:
    """The live clock due soonest (a paused one if none is running), for list rows."""
    views = [clock_view(n, c, now) for n, c in state["clocks"].items() if c["ended"] is None]
    running = [v for v in views if v["deadline"] is not None]
    if running:
        return min(running, key=lambda v: v["deadline"])
    return views[0] if views else None


def department_name(catalogue: Catalogue, code: str | None) -> str:
    """A department's display name (the dispatch desk for ``TRIAGE``)."""
    if not code:
        return ""
    if code == TRIAGE:
        return "派单台 dispatch desk"
    return catalogue[code].name if code in catalogue else code


def contact_view(contact: Mapping, role: str) -> dict[str, Any]:
    """The citizen's contact: in full for the roles that call them, masked otherwise."""
    full = role in CALLING_ROLES
    name = contact.get("name") or ""
    phones = list(contact.get("phones") or [])
    return {
        "name": name if full else mask_name(name),
        "phones": phones if full else [mask_phone(p) for p in phones],
        "masked": not full,
    }


def row(
    item: Listed,
    catalogue: Catalogue,
    *,
    now: float,
    holder: str | None = None,
) -> dict[str, Any]:
    """One ticket in a list (no contact details)."""
    ticket, state = item.ticket, item.state
    routing = ticket.get("routing") or {}
    text = ticket.get("text") or ""
    return {
        "ticket_id": item.ticket_id,
        "title": ticket.get("title") or text[:30],
        "excerpt": text[:120] + ("…" if len(text) > 120 else ""),
        "channel": ticket.get("channel", ""),
        "received": local_iso(ticket.get("received_at")),
        "request_type": ticket.get("request_type", ""),
        "urgency": ticket.get("urgency", ""),
        "district": (ticket.get("location") or {}).get("district") or "",
        "status": state["status"],
        "department": state["department"],
        "department_name": department_name(catalogue, state["department"]),
        "clock": next_clock(state, now),
        "top": [
            {"code": code, "name": department_name(catalogue, code), "confidence": conf}
            for code, conf in routing.get("top") or []
        ],
        "holder": holder,
        "breaches": state["breaches"],
        "escalated": bool(state["escalated"] or state["escalations"]),
        "extension_requested": local(state["extension_requested"]),
        "paused": state["paused"],
    }


def rows(
    items: Iterable[Listed], catalogue: Catalogue, *, holders: Mapping[str, str] | None = None
) -> list[dict[str, Any]]:
    """List rows for ``items`` at the current time."""
    now = time.time()
    holders = holders or {}
    return [row(i, catalogue, now=now, holder=holders.get(i.ticket_id)) for i in items]


def ticket_view(
    ticket: Mapping, state: Mapping, catalogue: Catalogue, *, role: str
) -> dict[str, Any]:
    """The whole ticket as an agent of ``role`` sees it."""
    now = time.time()
    routing = ticket.get("routing") or {}
    location = ticket.get("location") or {}
    return {
        "ticket_id": ticket["ticket_id"],
        "title": ticket.get("title") or "",
        "text": ticket.get("text") or "",
        "channel": ticket.get("channel", ""),
        "source_id": ticket.get("source_id", ""),
        "received": local_iso(ticket.get("received_at")),
        "request_type": ticket.get("request_type", ""),
        "urgency": ticket.get("urgency", ""),
        "location": {k: v for k, v in location.items() if v not in (None, "")},
        "contact": contact_view(ticket.get("contact") or {}, role),
        "routing": {
            "department": routing.get("department", ""),
            "method": routing.get("method", ""),
            "confidence": routing.get("confidence"),
            "model_version": routing.get("model_version", ""),
            "top": [
                {"code": code, "name": department_name(catalogue, code), "confidence": conf}
                for code, conf in routing.get("top") or []
            ],
        },
        "status": state["status"],
        "department": state["department"],
        "department_name": department_name(catalogue, state["department"]),
        "clocks": [
            clock_view(n, c, now)
            for n, c in sorted(state["clocks"].items(), key=lambda item: _CLOCK_ORDER[item[0]])
        ],
        "paused": state["paused"],
        "breaches": state["breaches"],
        "urged": state["urged"],
        "escalated": state["escalated"],
        "reopened": state["reopened"],
        "rating": state["rating"],
        "duplicate_of": state["duplicate_of"],
        "extension_requested": local(state["extension_requested"]),
        "updated": local(state["updated_at"]),
    }


def history_view(entries: Iterable[Mapping]) -> list[dict[str, Any]]:
    """The audit trail for display: time, what, who, and the details."""
    shown = []
    skip = {"type", "at", "actor", "role", "event_id", "ticket_id", "alert_id"}
    for entry in entries:
        details = {k: v for k, v in entry.items() if k not in skip and v not in (None, "")}
        shown.append(
            {
                "at": local_iso(entry.get("at")),
                "type": entry.get("type", ""),
                "actor": entry.get("actor", ""),
                "role": entry.get("role", ""),
                "refused": entry.get("refused"),
                "details": details,
            }
        )
    return shown
