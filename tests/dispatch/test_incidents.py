"""Incidents: triage, duplicates, the nearest team, timeline, response targets, outcomes."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from homeward.accounts.models import AuditEvent
from homeward.dispatch import selectors, services
from homeward.dispatch.models import Incident, IntakeDraft, Notification, SupplyHandout, Team
from homeward.dispatch.routing import GreatCircleRouter
from tests.dispatch.conftest import FAR, NEAR, SPOT, open_incident

pytestmark = pytest.mark.django_db


def test_each_risk_raises_urgency_a_step():
    plain = {"minor": False, "elderly": False, "ill": False, "extreme_weather": False}
    assert services.triage(urgency="normal", **plain) == "normal"
    assert services.triage(urgency="low", **plain) == "low"
    assert services.triage(urgency="low", **{**plain, "minor": True}) == "high"
    assert (
        services.triage(urgency="normal", **{**plain, "elderly": True, "ill": True}) == "critical"
    )
    assert services.triage(urgency="critical", **plain) == "critical"


def test_a_hotline_report_is_recorded_with_its_timeline_and_an_audit_row(suzhou, dispatcher):
    incident = open_incident(suzhou, dispatcher, elderly=True)
    assert incident.status == "received"
    assert incident.urgency == "high"
    assert incident.division_id == "320508"  # parsed from the address
    assert [e.kind for e in incident.events.all()] == ["received"]
    assert incident.events.get().by == dispatcher
    assert AuditEvent.objects.filter(
        object_type="dispatch.incident", object_id=str(incident.pk), action="create"
    ).exists()


def test_a_report_without_any_place_is_refused_naming_the_field(suzhou, dispatcher):
    with pytest.raises(ValidationError) as err:
        open_incident(suzhou, dispatcher, point=None, address="")
    assert "address" in err.value.message_dict
    assert not Incident.objects.exists()


def test_a_dispatcher_of_another_station_cannot_open_a_hotline_report(suzhou, hangzhou_head):
    with pytest.raises(PermissionDenied):
        open_incident(suzhou, hangzhou_head)


def test_the_nearest_available_team_is_proposed(suzhou, dispatcher, teams):
    near, far = teams
    incident = open_incident(suzhou, dispatcher)
    ranked = selectors.teams_by_distance(incident)
    assert [t for t, _c in ranked] == [near, far]
    assert ranked[0][1] == pytest.approx(0.72, abs=0.05)
    assert selectors.team_proposed(incident) == near


def test_a_team_that_reported_its_position_is_measured_from_there(suzhou, dispatcher, teams):
    near, far = teams
    services.team_position_update(team=far, position=services.Position(*SPOT), by=dispatcher)
    incident = open_incident(suzhou, dispatcher)
    assert selectors.team_proposed(incident) == far


def test_a_busy_team_is_not_proposed(suzhou, dispatcher, teams):
    near, far = teams
    first = open_incident(suzhou, dispatcher)
    services.incident_dispatch(incident=first, team=near, by=dispatcher)
    # Right at the near team's base (0.7 km from the first, so not merged with it).
    second = open_incident(suzhou, dispatcher, point=NEAR)
    assert second.merged_into is None
    assert [t for t, _c in selectors.teams_by_distance(second)] == [far]
    assert selectors.team_proposed(second) == far
    services.incident_resolve(incident=first, outcome="not_found", note="", by=dispatcher)
    assert selectors.team_proposed(second) == near


def test_a_routing_service_can_replace_great_circle_distance(settings, suzhou, dispatcher, teams):
    settings.DISPATCH_ROUTER = "tests.dispatch.test_incidents.ReversedRouter"
    incident = open_incident(suzhou, dispatcher)
    assert selectors.team_proposed(incident) == teams[1]


class ReversedRouter(GreatCircleRouter):
    def costs(self, origin, destinations):
        return [-c for c in super().costs(origin, destinations)]


def test_dispatch_on_scene_and_resolve_fill_the_timeline(suzhou, dispatcher, teams, street):
    near, _far = teams
    incident = open_incident(suzhou, dispatcher)
    services.incident_dispatch(incident=incident, team=near, by=dispatcher)
    near.refresh_from_db()
    assert near.status == Team.Status.BUSY
    services.incident_on_scene(incident=incident, by=street)  # a team member, from the phone
    services.incident_resolve(incident=incident, outcome="hospital", note="送至市立医院", by=street)
    incident.refresh_from_db()
    near.refresh_from_db()
    assert incident.status == "resolved" and incident.outcome == "hospital"
    assert incident.dispatched_at <= incident.on_scene_at <= incident.resolved_at
    assert near.status == Team.Status.AVAILABLE
    events = list(incident.events.values_list("kind", "by__username"))
    assert events == [
        ("received", "sz.dispatcher"),
        ("dispatched", "sz.dispatcher"),
        ("on_scene", "sz.street"),
        ("resolved", "sz.street"),
    ]


def test_a_street_member_of_another_team_cannot_report_progress(suzhou, dispatcher, teams, street):
    _near, far = teams
    incident = open_incident(suzhou, dispatcher)
    services.incident_dispatch(incident=incident, team=far, by=dispatcher)
    with pytest.raises(PermissionDenied):
        services.incident_on_scene(incident=incident, by=street)


def test_a_dispatcher_can_send_another_team_and_the_first_is_freed(suzhou, dispatcher, teams):
    near, far = teams
    incident = open_incident(suzhou, dispatcher)
    services.incident_dispatch(incident=incident, team=near, by=dispatcher)
    services.incident_dispatch(incident=incident, team=far, by=dispatcher)
    near.refresh_from_db()
    assert near.status == "available"
    assert Incident.objects.get().team == far


@pytest.mark.parametrize(
    ("urgency", "minutes"), [("critical", 15), ("high", 30), ("normal", 60), ("low", 120)]
)
def test_each_urgency_has_its_response_target_and_is_overdue_past_it(
    suzhou, dispatcher, teams, urgency, minutes
):
    incident = open_incident(suzhou, dispatcher, urgency=urgency)
    assert incident.urgency == urgency
    assert incident.due_at == incident.received_at + timedelta(minutes=minutes)
    just_before = incident.received_at + timedelta(minutes=minutes - 1)
    just_after = incident.received_at + timedelta(minutes=minutes + 1)
    assert not incident.is_overdue(just_before)
    assert incident.is_overdue(just_after)
    board = selectors.board(dispatcher, now=just_after)
    assert board.overdue == 1 and board.received[0].overdue
    assert selectors.board(dispatcher, now=just_before).overdue == 0
    overdue = {
        i["id"]: i["overdue"] for i in selectors.map_features(dispatcher, just_after)["incidents"]
    }
    assert overdue == {incident.pk: True}
    services.incident_dispatch(incident=incident, team=teams[0], by=dispatcher)
    assert incident.is_overdue(just_after)  # dispatched is not yet there
    services.incident_on_scene(incident=incident, by=dispatcher)
    assert not incident.is_overdue(just_after)


def test_a_raised_urgency_works_to_the_shorter_target(suzhou, dispatcher):
    incident = open_incident(suzhou, dispatcher, urgency="low", minor=True)
    assert incident.urgency == "high"
    assert incident.due_at == incident.received_at + timedelta(minutes=30)


def test_a_deployment_can_set_its_own_targets(settings, suzhou, dispatcher):
    settings.DISPATCH_RESPONSE_MINUTES = {"normal": 45}
    incident = open_incident(suzhou, dispatcher)
    assert incident.due_at == incident.received_at + timedelta(minutes=45)
    assert incident.is_overdue(incident.received_at + timedelta(minutes=46))


def test_a_resolved_incident_is_never_overdue(suzhou, dispatcher):
    incident = open_incident(suzhou, dispatcher, urgency="critical")
    services.incident_resolve(incident=incident, outcome="not_found", note="", by=dispatcher)
    assert not incident.is_overdue(incident.received_at + timedelta(days=1))


def test_the_board_counts_overdue_reports(suzhou, dispatcher):
    old = open_incident(suzhou, dispatcher)
    Incident.objects.filter(pk=old.pk).update(received_at=timezone.now() - timedelta(hours=2))
    open_incident(suzhou, dispatcher, point=FAR, address="")
    board = selectors.board(dispatcher)
    assert board.overdue == 1
    assert [i.overdue for i in board.received] == [True, False]


def test_a_second_report_nearby_within_hours_is_merged_into_the_first(suzhou, dispatcher):
    first = open_incident(suzhou, dispatcher, reporter_phone="13800000000")
    second = open_incident(
        suzhou,
        dispatcher,
        point=(SPOT[0] + 0.001, SPOT[1]),
        minor=True,
        reporter_phone="13900000000",
    )
    first.refresh_from_db()
    assert second.status == "merged" and second.merged_into == first
    assert first.minor and first.urgency == "high"  # the first takes the higher risk
    assert [e.kind for e in first.events.all()] == ["received", "escalated", "merged"]


def test_reports_far_apart_or_hours_apart_are_not_merged(suzhou, dispatcher):
    first = open_incident(suzhou, dispatcher)
    Incident.objects.filter(pk=first.pk).update(received_at=timezone.now() - timedelta(hours=4))
    late = open_incident(suzhou, dispatcher)
    far = open_incident(suzhou, dispatcher, point=FAR)
    assert late.merged_into is None and far.merged_into is None


def test_brought_to_station_leaves_an_intake_draft_with_the_teams_notes(suzhou, dispatcher, teams):
    incident = open_incident(suzhou, dispatcher)
    services.incident_dispatch(incident=incident, team=teams[0], by=dispatcher)
    services.incident_on_scene(incident=incident, by=dispatcher)
    with pytest.raises(ValidationError) as err:
        services.incident_resolve(
            incident=incident, outcome="brought_to_station", note="", by=dispatcher
        )
    assert "note" in err.value.message_dict
    services.incident_resolve(
        incident=incident, outcome="brought_to_station", note="男，约70岁，说苏州话", by=dispatcher
    )
    draft = IntakeDraft.objects.get()
    assert draft.station == suzhou and draft.team == teams[0]
    assert draft.notes == "男，约70岁，说苏州话"
    assert draft.found_division_id == "320508"


def test_refused_help_logs_the_supplies_and_texts_the_caller(suzhou, dispatcher):
    incident = open_incident(suzhou, dispatcher, reporter_phone="13800000000")
    services.incident_resolve(
        incident=incident,
        outcome="refused_help",
        note="不愿随行",
        supplies=[("food", 2), ("quilt", 1)],
        by=dispatcher,
    )
    assert sorted(SupplyHandout.objects.values_list("kind", "quantity")) == [
        ("food", 2),
        ("quilt", 1),
    ]
    note = Notification.objects.get()
    assert note.channel == "sms" and note.recipient == "13800000000"
    assert note.payload["outcome"] == "refused_help"


def test_a_joint_action_records_each_department(suzhou, dispatcher):
    incident = open_incident(suzhou, dispatcher)
    services.party_add(incident=incident, department="police", unit="平江派出所", by=dispatcher)
    services.party_add(incident=incident, department="health", unit="120急救站", by=dispatcher)
    assert list(incident.parties.values_list("department", flat=True)) == ["police", "health"]
    assert incident.events.filter(kind="party").count() == 2
