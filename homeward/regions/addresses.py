"""Free-text Chinese addresses to their most precise division, without a geocoder:
"江苏苏州姑苏区人民路100号" is 320508 with "人民路100号" left over.

Read from the start: a province, a city, a county, each by its full name (江苏省) or its
short one (江苏; 延边 for 延边朝鲜族自治州), each inside the one before. The longest name at
each point wins. A name several places share with nothing before it to choose between
them (鼓楼区: in 南京, 徐州, 福州, 开封) places nothing: an address placed wrong is worse
than one that is not placed, which the pages say.

Pure Python over `matching/data/divisions.csv`: no database, no package.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from homeward.matching.divisions_table import division_rows

# Name endings, longest first, that a short name drops ("江苏省" -> "江苏").
SUFFIXES = (
    "维吾尔自治区",
    "壮族自治区",
    "回族自治区",
    "特别行政区",
    "自治区",
    "自治州",
    "自治县",
    "自治旗",
    "林区",
    "地区",
    "新区",
    "省",
    "市",
    "区",
    "县",
    "盟",
    "旗",
)
# "延边朝鲜族自治州", "恩施土家族苗族自治州": the people's names go with the suffix.
ETHNIC_SUFFIX = re.compile(r"^(.{2,}?)(?:[\u4e00-\u9fff]{1,5}族)+自治[州县旗]$")
LEVELS = {"province": 0, "city": 1, "county": 2}
SEPARATORS = " \t,，、"


@dataclass(frozen=True)
class Place:
    code: str
    name: str
    level: str

    def inside(self, other: Place) -> bool:
        """Whether this place lies in `other` (a deeper level with its code's prefix)."""
        if LEVELS[self.level] <= LEVELS[other.level]:
            return False
        width = {"province": 2, "city": 4}[other.level]
        return self.code[:width] == other.code[:width]


@dataclass(frozen=True)
class Parsed:
    place: Place | None
    rest: str
    path: tuple[Place, ...] = ()


def _level(code: str) -> str:
    if code.endswith("0000"):
        return "province"
    return "city" if code.endswith("00") else "county"


def short_names(name: str) -> set[str]:
    """The names people write for a division: the full one and, where it leaves two
    characters or more, the one without its ending."""
    names = {name}
    ethnic = ETHNIC_SUFFIX.match(name)
    if ethnic:
        names.add(ethnic.group(1))
    for suffix in SUFFIXES:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            names.add(name[: -len(suffix)])
            break
    return names


@functools.cache
def _index() -> tuple[dict[str, tuple[Place, ...]], int]:
    """{name as written: every place it may mean} and the longest name's length."""
    found: dict[str, list[Place]] = {}
    for row in division_rows():
        name = row["name"]
        if not row["latitude"] or name in ("市辖区", "县", "省直辖县级行政区划"):
            continue
        place = Place(row["code"], name, _level(row["code"]))
        for written in short_names(name):
            found.setdefault(written, []).append(place)
    return {k: tuple(v) for k, v in found.items()}, max(map(len, found))


def parse(text: str) -> Parsed:
    index, longest = _index()
    text = (text or "").strip()
    path: list[Place] = []
    at = 0
    while at < len(text):
        step = None
        for width in range(min(longest, len(text) - at), 1, -1):
            options = index.get(text[at : at + width], ())
            if path:
                options = tuple(p for p in options if p.inside(path[-1]))
            if options:
                step = (width, options)
                break
        if step is None:
            break
        width, options = step
        top = min(LEVELS[p.level] for p in options)
        options = tuple(p for p in options if LEVELS[p.level] == top)
        if len(options) > 1:
            break  # a name several places share, and nothing before it to choose
        path.append(options[0])
        at += width
        while at < len(text) and text[at] in SEPARATORS:
            at += 1
    if not path:
        return Parsed(None, text)
    return Parsed(path[-1], text[at:], tuple(path))
