"""Divisions: lookup by code and name, the parent/child walk, addresses, distances."""

from __future__ import annotations

import pytest

from homeward.regions.geo import great_circle_km
from homeward.regions.models import Division
from homeward.regions.selectors import (
    address_parse,
    distance_km,
    division_ancestors,
    division_children,
    division_contains,
    division_get,
    division_path,
    divisions_by_name,
)

pytestmark = pytest.mark.django_db


def test_every_province_level_division_is_loaded():
    assert Division.objects.filter(level="province").count() == 34
    assert Division.objects.filter(level="county").count() > 2800
    # Every city and county hangs under a parent.
    assert not Division.objects.exclude(level="province").filter(parent__isnull=True).exists()


@pytest.mark.parametrize("code", ["320508", "320508000000", " 320508 "])
def test_a_county_is_found_by_its_six_or_twelve_digit_code(code):
    division = division_get(code)
    assert (division.name, division.level) == ("姑苏区", "county")


@pytest.mark.parametrize("code,name", [("32", "江苏省"), ("3205", "苏州市")])
def test_short_codes_name_the_province_and_the_city(code, name):
    assert division_get(code).name == name


@pytest.mark.parametrize("code", ["", "abc", "3205081", "999999"])
def test_a_code_that_is_not_a_division_finds_nothing(code):
    assert division_get(code) is None


def test_the_walk_up_goes_county_city_province():
    county = division_get("320583")
    assert [d.name for d in division_ancestors(county)] == ["江苏省", "苏州市"]
    assert division_path(county) == "江苏省苏州市昆山市"


def test_a_municipality_path_skips_its_placeholder_city():
    assert division_path(division_get("110105")) == "北京市朝阳区"


def test_children_of_a_city_are_its_counties():
    names = {d.name for d in division_children(division_get("320500"))}
    assert {"姑苏区", "昆山市", "吴江区"} <= names
    assert all(d.code.startswith("3205") for d in division_children(division_get("320500")))


def test_containment_follows_the_code():
    assert division_contains(division_get("320000"), division_get("320583"))
    assert not division_contains(division_get("330000"), division_get("320583"))


def test_a_repeated_name_returns_every_division_that_bears_it():
    codes = [d.code for d in divisions_by_name("朝阳区")]
    assert "110105" in codes and "220104" in codes


def test_a_name_prefix_finds_the_city():
    assert [d.code for d in divisions_by_name("苏州")] == ["320500"]


@pytest.mark.parametrize(
    "text,code,rest",
    [
        ("江苏省苏州市姑苏区人民路100号", "320508", "人民路100号"),
        ("河北廊坊广阳区", "131003", ""),
        ("杭州西湖区文三路", "330106", "文三路"),
    ],
)
def test_a_free_text_address_is_parsed_to_its_division(text, code, rest):
    parsed = address_parse(text)
    assert parsed.division.code == code
    assert parsed.rest == rest


def test_an_address_without_a_place_parses_to_nothing():
    assert address_parse("").division is None


def test_great_circle_distance_matches_a_hand_computed_value():
    # Beijing (39.9042, 116.4074) to Shanghai (31.2304, 121.4737): 1,067 km by the
    # haversine formula with R = 6371.0088 km, worked by hand.
    assert great_circle_km((39.9042, 116.4074), (31.2304, 121.4737)) == pytest.approx(
        1067.3, abs=0.5
    )
    assert great_circle_km((30.0, 120.0), (30.0, 120.0)) == 0.0


def test_distance_between_divisions_uses_their_seats():
    suzhou, hangzhou = division_get("320500"), division_get("330100")
    assert distance_km(suzhou, hangzhou) == pytest.approx(
        great_circle_km(suzhou.point, hangzhou.point)
    )
    assert 100 < distance_km(suzhou, hangzhou) < 150


def test_the_regions_api_looks_up_parses_and_walks(client, suzhou_caseworker):
    client.force_login(suzhou_caseworker)
    assert client.get("/api/regions/320583").json()["path"] == "江苏省苏州市昆山市"
    parsed = client.get("/api/regions/parse", {"address": "江苏苏州姑苏区人民路100号"}).json()
    assert parsed["division"]["code"] == "320508"
    assert client.get("/api/regions/999999").status_code == 404
    kids = client.get("/api/regions/320500/children").json()
    assert "320583" in {d["code"] for d in kids}


@pytest.mark.parametrize(
    "text,code,rest",
    [
        ("北京市朝阳区建国路", "110105", "建国路"),
        ("南京市鼓楼区中山路", "320106", "中山路"),
        ("延边朝鲜族自治州", "222400", ""),
        ("潜江市园林路", "429005", "园林路"),  # a county-level city straight under Hubei
        ("江苏 苏州 姑苏区", "320508", ""),
    ],
)
def test_full_short_and_spaced_names_place_an_address(text, code, rest):
    parsed = address_parse(text)
    assert (parsed.division.code, parsed.rest) == (code, rest)


@pytest.mark.parametrize("text", ["鼓楼区中山路", "朝阳区建国路", "西湖区文三路", "山塘街桥洞下面"])
def test_a_name_several_places_share_or_no_name_places_nothing(text):
    parsed = address_parse(text)
    assert parsed.division is None and parsed.rest == text
