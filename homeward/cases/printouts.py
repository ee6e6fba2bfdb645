"""The papers a station prints and signs: the registration form (救助登记表) made at intake,
and the hand-over sheet (交接单) signed when the person leaves into someone's care.

Each returns PDF bytes in the reader's language; the views check who may read the stay
and say which sensitive parts (health, a minor's guardian) this reader may see.
"""

from __future__ import annotations

import io

from django.core.files.storage import default_storage
from django.utils import timezone
from django.utils.translation import gettext as _

from homeward.cases.models import CONDITIONS, Exit, Stay
from homeward.common.pdf import new_pdf

# Exits where the person is handed into someone's care, against a signature.
HANDED_OVER = frozenset(
    {
        Exit.Kind.HANDED_TO_FAMILY,
        Exit.Kind.TRANSFERRED,
        Exit.Kind.PLACED,
        Exit.Kind.HOSPITAL,
        Exit.Kind.RETURNED_HOME,
    }
)
PHOTO_W, PHOTO_H = 30, 40  # mm, as an ID photo


def _when(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else "—"


def _or_dash(value) -> str:
    text = str(value).strip() if value is not None else ""
    return text or "—"


def _heading(pdf, station_name: str, title: str, number_line: str) -> None:
    pdf.set_font_size(12)
    pdf.cell(0, 7, station_name, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font_size(18)
    pdf.cell(0, 11, title, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font_size(9)
    pdf.cell(0, 6, number_line, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)


def _photo(pdf, stay: Stay) -> bool:
    """The person's newest photo at the top right; False when there is none to print."""
    photo = stay.person.newest_photo
    if photo is None or not default_storage.exists(photo.image.name):
        return False
    with default_storage.open(photo.image.name, "rb") as handle:
        data = io.BytesIO(handle.read())
    x = pdf.w - pdf.r_margin - PHOTO_W
    pdf.image(data, x=x, y=pdf.get_y(), w=PHOTO_W, h=PHOTO_H, keep_aspect_ratio=True)
    return True


def _pairs(pdf, title: str, pairs: list[tuple[str, object]], *, width: float | None = None):
    pdf.set_font_size(11)
    pdf.cell(0, 7, title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font_size(9.5)
    usable = width or (pdf.w - pdf.l_margin - pdf.r_margin)
    with pdf.table(
        width=usable,
        align="LEFT",
        col_widths=(30, usable - 30),
        first_row_as_headings=False,
        line_height=6,
    ) as table:
        for label, value in pairs:
            table.row([label, _or_dash(value)])
    pdf.ln(2)


def _signatures(pdf, labels: list[str]) -> None:
    pdf.ln(4)
    pdf.set_font_size(10)
    column = (pdf.w - pdf.l_margin - pdf.r_margin) / len(labels)
    for label in labels:
        pdf.cell(column, 7, label + _(" (signature):"))
    pdf.ln(14)
    for _label in labels:
        pdf.cell(column, 7, _("Date:") + " ____________")
    pdf.ln(8)


def _person_pairs(stay: Stay) -> list[tuple[str, object]]:
    person = stay.person
    born = person.birth_date.isoformat() if person.birth_date else stay.age_now
    return [
        (_("Name"), f"{person} ({person.get_name_source_display()})"),
        (_("Sex"), person.get_sex_display()),
        (_("Birth date or age"), born),
        (_("ID number"), person.id_number),
        (_("Ethnicity"), person.ethnicity),
        (
            _("Language or dialect"),
            " ".join(filter(None, [person.language, str(person.dialect_division or "")])),
        ),
        (_("Home (household registration)"), person.home_division),
        (_("Height (cm)"), person.height_cm),
        (_("Marks"), "、".join(person.marks_in_words)),
        (_("Conditions"), "、".join(str(CONDITIONS.get(c, c)) for c in person.conditions)),
    ]


def registration_form(stay: Stay, *, sees_health: bool, sees_minor: bool) -> bytes:
    """救助登记表: who the person is, how they came, what they brought, and signatures."""
    pdf = new_pdf(_("Registration form"))
    _heading(
        pdf,
        stay.station.name,
        _("Registration form"),
        _("No. %(number)s · registered %(when)s")
        % {"number": stay.number, "when": _when(stay.admitted_at)},
    )
    top = pdf.get_y()
    has_photo = _photo(pdf, stay)
    narrow = pdf.w - pdf.l_margin - pdf.r_margin - (PHOTO_W + 4 if has_photo else 0)
    _pairs(pdf, _("The person"), _person_pairs(stay), width=narrow)
    pdf.set_y(max(pdf.get_y(), top + PHOTO_H + 2))
    found = " ".join(filter(None, [str(stay.found_division or ""), stay.found_address]))
    came = [
        (_("Brought by"), stay.get_brought_by_display()),
        (_("Referring unit"), stay.referring_unit),
        (_("Found"), f"{_when(stay.found_at)} {found}".strip()),
    ]
    if sees_health:
        came.append((_("Health on arrival"), stay.health_on_arrival))
    _pairs(pdf, _("How they came"), came)
    if stay.is_minor and sees_minor:
        guardian = [
            (_("Guardian"), f"{stay.guardian_name} {stay.guardian_relation}".strip()),
            (_("Guardian's phone"), stay.guardian_phone),
        ]
        _pairs(pdf, _("A minor"), guardian)
    items = [(b.description, f"× {b.quantity}") for b in stay.belongings.all()]
    _pairs(pdf, _("Belongings kept by the station"), items or [(_("None"), "")])
    _signatures(pdf, [_("The person or their fingerprint"), _("Registered by")])
    return bytes(pdf.output())


def _receiving(exit_: Exit) -> list[tuple[str, object]]:
    kind = exit_.kind
    if kind == Exit.Kind.HANDED_TO_FAMILY:
        return [
            (_("Collected by"), f"{exit_.collector_name} ({exit_.collector_relation})"),
            (_("Collector's ID number"), exit_.collector_id_number),
            (_("Identity document checked"), _("yes") if exit_.identity_checked else _("no")),
            (_("Kinship confirmed by"), exit_.get_kinship_evidence_display()),
        ]
    if kind == Exit.Kind.TRANSFERRED:
        return [(_("To"), exit_.to_station or exit_.to_institution)]
    if kind == Exit.Kind.PLACED:
        return [(_("To"), exit_.to_institution)]
    if kind == Exit.Kind.HOSPITAL:
        return [(_("Hospital"), exit_.hospital)]
    return [
        (_("Destination"), exit_.destination_division),
        (_("Ticket"), exit_.ticket),
        (_("Escort"), exit_.escort_name if exit_.escorted else _("not escorted")),
    ]


def handover_sheet(stay: Stay) -> bytes:
    """交接单: the person handed into someone's care, what they take back, both signatures."""
    exit_ = stay.exit
    pdf = new_pdf(_("Hand-over sheet"))
    _heading(
        pdf,
        stay.station.name,
        _("Hand-over sheet"),
        _("No. %(number)s · %(kind)s %(when)s")
        % {"number": stay.number, "kind": exit_.get_kind_display(), "when": _when(exit_.at)},
    )
    top = pdf.get_y()
    has_photo = _photo(pdf, stay)
    narrow = pdf.w - pdf.l_margin - pdf.r_margin - (PHOTO_W + 4 if has_photo else 0)
    person = _person_pairs(stay)[:4] + [(_("In the station since"), _when(stay.admitted_at))]
    _pairs(pdf, _("The person"), person, width=narrow)
    pdf.set_y(max(pdf.get_y(), top + PHOTO_H + 2))
    _pairs(pdf, _("Handed over to"), _receiving(exit_) + [(_("Note"), exit_.note)])
    items = [
        (b.description, f"× {b.quantity} · " + (_("returned") if b.returned_at else _("kept")))
        for b in stay.belongings.all()
    ]
    _pairs(pdf, _("Belongings"), items or [(_("None"), "")])
    _signatures(pdf, [_("Handed over by (station)"), _("Received by")])
    return bytes(pdf.output())
