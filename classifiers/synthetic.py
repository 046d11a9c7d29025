"""Synthetic citizen requests: the offline training set of the default model and the
simulator's source of traffic.

Requests are drawn from hand-written templates per department (``_CORPUS`` below), each a
matter (intent) with its request type, a few phrasings with slots (places, times, amounts,
people) and alternatives, so that a model has to generalise rather than memorise. Generic
openers, complaints about delay, closings and contact details are shared by all departments,
and related matters deliberately overlap across departments (noise from a building site, a bar,
a factory or the neighbours upstairs goes to four different departments).

The departments are balanced: every run of ``len(catalogue)`` consecutive requests holds each
department once, in a shuffled order. Real volume is very skewed (traffic police get fifty
times the work orders of landscaping), which would starve the rare classes of the training
set; reweighting for a realistic simulation is the caller's business.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from itertools import accumulate, islice, pairwise
from typing import TypeVar

from router.departments import Catalogue
from router.exceptions import ConfigurationError
from topics.schemas import REQUEST_TYPES


@dataclass(frozen=True, kw_only=True)
class SyntheticRequest:
    """One invented citizen request, before any channel gives it its raw shape.

    ``text`` is what the citizen says, in their own words, without a channel prefix such as
    "市民来电反映："; the channel adapters' ``render`` functions add those. It may mention the
    citizen's phone number (the cleaning must move it out again).
    """

    department: str  # catalogue code: the right answer
    request_type: str  # one of topics.schemas.REQUEST_TYPES
    title: str  # a short subject line, as a citizen would type it
    text: str
    district: str
    street: str
    community: str
    address: str
    citizen_name: str
    phone: str
    id_number: str | None = None
    urgent: bool = False
    category_hint: str | None = None  # what a grid worker would tick
    lat: float | None = None
    lon: float | None = None


#: Share of requests about a risk to life or property (only departments with urgent matters
#: get them, more often, so that the share over all departments is this).
URGENT_SHARE = 0.05
#: Share of requests with a category hint, with an ID-card number, with a phone number in the text.
HINT_SHARE = 0.3
ID_SHARE = 0.05
PHONE_IN_TEXT_SHARE = 0.12
#: Relative weights of the request types (a department without a type falls back to the others).
TYPE_WEIGHTS: dict[str, int] = {
    "咨询": 26,
    "求助": 20,
    "投诉": 26,
    "举报": 12,
    "建议": 8,
    "表扬": 4,
    "撤销": 4,
}

# ------------------------------------------------------------------ the template language
#
# A template is text with ``{slot}`` references (see _SLOTS) and ``[a|b|c]`` alternatives, which
# nest and may be empty (``[很|]``). Templates are compiled once, at import.


class _Slot:
    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name


class _Choice:
    __slots__ = ("options",)

    def __init__(self, options: tuple[tuple[str | _Slot | _Choice, ...], ...]) -> None:
        self.options = options


_Seq = tuple[str | _Slot | _Choice, ...]
_T = TypeVar("_T")


def _compile(template: str) -> _Seq:
    seq, end = _compile_seq(template, 0, nested=False)
    if end != len(template):
        raise ValueError(f"unbalanced ']' or '|' in template {template!r}")
    return seq


def _compile_seq(template: str, pos: int, *, nested: bool) -> tuple[_Seq, int]:
    items: list[str | _Slot | _Choice] = []
    text: list[str] = []

    def flush() -> None:
        if text:
            items.append("".join(text))
            text.clear()

    while pos < len(template):
        char = template[pos]
        if char == "{":
            end = template.index("}", pos)
            name = template[pos + 1 : end]
            if name not in _SLOTS:
                raise ValueError(f"unknown slot {{{name}}} in template {template!r}")
            flush()
            items.append(_Slot(name))
            pos = end + 1
        elif char == "[":
            flush()
            options = []
            pos += 1
            while True:
                option, pos = _compile_seq(template, pos, nested=True)
                options.append(option)
                if pos >= len(template):
                    raise ValueError(f"unclosed '[' in template {template!r}")
                pos += 1
                if template[pos - 1] == "]":
                    break
            items.append(_Choice(tuple(options)))
        elif char in "|]":
            if not nested:
                raise ValueError(f"'{char}' outside brackets in template {template!r}")
            break
        else:
            text.append(char)
            pos += 1
    flush()
    return tuple(items), pos


def _pick(rng: random.Random, options: Sequence[_T]) -> _T:
    """``rng.choice`` at a third of the cost (one float instead of rejection sampling)."""
    return options[int(rng.random() * len(options))]


def _int(rng: random.Random, low: int, high: int) -> int:
    """``rng.randint``, cheaper in the same way."""
    return low + int(rng.random() * (high - low + 1))


def _render(seq: _Seq, rng: random.Random, scene: _Scene) -> str:
    out: list[str] = []
    _render_into(seq, rng, scene, out)
    return "".join(out)


def _render_into(seq: _Seq, rng: random.Random, scene: _Scene, out: list[str]) -> None:
    for item in seq:
        if type(item) is str:
            out.append(item)
        elif type(item) is _Slot:
            out.append(_SLOTS[item.name](rng, scene))
        else:
            _render_into(_pick(rng, item.options), rng, scene, out)


# ------------------------------------------------------------------ the fictional city


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


#: District -> its streets (街道) and one town (镇, last), with the district's centre.
_DISTRICTS: dict[str, tuple[tuple[str, ...], tuple[float, float]]] = {
    "东湖区": (("湖滨街道", "解放街道", "东亭街道", "月湖街道", "新桥镇"), (30.592, 114.342)),
    "西城区": (("西关街道", "白塔街道", "城西街道", "金沙街道", "石桥镇"), (30.571, 114.215)),
    "南山区": (("南山街道", "桂园街道", "南湖街道", "沙河街道", "青龙镇"), (30.498, 114.286)),
    "北港区": (("港湾街道", "北站街道", "海港街道", "滨江街道", "渔村镇"), (30.664, 114.301)),
    "高新区": (("科技园街道", "创新街道", "软件园街道", "光谷街道", "龙湾镇"), (30.512, 114.412)),
    "临江区": (("临江街道", "江北街道", "东渡街道", "望江街道", "三江镇"), (30.627, 114.188)),
}
_PLACE_WORDS = _words(
    "人民 解放 建设 和平 胜利 中山 新华 长江 滨江 湖滨 文化 学府 光明 幸福 友谊 团结 青年 工业 "
    "振兴 迎宾 金桥 银杏 梧桐 紫荆 丹桂 海棠 玉兰 春晓 朝阳 望江 临湖 锦绣 兴业 创业 科技 枫林 "
    "桃园 白沙 石桥 龙泉 凤凰 仙桥 育才 健康 新港 东风 红旗 北环 南湖 西湖 翠屏 青山 云台 汉江"
)
_ROAD_SUFFIXES = _words("路 大道 街 东路 西路 南路 北路 一路 二路 中路 横路 巷")
_ESTATE_WORDS = _words(
    "阳光 锦绣 翠湖 金色 碧水 御景 华府 紫金 绿洲 瑞景 雅居 兰亭 云顶 天悦 东方 盛世 书香 怡景 "
    "和园 丽都 海韵 枫丹 星河 金域 水岸 江湾 君临 望湖 名仕 欣苑 嘉禾 福润 康城 香榭 半岛 时代"
)
_ESTATE_SUFFIXES = _words("花园 小区 家园 苑 名城 嘉园 公馆 新村 华庭 城 雅苑 佳园 一期 二期")
_VILLAGE_WORDS = _words(
    "大王 李家 陈家 小河 石门 黄土 上坪 下坪 新屋 东岭 西岭 长塘 柳树 沙坡 罗田 大塘 桥头 坝上 "
    "马鞍 塘头 岭下 高桥 白石 牛角 竹园 龙井 杨家 周家 荷塘 泉水"
)
_BRANDS = _words(
    "金鑫 华泰 鸿运 利民 永安 恒达 佳美 新世纪 鼎盛 顺发 宏图 福临门 好邻居 万家 百姓 康泰 聚福 "
    "美佳 诚信 阿强 老王 兴隆 天天 乐购 家家乐 惠民 华联 旺旺 鑫源 金海 蓝天 一品 老街 湘味 川香 "
    "粤港 红星 大众 宏达 众诚 星光 盛达 嘉信 新天地"
)
_SURNAMES = _words(
    "王 李 张 刘 陈 杨 黄 赵 吴 周 徐 孙 马 朱 胡 郭 何 高 林 罗 郑 梁 谢 宋 唐 许 韩 冯 邓 曹 彭 "
    "曾 肖 田 董 袁 潘 于 蒋 蔡 余 杜 叶 程 苏 魏 吕 丁 任 沈 姚 卢 姜 崔 钟 谭 陆 汪 范 金 石 廖"
)
_GIVEN = _words(
    "伟 芳 娜 敏 静 丽 强 磊 军 洋 勇 艳 杰 娟 涛 明 超 秀 霞 平 刚 桂 英 华 玉 兰 建 国 志 红 "
    "文 辉 海 波 宁 鹏 飞 俊 婷 雪 琳 晨 浩 宇 欣 怡 佳 思 梅 春 云 德 福 成 荣 新 东 亮 林 斌"
)


def _pick_names(
    rng: random.Random, count: int, words: tuple[str, ...], suffixes: tuple[str, ...]
) -> tuple[str, ...]:
    names: list[str] = []
    while len(names) < count:
        name = _pick(rng, words) + _pick(rng, suffixes)
        if name not in names:
            names.append(name)
    return tuple(names)


@dataclass(frozen=True)
class _District:
    name: str
    index: int
    streets: tuple[str, ...]  # the last one is a town (镇)
    communities: dict[str, tuple[str, ...]]
    roads: tuple[str, ...]
    estates: tuple[str, ...]
    villages: tuple[str, ...]
    centre: tuple[float, float]


def _build_city() -> tuple[_District, ...]:
    rng = random.Random(12345)  # the city is the same in every run
    city = []
    for index, (name, (streets, centre)) in enumerate(_DISTRICTS.items()):
        city.append(
            _District(
                name=name,
                index=index,
                streets=streets,
                communities={
                    street: _pick_names(rng, 3, _PLACE_WORDS, ("社区",)) for street in streets[:-1]
                },
                roads=_pick_names(rng, 12, _PLACE_WORDS, _ROAD_SUFFIXES),
                estates=_pick_names(rng, 12, _ESTATE_WORDS, _ESTATE_SUFFIXES),
                villages=_pick_names(rng, 5, _VILLAGE_WORDS, ("村",)),
                centre=centre,
            )
        )
    return tuple(city)


_CITY = _build_city()


def _phone(rng: random.Random) -> str:
    return f"1{_pick(rng, '3456789')}{rng.randrange(10**9):09d}"


_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def _id_number(rng: random.Random, district: _District) -> str:
    """An 18-digit resident ID number with a valid GB 11643 check digit."""
    body = (
        f"4599{district.index + 1:02d}{_int(rng, 1940, 2006)}{_int(rng, 1, 12):02d}"
        f"{_int(rng, 1, 28):02d}{rng.randrange(1000):03d}"
    )
    total = sum(int(digit) * weight for digit, weight in zip(body, _ID_WEIGHTS, strict=True))
    return body + "10X98765432"[total % 11]


class _Scene:
    """The state of one request while its templates are rendered."""

    __slots__ = (
        "building",
        "community",
        "district",
        "estate",
        "event",
        "home",
        "id_number",
        "name",
        "phone",
        "places",
        "request_type",
        "road",
        "road2",
        "rural",
        "staff",
        "street",
        "surname",
        "topic",
        "village",
    )

    def __init__(self, rng: random.Random) -> None:
        self.district = _pick(rng, _CITY)
        self.street = _pick(rng, self.district.streets[:-1])
        self.community = _pick(rng, self.district.communities[self.street])
        self.road, self.road2 = rng.sample(self.district.roads, 2)
        self.estate = _pick(rng, self.district.estates)
        self.village = _pick(rng, self.district.villages)
        self.building = f"{_int(rng, 1, 30)}栋"
        unit, floor, flat = _int(rng, 1, 4), _int(rng, 2, 33), _int(rng, 1, 4)
        self.home = f"{self.estate}{self.building}{unit}单元{floor}0{flat}"
        self.places: list[str] = []  # the places the text names, for the title
        self.rural = False
        self.surname = _pick(rng, _SURNAMES)
        given = _pick(rng, _GIVEN)
        self.name = self.surname + (given if rng.random() < 0.3 else given + _pick(rng, _GIVEN))
        self.phone = _phone(rng)
        self.id_number: str | None = None
        self.request_type = self.topic = self.staff = self.event = ""

    def place(self, name: str) -> str:
        self.places.append(name)
        return name


def _chinese_number(n: int) -> str:
    digits = "零一二三四五六七八九"
    if n < 10:
        return digits[n]
    tens, ones = divmod(n, 10)
    return ("十" if tens == 1 else digits[tens] + "十") + (digits[ones] if ones else "")


def _brand(rng: random.Random) -> str:
    return _pick(rng, _BRANDS)


def _of(words: str) -> Callable[[random.Random], str]:
    """A picker of one of the space-separated ``words``."""
    choices = _words(words)
    return lambda rng: _pick(rng, choices)


_SHOP = _of(
    "超市 便利店 水果店 服装店 手机店 五金店 美容院 理发店 母婴店 家电城 建材店 烟酒店 电动车行"
)
_RESTAURANT = _of("饭店 火锅店 烧烤店 面馆 快餐店 酒楼 大排档 小吃店 海鲜酒家 农家乐")
_BAR = _of("酒吧 KTV 夜宵店 清吧 歌舞厅 音乐餐吧")
_TRADE = _of("科技 贸易 物流 建筑 装饰 实业 商贸 电子 餐饮管理 保安服务 家政服务")
_PRODUCT = _of("塑料 化工 家具 食品 五金 印染 石材 木业 电镀 包装 橡胶")
_SCHOOL = _of("小学 中学 实验小学 第二中学 外国语学校 初级中学 实验学校 第一小学")
_DURATION = _of("好几天 一个星期 十多天 两周 半个多月 一个多月 两个月 三个多月 半年 大半年 一年多")
_NIGHT = _of("晚上十一点多 凌晨一两点 半夜十二点以后 凌晨三四点 晚上十点以后 深夜两点")
_PART_OF_DAY = _of("早上 上午 中午 下午 傍晚 晚上")
#: How citizens name the offices they already tried: noise that names no department reliably.
_OFFICE = _of(
    "城管 派出所 社区 物业 街道办 居委会 环保部门 住建部门 交警 市场监管所 村委会 镇政府 "
    "相关部门 12315"
)
_RELATIVE = _of(
    "我父亲 我母亲 我爸 我妈 我爱人 我老公 我老婆 我孩子 我儿子 我女儿 我爷爷 我奶奶 我家老人"
)


def _time(rng: random.Random) -> str:
    kind = rng.random()
    if kind < 0.5:
        day = _pick(rng, ("今天", "昨天", "前天", "昨天", "今天"))
        return f"{day}{_PART_OF_DAY(rng)}{_int(rng, 1, 11)}点{_pick(rng, ('左右', '多', '半', ''))}"
    if kind < 0.8:
        return f"{_int(rng, 1, 12)}月{_int(rng, 1, 28)}日{_PART_OF_DAY(rng)}"
    return "上周" + _pick(rng, "一二三四五六日")


def _date(rng: random.Random) -> str:
    kind = rng.random()
    if kind < 0.45:
        return f"{_int(rng, 2022, 2025)}年{_int(rng, 1, 12)}月{_int(rng, 1, 28)}日"
    if kind < 0.75:
        return f"{_int(rng, 1, 12)}月{_int(rng, 1, 28)}号"
    return f"{_pick(rng, ('今年', '去年'))}{_int(rng, 1, 12)}月份"


def _money(rng: random.Random) -> str:
    amount = _pick(
        rng,
        (
            _int(rng, 2, 99) * 10,
            _int(rng, 1, 60) * 100,
            _pick(rng, (98, 168, 298, 399, 688, 888, 1280, 2680, 3980)),
        ),
    )
    return _pick(rng, (f"{amount}元", f"{amount}元", f"{amount}块钱", f"{amount}多元"))


def _big_money(rng: random.Random) -> str:
    wan = _int(rng, 1, 60)
    return _pick(
        rng,
        (
            f"{wan}万元",
            f"{wan}万多",
            f"{wan}万{_int(rng, 1, 9)}千元",
            f"{wan * 10000 + _int(rng, 1, 99) * 100}元",
        ),
    )


def _wage(rng: random.Random) -> str:
    return f"{_int(rng, 30, 900) * 100}元"


def _plate(rng: random.Random) -> str:
    chars = [_pick(rng, "0123456789") for _ in range(5)]
    for pos in rng.sample(range(5), _pick(rng, (0, 1, 1, 2))):
        chars[pos] = _pick(rng, "ABCDEFGHJKLMNPQRSTUVWXYZ")
    return f"江{_pick(rng, 'ABCDEFG')}{''.join(chars)}"


def _phone_text(rng: random.Random, scene: _Scene) -> str:
    phone = scene.phone
    kind = rng.random()
    if kind < 0.1:
        return f"{phone[:3]}-{phone[3:7]}-{phone[7:]}"
    if kind < 0.2:
        return f"{phone[:3]} {phone[3:7]} {phone[7:]}"
    return phone


def _rural(scene: _Scene) -> str:
    scene.rural = True
    return scene.place(scene.village)


#: Slot name -> its value in a scene. Location slots also record the place for the title.
_SLOTS: dict[str, Callable[[random.Random, _Scene], str]] = {
    "district": lambda rng, s: s.district.name,
    "road": lambda rng, s: s.place(s.road),
    "estate": lambda rng, s: s.place(s.estate),
    "village": lambda rng, s: _rural(s),
    "road2": lambda rng, s: s.road2,
    "cross": lambda rng, s: s.place(f"{s.road}与{s.road2}交叉口"),
    "home": lambda rng, s: s.place(s.home),
    "bld": lambda rng, s: s.building,
    "shop": lambda rng, s: _brand(rng) + _SHOP(rng),
    "restaurant": lambda rng, s: _brand(rng) + _RESTAURANT(rng),
    "bar": lambda rng, s: _brand(rng) + _BAR(rng),
    "brand": lambda rng, s: _brand(rng),
    "company": lambda rng, s: f"{_brand(rng)}{_TRADE(rng)}有限公司",
    "factory": lambda rng, s: f"{_brand(rng)}{_PRODUCT(rng)}厂",
    "site": lambda rng, s: _pick(
        rng,
        (
            f"{_brand(rng)}{_pick(rng, ('花园', '广场', '大厦', '商业中心', '安置房'))}项目工地",
            f"{s.road}地铁站施工工地",
            f"{s.estate}二期工地",
        ),
    ),
    "school": lambda rng, s: _pick(rng, _PLACE_WORDS) + _SCHOOL(rng),
    "hospital": lambda rng, s: _pick(
        rng,
        (
            "市第一人民医院",
            "市第二人民医院",
            "市中医院",
            "市中心医院",
            "市妇幼保健院",
            "市儿童医院",
            f"{s.district.name}人民医院",
            f"{s.street}社区卫生服务中心",
        ),
    ),
    "market": lambda rng, s: (
        _pick(rng, _PLACE_WORDS) + _pick(rng, ("农贸市场", "菜市场", "批发市场"))
    ),
    "park": lambda rng, s: _pick(rng, _PLACE_WORDS) + _pick(rng, ("公园", "广场", "湿地公园")),
    "mall": lambda rng, s: _brand(rng) + _pick(rng, ("广场", "购物中心", "商场", "百货", "商业街")),
    "developer": lambda rng, s: _brand(rng) + _pick(rng, ("房地产开发有限公司", "置业有限公司")),
    "property": lambda rng, s: (
        _brand(rng) + _pick(rng, ("物业服务有限公司", "物业管理有限公司", "物业"))
    ),
    "agency": lambda rng, s: _brand(rng) + _pick(rng, ("房产中介", "房地产经纪公司", "地产")),
    "training": lambda rng, s: (
        _brand(rng) + _pick(rng, ("教育培训机构", "培训学校", "艺术培训中心", "英语培训班"))
    ),
    "scenic": lambda rng, s: (
        _pick(rng, _PLACE_WORDS)
        + _pick(rng, ("山风景区", "古镇", "湿地景区", "森林公园", "温泉度假区"))
    ),
    "travel_agency": lambda rng, s: _brand(rng) + "旅行社",
    "pharmacy": lambda rng, s: _brand(rng) + _pick(rng, ("大药房", "药店", "医药连锁店")),
    "gym": lambda rng, s: _brand(rng) + _pick(rng, ("健身房", "健身会所", "游泳馆", "瑜伽馆")),
    "bus": lambda rng, s: (
        _pick(rng, ("", "", "B", "K")) + f"{_int(rng, 1, 120)}路" + _pick(rng, ("", "公交车", ""))
    ),
    "plate": lambda rng, s: _plate(rng),
    "time": lambda rng, s: _time(rng),
    "hour": lambda rng, s: f"{_PART_OF_DAY(rng)}{_int(rng, 1, 11)}点{_int(rng, 0, 59):02d}分左右",
    "night": lambda rng, s: _NIGHT(rng),
    "date": lambda rng, s: _date(rng),
    "duration": lambda rng, s: _DURATION(rng),
    "money": lambda rng, s: _money(rng),
    "bigmoney": lambda rng, s: _big_money(rng),
    "wage": lambda rng, s: _wage(rng),
    "n": lambda rng, s: (_chinese_number if rng.random() < 0.3 else str)(_int(rng, 2, 12)),
    "age": lambda rng, s: str(_int(rng, 70, 95)),
    "grade": lambda rng, s: (
        _pick(rng, ("一", "二", "三", "四", "五", "六")) + "年级"
        if rng.random() < 0.6
        else "初" + _pick(rng, "一二三")
    ),
    "relative": lambda rng, s: _RELATIVE(rng),
    "office": lambda rng, s: _OFFICE(rng),
    "surname": lambda rng, s: _pick(rng, _SURNAMES),
    "other_phone": lambda rng, s: _phone(rng),
    "phone": _phone_text,
    "csurname": lambda rng, s: s.surname,
    "cname": lambda rng, s: s.name,
    "idno": lambda rng, s: s.id_number or "",
    "topic": lambda rng, s: s.topic,
    "place": lambda rng, s: s.places[0] if s.places else s.district.name,
    "tw": lambda rng, s: s.request_type,
    "staff": lambda rng, s: s.staff,
    "event": lambda rng, s: s.event,
}


# ------------------------------------------------------------------ shared phrases

_OPENERS: dict[str, tuple[str, ...]] = {
    "": (
        "你好，",
        "您好，",
        "[你好|您好]，我想反映一个问题，",
        "我是{district}{estate}的[居民|业主]，",
        "[我姓{csurname}|本人姓{csurname}]，",
    ),
    "咨询": ("麻烦问一下，", "想问一下，", "[你好|您好]，我想咨询个事，"),
    "投诉": ("我要投诉一下，", "[你好|您好]，我要反映个情况，"),
    "举报": ("我要举报，", "我想实名举报一个情况，"),
    "求助": ("[你好|您好]，想求助一下，",),
}
_CONTEXT = (
    "[事情是这样的|情况是这样的]，",
    "[我|我们家]在{district}住了[十几年|好多年|{n}年]了，",
    "[想反映一下|跟你们说一下]{topic}的[问题|情况]，",
    "[关于|有关]{topic}[的事|的问题]，",
    "我是{district}的居民，",
)
_EXTRAS: dict[str, tuple[str, ...]] = {
    "咨询": (
        "[之前|已经][找过|问过|打电话问过]{office}，[说不归他们管|让我们找别的部门|也没给解决|说会处理但没下文]。",
        "[网上|之前]查了[一下|半天]也没搞清楚。",
        "[打了好几个电话|问了好几个地方]都说不归他们管。",
        "[办事大厅|窗口]说的[和网上不一样|也不清楚]。",
        "[网上|公众号上]关于{topic}的[说明|政策]看不太明白，[各种说法都有|不知道哪个是最新的]。",
        "[我|我们]年纪大了，不会用手机查，[只能打电话问|麻烦说得详细一点]。",
        "[这个事情|这件事]比较急，[下周|月底前]就要办。",
        "[之前|前几天][去过一次|问过一次]，[说材料不全|让我回去等通知]，[不知道还差什么|也没说清楚]。",
    ),
    "求助": (
        "[之前|已经][找过|问过|打电话问过]{office}，[说不归他们管|让我们找别的部门|也没给解决|说会处理但没下文]。",
        "[实在|真的]没办法了才打这个电话。",
        "[已经|前后]找过[好几个地方|好几次]，都没人管。",
        "[我们|大家]都[很着急|很无奈]。",
        "[家里|我们这里][老人|孩子]多，[一直这样下去不是办法|真的等不起了]。",
        "[找过|问过][物业|社区|对方]，[都说不归他们管|让我们自己想办法]。",
        "{topic}这件事[拖了|已经拖了]{duration}了，[一直没有结果|越拖越严重]。",
    ),
    "投诉": (
        "[之前|已经][找过|问过|打电话问过]{office}，[说不归他们管|让我们找别的部门|也没给解决|说会处理但没下文]。",
        "这个问题已经[持续|存在]{duration}了。",
        "之前[打过电话|在网上][反映过|投诉过][好几次|两次]，一直[没有解决|没人处理|没有结果]。",
        "[附近|周边][居民|群众]意见很大。",
        "严重影响[附近居民|我们]的[正常生活|生活]。",
        "[找过|联系过][对方|负责人|物业]，[对方态度很差|对方说管不了|一直推来推去]。",
        "{topic}的问题[不是第一次了|反复出现]，[每次处理完没几天又这样|治标不治本]。",
        "[我们|我]不是[故意找麻烦|无理取闹]，[只希望|只是想]把{topic}的问题[解决好|处理好]。",
    ),
    "举报": (
        "[之前|已经][找过|问过|打电话问过]{office}，[说不归他们管|让我们找别的部门|也没给解决|说会处理但没下文]。",
        "这种情况已经[持续|有]{duration}了。",
        "[很多人都知道|附近的人都看到了]，就是没人管。",
        "[我|我们]有[照片|视频]可以提供。",
        "[一般|通常]是[晚上|周末|凌晨]的时候[最严重|比较多]，[白天来看不一定能看到|建议晚上来查]。",
        "[听说|据说]对方[有关系|背后有人]，[所以一直没人敢管|之前举报过也没结果]。",
    ),
    "建议": (
        "[这只是|仅是]个人的一点建议。",
        "[身边|周围]很多人都有同样的想法。",
        "[其他城市|外地][早就这么做了|都有类似的做法]，[效果很好|我们这里也可以学一学]。",
        "[希望|相信]这样能让{topic}[这方面|的问题][越来越好|得到改善]。",
    ),
    "表扬": ("[像这样的|这样负责的]工作人员[值得表扬|应该多表扬]。", "[给他们|给你们]点个赞。"),
    "撤销": ("[感谢|谢谢]你们的[关注|及时跟进]。", "[给你们添麻烦了|辛苦你们了]。"),
}
_CLOSINGS: dict[str, tuple[str, ...]] = {
    "咨询": (
        "请问[该怎么办|怎么办理]？",
        "麻烦给个答复，谢谢。",
        "谢谢！",
        "希望能有工作人员回电解答。",
    ),
    "求助": (
        "希望[有关部门|相关部门|政府]帮帮忙。",
        "请尽快[处理|解决]，谢谢！",
        "希望尽快安排人来看看。",
    ),
    "投诉": (
        "希望相关部门[尽快|严肃]处理。",
        "请有关部门管一管。",
        "[要求|希望]给个说法。",
        "希望能尽快解决。",
    ),
    "举报": (
        "请相关部门[依法|尽快][查处|调查]。",
        "希望严肃处理。",
        "[请对我的信息保密|希望为举报人保密]。",
    ),
    "建议": ("希望[相关部门|政府][考虑|采纳]。", "希望能采纳，谢谢。", "仅供参考。"),
    "表扬": ("谢谢！", "再次感谢！"),
    "撤销": ("麻烦了。", "辛苦了。"),
}
_CONTACT = (
    "我的电话是{phone}。",
    "联系电话{phone}。",
    "[有什么情况|处理结果]请打我电话{phone}。",
    "我姓{csurname}，电话{phone}，[请尽快联系我|麻烦回个电话]。",
    "手机号{phone}，[白天|随时]都能打通。",
)
_ID_SENTENCES = (
    "[我的|本人]身份证号[是|码是]{idno}。",
    "身份证号码：{idno}。",
    "[本人|我叫]{cname}，身份证号{idno}。",
)
_PRAISE = (
    "[{date}|前几天|上周]我[反映|遇到]了{event}的问题，{staff}[第一时间|很快][联系了我|上门处理]，[耐心解释|服务很周到]，问题[很快就解决了|圆满解决了]，[特此表扬|在此表示感谢|必须给他们点赞]！",
    "我想表扬一下[处理|负责]{event}的{staff}，[态度很好|非常负责|特别耐心]，[冒着大雨|加班加点|周末也]帮我们解决了问题，[非常感谢|谢谢你们]！",
    "[上次|前段时间]因为{event}的事情打过热线，{staff}[当天就|第二天就][过来了|给我回了电话]，[办事效率很高|一点架子都没有]，[特意打电话来表扬|希望领导表扬一下他们]。",
)
_WITHDRAW = (
    "我[之前|{date}|前两天]反映的{topic}[问题|的事情]已经[解决了|处理好了|和对方协商好了]，[申请|要求]撤销[工单|这个诉求]，[不需要再处理了|谢谢]。",
    "[我|本人][昨天|之前]打电话反映{topic}的问题，[现在|后来][对方已经改正了|情况已经好了|问题已经自己解决了]，[不用再派单了|撤回诉求]。",
    "关于{topic}的[诉求|工单]，[经过协商|对方已经联系我了]，[问题已经解决|我这边已经不需要了]，[请帮忙撤销|申请撤回]。",
)
_TITLES: dict[str, tuple[str, ...]] = {
    "": (
        "关于{place}的{tw}",
        "{place}的问题{tw}",
        "希望有关部门[尽快处理|帮忙解决]",
        "[一个|有个]问题希望[得到|尽快]答复",
        "{topic}",
        "关于{topic}的问题",
        "{place}{topic}",
        "{place}{topic}问题",
        "关于{place}{topic}的{tw}",
        "{tw}{topic}",
        "{topic}的{tw}",
    ),
    "表扬": ("表扬{staff}", "感谢{staff}[及时|热心]处理{event}", "表扬处理{event}的{staff}"),
    "撤销": ("撤销{topic}诉求", "申请撤销关于{topic}的工单", "{topic}问题已解决"),
}

# ------------------------------------------------------------------ the departments' matters
#
# "== CODE" starts a department; "~ staff/... events/..." lists who is praised for what;
# "+..." and "?..." lines are the department's follow-up sentences for problems (help,
# complaint, report) and for enquiries (enquiry, suggestion); "@type hint topic/topic" starts a
# matter (a "!" after the type marks it urgent), followed by its phrasings, one per line.

_CORPUS = """
== PUBLIC_SECURITY
~ 民警/派出所民警/值班民警 身份证补办/电动车被盗/孩子走失/户口迁移
+[民警|派出所]来过[一次|两次]，[走了以后又照旧|当场说会处理但后来就没下文了]。
+[这一片|附近][治安一直不太好|最近经常出事]，[晚上都不敢一个人出门|大家都很担心]。
+[报警回执|报案记录]我[都留着|还在]，[可以提供|需要的话可以拿过来]。
?[派出所窗口|户籍窗口]说[要等通知|材料不全]，[具体差什么也没说清楚|让我回去等]。
?[我|我们]上班时间[请不了假|很忙]，[能不能周末办理|有没有网上办理的渠道]。
@咨询 户籍管理 新生儿落户/小孩上户口
[我家孩子|我小孩|我家宝宝]{date}出生，想咨询一下新生儿[落户|上户口]需要准备哪些材料，[我和爱人户口不在一起|孩子爸爸是外地户口]，能不能落在我这边？
孩子[刚出生|满月了]还没上户口，[出生证明已经拿到了|父母都是{district}户籍]，想问一下[上户口|办理落户][在哪个窗口办|需要预约吗]，[爸妈都要到场吗|要多长时间]？
@咨询 户籍管理 户口迁移/户口迁入
我在本市[买了房|工作了{n}年]，想把户口从外地迁[过来|到{district}]，请问[需要什么手续|要符合什么条件]，[要不要先回老家开准迁证|能不能网上办理]？
[我爱人|我父母]的户口[在外省|在老家]，想[投靠|迁到]我这边[落户|入户]，[老人今年{age}岁了|房子是我名下的]，请问[符合条件吗|要准备哪些材料]？
@咨询 证件办理 居住证办理/居住证续签
我[在{district}租房住了|来本市打工]{duration}，想[办理|续签]居住证，[是不是要房东一起去|需要社区开证明吗]，[在网上能不能办|办好要多久]？
@咨询 证件办理 身份证补办/临时身份证
我的身份证[丢了|被偷了|不小心弄丢了]，[下周要坐高铁|急着办银行卡|要去外地出差]，请问[临时身份证|补办身份证]在哪里办理，要多长时间才能拿到？
[我是外地户口|户口不在本地]，想在{district}办理身份证[换领|补领]，请问可以异地办理吗？[需要带什么材料|收费多少]？
@举报 治安管理 聚众赌博/赌博窝点
{estate}{bld}[一楼|地下室|车库里]有人[长期|天天|每天晚上]聚众[赌博|打麻将赌钱|玩牌赌博]，[人员进进出出|赌资很大|经常闹到半夜]，[还有人在那放高利贷|小区居民很担心]。
{road}{shop}[后面|楼上]开了个[棋牌室|茶楼]，实际上是[赌博场所|赌场]，[每天|天天]都有[十几|几十]个人，[一晚上输赢好几万|有人输得倾家荡产]。
@投诉 噪声扰民 酒吧噪音扰民/KTV噪音扰民
{road}的{bar}[每天晚上|天天夜里]营业到{night}，[音乐声|音响声|唱歌声|喝酒划拳声]特别大，[楼上住户|附近居民]根本[睡不着|没法休息]，[已经|前后]反映[好几次|多次]了。
{estate}[楼下|旁边]新开了一家{bar}，[客人喝完酒|一到半夜]就在门口[大声喧哗|吵闹打架]，[{night}还在放音乐|摩托车轰来轰去]，[老人孩子都被吵醒|我们整晚睡不好]。
@投诉 噪声扰民 广场舞噪音扰民
{park}[每天晚上|天天傍晚]有[一群人|好几支队伍]跳广场舞，音响开得[特别大|很大声]，[从七点一直到十点多|一直跳到很晚]，[家里孩子要写作业|老人心脏不好]，[劝说也不听|沟通过没有用]。
@求助 案件求助 电动车被盗/自行车被盗
{relative}的电动车{time}在{estate}楼下被偷了，[车是刚买的|价值{money}]，[小区有监控|附近有摄像头]，[报警后一直没消息|想问问立案以后怎么查]。
我停在{road}{mall}门口的[电动车|自行车|摩托车]{time}[不见了|被人偷走了]，[锁也被撬了|电瓶也被拿了]，[这一片最近经常丢车|已经是第二次了]，[希望加强巡逻|希望能尽快找回]。
@求助 案件求助 手机被盗/财物被盗
我{time}在{market}[买菜|逛的时候]手机被偷了，[已经报过警|当时就找了民警]，[到现在没有进展|一直没有回复]，[希望能尽快破案|请帮忙催一下]。
@举报 诈骗 电信诈骗/网络诈骗
我[接到|收到]一个自称[客服|公检法|快递理赔]的电话，对方让我转账{money}，[后来发现是骗子|转完才发现被骗了]，[对方号码是{other_phone}|对方电话{other_phone}]，[希望能追回损失|请尽快查处]。
{relative}在网上[刷单|投资理财|买游戏装备]被骗了{bigmoney}，[对方把我们拉黑了|平台现在打不开了]，[已经报了案|有转账记录]，[想问案子进展|请帮忙追回]。
@举报 传销 传销窝点/非法集资
{road}[有个|一栋]写字楼里[有人搞传销|疑似传销组织]，[经常|每天]有[年轻人|外地人]被带进去[上课|听课]，[手机被收走|不让出来]，[家属很着急|我表弟就在里面]。
@投诉 犬只管理 遛狗不牵绳/犬只伤人
{estate}有住户[养了|养着]一条[大型犬|烈性犬|大狼狗]，[遛狗不牵绳|经常不拴绳子]，{time}[把|差点咬到]{relative}[咬伤了|吓得不轻]，[狗主人态度很差|找主人理论对方不承认]。
@求助! 治安事件 持刀打架/打架斗殴
{road}{restaurant}门口[有一群人|十几个人]在打架，[有人拿着刀|有人手里拿着棍子]，[已经有人流血|场面很混乱]，请[赶紧|马上]派人过来！
{estate}{bld}有人[在家里|在楼道里][砸东西喊救命|和家人打起来了]，[听声音像是在打人|有个女的一直在哭喊]，[很吓人|怕出人命]，请[赶紧|马上]派人来看看！

== TRAFFIC_POLICE
~ 交警/交警同志/执勤交警 车辆违停堵路/交通拥堵/驾驶证换证/电动车上牌
+[早上七点半到八点半|下午五点到七点][最严重|最堵]，[交警很少来|偶尔来一次也是走个过场]。
+[这里|这条路][已经发生过好几起|前段时间还出过][事故|剐蹭]，[再不管要出大事|很危险]。
+[我|我们]拍了[照片|视频]，[车牌都拍得很清楚|随时可以提供]。
?[交管12123|手机APP]上[操作不了|一直提示失败]，[只能跑窗口|不知道怎么回事]。
?[车管所|服务站]的[电话一直打不通|窗口排队人太多]。
@投诉 违章停车 车辆违停/违停堵路
{road}[靠近|在]{school}门口[这一段|附近]每天[早晚高峰|上下学时间]都有[大量|很多]车辆违停，[把路堵得死死的|占了一条车道|公交车都过不去]，[希望交警加强管理|请派人来贴罚单]。
{estate}门口[马路上|人行道上]长期停着[一辆|几辆][无牌车|外地牌照的车|车牌号{plate}的车]，[把小区出入口都堵住了|消防车都过不去]，[打挪车电话也找不到人|车主一直联系不上]。
{cross}[附近|一带]的[机动车道|非机动车道]上[停满了车|被货车长期占用]，[电动车只能走机动车道|来往车辆只能绕行]，[很容易发生事故|这里天天堵]。
@投诉 交通信号 红绿灯故障/信号灯不亮
{cross}的红绿灯[坏了|不亮了|一直闪黄灯][好几天|{duration}]了，[早高峰车辆乱成一团|行人过马路很危险]，[希望尽快修复|请尽快派人看看]。
@建议 交通信号 信号灯时间不合理/绿灯时间太短
{cross}[左转|直行]绿灯时间太短，[只有十几秒|才十来秒]，[每次只能过几辆车|车排了好几百米]，[建议|希望]把[绿灯时间|配时]调长一些。
@咨询 车驾管 驾驶证换证/驾驶证异地换证
我的驾驶证[下个月|快要]到期了，[人在外地|不在本地]，请问可以异地换证吗？[体检在哪里做|需要带什么材料]？
@咨询 车驾管 违章处理/违章申诉
我的车{time}在{road}被拍了违章，[但是当时|其实我是]在[避让救护车|等红灯时被后车顶了一下]，想问[怎么申诉|能不能撤销]？
我[收到短信说|在手机上查到]车辆在{cross}有[一条|两条]违章记录，[可我那天根本没去过|车一直停在家里]，[怀疑被套牌了|是不是拍错了]，[该怎么处理|去哪里核实]？
@咨询 车驾管 电动车上牌/电动自行车登记
[新买的|刚买的]电动自行车[要去哪里上牌|上牌需要什么材料]？[听说|据说]不上牌[会被扣车|以后不能上路]，[是真的吗|想确认一下]。
我[预约了|约好]{date}去给电动车上牌，[到了|结果到了]服务站[工作人员说|却被告知][合格证型号不对|预约过期了]，[白跑了一趟|让我重新预约]，[觉得不合理|希望能解决]。
@举报 交通违法 渣土车闯红灯/货车闯禁行
每天晚上{night}，{road}上都有[渣土车|大货车|泥头车][闯红灯|超速|闯禁行]，[声音特别大|好几次差点撞到人]，[这条路不是禁止货车通行吗|请交警夜间设卡检查]。
@举报 交通违法 飙车炸街/改装车扰民
{road}[一到晚上|每到周末]就有[改装车|摩托车]炸街飙车，[轰鸣声很大|速度特别快]，[非常危险|吵得人睡不着]，[希望交警查处|请加强整治]。
@建议 道路交通 增设红绿灯/增设斑马线
{cross}[车流量很大|来往车辆多]，[没有红绿灯|没有斑马线]，[老人小孩过马路|学生上下学]很危险，建议[增设信号灯|画上斑马线|安排交警疏导]。
@求助 交通拥堵 道路拥堵/交通拥堵
{road}[靠近|在]{mall}[这一段|附近][每天|早晚高峰]都[堵得水泄不通|严重拥堵]，[一公里要走半小时|车根本动不了]，[希望派交警疏导|请调整一下通行方案]。
@求助! 交通事故 交通事故/车祸
{cross}[刚刚|刚才]发生了[车祸|交通事故]，[一辆小车和电动车撞了|两辆车相撞]，[有人受伤躺在地上|骑车的人伤得很重]，[现在路都堵了|请赶紧派人过来]！

== FIRE_RESCUE
~ 消防员/消防指战员/消防监督员 消防通道被堵/消防安全检查/火灾隐患
+[楼里住的大多是老人|这栋楼住了上百户人家]，[一旦出事跑都跑不掉|后果不堪设想]。
+物业[只会说|总是说][会整改|在处理]，[一直不见行动|过几天又恢复原样]。
+[上次|之前]检查的时候[清理过一次|整改过]，[检查一走就又堆满了|没过几天又这样]。
?[我们|店里][面积不大|只有一百多平米]，[不知道需不需要|是不是也要]办这个手续。
@投诉 消防安全 消防通道堵塞/消防通道被占
{estate}的消防通道[长期|经常]被[私家车|电动车|杂物]占用，[物业不管|说了好几次也没人管]，[万一发生火灾|一旦出事]消防车根本进不来。
{mall}的[安全出口|消防通道]被[货物|杂物]堵住了，[疏散指示灯也不亮|消防门被锁上了]，[人这么多|周末人流量大]，[很不安全|存在很大隐患]。
@举报 消防隐患 群租房消防隐患
{home}[隔壁|楼下]的房子被[隔成|改成]了[十几个|七八个]小间[出租|做群租房]，[住了很多人|乱拉电线]，[没有任何消防设施|窗户都装了防盗网]，[火灾隐患很大|非常危险]。
@举报 消防隐患 电动车楼道充电/飞线充电
{estate}[很多住户|有住户]把电动车[推进楼道|拉到楼道里|放在家里]充电，[飞线充电|电线从窗户拉下来]，[存在很大的火灾隐患|很危险]，[物业劝了也不听|希望管一管]。
@求助 消防设施 消火栓损坏/灭火器过期
{estate}[楼道里|小区里]的[消火栓|消防栓][没有水|被损坏了|锈死了]，[灭火器也过期了|灭火器都是空的]，[物业一直没更换|说了也不管]，[万一有事怎么办|请督促整改]。
@咨询 消防审批 消防验收/消防安全检查
我[在{road}开了一家|准备开一家]{restaurant}，想咨询[消防验收|消防安全检查]怎么办理，[需要准备什么材料|多长时间能办下来]？
我们[公司|厂里]想[请专业人员来|组织员工]做消防培训和演练，[能不能派人来指导|有没有免费的消防知识讲座]，[需要怎么申请|联系谁]？
@求助! 火灾 着火/起火
{home}[楼上|隔壁|对面楼]有一户[窗户里冒出浓烟|着火了]，[火势很大|烟越来越大]，[好像还有人在里面|不知道里面有没有人]，请[赶紧|马上]派消防车来！
{road}[一家|有个]{shop}[突然|刚刚]起火了，[火势蔓延得很快|浓烟滚滚]，[周边都是居民楼|旁边就是加油站]，请[马上|立刻]派人过来！
{estate}地下车库[有辆电动车|一辆车]着火了，[整个车库都是烟|浓烟往楼上冒]，[请赶紧派人|情况很紧急]！

== EMERGENCY_MANAGEMENT
~ 工作人员/执法人员 危化品安全隐患/安全生产检查
+[附近|周边][有学校和居民楼|人员密集]，[一旦出事后果不堪设想|大家都提心吊胆]。
+[老板|负责人][根本不当回事|说他们有关系]，[工人也不敢说|没人敢管]。
+[我|我们][怀疑|觉得]他们[没有安全生产许可|手续不全]，[希望去现场查一查|请专业人员来看看]。
?[公司|单位]规模不大，[不知道要不要|是不是也需要][配专职安全员|做安全评价]。
@举报 安全生产 违规储存危化品/危险品仓库
{road}[附近|旁边]有个[小作坊|仓库]违规存放[大量|好多桶][油漆|稀料|化学品|酒精]，[周边都是住户|旁边就是学校]，[万一出事后果不堪设想|存在重大安全隐患]。
@举报 安全生产 违规作业/安全生产隐患
{factory}[工人|员工][没有任何防护|不戴安全帽]就[高空作业|进有限空间作业|操作冲床]，[之前还有工人受过伤|之前出过事故]，[老板|厂里]一直不整改。
{company}[在{road}|承接的项目]违规[动火作业|电焊作业]，[旁边堆着易燃材料|没有任何防护措施]，[也没人看管|工人都没有证]，[存在很大安全隐患|请查一下]。
@举报 烟花爆竹 非法销售烟花爆竹/私藏烟花爆竹
{village}[有人|一家小卖部][在家里|偷偷]储存和销售烟花爆竹，[数量很多|堆满了整间屋子]，[没有任何手续|也没有经营许可]，[周围都是民房|很危险]。
@咨询 应急避难 应急避难场所
想咨询一下{district}[附近|我们这边]的应急避难场所在哪里？[遇到地震|发生自然灾害]的时候[应该去哪里|怎么疏散]？
@咨询 安全培训 安全生产培训/特种作业证
我们公司想[组织员工参加|报名]安全生产培训，[特种作业操作证|安全员证|焊工证]怎么考，[在哪里报名|需要什么条件]？
@投诉 安全生产 采石场爆破/矿山安全
{village}[后山|附近]有个采石场[天天放炮|经常爆破]，[房子都震出裂缝了|石头飞到院子里]，[村民很害怕|存在安全隐患]，不知道有没有[合法手续|安全许可]。
@求助! 危化品泄漏 危化品泄漏/有毒气体
{road}[一辆罐车|一家化工厂][发生泄漏|在漏东西]，[闻到刺鼻的气味|现场有很大的味道]，[附近不少人头晕|周边居民很恐慌]，请[马上|立刻]派人来[处置|看看]！

== URBAN_MANAGEMENT
~ 城管队员/执法队员/城管中队 占道经营/垃圾清运/夜间施工
+城管来过[几次|一两次]，[人一走又恢复原样|当天收了第二天照摆]。
+[晚上|周末]的时候[更严重|最厉害]，[白天来看可能看不到|建议晚上来看看]。
+[整条街|这一带][脏乱差|乱糟糟的]，[跟文明城市的要求差太远了|外地来的朋友都笑话]。
?[我|我们]想[规规矩矩|合法]经营，[不知道去哪里申请|需要办什么手续]。
@投诉 市容环境 占道经营/流动摊贩占道
{road}[靠近|在]{market}[门口|附近][每天|一到晚上|早上]都有[很多|大量][流动摊贩|小贩][占道经营|摆摊卖水果|卖海鲜|卖早餐]，[把人行道|把半边马路]都占满了，[垃圾满地|行人只能走机动车道]。
{road}的{shop}[长期|天天]把[货物|桌椅|商品]摆到人行道上[经营|卖东西]，[行人根本过不去|推婴儿车都过不去]，[跟老板说也不听|已经很长时间了]。
{cross}[路口|转角]有人[开着货车|开着三轮车]在路边卖[水果|蔬菜|海鲜]，[占了一条车道|堵住了路口]，[来往车辆|电动车]经常[被堵|刮蹭]。
@投诉 夜间施工 工地夜间施工噪音/施工噪音扰民
{road}[旁边|附近]的{site}[每天|天天]晚上施工到{night}，[打桩|电钻|搅拌机]的声音[特别大|震耳欲聋]，[附近居民|我们小区的人]根本没法睡觉，[不知道有没有夜间施工许可|白天干不完晚上接着干]。
{site}[连续|已经]{duration}[夜间|半夜]施工，[渣土车进进出出|机器轰鸣]，[孩子第二天还要上学|老人休息不好]，[找工地他们说有许可|工地负责人不理]。
@举报 违章建筑 违章建筑/楼顶加盖
{home}[楼顶|顶楼]有住户[私自|正在]加盖[彩钢房|阳光房|一层楼]，[已经施工{duration}了|材料都运上去了]，[影响整栋楼的安全|楼下漏水]，[物业制止不了|物业说管不了]。
{road}[路边|旁边]有人[在绿地上|占用公共用地]搭建[铁皮房|临时建筑]，[用来出租|做仓库]，[不知道有没有手续|明显是违建]。
@投诉 环境卫生 垃圾清运不及时/垃圾堆积
{road}[路口|旁边]的垃圾[桶|站][好几天|{duration}]没有清运了，[垃圾堆成小山|满出来了]，[天气热臭气熏天|苍蝇蚊子到处飞]，[路过都要捂鼻子|影响市容]。
@投诉 市容环境 渣土车撒漏/道路扬尘
{road}[每天晚上|半夜]有[渣土车|泥头车]撒漏泥土，[路面脏得不行|一下雨到处是泥]，[车经过尘土飞扬|行人都不敢走]，[希望加强管理|请查一下是哪个工地的]。
@投诉 油烟扰民 露天烧烤/烧烤摊占道
{road}[夜市|路边]有[好几家|几个]烧烤摊[在人行道上|露天]烧烤，[油烟很大|烟熏得厉害]，[楼上住户不敢开窗|衣服都晾不了]，[一直营业到{night}|天天如此]。
@举报 市容环境 乱贴小广告/乱涂乱画
{estate}[楼道里|电梯里|单元门上]被贴满了[开锁|办证|贷款]小广告，[刚清理完又贴上|清也清不完]，[墙面脏乱|影响小区环境]，[上面还有电话{other_phone}|希望按电话号码查处]。
@建议 市容管理 共享单车乱停放
{road}[地铁口|公交站附近]的[共享单车|共享电单车][乱停乱放|堆了几百辆]，[把盲道|人行道]都堵死了，建议[划定停放区域|让运营企业及时清理]。
@建议 市容管理 设置便民摊点/规范流动摊贩
建议在{district}[设置|规划]一些便民摊点，[让流动摊贩集中经营|方便小贩摆摊]，[既方便群众又不影响市容|这样管理起来也方便]。
@投诉 噪声扰民 商铺音响外放/店铺高音喇叭
{road}的{shop}[门口|在店门口]放了个大音响[循环播放|大声放]促销广告，[从早到晚|一整天]不停，[附近住户|旁边上班的人]被吵得[头疼|受不了]。

== MUNICIPAL_ENGINEERING
~ 维修师傅/维修人员/工作人员 路面坑洼/路灯不亮/井盖缺失
+[这条路|这一段][每天车流量很大|是上下学的必经之路]，[已经有人摔倒过|好几个人在这里摔过跤]。
+[之前|去年][修过一次|补过一次]，[没过多久又坏了|修得很敷衍]。
+[晚上|下雨天][根本看不清|更危险]，[电动车|骑车的人][经常|好几次]在这里[摔倒|出事]。
?[我|我们][不知道|也不清楚]这条路归哪个部门管，[问了好几个地方|打了好几个电话]。
@投诉 道路设施 路面坑洼/道路破损
{road}[靠近|在]{road2}[路口|交叉口][附近|这一段]路面[坑坑洼洼|有好几个大坑|破损严重]，[下雨天积满水|晚上看不清]，[已经有电动车在这摔倒了|车经过颠得厉害]，[希望尽快修补|请尽快派人修一下]。
@投诉 道路设施 人行道破损/地砖松动
{road}[人行道|人行道上]的[地砖|砖块][松动|翘起来了|碎了一大片]，[一踩就溅一身水|老人走路容易绊倒]，[已经{duration}没人修了|一直没人管]。
@求助 道路设施 井盖缺失/井盖破损
{road}[靠近|在]{estate}[门口|附近]有个井盖[不见了|破了|被偷了]，[只用一根树枝插着|没有任何警示]，[晚上看不清|小孩子经常在那玩]，[很容易有人掉下去|非常危险]。
@投诉 路灯照明 路灯不亮/路灯损坏
{road}[从|靠近]{road2}[路口|交叉口][这一段|往东一段]的路灯[坏了|不亮了|一半不亮][好几天|{duration}]了，[晚上黑漆漆的|晚上下班回家很害怕]，[女孩子都不敢走|已经有人摔倒了]。
@投诉 排水设施 下水道堵塞/污水外溢
{road}[路边|靠近{market}]的下水道[堵了|堵塞了]，[污水冒到路面上|污水横流]，[臭味很大|苍蝇蚊子很多]，[行人只能绕着走|已经{duration}没人处理]。
@建议 排水设施 雨天积水/排水不畅
[一下雨|每次下雨]{road}[这一段|靠近{road2}路口]就[积水|路面积水]，[排水口被垃圾堵住了|雨水排不出去]，[车辆经过溅人一身|行人过不去]，建议[疏通排水管|改造排水设施]。
@建议 道路设施 天桥护栏损坏/桥梁维修
{road}[过街天桥|人行天桥]的[扶手|台阶|护栏][松动|锈蚀|损坏]，[存在安全隐患|老人小孩走很危险]，建议[尽快维修|加固一下]。
@投诉 道路施工 道路开挖未恢复/施工围挡
{road}[挖开|开挖][铺管道|修管线]已经{duration}了，[到现在还没有回填|挖完就没人管了]，[只拦了几个路障|围挡都倒了]，[车辆行人通行很不方便|晚上很危险]。
@求助! 道路积水 道路积水/内涝
[这场|刚才的]暴雨下完，{road}[靠近|在]{road2}[路口|交叉口][一带|附近]积水[很深|严重|已经没过膝盖]，[好几辆车熄火在水里|行人根本过不去]，[积水还在往上涨|附近商铺都进水了]，请[马上派人排水|赶紧来抽水]！
{estate}[地下车库|一楼住户家里][被淹了|进水了]，[雨水倒灌|外面的水一直往里灌]，[好多车泡在水里|水已经到小腿了]，请[尽快|立刻]派人[来排水|过来处理]！
@求助! 路面塌陷 路面塌陷/地面塌陷
{road}[靠近|在]{road2}[路口|交叉口]的路面[突然|今天早上]塌陷了一个[大坑|直径一两米的坑]，[已经有车陷进去了|周围没有任何警示]，[太危险了|请马上派人封路处理]！

== LANDSCAPING
~ 园林工人/绿化工人/工作人员 树木修剪/绿化带维护/公园设施维修
+[刮风下雨的时候|台风天][更让人担心|树枝乱晃]，[下面就是人行道|树下停着好多车]。
+[跟物业|跟社区][说过好几次|反映过]，[都说要找园林部门|说他们管不了]。
+[这一片的树|这些树][好几年没修剪过了|一直没人管理]，[长得乱七八糟|越长越大]。
?[我们|业主们]也[不想|不敢]自己动手，[怕违规|怕出安全问题]。
@投诉 园林绿化 树木遮挡采光/树木需修剪
{home}[窗外|楼下]的[大树|行道树|榕树][长得太高|枝叶太密]，[挡住了整个窗户|家里白天都要开灯]，[还招来很多虫子|树枝都伸到阳台上了]，[希望派人修剪一下|申请修剪好几次没人来]。
@举报 毁绿占绿 毁坏绿地/侵占绿化带
{road}[绿化带|路边的绿地][被人|被附近商户][铲掉|毁坏|改成了停车位]，[种上了菜|堆满了杂物]，[好好的草坪都没了|绿化带面目全非]。
@举报 毁绿占绿 私自砍树/砍伐树木
{estate}[物业|有人][未经批准|私自][砍了|砍伐了][小区里|路边][好几棵|十几棵]大树，[都是几十年的老树|树干都有碗口粗]，[不知道有没有审批|请查一下]。
@投诉 公园管理 公园设施损坏
{park}[里面|的][健身器材|座椅|步道|公厕][坏了|损坏]很久了，[一直没人修|锈得不能用]，[来锻炼的老人很多|小孩玩很危险]，[希望尽快维修|请管理处管一管]。
@投诉 公园管理 公园水体发臭/公园卫生差
{park}[的水池|的人工湖][水发绿发臭|漂满垃圾]，[蚊子特别多|来散步的人都受不了]，[希望清理一下|请尽快处理]。
@求助 园林绿化 枯树断枝/树枝断落
{road}[路边|人行道上]有[一棵|几棵]树[已经枯死了|被虫蛀空了]，[树枝断下来好几根|一刮风就掉树枝]，[下面经常有人走|停了很多车]，[希望尽快处理|请派人来看看]。
@建议 园林绿化 补种行道树/增加绿化
{road}[改造完以后|拓宽后][一棵树都没有|绿化很差]，[夏天晒得不行|光秃秃的]，建议[补种一些行道树|增加绿化带]。
@咨询 树木审批 树木修剪审批/树木移栽
[我家院子里|单位院内]有棵大树[影响采光|根系把地面拱起来了]，想咨询[自己修剪或者移栽|砍伐]需要[办什么手续|去哪里审批]？
@求助! 大树倒伏 大树倒伏/树木倒塌
[刚刚刮大风|昨晚台风过后]，{road}[靠近|在]{estate}门口的一棵大树[倒了|被连根拔起]，[压在了几辆车上|横在马路中间]，[整条路都堵了|很危险]，请马上派人处理！

== HOUSING_CONSTRUCTION
~ 工作人员/执法人员 延期交房/物业纠纷/房屋质量
+[我们|业主们][找过开发商|和物业谈过]很多次，[每次都说在处理|一直推来推去]，[就是不解决|给不出具体时间]。
+[全小区|这栋楼][好多户|几十户]都是同样的问题，[大家已经建了业主群|业主们都很气愤]。
+[买房|交房]的时候[说得好好的|承诺得很清楚]，[现在完全变了|现在谁都不认账]。
?[开发商|售楼处]的说法[前后不一样|和合同上不一样]，[想问问官方的规定|不知道该信谁]。
@投诉 房地产 开发商延期交房/逾期交房
我[在|于]{date}购买了{developer}开发的{estate}[商品房|一套房子]，合同约定[去年底|{date}]交房，[现在已经超过{duration}了|到现在还没交房]，[开发商一直拖延|也不给任何说法]，[违约金也不赔|我们业主很着急]。
@投诉 房地产 房产证办不下来/延期办证
{estate}交房[已经{n}年了|都快{n}年了]，[房产证|不动产权证]一直办不下来，[开发商说手续没办完|说是土地款没交清]，[孩子上学要用|影响我们落户]，[希望督促开发商|请帮忙协调]。
@投诉 物业管理 物业服务差/物业不作为
{estate}的物业[服务太差|不作为]，[小区垃圾没人清|电梯坏了好几天没人修|门禁坏了也不管]，[物业费却一分不少收|还要涨物业费]，[业主意见很大|我们要求更换物业]。
@投诉 物业管理 物业乱收费
{property}在{estate}[乱收费|强制收取][停车费|装修押金|二次供水费]，[没有任何依据|也不公示收费标准]，[不交就不让装修|不交就不给门禁卡]，[希望查一查|这合理吗]。
@投诉 建筑质量 房屋质量问题/墙体开裂
{home}[刚收房不到一年|交房才{n}年]，[墙体就开裂了|卫生间漏水到楼下|外墙瓷砖大面积脱落]，[找开发商维修|找物业]一直推脱，[说过了保修期|说不是他们的责任]。
@咨询 房产交易 购房资格/限购政策
[我是外地户口|我在本市工作{n}年]，想咨询一下现在在{district}[买房|购买二手房]需要什么条件，[要不要社保|社保需要交满几年]，[能不能买第二套|限购政策是怎样的]？
@咨询 房产交易 商品房网签备案/预售许可
我[买了|交了定金买]{estate}的房子，[开发商|售楼处]一直拖着不给[网签|备案]，[想问一下怎么查有没有预售许可|首付都交了]，[是不是可以要求退定金|该怎么维权]？
@投诉 房产中介 中介不退定金/中介违规收费
我通过{agency}[租房|买二手房]，[交了{money}定金|交了中介费{money}]，[后来房东反悔了|交易没成功]，[中介却不肯退钱|中介以各种理由不退]，[态度非常差|还威胁我]。
@举报 工程建设 工地安全隐患/无证施工
{site}[施工现场|工地][没有围挡|围挡倒了一半]，[脚手架没有安全网|塔吊就在人行道上方作业]，[经常有东西掉下来|行人经过很危险]，[不知道有没有施工许可|请查一下]。
@咨询 房屋征收 房屋征收补偿/棚改安置
我们{village}[被列入|纳入]了[棚改|征收]范围，想咨询[补偿标准|安置房面积]是怎么算的，[过渡费|临时安置费]每月多少，[什么时候能回迁|回迁房在哪里]？
@投诉 电梯维修 电梯维修资金/电梯经常坏
{estate}{bld}的电梯[经常坏|三天两头出故障|停运了{duration}]，[住在高层的老人|楼上的老人]上下楼[非常困难|只能爬楼梯]，[物业说没有维修资金|维修基金申请不下来]。
@求助! 危房 房屋倒塌/危房
{village}[有一栋|有间]老房子[墙体开裂很严重|墙歪了]，[这几天下大雨|昨晚下雨后][一面墙已经塌了|房屋随时可能倒塌]，[里面还住着老人|旁边就是路]，请[赶紧派人|马上]来看看！
{home}[楼下|隔壁][有人装修|商户装修][把承重墙砸了|拆了承重墙]，[楼上好几户墙体开裂|楼板都出现裂缝]，[担心房子塌下来|大家都不敢回家住]，请[马上|紧急]处理！

== HOUSING_SECURITY
~ 工作人员/住保中心工作人员 公租房申请/保障房维修
+[我们|我家][收入很低|租房住了很多年]，[就指望这个|每个月房租压力很大]。
+[管理方|物业][推来推去|说要向上级请示]，[一直没有结果|没人给个准话]。
?[我家|我][符合条件|收入证明都开好了]，[不知道还差什么|想确认一下流程]。
?[网上|公众号上]的[申请指南|公示名单][看不太懂|找不到]。
@咨询 住房保障 公租房申请条件/廉租房申请
想咨询一下[公租房|公共租赁住房|廉租房]的申请条件，[我家{n}口人|我是外来务工人员|我在本市工作{n}年]，[月收入不高|没有自己的房子]，[能不能申请|符合不符合条件]？
@咨询 住房保障 公租房轮候/保障房配租
我[{date}|去年]就递交了[公租房|保障房]申请，[到现在|{duration}了]还没有[轮候|分配]结果，想问一下[排到第几号了|什么时候能配租]？
@咨询 人才住房 人才公寓/人才住房申请
我是[应届本科毕业生|硕士研究生|引进人才]，[刚到{district}工作|在本市就业]，想咨询一下[人才公寓|人才住房|人才租房补贴]怎么申请，[补贴标准是多少|需要什么材料]？
@投诉 保障房管理 公租房维修/公租房报修
我住在[公租房|保障房小区]{estate}，[房子漏水|下水道返水|门窗坏了][报修了{duration}|报修好几次]都没人来修，[管理方说没有经费|找谁都不管]。
@举报 保障房违规 公租房转租/违规占用保障房
{estate}[公租房|保障房]小区有人[把分到的房子|把公租房][转租出去|租给别人开店|空置不住]，[每月收租金{money}|自己住在商品房里]，[这对排队的人不公平|请查一下]。
@投诉 租赁补贴 租房补贴未发放/住房租赁补贴
我[符合条件|已经审核通过]的[租赁补贴|住房租赁补贴][已经{duration}没发了|一直没到账]，[打电话问说在走流程|问了好几次都说再等等]，[希望尽快发放|请帮忙催一下]。

== HOUSING_FUND
~ 窗口工作人员/公积金中心工作人员 公积金提取/公积金贷款
+[我|我们][急着用钱|等着这笔钱付首付|房东催着交房租]，[拖不起了|希望尽快]。
+[窗口|客服]说的[和网上|和之前][不一样|说法不一]，[跑了好几趟|来回折腾]。
?[公积金|账户]是[在外地交的|从外地转过来的]，[不知道有没有影响|不清楚能不能办]。
?[手机APP|网上大厅][一直提示失败|登录不上]，[只能去窗口|不知道怎么办]。
@咨询 公积金提取 公积金提取/租房提取公积金
想咨询[租房|买房|装修|退休]能不能提取公积金，[每次能提多少|一年能提几次]，[需要准备哪些材料|能不能在手机上办理]？
@咨询 公积金提取 离职提取公积金/公积金销户
我[已经离职|辞职回老家]了，[公积金账户里还有{money}|账户还有一些钱]，想问[怎么销户提取|能不能全部取出来]，[外地户口有没有影响|要等多久]？
@咨询 公积金贷款 公积金贷款额度/组合贷款
我[准备|打算]买{estate}的房子，想用公积金贷款，[我和爱人都交了{n}年公积金|公积金每月缴存{money}]，[最多能贷多少|贷款额度怎么算]，[二手房能不能用|组合贷款怎么办理]？
@投诉 公积金贷款 公积金贷款审批慢/放款慢
我{date}[递交了|提交了]公积金贷款申请，[已经{duration}了|到现在]还没[审批下来|放款]，[开发商一直催|房东催着要钱]，[想问问进度|请帮忙查一下]。
@投诉 公积金缴存 单位不缴公积金/公积金断缴
[公司|单位]{duration}[没给我们缴公积金|一直没缴住房公积金]，[工资条上却照扣|合同上写了有公积金]，[问人事说资金紧张|老板说过段时间再补]，[希望督促单位补缴|请帮忙处理]。
@投诉 公积金贷款 开发商拒绝公积金贷款
我[在|于]{date}[交了定金|签合同]购买{estate}的房子，[开发商|售楼处][告知|说]不能用公积金贷款，[只能商业贷款|必须全款]，[我认为不合理|这样是不是违规]。
@建议 公积金服务 公积金线上办理
建议[公积金提取|公积金业务][都能在手机上办|开通网上办理]，[每次去窗口都要排很长的队|上班族请假很不方便]，[材料也能网上提交|这样能省很多事]。

== NATURAL_RESOURCES
~ 窗口工作人员/执法人员 不动产登记/土地执法
+[这块地|这一片][以前是|原来是][农田|林地]，[现在全变样了|已经面目全非]。
+[村里|附近][很多人都看见了|大家都知道]，[就是没人管|一直没人制止]。
+[我们|村民][不知道|不清楚]他们有没有[审批手续|用地许可]，[希望公开|希望查一查]。
?[登记窗口|大厅窗口]说[还要补材料|要先去别的部门开证明]，[来回跑了好几次|不知道到底要什么]。
@咨询 不动产登记 不动产登记/二手房过户
我[买了|继承了][一套二手房|父母的房子]，想咨询[过户|办理不动产权证|不动产登记]需要[哪些材料|多长时间]，[税费怎么交|要不要预约]？
@咨询 不动产登记 预告登记/抵押登记
我在{estate}[买的房子|购房]，[想办理|咨询]预告登记，[办理流程是什么|在哪里办理]，[有什么作用|需要开发商一起去吗]？
@举报 土地违法 非法占用耕地/违法用地
{village}[有人|有个老板][在耕地上|占用基本农田]建[厂房|仓库|别墅]，[已经推平了几十亩地|正在打地基]，[村民都很气愤|不知道有没有审批手续]。
@举报 矿产资源 非法采砂/盗采河沙
{village}[附近|河边][每天晚上|经常]有人[偷偷采沙|挖沙|盗采河沙]，[好几辆货车在拉|挖掘机一直在挖]，[河堤都被挖空了|农田都塌了]，[请尽快制止|严重破坏资源]。
@咨询 规划管理 规划公示/规划建设
[听说|看到公示说]{estate}[旁边|对面]要[建|规划]一个[变电站|垃圾中转站|高层住宅|商业综合体]，想[咨询一下规划情况|了解规划审批情况]，[距离我们小区才几十米|会不会影响采光]？
@投诉 规划管理 擅自变更规划/违规修改规划
{estate}[开发商|开发公司][擅自|私自]修改了规划，[把绿地改成了停车场|楼间距缩小了|增加了一栋楼]，[跟买房时的规划图不一样|业主们都不同意]，[请查一查|希望依法处理]。
@举报 林业 砍伐山林/毁林开荒
{village}[后山|山上][有人|有老板][砍伐|滥砍]了大片[树林|山林|松树]，[用来种果树|准备开发]，[不知道有没有采伐证|山都被砍秃了]。
@咨询 宅基地 宅基地建房审批/土地确权
我们[家|村]想[翻建|新建]宅基地上的房子，[需要办理什么审批手续|去哪里申请规划许可]，[老房子没有证|宅基地证是以前的]，[能不能办|怎么确权]？

== ECOLOGY_ENVIRONMENT
~ 执法人员/环境监察人员 工厂废气/污水偷排
+[晚上|半夜|下雨天][味道最重|排得最厉害]，[白天来检查就停了|一检查就关机]。
+[附近|周边][好多人|老人孩子][咳嗽|头疼|过敏]，[大家都怀疑跟这个有关|担心影响健康]。
+[河边|现场]的[照片|视频]我都拍了，[可以提供|需要的话发给你们]。
?[我们|居民][想知道|希望公开][监测数据|检测结果]，[到底有没有超标|心里好有个底]。
@投诉 大气污染 工厂排放废气/刺鼻气味
{road}[附近|旁边]的{factory}[每天晚上|经常半夜][偷偷|]排放废气，[气味非常刺鼻|有股烧塑料的味道|烟囱冒黑烟]，[附近居民|我们]晚上都不敢开窗，[孩子|老人]经常[咳嗽|头疼]。
@举报 水污染 工厂偷排污水/废水直排
{factory}[把污水|把废水][直接排进|偷偷排到][河里|附近的河沟里]，[河水都变黑了|水面上漂着一层白沫|鱼都死了]，[臭味很大|附近农田也受影响]。
@投诉 水污染 河道发黑发臭/河道污染
{village}[旁边|附近]的河[最近|这{duration}][发黑发臭|颜色发红]，[上游好像有养殖场在排污|不知道是哪里排的污水]，[村民洗衣服用水都受影响|夏天臭得受不了]。
@投诉 噪声污染 工厂设备噪音/冷却塔噪音
{road}的{factory}[机器|设备|冷却塔|风机][日夜不停地运转|24小时开着]，[嗡嗡声特别大|噪音非常大]，[离我们小区只有几十米|晚上声音更明显]，[严重影响睡眠|已经持续{duration}了]。
@投诉 油烟污染 饭店油烟直排/餐饮油烟扰民
{estate}[楼下|底商]的{restaurant}[没有安装油烟净化器|油烟直排]，[油烟|味道]直接[往楼上飘|排到居民窗户边]，[家里窗户都不敢开|衣服晾出去都是油烟味]。
@咨询 环评 环评审批/建设项目环评
想咨询一下{company}在{district}[新建的项目|要建的厂]有没有[做环评|通过环评审批]，[听说是做化工的|说是要建电镀车间]，[离居民区很近|我们很担心污染]。
@举报 固体废物 偷倒工业垃圾/危废倾倒
[有人|一辆货车][半夜|经常]往{village}[的空地|的山沟里][倾倒|偷倒][不明废料|工业垃圾|化工废渣]，[有很大的刺激性气味|下雨后流出黑水]，[请查一下是哪里来的|严重污染环境]。
@举报 大气污染 露天焚烧/焚烧垃圾
{village}[有人|有个收废品的][经常在空地上|天天]焚烧[电线|废旧轮胎|垃圾]，[烟很大很呛|黑烟一直往村里飘]，[整个村子都是味道|村民都受不了]。
@建议 环境保护 空气质量监测/加强环境监管
建议[在{district}|在我们小区附近]增加空气质量监测点，[最近经常闻到异味|晚上经常有股怪味]，[希望能查清来源|加强对周边企业的监管]。

== TRANSPORT
~ 工作人员/运管执法人员 出租车遗失物品/出租车拒载
+[我|当时]有[付款记录|行程截图|发票]，[可以提供|都保存着]。
+[这种情况|这种事][不是一次两次了|经常发生]，[外地游客更容易被坑|影响城市形象]。
?[客服电话|运输服务热线][一直打不通|说不归他们管]，[只好打12345|所以来问一下]。
@投诉 出租车 出租车拒载/出租车不打表
我{time}在{road}[打了|坐]一辆出租车[去|到]{mall}，[司机不打表|司机绕了很远的路|司机嫌路近不愿意去]，[收了我{money}|还态度很差]，车牌号是{plate}，[希望严肃处理|请查处]。
{time}[在|从]{road}[打车|拦出租车]，[好几辆空车都不停|司机问了去哪里就拒载]，[说是要交班|嫌太近]，[其中一辆车牌是{plate}|我记下了车牌号{plate}]。
@求助 遗失物品 出租车遗失物品/打车落东西
我{time}从{road}[坐出租车|打车]到{mall}，[下车时把|不小心把][手机|钱包|一个黑色背包|一袋文件]落在了[后座|车上]，[没记住车牌号|没要发票]，[上车时间是|大概是]{hour}，[请帮忙查一下|希望能帮忙找回]。
@投诉 网约车 网约车加价/网约车司机
[坐|乘坐]网约车的时候[司机|平台][加价|多收了{money}|临时改价]，[平台客服一直不处理|投诉到平台没有回复]，[车牌号{plate}|订单号我有截图]，[希望严肃处理|请帮忙处理]。
[{road}|{mall}附近][网约车|顺风车][很难打到|一直没人接单]，[等了半个多小时|加价也没用]，[司机说这里不让停|平台说运力不足]，[希望管一管|请问是怎么回事]。
@咨询 网约车证 网约车驾驶员证/网约车资格考试
我{date}[报名了|参加了]网约车驾驶员[资格证考试|从业资格考试]，[到现在|已经{duration}了]都[没有通知考试时间|查不到成绩]，想问一下[是怎么回事|什么时候能拿证]。
@投诉 驾校培训 驾校不退费/驾校乱收费
我在{brand}驾校报名学车，[交了{money}学费|一次性交清了学费]，[教练经常不来|一直约不上车|练车要另外给教练钱]，[要求退费驾校不同意|驾校只肯退一半]。
@投诉 长途客运 客车超载/长途车乱收费
我{time}坐{road}[汽车站|客运站]发往[外县|下面乡镇]的班车，[车上严重超载|过道上站了十几个人]，[售票员|司机][多收票价|中途甩客]，[太危险了|希望查处]。
@建议 公路养护 乡村公路破损/县道维修
[从|通往]{village}的[乡道|县道|公路][年久失修|坑坑洼洼]，[大货车来回压|路面破损严重]，[下雨天根本走不了|孩子上学很不方便]，[希望尽快维修|建议重新修建]。
@咨询 轮渡 轮渡班次/客船停航
想咨询一下[去岛上|过江]的[轮渡|客船][每天有几班|什么时候开]，[大风天会不会停航|船票在哪里买]，[能不能带车|车辆怎么过去]？

== PUBLIC_TRANSPORT
~ 公交司机/驾驶员/公交车长 公交车上遗失物品/公交出行
+[车上|站台上][好多乘客|好多老人][都看到了|都很气愤]，[可以作证|不是我一个人这么说]。
+[这条线路|这个站点][是很多人上下班的必经线路|客流量很大]，[希望重视|影响很多人]。
?[公交站牌|手机查询软件]上的[信息|时刻表][跟实际不一样|没有更新]。
@投诉 公交服务 公交司机态度差/公交不停站
我{time}在{road}站[等|坐]{bus}，[司机不停站直接开过去了|车还没停稳司机就开门|司机急刹车差点把老人摔倒]，[车牌号是|车号]{plate}，[司机态度非常恶劣|我们说了两句司机还骂人]。
@投诉 公交服务 公交班次少/等车时间长
{bus}[班次太少|发车间隔太长]，[早高峰要等半个多小时|每次都要等四十分钟]，[车上挤得要命|经常上不去车]，[希望增加班次|能不能加几辆车]。
@咨询 公交线路 公交线路调整/公交改线
想咨询一下{bus}[为什么改线了|最近调整线路了吗]，[以前能到{school}|原来经过{road}]，[现在不经过了|现在要转车]，[首末班车是几点|新的线路怎么走]？
@咨询 公交卡 老年公交卡/学生公交卡
[老年人|残疾人|学生]公交卡[在哪里办|怎么办理]，[需要什么材料|能不能免费坐车]，[外地老人可以办吗|优惠是多少]？
@建议 公交线路 增设公交线路/增设公交站
{estate}[入住的人越来越多|已经住了几千户]，[附近没有公交站|最近的公交站要走二十分钟]，建议[开通一条公交线路|在{road}增设公交站]，[方便居民出行|老人小孩出门太不方便了]。
@求助 遗失物品 公交车上遗失物品/公交落东西
我{time}坐{bus}[到|在]{road}站下车，[把一个包|把手机|把孩子的书包]忘在车上了，[里面有证件|里面有很重要的东西]，[请帮忙联系司机|麻烦帮忙查一下]。
@投诉 公交设施 公交站牌损坏/候车亭损坏
{road}的公交站[站牌|候车亭][损坏|被撞坏了|广告牌掉下来了]，[站牌上的线路信息也不对|遮雨棚漏水]，[等车的人很多|下雨天没地方躲]，[希望尽快修好|请派人处理]。

== MARKET_REGULATION
~ 执法人员/市场监管所工作人员 消费纠纷/食品安全
+[购物小票|付款记录|聊天记录]我都[留着|保存了]，[可以提供|随时可以拿出来]。
+[找商家|跟老板][协商了好几次|交涉过]，[对方一直推脱|对方态度很恶劣]，[根本不解决|说随便我去哪里告]。
+[不止我一个人|好几个顾客][遇到这种情况|都被坑了]，[希望查处|不能让他们继续骗人]。
?[店面|我们]准备[下个月|月底]开业，[想把手续提前办好|不想违规经营]。
@投诉 消费维权 商品质量问题/商家不退换
我{date}在{mall}的{shop}买了[一部手机|一台冰箱|一件羽绒服|一双鞋]，[花了{money}|价格{money}]，[用了没几天就出现质量问题|回家发现是坏的|穿了一次就开胶了]，[商家不给退换|找商家他们推来推去]，[希望帮忙维权|请帮忙处理]。
@投诉 预付卡 预付卡退费/健身房跑路
我在{gym}办了[一张|一年的]会员卡，[充值了{money}|花了{money}]，[现在店|结果健身房][突然关门了|老板跑路了|转让了]，[联系不上老板|卡里的钱退不回来]，[很多会员都受骗了|好几十个人都办了卡]。
@举报 食品安全 销售过期食品/食品变质
我{time}在{road}的{shop}买的[牛奶|面包|零食|饮料|熟食]，[回家发现已经过期了|打开发现已经变质了]，[生产日期是{date}|保质期早过了]，[店家还不认账|要求赔偿商家不同意]。
@举报 食品安全 餐馆卫生差/食物中毒
{road}的{restaurant}[后厨|厨房][卫生特别差|老鼠乱窜|苍蝇很多]，[用的油很可疑|疑似使用地沟油]，我{time}[在那吃完饭|吃了之后][上吐下泻|肚子疼]，[还去医院看了病|花了{money}医药费]。
@举报 无照经营 无证经营/三无产品
{road}[有一家|一个]{shop}[一直无照经营|没有营业执照]，[还卖一些三无产品|卖的东西来路不明]，[门口也没看到任何证照|不知道有没有许可证]，[请查处|希望管一管]。
@举报 价格监管 缺斤短两/短斤少两
{market}的[摊主|商户][缺斤短两|秤有问题]，我[买了两斤|称了三斤的东西]回家一称[只有一斤半|少了好几两]，[这不是欺骗消费者吗|希望严查]。
@举报 价格监管 物业转供电加价/乱涨价
{estate}的物业[收取的电费|收的水费]比[国家标准|别的小区]贵[不少|一倍]，[一度电收一块多|每吨水多收两块]，[别的小区都没有这么贵|这合理吗]，[是不是乱收费|请查处]。
@咨询 登记注册 营业执照办理/个体户注册
[我想|准备]在{road}开一家{shop}，想咨询[个体工商户营业执照|营业执照]怎么办理，[需要什么材料|能不能网上办]，[食品经营许可证|卫生许可]也要一起办吗？
@投诉 特种设备 电梯年检过期/电梯异响
{estate}{bld}的电梯[年检合格证已经过期了|检验标志过期{duration}了]，[还一直在用|运行时有异响]，[经常突然停|晃得很厉害]，[大家都不敢坐|老人孩子坐很危险]。
@举报 药品监管 药店违规售药/假药
{road}的{pharmacy}[不要处方就卖处方药|卖的药疑似假药|销售过期药品]，[我{time}买了一盒|我家老人在那买的药][吃了没效果|包装跟正品不一样]，[请查一下|希望严查]。
@求助! 电梯困人 电梯困人/被困电梯
{estate}{bld}的电梯[突然停了|卡在{n}楼不动了]，[有两个人被困在电梯里|一位老人和孩子被困在电梯里面|好几个人困在电梯里]，[按警铃没人应|物业电话打不通]，[已经困了二十分钟|里面的人很害怕]，请[赶紧|马上]派人来救援！
{mall}的[观光电梯|货梯|电梯][刚才|突然]坏了，[电梯困人|有人被困电梯里]，[里面有小孩在哭|已经快半个小时了]，[商场工作人员说维保的人还没到|没人处理]，请[马上|立刻]派人来！

== CULTURE_TOURISM
~ 工作人员/执法人员 旅游投诉/景区服务
+[合同|行程单|付款记录]我都[保存着|留着]，[可以提供|需要的话发给你们]。
+[这严重影响了我们的旅游形象|外地游客对这里的印象会很差]。
?[我|孩子][周末|假期]才有时间，[想提前了解清楚|不想白跑一趟]。
@投诉 旅游市场 旅行社强制购物/导游强制消费
我{date}[报了|参加了]{travel_agency}的[一日游|三日游|旅游团]，[导游强制我们购物|被拉到购物店待了半天|导游不买东西就甩脸色]，[行程跟合同上写的不一样|景点都没去全]，[要求退还部分团费|希望严肃处理]。
@投诉 旅游市场 旅行社不退团费
我在{travel_agency}[交了{money}团费|报名交了团费]，[出发前两天|因为身体原因]申请[退团|取消行程]，[旅行社说一分钱不退|只肯退一小部分]，[合同上也没这么写|这合理吗]。
@投诉 景区管理 景区乱收费/景区服务差
{scenic}[门票|停车费][涨价了|收费太贵]，[进去以后|里面的小项目][还要另外收费|每个都要钱]，[服务也很差|厕所脏得不行]，[节假日人挤人|也不限流]。
@举报 文化市场 网吧接纳未成年人
{road}的[{brand}网吧|一家网吧][经常|天天][让未成年人上网|接纳中小学生上网]，[不登记身份证|用大人的身份证开机]，[我家孩子|很多学生][逃课去上网|通宵不回家]。
@举报 文化市场 娱乐场所违规经营/低俗演出
{road}的{bar}[有低俗表演|深夜还有演出]，[经常有未成年人出入|演出内容很不健康]，[不知道有没有演出许可|请查一下]。
@咨询 公共文化 图书馆开放时间/文化馆培训
想咨询一下{district}的[图书馆|文化馆|体育馆][开放时间|借书证怎么办|游泳馆暑期开不开放]，[周一闭馆吗|需要预约吗]，[有没有免费的培训班|学生有没有优惠]？
@建议 旅游服务 景区厕所/景区指示牌
建议在{scenic}[多建几个厕所|增加指示牌|增加休息座椅]，[节假日游客太多|现在的厕所排长队]，[外地游客|来玩的人][根本找不到路|很不方便]。

== AGRICULTURE
~ 农技人员/工作人员 农资质量/动物防疫
+[一家人|我们家][就指望这些|全靠种地养殖][过日子|生活]，[损失太大了|这下全完了]。
+[村里|附近][好几户|很多人]都是[这种情况|这样]，[大家都很着急|希望派人来看看]。
?[村里|镇上]的[干部|工作人员]也[说不清楚|不太了解]，[只好打电话问|让我们自己问]。
@投诉 农资质量 假种子/假化肥
我[在|从]{village}[的农资店|附近一家农资店]买的[玉米种子|水稻种子|化肥|农药]，[种下去发芽率很低|用了以后庄稼都死了|效果很差]，[损失了好几亩地|一季收成都没了]，[老板不认账|店主说不关他的事]。
@咨询 惠农补贴 耕地地力保护补贴/种粮补贴
想咨询一下[今年的|]耕地地力保护补贴[什么时候发|发放标准是多少]，[我家种了{n}亩地|我流转了{n}亩地]，[补贴给承包户还是种地的人|怎么还没到账]？
@咨询 惠农补贴 农机购置补贴
我[想买|买了]一台[收割机|拖拉机|插秧机]，想问[农机购置补贴|补贴]怎么申请，[补贴多少钱|需要什么材料]？
@举报 动物防疫 私屠滥宰/病死猪
{village}有人[私设屠宰点|在家里杀猪]，[没有检疫|不经过检疫]就[拉到{market}卖|卖给饭店]，[还有病死猪|卫生条件极差]，[吃了出问题谁负责|请严查]。
@举报 渔业 非法捕捞/电鱼
{village}[附近的河里|水库里][经常|每天晚上]有人[电鱼|用绝户网捕鱼]，[现在是禁渔期|小鱼小虾都被电死了]，[劝也不听|请查处]。
@投诉 农村土地 土地承包纠纷/承包地被收回
我们家在{village}的[承包地|责任田]被[村里|别人][收回|占用]了，[承包合同还没到期|承包经营权证上写得清清楚楚]，[也没给补偿|村委会说是集体决定]，想咨询[该怎么处理|怎么维权]。
@求助 动物疫病 家禽死亡/牲畜生病
我家养的[鸡|鸭|猪|牛][最近|这几天][死了好多|接连死了{n}头|不吃东西]，[不知道是什么病|担心是传染病]，[希望派兽医来看看|请帮忙找技术人员指导]。

== HUMAN_RESOURCES
~ 工作人员/窗口工作人员 就业补贴/劳动仲裁
+[公司|单位][一直拖着|不配合]，[我们|我]也[不懂法律|不知道怎么维权]。
+[家里|我][上有老下有小|还要还房贷]，[现在没有收入|压力很大]。
?[人社窗口|窗口工作人员]说[要看具体情况|要等通知]，[想问问具体政策|想了解清楚再去办]。
?[我|我们][在网上|在公众号上][看到了通知|查了政策]，[但有些地方看不懂|不知道自己符不符合条件]。
@咨询 就业创业 创业担保贷款/创业补贴
我[是{district}户籍|是应届毕业生|刚失业]，[想自己创业|准备开个店]，想咨询[创业担保贷款|一次性创业补贴|就业补贴]怎么申请，[最多能贷多少|需要什么条件]？
@咨询 失业保险 失业金申领/失业保险金
我{date}[被公司辞退了|合同到期公司不续签了]，[缴了{n}年失业保险|之前一直交社保]，想问[失业金|失业保险金]怎么领，[每个月能领多少|能领几个月]？
@咨询 劳动关系 辞退补偿/经济补偿金
我在{company}干了{n}年，[公司突然通知|老板让]我[明天不用来了|自己写辞职报告]，[没有任何补偿|也没说原因]，想咨询[这种情况有没有经济补偿|应该怎么算补偿]，[要不要去劳动仲裁|怎么申请仲裁]？
@咨询 职称评审 职称评审/职称申报
想咨询一下今年[中级职称|高级职称|职称]评审[什么时候开始|需要什么条件]，[我在民营企业上班|我是自由职业]，[能不能申报|在哪里报名]？
@咨询 职业技能 职业技能证书/技能补贴
我[考了|报考了][电工证|育婴师证|职业技能等级证书]，[已经{duration}了|到现在]还没[拿到证书|查到成绩]，[技能提升补贴也没到账|想问问进度]，[请帮忙查询|该找谁]？
@投诉 劳动仲裁 劳动仲裁拖延/仲裁不受理
我{date}[申请了劳动仲裁|向仲裁院提交了申请]，[到现在|已经{duration}了]都没[开庭|立案|下裁决]，[公司那边一直拖|打电话问也没人回复]，[希望能加快|请帮忙催一下]。
@建议 就业服务 大龄人员招聘会/就业帮扶
建议[多举办一些|在{district}举办]针对[40岁以上|大龄人员|残疾人]的招聘会，[现在的招聘会|很多企业][都要年轻人|要求35岁以下]，[我们找工作太难了|希望政府给点帮助]。

== LABOR_INSPECTION
~ 劳动监察员/执法人员 讨薪/拖欠工资
+[我们|我][有考勤记录|有工资条|有微信聊天记录]，[能证明|可以作为证据]。
+[老板|包工头][说没钱|一直说下个月给]，[都拖了好几次了|根本不接电话]，[快过年了|家里等着用钱]。
+[和我一样的|一起干活的][还有十几个人|还有好多工友]，[大家都拿不到钱|都急得不行]。
?[公司|单位]说[这是行业惯例|大家都这样]，[我不知道是不是合法|想问问到底怎么规定的]。
@投诉 欠薪 拖欠工资/公司欠薪
我在{company}上班，[公司已经|老板]拖欠了我[{n}个月|{duration}]的工资，[一共{wage}|共计{wage}]，[多次找老板要|打电话催了很多次]，[老板一直推说没钱|老板现在电话都不接了]，[家里等着用钱|快过年了]。
@求助 欠薪 拖欠农民工工资/包工头欠薪
我们[十几个|二十多个|好几个][工人|农民工]在{site}[干活|做工]，[包工头|老板][拖欠我们|一直拖着我们的]工资[一共|总共]{bigmoney}，[工程都完工了|已经干完{duration}了]，[包工头跑了|项目部说钱已经给了包工头]，[请政府帮帮我们|实在没办法了]。
{relative}在{site}[做了|干了]{duration}的[木工|钢筋工|小工]，[工钱|工资]{wage}到现在[还没结|一分没拿到]，[包工头电话是{other_phone}|包工头姓{surname}]，[已经找过工地很多次|工地说找包工头]，[能不能帮忙讨回来|希望帮我们讨薪]。
@举报 劳动用工 不签劳动合同/不缴社保
{company}[不跟员工签劳动合同|入职{n}个月了还不签合同]，[也不给缴社保|社保一直没交]，[每天上班十二个小时|加班也没有加班费]，[员工敢怒不敢言|请查处]。
@举报 劳动用工 使用童工/雇佣童工
{factory}[招用|雇了][未成年人|童工]，[看起来只有十四五岁|好几个孩子都没满十六岁]，[每天在流水线上干十几个小时|就住在厂里]，[请尽快查处|太不像话了]。
@咨询 劳动监察 加班费/最低工资标准
想咨询一下[我们单位|公司][每天|每周][要求加班|上班六天]，[但从来不给加班费|工资比最低工资标准还低]，[这种情况合法吗|可以去哪里投诉]？

== SOCIAL_INSURANCE
~ 社保窗口工作人员/工作人员 社保转移/养老金
+[单位|公司][说是社保的问题|推给社保部门]，[社保窗口又让找单位|来回推]。
+[这关系到|这影响到][退休|以后领养老金]，[我很担心|希望尽快弄清楚]。
?[社保窗口|社保服务大厅][排队的人太多|人很多]，[电话也打不进去|想先问清楚再去]。
?[手机上|社保APP上][查到的|显示的][和单位说的不一样|信息不全]。
@咨询 社保转移 社保转移接续/养老保险转移
我[之前|以前]在[外地|{company}]工作，[现在换了工作|回到本市工作]，想咨询[社保怎么转移|养老保险关系怎么转过来]，[需要回原来的地方办吗|网上能不能办]？
@咨询 养老保险 退休办理/养老金领取
{relative}[今年满60岁了|马上到退休年龄]，[交了{n}年社保|养老保险缴了{n}年]，想问[退休手续怎么办|养老金每月能领多少]，[不够15年怎么办|能不能一次性补缴]？
@咨询 养老保险 城乡居民养老保险/灵活就业参保
[城乡居民养老保险|灵活就业人员社保]每年[交多少钱|缴费档次有哪些]，[在哪里缴|手机上怎么交]，[交满15年以后每个月能领多少|断缴了有没有影响]？
@咨询 社保卡 社保卡补办/社保卡激活
我的社保卡[丢了|坏了|消磁了]，[想补办|要换新卡]，[在哪里办理|需要多长时间]，[能不能在银行网点办|第三代社保卡怎么申领]？
@投诉 工伤保险 工伤待遇/工伤认定
我{date}在[工作中|上班时][摔伤了|被机器轧伤了手]，[申请了工伤认定|已经认定了工伤]，[到现在|已经{duration}]都没[拿到工伤待遇|报销医药费]，[公司说在等审核|问了说材料不全]。
@投诉 社保缴费 社保缴费记录异常/社保断缴
我[查了一下|在手机上查]社保缴费记录，发现[{date}|去年有{n}个月][没有缴费记录|断缴了|缴费基数不对]，[但单位说都交了|工资里每月都扣了钱]，[想知道怎么回事|请帮忙核查]。
@咨询 养老保险 养老金资格认证/待遇调整
{relative}[每年都要做|今年还没做]养老金[资格认证|领取资格认证]，[老人不会用手机|腿脚不方便去不了]，[能不能上门认证|有没有别的办法]，[今年养老金涨了多少|什么时候补发]？

== HEALTHCARE_SECURITY
~ 医保窗口工作人员/工作人员 医保报销/异地就医
+[医院|药店][说是医保系统的问题|让我们自己找医保部门]，[来回跑了好几趟|一直没解决]。
+[老人|病人][每个月药费不少|看病花钱多]，[医保的事对我们很重要|负担太重了]。
?[医院窗口|医保窗口]说的[不一样|前后不一致]，[不知道该听谁的|想问个准话]。
?[手机上|医保APP上][找不到入口|一直提示失败]，[不知道怎么操作|老人不会弄]。
@咨询 医保报销 异地就医报销/异地就医备案
{relative}在[外地|省外][住院|做手术]花了{bigmoney}，[没有办异地备案|出院时没能直接结算]，想问[回来以后怎么报销|需要什么材料报销]，[报销比例是多少|能报多少]？
@咨询 医保缴费 城乡居民医保缴费
今年的城乡居民医保[什么时候开始交|每人交多少钱]，[在哪里缴费|手机上怎么交]，[孩子|老人][错过缴费期了怎么办|能不能补缴]？
@投诉 医保服务 医保卡无法使用/医保结算异常
我在{pharmacy}[用医保卡买药|刷医保卡]，[显示账户异常|刷不了]，[但卡里明明有钱|药店说是系统问题]，[已经{duration}了|跑了好几趟]都没解决。
@举报 骗保 骗取医保基金/挂床住院
{hospital}[附近|旁边]有家诊所[组织老人|拉老人][免费体检|挂床住院]，[用老人的医保卡刷药|虚开住院费用]，[明显是在骗医保|{relative}就被拉去过]，[请严查|希望查处]。
@咨询 生育保险 生育津贴/生育医疗费报销
我{date}生了孩子，[单位一直给我交着生育保险|交了一年多生育保险]，想问生育津贴[怎么申领|什么时候到账|按什么标准发]，[产检费用能报销吗|需要什么材料]？
@咨询 门诊慢特病 门诊慢特病/慢性病报销
{relative}[有高血压和糖尿病|得了慢性病|需要长期吃药]，想咨询[门诊慢特病|慢性病门诊][怎么申请|能报销多少]，[哪些药在医保目录里|在哪个医院可以办]？
@咨询 医保参保 新生儿参保/医保关系转移
[孩子刚出生|小孩{n}个月了]，想给[他|孩子]办[医保|城乡居民医疗保险]，[出生多久内参保才能报销出生时的费用|需要带什么材料]，[能不能在手机上办|在哪里办]？

== HEALTH
~ 医生/护士/医护人员 看病就医/疫苗接种
+[病历|收费单据|检查报告]我都[留着|保存了]，[可以提供|需要的话可以拿来]。
+[医院的投诉办|医院的科室][一直推|说要调查]，[到现在没有答复|态度很敷衍]。
?[医院|社区卫生服务中心]的[电话|预约平台][打不通|一直约不上]，[只好来问问|不知道找谁]。
@投诉 医疗服务 医院服务态度差/看病难
我{time}带{relative}去{hospital}[看急诊|看病]，[排队等了三个多小时|医生态度非常差|护士很不耐烦]，[问两句就不耐烦|开了一堆检查]，[病情都被耽误了|花了{money}也没看好]，[希望医院给个说法|请管一管]。
@投诉 医疗纠纷 医疗事故/手术后感染
{relative}在{hospital}做完手术[后出现感染|后情况越来越差]，[医院说是正常现象|医生推卸责任]，[我们怀疑是医疗事故|要求医院给个说法]，[该怎么鉴定|找谁处理]？
@投诉 医疗收费 医院乱收费/重复收费
{relative}在{hospital}住院{n}天，[费用清单上有|收费明细里有][好多没用过的药|重复收费的项目]，[总共花了{bigmoney}|多收了{money}]，[问医院也解释不清楚|医院说是系统自动生成的]。
@咨询 生育登记 生育登记/出生医学证明
想咨询一下[生二孩|生三孩|生孩子]需要[办生育登记吗|办什么手续]，[出生医学证明|出生证][丢了怎么补办|名字写错了怎么改]，[在哪个医院办|需要什么材料]？
@咨询 疫苗接种 疫苗接种/预防接种
[我家宝宝|孩子][{n}个月了|今年上小学]，想问[乙脑疫苗|九价HPV疫苗|流感疫苗][在哪里打|什么时候有]，{hospital}[说没有疫苗了|约不上]，[要等到什么时候|还有别的地方能打吗]？
@举报 非法行医 黑诊所/无证行医
{road}[有一家|一个]小诊所[没有执业许可|医生没有执业证]，[给人打吊针|给人拔牙|做医美]，[卫生条件很差|针头都重复使用]，[我怀疑是非法行医|请查一下]。
@建议 医疗服务 挂号难/社区医院建设
{district}的[大医院|三甲医院]挂号太难了，[专家号一放出来就没了|要凌晨排队]，建议[多开放一些网上号源|加强社区卫生服务中心建设]，[老人不会用手机挂号|方便老年人看病]。

== EDUCATION
~ 老师/学校老师/工作人员 入学报名/学位申请
+[很多家长|其他家长][也有意见|都这么认为]，[但怕孩子被穿小鞋|不敢公开说]。
+[学校|班主任][一直回避|说是上面的安排]，[家长们很无奈|没人给个说法]。
?[学校|招生办]的[电话一直打不通|说法不统一]，[家长们都很着急|想问个准话]。
?[报名时间快到了|马上就要报名了]，[怕错过|想提前把材料准备好]。
@咨询 招生入学 小学入学/学区划分
我家孩子今年[{n}岁|要上小学|要上初中]，[我们住在{estate}|户口在{district}]，想咨询[对口的学校是哪一所|学区是怎么划分的]，[租房能不能上公办学校|随迁子女入学需要什么材料]？
@咨询 招生入学 随迁子女入学/外地户口入学
[外地户口|非本市户籍]的孩子在{district}[上小学|读初中]需要[哪些材料|什么条件]，[居住证要办满多久|社保要交满几年]，[什么时候开始报名|在哪里报名]？
@投诉 教育收费 学校乱收费/强制购买教辅
{school}[要求|让]学生[统一购买|必须订][教辅资料|校服|课外书]，[每个学生要交{money}|价格比外面贵很多]，[不买老师就给脸色|说是自愿其实是强制]。
@举报 教育收费 教师有偿补课
{school}的老师[在校外|周末][办补习班|有偿补课]，[每个学生收{money}|一节课收好几百]，[不去补课就在班上点名|暗示家长必须参加]，[家长敢怒不敢言|请查处]。
@投诉 校外培训 培训机构跑路/培训机构不退费
我给孩子在{training}报了[英语课|数学班|舞蹈班]，[一次性交了{money}|预交了一年的学费]，[现在机构突然关门了|老师都走了]，[联系不上负责人|要求退费一直拖着]，[几十个家长都一样|很多家长都受骗了]。
@投诉 学校管理 校园欺凌/学生被欺负
我家孩子在{school}[读{grade}|上{grade}]，[最近经常被同学欺负|被几个同学打了]，[跟班主任说了|老师知道了][也不管|只是批评了几句]，[孩子现在不敢去上学|身上都有伤]，[希望学校重视|请过问一下]。
@投诉 师德师风 教师体罚学生
{school}[有个老师|一位老师][经常体罚学生|罚孩子站一整节课|打学生手心]，[孩子回家都哭|好几个家长都有意见]，[希望严肃处理|请查一下]。
@建议 课后服务 课后服务/延时托管
建议{school}[延长课后服务时间|开展课后托管]，[现在下午三点半就放学|放学太早]，[双职工家庭|我们上班的家长]根本接不了孩子，[希望能解决|很多家长都有这个需求]。
@咨询 考试招生 中考报名/成人高考报名
想咨询一下今年[中考|高考|成人高考|自学考试][什么时候报名|报名需要什么材料]，[孩子户口在外地|我是往届生]，[能不能在本市报名|在哪里报名]？
@投诉 学校管理 学校食堂饭菜差
{school}的[食堂|营养餐][饭菜质量很差|分量太少|菜里吃出了虫子]，[每个月收{money}伙食费|价格又贵]，[孩子都吃不饱|好几个孩子吃了肚子疼]，[希望学校改进|请管一管]。

== CIVIL_AFFAIRS
~ 工作人员/社区工作人员/救助站工作人员 低保申请/养老服务
+[家里|我们][实在太困难了|就靠这点钱]，[希望政府帮一把|请帮帮我们]。
+[社区|村里][说不归他们管|让我们去找上级]，[我们也不知道找谁|来回跑了好几趟]。
?[老人|我][年纪大了|腿脚不方便]，[能不能上门办理|有没有简单点的办法]。
@咨询 社会救助 低保申请/临时救助
我家[{n}口人|只有我和老伴]，[{relative}瘫痪在床|没有收入来源|家里有残疾人]，[生活非常困难|看病花光了积蓄]，想咨询[低保|最低生活保障|临时救助][怎么申请|需要什么条件]？
@投诉 社会救助 低保评定不公
{village}[有人开着小车|家里有好几套房子的人][还在领低保|也评上了低保]，[真正困难的人|我们家这么困难][却申请不上|反而评不上]，[村干部优亲厚友|评议不公开]。
@咨询 婚姻登记 结婚登记/离婚登记
想咨询一下[结婚登记|办理离婚登记|补办结婚证][需要带什么材料|要不要预约]，[户口不在本地|一方是外地户口][能不能在这边办|需要回户籍地吗]，[周末能办吗|在哪里办]？
@咨询 养老服务 高龄津贴/高龄补贴
{relative}今年[{age}岁了|八十多岁]，想问[高龄津贴|高龄补贴][怎么申请|每个月多少钱]，[要去哪里办|已经申请了怎么还没发]？
@咨询 养老服务 公办养老院/养老机构
想给{relative}找个养老院，[{district}有没有公办养老院|公办养老院怎么排队]，[收费标准是多少|失能老人能收吗]，[有没有补贴|需要什么手续]？
@投诉 养老机构 养老院服务差/护工虐待老人
{relative}住在{district}[一家|的{brand}]养老院，[每个月交{money}|费用不低]，[护工态度很差|老人身上长了褥疮|伙食非常差]，[我们去探望发现|老人跟我们说][经常没人管|饭菜都是凉的]，[希望管一管|请去检查一下]。
@求助 流浪救助 流浪乞讨人员救助
{road}[天桥下|桥洞里][有一个|有位]流浪[老人|人员][在那住了{duration}|天气这么冷还睡在外面]，[看起来精神有问题|身体很虚弱]，[希望救助站来看看|请帮忙救助]。
@咨询 殡葬服务 殡葬补贴/公益性公墓
家里老人[刚过世|去世了]，想咨询[殡葬补贴|丧葬费|惠民殡葬政策]怎么申请，[公墓|骨灰安放][价格是多少|有没有公益性的]，[火化要去哪里预约|需要什么手续]？
@求助! 流浪救助 流浪人员晕倒/流浪老人躺在路边
{road}[路边|天桥下]有[一位|个]流浪老人[晕倒在地上|躺在地上一动不动]，[天气这么冷|穿得很单薄]，[叫他也没反应|看着很危险]，请[赶紧|马上]派人来救助！

== GOV_SERVICE_CENTER
~ 窗口工作人员/大厅工作人员 窗口办事/网上办事
+[我|我们][为了这件事|为了办这个]已经[请了好几天假|跑了好几趟]，[太折腾了|实在耽误不起]。
+[大厅里|窗口前][很多人|好多办事群众][都有同样的抱怨|都在排长队]。
?[网上的办事指南|公众号上的说明][写得不清楚|和窗口说的不一样]，[想先确认一下|不想白跑]。
@投诉 窗口服务 窗口服务态度差/办事排队
我{time}去[政务大厅|办事大厅][办理|咨询][营业执照变更|不动产登记|社保业务]，[排队排了两个多小时|叫号系统乱了]，[窗口工作人员态度很差|工作人员一直在玩手机]，[材料也没一次性告知|让我来回跑了三趟]。
@咨询 政务服务 办事指南/预约办理
想咨询一下[办理|申请][企业开办|工程建设审批|出入境证件]是在[政务大厅|办事大厅]哪个窗口，[周末能不能办|需要提前预约吗]，[能不能一网通办|网上能办吗]？
@投诉 网上办事 政务APP故障/网上办事系统
[政务服务APP|网上办事大厅|政务小程序][一直登录不上|提交材料总是失败|人脸识别不通过]，[试了好几天|换了好几个手机]都不行，[客服电话也打不通|耽误了我办事]，[希望尽快修复|请技术人员看看]。
@建议 政务服务 延时服务/周末办事
建议[政务大厅|办事大厅][中午不休息|周末也开放|推出延时服务]，[我们上班族|上班时间]根本没时间去办事，[每次都要请假|希望方便群众]。
@投诉 审批效率 审批超时/审批进度
我{date}[提交了|递交了][施工许可|企业开办|食品经营许可]的申请，[承诺时限早过了|已经{duration}了]，[到现在还没批下来|一直显示审核中]，[打电话问说在走流程|也没人告诉我缺什么]。
@咨询 政务服务 证明材料/一件事一次办
[办理|申请][退休|新生儿出生|开餐馆]这件事，[听说可以一次办好|要跑好几个部门]，想问[政务大厅|办事大厅]有没有[一件事一次办|综合窗口]，[需要带哪些材料|要不要预约]？

== DISTRICT_GOVERNMENT
~ 社区工作人员/街道工作人员/网格员 邻里纠纷调解/村务
+[社区|村委会][来调解过|出面过][一次|几次]，[但没有什么效果|对方根本不理]。
+[我们|大家]都是[老邻居|一个村的]，[不想闹得太僵|实在是没办法了]。
+[这件事|这事][涉及好多户|全村人都很关心]，[希望上级重视|希望能公开透明]。
?[社区|街道]的[工作时间|办公电话][不太清楚|一直没人接]，[想先问一下|怕白跑一趟]。
@投诉 邻里纠纷 楼上噪音/邻居噪音
我住在{home}，楼上[住户|邻居][每天晚上|天天半夜][拖椅子|跺脚|大声吵架|孩子跑跳]，[一直到{night}|吵到凌晨]，[上去沟通过几次|找物业协调过][都没用|对方态度很差]，[希望社区出面调解|请帮忙协调]。
@投诉 邻里纠纷 邻居占用公共走廊/邻里纠纷
{estate}[隔壁|楼下]邻居[在楼道里堆满杂物|把公共走廊围起来自己用|在门口养鸡]，[多次沟通|说了好几次][都不听|还吵起来了]，[希望社区|请街道][出面|来]协调。
@咨询 征地拆迁 征地补偿/拆迁补偿款
我们{village}[被征地|要拆迁]了，[补偿款|安置费][一直没发到位|比周边村子低很多]，[村委会说镇里还没拨下来|也没有公示补偿标准]，想咨询一下[补偿标准是什么|什么时候能发]。
@投诉 农村事务 村务不公开/村财务不公开
{village}[村委会|村干部][村务|财务][从来不公开|几年没公示过]，[集体土地被租出去|村里的鱼塘承包出去了]，[租金去哪了|钱怎么用的]村民都不知道，[希望镇里|请上级]查一查。
@求助 农村事务 村道硬化/村里道路
{village}[通往镇上的|村里的]路[坑坑洼洼|一下雨就是泥巴路]，[村民出行很困难|孩子上学要绕很远]，[村里说没钱修|反映了好几年]，[希望政府帮忙解决|希望能硬化一下]。
@咨询 社区服务 开具证明/老年优待证
想咨询一下[开具|办理][居住证明|困难证明|老年优待证]要去[社区|街道]哪个部门，[需要带什么材料|本人要不要到场]？
@投诉 村容环境 农村垃圾无人清理
{village}[的垃圾|路边的垃圾][堆了{duration}|好久]都没人清理，[也没有垃圾桶|保洁员不来了]，[臭气熏天|苍蝇乱飞]，[希望镇里派人清理|请安排保洁]。
@建议 社区建设 老旧小区改造/加装电梯
{estate}是[老旧小区|九十年代的老小区]，[没有电梯|路面坑洼|管网老化|没有停车位]，建议[纳入老旧小区改造|尽快改造]，[居民都盼着|老人上下楼太难了]。

== WATER_SUPPLY
~ 抢修师傅/维修师傅/营业厅工作人员 停水/水表维修
+[小区里|这一片][好多户都一样|整栋楼都这样]，[不是我一家的问题|大家都很着急]。
+[打了客服电话|报修了]，[说会尽快处理|让等通知]，[到现在还没消息|也没个准确时间]。
?[营业厅|客服热线][排队的人多|一直占线]，[想先问清楚再去|所以打这个电话]。
@求助 停水 停水/无故停水
{estate}[从{time}开始|今天一早][就停水了|一直没水]，[也没有提前通知|小区里没贴停水通知]，[家里有老人小孩|做饭洗漱都成问题]，想问一下[什么时候恢复供水|是什么原因停水]。
@投诉 水压问题 水压低/高层没水
{estate}[高层|{n}楼以上][水压特别低|经常没水]，[一到做饭时间就没水|热水器都用不了]，[已经{duration}了|反映过好几次]，[请尽快解决|希望查一下原因]。
@投诉 水质问题 自来水发黄/水质浑浊
{estate}的自来水[最近|这几天][发黄|浑浊|有股怪味|有很多杂质]，[烧开后|放一会][底部有沉淀|还有一层白色的东西]，[不敢喝|家里孩子喝了拉肚子]，[希望检测一下水质|请尽快处理]。
@投诉 水费水表 水费异常/水表故障
我家[这个月|上个月]的水费[突然涨到|竟然有]{money}，[平时只有几十块|家里就两个人住]，[怀疑水表有问题|是不是抄错了]，[想申请校表|请派人来看看]。
@咨询 用水报装 自来水开户/水表过户
我[新买的房子|刚租的房子]要办理[自来水开户|水表过户]，[需要带什么材料|在哪个营业厅办]，[能不能网上办|要本人去吗]？
@投诉 供水设施 供水管漏水/阀门损坏
{road}[路边|人行道下面]的[供水管|自来水管][漏水|一直在冒水]，[已经{duration}了|水流了一地]，[浪费太严重了|路面都泡坏了]，[请尽快派人维修|希望尽快修好]。
@求助! 水管爆裂 水管爆裂/爆管
{road}[靠近|在]{road2}[路口|交叉口]的自来水[管道|主管道][突然爆裂了|爆管了]，[水喷出来有一人多高|大量自来水涌到路面上]，[路面都成河了|周边小区都停水了]，请[马上|立刻]派人抢修！
{estate}[楼下|小区里]的供水管[爆了|突然破裂]，[水哗哗地往外冒|水漫到单元门口了]，[附近几栋楼都没水了|地下室已经进水]，请[赶紧|尽快]派人来关阀门抢修！

== POWER_SUPPLY
~ 电力抢修师傅/供电所师傅/抢修人员 停电抢修/电表更换
+[打了报修电话|报修了]，[说已经派单了|说在排队]，[过了好几个小时还没人来|一直没消息]。
+[家里|楼里][有老人和小孩|好几户有病人]，[停电实在受不了|真的很着急]。
?[营业厅|网上国网APP][办不了|一直提示失败]，[不知道什么原因|想问问怎么回事]。
@求助 停电 停电报修/突然停电
{estate}{bld}[从{time}|今天下午]开始[停电|没电了]，[其他楼都有电|只有我们这栋停]，[冰箱里的东西都要坏了|家里有老人要用制氧机]，[打了报修电话没人来|请尽快派人抢修]。
@投诉 停电 频繁停电/经常跳闸
{estate}[最近|这{duration}][经常停电|三天两头停电|一到晚上就跳闸]，[每次停好几个小时|也不提前通知]，[家里电器都坏了好几样|天气这么热受不了]，[希望查明原因|请彻底解决]。
@投诉 电压问题 电压不稳/电压低
{village}[一到晚上|用电高峰][电压就特别低|灯都是暗的]，[空调开不起来|电饭煲煮不熟饭]，[变压器容量太小|村里用电的人越来越多]，[希望增容改造|请尽快解决]。
@咨询 电费电表 电费异常/电表校验
我家[这个月的电费|上个月电费][突然涨到{money}|比平时多了好几倍]，[家里没增加电器|长期没人住]，[怀疑电表有问题|想申请校验电表]，[请帮忙查一下|要怎么处理]？
@咨询 用电报装 新装电表/用电过户
我[新开了一家{shop}|刚买的房子]，想[申请新装电表|办理用电过户|申请增容]，[需要什么材料|多长时间能装好]，[费用是多少|在哪里办]？
@投诉 电力设施 变压器噪音/变压器离住户太近
{estate}[楼下|旁边]的变压器[嗡嗡响|噪音特别大]，[晚上尤其明显|离住户窗户只有几米]，[担心有辐射|影响休息]，[希望搬迁|请处理一下]。
@投诉 电力设施 电线杆倾斜/电线过低
{road}[路边|人行道上]的电线杆[歪了|倾斜得很厉害]，[电线垂得很低|电线都快碰到人了]，[下面经常有人走|大车经过容易刮到]，[存在安全隐患|请尽快处理]。
@求助! 电线掉落 电线掉落/电线断落
{road}[靠近|在]{road2}[路口|交叉口][有根|一根]电线[掉落在地上|断落在人行道上|被风刮断掉下来了]，[还在冒火花|旁边就是积水]，[很多人从旁边经过|小孩子在附近玩]，请[马上|赶紧]派人来[断电处理|抢修]！
{estate}[整个小区|周边几个小区][都停电了|大面积停电]，[好像是变压器坏了|听到一声巨响后就没电了]，[家里有老人在用呼吸机|天气这么热]，请[尽快|马上]抢修！

== GAS_SUPPLY
~ 燃气公司师傅/抢修师傅/安检员 燃气开通/燃气维修
+[打了燃气客服电话|报修了]，[说会派人来|一直说在排队]，[到现在也没见人|也没个准信]。
+[家里|我们][有老人孩子|每天都要做饭]，[没气真的很不方便|实在拖不起]。
?[营业厅|客服][说法不一样|说得不清楚]，[想确认一下|不知道该信谁]。
@咨询 燃气报装 燃气开通/天然气开户
我[刚买了|刚装修好]{estate}的房子，想[开通|申请开通]天然气，[需要带什么材料|在哪里办理]，[开户费|初装费]是多少，[多长时间能通气|要不要预约上门]？
@投诉 燃气收费 燃气费异常/燃气表走得快
我家[这个月|上个月]的燃气费[有{money}|突然多了很多]，[平时一个月才几十块|家里很少做饭]，[怀疑燃气表有问题|表走得特别快]，[想申请校表|请派人来检查]。
@投诉 燃气收费 强制更换燃气配件/安检乱收费
[上门安检的人|燃气安检员][强制|要求]更换[燃气报警器|灶具连接管|自闭阀]，[每个要{money}|价格比外面贵好几倍]，[不换就不给通气|说是必须换]，[是不是乱收费|这合理吗]？
@投诉 燃气服务 停气/燃气维修不及时
{estate}[从{time}开始|已经{n}天][停气了|没有天然气]，[也没有任何通知|打客服电话说在维修]，[家里做不了饭|每天只能点外卖]，[什么时候能恢复|请尽快处理]。
[燃气灶|壁挂炉|燃气表][坏了|打不着火|点不着]，[报修了{duration}|约了好几次]都没有师傅上门，[家里没法做饭|冬天没有热水洗澡]，[希望尽快安排|请催一下]。
@举报 燃气安全 私接燃气管道/违规使用液化气
{road}的{restaurant}[私自改装|私接][燃气管道|天然气管道]，[还在店里存放好几罐液化气|管道就在人行道上]，[万一出事后果很严重|非常危险]，[请查处|希望管一管]。
@求助! 燃气泄漏 燃气泄漏/闻到煤气味
{home}[楼道里|家里|隔壁]闻到[很浓的|一股]煤气味，[敲门没人应|已经开窗通风了]，[不敢开灯|担心会爆炸]，请[马上|赶紧]派人来检查！
{road}[正在施工|修路]的时候把[燃气管道|天然气管道][挖断了|挖破了]，[现场能听到嘶嘶的漏气声|能闻到很大的燃气味]，[附近都是商铺和住户|人来人往]，请[立即|马上]派人抢修！

== HEATING_SUPPLY
~ 热力公司师傅/维修师傅/客服人员 暖气不热/暖气维修
+[室温|家里温度][只有十四五度|量了才十几度]，[远远达不到标准|根本不达标]。
+[打了热线|报修了][好几次|很多次]，[说会派人来|总说在排队]，[一直没解决|到现在也没人来]。
?[小区|我们楼][好多户|不少人家]都在问这个事，[想要个准话|希望能统一答复]。
@投诉 供暖质量 暖气不热/室温不达标
{home}[今年|这个冬天]的暖气[一直不热|温度只有十几度|上热下不热]，[家里要穿羽绒服|老人孩子都冻感冒了]，[找人来看过|报修了好几次][也没解决|说是正常]，[暖气费一分没少交|希望退部分供暖费]。
@咨询 供暖收费 供暖费/暖气报停
想咨询[今年|今年冬季]的供暖费[什么时候交|收费标准是多少|按面积怎么算]，[房子没人住|长期不在家]能不能[申请报停|办理停暖]，[报停要收多少空置费|需要什么手续]？
@咨询 供暖时间 供暖开始时间/提前供暖
[今年|今冬]什么时候[开始供暖|正式供热]？[最近降温很厉害|家里已经很冷了]，[能不能提前供暖|希望提前几天]，[有老人孩子受不了|请考虑一下]。
@建议 供暖时间 延长供暖时间
[天气这么冷|还在下雪]，[为什么按时停暖了|建议延长供暖时间]，[家里老人孩子受不了|室温只有十来度]，[希望延长一周|请考虑一下]。
@投诉 供热设施 暖气漏水/暖气阀门损坏
{home}[家里的暖气片|楼道里的暖气管][漏水|阀门坏了|一直滴水]，[地板都泡了|楼下邻居家也渗水了]，[报修两天了没人来|打电话说排不上]，[请尽快派人维修|希望尽快处理]。
@建议 供暖 接入集中供暖
{estate}[到现在|交房{n}年了]还[没有接入集中供暖|没通暖气]，[冬天只能用电暖器|每年冬天都很难熬]，建议[尽快铺设供热管网|把我们小区纳入供暖范围]。
@求助! 暖气管道爆裂 暖气管道爆裂/暖气爆管
{home}[楼上|家里|楼道里]的暖气管道[突然爆裂了|爆了]，[热水喷得到处都是|滚烫的热水往外冒]，[已经流到楼下了|地上全是热水]，[阀门关不上|家里有小孩]，请[马上|赶紧]派人来抢修！

== TELECOM
~ 装维师傅/营业厅工作人员/客服人员 宽带维修/话费问题
+[营业厅|客服][一直推|总让等]，[说是系统问题|说会反馈给技术]，[到现在也没解决|没有任何回复]。
+[合同|聊天记录|扣费短信]我都[保存着|留着]，[可以提供|随时可以拿出来]。
?[营业厅|客服热线][排队|等了很久]，[还是没说清楚|问了也白问]。
@投诉 通信服务 宽带故障/宽带断网
我家的宽带[从{time}开始|已经{duration}][一直断网|网速特别慢|连不上]，[报修了好几次|打了客服电话][师傅一直没上门|说是线路问题也没修好]，[孩子上网课|我在家办公]都受影响，[要求减免费用|希望尽快修好]。
@投诉 通信收费 乱扣话费/莫名扣费
我的手机号[这个月|最近几个月]被扣了[{money}|不少钱]，[莫名其妙开通了|被订了][增值业务|好几个会员|流量包]，[我从来没办过|也没有短信通知]，[要求全额退还|营业厅只肯退一部分]。
@投诉 通信收费 套餐虚假宣传/合约机
我在营业厅[办宽带的时候|换套餐时]，[工作人员说|业务员承诺][送一台手机|每月只要几十块]，[结果|后来发现][被绑定了两年合约|每月扣{money}]，[属于虚假宣传|想取消也不给取消]。
@投诉 信号覆盖 手机信号差/没有信号
{estate}[手机信号特别差|一进家门就没信号|地下车库完全没信号]，[打电话经常断|接不到电话]，[已经{duration}了|反映过好几次]，[希望加装基站|请尽快改善]。
@投诉 有线电视 有线电视没信号/有线电视故障
我家的有线电视[从{time}开始|已经好几天][没有信号|画面一直卡|好多台看不了]，[家里老人就靠看电视|交了一年的费用]，[报修了一直没人来|客服说要排队]。
@咨询 携号转网 携号转网/宽带拆机
想咨询一下[携号转网|手机号销户|宽带拆机][怎么办理|有什么条件]，[营业厅说不能办|一直被各种理由推脱]，[合约期还没到|需要什么材料]？
@投诉 通信设施 基站建设/信号塔辐射
{estate}[楼顶|旁边][新装了|建了]一个[信号基站|信号塔]，[离住户太近|就在我们卧室窗外]，[担心有辐射|业主都不同意]，[施工前也没有公示|请拆除]。
@投诉 通信设施 通信线缆乱拉/光缆垂落
{road}[路边|电线杆上]的[通信线缆|光缆|网线][乱拉乱挂|垂下来一大团]，[像蜘蛛网一样|挡着路]，[影响市容|存在安全隐患]，[请运营商整理|希望清理]。
"""


@dataclass(frozen=True)
class _Matter:
    request_type: str
    urgent: bool
    hint: str
    topics: tuple[str, ...]
    phrasings: tuple[_Seq, ...]


@dataclass(frozen=True)
class _Templates:
    matters: tuple[_Matter, ...]
    staff: tuple[str, ...]
    events: tuple[str, ...]
    problem_details: tuple[_Seq, ...]  # follow-ups of help, complaint and report requests
    enquiry_details: tuple[_Seq, ...]  # follow-ups of enquiries and suggestions


def _parse_corpus(corpus: str) -> dict[str, _Templates]:
    sections: dict[str, list[str]] = {}
    lines: list[str] = []
    for raw in corpus.splitlines():
        line = raw.strip()
        if line.startswith("== "):
            lines = sections.setdefault(line[3:].strip(), [])
        elif line:
            lines.append(line)
    return {code: _parse_department(code, lines) for code, lines in sections.items()}


def _parse_department(code: str, lines: list[str]) -> _Templates:
    where = f"synthetic corpus, department {code}"
    if not lines or not lines[0].startswith("~ "):
        raise ValueError(f"{where}: must start with a '~ staff events' line")
    staff, events = lines[0][2:].split()
    headers = [i for i, line in enumerate(lines) if line.startswith("@")] + [len(lines)]
    details = lines[1 : headers[0]]
    if not all(line[0] in "+?" for line in details):
        raise ValueError(f"{where}: only '+' and '?' details may come before the first matter")
    matters = []
    for start, end in pairwise(headers):
        kind, hint, topics = lines[start][1:].split()
        request_type = kind.removesuffix("!")
        if request_type not in REQUEST_TYPES or end == start + 1:
            raise ValueError(f"{where}: bad matter {lines[start]!r} (type, or no phrasings)")
        matters.append(
            _Matter(
                request_type=request_type,
                urgent=kind.endswith("!"),
                hint=hint,
                topics=tuple(topics.split("/")),
                phrasings=tuple(_compile(line) for line in lines[start + 1 : end]),
            )
        )
    return _Templates(
        matters=tuple(matters),
        staff=tuple(staff.split("/")),
        events=tuple(events.split("/")),
        problem_details=tuple(_compile(line[1:]) for line in details if line[0] == "+"),
        enquiry_details=tuple(_compile(line[1:]) for line in details if line[0] == "?"),
    )


def _compile_all(table: dict[str, tuple[str, ...]]) -> dict[str, tuple[_Seq, ...]]:
    return {key: tuple(_compile(t) for t in templates) for key, templates in table.items()}


_TEMPLATES = _parse_corpus(_CORPUS)
_C_OPENERS = _compile_all(_OPENERS)
_C_EXTRAS = _compile_all(_EXTRAS)
_C_CONTEXT = tuple(_compile(t) for t in _CONTEXT)
_C_CLOSINGS = _compile_all(_CLOSINGS)
_C_TITLES = _compile_all(_TITLES)
_C_CONTACT = tuple(_compile(t) for t in _CONTACT)
_C_ID = tuple(_compile(t) for t in _ID_SENTENCES)
_C_PRAISE = tuple(_compile(t) for t in _PRAISE)
_C_WITHDRAW = tuple(_compile(t) for t in _WITHDRAW)

#: Codes of the departments the templates cover, in corpus order.
TEMPLATE_DEPARTMENTS: tuple[str, ...] = tuple(_TEMPLATES)

_MIN_TEXT, _MAX_TEXT = 40, 300
_MIN_TITLE, _MAX_TITLE = 8, 25


def _restyle(text: str, style: float) -> str:
    if style < 0.2:  # as an intake agent writes it down: "其…"
        return text.replace("我们", "其").replace("我", "其")
    if style < 0.28:  # typed on a phone, with half-width punctuation
        return text.replace("，", ",").replace("？", "?").replace("！", "!")
    return text


class _Generator:
    """Draws requests for given departments from one random stream."""

    def __init__(self, *, rng: random.Random, codes: tuple[str, ...]) -> None:
        self._rng = rng
        self._urgent: dict[str, tuple[_Matter, ...]] = {}
        self._by_type: dict[str, dict[str, tuple[_Matter, ...]]] = {}
        self._types: dict[str, tuple[list[str], list[int]]] = {}
        for code in codes:
            matters = _TEMPLATES[code].matters
            plain = tuple(m for m in matters if not m.urgent)
            self._urgent[code] = tuple(m for m in matters if m.urgent)
            # praise and withdrawal are generic, about any of the department's matters
            by_type = {"表扬": plain, "撤销": plain}
            for matter in plain:
                by_type[matter.request_type] = (*by_type.get(matter.request_type, ()), matter)
            self._by_type[code] = by_type
            types = [t for t in TYPE_WEIGHTS if t in by_type]
            self._types[code] = (types, list(accumulate(TYPE_WEIGHTS[t] for t in types)))
        with_urgent = sum(1 for code in codes if self._urgent[code])
        self._urgent_p = min(0.5, URGENT_SHARE * len(codes) / max(1, with_urgent))

    def request(self, code: str) -> SyntheticRequest:
        """One request for the department ``code``."""
        rng = self._rng
        templates = _TEMPLATES[code]
        scene = _Scene(rng)
        if self._urgent[code] and rng.random() < self._urgent_p:
            matter = _pick(rng, self._urgent[code])
            request_type = matter.request_type
        else:
            types, cum_weights = self._types[code]
            request_type = rng.choices(types, cum_weights=cum_weights)[0]
            matter = _pick(rng, self._by_type[code][request_type])
        scene.request_type = request_type
        scene.topic = _pick(rng, matter.topics)
        scene.staff = _pick(rng, templates.staff)
        scene.event = _pick(rng, templates.events)
        if rng.random() < ID_SHARE:
            scene.id_number = _id_number(rng, scene.district)

        if request_type == "表扬":
            core = _render(_pick(rng, _C_PRAISE), rng, scene)
        elif request_type == "撤销":
            core = _render(_pick(rng, _C_WITHDRAW), rng, scene)
        else:
            core = _render(_pick(rng, matter.phrasings), rng, scene)
        text = self._text(core, matter, templates, scene)
        lat = lon = None
        if rng.random() < 0.7:  # not every channel gives coordinates
            lat = round(scene.district.centre[0] + rng.uniform(-0.03, 0.03), 6)
            lon = round(scene.district.centre[1] + rng.uniform(-0.03, 0.03), 6)
        return SyntheticRequest(
            department=code,
            request_type=request_type,
            title=self._title(request_type, scene),
            text=text,
            district=scene.district.name,
            street=scene.district.streets[-1] if scene.rural else scene.street,
            community=scene.village if scene.rural else scene.community,
            address=(
                f"{scene.district.name}{scene.district.streets[-1]}{scene.village}"
                f"{_int(rng, 1, 12)}组{_int(rng, 1, 80)}号"
                if scene.rural
                else f"{scene.district.name}{scene.road}{_int(rng, 1, 999)}号{scene.estate}"
            ),
            citizen_name=scene.name,
            phone=scene.phone,
            id_number=scene.id_number,
            urgent=matter.urgent,
            category_hint=matter.hint if rng.random() < HINT_SHARE else None,
            lat=lat,
            lon=lon,
        )

    def _text(self, core: str, matter: _Matter, templates: _Templates, scene: _Scene) -> str:
        rng = self._rng
        request_type = scene.request_type
        plain = not matter.urgent and request_type not in ("表扬", "撤销")
        parts = []
        if rng.random() < 0.25:  # urgent calls, praise and withdrawals only get a greeting
            pool = _C_OPENERS.get(request_type, ()) + _C_OPENERS[""][: None if plain else 2]
            parts.append(_render(_pick(rng, pool), rng, scene))
        if plain and rng.random() < 0.45:
            parts.append(_render(_pick(rng, _C_CONTEXT), rng, scene))
        parts.append(core)
        if plain:
            enquiry = request_type in ("咨询", "建议")
            details = templates.enquiry_details if enquiry else templates.problem_details
            extras = _C_EXTRAS[request_type]
            chosen = rng.sample(details, min(len(details), _pick(rng, (0, 1, 1, 2))))
            chosen += rng.sample(extras, min(len(extras), _pick(rng, (0, 1, 2, 2, 3))))
            rng.shuffle(chosen)
            parts.extend(_render(seq, rng, scene) for seq in chosen)
        if scene.id_number:
            parts.append(_render(_pick(rng, _C_ID), rng, scene))
        if rng.random() < PHONE_IN_TEXT_SHARE:
            parts.append(_render(_pick(rng, _C_CONTACT), rng, scene))
        if rng.random() < 0.7:
            parts.append(_render(_pick(rng, _C_CLOSINGS[request_type]), rng, scene))
        style = rng.random()
        text = _restyle("".join(parts), style)
        padding = list(_C_EXTRAS[request_type] + _C_CLOSINGS[request_type])
        rng.shuffle(padding)
        while len(text) < _MIN_TEXT and padding:
            sentence = _restyle(_render(padding.pop(), rng, scene), style)
            if sentence not in text:
                text += sentence
        return text[:_MAX_TEXT]

    def _title(self, request_type: str, scene: _Scene) -> str:
        rng = self._rng
        pool = _C_TITLES.get(request_type, _C_TITLES[""])
        place = scene.places[0] if scene.places else scene.district.name
        subject = scene.event if request_type == "表扬" else scene.topic
        candidates = (
            _render(_pick(rng, pool), rng, scene),
            f"关于{subject}的{request_type}",
            f"{place}{subject}的{request_type}",
        )
        for title in candidates:
            if _MIN_TITLE <= len(title) <= _MAX_TITLE:
                return title
        return f"关于{subject}的问题"[:_MAX_TITLE]


def iter_requests(
    *, seed: int = 0, catalogue: Catalogue | None = None
) -> Iterator[SyntheticRequest]:
    """An endless, deterministic stream of requests, balanced over the catalogue's departments.

    Every run of ``len(catalogue)`` consecutive requests holds each department once, in an order
    shuffled per run. Raises ConfigurationError if a department of the catalogue has no templates.
    """
    catalogue = catalogue if catalogue is not None else Catalogue.load()
    missing = [code for code in catalogue.codes if code not in _TEMPLATES]
    if missing:
        raise ConfigurationError(f"no synthetic templates for departments {', '.join(missing)}")
    return _stream(random.Random(seed), catalogue.codes)


def _stream(rng: random.Random, codes: tuple[str, ...]) -> Iterator[SyntheticRequest]:
    generator = _Generator(rng=rng, codes=codes)
    order = list(codes)
    while True:
        rng.shuffle(order)
        for code in order:
            yield generator.request(code)


def generate(
    n: int, *, seed: int = 0, catalogue: Catalogue | None = None
) -> list[SyntheticRequest]:
    """``n`` requests, the first ``n`` of :func:`iter_requests` for this seed and catalogue."""
    if n < 0:
        raise ConfigurationError(f"cannot generate {n} requests")
    return list(islice(iter_requests(seed=seed, catalogue=catalogue), n))
