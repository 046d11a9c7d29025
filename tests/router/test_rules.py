"""Urgent-keyword rules: they fire on real emergencies and keep quiet on near-misses."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path
from re import _constants as sre  # private, but the only parser of re's own syntax
from re import _parser as sre_parse

import pytest

from classifiers.model import model_input
from classifiers.synthetic import generate
from router.departments import Catalogue
from router.exceptions import ConfigurationError
from router.rules import RULES, Rule, match_rule, validate_rules

URGENT = [
    ("三楼楼道里闻到很浓的煤气味，敲门没人应，请马上派人来", "gas_leak", "GAS_SUPPLY"),
    ("修路的时候把天然气管道挖断了，现场有嘶嘶的声音", "gas_leak", "GAS_SUPPLY"),
    ("家里燃气灶的阀门漏气了，不敢开灯", "gas_leak", "GAS_SUPPLY"),
    ("燃气泄漏引发火灾，请赶快来", "gas_leak", "GAS_SUPPLY"),
    ("化工厂有氨气泄漏，附近的人都头晕", "hazmat_leak", "EMERGENCY_MANAGEMENT"),
    ("对面楼有一户着火了，火势很大", "fire", "FIRE_RESCUE"),
    ("地下车库一辆电动车起火了，浓烟滚滚", "fire", "FIRE_RESCUE"),
    ("楼上窗户里冒出浓烟，好像还有人在里面", "fire", "FIRE_RESCUE"),
    ("小区发生火灾了，快来人", "fire", "FIRE_RESCUE"),
    ("8栋电梯困人，里面有老人和小孩", "lift_entrapment", "MARKET_REGULATION"),
    ("我被困在电梯里了，按警铃没人应", "lift_entrapment", "MARKET_REGULATION"),
    ("商场的电梯突然停了，里面的人出不来", "lift_entrapment", "MARKET_REGULATION"),
    ("路口有一根电线掉落在地上，还在冒火花", "live_wire", "POWER_SUPPLY"),
    ("台风把电线杆刮倒了，横在路上", "live_wire", "POWER_SUPPLY"),
    ("整个小区都停电了，家里老人用着呼吸机", "live_wire", "POWER_SUPPLY"),
    ("门口的大树被风刮倒了，压在车上", "tree_fall", "LANDSCAPING"),
    ("村里一栋老房子的墙已经塌了一半，里面还住着人", "building_collapse", "HOUSING_CONSTRUCTION"),
    ("楼下商户装修拆了承重墙，楼上墙体都开裂了", "building_collapse", "HOUSING_CONSTRUCTION"),
    ("楼道里的暖气管道爆裂了，热水喷得到处都是", "heating_pipe_burst", "HEATING_SUPPLY"),
    ("路口的自来水管道突然爆裂，水喷出来一人多高", "water_main_burst", "WATER_SUPPLY"),
    ("小区里爆管了，大量自来水往外冒", "water_main_burst", "WATER_SUPPLY"),
    ("暴雨后立交桥下积水很深，已经没过膝盖", "waterlogging", "MUNICIPAL_ENGINEERING"),
    ("雨水倒灌进地下车库，好多车都被淹了", "waterlogging", "MUNICIPAL_ENGINEERING"),
    ("路面今天早上塌陷了一个大坑，已经有车陷进去", "road_collapse", "MUNICIPAL_ENGINEERING"),
    ("路口发生车祸，有人受伤躺在地上", "danger_to_life", None),
    ("饭店门口有人持刀打架", "danger_to_life", None),
    ("天桥下有个老人晕倒在地上，叫他也没反应", "danger_to_life", None),
]

NEAR_MISSES = [
    "燃气费怎么交？在手机上能交吗",
    "请问燃气泄漏报警器在哪里买，要不要自己装",
    "想开通天然气，需要带什么材料",
    "燃气灶打不着火，报修了好几天没人来",
    "防火知识咨询，单位想组织消防演练",
    "小区消防通道被堵，万一发生火灾消防车进不来",
    "群租房乱拉电线，存在很大的火灾隐患",
    "火车站门口出租车拒载",
    "楼下火锅店油烟太大",
    "起火原因调查结果什么时候公布",
    "想咨询一下家庭财产火灾保险怎么买",
    "工厂烟囱冒烟，味道很难闻",
    "轮胎漏气了，附近哪里有补胎的",
    "电梯经常坏，物业也不修",
    "电梯坏了好几天，老人下不了楼",
    "暖气不热，室温只有十五度",
    "路边的自来水管漏水好几天了",
    "下水管道破裂，污水冒到路面上",
    "路面有积水，下雨天不好走",
    "停电什么时候恢复？",
    "漏电保护器怎么安装",
    "商场在搞跳楼价大甩卖，是不是虚假宣传",
    "医生说没有生命危险，但医疗费太贵了",
    "墙上的瓷砖有点松动",
]


@pytest.mark.parametrize(("text", "name", "department"), URGENT)
def test_rules_fire_on_urgent_texts(text: str, name: str, department: str | None) -> None:
    rule = match_rule(text)
    assert rule is not None, text
    assert (rule.name, rule.department, rule.urgency) == (name, department, "urgent")


@pytest.mark.parametrize("text", NEAR_MISSES)
def test_rules_keep_quiet_on_near_misses(text: str) -> None:
    assert match_rule(text) is None


def test_rules_are_well_formed() -> None:
    names = [rule.name for rule in RULES]
    assert len(set(names)) == len(names)
    for rule in RULES:
        assert re.fullmatch(r"[a-z][a-z_]*", rule.name)
        assert isinstance(rule.pattern, re.Pattern)
        assert rule.urgency == "urgent"
        with pytest.raises(dataclasses.FrozenInstanceError):
            rule.name = "other"  # type: ignore[misc]


def test_every_rule_department_is_in_the_catalogue() -> None:
    validate_rules(Catalogue.load())


def test_validate_rules_rejects_unknown_departments(tmp_path: Path) -> None:
    path = tmp_path / "departments.toml"
    path.write_text(
        '[[department]]\ncode = "GAS_SUPPLY"\nname = "燃气公司"\naliases = []\n'
        'queue = "hotline:queue:GAS_SUPPLY"\nthreshold = 0.5\nsla_policy = "utility"\n',
        encoding="utf-8",
    )
    with pytest.raises(ConfigurationError, match="not in the catalogue"):
        validate_rules(Catalogue.load(path))
    duplicate = (*RULES, Rule(name="gas_leak", pattern=re.compile("x"), department=None))
    with pytest.raises(ConfigurationError, match="duplicate"):
        validate_rules(Catalogue.load(), duplicate)


def test_rules_agree_with_the_synthetic_requests() -> None:
    requests = generate(6000, seed=7)
    ruled = {rule.department for rule in RULES if rule.department}
    urgent = [r for r in requests if r.urgent and r.department in ruled]
    agreeing = [
        r for r in urgent if (rule := match_rule(r.text)) and rule.department == r.department
    ]
    assert len(agreeing) >= 0.8 * len(urgent)
    normal = [r for r in requests if not r.urgent]
    false_alarms = [r.text for r in normal if match_rule(r.text)]
    assert len(false_alarms) <= 0.01 * len(normal), false_alarms[:5]


# The triggers prefilter must never reject a text its pattern matches. The proof below reads
# the pattern's syntax tree and spells every match of it as a "form": a sequence of literal
# runs the match must contain verbatim, with gaps (None) where it could contain anything.
# Lookarounds and anchors consume nothing and are dropped, which can only add matches, and
# anything that is not a finite choice of literals (x? included) becomes a gap; both only make the
# forms looser, so if every form has a literal run holding a trigger, so does every match.

Form = tuple[str | None, ...]
MAX_FORMS = 20_000


def _concat(left: Form, right: Form) -> Form:
    if left and right and left[-1] is not None and right[0] is not None:
        return (*left[:-1], left[-1] + right[0], *right[1:])
    if left and right and left[-1] is None and right[0] is None:
        return (*left, *right[1:])
    return (*left, *right)


def _forms(items: sre_parse.SubPattern | list) -> set[Form]:
    forms: set[Form] = {()}
    for op, av in items:
        forms = {_concat(a, b) for a in forms for b in _node_forms(op, av)}
        assert len(forms) <= MAX_FORMS, "pattern too combinatorial for the trigger proof"
    return forms


def _node_forms(op: object, av: object) -> set[Form]:
    if op is sre.LITERAL:
        return {(chr(av),)}
    if op is sre.IN and all(kind is sre.LITERAL for kind, _ in av):
        return {(chr(code),) for _, code in av}
    if op is sre.SUBPATTERN:
        return _forms(av[-1])
    if op is sre.BRANCH:
        return set().union(*(_forms(branch) for branch in av[1]))
    if op in (sre.MAX_REPEAT, sre.MIN_REPEAT) and av[1] <= 1:  # x? and x{1}
        low, high, body = av
        body_forms = _forms(body)
        forms: set[Form] = set()
        repeated: set[Form] = {()}
        for count in range(high + 1):
            if count >= low:
                forms |= repeated
            repeated = {_concat(a, b) for a in repeated for b in body_forms}
        return forms
    if op in (sre.ASSERT, sre.ASSERT_NOT, sre.AT):
        return {()}
    return {(None,)}  # ., negated or ranged classes, long repeats, ...: could be anything


def _uncovered_forms(pattern: re.Pattern[str], triggers: tuple[str, ...]) -> list[Form]:
    assert not pattern.flags & re.IGNORECASE, "the proof and `in` are case-sensitive"
    return [
        form
        for form in _forms(sre_parse.parse(pattern.pattern, pattern.flags))
        if not any(trigger in run for run in form if run is not None for trigger in triggers)
    ]


@pytest.mark.parametrize("rule", RULES, ids=lambda rule: rule.name)
def test_triggers_cover_every_match_of_the_pattern(rule: Rule) -> None:
    assert rule.triggers, "every rule should have a prefilter"
    assert all(rule.triggers), "an empty trigger would let everything through"
    assert _uncovered_forms(rule.pattern, rule.triggers) == []


@pytest.mark.parametrize("rule", RULES, ids=lambda rule: rule.name)
def test_every_trigger_is_needed(rule: Rule) -> None:
    # Also shows the proof above is not vacuous: without any one trigger it finds a match
    # the others would let slip.
    for trigger in rule.triggers:
        fewer = tuple(other for other in rule.triggers if other != trigger)
        assert _uncovered_forms(rule.pattern, fewer), f"{rule.name}: {trigger} is redundant"


def test_trigger_proof_catches_a_missing_trigger() -> None:
    pattern = re.compile(r"(?<!不)着火|(?:大量|滚滚)浓烟(?!味)|火灾.{0,3}(?:发生|蔓延)?")
    assert _uncovered_forms(pattern, ("火", "烟")) == []
    assert set(_uncovered_forms(pattern, ("火",))) == {("大量浓烟",), ("滚滚浓烟",)}
    # 火灾蔓延 is no trigger for 火灾.{0,3}蔓延: the gap may come between them.
    assert set(_uncovered_forms(pattern, ("着火", "浓烟", "火灾蔓延"))) == {
        ("火灾", None),
        ("火灾", None, "发生"),
        ("火灾", None, "蔓延"),
    }


def _texts() -> list[str]:
    requests = generate(4000, seed=11)
    return [
        *(text for text, _, _ in URGENT),
        *NEAR_MISSES,
        *(r.text for r in requests),
        *(model_input(r.title, r.text) for r in requests),
        *(r.text for r in generate(20000, seed=5) if r.urgent),
    ]


def test_triggers_never_reject_a_text_the_pattern_matches() -> None:
    texts = _texts()
    for rule in RULES:
        matched = [text for text in texts if rule.pattern.search(text)]
        assert all(rule.matches(text) for text in matched), rule.name
        assert all(any(trigger in text for trigger in rule.triggers) for text in matched)
    # Without the prefilter: the first rule whose pattern matches, as before.
    for text in texts:
        expected = next((rule for rule in RULES if rule.pattern.search(text)), None)
        assert match_rule(text) is expected, text


def test_a_rule_without_triggers_always_searches() -> None:
    rule = Rule(name="anything", pattern=re.compile("漏水"), department=None)
    assert rule.matches("楼上漏水")
    assert not rule.matches("楼上很吵")
    gated = dataclasses.replace(rule, triggers=("水",))
    assert gated.matches("楼上漏水")
    assert not dataclasses.replace(rule, triggers=("火",)).matches("楼上漏水")
