"""Staff pages of the cases app: thin, every write goes through services."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from homeward.accounts import access
from homeward.accounts.access import READ, WRITE, can
from homeward.accounts.audit import audit_list
from homeward.accounts.models import Role
from homeward.accounts.permissions import VIEW_HEALTH, VIEW_MINOR_DETAILS
from homeward.cases import selectors, services
from homeward.cases.forms import (
    BedForm,
    CareForm,
    ChildProtectionForm,
    ExitForm,
    IncidentForm,
    IntakeForm,
    MergeForm,
    PersonForm,
    PhotoAddForm,
    StayFilterForm,
)
from homeward.cases.models import PersonMerge, Stay
from homeward.cases.photos import photo_held, photo_hold, photo_release
from homeward.cases.printouts import HANDED_OVER
from homeward.cases.services.common import CASE_WRITERS
from homeward.common.clock import start_of_day
from homeward.common.forms import form_errors
from homeward.common.images import image_response
from homeward.common.text import ascii_int
from homeward.dispatch import handoff  # a street team's draft pre-fills the intake form
from homeward.stations.models import Station

VIEWS = ("in_station", "arrivals", "departures", "long", "minors", "no_photo", "transfers")


def _require_desk(request: HttpRequest) -> None:
    if request.user.role not in CASE_WRITERS and not request.user.is_superuser:
        raise PermissionDenied


def _can_write(user, stay: Stay) -> bool:
    return user.is_superuser or (user.role in CASE_WRITERS and user.station_id == stay.station_id)


@login_required
def stay_list(request: HttpRequest) -> HttpResponse:
    view = request.GET.get("view", "in_station")
    view = view if view in VIEWS else "in_station"
    form = StayFilterForm(request.GET or None)
    f = selectors.StayFilter()
    if form.is_valid():
        d = form.cleaned_data
        f = selectors.StayFilter(
            q=d["q"],
            sex=d["sex"],
            brought_by=d["brought_by"],
            minors=d["minors"],
            condition=d["condition"],
        )
    now = timezone.now()
    week = now - timedelta(days=7)
    rows = transfers = None
    if view == "in_station":
        rows = selectors.stays_in_station(request.user, f, now)
    elif view == "arrivals":
        rows = selectors._apply(selectors.stays_arrived(request.user, week, now), f, now)
    elif view == "departures":
        rows = selectors._apply(selectors.stays_departed(request.user, week, now), f, now)
    elif view == "long":
        f.min_days = 10
        rows = selectors.stays_in_station(request.user, f, now)
    elif view == "minors":
        f.minors = True
        rows = selectors.stays_in_station(request.user, f, now)
    elif view == "no_photo":
        f.no_usable_photo = True
        rows = selectors.stays_in_station(request.user, f, now)
    else:
        transfers = selectors.incoming_transfers(request.user)
    audit_list(request, "cases.stay")
    return render(
        request,
        "cases/stay_list.html",
        {
            "view": view,
            "views": VIEWS,
            "form": form,
            "rows": rows.prefetch_related("person__photos") if rows is not None else None,
            "transfers": transfers,
            "now": now,
            "can_intake": request.user.role in CASE_WRITERS,
        },
    )


def _earlier(request: HttpRequest, data: dict) -> list:
    """Earlier records that may be this person: same ID number, name, or a similar face."""
    faces = []
    upload = request.FILES.get("photo")
    if upload is not None:
        # The face store belongs to tracing; the desk only asks it who looks alike.
        from homeward.tracing.selectors import people_with_similar_face

        upload.seek(0)
        faces = people_with_similar_face(upload.read())
        upload.seek(0)
    low, high = data.get("age_estimate_min"), data.get("age_estimate_max")
    records = selectors.earlier_records(
        id_number=data.get("id_number") or "",
        name=data.get("name") or "",
        sex=data.get("sex") or "",
        age=(low, high) if low is not None and high is not None else None,
        faces=faces,
    )
    return selectors.earlier_offer(request.user, records, request=request)


@login_required
def intake(request: HttpRequest) -> HttpResponse:
    _require_desk(request)
    station = request.user.station
    if station is None:
        raise PermissionDenied
    initial = handoff.draft_initial(request)
    form = IntakeForm(
        request.POST if request.method == "POST" else None, request.FILES or None, initial=initial
    )
    earlier = []
    # A photo chosen before an error comes back with the form (cases.photos.photo_hold).
    photo = request.FILES.get("photo")
    if photo is None and request.POST.get("photo_held"):
        photo = photo_held(request.POST["photo_held"], user=request.user)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        person = None
        choice = d.get("existing_person") or ""
        if choice and choice != "new":
            person = selectors.earlier_accepted(request.user, choice)
        try:
            if choice and choice != "new" and person is None:
                raise ValidationError(
                    _(
                        "The earlier record you chose was not offered to you in the last "
                        "hour. Look for earlier records again and choose from the list."
                    )
                )
            stay = services.intake_admit(
                station=station,
                data=form.intake_data(),
                by=request.user,
                person=person,
                photo=photo,
                photo_face=d.get("photo_face"),
            )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(
                request,
                _("%(name)s is registered as %(number)s.")
                % {"name": stay.person, "number": stay.number},
            )
            handoff.draft_admitted(request, stay)
            if request.POST.get("photo_held"):
                photo_release(request.POST["photo_held"])
            return redirect("cases:stay-detail", pk=stay.pk)
    held = None
    if request.method == "POST" and form.is_bound:
        earlier = _earlier(request, form.cleaned_data if hasattr(form, "cleaned_data") else {})
        if photo is not None and "photo" not in form.errors:
            held = photo_hold(photo, user=request.user)
    return render(
        request,
        "cases/intake.html",
        {"form": form, "earlier": earlier, "station": station, "photo_held": held},
    )


@login_required
def earlier_records(request: HttpRequest) -> HttpResponse:
    """The desk's search for earlier records as the clerk types or picks the photo (htmx)."""
    _require_desk(request)
    params = request.POST if request.method == "POST" else request.GET
    records = _earlier(request, {k: params.get(k, "") for k in ("id_number", "name", "sex")})
    return render(request, "cases/_earlier.html", {"earlier": records})


@login_required
def stay_detail(request: HttpRequest, pk: int) -> HttpResponse:
    stay = selectors.stay_get(request.user, pk, request=request)
    user = request.user
    writable = _can_write(user, stay) and stay.status == Stay.Status.IN_STATION
    free_beds = selectors.beds_suitable(stay)
    forms = {
        "bed": BedForm(prefix="bed", beds=free_beds),
        "care": CareForm(prefix="care"),
        "incident": IncidentForm(prefix="incident"),
        "child": ChildProtectionForm(prefix="child"),
    }
    action = request.POST.get("action")
    if request.method == "POST" and writable and action in forms:
        form = type(forms[action])(
            request.POST, prefix=action, **({"beds": free_beds} if action == "bed" else {})
        )
        forms[action] = form
        if form.is_valid():
            d = form.cleaned_data
            try:
                if action == "bed":
                    services.bed_assign(stay=stay, bed=d["bed"], by=user)
                elif action == "care":
                    services.care_record(stay=stay, kind=d["kind"], text=d["text"], by=user)
                elif action == "incident":
                    services.incident_record(
                        stay=stay, kind=d["kind"], description=d["description"], by=user
                    )
                else:
                    services.child_protection_refer(stay=stay, unit=d["unit"], by=user)
            except ValidationError as exc:
                form_errors(form, exc)
            else:
                messages.success(request, _("Saved."))
                return redirect("cases:stay-detail", pk=stay.pk)
    sees_health = user.has_perm(VIEW_HEALTH)
    sees_minor = not stay.is_minor or user.has_perm(VIEW_MINOR_DETAILS)
    return render(
        request,
        "cases/stay_detail.html",
        {
            "stay": stay,
            "person": stay.person,
            "photos": stay.person.photos.all(),
            "can_correct": _can_add_photo(user, stay.person),
            "forms": forms,
            "writable": writable,
            "bed": selectors.current_bed(stay),
            "sees_health": sees_health,
            "sees_minor": sees_minor,
            "timeline": selectors.person_timeline(stay.person, sensitive=sees_health),
            "belongings": stay.belongings.all(),
            "incidents": stay.incidents.all(),
            "exit": getattr(stay, "exit", None),
            "handed_over": getattr(getattr(stay, "exit", None), "kind", None) in HANDED_OVER,
            "now": timezone.now(),
        },
    )


@login_required
def stay_exit(request: HttpRequest, pk: int) -> HttpResponse:
    stay = selectors.stay_get(request.user, pk, request=request)
    if not _can_write(request.user, stay):
        raise PermissionDenied
    stations = Station.objects.filter(is_active=True).exclude(pk=stay.station_id)
    form = ExitForm(request.POST if request.method == "POST" else None, stations=stations)
    if request.method == "POST" and form.is_valid():
        try:
            services.stay_exit(stay=stay, data=form.exit_data(), by=request.user)
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("The stay has ended."))
            return redirect("cases:stay-detail", pk=stay.pk)
    return render(
        request, "cases/stay_exit.html", {"stay": stay, "form": form, "groups": ExitForm.GROUPS}
    )


@login_required
def transfer_receive(request: HttpRequest, pk: int) -> HttpResponse:
    _require_desk(request)
    exit_ = selectors.incoming_transfers(request.user).filter(pk=pk).first()
    if exit_ is None:
        raise Http404  # not a transfer to this user's station: as if there were none
    if request.method != "POST":
        return redirect(f"{request.build_absolute_uri('/cases/')}?view=transfers")
    try:
        stay = services.transfer_receive(exit_=exit_, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("/cases/?view=transfers")
    return redirect("cases:stay-detail", pk=stay.pk)


@login_required
def night_duty(request: HttpRequest) -> HttpResponse:
    if request.user.role == Role.FAMILY:
        raise PermissionDenied
    today = timezone.localdate()
    audit_list(request, "cases.stay")
    return render(
        request,
        "cases/night.html",
        {
            "arrivals": selectors.night_arrivals(request.user, today),
            "today": today,
            "since": start_of_day(today) - timedelta(hours=6),
        },
    )


@login_required
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    person = selectors.person_get(request.user, pk, request=request)
    form = MergeForm(request.POST if request.method == "POST" else None)
    writable = request.user.role in CASE_WRITERS or request.user.is_superuser
    if request.method == "POST" and writable:
        if request.POST.get("action") == "undo":
            merge = PersonMerge.objects.filter(pk=request.POST.get("merge"), kept=person).first()
            if merge is not None:
                try:
                    services.person_merge_undo(merge=merge, by=request.user)
                except ValidationError as exc:
                    messages.error(request, " ".join(exc.messages))
                return redirect("cases:person-detail", pk=person.pk)
        elif form.is_valid():
            other = (
                selectors.people_visible(request.user).filter(pk=form.cleaned_data["other"]).first()
            )
            if other is None:
                form.add_error("other", _("No such record in your stations."))
            else:
                try:
                    services.person_merge(
                        kept=person,
                        merged=other,
                        reason=form.cleaned_data["reason"],
                        by=request.user,
                    )
                except ValidationError as exc:
                    form_errors(form, exc)
                else:
                    messages.success(request, _("The records are merged."))
                    return redirect("cases:person-detail", pk=person.pk)
    sees_health = request.user.has_perm(VIEW_HEALTH)
    return render(
        request,
        "cases/person_detail.html",
        {
            "person": person,
            "photos": person.photos.all(),
            "can_add_photo": _can_add_photo(request.user, person),
            "can_correct": _can_add_photo(request.user, person),
            "records": selectors.person_records(person),
            "timeline": selectors.person_timeline(person, sensitive=sees_health),
            "merges": PersonMerge.objects.filter(Q(kept=person) | Q(merged=person)).select_related(
                "kept", "merged"
            ),
            "form": form,
            "writable": writable,
            "age": person.age_label(timezone.localdate()),
            "changes": selectors.person_changes(person),
            "can_export": can(request.user, access.PRIVACY, READ),
            "can_erase": can(request.user, access.PRIVACY, WRITE),
        },
    )


def _pdf(data: bytes, name: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{name}"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def registration_form(request: HttpRequest, pk: int) -> HttpResponse:
    """The printable registration form (救助登记表) of a stay: a read of the record."""
    from homeward.cases.printouts import registration_form as make

    stay = selectors.stay_get(request.user, pk, request=request)
    user = request.user
    data = make(
        stay,
        sees_health=user.has_perm(VIEW_HEALTH),
        sees_minor=not stay.is_minor or user.has_perm(VIEW_MINOR_DETAILS),
    )
    return _pdf(data, f"registration-{stay.number}.pdf")


@login_required
def handover_sheet(request: HttpRequest, pk: int) -> HttpResponse:
    """The printable hand-over sheet (交接单) of a stay that ended in someone's care."""
    from homeward.cases.printouts import handover_sheet as make

    stay = selectors.stay_get(request.user, pk, request=request)
    exit_ = getattr(stay, "exit", None)
    if exit_ is None or exit_.kind not in HANDED_OVER:
        raise Http404
    return _pdf(make(stay), f"handover-{stay.number}.pdf")


@login_required
def person_photo(request: HttpRequest, pk: int) -> HttpResponse:
    """A person's newest photo, for staff who may see the person (scoped, audited)."""
    person = selectors.person_get(request.user, pk, request=request)
    return image_response(person.photo)


@login_required
def person_photo_one(request: HttpRequest, pk: int, photo: int) -> HttpResponse:
    """One of a person's photos (scoped and audited as the person's record is)."""
    person = selectors.person_get(request.user, pk, request=request)
    found = person.photos.filter(pk=photo).first()
    if found is None:
        raise Http404
    return image_response(found.image)


def _can_add_photo(user, person) -> bool:
    last = person.stays.order_by("-admitted_at").first()
    return last is not None and _can_write(user, last) and not person.merged_into_id


@login_required
def person_photo_add(request: HttpRequest, pk: int) -> HttpResponse:
    """Add a photo of the person (the desk of their station); it is embedded and searched."""
    person = selectors.person_get(request.user, pk, request=request)
    if not _can_add_photo(request.user, person):
        raise PermissionDenied
    form = PhotoAddForm(request.POST if request.method == "POST" else None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.person_photo_add(
                person=person,
                photo=form.cleaned_data["photo"],
                taken_on=form.cleaned_data.get("taken_on"),
                by=request.user,
            )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("The photo is added; the search runs again."))
            return redirect("cases:person-detail", pk=person.pk)
    return render(request, "cases/person_photo_add.html", {"person": person, "form": form})


@login_required
def person_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Correct a person's record; the changes are kept and shown on the person's page.

    `from_note` names a care note whose facts (a home town, a son's name) the desk is
    putting into the record: it is shown above the form, and the change cites it.
    """
    person = selectors.person_get(request.user, pk, request=request)
    last = person.stays.order_by("-admitted_at").first()
    if last is None or not _can_write(request.user, last):
        raise PermissionDenied  # only the desk of the person's station corrects the record
    note = selectors.care_note_for_record(
        person,
        ascii_int(request.GET.get("from_note") or request.POST.get("from_note") or ""),
        sensitive=request.user.has_perm(VIEW_HEALTH),
    )
    form = PersonForm(
        request.POST if request.method == "POST" else None,
        request.FILES or None,
        person=person,
    )
    if request.method == "POST" and form.is_valid():
        try:
            changes = services.person_correct(
                person=person,
                data=form.correction(),
                by=request.user,
                photo=request.FILES.get("photo"),
                from_note=note,
            )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            if changes:
                messages.success(request, _("The record is corrected; the search runs again."))
            else:
                messages.info(request, _("Nothing was changed."))
            return redirect("cases:person-detail", pk=person.pk)
    return render(request, "cases/person_edit.html", {"person": person, "form": form, "note": note})
