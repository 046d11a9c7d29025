"""Importing historical exports: encodings, columns, labels through aliases, masking."""

from __future__ import annotations

import re

import openpyxl
import pytest

from classifiers.importer import (
    EXAMPLE_COLUMNS,
    Columns,
    decode_csv_bytes,
    import_export,
    read_table,
    write_examples,
)
from router.exceptions import ConfigurationError, UnknownDepartmentError
from tests.conftest import HAIKOU, TEDDY

CSV = (
    "编号,内容,承办单位\n"
    '1,"市民来电反映: 楼下饭店油烟很大，其电话13812345678。请城管核实处理！",城市管理行政执法局\n'
    "2,市民来电咨询: 社保卡怎么补办？请社保局核实处理！,社会保险事业局\n"
    "3,市民来电反映: 机场大巴晚点,美兰国际机场\n"
)
COLUMNS = Columns(text="内容", label="承办单位", id="编号")


@pytest.mark.parametrize(
    ("encoding", "found"), [("utf-8-sig", "utf-8-sig"), ("utf-8", "utf-8"), ("gbk", "gb18030")]
)
def test_csv_encodings_are_detected(tmp_path, encoding, found):
    path = tmp_path / "export.csv"
    path.write_bytes(CSV.encode(encoding))
    rows, detected = read_table(path)
    assert detected == found
    assert [row["编号"] for row in rows] == ["1", "2", "3"]
    assert rows[1]["承办单位"] == "社会保险事业局"


def test_undecodable_file_is_a_clear_error():
    with pytest.raises(ConfigurationError, match="neither UTF-8 nor GB18030"):
        decode_csv_bytes(b"\x81\x30\xff\xff\xfe")


def test_unknown_labels_are_an_error_listing_them(tmp_path, catalogue):
    path = tmp_path / "export.csv"
    path.write_text(CSV, encoding="utf-8")
    with pytest.raises(ConfigurationError, match=r"美兰国际机场 \(1\)"):
        import_export([path], columns=COLUMNS, catalogue=catalogue)


def test_import_resolves_aliases_strips_notes_and_masks(tmp_path, catalogue):
    path = tmp_path / "export.csv"
    path.write_text(CSV, encoding="utf-8")
    report = import_export([path], columns=COLUMNS, catalogue=catalogue, allow_unknown=True)
    assert [(e.id, e.department) for e in report.examples] == [
        ("1", "URBAN_MANAGEMENT"),
        ("2", "SOCIAL_INSURANCE"),
    ]
    assert report.unknown_labels == {"美兰国际机场": 1}
    assert report.skipped == {"unknown_label": 1}
    first = report.examples[0]
    assert "13812345678" not in first.text and "138****5678" in first.text
    assert "核实处理" not in first.text and first.text.startswith("市民来电反映")


def test_an_alias_file_maps_further_names(tmp_path, catalogue):
    path = tmp_path / "export.csv"
    path.write_text(CSV, encoding="utf-8")
    report = import_export(
        [path], columns=COLUMNS, catalogue=catalogue, aliases={"美兰国际机场": "TRANSPORT"}
    )
    assert [e.department for e in report.examples] == [
        "URBAN_MANAGEMENT",
        "SOCIAL_INSURANCE",
        "TRANSPORT",
    ]
    with pytest.raises(UnknownDepartmentError):
        import_export([path], columns=COLUMNS, catalogue=catalogue, aliases={"美兰国际机场": "X"})


def test_missing_column_names_the_columns_there_are(tmp_path, catalogue):
    path = tmp_path / "export.csv"
    path.write_text(CSV, encoding="utf-8")
    with pytest.raises(ConfigurationError, match="no column 诉求内容; the columns are 编号, 内容"):
        import_export(
            [path], columns=Columns(text="诉求内容", label="承办单位"), catalogue=catalogue
        )


def test_import_format_round_trips_and_mixes_with_a_raw_export(tmp_path, catalogue):
    raw = tmp_path / "export.csv"
    raw.write_bytes(CSV.encode("gb18030"))
    first = import_export([raw], columns=COLUMNS, catalogue=catalogue, allow_unknown=True)
    written = write_examples(tmp_path / "examples.csv", first.examples)
    assert written == len(first.examples) == 2
    again = import_export([tmp_path / "examples.csv"], columns=EXAMPLE_COLUMNS, catalogue=catalogue)
    assert again.examples == [
        e.__class__(**{**e.__dict__, "raw_label": e.department}) for e in first.examples
    ]
    both = import_export(
        [raw, tmp_path / "examples.csv"], columns=COLUMNS, catalogue=catalogue, allow_unknown=True
    )
    assert [e.department for e in both.examples] == [e.department for e in first.examples] * 2


def test_xlsx_exports_are_read(tmp_path, catalogue):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["编号", "内容", "承办单位", "时间"])
    sheet.append([101, "市民来电反映: 工地夜间施工噪音很大", "城管局", "2024/05/01 10:00"])
    sheet.append([None, None, None, None])
    path = tmp_path / "export.xlsx"
    workbook.save(path)
    report = import_export(
        [path],
        columns=Columns(text="内容", label="承办单位", id="编号", time="时间"),
        catalogue=catalogue,
    )
    assert report.encodings == {"export.xlsx": "xlsx"}
    (example,) = report.examples
    assert (example.id, example.department, example.time) == (
        "101",
        "URBAN_MANAGEMENT",
        "2024/05/01 10:00",
    )


@pytest.mark.data
@pytest.mark.skipif(not HAIKOU.exists(), reason=f"real data not found at {HAIKOU}")
def test_haikou_export_imports_with_its_unknown_names_reported(catalogue):
    columns = Columns(text="诉求内容", label="处置单位", id="工单编号")
    with pytest.raises(ConfigurationError, match="not in the catalogue"):
        import_export([HAIKOU], columns=columns, catalogue=catalogue)
    report = import_export([HAIKOU], columns=columns, catalogue=catalogue, allow_unknown=True)
    assert report.encodings == {HAIKOU.name: "gb18030"}
    assert len(report.examples) > 3700
    assert sum(report.unknown_labels.values()) == report.skipped["unknown_label"]
    assert len({e.department for e in report.examples}) >= 20
    for example in report.examples:
        assert not re.search(r"(?<!\d)1[3-9]\d{9}(?!\d)", example.text), example.id
    assert sum("响应处置" in e.text for e in report.examples) < 0.02 * len(report.examples)


@pytest.mark.data
@pytest.mark.skipif(not TEDDY.exists(), reason=f"real data not found at {TEDDY}")
def test_teddy_workbook_reads_all_messages():
    rows, kind = read_table(TEDDY)
    assert kind == "xlsx" and len(rows) == 495
    assert {"留言主题", "留言详情", "一级分类"} <= set(rows[0])
    assert len({row["一级分类"] for row in rows}) == 7
