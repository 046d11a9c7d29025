"""Synthetic citizen requests: the offline training set of the default model and the
simulator's source of traffic."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, kw_only=True)
class SyntheticRequest:
    """One invented citizen request, before any channel gives it its raw shape.

    ``text`` is what the citizen says, in their own words, without a channel prefix such as
    "市民来电反映："; the channel adapters' ``render`` functions add those. It may mention the
    citizen's phone number (the cleaning must move it out again).
    """

    department: str  # catalogue code: the right answer
    request_type: str  # one of topics.schemas.REQUEST_TYPES
    title: str  # a short subject line, as a citizen would type it
    text: str
    district: str
    street: str
    community: str
    address: str
    citizen_name: str
    phone: str
    id_number: str | None = None
    urgent: bool = False
    category_hint: str | None = None  # what a grid worker would tick
    lat: float | None = None
    lon: float | None = None
