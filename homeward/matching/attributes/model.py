"""The attribute model: Fellegi–Sunter with Splink 5 on DuckDB.

Stages, as Splink names them: block (sex agrees or is unknown, and birth years within
`AGE_SLACK` of the estimate), compare (`comparisons.COMPARISONS`), estimate (u by random
sampling, m by expectation maximisation, then from labelled pairs when there are some),
predict (the comparison level of every blocked pair; the per-field weight is read from the
model's m and u). The model is saved as versioned JSON around Splink's own settings.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from homeward.matching.attributes.comparisons import COMPARISONS
from homeward.matching.attributes.records import FEATURE_COLUMNS

MODEL_FORMAT = "homeward-attribute-model"
MODEL_VERSION = 1
SHIPPED_MODEL = Path(__file__).with_name("model.json")
# A found person's birth year may be this many years outside the range their estimated age
# gives and still be compared: the "plausible age" of the blocking rule. 15, not 10: on the
# sweep's worlds where age estimates err twice as much as usual, 10 lost up to 8% of the
# true pairs before any weight was read (blocking recall 0.920 on world 10; 0.977 at 15).
AGE_SLACK = 15
FOUND, MISSING = "found", "missing"
M_FLOOR = 1e-3
_AGE_OK = f"l.by_lo <= r.by_hi + {AGE_SLACK} and r.by_lo <= l.by_hi + {AGE_SLACK}"
BLOCKING_SQL = (
    f"l.sex = r.sex and {_AGE_OK}",
    f"(l.sex is null or r.sex is null) and {_AGE_OK}",
)
# Past those rules, two things still bring a report into the comparison: the same full
# name written the same way (a surname alone, as 王大爷 leaves, is too common to), and a
# face nearer than FACE_NEAR (dlib distance; a same-person distance for photos up to about
# 20 years apart, an LR of 10^2.8 to 10^3.2 at the shipped calibration). A sex entered
# wrong or an age guessed 20 years off then weighs against the pair instead of hiding it.
# One of the sweep's noisy worlds lost 46 of 600 true pairs to the sex and age rules alone;
# 11 of them had the same name, 25 photos on both sides (docs/matching.md). The face is not SQL:
# `search.score_pairs` and the bulk matcher add those pairs themselves. Neither rule is
# part of `spec_hash`: a saved model's weights do not depend on which pairs are predicted.
NAME_RULE = "l.given_py <> '' and l.name = r.name"
FACE_NEAR = 0.5


# Comparisons whose levels run from the closest agreement to the loosest (the last, else).
ORDERED = ("age", "home", "place", "height")


def neutralise_untrained(settings: dict[str, Any]) -> None:
    """Give levels that training never saw m = u (weight 0), in place: Splink would
    otherwise fill in its own defaults at predict time. In an ORDERED comparison, a level
    never seen takes the weight of the next looser level when that one counts for the
    pair: a closer agreement never counts for less (an ID number's county of birth, which
    the training world never showed, weighs what the same city weighs)."""
    for comp in settings["comparisons"]:
        ordered = comp.get("output_column_name") in ORDERED
        looser: tuple[float, float] | None = None
        for level in reversed(comp["comparison_levels"]):
            if level.get("is_null_level"):
                continue
            if level.get("m_probability") is not None and not level.get("fix_m_probability"):
                # A few hundred labelled pairs cannot show that a level never happens to the
                # same person: no level may weigh more than ~1/1000 against.
                level["m_probability"] = max(level["m_probability"], M_FLOOR)
            m, u = level.get("m_probability"), level.get("u_probability")
            if (m is None or u is None) and ordered and looser and looser[0] > looser[1]:
                level["m_probability"], level["u_probability"] = looser
            elif m is None and u is None:
                level["m_probability"] = level["u_probability"] = 0.5
            elif m is None:
                level["m_probability"] = u
            elif u is None:
                level["u_probability"] = m
            looser = (level["m_probability"], level["u_probability"])


def train_m_on_labels(linker: Any, con: Any, labels: Sequence[tuple[str, str]]) -> None:
    """Estimate m from pairs known to be one person ((found id, missing id)), in the
    linker's session (`con` its DuckDB connection, which holds the labels table)."""
    import pyarrow as pa

    table = pa.table(
        {
            "source_dataset_l": [FOUND] * len(labels),
            "unique_id_l": [f for f, _ in labels],
            "source_dataset_r": [MISSING] * len(labels),
            "unique_id_r": [m for _, m in labels],
        }
    )
    con.register("labels_arrow", table)
    con.execute("create table labels as select * from labels_arrow")
    linker.training.estimate_m_from_pairwise_labels(
        linker._db_api.register("labels", dataset_display_name="labels")
    )


def spec_hash() -> str:
    """A hash of the comparison SQL: a saved model only applies to the same comparisons."""
    text = json.dumps([[lv.sql for lv in c.levels] for c in COMPARISONS] + list(BLOCKING_SQL))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def plausible(a: dict[str, Any], b: dict[str, Any]) -> bool:
    """Python twin of `BLOCKING_SQL` (sex and plausible age), for two feature rows."""
    sex_ok = a["sex"] is None or b["sex"] is None or a["sex"] == b["sex"]
    age_ok = a["by_lo"] <= b["by_hi"] + AGE_SLACK and b["by_lo"] <= a["by_hi"] + AGE_SLACK
    return sex_ok and age_ok


def passes_blocking(
    a: dict[str, Any], b: dict[str, Any], face_distance: float | None = None
) -> bool:
    """Whether two feature rows are compared: `plausible`, or the same full name
    (`NAME_RULE`), or photos at `face_distance` (the best pair's; None: no photo pair)
    within FACE_NEAR."""
    same_name = bool(a["given_py"]) and a["name"] == b["name"]
    near = face_distance is not None and face_distance <= FACE_NEAR
    return plausible(a, b) or same_name or near


def _pairs_rule(pairs: Sequence[tuple[int, int]]) -> str:
    """A blocking rule (DuckDB) that holds for exactly these (found row, report row) pairs.
    Splink puts on the left (`l`) the input whose name sorts first: "found" before
    "missing"; `tests/matching/test_bulk.py` would see the pairs go missing otherwise."""
    keys = ", ".join(str(f * _PAIR_KEY + m) for f, m in sorted(set(pairs)))
    return f"l.idx::BIGINT * {_PAIR_KEY} + r.idx in ({keys})"


_PAIR_KEY = 1 << 32


def _arrow_table(rows: Sequence[dict[str, Any]]) -> Any:
    import pyarrow as pa

    lists = {"given_syllables", "alias_py", "marks", "mark_types", "conditions"}
    ints = {"by_lo", "by_hi", "found_lo", "found_hi", "lost_lo", "lost_hi", "idx"}
    floats = {"place_lat", "place_lon", "height"}
    fields = []
    for col in ("idx", *FEATURE_COLUMNS):
        kind = (
            pa.list_(pa.string())
            if col in lists
            else pa.int64()
            if col in ints
            else pa.float64()
            if col in floats
            else pa.string()
        )
        fields.append(pa.field(col, kind))
    data = {col: [r[col] for r in rows] for col in FEATURE_COLUMNS}
    data["idx"] = list(range(len(rows)))
    return pa.table(data, schema=pa.schema(fields))


@dataclass
class Scored:
    """Every blocked pair: found row index int32 (n,), missing row index int32 (n,), and
    each field's base-10 log Bayes factor float32 (n, fields), fields as in COMPARISONS."""

    found: np.ndarray
    missing: np.ndarray
    log10_bf: np.ndarray
    intercept: float = 0.0
    slope: float = 1.0

    def raw_total(self) -> np.ndarray:
        """Sum of the fields' log10 BF (Splink's match weight less its prior): float64 (n,)."""
        return self.log10_bf.sum(axis=1, dtype=np.float64)

    def total(self) -> np.ndarray:
        """Calibrated attribute log10 LR, intercept + slope * raw total: float64 (n,)."""
        return self.intercept + self.slope * self.raw_total()


LOG10_2 = math.log10(2.0)


class AttributeModel:
    """A trained (or untrained) Fellegi–Sunter attribute model.

    `weights[field]` is float64 (levels,) of base-10 log Bayes factors, 0 at the null level.
    """

    def __init__(self, settings: dict[str, Any], meta: dict[str, Any] | None = None) -> None:
        self.settings = settings
        self.meta = meta or {}
        self.weights = self._weights()

    # -- the Splink session ------------------------------------------------------------
    @staticmethod
    def base_settings(prior: float = 1e-4) -> dict[str, Any]:
        from splink import SettingsCreator
        from splink.blocking_rule_library import CustomRule

        from homeward.matching.attributes.comparisons import splink_comparisons

        creator = SettingsCreator(
            link_type="link_only",
            comparisons=splink_comparisons(),
            blocking_rules_to_generate_predictions=[CustomRule(sql) for sql in BLOCKING_SQL],
            probability_two_random_records_match=prior,
            retain_matching_columns=False,
            retain_intermediate_calculation_columns=True,
            additional_columns_to_retain=["idx"],
        )
        return creator.get_settings("duckdb").as_dict()

    @staticmethod
    def _linker(found: Sequence[dict], missing: Sequence[dict], settings: dict) -> Any:
        from splink import DuckDBAPI, Linker

        # Splink logs training progress and per-level notes at WARNING; the matcher reports
        # its own progress, so only Splink's errors should reach the console.
        logging.getLogger("splink").setLevel(logging.ERROR)
        db_api = DuckDBAPI()
        con = db_api._con
        for name, rows in ((FOUND, found), (MISSING, missing)):
            con.register(f"{name}_arrow", _arrow_table(rows))
            con.execute(f"create table {name} as select * from {name}_arrow")
            con.unregister(f"{name}_arrow")
        tables = [db_api.register(n, dataset_display_name=n) for n in (FOUND, MISSING)]
        return Linker(tables, settings, log_level=logging.WARNING), con

    # -- estimate ----------------------------------------------------------------------
    @classmethod
    def train(
        cls,
        found: Sequence[dict[str, Any]],
        missing: Sequence[dict[str, Any]],
        *,
        labels: Sequence[tuple[str, str]] = (),
        seed: int = 0,
        max_pairs: float = 2e6,
    ) -> AttributeModel:
        """Estimate u by random sampling, m by EM on two blocking rules, then m again from
        `labels` ((found id, missing id) of confirmed reunions) when given.

        `found`, `missing` are `records.feature_row` dicts.
        """
        from splink.blocking_rule_library import CustomRule

        linker, con = cls._linker(found, missing, cls.base_settings(1.0 / max(len(missing), 2)))
        linker.training.estimate_u_using_random_sampling(max_pairs=max_pairs, seed=seed)
        em_rules = (
            "l.name_py = r.name_py",
            "l.sex = r.sex and l.place = r.place",
        )
        for rule in em_rules:
            snapshot = linker.misc.save_model_to_json()
            try:
                linker.training.estimate_parameters_using_expectation_maximisation(
                    CustomRule(rule), fix_probability_two_random_records_match=True
                )
            except Exception as exc:  # noqa: BLE001 - Splink 5 raises on m underflow
                # A failed session leaves Splink's settings without the fields it had fixed
                # (seen with Splink 5.0.0): go back to the settings from before it.
                logging.getLogger(__name__).warning("EM on %s skipped: %s", rule, exc)
                con.close()
                linker, con = cls._linker(found, missing, snapshot)
        if labels:
            train_m_on_labels(linker, con, labels)
        settings = linker.misc.save_model_to_json()
        kept = [c.get("output_column_name") for c in settings["comparisons"]]
        if kept != [c.name for c in COMPARISONS]:
            # A failed EM session leaves Splink's settings without the fields it had fixed.
            raise RuntimeError(f"training lost comparisons (kept {kept}); see the EM warnings")
        neutralise_untrained(settings)
        meta: dict[str, Any] = {
            "trained_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "found": len(found),
            "missing": len(missing),
            "labels": len(labels),
            "seed": seed,
        }
        model = cls(settings, meta)
        if labels:
            model.meta["recalibration"] = model._recalibrate(found, missing, labels)
        return model

    def _recalibrate(
        self, found: Sequence[dict], missing: Sequence[dict], labels: Sequence[tuple[str, str]]
    ) -> dict[str, float]:
        """Fit log10 LR = intercept + slope * (sum of field weights) on the labelled world.

        Fellegi–Sunter multiplies fields as if independent; they are not (home and place
        lost, age and height), so raw weights are over-confident. A class-balanced logistic
        fit on blocked pairs of known status turns the sum into an honest likelihood ratio,
        as the face engine does for distances.
        """
        from homeward.matching.logistic import LN10, fit_logistic

        scored = self.score(found, missing)
        want = set(labels)
        same = np.array(
            [
                (found[f]["unique_id"], missing[m]["unique_id"]) in want
                for f, m in zip(scored.found, scored.missing, strict=True)
            ]
        )
        a, b = fit_logistic(scored.raw_total(), same)
        return {"intercept": a / LN10, "slope": b / LN10, "pairs": int(len(same))}

    # -- weights -------------------------------------------------------------------------
    def _weights(self) -> dict[str, np.ndarray]:
        out = {}
        by_name = {c["output_column_name"]: c for c in self.settings["comparisons"]}
        for comp in COMPARISONS:
            levels = by_name[comp.name]["comparison_levels"]
            w = np.zeros(len(comp.levels))
            for i, level in enumerate(levels):
                if level.get("is_null_level"):
                    continue
                m, u = level.get("m_probability"), level.get("u_probability")
                if m is None or u is None or m <= 0 or u <= 0:
                    continue  # an untrained level carries no evidence
                w[i] = math.log10(m / u)
            out[comp.name] = w
        return out

    def weight_table(self) -> np.ndarray:
        """float64 (fields, max levels): log10 BF of each level, 0 past a field's levels."""
        width = max(len(c.levels) for c in COMPARISONS)
        out = np.zeros((len(COMPARISONS), width))
        for i, comp in enumerate(COMPARISONS):
            out[i, : len(comp.levels)] = self.weights[comp.name]
        return out

    @classmethod
    def from_probabilities(
        cls, probabilities: dict[str, list[tuple[float, float]]], prior: float = 1e-4
    ) -> AttributeModel:
        """A model with (m, u) given for every non-null level of every field, in the order
        of `comparison.levels` without the null level (hand-set models for tests)."""
        settings = cls.base_settings(prior)
        for comp in settings["comparisons"]:
            pairs = iter(probabilities[comp["output_column_name"]])
            for level in comp["comparison_levels"]:
                if not level.get("is_null_level"):
                    level["m_probability"], level["u_probability"] = next(pairs)
        return cls(settings, {"hand_set": True})

    # -- predict -------------------------------------------------------------------------
    def score(
        self,
        found: Sequence[dict[str, Any]],
        missing: Sequence[dict[str, Any]],
        also: Sequence[tuple[int, int]] = (),
    ) -> Scored:
        """The comparison levels of every pair that passes blocking (Splink predict): the
        sex and age rules, the same name, and the (found row, report row) pairs of `also`
        (those with a near face, `search.score_pairs`)."""
        if not found or not missing:
            empty = np.zeros(0, np.int32)
            return Scored(empty, empty, np.zeros((0, len(COMPARISONS)), np.float32))
        settings = dict(self.settings)
        rules = [*BLOCKING_SQL, NAME_RULE] + ([_pairs_rule(also)] if also else [])
        settings["blocking_rules_to_generate_predictions"] = [
            {"blocking_rule": sql, "sql_dialect": "duckdb"} for sql in rules
        ]
        linker, con = self._linker(found, missing, settings)
        pred = linker.inference.predict()
        weights = ", ".join(f"mw_{c.name}" for c in COMPARISONS)
        sql = (
            f"select (case when source_dataset_l = '{FOUND}' then idx_l else idx_r end)::INTEGER"
            f" as f, (case when source_dataset_l = '{FOUND}' then idx_r else idx_l end)::INTEGER"
            f" as m, {weights} from {pred.physical_name}"
        )
        reader = con.sql(sql).to_arrow_reader(1_000_000)
        parts_f, parts_m, parts_w = [], [], []
        for batch in reader:
            parts_f.append(batch.column(0).to_numpy().astype(np.int32))
            parts_m.append(batch.column(1).to_numpy().astype(np.int32))
            w = np.column_stack([batch.column(2 + j).to_numpy() for j in range(len(COMPARISONS))])
            parts_w.append((w * LOG10_2).astype(np.float32))
        con.close()
        cal = self.meta.get("recalibration") or {"intercept": 0.0, "slope": 1.0}
        if not parts_f:
            parts_f, parts_m = [np.zeros(0, np.int32)], [np.zeros(0, np.int32)]
            parts_w = [np.zeros((0, len(COMPARISONS)), np.float32)]
        return Scored(
            np.concatenate(parts_f),
            np.concatenate(parts_m),
            np.concatenate(parts_w),
            float(cal["intercept"]),
            float(cal["slope"]),
        )

    # -- save and load -------------------------------------------------------------------
    def to_json(self) -> dict[str, Any]:
        from splink import __version__ as splink_version

        return {
            "format": MODEL_FORMAT,
            "version": MODEL_VERSION,
            "comparisons_hash": spec_hash(),
            "splink_version": splink_version,
            "meta": self.meta,
            "splink_settings": self.settings,
        }

    def version(self) -> str:
        """A short name for exactly these weights ("attr-" and 10 hex digits of a hash of the
        settings, calibration and any fitted face impostor sample): each candidate records the
        one that scored it."""
        parts = [self.settings, self.meta.get("recalibration")]
        if self.meta.get("face_impostors"):  # the face's impostor side, fitted with it
            parts.append(self.meta["face_impostors"])
        text = json.dumps(parts, sort_keys=True, default=str)
        return "attr-" + hashlib.sha256(text.encode()).hexdigest()[:10]

    def save(self, path: str | Path) -> None:
        Path(path).write_text(
            json.dumps(self.to_json(), ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
        )

    @classmethod
    def load(cls, path: str | Path | None = None) -> AttributeModel:
        """Read a saved model (default: the shipped one). Raises ValueError when it was
        saved by another format version or for other comparisons."""
        data = json.loads(Path(path or SHIPPED_MODEL).read_text(encoding="utf-8"))
        if data.get("format") != MODEL_FORMAT or data.get("version") != MODEL_VERSION:
            raise ValueError(f"{path}: not a version-{MODEL_VERSION} {MODEL_FORMAT}")
        if data.get("comparisons_hash") != spec_hash():
            raise ValueError(f"{path}: trained for other comparisons; retrain the model")
        return cls(data["splink_settings"], data.get("meta"))
