"""Case JSON in, LR report out (`homeward dna lr CASE.json`).

Case: ``{"person": PROFILE, "relatives": [{"relation": R, "profile": PROFILE}],
"population": "nist1036", "frequencies": {LOCUS: {ALLELE: p}}, "theta": 0.01,
"mutation": {"model": "stepwise", "rate": 0.002}, "prior": 0.5}``; only `person` and
`relatives` are required. Optional extras: "sex" (the person's record sex), a relative's
"sex" and "via" ("father"/"mother" side), "silent" (silent-allele frequency),
"min_frequency" (replaces the 5/2N floor).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from homeward.matching.dna.errors import DnaError
from homeward.matching.dna.frequencies import DEFAULT_POPULATION, load_table
from homeward.matching.dna.lr import CaseResult, Settings, family_lr
from homeward.matching.dna.mutation import parse_mutation
from homeward.matching.dna.pedigree import Relative
from homeward.matching.dna.profiles import Profile, parse_profile


@dataclass(frozen=True)
class Case:
    """A parsed case: the person, the relatives with their profiles, and the settings."""

    person: Profile
    relatives: list[tuple[Relative, Profile]]
    settings: Settings
    sex: str | None


def _number(raw: Mapping, key: str, default: float | None, low: float, high: float) -> float | None:
    value = raw.get(key, default)
    if value is None:
        return None
    try:
        out = float(value)
    except (TypeError, ValueError):
        out = float("nan")
    if not low <= out <= high:
        raise DnaError(f"{key} must be a number from {low} to {high}, got {value!r}.", field=key)
    return out


def parse_case(raw: object) -> Case:
    """Check a case object; raises DnaError naming the field, locus and allele at fault."""
    if not isinstance(raw, Mapping):
        raise DnaError("the case must be a JSON object.")
    for key in ("person", "relatives"):
        if key not in raw:
            raise DnaError(f"the case needs '{key}'.", field=key)
    table = load_table(raw.get("population") or DEFAULT_POPULATION)
    if raw.get("frequencies"):
        if not isinstance(raw["frequencies"], Mapping):
            raise DnaError("frequencies must map loci to {allele: frequency}.", field="frequencies")
        table = table.with_overrides(raw["frequencies"])
    if raw.get("min_frequency") is not None:
        table.min_frequency = _number(raw, "min_frequency", None, 1e-9, 0.5)
    sex = raw.get("sex")
    if sex not in (None, "M", "F", "U"):
        raise DnaError("sex must be M, F or U.", field="sex")
    person = parse_profile(raw["person"], field="person", sex=sex, table=table)
    if not isinstance(raw["relatives"], list) or not raw["relatives"]:
        raise DnaError("relatives must be a non-empty list.", field="relatives")
    relatives = []
    for i, item in enumerate(raw["relatives"]):
        where = f"relatives[{i}]"
        if not isinstance(item, Mapping) or "relation" not in item or "profile" not in item:
            raise DnaError(f"{where} needs 'relation' and 'profile'.", field=where)
        rel_sex = item.get("sex")
        if rel_sex is None and item["relation"] in ("father", "mother"):
            rel_sex = "M" if item["relation"] == "father" else "F"
        profile = parse_profile(item["profile"], field=where, sex=rel_sex, table=table)
        relatives.append((Relative(item["relation"], rel_sex, item.get("via")), profile))
    settings = Settings(
        table,
        theta=_number(raw, "theta", 0.0, 0.0, 0.25) or 0.0,
        mutation=parse_mutation(raw.get("mutation")),
        silent=_number(raw, "silent", 0.0, 0.0, 0.1) or 0.0,
        prior=_number(raw, "prior", None, 0.0, 1.0),
    )
    return Case(person, relatives, settings, sex if sex in ("M", "F") else None)


def evaluate(case: Case) -> CaseResult:
    """The LR result of a parsed case."""
    return family_lr(case.person, case.relatives, case.settings, mp_sex=case.sex)


def report(case: Case, result: CaseResult) -> dict[str, object]:
    """The JSON report: lr, log10_lr, per_locus, posterior, inconsistent_loci, settings
    (every default spelled out), plus skipped_loci."""
    s = case.settings
    return {
        "lr": result.lr,
        "log10_lr": result.log10_lr,
        "per_locus": result.per_locus,
        "posterior": result.posterior,
        "inconsistent_loci": result.inconsistent,
        "settings": {
            "population": s.table.name,
            "frequency_source": s.table.source,
            "frequency_overrides": s.table.overridden,
            "min_frequency": s.table.min_frequency
            if s.table.min_frequency is not None
            else f"{s.table.min_count:g}/2N",
            "theta": s.theta,
            "mutation": s.mutation.as_dict() if s.mutation else None,
            "silent": s.silent,
            "prior": s.prior,
            "alternative": "the person is unrelated to the family (a child of untyped "
            "parents where the family pedigree gives them parents)",
            "approximations": result.approximations,
        },
        "loci_compared": len(result.per_locus),
        "skipped_loci": sorted(set(result.skipped_loci) | set(case.person.skipped)),
    }
