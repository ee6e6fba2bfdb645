"""Face distance -> likelihood ratio (same person vs different people), by years between
the two photos.

The matcher multiplies the face LR with the other evidence, so it must be an honest ratio of
probability densities, not a similarity score:

    log10 LR(d, years) = min(log10 g_years(d) - log10 h(d), ceiling(years)), at least `floor`

- `g_years`, the same-person ("genuine") distance, is a normal distribution whose mean and
  spread grow with the years between the photos (`Genuine`): faces age, so a distance that
  is strong evidence between two photos of one year is weaker between photos twenty years
  apart. The figures are this model's (dlib ResNet v1) as measured and published; see
  `docs/matching.md`, "The face's likelihood ratio".
- `h`, the different-person ("impostor") distance, is a normal fitted to a sample of
  impostor distances (`Impostors`): the shipped one measured on public photos, or one drawn
  from the records at hand (`bulk_face.impostor_distances`: best-pair distances of
  random pairs that pass blocking, so of people of the same sex and near ages, with as many
  photos as the records really have).
- `ceiling(years)` is the safety bound. An LR of L says that different people come this
  near less than once in L pairs, and only a sample of impostor pairs can vouch for that:
  with n of them and k at or below distance d, the rate of impostors at or below d is at
  most (k + 3) / n at 95% confidence (the rule of three when k is 0), and the LR of "at or
  below d" is at least P(D <= d | same) over that. The ceiling is the best such figure
  over d. 5,656 measured pairs support about 10^3.2; a sample of 500,000 pairs from the
  records at hand supports 10^4 to 10^5 (the few true pairs among them only lower it).
- `floor`: the same argument from the other side; 230 measured same-person pairs cannot
  say that the same person is rarer than 3 in 230 at any distance, so no face counts
  below 10^-1.9 against a pair.

The curve is tabulated on a grid of distances for each whole year apart (0 to
`Genuine.max_years`), made non-increasing in distance, and read by linear interpolation.
Photos of unknown date use `Genuine.unknown_years`.
"""

from __future__ import annotations

import functools
import json
import math
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

CALIBRATION_FILE = Path(__file__).with_name("calibration.json")
LN10 = math.log(10.0)
STEP = 0.005
GRID = np.arange(0.0, 1.6 + STEP / 2, STEP)  # distances the curve is tabulated at
MIN_IMPOSTOR_PAIRS = 5_656  # a sample from the records at hand must be at least the shipped one


_ERFC = np.frompyfunc(math.erfc, 1, 1)


def _log10_normal_pdf(x: np.ndarray, mean: np.ndarray, sd: np.ndarray) -> np.ndarray:
    z = (x - mean) / sd
    return (-0.5 * z * z - np.log(sd) - 0.5 * math.log(2 * math.pi)) / LN10


def _normal_cdf(x: np.ndarray, mean: float | np.ndarray, sd: float | np.ndarray) -> np.ndarray:
    z = (np.asarray(x, np.float64) - mean) / sd
    return 0.5 * _ERFC(-z / math.sqrt(2.0)).astype(np.float64)


@dataclass(frozen=True)
class Genuine:
    """Same-person best-pair distance ~ Normal(mean + drift * y, sd + spread * y) for photos
    y years apart (y capped at `max_years`; unknown dates count as `unknown_years`); `n` is
    the number of measured same-person pairs behind it, which sets the floor."""

    mean: float
    sd: float
    drift: float
    spread: float
    max_years: int
    unknown_years: int
    n: int
    source: str = ""

    def at(self, years: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        y = np.minimum(np.asarray(years, np.float64), self.max_years)
        return self.mean + self.drift * y, self.sd + self.spread * y


@dataclass(frozen=True)
class Impostors:
    """A sample of different-person best-pair distances: its size `n`, a normal fit
    (`mean`, `sd`: median and scaled MAD, so a few true pairs in the sample do not move it)
    and `below[i]`, how many were at or below `GRID[i]`. Without counts (the shipped
    measurement) none was below `minimum` and the normal fit stands in above it."""

    n: int
    mean: float
    sd: float
    below: tuple[int, ...] = ()
    minimum: float = 0.0
    source: str = ""

    def count_below(self) -> np.ndarray:
        """Impostors at or below each `GRID` distance (float64)."""
        if self.below:
            return np.asarray(self.below, np.float64)
        counts = self.n * _normal_cdf(GRID, self.mean, self.sd)
        return np.where(self.minimum > GRID, 0.0, counts)

    @classmethod
    def from_distances(cls, distances: np.ndarray, source: str) -> Impostors:
        """Summarise a sample of impostor distances (float, any order)."""
        d = np.sort(np.asarray(distances, np.float64))
        median = float(np.median(d))
        mad = float(np.median(np.abs(d - median))) * 1.4826
        below = np.searchsorted(d, GRID + 1e-12, side="right")
        return cls(
            n=len(d),
            mean=round(median, 6),
            sd=round(max(mad, 1e-3), 6),
            below=tuple(int(b) for b in below),
            minimum=round(float(d[0]), 6) if len(d) else 0.0,
            source=source,
        )


@dataclass(frozen=True)
class Calibration:
    """The face LR of one face model: `log10_lr` for one pair, `log10_lrs` for arrays."""

    model: str
    genuine: Genuine
    impostors: Impostors
    table: np.ndarray = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "table", self._tabulate())

    @property
    def floor(self) -> float:
        return math.log10(3.0 / self.genuine.n)

    def _tabulate(self) -> np.ndarray:
        """log10 LR float64 (max_years + 1, len(GRID)): row y for photos y years apart."""
        g, imp = self.genuine, self.impostors
        years = np.arange(g.max_years + 1, dtype=np.float64)[:, None]
        mean, sd = g.at(years)
        density = _log10_normal_pdf(GRID, mean, sd) - _log10_normal_pdf(
            GRID, np.float64(imp.mean), np.float64(imp.sd)
        )
        with np.errstate(divide="ignore"):
            supported = (
                np.log10(_normal_cdf(GRID, mean, sd))
                + math.log10(imp.n)
                - np.log10(imp.count_below() + 3.0)
            )
        ceiling = supported.max(axis=1, keepdims=True)
        lr = np.minimum(density, ceiling)
        # Never stronger at a larger distance (the normals' ratio turns up far in the tail).
        lr = np.minimum.accumulate(lr, axis=1)
        return np.maximum(lr, self.floor)

    def ceiling(self, years_apart: float | None = None) -> float:
        """The strongest this face evidence can count for photos `years_apart` apart."""
        return float(self.table[self._row(years_apart)].max())

    def _row(self, years_apart: float | None) -> int:
        if years_apart is None or not math.isfinite(years_apart):
            return self.genuine.unknown_years
        return int(min(round(abs(years_apart)), self.genuine.max_years))

    def log10_lrs(self, distance: np.ndarray, years_apart: np.ndarray) -> np.ndarray:
        """Base-10 log LRs float64 of best-pair distances and the years between those two
        photos (NaN: unknown), elementwise."""
        d = np.asarray(distance, np.float64)
        y = np.asarray(years_apart, np.float64)
        rows = np.where(np.isfinite(y), np.rint(np.abs(np.nan_to_num(y))), np.nan)
        rows = np.where(np.isnan(rows), self.genuine.unknown_years, rows)
        rows = np.minimum(rows, self.genuine.max_years).astype(np.int64)
        pos = np.clip(np.nan_to_num(d, nan=GRID[-1]) / STEP, 0.0, len(GRID) - 1.0)
        lo = np.minimum(pos.astype(np.int64), len(GRID) - 2)
        frac = pos - lo
        return self.table[rows, lo] * (1 - frac) + self.table[rows, lo + 1] * frac

    def log10_lr(self, distance: float, years_apart: float | None = None) -> float:
        """Base-10 log LR of one best-pair distance (`years_apart` None: unknown dates)."""
        years = np.nan if years_apart is None else float(years_apart)
        return float(self.log10_lrs(np.array([distance]), np.array([years]))[0])

    def distance_at(self, log10_lr: float, years_apart: float | None = 0) -> float:
        """The smallest distance where the LR has fallen to `log10_lr` (1.0 LR -> the even
        point)."""
        row = self.table[self._row(years_apart)]
        return float(GRID[np.argmax(row <= log10_lr)])

    def with_impostors(self, impostors: Impostors) -> Calibration:
        return Calibration(self.model, self.genuine, impostors)

    def as_dict(self) -> dict[str, Any]:
        return {
            "model": self.model,
            "genuine": asdict(self.genuine),
            "impostors": asdict(self.impostors),
        }


def load_calibration(path: str | Path | None = None) -> Calibration:
    """Read a calibration file (default: the shipped one)."""
    data = json.loads(Path(path or CALIBRATION_FILE).read_text(encoding="utf-8"))
    return Calibration(
        model=data["model"],
        genuine=Genuine(**data["genuine"]),
        impostors=_impostors(data["impostors"]),
    )


def _impostors(data: dict[str, Any]) -> Impostors:
    return Impostors(**{**data, "below": tuple(data.get("below", ()))})


@functools.cache
def shipped_calibration() -> Calibration:
    """The shipped calibration, read once."""
    return load_calibration()


def for_model(meta: dict[str, Any] | None) -> Calibration:
    """The calibration an attribute model's `meta` asks for: the shipped one, with the
    impostor sample drawn from the records it was fitted on when it has one."""
    shipped = shipped_calibration()
    sample = (meta or {}).get("face_impostors")
    return shipped if not sample else shipped.with_impostors(_impostors(sample))
