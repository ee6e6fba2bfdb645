"""Profile checks: locus names, allele designations, homozygotes, Amelogenin sex."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from homeward.matching.dna.errors import DnaError
from homeward.matching.dna.frequencies import FrequencyTable
from homeward.matching.dna.loci import (
    AMELOGENIN,
    allele_sort_key,
    canonical_allele,
    canonical_locus,
)

Genotype = tuple[str, str]


@dataclass(frozen=True)
class Profile:
    """A checked STR profile.

    `genotypes` maps canonical locus names to an allele pair (sorted, homozygotes as two
    equal strings); untyped loci are absent. `sex` is what Amelogenin says ("M", "F") or
    None; `skipped` lists input loci that are not autosomal STRs the engine knows.
    """

    genotypes: dict[str, Genotype]
    sex: str | None = None
    skipped: tuple[str, ...] = field(default=())

    def __len__(self) -> int:
        return len(self.genotypes)


def parse_profile(
    raw: object,
    *,
    field: str = "profile",
    sex: str | None = None,
    table: FrequencyTable | None = None,
) -> Profile:
    """Check and normalise an HWX DNA profile ``{"LOCUS": ["allele", "allele"]}``.

    A homozygote may be written with one allele or two; an empty list or null marks an
    untyped locus. Raises DnaError (naming field, locus and allele) for three or more
    alleles, malformed or off-ladder alleles (against `table`'s ladder when given), the
    same locus written twice, and an Amelogenin result that contradicts the record's `sex`.
    """
    if not isinstance(raw, Mapping):
        raise DnaError(f"{field}: a DNA profile must be an object of loci.", field=field)
    genotypes: dict[str, Genotype] = {}
    skipped: list[str] = []
    amel_sex = None
    for raw_locus, raw_alleles in raw.items():
        locus = canonical_locus(str(raw_locus))
        if locus is None:
            skipped.append(str(raw_locus))
            continue
        if locus in genotypes or (locus == AMELOGENIN and amel_sex is not None):
            raise DnaError(
                f"{field}: locus {locus} appears twice (as '{raw_locus}').",
                field=field,
                locus=locus,
            )
        if raw_alleles is None or raw_alleles == [] or raw_alleles == "":
            continue
        if isinstance(raw_alleles, str | int | float):
            raw_alleles = [raw_alleles]
        if not isinstance(raw_alleles, list | tuple):
            raise DnaError(
                f"{field}: {locus} must be a list of one or two alleles.",
                field=field,
                locus=locus,
            )
        try:
            alleles = [canonical_allele(a, locus) for a in raw_alleles]
        except DnaError as exc:
            raise DnaError(
                f"{field}: {exc.message}", field=field, locus=exc.locus, allele=exc.allele
            ) from exc
        if len(alleles) > 2:
            shown = ", ".join(alleles)
            raise DnaError(
                f"{field}: {locus} has {len(alleles)} alleles ({shown}); tri-allelic patterns "
                "and mixtures cannot be compared. Re-type the sample or leave the locus out.",
                field=field,
                locus=locus,
                allele=alleles[2],
            )
        if locus == AMELOGENIN:
            amel_sex = "M" if "Y" in alleles else "F"
            continue
        if table is not None:
            for allele in alleles:
                table.check_allele(locus, allele, field=field)
        pair = sorted(alleles * (2 // len(alleles)), key=allele_sort_key)
        genotypes[locus] = (pair[0], pair[1])
    if sex in ("M", "F") and amel_sex is not None and amel_sex != sex:
        shown = "X,Y" if amel_sex == "M" else "X,X"
        raise DnaError(
            f"{field}: Amelogenin {shown} says sex {amel_sex} but the record says {sex}; "
            "check for a sample swap (or an AMELY deletion in a male).",
            field=field,
            locus=AMELOGENIN,
        )
    return Profile(genotypes, amel_sex, tuple(skipped))
