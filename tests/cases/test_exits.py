"""Every way a stay ends, each with its rules; the bed is freed and belongings returned."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from homeward.cases import selectors
from homeward.cases.models import Exit, Settlement, Stay
from homeward.cases.services import (
    ExitData,
    bed_assign,
    settlement_update,
    stay_exit,
    transfer_receive,
)
from homeward.regions.models import Division
from homeward.stations.models import Bed
from tests.cases.conftest import admit


@pytest.fixture
def stay(suzhou, desk):
    stay = admit(suzhou, desk, belongings=[("手机", 1)])
    bed_assign(
        stay=stay, bed=Bed.objects.get(room__station=suzhou, room__name="101", label="1"), by=desk
    )
    return stay


def end(stay, by, **fields) -> Exit:
    return stay_exit(stay=stay, data=ExitData(**fields), by=by)


def test_returning_home_frees_the_bed_and_gives_back_belongings(stay, desk):
    exit_ = end(
        stay,
        desk,
        kind="returned_home",
        destination_division=Division.objects.get(code="410102"),
        ticket="G1234 苏州-郑州",
        travel_cost_yuan=Decimal("312.50"),
    )
    stay.refresh_from_db()
    assert stay.status == Stay.Status.EXITED and stay.exited_at == exit_.at
    assert Bed.objects.get(room__station=stay.station, room__name="101", label="1").state == "free"
    assert all(b.returned_at is not None for b in stay.belongings.all())
    assert selectors.current_bed(stay) is None


@pytest.mark.parametrize(
    "fields,field",
    [
        ({"kind": "returned_home"}, "destination_division"),
        (
            {"kind": "handed_to_family", "collector_name": "李红", "collector_relation": "女儿"},
            "identity_checked",
        ),
        (
            {"kind": "handed_to_family", "collector_relation": "女儿", "identity_checked": True},
            "collector_name",
        ),
        (
            {
                "kind": "handed_to_family",
                "collector_name": "李红",
                "collector_relation": "女儿",
                "identity_checked": True,
                "collector_id_number": "123",
            },
            "collector_id_number",
        ),
        ({"kind": "transferred"}, "to_station"),
        ({"kind": "placed"}, "to_institution"),
        ({"kind": "hospital"}, "hospital"),
        ({"kind": "died"}, "authority_informed"),
        ({"kind": "vanished"}, "kind"),
    ],
)
def test_each_exit_kind_requires_its_own_fields(stay, desk, fields, field):
    with pytest.raises(ValidationError) as err:
        end(stay, desk, **fields)
    assert field in err.value.message_dict
    stay.refresh_from_db()
    assert stay.status == Stay.Status.IN_STATION  # nothing changed
    assert not Exit.objects.exists()
    assert (
        Bed.objects.get(room__station=stay.station, room__name="101", label="1").state == "occupied"
    )


@pytest.mark.parametrize(
    "fields",
    [
        {
            "kind": "handed_to_family",
            "collector_name": "李红",
            "collector_relation": "女儿",
            "identity_checked": True,
            "collector_id_number": "320508198503121234",
        },
        {"kind": "placed", "to_institution": "苏州市社会福利院"},
        {"kind": "hospital", "hospital": "苏州市第一人民医院"},
        {"kind": "left", "note": "本人要求离站"},
        {"kind": "died", "authority_informed": "姑苏公安分局"},
    ],
)
def test_each_exit_kind_ends_the_stay_when_complete(stay, desk, fields):
    exit_ = end(stay, desk, **fields)
    assert exit_.kind == fields["kind"]
    stay.refresh_from_db()
    assert stay.status == Stay.Status.EXITED


def test_a_stay_ends_only_once(stay, desk):
    end(stay, desk, kind="left")
    with pytest.raises(ValidationError):
        end(stay, desk, kind="left")


def test_a_minor_cannot_leave_alone_and_goes_home_only_escorted(suzhou, desk):
    child = admit(suzhou, desk, name="小明", age_estimate_min=9, age_estimate_max=11)
    with pytest.raises(ValidationError) as err:
        end(child, desk, kind="left")
    assert "kind" in err.value.message_dict
    home = Division.objects.get(code="410102")
    with pytest.raises(ValidationError) as err:
        end(child, desk, kind="returned_home", destination_division=home)
    assert "escorted" in err.value.message_dict
    with pytest.raises(ValidationError) as err:
        end(
            child,
            desk,
            kind="handed_to_family",
            collector_name="王芳",
            collector_relation="母亲",
            identity_checked=True,
        )
    assert "collector_id_number" in err.value.message_dict
    end(
        child,
        desk,
        kind="returned_home",
        destination_division=home,
        escorted=True,
        escort_name="陈社工",
    )


def test_a_transfer_shows_up_at_the_receiving_station_which_takes_the_person_in(
    stay, desk, hangzhou, hangzhou_desk
):
    end(stay, desk, kind="transferred", to_station=hangzhou)
    assert [e.stay_id for e in selectors.incoming_transfers(hangzhou_desk)] == [stay.pk]
    assert stay.person in selectors.people_visible(hangzhou_desk)
    assert not selectors.incoming_transfers(desk).exists()
    new = transfer_receive(exit_=stay.exit, by=hangzhou_desk)
    assert (new.station, new.person_id, new.brought_by) == (hangzhou, stay.person_id, "transfer")
    assert new.transferred_from_id == stay.pk
    assert not selectors.incoming_transfers(hangzhou_desk).exists()
    with pytest.raises(ValidationError):
        transfer_receive(exit_=stay.exit, by=hangzhou_desk)


def test_placement_opens_settlement_and_registration_comes_after_placement(stay, desk):
    end(stay, desk, kind="placed", to_institution="苏州市社会福利院")
    settlement = Settlement.objects.get(person=stay.person)
    assert settlement.institution == "苏州市社会福利院" and settlement.placed_on is not None
    with pytest.raises(ValidationError) as err:
        settlement_update(
            stay=stay,
            by=desk,
            hukou_registered_on=settlement.placed_on.replace(year=2000),
        )
    assert "hukou_registered_on" in err.value.message_dict
    settlement_update(
        stay=stay,
        by=desk,
        hukou_registered_on=settlement.placed_on,
        dibao_on=settlement.placed_on,
    )
    assert Settlement.objects.get(pk=settlement.pk).hukou_registered_on == settlement.placed_on


@pytest.mark.parametrize("who", ["minor", "dementia"])
def test_a_person_who_cannot_speak_for_themselves_is_handed_over_only_on_proof(suzhou, desk, who):
    fields = (
        {"name": "小明", "age_estimate_min": 9, "age_estimate_max": 11}
        if who == "minor"
        else {
            "name": "老王",
            "conditions": ["dementia"],
            "age_estimate_min": 75,
            "age_estimate_max": 85,
        }
    )
    stay = admit(suzhou, desk, **fields)
    handover = {
        "kind": "handed_to_family",
        "collector_name": "王芳",
        "collector_relation": "女儿",
        "identity_checked": True,
        "collector_id_number": "320508198503121234",
    }
    with pytest.raises(ValidationError) as err:
        end(stay, desk, **handover)
    assert "kinship_evidence" in err.value.message_dict
    end(stay, desk, **handover, kinship_evidence="police")
    stay.refresh_from_db()
    assert stay.exit.kinship_evidence == "police"


EXIT_FIELDS = {
    "returned_home": {"destination_division_code": "410102"},
    "handed_to_family": {
        "collector_name": "李红",
        "collector_relation": "女儿",
        "identity_checked": True,
    },
    "transferred": {"to_institution": "市儿童福利院"},
    "placed": {"to_institution": "苏州市社会福利院"},
    "hospital": {"hospital": "苏州市第一人民医院"},
    "left": {},
    "died": {"authority_informed": "姑苏公安分局"},
}


@pytest.mark.parametrize("kind", sorted(EXIT_FIELDS))
def test_every_exit_frees_the_bed_returns_belongings_and_is_audited(stay, desk, kind):
    from homeward.accounts.models import AuditEvent

    fields = dict(EXIT_FIELDS[kind])
    code = fields.pop("destination_division_code", None)
    if code:
        fields["destination_division"] = Division.objects.get(code=code)
    end(stay, desk, kind=kind, **fields)
    assert Bed.objects.get(room__station=stay.station, room__name="101", label="1").state == "free"
    assert all(b.returned_at is not None for b in stay.belongings.all())
    row = (
        AuditEvent.objects.filter(object_type="cases.stay", object_id=str(stay.pk), action="update")
        .order_by("id")
        .last()
    )
    assert row.detail == {"exit": kind} and row.actor == desk
