"""The station's bed map: a legend, who is in each bed (a minor's name only for those who may
see minors' details), each occupied bed a link to the stay; names are a read of the records."""

from __future__ import annotations

import re

from homeward.accounts.models import AuditEvent, Role
from homeward.cases.services import bed_assign
from homeward.stations.models import Bed, Room
from homeward.stations.services import room_create
from tests.cases.conftest import admit
from tests.conftest import make_user


def test_the_bed_map_names_the_occupants_and_links_their_stays(
    client, suzhou, suzhou_city_admin, jiangsu_supervisor
):
    room_create(station=suzhou, name="301", kind=Room.Kind.MINORS, beds=1)
    desk = make_user("sz.desk", Role.INTAKE, station=suzhou)
    adult = admit(suzhou, desk, name="周大")
    child = admit(suzhou, desk, name="周小", age_estimate_min=10, age_estimate_max=12)
    bed_assign(stay=adult, bed=Bed.objects.filter(room__name="101").first(), by=desk)
    bed_assign(stay=child, bed=Bed.objects.get(room__name="301"), by=desk)

    client.force_login(desk)
    page = client.get(f"/stations/{suzhou.pk}/").content.decode()
    assert 'id="bed-legend"' in page
    links = re.findall(r'href="/cases/stays/(\d+)/"[^>]*>([^<]+)<', page)
    assert {(int(pk), "周大" in text, "周小" in text) for pk, text in links} == {
        (adult.pk, True, False),
        (child.pk, False, True),
    }
    assert page.count('data-state="free"') == 3  # room 101 has four beds
    assert AuditEvent.objects.filter(object_type="stations.beds", actor=desk).exists()

    # An administrator of the city sees the map with names but not the minor's.
    client.force_login(suzhou_city_admin)
    page = client.get(f"/stations/{suzhou.pk}/").content.decode()
    assert "周大" in page and "周小" not in page and 'href="/cases/stays/' in page
    # A supervisor reads no one's record: beds only.
    client.force_login(jiangsu_supervisor)
    page = client.get(f"/stations/{suzhou.pk}/").content.decode()
    assert "周大" not in page and "周小" not in page and 'data-state="occupied"' in page
