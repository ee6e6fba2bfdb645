"""Chinese names as the matcher compares them: characters, toneless pinyin, a dialect-tolerant
pinyin key, and a surname / given-name split.

A found person's name is what they said or what a paper showed: it may be a homophone
(written by a caseworker from speech), in traditional characters, only a surname, only a
given name, or said with the syllables swapped. Every comparison here works on the
features of `name_features`, so the SQL levels in `comparisons.py` and the Python reference
levels see exactly the same values.
"""

from __future__ import annotations

import functools
import re
import warnings
from dataclasses import dataclass

from pypinyin import lazy_pinyin

with warnings.catch_warnings():
    # zhconv imports pkg_resources, which warns on every start; nothing to act on.
    warnings.filterwarnings("ignore", message="pkg_resources is deprecated", category=UserWarning)
    import zhconv

# Two-character surnames (复姓) that must not be split after the first character.
COMPOUND_SURNAMES = frozenset(
    [
        "欧阳",
        "司马",
        "上官",
        "诸葛",
        "东方",
        "皇甫",
        "尉迟",
        "公孙",
        "慕容",
        "长孙",
        "宇文",
        "司徒",
        "夏侯",
        "轩辕",
        "令狐",
        "钟离",
        "端木",
        "独孤",
        "南宫",
        "西门",
        "百里",
        "呼延",
        "澹台",
    ]
)
# The commonest single-character surnames (about 85% of people); a one-character name that is
# one of these is taken as a surname said alone, otherwise as a given name said alone.
COMMON_SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
    "苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝"
    "龚邵万钱严覃武戴莫孔向汤单解仇朴区查盖乐翟缪"
)
# pypinyin reads characters as words, not as surnames (单 -> dan, 曾 -> ceng): these readings
# are the surname ones (python-pinyin issue #297).
SURNAME_READINGS = {
    "单": "shan",
    "曾": "zeng",
    "解": "xie",
    "仇": "qiu",
    "朴": "piao",
    "区": "ou",
    "查": "zha",
    "盖": "ge",
    "乐": "yue",
    "覃": "qin",
    "翟": "zhai",
    "缪": "miao",
    "尉迟": "yuchi",
    "长孙": "zhangsun",
    "万俟": "moqi",
}
# Familiar prefixes that are not part of the registered name (阿明, 小明, 老李).
NICKNAME_PREFIXES = ("阿", "小", "老")
# Forms of address staff write down when that is all a person answers to (王大爷, 李阿姨,
# 老张头, 刘姐): only the surname in them is the person's; longest first.
ADDRESS_FORMS = tuple(
    sorted(
        [
            "大爷",
            "大娘",
            "大妈",
            "大叔",
            "大婶",
            "大伯",
            "大哥",
            "大姐",
            "阿姨",
            "阿婆",
            "阿公",
            "奶奶",
            "爷爷",
            "婆婆",
            "老汉",
            "老头",
            "老太",
            "师傅",
            "头",
            "哥",
            "姐",
            "叔",
            "姨",
            "婶",
            "嫂",
            "伯",
            "婆",
        ],
        key=len,
        reverse=True,
    )
)
_HANZI = re.compile(r"[\u3400-\u9fff]")

# Characters that look alike (形近字), each group read as its first: a clerk copying a
# name from a paper or a screen slips between them, and pinyin cannot see it (未 wei, 末
# mo). Compiled here from common look-alike pairs, those that occur in names first.
# Pairs that only differ by a radical and sound the same (玲/铃, 伟/纬) are left out, as
# the pinyin levels catch them; 侯/候 and 炳/柄 (same sound) and 辛/幸 (xin/xing, the
# dialect level) stay, so that the test worlds' clerks make those slips too, and the
# earlier level catches them first.
LOOKALIKE_GROUPS = (
    "侯候", "未末", "己已巳", "戊戌戍", "王玉主", "大太犬", "天夫夭", "日曰", "人入八",
    "土士", "千干于", "刀力", "贝见", "李季", "沈沉", "傅博", "辛幸", "明朋", "军车",
    "春秦泰奉", "梅海悔", "桂柱", "晴睛", "陈阵", "苟荀", "阎阁", "治冶", "幻幼", "鸟乌",
    "宇字", "准淮", "免兔", "今令", "师帅", "间问", "雪雷", "炳柄", "拨拔", "徒徙", "代伐",
    "母毋", "茶荼", "英央", "兵乒", "平半", "汪注", "钱线",
)  # fmt: skip
LOOKALIKE = {c: group[0] for group in LOOKALIKE_GROUPS for c in group}


@dataclass(frozen=True)
class NameFeatures:
    """What the matcher compares of one name (all pinyin toneless, lower case, no spaces).

    `name`: simplified characters; `surname`, `given`: its split ("" when absent);
    `py`, `surname_py`, `given_py`: pinyin; `fuzzy`: `py` with dialect confusions folded
    (zh/z, ch/c, sh/s, n/l, -ng/-n, f/h); `sorted_py`: syllables sorted (swapped order);
    `given_syllables`: the given name's syllables; `shape`: `name` with look-alike
    characters read as one (`LOOKALIKE`).
    """

    name: str
    surname: str
    given: str
    py: str
    surname_py: str
    given_py: str
    fuzzy: str
    sorted_py: str
    given_syllables: tuple[str, ...]
    shape: str


def normalise(raw: str) -> str:
    """Simplified Hanzi only: traditional -> simplified, spaces and punctuation dropped,
    a form of address reduced to its surname (王大爷 -> 王, 老张头 -> 张), a familiar prefix
    (阿, 小, 老) removed from names of two characters (阿明 -> 明)."""
    text = zhconv.convert(str(raw), "zh-hans")
    text = "".join(_HANZI.findall(text))
    surname = address_surname(text)
    if surname:
        return surname
    if len(text) == 2 and text[0] in NICKNAME_PREFIXES and text not in COMPOUND_SURNAMES:
        text = text[1:]
    return text


def address_surname(text: str) -> str:
    """The surname in a form of address (王大爷, 欧阳阿姨, 老李头, 刘姐), "" for a name."""
    core = text[1:] if len(text) > 2 and text[0] in NICKNAME_PREFIXES else text
    for form in ADDRESS_FORMS:
        rest = core[: -len(form)]
        if core.endswith(form) and (
            rest in COMPOUND_SURNAMES or (len(rest) == 1 and rest in COMMON_SURNAMES)
        ):
            return rest
    return ""


def split_name(name: str) -> tuple[str, str]:
    """(surname, given name) of a normalised name; one of them is "" for a lone part."""
    if not name:
        return "", ""
    if name[:2] in COMPOUND_SURNAMES:
        return name[:2], name[2:]
    if len(name) == 1:
        return (name, "") if name in COMMON_SURNAMES else ("", name)
    return name[0], name[1:]


@functools.lru_cache(maxsize=65536)
def syllables(text: str, *, surname: bool = False) -> tuple[str, ...]:
    """Toneless pinyin syllables of `text`; `surname` uses the surname readings."""
    if not text:
        return ()
    if surname and text in SURNAME_READINGS:
        return (SURNAME_READINGS[text],)
    return tuple(s.lower() for s in lazy_pinyin(text))


def fuzzy_syllable(syllable: str) -> str:
    """Fold the confusions of southern and northern dialects into one spelling."""
    s = syllable
    for hard, soft in (("zh", "z"), ("ch", "c"), ("sh", "s")):
        if s.startswith(hard):
            s = soft + s[2:]
    if s.startswith("n") and not s.startswith("ng"):
        s = "l" + s[1:]
    if s.startswith("f"):
        s = "h" + s[1:]
    if s.endswith("ng") and len(s) > 2:
        s = s[:-1]
    return s


@functools.lru_cache(maxsize=65536)
def name_features(raw: str | None) -> NameFeatures | None:
    """The comparison features of one name; None for an unknown or non-Hanzi name."""
    if raw is None:
        return None
    name = normalise(raw)
    if not name:
        return None
    surname, given = split_name(name)
    sur_syl = syllables(surname, surname=True)
    given_syl = syllables(given)
    all_syl = sur_syl + given_syl
    return NameFeatures(
        name=name,
        surname=surname,
        given=given,
        py="".join(all_syl),
        surname_py="".join(sur_syl),
        given_py="".join(given_syl),
        fuzzy="".join(fuzzy_syllable(s) for s in all_syl),
        sorted_py="".join(sorted(all_syl)),
        given_syllables=given_syl,
        shape=shape_key(name),
    )


def shape_key(name: str) -> str:
    """`name` with each look-alike character read as its group's first (季明 -> 李明)."""
    return "".join(LOOKALIKE.get(c, c) for c in name)
