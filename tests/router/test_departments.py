"""The department catalogue: loading, name resolution and validation."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from router.departments import TRIAGE, TRIAGE_QUEUE, Catalogue, Department
from router.exceptions import ConfigurationError, UnknownDepartmentError
from tests.conftest import HAIKOU

#: Handling units of the Haikou 12345 export (column 处置单位), by volume, and where they go.
HAIKOU_NAMES = {
    "公安局交通警察支队": "TRAFFIC_POLICE",
    "城市管理行政执法局": "URBAN_MANAGEMENT",
    "交通运输和港航管理局": "TRANSPORT",
    "公安局": "PUBLIC_SECURITY",
    "工商局": "MARKET_REGULATION",
    "政府服务中心": "GOV_SERVICE_CENTER",
    "住房和城乡建设局": "HOUSING_CONSTRUCTION",
    "公共交通集团有限公司": "PUBLIC_TRANSPORT",
    "教育局": "EDUCATION",
    "国土资源局": "NATURAL_RESOURCES",
    "社会保险事业局": "SOCIAL_INSURANCE",
    "数字城管专席": "URBAN_MANAGEMENT",
    "人民政府": "DISTRICT_GOVERNMENT",
    "人力资源和社会保障局": "HUMAN_RESOURCES",
    "威立雅水务有限公司": "WATER_SUPPLY",
    "卫生局": "HEALTH",
    "民生燃气股份有限公司": "GAS_SUPPLY",
    "物价监督检查局": "MARKET_REGULATION",
    "环保局": "ECOLOGY_ENVIRONMENT",
    "中国移动": "TELECOM",
    "食品药品监督管理局": "MARKET_REGULATION",
    "中国有线电视网络有限公司": "TELECOM",
    "劳动保障监察大队": "LABOR_INSPECTION",
    "市政工程维修公司": "MUNICIPAL_ENGINEERING",
    "供电政府服务中心": "POWER_SUPPLY",
    "规划委员会": "NATURAL_RESOURCES",
    "物价监督局": "MARKET_REGULATION",
    "经济开发区": "DISTRICT_GOVERNMENT",
    "开源水务资产管理有限公司": "WATER_SUPPLY",
    "中国联合网络通信股份有限公司": "TELECOM",
    "民政局": "CIVIL_AFFAIRS",
    "市政维修管理中心": "MUNICIPAL_ENGINEERING",
    "劳动监察大队": "LABOR_INSPECTION",
    "港航控股有限公司": "TRANSPORT",
    "生态环境保护局": "ECOLOGY_ENVIRONMENT",
    "园林管理局": "LANDSCAPING",
    "市政管理局": "MUNICIPAL_ENGINEERING",
    "住房保障中心": "HOUSING_SECURITY",
    "公安局消防支队": "FIRE_RESCUE",
    "公共绿化管理所": "LANDSCAPING",
    "工商行政管理局": "MARKET_REGULATION",
    "政务服务中心": "GOV_SERVICE_CENTER",
    "环境保护局": "ECOLOGY_ENVIRONMENT",
    "市政务中心": "GOV_SERVICE_CENTER",
    "排水管道养护所": "MUNICIPAL_ENGINEERING",
    "人口计划生育委员会": "HEALTH",
    "安全生产监督管理局": "EMERGENCY_MANAGEMENT",
    "文化体育和旅游发展局": "CULTURE_TOURISM",
}


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return Catalogue.load()


def test_catalogue_loads(catalogue: Catalogue) -> None:
    assert len(catalogue) >= 24
    assert len(set(catalogue.codes)) == len(catalogue.codes)
    assert TRIAGE not in catalogue
    assert TRIAGE_QUEUE == "hotline:queue:TRIAGE"
    for dept in catalogue:
        assert isinstance(dept, Department)
        assert catalogue[dept.code] is dept
        assert dept.queue == "hotline:queue:" + dept.code
        assert 0 < dept.threshold < 1
        assert dept.sla_policy in ("standard", "utility")
        assert not dept.parent or dept.parent in catalogue
    assert [d.code for d in catalogue] == list(catalogue.codes)
    utilities = {d.code for d in catalogue if d.sla_policy == "utility"}
    assert utilities == {"WATER_SUPPLY", "POWER_SUPPLY", "GAS_SUPPLY", "HEATING_SUPPLY"}


def test_every_name_and_alias_resolves(catalogue: Catalogue) -> None:
    for dept in catalogue:
        for name in (dept.code, dept.name, *dept.aliases):
            assert catalogue.resolve(name) is dept, name
            assert catalogue.resolve(f" {name}\u3000") is dept, name


def test_resolve_with_and_without_leading_shi(catalogue: Catalogue) -> None:
    assert catalogue.resolve("市公安局").code == "PUBLIC_SECURITY"
    assert catalogue.resolve("公安局").code == "PUBLIC_SECURITY"
    assert catalogue.resolve("市交通运输和港航管理局").code == "TRANSPORT"
    assert catalogue.resolve("市政工程管理处").code == "MUNICIPAL_ENGINEERING"  # 市市政工程管理处
    assert catalogue.resolve("市政管理局").code == "MUNICIPAL_ENGINEERING"  # not 政管理局


def test_unknown_names_raise(catalogue: Catalogue) -> None:
    with pytest.raises(UnknownDepartmentError, match="火星管理局"):
        catalogue.resolve("火星管理局")
    with pytest.raises(UnknownDepartmentError):
        catalogue.resolve("")
    with pytest.raises(UnknownDepartmentError):
        catalogue.resolve(TRIAGE)
    with pytest.raises(UnknownDepartmentError, match="NO_SUCH"):
        catalogue["NO_SUCH"]
    assert "NO_SUCH" not in catalogue
    assert issubclass(UnknownDepartmentError, ConfigurationError)


def test_resolve_many_reports_unknown_names_with_counts(catalogue: Catalogue) -> None:
    names = ["工商局", "美兰国际机场", "公安局", "财政局", "美兰国际机场", "工商局", "美兰国际机场"]
    known, unknown = catalogue.resolve_many(names)
    assert {name: dept.code for name, dept in known.items()} == {
        "工商局": "MARKET_REGULATION",
        "公安局": "PUBLIC_SECURITY",
    }
    assert unknown == {"美兰国际机场": 3, "财政局": 1}
    assert list(unknown) == ["美兰国际机场", "财政局"]  # most frequent first


@pytest.mark.parametrize(("name", "code"), sorted(HAIKOU_NAMES.items()))
def test_haikou_names_resolve(catalogue: Catalogue, name: str, code: str) -> None:
    assert catalogue.resolve(name).code == code


@pytest.mark.data
def test_haikou_export_resolves_almost_entirely(catalogue: Catalogue) -> None:
    if not HAIKOU.exists():
        pytest.skip("the Haikou export is not in ../shared/data")
    with HAIKOU.open(encoding="gb18030", newline="") as file:
        units = [row["处置单位"] for row in csv.DictReader(file)]
    _, unknown = catalogue.resolve_many(units)
    assert sum(unknown.values()) / len(units) < 0.05, list(unknown.items())[:10]


# ------------------------------------------------------------------ validation

GOOD = """
[[department]]
code = "PUBLIC_SECURITY"
name = "市公安局"
aliases = ["公安局"]
parent = ""
queue = "hotline:queue:PUBLIC_SECURITY"
threshold = 0.5
sla_policy = "standard"

[[department]]
code = "TRAFFIC_POLICE"
name = "市公安局交通警察支队"
aliases = ["交警支队", "交警"]
parent = "PUBLIC_SECURITY"
queue = "hotline:queue:TRAFFIC_POLICE"
threshold = 0.6
sla_policy = "standard"
"""


SECOND_POLICE = """
[[department]]
code = "PUBLIC_SECURITY"
name = "另一个公安局"
aliases = []
queue = "hotline:queue:PUBLIC_SECURITY"
threshold = 0.5
sla_policy = "standard"
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "departments.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_small_catalogue_from_path(tmp_path: Path) -> None:
    catalogue = Catalogue.load(write(tmp_path, GOOD))
    assert catalogue.codes == ("PUBLIC_SECURITY", "TRAFFIC_POLICE")
    assert catalogue.resolve("交警").threshold == 0.6
    assert catalogue["TRAFFIC_POLICE"].aliases == ("交警支队", "交警")
    assert catalogue["TRAFFIC_POLICE"].parent == "PUBLIC_SECURITY"


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ('"standard"\n"""', '"standard"\n' + SECOND_POLICE + '"""', "duplicate department code"),
        ('["交警支队", "交警"]', '["交警支队", "公安局"]', "claimed by both"),
        ('name = "市公安局交通警察支队"', 'name = "公安局"', "claimed by both"),
        ('parent = "PUBLIC_SECURITY"', 'parent = "POLICE"', "parent 'POLICE'"),
        ('parent = ""', 'parent = "TRAFFIC_POLICE"', "cycle"),
        ('queue = "hotline:queue:TRAFFIC_POLICE"', 'queue = "hotline:queue:TRAFFIC"', "queue"),
        ("threshold = 0.6", "threshold = 0", "outside"),
        ("threshold = 0.6", "threshold = 1.0", "outside"),
        ("threshold = 0.6", "threshold = 1.5", "outside"),
        ("threshold = 0.6", 'threshold = "high"', "number"),
        ('sla_policy = "standard"\n"""', 'sla_policy = "urgent"\n"""', "sla_policy"),
        ('code = "TRAFFIC_POLICE"', 'code = "traffic police"', "upper-snake"),
        ('code = "TRAFFIC_POLICE"', 'code = "TRIAGE"', "upper-snake"),
        ('aliases = ["交警支队", "交警"]', 'aliases = "交警"', "aliases"),
        ('aliases = ["交警支队", "交警"]', "", "missing aliases"),
        ("threshold = 0.6", "threshold = 0.6\ncolour = 'red'", "unknown keys colour"),
        ("[[department]]", "[[department]", "department catalogue"),
    ],
)
def test_validation_errors(tmp_path: Path, old: str, new: str, message: str) -> None:
    text = (GOOD + '"""').replace(old, new, 1).removesuffix('"""')
    assert text != GOOD
    with pytest.raises(ConfigurationError, match=message):
        Catalogue.load(write(tmp_path, text))


def test_missing_and_empty_files(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match=r"nowhere\.toml"):
        Catalogue.load(tmp_path / "nowhere.toml")
    with pytest.raises(ConfigurationError, match=r"no \[\[department\]\]"):
        Catalogue.load(write(tmp_path, "title = 'empty'\n"))
