"""split_pii / mask_pii / mask_name: phone and ID-card numbers out of request texts."""

from __future__ import annotations

import time

import pytest

from classifiers.cleaning import clean_text
from classifiers.pii import (
    PiiSplit,
    mask_name,
    mask_pii,
    normalise_id_number,
    normalise_phone,
    split_pii,
)


@pytest.mark.parametrize(
    "written",
    [
        "13812345678",
        "138-1234-5678",
        "138 1234 5678",
        "1381234 5678",
        "+8613812345678",
        "+86 138 1234 5678",
        "+86-138-1234-5678",
        "8613812345678",
        "86 13812345678",
        "008613812345678",
        "(+86)13812345678",
        "（+86）138-1234-5678",
    ],
)
def test_mobile_formats(written: str) -> None:
    split = split_pii(f"我的电话是{written}，请回电")
    assert split.phones == ["13812345678"]
    assert split.text == "我的电话是138****5678，请回电"


@pytest.mark.parametrize(
    ("written", "digits", "masked"),
    [
        ("0898-66123456", "089866123456", "0898-****3456"),
        ("010-12345678", "01012345678", "010-****5678"),
        ("020-87654321", "02087654321", "020-****4321"),
        ("0755 2345678", "07552345678", "0755-****5678"),
        ("(0898)66123456", "089866123456", "0898-****3456"),
        ("（0898）66123456", "089866123456", "0898-****3456"),
        ("089866286101", "089866286101", "0898-****6101"),
    ],
)
def test_landline_formats(written: str, digits: str, masked: str) -> None:
    split = split_pii(f"办公电话：{written}。")
    assert split.phones == [digits]
    assert split.text == f"办公电话：{masked}。"


@pytest.mark.parametrize("keyword", ["电话", "电话：", "座机", "联系方式:", "联系电话是", "tel:"])
def test_local_number_after_a_keyword(keyword: str) -> None:
    split = split_pii(f"该店{keyword}68601516，经理不在")
    assert split.phones == ["68601516"]
    assert split.text == f"该店{keyword}****1516，经理不在"


def test_local_number_without_keyword_is_left_alone() -> None:
    assert split_pii("面积68601516平方米，编号6860151").phones == []


@pytest.mark.parametrize(
    ("written", "value", "masked"),
    [
        ("46010219900101123X", "46010219900101123X", "4601**********123X"),
        ("46010219900101123x", "46010219900101123X", "4601**********123X"),
        ("460102199001011234", "460102199001011234", "4601**********1234"),
        ("110101200512319876", "110101200512319876", "1101**********9876"),
        ("460102900101123", "460102900101123", "4601*******1123"),
    ],
)
def test_id_numbers(written: str, value: str, masked: str) -> None:
    split = split_pii(f"身份证号{written}，")
    assert split.id_numbers == [value]
    assert split.phones == []
    assert split.text == f"身份证号{masked}，"


def test_id_starting_like_a_mobile_is_an_id() -> None:
    split = split_pii("证件13010219900101123X")
    assert split.id_numbers == ["13010219900101123X"]
    assert split.phones == []


@pytest.mark.parametrize(
    "text",
    [
        "工单号20180107184928已受理",
        "工单编号：20171229094199（已办结）",
        "于2018-01-07 13:38受理，2018年1月7日回访，20180107当天",
        "涉及金额13812345678元",
        "余额13812345678.50",
        "共计13800000000万元",
        "订单号138123456789012",
        "流水号213812345678",
        "银行卡6222021234567890123",
        "编号460102199013011234",  # month 13: not a birth date
        "编号960102199001011234",  # no region starts with 9
        "快递单号SF1381234567890",
        "小数5.13812345678",
        "面积13812345678平方米",
        "19位4601021990010112345",
        "1460102199001011234X",
    ],
)
def test_no_false_positives(text: str) -> None:
    split = split_pii(text)
    assert split == PiiSplit(text=text)


def test_numbers_in_a_list_and_dedup_in_order() -> None:
    text = "13912345678,13812345678、139-1234-5678；0898-66123456 13812345678"
    split = split_pii(text)
    assert split.phones == ["13912345678", "13812345678", "089866123456"]
    assert split.text == "139****5678,138****5678、139****5678；0898-****3456 138****5678"


def test_mixed_text_keeps_everything_else() -> None:
    text = (
        "市民来电反映：工单号20180107184928，其于2018-01-07在金宇路88号被收费5000元，"
        "来电人：张先生，电话13976331317，身份证460102199001011234。"
    )
    split = split_pii(text)
    assert split.phones == ["13976331317"]
    assert split.id_numbers == ["460102199001011234"]
    assert split.text == (
        "市民来电反映：工单号20180107184928，其于2018-01-07在金宇路88号被收费5000元，"
        "来电人：张先生，电话139****1317，身份证4601**********1234。"
    )


def test_full_width_numbers_after_cleaning() -> None:
    split = split_pii(clean_text("电话：１３８－１２３４－５６７８"))
    assert split.phones == ["13812345678"]
    assert split.text == "电话：138****5678"


def test_mask_pii_folds_full_width_digits_itself() -> None:
    assert mask_pii("电话１３８１２３４５６７８，身份证46010219900101123X") == (
        "电话138****5678，身份证4601**********123X"
    )


def test_text_without_numbers() -> None:
    assert split_pii("路灯不亮") == PiiSplit(text="路灯不亮")
    assert split_pii("") == PiiSplit(text="")


@pytest.mark.parametrize(
    ("number", "expected"),
    [
        ("13812345678", "13812345678"),
        ("+86 138-1234-5678", "13812345678"),
        ("8613812345678", "13812345678"),
        ("008613812345678", "13812345678"),
        ("0898-66123456", "089866123456"),
        ("１３８１２３４５６７８", "13812345678"),
        ("anonymous", None),
        ("", None),
        ("1234", None),
    ],
)
def test_normalise_phone(number: str, expected: str | None) -> None:
    assert normalise_phone(number) == expected


def test_normalise_id_number() -> None:
    assert normalise_id_number(" 46010219900101123x ") == "46010219900101123X"
    assert normalise_id_number("460102900101123") == "460102900101123"
    assert normalise_id_number("12345") is None
    assert normalise_id_number("4601021990010112XX") is None


def test_mask_name() -> None:
    assert mask_name("我叫王毅宏，王毅宏的电话", "王毅宏") == "我叫王**，王**的电话"
    assert mask_name("李四反映", "李四") == "李*反映"
    assert mask_name("张先生来电", "张先生") == "张先生来电"
    assert mask_name("市民来电反映", "市民") == "市民来电反映"
    assert mask_name("王来电", "王") == "王来电"
    assert mask_name("没有名字", None) == "没有名字"


def test_throughput() -> None:
    """~200-character texts; the target is 20,000/s, the bar here is loose for shared CI."""
    text = clean_text(
        "市民来电反映：其住在龙华区金宇路88号海口城市花园小区，小区门口每天晚上有人占道摆摊，"
        "噪音很大，垃圾满地，多次向物业反映无果，希望城管部门尽快处理。联系电话：13976331317，"
        "身份证460102199001011234。工单号20180107184928，涉及金额5000元，时间2018-01-07。"
    )
    count = 5_000
    started = time.perf_counter()
    for _ in range(count):
        split_pii(text)
    assert count / (time.perf_counter() - started) > 5_000
