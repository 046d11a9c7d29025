"""infer_request_type: keyword rules and their precedence."""

from __future__ import annotations

import csv
import re

import pytest

from classifiers.importer import prepare_text
from classifiers.request_type import infer_request_type
from tests.conftest import HAIKOU
from topics.schemas import REQUEST_TYPES


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("我要求撤销昨天的工单", "撤销"),
        ("请撤回工单，谢谢", "撤销"),
        ("之前反映的问题已解决，不需要处理了", "撤销"),
        ("问题已经得到解决，无需再跟进", "撤销"),
        ("表扬金宇街道的王师傅", "表扬"),
        ("感谢交警同志的热心帮助", "表扬"),
        ("赞扬环卫工人", "表扬"),
        ("送锦旗给派出所", "表扬"),
        ("举报某饭店使用地沟油", "举报"),
        ("投诉物业乱收费", "投诉"),
        ("对处理结果不满", "投诉"),
        ("要求处理楼上噪音", "投诉"),
        ("反映城管部门不作为，多次来电无人管", "投诉"),
        ("建议在路口增设红绿灯", "建议"),
        ("希望增设公交站点", "建议"),
        ("能否增加夜班公交", "建议"),
        ("咨询居住证办理", "咨询"),
        ("请问公积金怎么提取", "咨询"),
        ("想了解落户政策", "咨询"),
        ("如何办理护照", "咨询"),
        ("公积金可以提取吗？", "咨询"),
        ("海口市社保局电话的问题。", "咨询"),
        ("异地身份证到期是否可以在海口换证。", "咨询"),
        ("海口公交APP何时发布，市民去哪里下载。", "咨询"),
        ("《关于龙华区工地超时施工噪音扰民的问题》处理结果 工单内容 市民来电反映: 噪音", "咨询"),
        ("小区路灯坏了，请尽快修理，谢谢！", "求助"),
        ("家里停水了，麻烦派人看看，感谢！", "求助"),
    ],
)
def test_keywords(text: str, expected: str) -> None:
    assert infer_request_type(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("之前投诉的噪音问题已解决，不需要处理了，撤销工单", "撤销"),
        ("表扬城管局，之前投诉的占道经营很快处理了", "表扬"),
        ("举报并投诉某工地夜间施工", "举报"),
        ("投诉物业，建议加强管理", "投诉"),
        ("建议增加班次？", "建议"),
        ("请问举报电话是多少？", "咨询"),
        ("要求撤销对我的罚款处罚决定", "求助"),  # a fine, not a ticket, withdrawn
    ],
)
def test_precedence(text: str, expected: str) -> None:
    assert infer_request_type(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("市民来电咨询：工单号20180102132684《关于投诉龙华区…》的办理进度", "咨询"),
        ("市民微信建议：希望延长地铁运营时间", "建议"),
        ("市民来电撤销:政府工单号20180103137556", "撤销"),
        ("市民来电反映：物业乱收费，要求处理", "投诉"),
    ],
)
def test_agent_prefix_decides_first(text: str, expected: str) -> None:
    assert infer_request_type(text) == expected


def test_default() -> None:
    assert infer_request_type("路灯不亮") == "求助"
    assert infer_request_type("路灯不亮", default="投诉") == "投诉"
    assert infer_request_type("") == "求助"
    with pytest.raises(ValueError):
        infer_request_type("路灯不亮", default="其他")


def test_always_a_request_type() -> None:
    for text in ("", "？", "感谢", "撤销", "a" * 1000):
        assert infer_request_type(text) in REQUEST_TYPES


@pytest.mark.data
@pytest.mark.skipif(not HAIKOU.exists(), reason=f"real data not found at {HAIKOU}")
def test_haikou_enquiries_are_recognised_without_the_agents_prefix():
    """The intake agent's prefix ("市民来电咨询：") names the type; with it removed, the rules
    must still find most enquiries and leave most reports (反映) as help or complaints."""
    prefix = re.compile(
        r"^[^:：，,。]{0,10}?(?:来电|微信|公众号|市民云|网站|短信)(咨询|反映)[:：]\s*"
    )
    with HAIKOU.open(encoding="gb18030", newline="") as fh:
        texts = [prepare_text(row["诉求内容"]) for row in csv.DictReader(fh)]
    found: dict[str, list[str]] = {"咨询": [], "反映": []}
    for text in texts:
        if match := prefix.match(text):
            found[match[1]].append(infer_request_type(text[match.end() :]))
    enquiries, reports = found["咨询"], found["反映"]
    assert len(enquiries) > 1000 and len(reports) > 2000
    assert enquiries.count("咨询") / len(enquiries) > 0.6
    assert sum(t in ("求助", "投诉", "举报") for t in reports) / len(reports) > 0.85
