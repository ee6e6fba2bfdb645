"""Forms of the intake desk and the stay page. They only parse; services decide."""

from __future__ import annotations

import functools
import re
from importlib import resources

from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from homeward.cases.models import (
    CONDITIONS,
    MARK_PLACES,
    MARK_TYPES,
    CareNote,
    Exit,
    Incident,
    Person,
    Stay,
)
from homeward.cases.models.vocabulary import Sex
from homeward.common.forms import DayInput, MomentInput, styled
from homeward.common.text import text_problem
from homeward.regions.forms import DivisionField
from homeward.regions.selectors import address_parse
from homeward.stations.models import Station


@functools.cache
def ethnicities() -> list[str]:
    # The 56 recognised ethnic groups (ethnic_groups.txt beside this module).
    text = resources.files("homeward.cases").joinpath("ethnic_groups.txt").read_text("utf-8")
    names = [line.strip() for line in text.splitlines() if line.strip()]
    return names if "汉族" in names else ["汉族", *names]


def _belongings(text: str) -> list[tuple[str, int]]:
    """One item a line: '手机 1', '身份证', '现金 120元' (a trailing number is the quantity)."""
    items = []
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        head, _sep, tail = line.rpartition(" ")
        if head and tail.isdigit():
            items.append((head.strip(), int(tail)))
        else:
            items.append((line, 1))
    return items


class MarksWidget(forms.Widget):
    """The body marks as rows of where (body part), what (kind) and what it looks like;
    the saved marks, then two empty rows (pages.js adds more)."""

    template_name = "cases/widgets/marks.html"
    EMPTY_ROWS = 2

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        rows = [dict(r) for r in (value or []) if isinstance(r, dict)]
        rows += [{"place": "", "kind": "", "detail": ""}] * self.EMPTY_ROWS
        context["widget"].update(
            rows=rows,
            places=[(code, str(label)) for code, label in MARK_PLACES.items()],
            kinds=[(code, str(label)) for code, label in MARK_TYPES.items()],
        )
        return context

    def value_from_datadict(self, data, files, name):
        def listed(key: str) -> list[str]:
            if hasattr(data, "getlist"):
                return data.getlist(key)
            value = data.get(key)  # a plain dict (the API, tests): one value or a list
            return [] if value is None else list(value) if isinstance(value, list) else [value]

        places, kinds = listed(f"{name}_place"), listed(f"{name}_kind")
        details = listed(f"{name}_detail")
        width = max(len(places), len(kinds), len(details))

        def at(values, i):
            return values[i] if i < len(values) else ""

        return [
            {"place": at(places, i), "kind": at(kinds, i), "detail": at(details, i)}
            for i in range(min(width, 60))
        ]

    def value_omitted_from_data(self, data, files, name):
        return f"{name}_place" not in data and f"{name}_kind" not in data


class MarksField(forms.Field):
    """Body marks picked by body part and kind, each with a free-text detail. Cleans to
    [{"place", "kind", "detail"}]; `codes` and `notes` give what the services keep."""

    widget = MarksWidget

    def prepare_value(self, value):
        # Saved marks come as codes ("scar:face") with their notes beside them.
        if isinstance(value, tuple) and len(value) == 2:
            codes, notes = value
            return [_mark_row(code, (notes or {}).get(code, "")) for code in codes or []]
        if value and isinstance(value, list) and isinstance(value[0], str):
            return [_mark_row(code, "") for code in value]
        return value

    def to_python(self, value):
        rows, problems = [], []
        for number, row in enumerate(value or [], start=1):
            place = (row.get("place") or "").strip()
            kind = (row.get("kind") or "").strip()
            detail = (row.get("detail") or "").strip()[:100]
            if not (place or kind or detail):
                continue
            problem = text_problem(place + kind + detail)
            if problem:
                raise ValidationError(problem)
            if place not in MARK_PLACES or kind not in MARK_TYPES:
                problems.append(number)
                continue
            rows.append({"place": place, "kind": kind, "detail": detail})
        if problems:
            raise ValidationError(
                _("Each mark needs where it is and what it is (row %(rows)s)."),
                params={"rows": ", ".join(str(n) for n in problems)},
            )
        return rows

    @staticmethod
    def codes(rows) -> list[str]:
        return sorted({f"{r['kind']}:{r['place']}" for r in rows or []})

    @staticmethod
    def notes(rows) -> dict[str, str]:
        notes: dict[str, str] = {}
        for r in rows or []:
            if r["detail"]:
                code = f"{r['kind']}:{r['place']}"
                notes[code] = "；".join(filter(None, [notes.get(code, ""), r["detail"]]))
        return notes


def _mark_row(code: str, detail: str) -> dict[str, str]:
    kind, _sep, place = code.partition(":")
    return {"place": place, "kind": kind, "detail": detail}


class IntakeForm(forms.Form):
    # "" until the clerk decides, then an earlier person's id or "new".
    existing_person = forms.CharField(required=False, widget=forms.HiddenInput)
    brought_by = forms.ChoiceField(label=_("Brought by"), choices=Stay.BroughtBy.choices)
    referring_unit = forms.CharField(label=_("Referring unit"), required=False, max_length=100)
    name = forms.CharField(label=_("Name"), required=False, max_length=50)
    name_source = forms.ChoiceField(
        label=_("Name comes from"),
        choices=Person.NameSource.choices,
        initial=Person.NameSource.SAID,
    )
    id_number = forms.CharField(label=_("ID number"), required=False, max_length=20)
    sex = forms.ChoiceField(label=_("Sex"), choices=Sex.choices)
    birth_date = forms.DateField(label=_("Birth date"), required=False, widget=DayInput())
    age_estimate_min = forms.IntegerField(
        label=_("Estimated age from"), required=False, min_value=0
    )
    age_estimate_max = forms.IntegerField(label=_("Estimated age to"), required=False, min_value=0)
    ethnicity = forms.ChoiceField(label=_("Ethnicity"), required=False)
    language = forms.CharField(label=_("Language or dialect"), required=False, max_length=50)
    dialect_division = DivisionField(label=_("Dialect points to (division)"), required=False)
    home_division = DivisionField(label=_("Home (division)"), required=False)
    height_cm = forms.IntegerField(label=_("Height (cm)"), required=False)
    build = forms.ChoiceField(
        label=_("Build"), required=False, choices=[("", "—"), *Person.Build.choices]
    )
    marks = MarksField(label=_("Marks"), required=False)
    conditions = forms.MultipleChoiceField(
        label=_("Conditions"),
        required=False,
        choices=list(CONDITIONS.items()),
        widget=forms.CheckboxSelectMultiple,
    )
    fingerprints_taken = forms.BooleanField(label=_("Fingerprints taken"), required=False)
    photo = forms.FileField(label=_("Intake photo"), required=False)
    photo_face = forms.IntegerField(
        label=_("Face number in the photo (1 = leftmost)"), required=False, min_value=1
    )
    found_at = forms.DateTimeField(
        label=_("Found at"),
        required=False,
        widget=MomentInput(),
    )
    found_address = forms.CharField(
        label=_("Where found (address)"), required=False, max_length=200
    )
    found_division = DivisionField(label=_("Found in (division)"), required=False)
    found_latitude = forms.FloatField(label=_("Latitude"), required=False)
    found_longitude = forms.FloatField(label=_("Longitude"), required=False)
    health_on_arrival = forms.CharField(
        label=_("Health on arrival"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    belongings = forms.CharField(
        label=_("Belongings (one a line, quantity at the end)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    left_behind_child = forms.BooleanField(label=_("Left-behind child"), required=False)
    child_in_plight = forms.BooleanField(label=_("Child in plight"), required=False)
    guardian_name = forms.CharField(label=_("Guardian"), required=False, max_length=50)
    guardian_relation = forms.CharField(
        label=_("Guardian's relation"), required=False, max_length=30
    )
    guardian_phone = forms.CharField(label=_("Guardian's phone"), required=False, max_length=32)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["ethnicity"].choices = [("", "—"), *((n, n) for n in ethnicities())]
        styled(self)
        # A name, an ID number or a photo looks for earlier records of the same person.
        self.fields["photo"].widget.attrs.update(
            {
                "hx-post": reverse("cases:earlier"),
                "hx-trigger": "change",
                "hx-target": "#earlier-slot",
                "hx-encoding": "multipart/form-data",
                "hx-include": "[name=name],[name=id_number],[name=sex],[name=csrfmiddlewaretoken]",
            }
        )
        for name in ("name", "id_number"):
            self.fields[name].widget.attrs.update(
                {
                    "hx-get": reverse("cases:earlier"),
                    "hx-trigger": "change",
                    "hx-target": "#earlier-slot",
                    "hx-include": "[name=name],[name=id_number],[name=sex]",
                }
            )
        self.fields["conditions"].widget.attrs.pop("class", None)

    def clean(self):
        data = super().clean()
        if data.get("found_division") is None and data.get("found_address"):
            data["found_division"] = address_parse(data["found_address"]).division
        return data

    def intake_data(self):
        from homeward.cases.services import IntakeData

        d = self.cleaned_data
        fields = {name: d.get(name) for name in IntakeData.__dataclass_fields__ if name in d}
        fields["belongings"] = _belongings(d.get("belongings") or "")
        for text in (
            "name",
            "id_number",
            "ethnicity",
            "language",
            "build",
            "referring_unit",
            "found_address",
            "health_on_arrival",
            "guardian_name",
            "guardian_relation",
            "guardian_phone",
        ):
            fields[text] = fields.get(text) or ""
        fields["mark_notes"] = MarksField.notes(d.get("marks"))
        fields["marks"] = MarksField.codes(d.get("marks"))
        fields["conditions"] = list(d.get("conditions") or [])
        return IntakeData(**fields)


class BedForm(forms.Form):
    bed = forms.ModelChoiceField(label=_("Bed"), queryset=None)

    def __init__(self, *args, beds=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["bed"].queryset = beds
        self.fields["bed"].label_from_instance = lambda b: (
            f"{b.room.name}-{b.label} ({b.room.get_kind_display()})"
        )
        styled(self)


class CareForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=CareNote.Kind.choices)
    text = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        styled(self)


class IncidentForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=Incident.Kind.choices)
    description = forms.CharField(
        label=_("What happened"), widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        styled(self)


class ChildProtectionForm(forms.Form):
    unit = forms.CharField(label=_("Referred to"), max_length=100)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        styled(self)


class ExitForm(forms.Form):
    kind = forms.ChoiceField(label=_("How the stay ended"), choices=Exit.Kind.choices)
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    destination_division = DivisionField(label=_("Destination (division)"), required=False)
    ticket = forms.CharField(label=_("Ticket"), required=False, max_length=100)
    escorted = forms.BooleanField(label=_("Escorted"), required=False)
    escort_name = forms.CharField(label=_("Escort"), required=False, max_length=50)
    travel_cost_yuan = forms.DecimalField(
        label=_("Travel cost (yuan)"), required=False, decimal_places=2
    )
    collector_name = forms.CharField(label=_("Collected by"), required=False, max_length=50)
    collector_relation = forms.CharField(label=_("Relation"), required=False, max_length=30)
    collector_id_number = forms.CharField(
        label=_("Collector's ID number"), required=False, max_length=20
    )
    identity_checked = forms.BooleanField(label=_("Identity document checked"), required=False)
    kinship_evidence = forms.ChoiceField(
        label=_("Family tie confirmed by"),
        required=False,
        choices=[("", "—"), ("dna", _("DNA comparison")), ("police", _("Police confirmation"))],
    )
    to_station = forms.ModelChoiceField(
        label=_("To station"), required=False, queryset=Station.objects.none()
    )
    to_institution = forms.CharField(label=_("To institution"), required=False, max_length=100)
    hospital = forms.CharField(label=_("Hospital"), required=False, max_length=100)
    authority_informed = forms.CharField(
        label=_("Authority informed"), required=False, max_length=100
    )

    # Which fields belong to which kind: the page shows only those.
    GROUPS = {
        "returned_home": [
            "destination_division",
            "ticket",
            "escorted",
            "escort_name",
            "travel_cost_yuan",
        ],
        "handed_to_family": [
            "collector_name",
            "collector_relation",
            "collector_id_number",
            "identity_checked",
            "kinship_evidence",
        ],
        "transferred": ["to_station", "to_institution"],
        "placed": ["to_institution"],
        "hospital": ["hospital"],
        "left": [],
        "died": ["authority_informed"],
    }

    def __init__(self, *args, stations=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["to_station"].queryset = (
            stations if stations is not None else Station.objects.none()
        )
        styled(self)

    def exit_data(self):
        from homeward.cases.services import ExitData

        d = self.cleaned_data
        return ExitData(
            **{
                name: (
                    d.get(name)
                    if d.get(name) is not None
                    else ExitData.__dataclass_fields__[name].default
                )
                for name in ExitData.__dataclass_fields__
                if name in d
            }
        )


class StayFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    sex = forms.ChoiceField(label=_("Sex"), required=False, choices=[("", "—"), *Sex.choices])
    brought_by = forms.ChoiceField(
        label=_("Brought by"), required=False, choices=[("", "—"), *Stay.BroughtBy.choices]
    )
    condition = forms.ChoiceField(
        label=_("Condition"), required=False, choices=[("", "—"), *CONDITIONS.items()]
    )
    minors = forms.BooleanField(label=_("Minors only"), required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        styled(self)


class MergeForm(forms.Form):
    other = forms.IntegerField(label=_("Record number of the duplicate"))
    reason = forms.CharField(label=_("Why they are the same person"), max_length=200)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        styled(self)


class PhotoAddForm(forms.Form):
    """A new photo of the person, with the day it was taken (today unless said)."""

    photo = forms.FileField(label=_("Photo"))
    taken_on = forms.DateField(label=_("Day taken"), required=False, widget=DayInput())

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        styled(self)
        self.fields["photo"].widget.attrs["accept"] = "image/jpeg,image/png,image/webp"


class PersonForm(forms.Form):
    """Correcting a person's record: every fact the desk can learn after intake."""

    name = forms.CharField(label=_("Name"), required=False, max_length=50)
    name_source = forms.ChoiceField(label=_("Name comes from"), choices=Person.NameSource.choices)
    aliases = forms.CharField(
        label=_("Other names (separated by commas)"), required=False, max_length=200
    )
    id_number = forms.CharField(label=_("ID number"), required=False, max_length=20)
    sex = forms.ChoiceField(label=_("Sex"), choices=Sex.choices)
    birth_date = forms.DateField(label=_("Birth date"), required=False, widget=DayInput())
    age_estimate_min = forms.IntegerField(
        label=_("Estimated age from"), required=False, min_value=0, max_value=120
    )
    age_estimate_max = forms.IntegerField(
        label=_("Estimated age to"), required=False, min_value=0, max_value=120
    )
    home_division = DivisionField(label=_("Home (division)"), required=False)
    dialect_division = DivisionField(label=_("Dialect points to (division)"), required=False)
    language = forms.CharField(label=_("Language or dialect"), required=False, max_length=50)
    height_cm = forms.IntegerField(label=_("Height (cm)"), required=False)
    marks = MarksField(label=_("Marks"), required=False)
    photo = forms.FileField(label=_("A new photo"), required=False)

    def __init__(self, *args, person: Person | None = None, **kwargs) -> None:
        if person is not None:
            age = None if person.birth_date else person.age_on(timezone.localdate())
            kwargs.setdefault(
                "initial",
                {
                    "name": person.name,
                    "name_source": person.name_source,
                    "aliases": "，".join(person.aliases),
                    "id_number": person.id_number,
                    "sex": person.sex,
                    "birth_date": person.birth_date,
                    "age_estimate_min": age[0] if age else None,
                    "age_estimate_max": age[1] if age else None,
                    "home_division": person.home_division,
                    "dialect_division": person.dialect_division,
                    "language": person.language,
                    "height_cm": person.height_cm,
                    "marks": (person.marks, person.mark_notes),
                },
            )
        super().__init__(*args, **kwargs)
        styled(self)
        self.fields["photo"].widget.attrs["accept"] = "image/jpeg,image/png,image/webp"

    def correction(self):
        from homeward.cases.services import PersonCorrection

        d = self.cleaned_data
        aliases = [a for a in re.split(r"[,，、;；\s]+", d.get("aliases") or "") if a]
        return PersonCorrection(
            name=d.get("name") or "",
            name_source=d["name_source"],
            aliases=aliases,
            id_number=d.get("id_number") or "",
            sex=d["sex"],
            birth_date=d.get("birth_date"),
            age_estimate_min=d.get("age_estimate_min"),
            age_estimate_max=d.get("age_estimate_max"),
            home_division=d.get("home_division"),
            dialect_division=d.get("dialect_division"),
            language=d.get("language") or "",
            height_cm=d.get("height_cm"),
            marks=MarksField.codes(d.get("marks")),
            mark_notes=MarksField.notes(d.get("marks")),
        )
