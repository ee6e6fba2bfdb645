"""Every province in the divisions table has its ISO 3166-2 code, and codes read back."""

from __future__ import annotations

from homeward.matching.divisions_table import division_rows
from homeward.regions.iso3166 import PROVINCES, province_code, subdivision_code


def test_every_province_of_the_table_has_an_iso_code_and_it_reads_back():
    provinces = [row["code"] for row in division_rows() if row["code"].endswith("0000")]
    assert len(provinces) >= 31
    for code in provinces:
        iso = subdivision_code(code)
        assert iso is not None and iso.startswith("CN-"), code
        assert province_code(iso) == code
        assert province_code(iso.removeprefix("CN-").lower()) == code
    assert len(set(PROVINCES.values())) == len(PROVINCES)  # no two provinces share a code


def test_known_codes_and_unknown_ones():
    # The pairs easiest to swap, as ISO 3166-2:CN gives them.
    known = {
        "130000": "CN-HE", "420000": "CN-HB", "410000": "CN-HA", "430000": "CN-HN",
        "140000": "CN-SX", "610000": "CN-SN", "460000": "CN-HI", "230000": "CN-HL",
        "150000": "CN-NM", "640000": "CN-NX", "540000": "CN-XZ", "650000": "CN-XJ",
        "510107": "CN-SC", "110101": "CN-BJ", "500000": "CN-CQ", "340000": "CN-AH",
    }  # fmt: skip
    assert {code: subdivision_code(code) for code in known} == known
    assert subdivision_code("990000") is None
    assert province_code("CN-ZZ") is None and province_code("四川省") is None
