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
        (  # the department's reply between the request and the follow-up
            "市民来电反映:龙华区路面坑洼，\n"
            "2017-11-25 11:20:龙华区棚改办公室答复：已收悉，计划12月底完成。\n"
            "市民再次来电反映：还没修好",
            "市民来电反映:龙华区路面坑洼，\n市民再次来电反映：还没修好",
        ),
        (
            "市民微信反映: 有人聚众赌钱，\n市公安局2018-01-04 19:35:59的处理意见：民警到场未发现。"
            "\n市民再次微信反映：又有人赌钱",
            "市民微信反映: 有人聚众赌钱，\n市民再次微信反映：又有人赌钱",
        ),
        (  # a reply run into the citizen's paragraph
            "市民来电咨询:价格什么时候批？2017-11-15 14:27市物价局：转来20171113484998政府服务"
            "热线办件收悉，市民来电咨询",
            "市民来电咨询:价格什么时候批？",
        ),
        (  # a department calling the hotline is an intake fact: it stays
            "交警来电反馈：《关于违停的问题》工单处理情况\n工单内容\n市民来电反映: 路口违停",
            "交警来电反馈：《关于违停的问题》工单处理情况\n工单内容\n市民来电反映: 路口违停",
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
    replies = sum(bool(re.search(r"\d{4}-\d\d-\d\d[^\n]{0,30}答复[:：]", t)) for t in texts)
    assert replies > 50
    assert not any(re.search(r"\d{4}-\d\d-\d\d[^\n]{0,30}答复[:：]", s) for s in stripped)
    assert had_note > 0.6 * len(texts)
    # what is left is mostly quoted earlier work orders and departments' replies
    assert residue < 0.02 * len(texts)
    assert sum(len(s) < 12 for s in stripped) <= 2  # the export has a "测试" row
    # departments' replies are long (a third of all characters); the citizens' words stay
    assert sum(len(s) for s in stripped) > 0.6 * sum(len(t) for t in texts)
