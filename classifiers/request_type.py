"""Request type (咨询, 求助, 投诉, 举报, 建议, 表扬, 撤销) from the citizen's text, for channels
that do not say."""

from __future__ import annotations

import re

from topics.schemas import REQUEST_TYPES

# An intake agent's prefix ("市民来电咨询：", "市民微信建议:") is the agent's own choice.
_AGENT_PREFIX = re.compile(
    r"^[^:：，,。]{0,10}?(?:来电|来信|微信|公众号|市民云|网站|网上|留言|APP|app)"
    r"(咨询|求助|投诉|举报|建议|表扬|撤销)[:：]"
)

_RULES: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "撤销",
        re.compile(
            r"撤[销回](?:此|该|本|这个|之前的?|原)?(?:工单|诉求|办件|投诉|举报|反映|求助|件)"
            r"|撤单|(?:要求|申请)撤销(?!.{0,6}?(?:罚|处分|决定|登记|许可|执照))|取消(?:此|该|本|这个)?(?:工单|诉求|投诉|举报)"
            r"|(?:问题|事情|情况)已(?:经)?(?:得到)?(?:解决|处理)[好了]*[，,。；]?.{0,8}?"
            r"(?:不需要|无需|不用|不必)(?:再)?(?:处理|跟进|办理|回复)"
        ),
    ),
    (
        "表扬",
        re.compile(
            r"表扬|赞扬|称赞|点赞|锦旗|感谢信|致谢"
            r"|感谢.{0,20}?(?:帮助|帮忙|帮我|及时|热心|耐心|细心|辛勤|辛苦|付出|认真负责|尽职)"
        ),
    ),
    ("举报", re.compile(r"举报(?!电话|方式|途径|渠道|奖励|平台)|检举|揭发")),
    (
        "投诉",
        re.compile(
            r"投诉(?!电话|方式|途径|渠道|平台)|不满|要求处理|强烈要求|不作为|乱作为|推诿|扯皮"
            r"|态度(?:恶劣|极差|很差|差|蛮横|粗暴)|拒不(?:处理|整改|退还|退款)"
        ),
    ),
    (
        "建议",
        re.compile(
            r"建议|提议|呼吁|希望(?:能|可以)?(?:在|对|给)?.{0,12}?(?:增设|增加|加装|设置|开通|延长)"
            r"|(?:能否|可否|是否可以|可不可以)(?:考虑)?(?:增设|增加|加装|设置|开通|延长|调整)"
        ),
    ),
    (
        "咨询",
        re.compile(
            r"咨询|请问|想了解|想知道|想问|如何办理|怎么办理|怎样办理|如何申请|怎么申请"
            r"|需要(?:哪些|什么)(?:材料|手续|证件|条件)|[?？]"
            # an agent's short summary of a question: "社保局电话的问题", "是否可以…", "何时…"
            r"|(?:电话|地址|号码|热线)(?:是多少|号码)?(?:的问题)?[。.]?$"
            r"|是否(?:可以|能|需要|属于|合法|违法|违章|正常|有|在)|何时|什么时候|在哪|哪里|哪些|如何|怎么"
            # asking after an earlier work order: "《关于…的问题》处理结果/工单情况/工单信息"
            r"|^[^《]{0,30}《[^》]+》[^。\n]{0,8}?(?:处理结果|处理情况|办理情况|工单情况|工单信息|进展)"
        ),
    ),
)


def infer_request_type(text: str, *, default: str = "求助") -> str:
    """Pick one of :data:`topics.schemas.REQUEST_TYPES` for ``text`` by keyword rules.

    An intake agent's prefix such as "市民来电咨询：" decides first. Otherwise the first
    matching rule wins, in this order of precedence:

    1. 撤销 — withdrawing a ticket overrides everything, since such texts usually quote the
       original complaint;
    2. 表扬 — praise often recounts the problem ("之前投诉的问题…"), so it beats complaint
       words; a bare closing "感谢！"/"谢谢" is not praise;
    3. 举报 before 投诉 — reporting someone else's wrongdoing is the more specific kind;
    4. 投诉 — dissatisfaction, "要求处理", "不作为";
    5. 建议 — a suggestion is often phrased as a question ("能否增加…？");
    6. 咨询 — enquiry words, a question mark, an agent's summary of a question ("…电话的问题",
       "是否可以…") or a question after an earlier work order ("《关于…》处理结果");

    and ``default`` (求助, a plain request for help) when none matches.
    """
    if default not in REQUEST_TYPES:
        raise ValueError(f"default {default!r} is not a request type")
    if prefix := _AGENT_PREFIX.match(text):
        return prefix[1]
    for request_type, pattern in _RULES:
        if pattern.search(text):
            return request_type
    return default
