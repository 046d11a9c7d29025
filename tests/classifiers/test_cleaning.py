"""clean_text: HTML, full-width folding, invisible characters, whitespace, speed."""

from __future__ import annotations

import time

import pytest

from classifiers.cleaning import KEPT_FULL_WIDTH, clean_text, fold_width, strip_html


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("<p>路灯不亮</p>", "路灯不亮"),
        ("<div>第一段</div><div>第二段</div>", "第一段\n第二段"),
        ("第一行<br>第二行<BR/>第三行", "第一行\n第二行\n第三行"),
        ("<p>a</p>\n\n\n<p>b</p>", "a\nb"),
        ('<span style="color:red">噪音</span>扰民', "噪音扰民"),
        ("<table><tr><td>地址</td><td>金宇路</td></tr></table>", "地址 金宇路"),
        ("<script>alert('x')</script>内容<style>p{color:red}</style>", "内容"),
        ("<SCRIPT type='text/javascript'>var a = '<p>';</SCRIPT>正文", "正文"),
        ("<html><head><title>无标题</title></head><body>正文</body></html>", "正文"),
        ("前<!-- 注释 <p>里面</p> -->后", "前后"),
        ("<!DOCTYPE html><?xml version='1.0'?>正文", "正文"),
        ("正文<script>没有结束", "正文"),
        ("市民&nbsp;反映", "市民 反映"),
        ("A&amp;B &lt;p&gt; &quot;引号&quot;", 'A&B <p> "引号"'),
        ("&#x4e2d;&#25991;", "中文"),
        ("温度<10度，价格>5元", "温度<10度，价格>5元"),
        ("<张三>来电", "<张三>来电"),
    ],
)
def test_html_is_stripped(raw: str, expected: str) -> None:
    assert clean_text(raw) == expected


def test_full_width_ascii_is_folded() -> None:
    assert clean_text("ＡＢＣ１２３ａｂｃ") == "ABC123abc"
    assert clean_text("电话１３８－１２３４－５６７８") == "电话138-1234-5678"
    assert clean_text("邮箱ｘｙ＠ｑｑ．ｃｏｍ　５０％") == "邮箱xy@qq.com 50%"


def test_chinese_punctuation_is_kept() -> None:
    text = "请问，如何办理？（急）好！地址：金宇路；谢谢。“引号”《书名》【括号】、…"
    assert clean_text(text) == text
    assert fold_width(KEPT_FULL_WIDTH) == KEPT_FULL_WIDTH


def test_control_and_zero_width_characters_are_dropped() -> None:
    raw = "路\u200b灯\u200c不\u200d亮\ufeff\u00ad\u2060\x00\x07\x1b\x7f\x85了\u202e"
    assert clean_text(raw) == "路灯不亮\n了"


def test_lone_surrogates_are_dropped() -> None:
    # a JSON "\\ud800" escape decodes to one; the segmenter cannot encode it
    assert clean_text("路灯\ud800坏了\udfff") == "路灯坏了"


def test_whitespace_is_normalised() -> None:
    assert clean_text("  路灯\t\t不亮  \u3000 了 \xa0 ") == "路灯 不亮 了"
    assert clean_text("第一行  \r\n  \r\n  第二行\u2028第三行") == "第一行\n第二行\n第三行"
    assert clean_text(" \n\t \u3000") == ""
    assert clean_text("<p> </p><br>&nbsp;") == ""


def test_entities_decoded_into_invisible_or_full_width_characters_are_cleaned() -> None:
    assert clean_text("&#12288;&#xff21;&#8203;B") == "AB"


def test_clean_text_is_idempotent_on_ordinary_text() -> None:
    raw = "<div>市民来电反映：ＸＸ小区　路灯不亮，&nbsp;已经两周了！<br>请尽快处理。</div>"
    once = clean_text(raw)
    assert clean_text(once) == once


def test_strip_html_leaves_plain_text_alone() -> None:
    text = "没有标签的文本，a < b"
    assert strip_html(text) == text


@pytest.mark.parametrize(
    "hostile",
    ["<script" * 50_000, "<a " * 50_000, "<!--" * 50_000, "<" * 200_000, '<div class="' * 30_000],
)
def test_hostile_markup_takes_linear_time(hostile: str) -> None:
    started = time.perf_counter()
    clean_text(hostile)
    assert time.perf_counter() - started < 2.0


def test_throughput() -> None:
    """~200-character texts; the target is 20,000/s, the bar here is loose for shared CI."""
    text = (
        "<p>市民来电反映：其住在龙华区金宇路８８号海口城市花园小区，小区门口每天晚上有人占道摆摊，"
        "噪音很大，&nbsp;垃圾满地，多次向物业反映无果。</p><p>希望城管部门尽快处理。联系电话："
        "13976331317。工单号20180107184928，涉及金额5000元，时间2018-01-07。</p>"
    )
    count = 5_000
    started = time.perf_counter()
    for _ in range(count):
        clean_text(text)
    assert count / (time.perf_counter() - started) > 5_000
