from homeward.cases.models.care import CareNote, Incident, OutsourcedCare, Settlement
from homeward.cases.models.people import Person, PersonMerge, PersonPhoto
from homeward.cases.models.stays import MINOR_AGE, STAY_FLAGS, BedAssignment, Belonging, Exit, Stay
from homeward.cases.models.vocabulary import CONDITIONS, MARK_PLACES, MARK_TYPES, Sex

__all__ = [
    "CONDITIONS",
    "MARK_PLACES",
    "MARK_TYPES",
    "MINOR_AGE",
    "STAY_FLAGS",
    "BedAssignment",
    "Belonging",
    "CareNote",
    "Exit",
    "Incident",
    "OutsourcedCare",
    "Person",
    "PersonMerge",
    "PersonPhoto",
    "Settlement",
    "Sex",
    "Stay",
]
