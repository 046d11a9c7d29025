"""The classifier wrapper, segmentation and model artefacts."""

from __future__ import annotations

import json

import pytest

from classifiers.artefacts import METADATA_FILE, MODEL_FILE, load_model, save_model
from classifiers.model import DepartmentModel, build_pipeline, model_input
from classifiers.segment import Segmenter, domain_words
from router.exceptions import ConfigurationError, ModelError

TEXTS = [
    "小区楼道燃气管道漏气，闻到煤气味",
    "燃气费缴费后一直没有到账",
    "公司拖欠工资三个月不发",
    "工地老板欠薪跑路了",
    "公交车到站不停，司机态度恶劣",
    "公交线路调整后不方便出行",
] * 4
LABELS = [
    "GAS_SUPPLY",
    "GAS_SUPPLY",
    "LABOR_INSPECTION",
    "LABOR_INSPECTION",
    "PUBLIC_TRANSPORT",
    "PUBLIC_TRANSPORT",
] * 4


def test_segmenter_uses_domain_words_and_drops_punctuation():
    tokens = Segmenter().tokens("小区门口占道经营，电梯困人！2024年")
    assert "占道经营" in tokens and "电梯困人" in tokens
    assert "，" not in tokens and "！" not in tokens
    assert "<NUM>" in tokens
    assert "电梯困人" in domain_words()


def test_both_engines_give_the_same_tokens():
    texts = [
        "市民来电反映：其于2017年10月12日已缴纳定金5万元，购买某小区二期房屋，被开发商告知无法使用公积金贷款",
        "西城区人民路与解放路交叉口红绿灯坏了，早高峰非常拥堵，请交警到场疏导",
        "我家楼上装修噪音扰民，周末早上七点就开始电钻，物业公司不管",
    ]
    fast, reference = Segmenter(engine="rjieba"), Segmenter(engine="jieba")
    for text in texts:
        assert fast.tokens(text) == reference.tokens(text)


def test_unknown_engine_is_a_clear_error():
    with pytest.raises(ConfigurationError, match="unknown segmentation engine"):
        Segmenter(engine="nope").fit(["x"])


def test_predict_gives_sorted_top3_probabilities():
    pipeline = build_pipeline(min_df=1).fit(TEXTS, LABELS)
    model = DepartmentModel(pipeline=pipeline, metadata={"version": "t"})
    (prediction,) = model.predict(["楼道里煤气味很重"])
    assert prediction.department == "GAS_SUPPLY"
    assert len(prediction.top) == 3
    probabilities = [p for _, p in prediction.top]
    assert probabilities == sorted(probabilities, reverse=True)
    assert prediction.confidence == probabilities[0]
    assert sum(probabilities) == pytest.approx(1.0, abs=1e-3)
    assert model.predict([]) == []


def test_model_input_joins_title_and_text():
    assert model_input("噪音", "晚上很吵") == "噪音。晚上很吵"
    assert model_input("", "晚上很吵") == "晚上很吵"


def test_save_and_load_round_trip(tmp_path):
    pipeline = build_pipeline(min_df=1).fit(TEXTS, LABELS)
    saved = save_model(tmp_path, pipeline, {"version": "test-1", "metrics": {"macro_f1": 1.0}})
    loaded = load_model(tmp_path)
    assert loaded.version == "test-1"
    assert loaded.labels == sorted(set(LABELS))
    metadata = json.loads((tmp_path / METADATA_FILE).read_text())
    assert metadata["sha256"] == saved.metadata["sha256"]
    text = ["工资被拖欠了"]
    assert loaded.predict(text) == saved.predict(text)


def test_tampered_model_is_refused(tmp_path):
    save_model(tmp_path, build_pipeline(min_df=1).fit(TEXTS, LABELS), {"version": "t"})
    with (tmp_path / MODEL_FILE).open("ab") as fh:
        fh.write(b"tampered")
    with pytest.raises(ModelError, match="checksum"):
        load_model(tmp_path)


def test_missing_model_is_a_clear_error(tmp_path):
    with pytest.raises(ModelError, match="no model"):
        load_model(tmp_path)


def test_trained_default_model_records_metrics(model):
    metrics = model.metadata["metrics"]
    assert 0.0 < metrics["macro_f1"] <= 1.0
    assert set(model.labels) >= {"GAS_SUPPLY", "TRAFFIC_POLICE", "EDUCATION"}
