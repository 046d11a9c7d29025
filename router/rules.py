"""Urgent-keyword rules: risks to life or property that must not wait for the model.

A rule that matches marks the ticket urgent and, when it names a department, routes it there
whatever the model says (method "rule"). The rules are tried in priority order and the first
match wins, so the most specific come first (a gas leak before a fire it might cause, a burst
heating pipe before a burst water main).

Patterns are plain Chinese keywords; negative lookarounds keep out the cheap false positives
(燃气费 is not a leak, 火车 and 防火知识 are not fires, 轮胎漏气 is not gas).

Most tickets match no rule, so each rule also lists its ``triggers``: literals one of which
occurs in every text its pattern matches. A substring test with ``in`` is far cheaper than a
regex search, so a text with none of a rule's triggers skips that rule's pattern. Triggers are
single characters where those are rare enough (塌 for 倒塌, 坍塌, 塌了 ...): CPython finds one
character about three times as fast as a two-character word. The triggers only filter, they
never decide: the pattern has the last word, and tests/router/test_rules.py proves from each
pattern's syntax that its triggers cannot reject a text the pattern matches.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from router.departments import Catalogue
from router.exceptions import ConfigurationError


@dataclass(frozen=True, kw_only=True)
class Rule:
    """One urgent-keyword rule.

    ``department`` is a catalogue code, or None to keep the model's department and only
    mark the ticket urgent. ``triggers`` are literals at least one of which occurs in every
    match of ``pattern`` (a prefilter, see the module docstring); empty means no prefilter.
    """

    name: str
    pattern: re.Pattern[str]
    department: str | None
    urgency: str = "urgent"
    triggers: tuple[str, ...] = ()

    def matches(self, text: str) -> bool:
        """Whether ``pattern`` occurs in ``text``; the triggers only skip hopeless searches."""
        for trigger in self.triggers:  # a loop: any() over a generator costs more than the tests
            if trigger in text:
                break
        else:
            if self.triggers:
                return False
        return self.pattern.search(text) is not None


RULES: tuple[Rule, ...] = (
    Rule(
        name="gas_leak",
        pattern=re.compile(
            r"(?:燃气|煤气|天然气|液化气)[^，。,]{0,6}"
            r"(?:泄漏|泄露|漏气|外泄|破裂|断裂|挖断|挖破)(?!报警|检测)"
            r"|闻到.{0,8}(?:煤气|燃气|天然气|液化气)味"
            r"|(?:煤气|燃气|天然气)味(?:很|特别|非常|十分)?(?:浓|重|大|刺鼻)"
        ),
        department="GAS_SUPPLY",
        triggers=("气",),
    ),
    Rule(
        name="hazmat_leak",
        pattern=re.compile(
            r"(?:化工厂|化工企业|罐车|槽罐车|危化品|危险化学品|化学品|有毒气体|氨气|氯气)"
            r"[^，。]{0,8}(?:泄漏|泄露|外泄|漏出)"
        ),
        department="EMERGENCY_MANAGEMENT",
        triggers=("泄", "漏"),
    ),
    Rule(
        name="fire",
        # 火灾隐患, 防火, 万一发生火灾 are hazards or enquiries, not a fire in progress; 打不着火
        # is a stove that does not light.
        pattern=re.compile(
            r"(?<!不)着火|起火(?!原因)|失火|燃起来|烧起来|火势|(?:冒出|冒着|大量|滚滚)浓烟|浓烟滚滚"
            r"|(?<!引发|引起|导致|造成|预防|防止)(?<!万一发生|一旦发生|如果发生|容易发生)"
            r"火灾(?!隐患|预防|知识|保险)|(?<!烟囱)冒烟"
        ),
        department="FIRE_RESCUE",
        triggers=("火", "烟", "燃起来", "烧起来"),
    ),
    Rule(
        name="lift_entrapment",
        # Lifts are special equipment (特种设备), market regulation's statutory duty; its 96333
        # lift emergency platform dispatches the maintenance company. The agent also calls 119.
        pattern=re.compile(
            r"电梯困人|困在电梯|被困(?:在)?电梯|关在电梯|卡在电梯"
            r"|电梯.{0,12}(?:被困|困住|困着|出不来)"
        ),
        department="MARKET_REGULATION",
        triggers=("梯",),
    ),
    Rule(
        name="live_wire",
        pattern=re.compile(
            r"(?:电线|电缆|高压线|输电线)(?:被.{0,4})?(?:掉落|断落|掉下来|掉在|垂到|落地|断了|脱落)"
            r"|(?:电线杆|电杆)(?:被)?(?:风)?(?:刮|吹|撞)?(?:倒了|倒下|倾倒|断了)|(?<!防)漏电(?!保护)|电线.{0,4}打火花"
            r"|大面积停电|(?:整个|整片|全|几个|好几个|多个)(?:小区|片区|街道|村)(?:都)?停电"
        ),
        department="POWER_SUPPLY",
        triggers=("线", "缆", "杆", "漏电", "停电"),
    ),
    Rule(
        name="tree_fall",
        pattern=re.compile(
            r"(?:大树|树木|行道树|树干)(?:被.{0,4})?(?:倒伏|倒了|倒下|倾倒|倒在|连根拔起)"
            r"|(?:树|树木|树枝)[^，。]{0,6}有(?:倒塌|倒伏|折断)(?:的)?(?:危险|风险)"
        ),
        department="LANDSCAPING",
        triggers=("树",),
    ),
    Rule(
        name="building_collapse",
        pattern=re.compile(
            r"(?:房屋|楼房|房子|楼体|墙|危房|楼板|阳台|屋顶|老楼)"
            r"[^，。,]{0,10}(?:倒塌|坍塌|垮塌|塌了|塌下来|塌掉)"
            r"|(?:拆|砸|打)(?:了|掉|穿)?承重墙|承重墙被(?:拆|砸|打)"
        ),
        department="HOUSING_CONSTRUCTION",
        triggers=("塌", "墙"),
    ),
    Rule(
        name="heating_pipe_burst",
        pattern=re.compile(
            r"(?:暖气|供热|供暖|热力)(?:管道?|片|主管|管网)?.{0,4}(?:爆裂|爆了|破裂|喷水|喷热水|爆管)"
        ),
        department="HEATING_SUPPLY",
        triggers=("爆", "裂", "喷"),
    ),
    Rule(
        name="water_main_burst",
        # Sewers (下水, 排水, 污水) belong to municipal engineering, not the water company.
        pattern=re.compile(
            r"(?<!下水|排水|污水)(?:水管|管道|主管道?|总管|管网|水表)(?:突然)?"
            r"(?:爆裂|爆管|爆了|破裂|断裂|冻裂)"
            r"|爆管|(?:大量|大股)(?:的)?(?:自来水|水)(?:从.{0,10})?(?:涌出|喷出|冒出|往外冒)"
        ),
        department="WATER_SUPPLY",
        triggers=("爆", "裂", "涌", "喷", "冒"),
    ),
    Rule(
        name="waterlogging",
        # Waterlogging is a drainage failure (rain inlets, sewers, pumping), and municipal
        # engineering runs the drainage network; a burst main is matched above and goes to water.
        pattern=re.compile(
            r"积水(?:已经)?(?:很|特别|非常)?(?:严重|很深|过膝|齐腰|没过|淹到|漫进|倒灌|半米|一米)"
            r"|(?:被|给)(?:水)?淹|淹了|水淹|内涝|雨水倒灌|污水倒灌|水漫进"
            r"|(?:车库|家里|屋里|一楼|地下室)(?:都|已经)?进水"
        ),
        department="MUNICIPAL_ENGINEERING",
        triggers=("积", "淹", "涝", "灌", "漫", "进水"),
    ),
    Rule(
        name="road_collapse",
        pattern=re.compile(r"(?:路面|道路|地面|人行道|马路)[^，。]{0,6}(?:塌陷|坍塌|下陷|塌了)"),
        department="MUNICIPAL_ENGINEERING",
        triggers=("塌", "陷"),
    ),
    Rule(
        name="danger_to_life",
        # No department of its own: whoever handles the matter must act at once.
        pattern=re.compile(
            r"(?<!没有|并无)生命危险|危及生命|有人(?:受伤|被砸|晕倒|落水|溺水)|人员受伤"
            r"|伤得很重|受了重伤|晕倒在|一动不动|流血|持刀|拿着刀|喊救命|出人命"
            r"|砸伤(?:了)?人|随时(?:会|可能)?(?:砸到|砸伤)|跳楼(?!价|甩卖|大甩卖)|轻生"
        ),
        department=None,
        triggers=("命", "伤", "砸", "晕", "溺", "落水", "一动不动", "血", "刀", "跳", "轻"),
    ),
)


def match_rule(text: str) -> Rule | None:
    """The first rule, in priority order, whose pattern occurs in ``text``; None if none does."""
    for rule in RULES:
        if rule.matches(text):
            return rule
    return None


def validate_rules(catalogue: Catalogue, rules: tuple[Rule, ...] = RULES) -> None:
    """Raise ConfigurationError unless every rule's department is in ``catalogue``."""
    names = [rule.name for rule in rules]
    if len(set(names)) != len(names):
        raise ConfigurationError("urgent rules: duplicate rule names")
    for rule in rules:
        if rule.department is not None and rule.department not in catalogue:
            raise ConfigurationError(
                f"urgent rule {rule.name}: department {rule.department!r} is not in the catalogue"
            )
