"""The demo data `make run` loads."""

from __future__ import annotations

import pytest

from homeward.accounts.models import Role, User
from homeward.stations.models import Bed, Station
from homeward.tracing.models import MissingReport
from homeward.web.demo import DEMO_PASSWORD, demo_load

pytestmark = pytest.mark.django_db


def test_demo_data_covers_every_role_and_five_provinces():
    demo_load()
    assert set(User.objects.values_list("role", flat=True)) == set(Role.values)
    provinces = {code[:2] for code in Station.objects.values_list("division_id", flat=True)}
    assert provinces == {"32", "33", "13", "37", "44"}
    assert Bed.objects.count() > 0
    assert User.objects.get(username="suzhou.head").check_password(DEMO_PASSWORD)


def test_demo_people_cover_minors_long_stays_and_every_exit_kind():
    from homeward.cases.models import Exit, Stay

    demo_load()
    assert Stay.objects.count() >= 60
    assert Stay.objects.filter(is_minor=True).exists()
    assert set(Exit.objects.values_list("kind", flat=True)) == set(Exit.Kind.values)
    in_station = Stay.objects.filter(status="in_station")
    assert any(s.days_in_station() >= 90 for s in in_station)


def test_the_demo_family_has_a_number_and_a_report_to_follow(client, settings, tmp_path):
    settings.SMS_OUTBOX = str(tmp_path / "sms.jsonl")
    demo_load()
    family = User.objects.get(username="family.demo")
    assert family.phone and family.phone_verified  # its codes have somewhere to go
    client.force_login(family)
    page = client.get("/p/me/").content.decode()
    assert "王秀英" in page
    report = MissingReport.objects.get(filed_by=family)
    detail = client.get(f"/p/me/{report.public_id}/").content.decode()
    assert "红色毛线帽" in detail


def test_loading_the_demo_twice_adds_nothing():
    demo_load()
    counts = (Station.objects.count(), User.objects.count(), Bed.objects.count())
    assert demo_load() == {"stations": 0, "users": 0, "stays": 0}
    assert (Station.objects.count(), User.objects.count(), Bed.objects.count()) == counts


def test_with_the_demo_faces_a_candidate_has_photos_on_both_sides(settings, client):
    """`make run` fetches the demo faces; a tracing officer then sees two faces side by side
    on a candidate the faces support, and a person whose photo is of another man."""
    from pathlib import Path

    from homeward.tracing.models import Candidate

    faces = Path(__file__).resolve().parents[1] / "matching" / "face" / ".cache"
    settings.DEMO_FACES = faces
    demo_load()
    both = [
        c
        for c in Candidate.objects.filter(status="open")
        if c.person.photos.exists() and c.report.photos.exists()
    ]
    assert both and max(c.log10_face for c in both) > 1
    best = max(both, key=lambda c: c.log10_face)
    assert best.person.photos.count() == 2
    officer = User.objects.filter(role=Role.TRACING_OFFICER, station=best.station_id).first()
    client.force_login(officer)
    page = client.get(f"/tracing/candidates/{best.pk}/").content.decode()
    assert (
        page.count("/cases/people/") >= 2 and f"/tracing/reports/{best.report_id}/photos/" in page
    )
