"""The noise of the synthetic world: how names are misheard, marks listed, faces drift.

Face embeddings: a person is a point `c` in 128 dimensions; a photo is `c` plus a drift that
accumulates with the years (a random walk, faster in childhood) plus per-photo noise. The
scales are set from the face engine's calibration data (face/calibration.py SHIPPED_FITS):
different people ~0.86 apart, same person, same era ~0.41, about 20 years apart ~0.6.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from homeward.matching.attributes.names import LOOKALIKE_GROUPS

GIVEN_CHARS = (
    "明华国建平伟芳丽强军秀英玉兰春红梅林海涛刚勇杰磊静燕霞文斌波辉敏超鹏飞龙云峰志东亮翔宇"
    "浩晨阳婷娜洁淑珍凤琴兵成德福贵荣生桂香金银凯清"
)
# Characters a caseworker may write for the same sound.
HOMOPHONES = {
    "明": "铭鸣",
    "华": "花桦",
    "国": "果",
    "建": "健剑",
    "平": "萍苹",
    "伟": "玮炜维",
    "芳": "方",
    "丽": "莉力",
    "强": "墙",
    "军": "君钧",
    "英": "瑛莹",
    "玉": "宇雨",
    "兰": "岚",
    "春": "纯",
    "红": "宏洪",
    "梅": "美玫",
    "林": "琳霖",
    "海": "亥",
    "涛": "滔",
    "刚": "钢",
    "勇": "永",
    "杰": "洁",
    "静": "靖",
    "燕": "艳雁",
    "霞": "侠",
    "文": "雯",
    "斌": "彬",
    "波": "博",
    "辉": "慧",
    "敏": "民",
    "超": "朝",
    "鹏": "朋",
    "飞": "菲",
    "龙": "隆",
    "云": "芸",
    "峰": "锋",
    "志": "智",
    "东": "冬",
    "亮": "良",
    "翔": "祥",
    "浩": "昊",
    "晨": "辰",
    "阳": "洋",
    "婷": "亭",
    "娜": "纳",
    "淑": "书",
    "珍": "真",
    "凤": "风",
    "琴": "勤",
    "兵": "冰",
    "成": "诚",
    "德": "得",
    "福": "富",
    "贵": "桂",
    "荣": "容",
    "生": "声",
    "香": "湘",
    "金": "津",
    "银": "寅",
    "凯": "楷",
    "清": "青",
    "宇": "雨",
    "秀": "绣",
    "桂": "贵",
    "张": "章",
    "王": "汪",
    "李": "黎",
    "刘": "柳",
    "杨": "阳",
    "吴": "武伍",
    "徐": "许",
    "何": "贺",
    "朱": "诸",
    "陈": "晨",
    "周": "舟",
    "孙": "荪",
    "胡": "湖",
    "郭": "锅",
}
# Surnames said in a dialect that folds zh/z, ch/c, n/l, -ng/-n (see names.fuzzy_syllable).
DIALECT = {"张": "臧", "陈": "岑", "刘": "牛", "王": "万", "李": "倪", "明": "敏", "英": "银"}
TRADITIONAL = {
    "张": "張",
    "陈": "陳",
    "刘": "劉",
    "杨": "楊",
    "黄": "黃",
    "赵": "趙",
    "华": "華",
    "国": "國",
    "伟": "偉",
    "丽": "麗",
    "强": "強",
    "军": "軍",
    "红": "紅",
    "涛": "濤",
    "刚": "剛",
    "杰": "傑",
    "静": "靜",
    "辉": "輝",
}
MARK_TYPES = ("scar", "tattoo", "birthmark", "mole", "burn", "missing_finger", "deformity")
MARK_PLACES = (
    "head",
    "face",
    "neck",
    "chest",
    "back",
    "abdomen",
    "left_arm",
    "right_arm",
    "left_hand",
    "right_hand",
    "left_leg",
    "right_leg",
)
# (share among names said, kind of error)
NAME_NOISE = (
    (0.48, "exact"),
    (0.12, "homophone_given"),
    (0.04, "homophone_surname"),
    (0.04, "traditional"),
    (0.03, "swapped"),
    (0.05, "given_only"),
    (0.06, "surname_only"),
    (0.08, "wrong_given"),
    (0.05, "dialect"),
    (0.05, "nickname"),
)


def random_given(rng: np.random.Generator) -> str:
    k = 1 if rng.random() < 0.3 else 2
    return "".join(GIVEN_CHARS[int(i)] for i in rng.integers(0, len(GIVEN_CHARS), k))


def _swap_one(rng: np.random.Generator, text: str, table: dict[str, str]) -> str:
    spots = [i for i, c in enumerate(text) if c in table]
    if not spots:
        return text
    i = spots[int(rng.integers(len(spots)))]
    choices = table[text[i]]
    return text[:i] + choices[int(rng.integers(len(choices)))] + text[i + 1 :]


def noisy_name(
    rng: np.random.Generator,
    surname: str,
    given: str,
    p_unknown: float,
    *,
    exact: float = 0.48,
    swapped: float = 0.03,
    lookalike: float = 0.0,
) -> str | None:
    """What a found person's record says their name is (None: not known). Of known names,
    `exact` are right and `swapped` given name first; the other kinds of noise share the
    rest as NAME_NOISE weighs them. Then, of known names, `lookalike` have one character
    copied as one that looks like it (季 for 李), where the name has such a character."""
    name = _said_name(rng, surname, given, p_unknown, exact=exact, swapped=swapped)
    if name is not None and lookalike > 0 and rng.random() < lookalike:
        name = _swap_one(rng, name, LOOKALIKES)
    return name


# Each look-alike character (names.LOOKALIKE_GROUPS) and the others of its group.
LOOKALIKES = {c: [o for o in g if o != c] for g in LOOKALIKE_GROUPS for c in g}


def _said_name(
    rng: np.random.Generator,
    surname: str,
    given: str,
    p_unknown: float,
    *,
    exact: float,
    swapped: float,
) -> str | None:
    if rng.random() < p_unknown:
        return None
    others = sum(s for s, k in NAME_NOISE if k not in ("exact", "swapped"))
    rest = max(0.0, 1.0 - exact - swapped)
    shares = np.array(
        [
            exact if k == "exact" else swapped if k == "swapped" else s * rest / others
            for s, k in NAME_NOISE
        ]
    )
    kind = NAME_NOISE[int(rng.choice(len(shares), p=shares / shares.sum()))][1]
    if kind == "homophone_given":
        return surname + _swap_one(rng, given, HOMOPHONES)
    if kind == "homophone_surname":
        return _swap_one(rng, surname, HOMOPHONES) + given
    if kind == "traditional":
        return "".join(TRADITIONAL.get(c, c) for c in surname + given)
    if kind == "swapped":
        return given + surname
    if kind == "given_only":
        return given
    if kind == "surname_only":
        return surname
    if kind == "wrong_given":
        i = int(rng.integers(len(given)))
        new = GIVEN_CHARS[int(rng.integers(len(GIVEN_CHARS)))]
        return surname + given[:i] + new + given[i + 1 :]
    if kind == "dialect":
        return _swap_one(rng, surname + given, DIALECT)
    if kind == "nickname":
        return "阿" + given[-1]
    return surname + given


def mark_list(rng: np.random.Generator, k: int) -> list[str]:
    """k distinct "type:place" marks."""
    out: set[str] = set()
    while len(out) < k:
        t = MARK_TYPES[int(rng.integers(len(MARK_TYPES)))]
        out.add(f"{t}:{MARK_PLACES[int(rng.integers(len(MARK_PLACES)))]}")
    return sorted(out)


DIM = 128
# Different people ~0.864 apart once both photos add their own noise (0.408 between two).
IDENTITY_SD = np.sqrt(0.864**2 - 0.408**2) / np.sqrt(2 * DIM)
PHOTO_SD = 0.408 / np.sqrt(2 * DIM)  # same person, same day ~0.408 apart
# Per-year variance of the drift, so that photos 20 years apart are ~0.6 apart (one measured
# pair: 0.595); childhood years count CHILD_FACTOR times.
DRIFT_VAR_PER_YEAR = (0.595**2 - 0.408**2) / (20 * DIM)
CHILD_FACTOR = 3.0
CHILD_UNTIL = 16.0


class FaceSimulator:
    """Embeddings of simulated people: identity + age drift (a random walk) + photo noise."""

    def __init__(self, rng: np.random.Generator, n: int) -> None:
        self.rng = rng
        self.identity = rng.normal(0, IDENTITY_SD, (n, DIM)).astype(np.float32)
        self._walks: dict[int, list[tuple[float, np.ndarray]]] = {}

    def _face_at(self, i: int, age: float) -> np.ndarray:
        """The person's face at `age`: the walk is extended in time order as asked."""
        walk = self._walks.setdefault(i, [])
        if not walk:
            walk.append((age, self.identity[i].astype(np.float64)))
            return walk[0][1]
        # Step from the nearest known age (the walk is a Brownian bridge-free approximation).
        near_age, near = min(walk, key=lambda p: abs(p[0] - age))
        lo, hi = sorted((near_age, age))
        child_years = max(0.0, min(hi, CHILD_UNTIL) - lo)
        years = (hi - lo) + (CHILD_FACTOR - 1.0) * child_years
        face = near + self.rng.normal(0, np.sqrt(DRIFT_VAR_PER_YEAR * years), DIM)
        walk.append((age, face))
        return face

    def embed(self, i: int, day: dt.date, birth: dt.date) -> list[float]:
        """One photo's embedding (128 floats, rounded to 5 decimals)."""
        age = (day - birth).days / 365.25
        quality = np.exp(self.rng.normal(0, 0.25))
        e = self._face_at(i, age) + self.rng.normal(0, PHOTO_SD * quality, DIM)
        return [round(float(v), 5) for v in e]
