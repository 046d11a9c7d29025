"""Dispatcher's notes come off historical texts; the citizen's words stay."""

from __future__ import annotations

import csv
import re

import pytest

from classifiers.dispatch_notes import strip_dispatch_note
from tests.conftest import HAIKOU


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "市民来电反映: 小区门口有人摆摊卖水果，堵住了人行道。请城管核实处理！"
            "（请职能局按规定在30分钟内核实处理，响应处置）",
            "市民来电反映: 小区门口有人摆摊卖水果，堵住了人行道。",
        ),
        (
            "市民微信反映: 楼下饭店油烟很大，请市城管局核实处理，谢谢！"
            "(请职能局按规定在30分钟内联系市民，响应处置)",
            "市民微信反映: 楼下饭店油烟很大",
        ),
        (
            "市民来电咨询: 社保卡丢了怎么补办？请社保局核实处理！谢谢！",
            "市民来电咨询: 社保卡丢了怎么补办？",
        ),
        (
            "市民来电反映: 出租车拒载，请交通局核实处理，"
            "请职能局在规定30分钟内联系市民，响应处置。",
            "市民来电反映: 出租车拒载",
        ),
        (
            "市民来电反映: 其在公交车上遗失手机（工单号：20180101123456），谢谢！"
            "（请30分钟响应处置）",
            "市民来电反映: 其在公交车上遗失手机",
        ),
        (
            "市民来电反映: 路灯坏了三天，晚上很黑，请尽快处理。",
            "市民来电反映: 路灯坏了三天，晚上很黑，请尽快处理。",
        ),
        (
            "市民来电咨询: 其在龙华门诊部（往灵山方向）等待43路的问题",
            "市民来电咨询: 其在龙华门诊部（往灵山方向）等待43路的问题",
        ),
    ],
)
def test_dispatch_notes_are_stripped_and_citizen_words_kept(text, expected):
    assert strip_dispatch_note(text) == expected


@pytest.mark.data
@pytest.mark.skipif(not HAIKOU.exists(), reason=f"real data not found at {HAIKOU}")
def test_haikou_texts_lose_their_notes_but_not_their_content():
    with HAIKOU.open(encoding="gb18030", newline="") as fh:
        texts = [row["诉求内容"] for row in csv.DictReader(fh)]
    stripped = [strip_dispatch_note(text) for text in texts]
    had_note = sum(bool(re.search(r"核实处理|响应处[置理]", text)) for text in texts)
    residue = sum(bool(re.search(r"核实处理|响应处[置理]|工单号", text)) for text in stripped)
    assert had_note > 0.6 * len(texts)
    # what is left is mostly quoted earlier work orders and departments' replies
    assert residue < 0.02 * len(texts)
    assert sum(len(s) < 12 for s in stripped) <= 2  # the export has a "测试" row
    assert sum(len(s) for s in stripped) > 0.7 * sum(len(t) for t in texts)
