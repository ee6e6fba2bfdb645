"""Profile checks and frequency tables."""

from __future__ import annotations

import numpy as np
import pytest

from homeward.matching.dna.data.build_frequencies import build
from homeward.matching.dna.errors import DnaError
from homeward.matching.dna.frequencies import DATA_DIR, POPULATIONS, load_table, read_csv
from homeward.matching.dna.loci import canonical_allele, canonical_locus
from homeward.matching.dna.profiles import parse_profile


@pytest.mark.parametrize(
    ("raw", "name"),
    [
        ("vwa", "vWA"),
        ("VWA", "vWA"),
        ("Penta D", "Penta D"),
        ("PentaD", "Penta D"),
        ("penta_e", "Penta E"),
        ("THO1", "TH01"),
        ("CSF1P0", "CSF1PO"),
        ("AMEL", "Amelogenin"),
        ("d3s1358", "D3S1358"),
    ],
)
def test_locus_names_match_case_and_space_insensitively(raw, name):
    assert canonical_locus(raw) == name


@pytest.mark.parametrize(
    ("raw", "allele"),
    [
        ("9.3", "9.3"),
        (9.3, "9.3"),
        (13, "13"),
        ("13.0", "13"),
        ("10.199999999999999", "10.2"),
        (" 16 ", "16"),
    ],
)
def test_alleles_are_canonical_strings(raw, allele):
    assert canonical_allele(raw, "TH01") == allele


def test_a_homozygote_may_be_written_with_one_allele():
    profile = parse_profile({"vWA": ["17"], "TH01": [9.3, "6"], "D3S1358": []})
    assert profile.genotypes == {"vWA": ("17", "17"), "TH01": ("6", "9.3")}


def test_unknown_loci_are_skipped_and_listed():
    assert parse_profile({"DYS391": ["10"], "FGA": ["22", "23"]}).skipped == ("DYS391",)


@pytest.mark.parametrize(
    ("raw", "locus", "allele", "words"),
    [
        ({"TPOX": ["8", "9", "11"]}, "TPOX", "11", "tri-allelic"),
        ({"TH01": ["OL", "6"]}, "TH01", "OL", "off-ladder"),
        ({"FGA": ["9.7", "22"]}, "FGA", "9.7", "microvariant"),
        ({"vWA": ["X", "17"]}, "vWA", "X", "Amelogenin"),
        ({"D3S1358": ["15", "abc"]}, "D3S1358", "abc", "repeat number"),
    ],
)
def test_bad_alleles_raise_errors_naming_locus_and_allele(raw, locus, allele, words):
    with pytest.raises(DnaError) as err:
        parse_profile(raw, field="person")
    assert (err.value.locus, err.value.allele, err.value.field) == (locus, allele, "person")
    assert words in err.value.message and locus in err.value.message


def test_alleles_outside_the_tables_ladder_are_rejected():
    with pytest.raises(DnaError, match="outside the allelic ladder") as err:
        parse_profile({"TH01": ["6", "45"]}, table=load_table())
    assert err.value.allele == "45"


def test_amelogenin_must_agree_with_the_records_sex():
    assert parse_profile({"AMEL": ["X", "Y"]}, sex="M").sex == "M"
    with pytest.raises(DnaError, match="says sex F but the record says M"):
        parse_profile({"Amelogenin": ["X"]}, sex="M")


def test_shipped_tables_name_their_source_and_sum_to_one():
    for name, filename in POPULATIONS.items():
        assert "NIST" in (DATA_DIR / filename).read_text().splitlines()[1]
        table = load_table(name)
        assert "public domain" in table.source
        for entry in table.loci.values():
            assert entry.freqs.sum() == pytest.approx(1.0)
    assert len(load_table().loci) == 29


def test_unseen_alleles_get_the_nrc_floor_and_the_table_is_renormalised():
    table = load_table()
    n = table.loci["TH01"].n
    alleles, p = table.distribution("TH01", ["13.3"])
    assert p.sum() == pytest.approx(1.0)
    raw_floor = 5 / (2 * n)
    assert p[alleles.index("13.3")] == pytest.approx(raw_floor / (1 + raw_floor * 2), rel=0.05)


def test_laboratory_csv_tables_load_and_override_named_loci():
    lab = read_csv(
        "# Source: our lab, 2024\nlocus,allele,frequency,N\nvWA,17,0.5,100\nvWA,18,0.5,100\n",
        name="lab",
    )
    assert lab.source == "our lab, 2024"
    merged = load_table().with_overrides({"VWA": {"17": 0.6, "18": 0.4}})
    assert merged.loci["vWA"].alleles == ("17", "18")
    assert merged.overridden == ["vWA"]
    with pytest.raises(DnaError, match="sum to"):
        load_table().with_overrides({"vWA": {"17": 0.6, "18": 0.1}})


def test_the_derivation_script_counts_alleles_per_group(tmp_path):
    src = tmp_path / "g.csv"
    src.write_text(
        "sample,population,locus,allele1,allele2\n"
        "a,AA,TH01,6,9.3000000000000007\nb,Asian,TH01,6,6\nc,Asian,vWA,17,18\n"
    )
    build(src, tmp_path)
    table = read_csv((tmp_path / "nist1036_all.csv").read_text(), name="all")
    alleles, freqs = table.loci["TH01"].alleles, table.loci["TH01"].freqs
    assert dict(zip(alleles, np.round(freqs, 3), strict=True)) == {"6": 0.75, "9.3": 0.25}
    asian = read_csv((tmp_path / "nist1036_asian.csv").read_text(), name="asian")
    assert asian.loci["TH01"].n == 1
