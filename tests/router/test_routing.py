"""Routing decisions: rules, department thresholds and the triage queue."""

from __future__ import annotations

import pytest

from classifiers.model import Prediction
from router.departments import TRIAGE, TRIAGE_QUEUE
from router.routing import (
    TRIAGE_LOW_CONFIDENCE,
    TRIAGE_UNKNOWN_DEPARTMENT,
    decide,
    route_batch,
    triage_reason,
)
from topics.schemas import Ticket


def _ticket(text: str, title: str = "") -> Ticket:
    return Ticket(
        ticket_id="web-1",
        channel="web",
        source_id="1",
        received_at="2026-11-20T10:00:00+08:00",
        title=title,
        text=text,
    )


def _prediction(department: str, confidence: float) -> Prediction:
    rest = (1 - confidence) / 2
    return Prediction(
        department=department,
        confidence=confidence,
        top=[(department, confidence), ("TRANSPORT", rest), ("EDUCATION", rest)],
    )


def test_confident_model_routes_to_its_department(catalogue):
    ticket = decide(
        _ticket("小区门口道路坑洼，雨天积满泥水，希望尽快修补路面"),
        _prediction("MUNICIPAL_ENGINEERING", 0.91),
        catalogue=catalogue,
        model_version="v1",
    )
    assert ticket.routing.department == "MUNICIPAL_ENGINEERING"
    assert ticket.routing.queue == catalogue["MUNICIPAL_ENGINEERING"].queue
    assert ticket.routing.method == "model"
    assert ticket.routing.model_version == "v1"
    assert ticket.routing.rule is None
    assert ticket.urgency == "normal"
    assert triage_reason(ticket, catalogue=catalogue) is None


def test_below_threshold_goes_to_triage_with_top3(catalogue):
    threshold = catalogue["EDUCATION"].threshold
    ticket = decide(
        _ticket("想问一下孩子转学需要什么材料"),
        _prediction("EDUCATION", threshold - 0.01),
        catalogue=catalogue,
        model_version="v1",
    )
    assert ticket.routing.department == TRIAGE
    assert ticket.routing.queue == TRIAGE_QUEUE
    assert [d for d, _ in ticket.routing.top] == ["EDUCATION", "TRANSPORT", "EDUCATION"][:3]
    assert triage_reason(ticket, catalogue=catalogue) == TRIAGE_LOW_CONFIDENCE


def test_threshold_is_inclusive(catalogue):
    threshold = catalogue["EDUCATION"].threshold
    ticket = decide(
        _ticket("想问一下孩子转学需要什么材料"),
        _prediction("EDUCATION", threshold),
        catalogue=catalogue,
        model_version="v1",
    )
    assert ticket.routing.department == "EDUCATION"


def test_label_unknown_to_the_catalogue_goes_to_triage(catalogue):
    ticket = decide(
        _ticket("一段普通的咨询"),
        _prediction("NO_SUCH_DEPT", 0.99),
        catalogue=catalogue,
        model_version="v1",
    )
    assert ticket.routing.department == TRIAGE
    assert triage_reason(ticket, catalogue=catalogue) == TRIAGE_UNKNOWN_DEPARTMENT


def test_urgent_rule_fixes_department_and_is_recorded(catalogue):
    ticket = decide(
        _ticket("楼道里闻到很浓的煤气味，怀疑燃气泄漏，请马上派人处理"),
        _prediction("URBAN_MANAGEMENT", 0.3),
        catalogue=catalogue,
        model_version="v1",
    )
    assert ticket.urgency == "urgent"
    assert ticket.routing.method == "rule"
    assert ticket.routing.rule == "gas_leak"
    assert ticket.routing.department == "GAS_SUPPLY"
    assert ticket.routing.top[0][0] == "URBAN_MANAGEMENT"  # the model's view is kept


@pytest.mark.parametrize(
    "text",
    ["电梯突然停在两层之间，有人被困电梯里出不来", "小区3栋着火了，浓烟很大"],
)
def test_urgent_texts_are_marked_urgent(catalogue, text):
    ticket = decide(
        _ticket(text),
        _prediction("HOUSING_CONSTRUCTION", 0.8),
        catalogue=catalogue,
        model_version="v1",
    )
    assert ticket.urgency == "urgent"
    assert ticket.routing.rule is not None


def test_route_batch_matches_one_by_one_decisions(model, catalogue):
    tickets = [
        _ticket("小区楼下烧烤店油烟很大，晚上还很吵", title="烧烤油烟扰民"),
        _ticket("公司拖欠我三个月工资不给，老板电话也不接", title="拖欠工资"),
        _ticket("请问孩子上小学需要准备哪些入学材料", title="入学咨询"),
    ]
    batch = route_batch(tickets, model=model, catalogue=catalogue)
    single = [route_batch([t], model=model, catalogue=catalogue)[0] for t in tickets]
    assert [t.routing.department for t in batch] == [t.routing.department for t in single]
    assert [t.routing.confidence for t in batch] == pytest.approx(
        [t.routing.confidence for t in single], abs=1e-4
    )
    assert batch[1].routing.top[0][0] in {"LABOR_INSPECTION", "HUMAN_RESOURCES"}


def test_model_thresholds_override_the_catalogue(catalogue):
    ticket = _ticket("想问一下孩子转学需要什么材料")
    prediction = _prediction("EDUCATION", 0.6)
    routed = decide(
        ticket, prediction, catalogue=catalogue, model_version="v1", thresholds={"EDUCATION": 0.7}
    )
    assert routed.routing.department == TRIAGE
    routed = decide(
        ticket, prediction, catalogue=catalogue, model_version="v1", thresholds={"EDUCATION": 0.55}
    )
    assert routed.routing.department == "EDUCATION"
    routed = decide(
        ticket, prediction, catalogue=catalogue, model_version="v1", thresholds={"TRANSPORT": 0.99}
    )  # no own threshold: the catalogue's (0.5)
    assert routed.routing.department == "EDUCATION"
