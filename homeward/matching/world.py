"""The seeded synthetic test world: missing reports, found people, and the truth between them.

From one seed: families across real county divisions (GB/T 2260 seats), with DNA
profiles drawn from the DNA engine's allele frequencies; people who go missing in the
patterns of the domain (elderly people with dementia, people with intellectual disability,
minors, migrant workers); some of them found years later, often in another city, with the
noise of real intake: estimated ages off by years, names unknown, partial, misheard or in
dialect, dialect regions right or wrong, marks seen or missed, DNA not yet taken, photos
years apart (face embeddings drift with the years, sized so that distances follow the face
engine's calibration data). Plus found people with no report and reports with no found
person. `write_world` writes HWX files.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from homeward.matching.attributes.divisions import counties
from homeward.matching.attributes.names import COMMON_SURNAMES
from homeward.matching.world_noise import (
    FaceSimulator,
    mark_list,
    noisy_name,
    random_given,
)

TODAY = dt.date(2025, 6, 30)
FIRST_LOSS = dt.date(2000, 1, 1)
# Share of reports per pattern, the age range at loss, and the condition the family states.
PATTERNS = {
    "elderly_dementia": (0.30, (60, 88), "dementia"),
    "intellectual_disability": (0.25, (12, 50), "intellectual_disability"),
    "minor": (0.20, (3, 17), None),
    "migrant_worker": (0.25, (18, 55), None),
}
RELATIVE_SETS = ((("mother",), 0.40), (("father",), 0.15), (("father", "mother"), 0.30))
RELATIVE_SETS += ((("full_sibling",), 0.15),)


@dataclass(frozen=True)
class Noise:
    """How the world's intake records go wrong (the defaults are the quality benchmark's).
    `bench/match_quality.py --sweep` draws worlds with other settings (`Noise.draw`)."""

    name_exact: float = 0.48  # of known names, written right; the rest by NAME_NOISE's shares
    name_unknown_scale: float = 1.0  # times each pattern's share of unknown names
    swapped_share: float = 0.03  # of known names, said given name first (刚许 for 许刚)
    dialect_given: float = 0.6  # found people whose accent is placed at all
    dialect_right: float = 0.8  # of those, placed in the right province
    found_same_county: float = 0.35  # where found: the county lost in
    found_same_city: float = 0.20
    found_same_province: float = 0.15  # the rest anywhere in the country
    find_median_days: float = 500.0  # from loss to being found (log-normal)
    find_spread: float = 1.2
    age_sd_scale: float = 1.0  # times the age estimate's error
    sex_unknown: float = 0.02
    sex_wrong: float = 0.0
    lookalike: float = 0.0  # of known names, a character copied as a look-alike (季 for 李)

    @staticmethod
    def draw(rng: np.random.Generator) -> Noise:
        """Settings drawn at random over what stations see: clean to very noisy intake."""
        near = rng.uniform(0.05, 0.6)
        return Noise(
            name_exact=float(rng.uniform(0.2, 0.8)),
            name_unknown_scale=float(rng.uniform(0.5, 2.0)),
            swapped_share=float(rng.uniform(0.0, 0.15)),
            dialect_given=float(rng.uniform(0.2, 0.9)),
            dialect_right=float(rng.uniform(0.5, 0.95)),
            found_same_county=near,
            found_same_city=float(rng.uniform(0.0, 0.3)) * (1 - near),
            found_same_province=float(rng.uniform(0.0, 0.3)) * (1 - near),
            find_median_days=float(rng.choice([60.0, 500.0, 2000.0, 5000.0])),
            find_spread=float(rng.uniform(0.6, 1.6)),
            age_sd_scale=float(rng.uniform(0.5, 2.0)),
            sex_unknown=float(rng.uniform(0.0, 0.1)),
            sex_wrong=float(rng.uniform(0.0, 0.03)),
            lookalike=float(rng.uniform(0.0, 0.08)),  # drawn last: the others stay as they were
        )


@dataclass(frozen=True)
class WorldConfig:
    """Sizes and rates of a world (the defaults are the quality benchmark's)."""

    n_missing: int = 20_000
    n_found: int = 5_000
    n_true: int = 2_000
    seed: int = 0
    dna_found: float = 0.5  # found people with a DNA profile taken
    dna_family: float = 0.5  # reports whose relatives gave DNA
    photo_missing: float = 0.7
    photo_found: float = 0.9
    faces: bool = True
    dna: bool = True
    noise: Noise = field(default_factory=Noise)


@dataclass
class World:
    """HWX records (dicts) and the truth: {found id: missing id} for the pairs that match."""

    found: list[dict[str, Any]]
    missing: list[dict[str, Any]]
    truth: dict[str, str]
    config: WorldConfig
    stats: dict[str, Any] = field(default_factory=dict)


def _iso(day: dt.date, precision: str = "day") -> str:
    if precision == "year":
        return f"{day.year:04d}"
    if precision == "month":
        return f"{day.year:04d}-{day.month:02d}"
    return day.isoformat()


def _pick(rng: np.random.Generator, options: list, p: list[float] | None = None) -> Any:
    return options[int(rng.choice(len(options), p=p))]


def _surname_weights() -> np.ndarray:
    w = 1.0 / np.arange(1, len(COMMON_SURNAMES) + 1) ** 0.9  # a few surnames dominate
    return w / w.sum()


class _People:
    """The true people behind the records (indices 0..n-1), drawn in bulk."""

    def __init__(self, rng: np.random.Generator, n: int) -> None:
        self.n = n
        names = list(PATTERNS)
        shares = np.array([PATTERNS[k][0] for k in names])
        self.pattern = [names[i] for i in rng.choice(len(names), n, p=shares)]
        self.sex = np.where(rng.random(n) < 0.55, "M", "F")
        span = (TODAY - FIRST_LOSS).days - 60
        self.lost = [FIRST_LOSS + dt.timedelta(days=int(d)) for d in rng.integers(0, span, n)]
        ages = [rng.uniform(*PATTERNS[p][1]) for p in self.pattern]
        self.birth = [
            lost - dt.timedelta(days=int(a * 365.25))
            for lost, a in zip(self.lost, ages, strict=True)
        ]
        sw = _surname_weights()
        self.surname = [COMMON_SURNAMES[i] for i in rng.choice(len(sw), n, p=sw)]
        self.given = [random_given(rng) for _ in range(n)]
        pool = counties()
        self.home = [pool[i] for i in rng.integers(0, len(pool), n)]
        self.lost_div = [
            self._lost_place(rng, h, p) for h, p in zip(self.home, self.pattern, strict=True)
        ]
        base = np.where(self.sex == "M", 170.0, 158.0)
        self.adult_height = np.round(base + rng.normal(0, 6, n))
        self.marks = [mark_list(rng, int(k)) for k in rng.poisson(0.9, n)]

    @staticmethod
    def _lost_place(rng: np.random.Generator, home: str, pattern: str) -> str:
        pool = counties()
        u = rng.random()
        far = 0.6 if pattern == "migrant_worker" else 0.15
        if u < far:
            return pool[int(rng.integers(len(pool)))]
        same_prov = _within(home[:2])
        if u < far + 0.25:
            return same_prov[int(rng.integers(len(same_prov)))]
        return home

    def age_at(self, i: int, day: dt.date) -> float:
        return (day - self.birth[i]).days / 365.25


def _missing_record(rng: np.random.Generator, people: _People, i: int) -> dict[str, Any]:
    precision = _pick(rng, ["day", "month", "year"], [0.7, 0.2, 0.1])
    age = people.age_at(i, people.lost[i])
    pattern = people.pattern[i]
    condition = PATTERNS[pattern][2]
    rec: dict[str, Any] = {
        "kind": "missing",
        "id": f"M-{i + 1}",
        "sex": str(people.sex[i]),
        "birth_date": _iso(people.birth[i], precision),
        "name": people.surname[i] + people.given[i],
        "home_division": people.home[i],
        "lost_date": _iso(people.lost[i]),
        "lost_division": people.lost_div[i],
        "marks": [m for m in people.marks[i] if rng.random() < 0.8],
        "conditions": [condition] if condition and rng.random() < 0.9 else [],
    }
    if age >= 18 and rng.random() < 0.8:
        rec["height_cm"] = float(people.adult_height[i])
    if rng.random() < 0.1:
        rec["aliases"] = [people.surname[i] + "小" + people.given[i][-1]]
    return rec


def _found_record(
    rng: np.random.Generator,
    people: _People,
    i: int,
    found_day: dt.date,
    fid: str,
    noise: Noise = Noise(),
) -> dict[str, Any]:
    age = people.age_at(i, found_day)
    pattern = people.pattern[i]
    sd = (2.0 if age < 18 else 6.0 if age >= 60 else 4.0) * noise.age_sd_scale
    est = age + rng.normal(0, sd)
    half = 2 if age < 18 else 5 if age >= 60 else 3
    low = max(0, int(round(est - half)))
    unknown = {"elderly_dementia": 0.45, "intellectual_disability": 0.45, "minor": 0.3}
    p_unknown = min(0.95, unknown.get(pattern, 0.2) * noise.name_unknown_scale)
    name = noisy_name(
        rng,
        people.surname[i],
        people.given[i],
        p_unknown,
        exact=noise.name_exact,
        swapped=noise.swapped_share,
        lookalike=noise.lookalike,
    )
    found_div = _found_place(rng, people.lost_div[i], noise)
    u = rng.random()
    sex = str(people.sex[i])
    if u < noise.sex_unknown:
        sex = "U"
    elif u < noise.sex_unknown + noise.sex_wrong:
        sex = "F" if sex == "M" else "M"
    rec: dict[str, Any] = {
        "kind": "found",
        "id": fid,
        "sex": sex,
        "age_estimate": [low, max(low, int(round(est + half)))],
        "found_date": _iso(found_day),
        "found_division": found_div,
        "marks": [m for m in people.marks[i] if rng.random() < 0.6]
        + (mark_list(rng, 1) if rng.random() < 0.1 else []),
    }
    if name is not None:
        rec["name"] = name
    if rng.random() < noise.dialect_given:
        rec["dialect_division"] = _dialect(rng, people.home[i], noise.dialect_right)
    condition = PATTERNS[pattern][2]
    if condition and rng.random() < 0.75:
        rec["conditions"] = [condition]
    if age >= 18:
        rec["height_cm"] = float(people.adult_height[i] + round(rng.normal(0, 2)))
    return rec


@functools.cache
def _within(prefix: str) -> tuple[str, ...]:
    return tuple(c for c in counties() if c.startswith(prefix))


def _found_place(rng: np.random.Generator, lost: str, noise: Noise = Noise()) -> str:
    pool = counties()
    u = rng.random()
    county, city = noise.found_same_county, noise.found_same_county + noise.found_same_city
    if u < county:
        return lost
    if u < city:
        near = _within(lost[:4])
        return near[int(rng.integers(len(near)))]
    if u < city + noise.found_same_province:
        near = _within(lost[:2])
        return near[int(rng.integers(len(near)))]
    return pool[int(rng.integers(len(pool)))]


def _dialect(rng: np.random.Generator, home: str, right: float = 0.8) -> str:
    """What a caseworker hears in the accent: mostly the province, sometimes the city."""
    if rng.random() < 1.0 - right:
        pool = counties()
        return pool[int(rng.integers(len(pool)))][:2]
    return home[:4] if rng.random() < 0.4 else home[:2]


def _found_day(rng: np.random.Generator, lost: dt.date, noise: Noise = Noise()) -> dt.date:
    days = int(np.exp(rng.normal(np.log(noise.find_median_days), noise.find_spread)))
    day = lost + dt.timedelta(days=max(days, 1))
    if day > TODAY:
        day = lost + dt.timedelta(days=int(rng.integers(1, max(2, (TODAY - lost).days))))
    return day


def build_world(config: WorldConfig = WorldConfig()) -> World:
    """A world from `config.seed` (same seed, same world)."""
    if config.n_true > min(config.n_found, config.n_missing):
        raise ValueError("n_true must not exceed n_found or n_missing")
    rng = np.random.default_rng(config.seed)
    n_extra = config.n_found - config.n_true
    people = _People(rng, config.n_missing + n_extra)
    missing = [_missing_record(rng, people, i) for i in range(config.n_missing)]
    true_people = rng.choice(config.n_missing, config.n_true, replace=False)
    who = list(true_people) + list(range(config.n_missing, config.n_missing + n_extra))
    order = rng.permutation(len(who))
    found, truth, found_days = [], {}, []
    for k, j in enumerate(order):
        i = int(who[j])
        fid = f"F-{k + 1}"
        day = _found_day(rng, people.lost[i], config.noise)
        found.append(_found_record(rng, people, i, day, fid, config.noise))
        found_days.append(day)
        if i < config.n_missing:
            truth[fid] = missing[i]["id"]
    person_of_found = [int(who[j]) for j in order]
    if config.faces:
        _add_faces(rng, config, people, missing, found, person_of_found)
    if config.dna:
        _add_dna(rng, config, people, missing, found, person_of_found)
    return World(found, missing, truth, config)


def _add_faces(rng, config, people, missing, found, person_of_found) -> None:  # noqa: ANN001
    faces = FaceSimulator(rng, people.n)
    for i, rec in enumerate(missing):
        if rng.random() < config.photo_missing:
            back = int(rng.integers(0, 3 * 365))
            taken = max(
                people.birth[i] + dt.timedelta(days=365), people.lost[i] - dt.timedelta(days=back)
            )
            rec["photos"] = [{"taken": _iso(taken)}]
            rec["face_embeddings"] = [faces.embed(i, taken, people.birth[i])]
    for rec, i in zip(found, person_of_found, strict=True):
        if rng.random() < config.photo_found:
            day = dt.date.fromisoformat(rec["found_date"])
            rec["face_embeddings"] = [faces.embed(i, day, people.birth[i])]


def _add_dna(rng, config, people, missing, found, person_of_found) -> None:  # noqa: ANN001
    from homeward.matching.dna.frequencies import load_table
    from homeward.matching.dna.loci import CODIS_20
    from homeward.matching.dna.simulate import Population

    table = load_table()
    pop = Population.from_table(table, [loc for loc in CODIS_20 if loc in table.loci])
    n = people.n
    fathers, mothers = pop.founders(rng, n), pop.founders(rng, n)
    person = pop.child(rng, fathers, mothers)
    sibling = pop.child(rng, fathers, mothers)
    genos = {"father": fathers, "mother": mothers, "full_sibling": sibling}
    sets = [s for s, _ in RELATIVE_SETS]
    shares = [p for _, p in RELATIVE_SETS]

    def profile(geno: np.ndarray, j: int) -> dict[str, list[str]]:
        return {loc: list(g) for loc, g in pop.profile(geno, j).genotypes.items()}

    for i, rec in enumerate(missing):
        if rng.random() < config.dna_family:
            rels = _pick(rng, sets, shares)
            rec["relatives"] = [{"relation": r, "dna": profile(genos[r], i)} for r in rels]
    for rec, i in zip(found, person_of_found, strict=True):
        if rng.random() < config.dna_found:
            rec["dna"] = profile(person, i)


def write_world(world: World, folder: str | Path) -> dict[str, Path]:
    """found.jsonl, missing.jsonl (HWX) and truth.jsonl ({"found", "missing"}) in `folder`."""
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    paths = {k: out / f"{k}.jsonl" for k in ("found", "missing", "truth")}
    for key, records in (("found", world.found), ("missing", world.missing)):
        with paths[key].open("w", encoding="utf-8") as handle:
            for rec in records:
                handle.write(json.dumps(rec, ensure_ascii=False, separators=(",", ":")) + "\n")
    with paths["truth"].open("w", encoding="utf-8") as handle:
        for f, m in world.truth.items():
            handle.write(json.dumps({"found": f, "missing": m}) + "\n")
    return paths
