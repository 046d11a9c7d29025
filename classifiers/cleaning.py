"""Text cleaning for citizen requests: HTML stripped, full-width ASCII folded, invisible
characters dropped, whitespace normalised.

Full-width folding is explicit rather than NFKC, which would also rewrite Chinese
punctuation. The full-width forms that Chinese text uses as its own punctuation stay as
they are: ``！（），：；？`` (and ``。、“”‘’《》【】…``, which are not in the full-width ASCII
block anyway). Keeping ``（）`` and ``，`` full-width keeps tokens identical to the
historical work orders the classifier learns from; every other full-width ASCII form
(letters, digits, ``－．／＠＃％＋＝`` …) folds to ASCII, so ``１３８－１２３４`` becomes
``138-1234`` and the PII patterns see plain digits.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable

#: Full-width forms kept as they are: the punctuation of ordinary Chinese text.
KEPT_FULL_WIDTH = "！（），：；？"

# Comments, declarations and elements whose content is not text, dropped whole (to the end
# of the text if unclosed).
_DROPPED = re.compile(
    r"<!--.*?(?:-->|\Z)|<[!?][^<>]*>"
    r"|<(script|style|head|title|template|noscript)\b[^<>]*>.*?(?:</\1\s*>|\Z)",
    re.I | re.S,
)
# Tags that break a line, table cells (a space), and any other tag (nothing). A tag starts
# with a letter, so "温度<10度" or "<张三>" are left alone.
_BLOCK_TAG = re.compile(
    r"</?(?:address|article|aside|blockquote|br|dd|div|dl|dt|footer|h[1-6]|header|hr|li|ol|p"
    r"|pre|section|table|tbody|tfoot|thead|tr|ul)\b[^<>]*>",
    re.I,
)
_CELL_TAG = re.compile(r"</?t[dh]\b[^<>]*>", re.I)
_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9:-]*(?:\s[^<>]*)?/?>")
_SPACES = re.compile(r"  +")


def _translation_table() -> dict[int, str | None]:
    table: dict[int, str | None] = {}
    for code in range(0xFF01, 0xFF5F):  # full-width ASCII
        if chr(code) not in KEPT_FULL_WIDTH:
            table[code] = chr(code - 0xFEE0)
    table[0x3000] = " "  # ideographic space
    for code in (*range(0x00, 0x20), 0x7F, *range(0x80, 0xA0)):  # C0, DEL, C1 controls
        table[code] = None
    table.update({ord("\t"): " ", ord("\n"): "\n", ord("\r"): "\n", 0x0B: " ", 0x0C: " "})
    for code in (0x00A0, 0x1680, *range(0x2000, 0x200B), 0x202F, 0x205F):  # odd spaces
        table[code] = " "
    table.update({0x2028: "\n", 0x2029: "\n", 0x0085: "\n"})
    invisible = (
        0x00AD,  # soft hyphen
        0x034F,  # combining grapheme joiner
        0x061C,  # Arabic letter mark
        0x180E,  # Mongolian vowel separator
        *range(0x200B, 0x2010),  # zero-width space/joiners, LRM, RLM
        *range(0x202A, 0x202F),  # bidi embeddings and overrides
        *range(0x2060, 0x2070),  # word joiner, invisible operators, bidi isolates
        0xFEFF,  # byte order mark / zero-width no-break space
        *range(0xFFF9, 0xFFFC),  # interlinear annotation controls
        *range(0xD800, 0xE000),  # lone surrogates (from JSON "\\ud800" escapes): not text
    )
    table.update(dict.fromkeys(invisible))
    return table


def _ranges(codes: Iterable[int]) -> str:
    """A regex character class body for ``codes``, with consecutive codes as ranges."""
    spans: list[list[int]] = []
    for code in sorted(codes):
        if spans and code == spans[-1][1] + 1:
            spans[-1][1] = code
        else:
            spans.append([code, code])
    return "".join(
        re.escape(chr(lo)) + (f"-{re.escape(chr(hi))}" if hi > lo else "") for lo, hi in spans
    )


_TABLE = _translation_table()
# Runs of characters the table changes: found by one fast scan, so that texts without any
# (most of them) are not translated character by character.
_CHANGED = re.compile(f"[{_ranges(code for code, new in _TABLE.items() if new != chr(code))}]+")
_WIDTH_TABLE = {
    code: new for code, new in _TABLE.items() if 0xFF01 <= code <= 0xFF5E or code == 0x3000
}


def _translate(run: re.Match[str]) -> str:
    return run[0].translate(_TABLE)


def strip_html(text: str) -> str:
    """Remove tags, comments and script/style content; block-level tags become line breaks,
    table cells spaces; entities (``&nbsp;`` ``&amp;`` ``&#x4e2d;``) are unescaped."""
    if "<" in text:
        text = _DROPPED.sub("", text)
        text = _BLOCK_TAG.sub("\n", text)
        text = _CELL_TAG.sub(" ", text)
        text = _TAG.sub("", text)
    if "&" in text:
        text = html.unescape(text)
    return text


def fold_width(text: str) -> str:
    """Fold full-width ASCII to ASCII and the ideographic space to a space, keeping the
    Chinese punctuation of :data:`KEPT_FULL_WIDTH`."""
    return text.translate(_WIDTH_TABLE)


def clean_text(text: str) -> str:
    """Clean one request text: strip HTML, fold full-width ASCII, drop control and
    zero-width characters, collapse runs of spaces, keep single line breaks between
    paragraphs, and trim.
    """
    text = _CHANGED.sub(_translate, strip_html(text))
    if "  " in text:
        text = _SPACES.sub(" ", text)
    if "\n" in text:
        return "\n".join(line for line in map(str.strip, text.split("\n")) if line)
    return text.strip()
