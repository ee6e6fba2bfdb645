"""Every write of the cases app: views, the API, jobs and imports call these."""

from homeward.cases.services.care import (
    bed_assign,
    care_record,
    child_protection_refer,
    incident_follow_up,
    incident_record,
    outsourced_care_end,
    outsourced_care_start,
)
from homeward.cases.services.correction import (
    PersonCorrection,
    person_correct,
    person_identified,
)
from homeward.cases.services.exits import ExitData, settlement_update, stay_exit, transfer_receive
from homeward.cases.services.intake import IntakeData, intake_admit
from homeward.cases.services.people import person_merge, person_merge_undo
from homeward.cases.services.photos import person_photo_add

__all__ = [
    "ExitData",
    "PersonCorrection",
    "person_correct",
    "person_identified",
    "IntakeData",
    "bed_assign",
    "care_record",
    "child_protection_refer",
    "incident_follow_up",
    "incident_record",
    "intake_admit",
    "outsourced_care_end",
    "outsourced_care_start",
    "person_merge",
    "person_merge_undo",
    "person_photo_add",
    "settlement_update",
    "stay_exit",
    "transfer_receive",
]
