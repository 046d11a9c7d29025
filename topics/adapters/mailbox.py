"""Mailbox channel: e-mails to the mayor's mailbox, as the mail gateway hands them over.

Raw record::

    {"message_id" (the gateway's id), "received_at" (ISO 8601), "mailbox" (which address),
     "eml_b64" (base64 of the raw RFC 822 message)}

The message is parsed with the stdlib ``email`` package (compat32, which never gives up on
broken mail) and decoded here, so that charsets are under our control: GB2312 and GBK
labels are read as GB18030 (their superset, which is what Chinese mailers actually send),
a missing, ``us-ascii`` or unknown charset is tried as UTF-8 then GB18030, and bytes that do
not decode in a declared charset are ``undecodable``. The body is the first text/plain part
that is not an attachment, else the first text/html part (cleaned like any HTML).
The source id is the Message-ID header, else the gateway's message_id; the time is the
Date header, else the gateway's received_at.
"""

from __future__ import annotations

import base64
import binascii
import email
import html
import quopri
import random
from datetime import UTC, datetime, timedelta
from email.errors import HeaderParseError
from email.header import Header, decode_header
from email.message import Message
from email.utils import format_datetime, parseaddr, parsedate_to_datetime
from typing import Any

from classifiers.synthetic import SyntheticRequest
from router.exceptions import BadInputError
from topics.adapters._common import (
    build_ticket,
    invalid,
    missing,
    opt_str,
    parse_time,
    received_at,
    render_time,
    required_id,
    written_phone,
)
from topics.schemas import SCHEMA_VERSION, TZ, Ticket

CHANNEL = "mailbox"

_GB = ("gb2312", "gbk", "x-gbk", "cp936", "ms936", "euc-cn", "csgb2312", "gb_2312-80", "gb18030")
_UNDECLARED = ("us-ascii", "ascii", "unknown-8bit", "x-unknown")
_MAILBOX = "szxx@12345.example.gov.cn"


def _decode(data: bytes, charset: str | None, what: str) -> str:
    """Bytes in their declared charset (GB2312/GBK read as GB18030) as text; bytes without a
    usable charset label are tried as UTF-8, then GB18030."""
    label = (charset or "").strip().strip('"').lower()
    if label in _GB:
        label = "gb18030"
    if label and label not in _UNDECLARED:
        try:
            return data.decode(label)
        except LookupError:
            pass  # not a text encoding Python knows: read the bytes as undeclared
        except UnicodeDecodeError:
            raise BadInputError("undecodable", f"{what} is not valid {label[:40]}") from None
    for codec in ("utf-8", "gb18030"):
        try:
            return data.decode(codec)
        except UnicodeDecodeError:
            continue
    raise BadInputError("undecodable", f"{what} is neither UTF-8 nor GB18030")


def _words(value: str | Header, what: str) -> tuple[str, str | None]:
    """A header value decoded (RFC 2047 encoded words, or raw 8-bit bytes, which the parser
    hands over as a Header), and the charset its encoded words declare."""
    try:
        chunks = decode_header(value)
    except HeaderParseError:
        raise invalid(what, "has a broken encoded word") from None
    text = "".join(
        chunk
        if isinstance(chunk, str)
        else _decode(chunk, charset, what)
        if charset
        else chunk.decode("latin-1")  # the parser's ASCII text, handed back as bytes
        for chunk, charset in chunks
    )
    declared = (charset for _, charset in chunks if charset and charset != "unknown-8bit")
    return text.strip(), next(declared, None)


def _header(message: Message, name: str) -> tuple[str | None, str | None]:
    """A header of ``message`` decoded, and its declared charset; (None, None) if absent."""
    value = message.get(name)
    return (None, None) if value is None else _words(value, f"{name} header")


def _payload_bytes(part: Message) -> bytes:
    """The part's body after its Content-Transfer-Encoding; base64 is checked strictly (the
    parser would silently pass broken base64 through)."""
    encoding = str(part.get("content-transfer-encoding", "7bit")).strip().lower()
    if encoding != "base64":
        return part.get_payload(decode=True)
    compact = "".join(str(part.get_payload()).split())
    try:
        return base64.b64decode(compact + "=" * (-len(compact) % 4), validate=True)
    except (binascii.Error, ValueError):
        raise invalid("mail body", "is not valid base64") from None


def _body_part(message: Message) -> tuple[Message, int]:
    """The part holding the request text, and the number of other (attached) parts."""
    plain = rich = None
    others = 0
    for part in message.walk():
        if part.get_content_maintype() == "multipart":
            if not part.is_multipart():
                raise invalid("message", "is a multipart without its boundary")
            continue
        inline = part.get_content_disposition() != "attachment"
        kind = part.get_content_type()
        if inline and kind == "text/plain" and plain is None:
            plain = part
        elif inline and kind == "text/html" and rich is None:
            rich = part
        else:
            others += 1
    body = plain or rich
    if body is None:
        raise BadInputError("missing_text", "the mail has no text/plain or text/html part")
    return body, others


def _mail_time(message: Message, record: dict[str, Any]) -> str:
    """The Date header (``-0000`` means UTC), else the gateway's received_at."""
    date = message.get("Date")
    if date is not None:
        try:
            moment = parsedate_to_datetime(str(date))
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=UTC)
            return received_at(moment, "Date header")
        except (TypeError, ValueError, BadInputError):
            if record.get("received_at") is None:
                raise invalid("Date header", "is not an RFC 2822 date") from None
    return parse_time(record.get("received_at"), "received_at")


def parse(record: dict[str, Any], *, max_text_chars: int) -> Ticket:
    """Build the Ticket of one e-mail."""
    encoded = record.get("eml_b64")
    if encoded is None or encoded == "":
        raise missing("eml_b64")
    if not isinstance(encoded, str):
        raise invalid("eml_b64", "is not a string")
    try:
        raw = base64.b64decode("".join(encoded.split()), validate=True)
    except (binascii.Error, ValueError):
        raise invalid("eml_b64", "is not valid base64") from None
    message = email.message_from_bytes(raw)
    if not message.keys():
        raise invalid("eml_b64", "is not an RFC 822 message")
    body, attachments = _body_part(message)
    body_charset = body.get_content_charset()
    text = _decode(_payload_bytes(body), body_charset, "mail body")
    subject, subject_charset = _header(message, "Subject")
    message_id = (_header(message, "Message-ID")[0] or "").strip("<> \t")
    name, address = parseaddr(_header(message, "From")[0] or "")
    name = name.strip() if "@" not in name else ""  # some mailers repeat the address
    return build_ticket(
        channel=CHANNEL,
        source=message_id or required_id(record, "message_id"),
        received=_mail_time(message, record),
        title=subject,
        text=text,
        max_text_chars=max_text_chars,
        name=name or None,
        email=address if "@" in address else None,
        extra={
            "mailbox": opt_str(record, "mailbox"),
            "subject_charset": subject_charset,
            "body_charset": body_charset,
            "body_type": body.get_content_subtype(),
            "attachment_count": attachments,
        },
    )


_MAILERS = (
    "Foxmail 7.2.25.228[cn]",
    "Coremail Webmail Server Version XT5.0.14",
    "iPhone Mail (21F90)",
    "Microsoft Outlook 16.0",
)
_DOMAINS = ("qq.com", "163.com", "126.com", "sina.com", "foxmail.com", "139.com")
_GB_LABELS = ("GB18030", "gbk", "gb2312")  # what Chinese mailers put on GB18030 bytes


def _encoded_words(text: str, label: str) -> str:
    """``text`` as RFC 2047 B-encoded words of at most 15 characters, folded."""
    codec = "gb18030" if label.lower() in _GB else label
    return "\r\n ".join(
        f"=?{label}?B?{base64.b64encode(text[i : i + 15].encode(codec)).decode()}?="
        for i in range(0, len(text), 15)
    )


def _part(content_type: str, payload: bytes, encoding: str, extra: str = "") -> bytes:
    body = base64.encodebytes(payload) if encoding == "base64" else quopri.encodestring(payload)
    headers = f"Content-Type: {content_type}\r\nContent-Transfer-Encoding: {encoding}\r\n{extra}"
    return headers.encode() + b"\r\n" + body.replace(b"\n", b"\r\n")


def _multipart(subtype: str, parts: list[bytes], rng: random.Random) -> bytes:
    boundary = f"----=_Part_{rng.getrandbits(48):012x}"
    chunks = [f'Content-Type: multipart/{subtype};\r\n\tboundary="{boundary}"\r\n\r\n'.encode()]
    chunks.append(b"This is a multi-part message in MIME format.\r\n")
    for part in parts:
        chunks.append(f"\r\n--{boundary}\r\n".encode() + part)
    chunks.append(f"\r\n--{boundary}--\r\n".encode())
    return b"".join(chunks)


def _html(text: str) -> bytes:
    paragraphs = "".join(f"<p>{html.escape(line) or '&nbsp;'}</p>\r\n" for line in text.split("\n"))
    return (
        '<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8">'
        "<style>p{margin:0;font-family:微软雅黑}</style></head>\r\n"
        f"<body>\r\n{paragraphs}</body></html>\r\n"
    ).encode()


def render(
    request: SyntheticRequest, *, source_id: str, when: datetime, rng: random.Random
) -> dict[str, Any]:
    """The gateway record of an e-mail a citizen would write for ``request``: GB18030 plain
    text, UTF-8 HTML, or multipart/alternative (sometimes with a photo attached)."""
    moment = when if when.tzinfo else when.replace(tzinfo=TZ)
    lines = ["尊敬的市长：", "您好！", request.text, ""]
    if rng.random() < 0.6:
        lines.append(f"联系电话：{written_phone(request.phone, rng)}")
    if request.id_number and rng.random() < 0.3:
        lines.append(f"身份证号：{request.id_number}")
    lines += [request.citizen_name, moment.strftime("%Y年%m月%d日")]
    text = "\n".join(lines)
    style = rng.randrange(3)
    label = rng.choice(_GB_LABELS) if style != 1 else "UTF-8"
    if style == 0:
        body = _part(f'text/plain; charset="{label}"', text.encode("gb18030"), "base64")
    elif style == 1:
        body = _part("text/html; charset=utf-8", _html(text), "quoted-printable")
    else:
        body = _multipart(
            "alternative",
            [
                _part(f'text/plain; charset="{label}"', text.encode("gb18030"), "base64"),
                _part("text/html; charset=utf-8", _html(text), "base64"),
            ],
            rng,
        )
        if rng.random() < 0.4:
            photo = _part(
                'image/jpeg; name="=?UTF-8?B?546w5Zy654Wn54mHLmpwZw==?="',
                b"\xff\xd8\xff\xe0" + rng.randbytes(64) + b"\xff\xd9",
                "base64",
                'Content-Disposition: attachment; filename="IMG_0001.jpg"\r\n',
            )
            body = _multipart("mixed", [body, photo], rng)
    local = f"{rng.getrandbits(30)}" if rng.random() < 0.5 else f"citizen{rng.randint(1, 9999)}"
    headers = (
        f"From: {_encoded_words(request.citizen_name, label)}"
        f" <{local}@{rng.choice(_DOMAINS)}>\r\n"
        f"To: {_encoded_words('市长信箱', label)} <{_MAILBOX}>\r\n"
        f"Subject: {_encoded_words(request.title, label)}\r\n"
        f"Date: {format_datetime(moment.astimezone(TZ))}\r\n"
        f"Message-ID: <{source_id}>\r\n"
        f"X-Mailer: {rng.choice(_MAILERS)}\r\n"
        "MIME-Version: 1.0\r\n"
    )
    return {
        "schema_version": SCHEMA_VERSION,
        "channel": CHANNEL,
        "message_id": source_id,
        "received_at": render_time(moment + timedelta(seconds=rng.randint(1, 90))),
        "mailbox": _MAILBOX,
        "eml_b64": base64.b64encode(headers.encode() + body).decode(),
    }
