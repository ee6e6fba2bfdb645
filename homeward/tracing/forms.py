"""Forms of the tracing pages and the portal's family report (they parse; services decide)."""

from __future__ import annotations

import json
from datetime import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from homeward.cases.forms import MarksField
from homeward.cases.models import CONDITIONS
from homeward.cases.models.vocabulary import Sex
from homeward.common.forms import DayInput, styled
from homeward.regions.forms import DivisionField
from homeward.tracing.models import Candidate, InquiryTask, Relative, Reunion

PHOTO_SLOTS = 3
RELATIVE_SLOTS = 3


class ReportForm(forms.Form):
    name = forms.CharField(label=_("Name of the missing person"), max_length=50)
    aliases = forms.CharField(
        label=_("Other names (comma separated)"), required=False, max_length=200
    )
    sex = forms.ChoiceField(label=_("Sex"), choices=Sex.choices)
    birth_date = forms.DateField(label=_("Birth date"), required=False, widget=DayInput())
    home_division = DivisionField(label=_("Home (division)"), required=False)
    lost_date = forms.DateField(label=_("Date lost"), required=False, widget=DayInput())
    lost_time = forms.TimeField(
        label=_("Time lost (if known)"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}),
    )
    lost_division = DivisionField(label=_("Lost in (division)"), required=False)
    lost_address = forms.CharField(label=_("Where lost"), required=False, max_length=200)
    height_cm = forms.IntegerField(label=_("Height (cm)"), required=False)
    marks = MarksField(label=_("Marks"), required=False)
    conditions = forms.MultipleChoiceField(
        label=_("Conditions"),
        required=False,
        choices=list(CONDITIONS.items()),
        widget=forms.CheckboxSelectMultiple,
    )
    description = forms.CharField(
        label=_("What else should the station know"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    contact_name = forms.CharField(label=_("Your name"), max_length=50)
    contact_relation = forms.CharField(
        label=_("Your relation to the missing person"), max_length=30
    )
    contact_phone = forms.CharField(label=_("Your phone"), max_length=32)
    contact_email = forms.EmailField(label=_("Your e-mail"), required=False)
    publish_consent = forms.BooleanField(
        label=_(
            "If the missing person is a child or an adult who cannot find their way, "
            "Homeward may alert people near where they were lost, with the name, age and "
            "place"
        ),
        help_text=_(
            "Only people who asked for alerts near that place receive them. Your phone "
            "number is never in an alert. You can withdraw this at any time."
        ),
        required=False,
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for i in range(1, PHOTO_SLOTS + 1):
            self.fields[f"photo{i}"] = forms.FileField(
                label=_("Photo %(n)s") % {"n": i}, required=False
            )
            self.fields[f"photo{i}_year"] = forms.IntegerField(
                label=_("Year taken"), required=False, min_value=1900
            )
        for i in range(1, RELATIVE_SLOTS + 1):
            self.fields[f"relative{i}"] = forms.ChoiceField(
                label=_("Relative who can give DNA"),
                required=False,
                choices=[("", "—"), *Relative.Relation.choices],
            )
            self.fields[f"relative{i}_name"] = forms.CharField(
                label=_("Relative's name"), required=False, max_length=50
            )
        styled(self)
        self.fields["conditions"].widget.attrs.pop("class", None)

    def report_data(self):
        from homeward.tracing.services import ReportData

        d = self.cleaned_data
        return ReportData(
            name=d["name"],
            sex=d["sex"],
            contact_name=d["contact_name"],
            contact_relation=d["contact_relation"],
            contact_phone=d["contact_phone"],
            contact_email=d.get("contact_email") or "",
            aliases=[
                a for a in (d.get("aliases") or "").replace("，", ",").split(",") if a.strip()
            ],
            birth_date=d.get("birth_date"),
            home_division=d.get("home_division"),
            lost_date=d.get("lost_date"),
            lost_at=(
                timezone.make_aware(datetime.combine(d["lost_date"], d["lost_time"]))
                if d.get("lost_date") and d.get("lost_time")
                else None
            ),
            lost_division=d.get("lost_division"),
            lost_address=d.get("lost_address") or "",
            height_cm=d.get("height_cm"),
            marks=MarksField.codes(d.get("marks")),
            mark_notes=MarksField.notes(d.get("marks")),
            conditions=list(d.get("conditions") or []),
            description=d.get("description") or "",
            publish_consent=bool(d.get("publish_consent")),
        )

    def photos(self, files) -> list:
        return [
            (files[f"photo{i}"], self.cleaned_data.get(f"photo{i}_year"))
            for i in range(1, PHOTO_SLOTS + 1)
            if files.get(f"photo{i}")
        ]

    def relatives(self) -> list[tuple[str, str]]:
        d = self.cleaned_data
        return [
            (d[f"relative{i}"], d.get(f"relative{i}_name") or "")
            for i in range(1, RELATIVE_SLOTS + 1)
            if d.get(f"relative{i}")
        ]


class RejectForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Why this is not the same person"),
        choices=[("", "—"), *Candidate.RejectKind.choices],
    )
    reason = forms.CharField(label=_("Details"), max_length=200, required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        styled(self)


class InquiryForm(forms.Form):
    kind = forms.ChoiceField(label=_("Inquiry"), choices=InquiryTask.Kind.choices)
    note = forms.CharField(label=_("Note"), required=False, max_length=500)
    due_on = forms.DateField(label=_("Due (optional)"), required=False, widget=DayInput())

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        styled(self)


class InquiryDoneForm(forms.Form):
    task = forms.IntegerField(widget=forms.HiddenInput)
    result = forms.CharField(label=_("What the inquiry found"), max_length=1000)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        styled(self)


class ConfirmForm(forms.Form):
    """Confirming a match is a decision with consequences: the officer says what decided it
    (the figures count reunions by it) and ticks that they are sure."""

    channel = forms.ChoiceField(
        label=_("What decided it"), choices=Reunion.Channel.choices, widget=forms.RadioSelect
    )
    sure = forms.BooleanField(
        label=_(
            "I compared the person with the report (photos, what is known, the evidence) and "
            "I am sure this is the same person."
        )
    )

    def __init__(self, *args, suggested: str = "", **kwargs) -> None:
        super().__init__(*args, **kwargs)
        styled(self)
        self.fields["channel"].widget.attrs.pop("class", None)
        if suggested:
            self.fields["channel"].initial = suggested


class ReunionForm(forms.Form):
    claimant_name = forms.CharField(label=_("Claimant"), max_length=50)
    claimant_relation = forms.CharField(label=_("Claimant's relation"), max_length=30)
    claimant_id_number = forms.CharField(label=_("Claimant's ID number"), max_length=20)
    identity_checked = forms.BooleanField(
        label=_("Claimant's identity document checked"), required=False
    )
    kinship_evidence = forms.ChoiceField(
        label=_("Family tie confirmed by"),
        required=False,
        choices=[("", "—"), ("dna", _("DNA comparison")), ("police", _("Police confirmation"))],
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        styled(self)


def parse_profile_text(text: str) -> dict[str, list[str]] | None:
    """A DNA profile typed as JSON ({"D8S1179": ["13", "14"]}) or one locus a line
    ("D8S1179: 13,14"); the DNA engine checks loci and alleles afterwards."""
    text = text.strip()
    if not text:
        return None
    if text.startswith("{"):
        try:
            value = json.loads(text)
        except ValueError:
            raise forms.ValidationError(_("The profile is not valid JSON.")) from None
        if not isinstance(value, dict):
            raise forms.ValidationError(_("The profile is not valid JSON."))
        return value
    profile = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        locus, sep, alleles = line.replace("：", ":").partition(":")
        values = [a for a in alleles.replace("，", ",").replace(" ", ",").split(",") if a]
        if not sep or not locus.strip() or not values:
            raise forms.ValidationError(
                _("Line %(n)s: write “LOCUS: allele,allele”.") % {"n": number}
            )
        profile[locus.strip()] = values
    return profile


class DnaForm(forms.Form):
    status = forms.ChoiceField(label=_("DNA"))
    lab = forms.CharField(label=_("Laboratory"), required=False, max_length=100)
    profile = forms.CharField(
        label=_("Profile (JSON, or one “LOCUS: a,b” a line)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "class": "form-control font-monospace"}),
    )
    consent = forms.ChoiceField(
        label=_("The relative's written consent"),
        required=False,
        help_text=_(
            "A profile is compared only with the relative's consent; withdrawing it "
            "erases the profile."
        ),
    )
    consent_ref = forms.CharField(label=_("Consent form number"), required=False, max_length=50)

    def __init__(self, *args, choices=(), consents=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = choices
        if consents is None:  # a found person's DNA: the police sample it by their own rules
            del self.fields["consent"], self.fields["consent_ref"]
        else:
            self.fields["consent"].choices = consents
        styled(self)

    def clean_profile(self):
        return parse_profile_text(self.cleaned_data.get("profile") or "")


class QueueFilter(forms.Form):
    """What a tracing officer narrows the review queue to."""

    EVIDENCE = [
        ("", _("Any evidence")),
        ("face", _("With a face comparison")),
        ("dna", _("With DNA")),
        ("information", _("Information only")),
    ]
    LEAST = [("", _("Any probability")), ("0.5", "≥ 50%"), ("0.8", "≥ 80%"), ("0.95", "≥ 95%")]

    evidence = forms.ChoiceField(label=_("Evidence"), choices=EVIDENCE, required=False)
    least = forms.ChoiceField(label=_("Probability"), choices=LEAST, required=False)
    station = forms.ChoiceField(label=_("Station"), required=False)
    old = forms.BooleanField(label=_("Waiting more than two weeks"), required=False)
    due = forms.BooleanField(label=_("An inquiry is due"), required=False)
    group = forms.BooleanField(label=_("Group by person"), required=False)

    def __init__(self, *args, stations=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Only for users who see several stations' queues (supervisors, administrators).
        self.fields["station"].choices = [("", _("All stations")), *stations]
        if len(stations) < 2:
            del self.fields["station"]
        styled(self)

    def apply(self, candidates):
        from datetime import timedelta

        from django.db.models import F, Max, Window
        from django.utils import timezone

        d = self.cleaned_data
        kind = d.get("evidence")
        if kind == "face":
            candidates = candidates.filter(log10_face__isnull=False)
        elif kind == "dna":
            candidates = candidates.filter(log10_dna__isnull=False)
        elif kind == "information":
            candidates = candidates.filter(log10_face__isnull=True, log10_dna__isnull=True)
        if d.get("least"):
            candidates = candidates.filter(posterior__gte=float(d["least"]))
        if d.get("station"):
            candidates = candidates.filter(station_id=int(d["station"]))
        if d.get("old"):
            candidates = candidates.filter(created_at__lt=timezone.now() - timedelta(days=14))
        if d.get("due"):
            due = InquiryTask.objects.filter(done_at__isnull=True, due_on__lte=timezone.localdate())
            candidates = candidates.filter(pk__in=due.values("candidate_id"))
        if d.get("group"):
            # Each person's candidates together, the person with the strongest one first.
            best = Window(Max("posterior"), partition_by=[F("person_id")])
            candidates = candidates.annotate(best=best).order_by("-best", "person_id", "-posterior")
        return candidates
