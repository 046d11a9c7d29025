"""Personal data in request texts: phone and ID-card numbers found, split out and masked.

Patterns expect text after :func:`classifiers.cleaning.clean_text` (full-width digits and
dashes already folded to ASCII). Every number is anchored: a digit (or a digit and a
decimal point, as in amounts) just before or after it means it is part of something
longer, such as a 14-digit work-order number, and it is left alone; so is a number
followed by a unit of money or measure (``元``, ``万元``, ``米`` …).

- mobile: ``1[3-9]`` + 9 digits, optionally grouped 3-4-4 by spaces or dashes, optionally
  prefixed by ``+86``, ``0086`` or ``86``; masked ``138****5678``.
- landline with area code: ``010``/``02x`` + 8 digits or ``0xxx`` + 7-8 digits, with or
  without a dash, space or parentheses around the area code; masked ``0898-****3456``.
- local landline without area code (7-8 digits), only right after a keyword such as
  ``电话``/``座机``/``联系方式``; masked ``****1516``.
- ID card: 18 digits (the last may be ``X``) or the old 15 digits, with a plausible
  region, birth month and day; masked ``4601**********123X``.

Lists hold normalised values (digits only, country code dropped, ``x`` upper-cased),
deduplicated in order of appearance.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from classifiers.cleaning import fold_width

_BEFORE = r"(?<!\d)(?<!\d\.)"
_AFTER = r"(?!\d|\.\d|\s?(?:元|块钱|万元|亿|%|平方|米|公里|千克|公斤|吨|kg|km))"
_SEP = r"[ \-\u2010-\u2015]?"
_MONTH_DAY = r"(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])"

_PII = re.compile(
    _BEFORE
    + r"(?:"
    + rf"(?P<id18>[1-8]\d{{5}}(?:18|19|20)\d{{2}}{_MONTH_DAY}\d{{3}}[\dXx])"
    + rf"|(?P<id15>[1-8]\d{{7}}{_MONTH_DAY}\d{{3}})"
    + rf"|(?:(?:\+|00)?86{_SEP}|[(（]\+?86[)）]\s?)?"
    + rf"(?P<mobile>1[3-9]\d{_SEP}\d{{4}}{_SEP}\d{{4}})"
    + r"|[(（]?(?P<area>010|02\d|0[3-9]\d\d)[)）]?[ \-]?(?P<landline>[1-9]\d{6,7})"
    + r")"
    + _AFTER
)
# Runs of digits and separators long enough to hold a number worth masking: found with a
# fast character-class scan, then examined with _PII (which would be slow over the whole text).
_RUN = re.compile(r"[0-9+(（][0-9 +()（）\-\u2010-\u2015]{8,}[0-9]")
_CONTEXT = 4  # characters after a run that _AFTER looks at ("\s?万元")
_LOCAL = re.compile(
    r"(?P<keyword>(?:电话|座机|号码|手机|联系方式|热线|tel|TEL|Tel)(?:号码|号)?[:：是为]?\s?)"
    + r"(?P<local>[2-9]\d{6,7})"
    + _AFTER
)
_NOT_DIGIT = re.compile(r"\D")
_HONORIFIC = re.compile(r"^.{1,2}(?:先生|女士|小姐|阿姨|师傅|大爷|大妈|老师|同志)$")
#: Words that channels put in a name field but that are not anybody's name.
_NOT_NAMES = frozenset(
    ("市民", "匿名", "群众", "网友", "居民", "业主", "游客", "用户", "先生", "女士")
)


@dataclass(frozen=True)
class PiiSplit:
    """A text with its personal numbers masked, and the numbers themselves."""

    text: str
    phones: list[str] = field(default_factory=list)
    id_numbers: list[str] = field(default_factory=list)


def normalise_phone(number: str) -> str | None:
    """Digits only, without a ``+86``/``0086``/``86`` country code; None unless 5-12
    digits remain (hidden caller ids such as "anonymous" give None)."""
    digits = _NOT_DIGIT.sub("", fold_width(number))
    if len(digits) == 13 and digits.startswith("86"):
        digits = digits[2:]
    elif len(digits) == 15 and digits.startswith("0086"):
        digits = digits[4:]
    return digits if 5 <= len(digits) <= 12 else None


def normalise_id_number(number: str) -> str | None:
    """An ID-card number upper-cased without spaces; None unless it has 15 digits or 17 digits
    and a digit or X."""
    value = re.sub(r"\s", "", fold_width(number)).upper()
    return value if re.fullmatch(r"\d{15}|\d{17}[\dX]", value) else None


def _mask_id(value: str) -> str:
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


def split_pii(text: str) -> PiiSplit:
    """Find mobile, landline and ID-card numbers in ``text``; return the text with each one
    masked and the normalised numbers, deduplicated in order."""
    phones: dict[str, None] = {}
    ids: dict[str, None] = {}

    def replace(match: re.Match[str]) -> str:
        if (value := match["id18"] or match["id15"]) is not None:
            value = value.upper()
            ids[value] = None
            return _mask_id(value)
        if (mobile := match["mobile"]) is not None:
            digits = _NOT_DIGIT.sub("", mobile)
            phones[digits] = None
            return f"{digits[:3]}****{digits[-4:]}"
        area, local = match["area"], match["landline"]
        phones[area + local] = None
        return f"{area}-****{local[-4:]}"

    def replace_local(match: re.Match[str]) -> str:
        local = match["local"]
        phones[local] = None
        return f"{match['keyword']}****{local[-4:]}"

    pieces: list[str] = []
    done = 0
    for run in _RUN.finditer(text):
        end = run.end()
        for match in _PII.finditer(text, run.start(), end + _CONTEXT):
            if match.start() >= end:
                break
            pieces += (text[done : match.start()], replace(match))
            done = match.end()
    pieces.append(text[done:])
    masked = _LOCAL.sub(replace_local, "".join(pieces))
    return PiiSplit(text=masked, phones=list(phones), id_numbers=list(ids))


def mask_pii(text: str) -> str:
    """``text`` with phone and ID-card numbers masked (full-width digits folded first): for
    log lines and error messages."""
    return split_pii(fold_width(text)).text


def mask_name(text: str, name: str | None) -> str:
    """Mask a known full name (from the channel's contact fields) where it appears in
    ``text``, keeping the surname: ``王毅宏`` becomes ``王**``.

    Names of one character, placeholders such as ``市民``/``匿名``, or a surname with an
    honorific such as ``张先生`` are left as they are: masking them would damage ordinary
    words and hide nothing.
    """
    if not name or len(name) < 2 or name in _NOT_NAMES or _HONORIFIC.match(name):
        return text
    return text.replace(name, name[0] + "*" * (len(name) - 1))
