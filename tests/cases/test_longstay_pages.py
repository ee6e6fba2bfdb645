"""The long-stay pages: placement then registration, and outsourced care, from the stay page."""

from __future__ import annotations

import re
from datetime import date

from homeward.cases.models import OutsourcedCare, Settlement
from tests.cases.conftest import admit


def test_registration_before_placement_is_refused_on_the_form(client, suzhou, desk):
    stay = admit(suzhou, desk)
    client.force_login(desk)
    page = client.post(f"/cases/stays/{stay.pk}/settlement/", {"hukou_registered_on": "2026-01-05"})
    assert 'data-error-for="hukou_registered_on"' in page.content.decode()
    assert not Settlement.objects.exists()  # refused: nothing saved
    client.post(
        f"/cases/stays/{stay.pk}/settlement/",
        {
            "institution": "苏州市社会福利院",
            "placed_on": "2026-01-02",
            "hukou_registered_on": "2026-01-05",
        },
    )
    record = Settlement.objects.get()
    assert (record.placed_on, record.hukou_registered_on) == (date(2026, 1, 2), date(2026, 1, 5))


def test_reading_the_page_makes_nothing_and_the_next_station_carries_on(
    client, suzhou, hangzhou, desk
):
    from homeward.accounts.models import Role
    from homeward.cases.services import ExitData, stay_exit, transfer_receive
    from tests.conftest import make_user

    stay = admit(suzhou, desk)
    client.force_login(desk)
    assert client.get(f"/cases/stays/{stay.pk}/settlement/").status_code == 200
    assert not Settlement.objects.exists()  # a read writes nothing
    client.post(
        f"/cases/stays/{stay.pk}/settlement/",
        {"institution": "苏州市社会福利院", "placed_on": "2026-01-02"},
    )
    assert Settlement.objects.get().station == suzhou
    stay_exit(stay=stay, by=desk, data=ExitData(kind="transferred", to_station=hangzhou))
    hangzhou_desk = make_user("hz.desk", Role.INTAKE, station=hangzhou)
    later = transfer_receive(exit_=stay.exit, by=hangzhou_desk)
    client.force_login(hangzhou_desk)
    page = client.get(f"/cases/stays/{later.pk}/settlement/")
    assert page.status_code == 200 and "苏州市社会福利院" in page.content.decode()
    response = client.post(
        f"/cases/stays/{later.pk}/settlement/",
        {"institution": "杭州市社会福利院", "placed_on": "2026-02-01"},
    )
    assert response.status_code == 302
    record = Settlement.objects.get()
    assert (record.station, record.institution) == (hangzhou, "杭州市社会福利院")


def test_outsourced_care_starts_and_ends(client, suzhou, desk):
    stay = admit(suzhou, desk)
    client.force_login(desk)
    client.post(
        f"/cases/stays/{stay.pk}/outsourced/", {"institution": "阳光护理院", "since": "2026-02-01"}
    )
    assert OutsourcedCare.objects.get().until is None
    bad = client.post(f"/cases/stays/{stay.pk}/outsourced/", {"until": "2026-01-01"})
    assert 'data-error-for="until"' in bad.content.decode()
    client.post(f"/cases/stays/{stay.pk}/outsourced/", {"until": "2026-03-01"})
    assert OutsourcedCare.objects.get().until == date(2026, 3, 1)


def test_another_station_cannot_open_the_long_stay_pages(client, suzhou, desk, hangzhou_desk):
    stay = admit(suzhou, desk)
    client.force_login(hangzhou_desk)
    assert client.get(f"/cases/stays/{stay.pk}/settlement/").status_code == 404
    assert client.get(f"/cases/stays/{stay.pk}/outsourced/").status_code == 404


def test_saved_dates_show_in_the_form_and_survive_a_second_save(client, suzhou, desk):
    stay = admit(suzhou, desk)
    client.force_login(desk)
    url = f"/cases/stays/{stay.pk}/settlement/"
    client.post(url, {"placed_on": "2026-01-02", "hukou_applied_on": "2026-01-20"})
    for language in ("zh-hans", "en"):
        client.cookies["django_language"] = language
        page = client.get(url).content.decode()
        # A date input only shows an ISO value: "2026/01/02" would look empty.
        assert 'value="2026-01-02"' in page and 'value="2026-01-20"' in page
    fields = re.findall(r'name="([a-z_]+)"[^>]*value="([^"]*)"', page)
    client.post(url, {name: value for name, value in fields if name != "csrfmiddlewaretoken"})
    record = Settlement.objects.get()
    assert (record.placed_on, record.hukou_applied_on) == (date(2026, 1, 2), date(2026, 1, 20))
