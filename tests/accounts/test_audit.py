"""The audit trail: append-only, browsable by those who may, scoped like everything else."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, transaction

from homeward.accounts.audit import audit_record
from homeward.accounts.models import AuditEvent


@pytest.fixture
def event(suzhou, suzhou_caseworker) -> AuditEvent:
    return audit_record(actor=suzhou_caseworker, action="view", obj=suzhou)


def test_an_audit_event_cannot_be_changed_or_deleted_through_the_app(event):
    event.object_label = "tampered"
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
    assert AuditEvent.objects.get(pk=event.pk).object_label == "苏州测试站"


def test_the_database_refuses_to_update_an_audit_event(event):
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(object_label="tampered")
    assert AuditEvent.objects.get(pk=event.pk).object_label == "苏州测试站"


def test_the_audit_admin_is_read_only(admin_client, event):
    page = admin_client.get(f"/admin/accounts/auditevent/{event.pk}/change/")
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    assert (
        admin_client.post(
            f"/admin/accounts/auditevent/{event.pk}/delete/", {"post": "yes"}
        ).status_code
        == 403
    )
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_a_supervisor_browses_and_filters_the_trail_of_their_province(
    client, suzhou, hangzhou, suzhou_caseworker, hangzhou_head, jiangsu_supervisor
):
    audit_record(actor=suzhou_caseworker, action="view", obj=suzhou)
    audit_record(actor=hangzhou_head, action="view", obj=hangzhou)
    client.force_login(jiangsu_supervisor)
    page = client.get("/audit/", {"actor": "sz.caseworker", "action": "view"}).content.decode()
    assert "sz.caseworker" in page and "苏州测试站" in page
    assert "hz.head" not in page and "杭州测试站" not in page


def test_staff_without_the_audit_permission_cannot_browse_it(client, suzhou_caseworker):
    client.force_login(suzhou_caseworker)
    assert client.get("/audit/").status_code == 403


def test_a_bad_date_range_names_the_field(client, jiangsu_supervisor):
    client.force_login(jiangsu_supervisor)
    page = client.get("/audit/", {"since": "2026-05-02", "until": "2026-05-01"})
    assert page.status_code == 200
    assert page.context["form"].errors["until"]


def test_the_audit_page_names_record_types_and_people_in_words(client, suzhou):
    from homeward.accounts.audit import audit_record
    from homeward.accounts.models import Role
    from tests.conftest import make_user

    head = make_user("sz.head", Role.STATION_HEAD, station=suzhou)
    head.display_name = "王站长"
    head.save()
    audit_record(actor=head, action="view", obj=suzhou)
    client.force_login(head)
    page = client.get("/audit/", {"object_type": "stations.station"}).content.decode()
    assert "王站长" in page and "救助站" in page
    assert '<option value="cases.person">' in page  # record types to choose from
    assert "<td>stations.station</td>" not in page
