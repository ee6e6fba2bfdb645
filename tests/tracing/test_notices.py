"""Notices: 24 hours after intake, refreshed at 30 days, withdrawn at exit, nothing sensitive."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from homeward.cases.services import ExitData, stay_exit
from homeward.tracing.models import Notice
from homeward.tracing.selectors import public_notices
from homeward.tracing.services import notices_sync
from tests.cases.conftest import admit


@pytest.fixture
def unknown(suzhou, desk):
    return admit(
        suzhou,
        desk,
        name="",
        name_source="unknown",
        health_on_arrival="双下肢水肿",
        marks=["scar:face"],
    )


def test_a_notice_appears_24_hours_after_intake_and_not_before(unknown):
    admitted = unknown.admitted_at
    assert notices_sync(now=admitted + timedelta(hours=1)).created == 1
    assert not public_notices().exists()
    notices_sync(now=admitted + timedelta(hours=23, minutes=59))
    assert Notice.objects.get().published_at is None
    assert notices_sync(now=admitted + timedelta(hours=24)).published == 1
    assert Notice.objects.get().published_at == admitted + timedelta(hours=24)


def test_a_person_identified_by_a_document_gets_no_notice(suzhou, desk):
    admit(
        suzhou,
        desk,
        id_number="320508198503121234",
        sex="U",
        age_estimate_min=None,
        age_estimate_max=None,
    )
    assert notices_sync().created == 0


def test_a_notice_is_refreshed_every_30_days(unknown):
    start = unknown.admitted_at
    notices_sync(now=start + timedelta(days=1))
    assert notices_sync(now=start + timedelta(days=30)).refreshed == 0
    assert notices_sync(now=start + timedelta(days=31, hours=1)).refreshed == 1
    assert notices_sync(now=start + timedelta(days=40)).refreshed == 0
    assert notices_sync(now=start + timedelta(days=62)).refreshed == 1


def test_a_notice_is_withdrawn_when_the_stay_ends(unknown, desk):
    notices_sync(now=unknown.admitted_at + timedelta(days=2))
    stay_exit(stay=unknown, data=ExitData(kind="left"), by=desk)
    assert not public_notices().exists()  # at once, before the job runs
    assert notices_sync().withdrawn == 1
    assert Notice.objects.get().withdrawn_at is not None


def test_public_pages_show_no_sensitive_field(client, suzhou, desk):
    stay = admit(
        suzhou,
        desk,
        name="小强",
        age_estimate_min=30,
        age_estimate_max=40,
        health_on_arrival="乙肝携带",
        guardian_phone="13812345678",
    )
    stay.admitted_at = timezone.now() - timedelta(days=2)
    stay.save()
    notices_sync()
    notice = Notice.objects.get()
    pages = [
        client.get("/p/").content.decode(),
        client.get(f"/p/notices/{notice.public_id}/").content.decode(),
    ]
    for page in pages:
        assert "小强" in page
        assert "乙肝" not in page and "13812345678" not in page and stay.number not in page
    assert client.get(f"/p/notices/{notice.public_id}/").status_code == 200


def test_a_tip_reaches_the_station_and_bots_are_turned_away(client, unknown):
    from django.core import signing

    unknown.admitted_at = timezone.now() - timedelta(days=2)
    unknown.save()
    notices_sync()
    notice = Notice.objects.get()
    url = f"/p/notices/{notice.public_id}/"
    fresh = signing.dumps(timezone.now().timestamp(), salt="portal-form")
    response = client.post(
        url, {"message": "像是我们村的人", "contact": "13600000000", "started": fresh}
    )
    assert response.status_code == 200 and not notice.tips.exists()  # too fast to be a person
    old = signing.dumps(timezone.now().timestamp() - 60, salt="portal-form")
    client.post(
        url,
        {
            "message": "像是我们村的人",
            "contact": "13600000000",
            "started": old,
            "website": "http://spam",
        },
    )
    assert not notice.tips.exists()  # the hidden field was filled
    client.post(url, {"message": "像是我们村的人", "contact": "13600000000", "started": old})
    assert notice.tips.get().contact == "13600000000"
