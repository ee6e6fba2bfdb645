"""The evidence in words: the ENFSI verbal scale, probability bands, the DNA conclusion of
GB/T 37223-2018, sentences read from the two records, and what would settle the case."""

from __future__ import annotations

import pytest
from django.utils import translation

from homeward.tracing import evidence
from homeward.tracing.models import Candidate, Relative
from tests.cases.conftest import admit
from tests.tracing.conftest import staff_report


@pytest.mark.parametrize(
    "log10,words",
    [
        (0.1, "points neither way"),
        (0.5, "weak support for the same person"),
        (1.5, "moderate support for the same person"),
        (2.0, "moderately strong support for the same person"),
        (3.5, "strong support for the same person"),
        (5.0, "very strong support for the same person"),
        (7.0, "extremely strong support for the same person"),
        (-1.5, "moderate support for different people"),
        (None, None),
    ],
)
def test_the_verbal_scale_follows_enfsi(log10, words):
    with translation.override("en"):
        assert evidence.verbal(log10) == words


@pytest.mark.parametrize(
    "posterior,band",
    [
        (0.999999, "over 99%"),
        (0.97, "95–99%"),
        (0.6, "50–80%"),
        (0.03, "1–5%"),
        (0.001, "under 1%"),
    ],
)
def test_the_probability_reads_as_a_band(posterior, band):
    with translation.override("en"):
        assert evidence.posterior_band(posterior) == band


@pytest.fixture
def candidate(suzhou, desk, tracer):
    stay = admit(suzhou, desk, name="王维", age_estimate_min=60, age_estimate_max=66)
    report = staff_report(tracer, name="王伟")
    return Candidate.objects.create(
        person=stay.person,
        report=report,
        station=suzhou,
        posterior=0.8,
        log10_total=3,
        log10_attributes=1.2,
    )


def test_what_is_known_is_read_from_both_records(candidate):
    with translation.override("en"):
        reading = evidence.read(candidate)
    info = next(p for p in reading.parts if p.key == "information")
    assert info.strength == "moderate support for the same person"
    assert "names that sound the same (王维 / 王伟)" in info.because
    assert any(line.startswith("the age fits") for line in info.because)
    face = next(p for p in reading.parts if p.key == "face")
    assert face.strength is None  # no photo on either side
    assert any("DNA sample from a parent or child" in step for step in reading.settle)
    assert any("clear photo of the person" in step for step in reading.settle)


@pytest.mark.parametrize(
    "log10,conclusion",
    [(4.5, "supports the family tie"), (2.0, "not conclusive"), (-5.0, "excludes the family tie")],
)
def test_dna_reads_as_paternity_practice_does(candidate, log10, conclusion):
    Relative.objects.create(
        report=candidate.report,
        relation="mother",
        name="王芳",
        dna_status="entered",
        profile={"D8S1179": ["13", "14"]},
        consent="search",
    )
    candidate.log10_dna = log10
    candidate.save()
    with translation.override("en"):
        reading = evidence.read(candidate)
    dna = next(p for p in reading.parts if p.key == "dna")
    assert conclusion in dna.because[0] and "GB/T 37223-2018" in dna.because[0]
    assert "Mother" in dna.because[1]
    second = any("second relative" in step for step in reading.settle)
    # Not conclusive, or a lone relative's index that chance can reach among many families.
    assert second == (log10 < evidence.LONE_RELATIVE_CHANCE and log10 > -4)


def test_a_lone_relatives_hit_asks_for_a_second_relative_until_it_is_beyond_chance(candidate):
    mother = Relative.objects.create(
        report=candidate.report, relation="mother", name="王芳", dna_status="entered",
        profile={"D8S1179": ["13", "14"]},
        consent="search",
    )  # fmt: skip

    def asks(log10: float) -> bool:
        candidate.log10_dna = log10
        candidate.save()
        with translation.override("en"):
            steps = evidence.read(candidate).settle
        return any("by chance among many families" in step for step in steps)

    assert asks(4.2) and not asks(7.0)
    Relative.objects.create(
        report=candidate.report, relation="father", name="王强", dna_status="entered",
        profile={"D8S1179": ["13", "15"]}, consent="search",
    )  # fmt: skip
    assert not asks(4.2)  # both parents compared: no chance hit at that level
    assert mother.pk


def test_a_candidate_with_rivals_asks_to_compare_the_other_reports(candidate):
    def asks(rivals: float | None) -> bool:
        candidate.evidence = {"attributes": {}, "prior": -3.0, "rivals": rivals}
        candidate.save()
        with translation.override("en"):
            steps = evidence.read(candidate).settle
        return any("Other reports fit this person too" in step for step in steps)

    assert asks(1.2)  # another report weighs ten times a neutral field
    assert not asks(0.0) and not asks(-0.3)  # the others are neutral, or ruled out
    assert not asks(None)  # scored before the rivals were kept


def test_the_candidate_page_speaks_in_words_and_keeps_the_numbers(client, candidate, tracer):
    client.force_login(tracer)
    page = client.get(f"/tracing/candidates/{candidate.pk}/").content.decode()
    assert "中等支持“是同一人”" in page and "姓名同音（王维 / 王伟）" in page
    assert "80–95%" in page and "1.0000" not in page
    assert "<details" in page and 'id="evidence"' in page  # the figures, one click away
