"""Removing the dispatcher's notes from historical work-order texts.

Exported work orders carry what the dispatcher wrote *after* routing: "请公安局核实处理！",
"（请职能局按规定在30分钟内核实处理，响应处置）", "工单号：…" references. None of it exists
when a request arrives, and a classifier trained on it learns to read the answer off the
text, so training and evaluation use texts without it. The intake agent's own prefix
("市民来电反映：") does exist at intake time and is kept.

A work order that went round more than once also carries the handling department's reply
("2017-12-23 10:40:43龙华区新坡镇政府答复：…", "市公安局…的处理意见：…") between the
citizen's first request and the follow-up ("市民再次来电反映：…"). The reply was written by the
department the ticket was routed to, so it names the answer; it is removed too. A department
calling the hotline itself ("交警来电反馈：…") is an intake fact and stays.
"""

from __future__ import annotations

import re

# "（请职能局按规定在30分钟内核实处理，响应处置）" and its variants ("请城管按规定30分钟核实情况，
# 响应处理", "请30分钟响应处置"): in brackets, any bracketed note about the response deadline.
_BRACKETED_NOTE = re.compile(
    r"[（(][^（()）]*?(?:响应处[置理]|分钟内?(?:核实|联系))[^（()）]*[）)][。！.]?"
)
# The same note without brackets: "请职能局在规定30分钟内联系市民，响应处置。"
_BARE_NOTE = re.compile(
    r"请[^，。！？（()）\n]{0,20}?分钟[^。！？（()）\n]{0,25}?响应处[置理][！!。.]?"
)
# "请市住建局核实处理，谢谢！", "请交警核实处理。", "威立雅核实处理": a short clause asking
# someone to verify (核实) and handle: the dispatcher's hand-off.
_VERIFY_REQUEST = re.compile(
    r"(?:请|由)?[^，。！？；：:\n]{0,20}?核实(?:处理|办理|回复|并回复|后回复)?"
    r"(?:[，,！!。.\s]*谢谢)?[！!。.]*(?=$|[\s（(，,])"
)
# References to earlier work orders: "（工单号：20180110226745）", "工单号20171231107425".
_ORDER_REFERENCE = re.compile(r"[（(]?\s*(?:政府)?工单编?号[:：]?\s*[（(]?\d{10,}\s*[）)]?[）)]?")
# A department's reply, as a paragraph of its own: "…答复：", "…回复：", "…的处理意见：" near the
# start of a line that is not the citizen's or a caller's ("市民…", "交警来电反馈："), or the
# department's "…办件收悉" acknowledgement.
_REPLY_PARAGRAPH = re.compile(
    r"^(?![^\n]{0,20}?来电|市民|群众|网友)[^\n]{0,80}?(?:(?:答复|回复|处理意见)[:：]|办件收悉)[^\n]*\n?",
    re.MULTILINE,
)
# The same reply run into the citizen's paragraph, led by its date: "…2017-12-06 某公司答复：…",
# "2017-11-15 14:27市物价局：转来…办件收悉".
_REPLY_INLINE = re.compile(
    r"\d{4}-\d{1,2}-\d{1,2}[ \d:：]*[^\n，。！？]{0,25}?"
    r"(?:(?:答复|回复|处理意见)[:：]|[:：]转来)[^\n]*"
)
_TRAILING_THANKS = re.compile(r"[，,]?\s*谢谢[！!。.]*\s*$")
_SPACES = re.compile(r"[ \t]*\n[ \t\n]*|[ \t]{2,}")


def strip_dispatch_note(text: str) -> str:
    """``text`` without the dispatcher's notes, department replies, references and the thanks
    that close them."""
    stripped = _REPLY_INLINE.sub("", _REPLY_PARAGRAPH.sub("", text))
    stripped = _BRACKETED_NOTE.sub("", stripped)
    stripped = _BARE_NOTE.sub("", stripped)
    stripped = _VERIFY_REQUEST.sub("", stripped)
    stripped = _ORDER_REFERENCE.sub("", stripped)
    stripped = _TRAILING_THANKS.sub("", stripped.rstrip())
    stripped = _SPACES.sub(lambda m: "\n" if "\n" in m.group() else " ", stripped)
    return stripped.strip(" \n，,")
