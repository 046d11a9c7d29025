"""What the channel adapters share: field access that raises BadInputError with the right
reason code, times in Asia/Shanghai, and the step that turns a channel's raw text and
contact fields into a Ticket.

Error details name fields, never their values: values may be personal data.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from classifiers.cleaning import clean_text
from classifiers.pii import PiiSplit, mask_name, normalise_id_number, normalise_phone, split_pii
from classifiers.request_type import infer_request_type
from router.exceptions import BadInputError
from topics.schemas import REQUEST_TYPES, TZ, Contact, Location, Ticket, make_ticket_id

_YEARS = range(2000, 2101)  # received_at outside these years is a broken clock or a bad field


def missing(path: str) -> BadInputError:
    """The error for a required field that is absent, null or empty."""
    return BadInputError("missing_field", f"{path} is missing")


def invalid(path: str, what: str) -> BadInputError:
    """The error for a field with the wrong type or an impossible value."""
    return BadInputError("invalid_field", f"{path} {what}")


def required_id(record: dict[str, Any], key: str) -> str:
    """The channel's own id of the record (a non-empty string or an integer)."""
    value = record.get(key)
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if value is None or value == "":
        raise missing(key)
    if not isinstance(value, str):
        raise invalid(key, "is not a string")
    if not value.strip():
        raise missing(key)
    return value.strip()


def opt_id(mapping: dict[str, Any], key: str) -> str | None:
    """An optional identifier (agent, worker, user): a string or an integer."""
    value = mapping.get(key)
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return opt_str(mapping, key)


def opt_str(mapping: dict[str, Any], key: str, *, path: str | None = None) -> str | None:
    """An optional string field, stripped; None when absent, null or blank."""
    value = mapping.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise invalid(path or key, "is not a string")
    return value.strip() or None


def opt_bool(mapping: dict[str, Any], key: str) -> bool | None:
    """An optional flag: true/false or 1/0."""
    value = mapping.get(key)
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    raise invalid(key, "is not a boolean")


def opt_dict(mapping: dict[str, Any], key: str) -> dict[str, Any]:
    """An optional JSON object field; empty when absent or null."""
    value = mapping.get(key)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise invalid(key, "is not an object")
    return value


def opt_coordinate(mapping: dict[str, Any], key: str, *, path: str, limit: float) -> float | None:
    """An optional latitude (limit 90) or longitude (limit 180): a JSON number in range."""
    value = mapping.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise invalid(path, "is not a number")
    if not math.isfinite(value) or abs(value) > limit:
        raise invalid(path, "is out of range")
    return float(value)


def str_list(mapping: dict[str, Any], key: str) -> list[str]:
    """An optional list of strings (photo URLs), stripped, blanks dropped."""
    value = mapping.get(key)
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise invalid(key, "is not a list of strings")
    return [item.strip() for item in value if item.strip()]


def raw_text(mapping: dict[str, Any], key: str) -> str:
    """The request text field: missing_text when absent or null."""
    value = mapping.get(key)
    if value is None:
        raise BadInputError("missing_text", f"no {key} field")
    if not isinstance(value, str):
        raise invalid(key, "is not a string")
    return value


def contact_phone(mapping: dict[str, Any], key: str) -> str | None:
    """A channel's phone field, normalised; None when absent or withheld ("anonymous")."""
    value = mapping.get(key)
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if value is None:
        return None
    if not isinstance(value, str):
        raise invalid(key, "is not a string")
    return normalise_phone(value)


def contact_id_number(mapping: dict[str, Any], key: str) -> str | None:
    """A channel's ID-card field, normalised; invalid_field if it is not an ID number."""
    value = opt_str(mapping, key)
    if value is None:
        return None
    number = normalise_id_number(value)
    if number is None:
        raise invalid(key, "is not an ID-card number")
    return number


def channel_request_type(mapping: dict[str, Any], key: str) -> str | None:
    """The channel's own request type when it is one of REQUEST_TYPES, else None (infer)."""
    value = opt_str(mapping, key)
    return value if value in REQUEST_TYPES else None


def received_at(moment: datetime, path: str) -> str:
    """ISO 8601 in Asia/Shanghai (+08:00) for an aware or naive (= Asia/Shanghai) time."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=TZ)
    if moment.year not in _YEARS:
        raise invalid(path, "is not a plausible time")
    return moment.astimezone(TZ).isoformat(timespec="seconds")


def parse_time(value: Any, path: str) -> str:
    """A channel time as ISO 8601 +08:00. Accepts ISO 8601 strings (naive means
    Asia/Shanghai) and epoch seconds (or milliseconds, if above 10^11) as numbers or digit
    strings."""
    if value is None or value == "":
        raise missing(path)
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        value = int(value)
    if isinstance(value, int | float) and not isinstance(value, bool):
        seconds = value / 1000 if value > 1e11 else value
        if not (946_684_800 <= seconds < 4_133_980_800):  # 2000-01-01 .. 2101-01-01 UTC
            raise invalid(path, "is not a plausible epoch time")
        return received_at(datetime.fromtimestamp(seconds, TZ), path)
    if not isinstance(value, str):
        raise invalid(path, "is not a time")
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        raise invalid(path, "is not an ISO 8601 time") from None
    return received_at(moment, path)


def render_time(when: datetime) -> str:
    """``when`` as a channel would write it: ISO 8601 with +08:00 (naive means Shanghai)."""
    if when.tzinfo is None:
        when = when.replace(tzinfo=TZ)
    return when.astimezone(TZ).isoformat(timespec="seconds")


def written_phone(phone: str, rng: random.Random) -> str:
    """A mobile number the way people type it: plain, 3-4-4 with dashes or spaces, with +86,
    or in full-width digits."""
    if len(phone) != 11 or not phone.isdigit():
        return phone
    style = rng.randrange(6)
    if style == 1:
        return f"{phone[:3]}-{phone[3:7]}-{phone[7:]}"
    if style == 2:
        return f"{phone[:3]} {phone[3:7]} {phone[7:]}"
    if style == 3:
        return f"+86 {phone}"
    if style == 4:
        return phone.translate({code: code + 0xFEE0 for code in range(ord("0"), ord("9") + 1)})
    return phone


def photo_urls(
    rng: random.Random, *, host: str, when: datetime, most: int, least: int = 0
) -> list[str]:
    """``least`` to ``most`` plausible photo URLs on a channel's image host."""
    day = when.strftime("%Y/%m/%d")
    count = rng.randint(least, most)
    return [f"https://{host}/{day}/{rng.getrandbits(64):016x}.jpg" for _ in range(count)]


def _ordered(values: Iterable[str | None]) -> list[str]:
    return list(dict.fromkeys(value for value in values if value))


def build_ticket(
    *,
    channel: str,
    source: str,
    received: str,
    text: str,
    max_text_chars: int,
    title: str | None = None,
    name: str | None = None,
    name_is_nickname: bool = False,
    phones: Iterable[str | None] = (),
    id_numbers: Iterable[str | None] = (),
    email: str | None = None,
    openid: str | None = None,
    location: Location | None = None,
    request_type: str | None = None,
    attachments: list[str] | None = None,
    category_hint: str | None = None,
    extra: dict[str, Any] | None = None,
) -> Ticket:
    """Clean the text and title, move phone and ID numbers (and the known name) out of them
    into the Contact, pick the request type, and assemble the Ticket.

    ``name`` is masked where it appears in the text unless it is a nickname (WeChat, inquiry
    boards): nicknames are often ordinary words.

    Raises BadInputError ``empty_text`` or ``text_too_long`` for the cleaned text.
    """
    cleaned = clean_text(text)
    if not cleaned:
        raise BadInputError("empty_text", "the text is empty after cleaning")
    if len(cleaned) > max_text_chars:
        raise BadInputError(
            "text_too_long", f"{len(cleaned)} characters after cleaning, limit {max_text_chars}"
        )
    body = split_pii(cleaned)
    head = split_pii(clean_text(title)) if title else PiiSplit(text="")
    masked = None if name_is_nickname else name
    body_text = mask_name(body.text, masked)
    title_text = mask_name(head.text, masked)
    if request_type is None:
        request_type = infer_request_type(f"{body_text}\n{title_text}")
    return Ticket(
        ticket_id=make_ticket_id(channel, source),
        channel=channel,
        source_id=source,
        received_at=received,
        title=title_text,
        text=body_text,
        contact=Contact(
            name=name,
            phones=_ordered([*phones, *head.phones, *body.phones]),
            id_numbers=_ordered([*id_numbers, *head.id_numbers, *body.id_numbers]),
            email=email,
            openid=openid,
        ),
        location=location or Location(),
        request_type=request_type,
        attachments=attachments or [],
        category_hint=category_hint,
        extra={key: value for key, value in (extra or {}).items() if value is not None},
    )
