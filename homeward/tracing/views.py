"""Staff pages of family tracing: the review queue, reports, candidates, reunions."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from homeward.accounts import access
from homeward.accounts.access import READ, WRITE, can
from homeward.accounts.audit import audit_list
from homeward.accounts.permissions import VIEW_DNA
from homeward.common.forms import form_errors
from homeward.common.images import image_response
from homeward.common.text import ascii_int
from homeward.tracing import evidence, selectors, services
from homeward.tracing.forms import (
    ConfirmForm,
    DnaForm,
    InquiryDoneForm,
    InquiryForm,
    QueueFilter,
    RejectForm,
    ReportForm,
    ReunionForm,
)
from homeward.tracing.models import FoundDna, MissingReport, Relative
from homeward.tracing.services.common import REPORT_TAKERS, TRACERS

# The attribute model's fields, as a reviewer reads them.
FIELD_LABELS = {
    "name": gettext_lazy("name"),
    "sex": gettext_lazy("sex"),
    "age": gettext_lazy("age"),
    "home": gettext_lazy("home region"),
    "place": gettext_lazy("place lost and found"),
    "dates": gettext_lazy("dates lost and found"),
    "height": gettext_lazy("height"),
    "marks": gettext_lazy("marks"),
    "conditions": gettext_lazy("conditions"),
    "calibration": gettext_lazy("calibration of the model"),
}

TABS = ("queue", "reports", "pending", "exclusions", "reunions", "tips")
PAGE_SIZE = 50
# A candidate older than this has waited too long for a decision: it is highlighted.
OLD_CANDIDATE_DAYS = 14


@login_required
def home(request: HttpRequest) -> HttpResponse:
    tab = request.GET.get("tab", "queue")
    tab = tab if tab in TABS else "queue"
    user = request.user
    lists = {
        "queue": lambda: selectors.review_queue(user),
        "reports": lambda: selectors.reports_visible(user).exclude(
            status=MissingReport.Status.PENDING
        ),
        "pending": lambda: selectors.reports_visible(user).filter(
            status=MissingReport.Status.PENDING
        ),
        "exclusions": lambda: selectors.exclusions(user),
        "reunions": lambda: selectors.reunions_visible(user).order_by("-opened_at"),
        "tips": lambda: selectors.tips_visible(user),
    }
    counts = {name: make().count() for name, make in lists.items()}
    filters = QueueFilter(request.GET or None, stations=_queue_stations(user))
    can_decide = user.role in TRACERS
    bulk = RejectForm(prefix="bulk")
    chosen: set[int] = set()
    if request.method == "POST" and tab == "queue" and can_decide:
        bulk, chosen, done = _reject_chosen(request)
        if done:
            return redirect(request.get_full_path())
    rows = lists[tab]()
    if tab == "queue" and filters.is_valid():
        rows = filters.apply(rows)
    if tab in ("queue", "exclusions"):
        rows = rows.prefetch_related("person__photos", "report__photos")
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    old = timezone.now() - timedelta(days=OLD_CANDIDATE_DAYS)
    if tab in ("queue", "exclusions"):
        previous = None
        for c in page:
            c.band = evidence.posterior_band(c.posterior)
            c.words = {
                part: evidence.verbal(value)
                for part, value in (
                    ("face", c.log10_face),
                    ("dna", c.log10_dna),
                    ("information", c.log10_attributes),
                )
            }
            c.is_old = c.created_at < old
            c.report_photo = next(iter(c.report.photos.all()), None)
            c.first_of_person = c.person_id != previous
            previous = c.person_id
    audit_list(request, f"tracing.{tab}", shown=len(page.object_list))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "tracing/home.html",
        {
            "tab": tab,
            "tabs": TABS,
            "counts": counts,
            "rows": page,
            "page": page,
            "filters": filters,
            "grouped": tab == "queue" and filters.is_valid() and filters.cleaned_data.get("group"),
            "can_decide": can_decide,
            "bulk": bulk,
            "chosen": chosen,
            "query": query.urlencode(),
            "can_file": user.role in REPORT_TAKERS,
            "today": timezone.localdate(),
            "old_days": OLD_CANDIDATE_DAYS,
        },
    )


def _queue_stations(user) -> list[tuple[str, str]]:
    """The stations whose candidates `user` sees, for the queue's station filter."""
    from homeward.stations.models import Station

    ids = selectors.review_queue(user).values("station_id")
    return [
        (str(pk), name) for pk, name in Station.objects.filter(pk__in=ids).values_list("pk", "name")
    ]


def _reject_chosen(request: HttpRequest) -> tuple[RejectForm, set[int], bool]:
    """The queue's bulk rejection: the ticked candidates, one reason. Returns the form (with
    its errors), the ticked ids (ticked again on an error), and whether it was done."""
    form = RejectForm(request.POST, prefix="bulk")
    chosen = {n for n in (ascii_int(v) for v in request.POST.getlist("chosen")) if n is not None}
    if not form.is_valid():
        return form, chosen, False
    candidates = list(selectors.review_queue(request.user).filter(pk__in=chosen))
    try:
        done = services.candidates_reject(
            candidates=candidates,
            kind=form.cleaned_data["kind"],
            reason=form.cleaned_data["reason"],
            by=request.user,
        )
    except ValidationError as exc:
        form_errors(form, exc)
        return form, chosen, False
    messages.success(
        request,
        ngettext("%(n)d candidate rejected.", "%(n)d candidates rejected.", len(done))
        % {"n": len(done)},
    )
    return form, chosen, True


@login_required
def report_new(request: HttpRequest) -> HttpResponse:
    if request.user.role not in REPORT_TAKERS:
        raise PermissionDenied
    form = ReportForm(request.POST if request.method == "POST" else None, request.FILES or None)
    duplicates = []
    if request.method == "POST" and form.is_valid():
        data = form.report_data()
        duplicates = list(services.duplicate_reports(data)[:5])
        if duplicates and not request.POST.get("file_anyway"):
            messages.warning(request, _("Similar reports exist: check them before filing."))
        else:
            try:
                report = services.report_file(
                    data=data,
                    by=request.user,
                    photos=form.photos(request.FILES),
                    relatives=form.relatives(),
                )
            except ValidationError as exc:
                form_errors(form, exc)
            else:
                messages.success(request, _("The report is filed and being searched."))
                return redirect("tracing:report-detail", pk=report.pk)
    return render(request, "tracing/report_form.html", {"form": form, "duplicates": duplicates})


@login_required
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    report = selectors.report_get(request.user, pk, request=request)
    if request.method == "POST" and request.POST.get("action") == "verify":
        try:
            services.report_verify(report=report, by=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("The report is verified and being searched."))
        return redirect("tracing:report-detail", pk=report.pk)
    dna_forms = {}
    for relative in report.relatives.all():
        prefix = f"dna{relative.pk}"
        posted = request.method == "POST" and request.POST.get("action") == prefix
        form = DnaForm(
            request.POST if posted else None,
            prefix=prefix,
            choices=Relative.DnaStatus.choices,
            consents=Relative.Consent.choices,
            initial={
                "status": relative.dna_status,
                "lab": relative.lab,
                "consent": relative.consent,
                "consent_ref": relative.consent_ref,
            },
        )
        if posted and form.is_valid():
            try:
                services.relative_set_dna(relative=relative, by=request.user, **form.cleaned_data)
            except ValidationError as exc:
                form_errors(form, exc)
            else:
                messages.success(request, _("Saved."))
                return redirect("tracing:report-detail", pk=report.pk)
        dna_forms[relative.pk] = form
    return render(
        request,
        "tracing/report_detail.html",
        {
            "dna_forms": dna_forms,
            "can_enter_dna": request.user.role in TRACERS,
            "report": report,
            "photos": report.photos.all(),
            "updates": report.updates.all(),
            "relatives": report.relatives.all(),
            "candidates": report.candidates.select_related("person").order_by("-posterior"),
            "sees_dna": request.user.has_perm(VIEW_DNA),
            "can_verify": request.user.role in TRACERS
            and report.status == MissingReport.Status.PENDING,
            "can_export": can(request.user, access.PRIVACY, READ),
            "can_erase": can(request.user, access.PRIVACY, WRITE),
        },
    )


@login_required
def candidate_detail(request: HttpRequest, pk: int) -> HttpResponse:
    candidate = selectors.candidate_get(request.user, pk, request=request)
    forms = {
        "reject": RejectForm(prefix="reject"),
        "inquire": InquiryForm(prefix="inquire"),
        "confirm": ConfirmForm(prefix="confirm", suggested=services.suggested_channel(candidate)),
        "done": InquiryDoneForm(prefix="done"),
    }
    action = request.POST.get("action")
    if request.method == "POST" and action in forms:
        extra = {"suggested": services.suggested_channel(candidate)} if action == "confirm" else {}
        form = type(forms[action])(request.POST, prefix=action, **extra)
        forms[action] = form
        if form.is_valid():
            d, by = form.cleaned_data, request.user
            try:
                if action == "reject":
                    services.candidate_reject(
                        candidate=candidate, kind=d["kind"], reason=d["reason"], by=by
                    )
                elif action == "inquire":
                    services.candidate_inquire(
                        candidate=candidate,
                        kind=d["kind"],
                        note=d["note"],
                        by=by,
                        due_on=d.get("due_on"),
                    )
                elif action == "done":
                    task = candidate.inquiries.filter(pk=d["task"], done_at__isnull=True).first()
                    if task is None:
                        raise ValidationError({"result": _("This inquiry is already done.")})
                    services.inquiry_done(task=task, result=d["result"], by=by)
                else:
                    reunion = services.candidate_confirm(
                        candidate=candidate, by=by, channel=d["channel"]
                    )
                    messages.success(
                        request, _("Confirmed. Another officer completes the reunion.")
                    )
                    return redirect("tracing:reunion-detail", pk=reunion.pk)
            except ValidationError as exc:
                form_errors(form, exc)
            else:
                messages.success(request, _("Saved."))
                return redirect("tracing:candidate-detail", pk=candidate.pk)
    stay = candidate.person.stays.order_by("-admitted_at").first()
    person_photos, report_photos = selectors.photos_side_by_side(candidate)
    return render(
        request,
        "tracing/candidate_detail.html",
        {
            "c": candidate,
            "reading": evidence.read(candidate),
            "person": candidate.person,
            "person_photos": person_photos,
            "report_photos": report_photos,
            "stay": stay,
            "report": candidate.report,
            "forms": forms,
            "inquiries": candidate.inquiries.order_by("done_at", "due_on", "pk"),
            "today": timezone.localdate(),
            "can_decide": request.user.role in TRACERS and candidate.status in ("open", "inquiry"),
            "age": candidate.person.age_label(timezone.localdate()),
            "breakdown": [
                (FIELD_LABELS.get(name, name), value)
                for name, value in sorted((candidate.evidence.get("attributes") or {}).items())
            ],
        },
    )


@login_required
def reunion_detail(request: HttpRequest, pk: int) -> HttpResponse:
    reunion = selectors.reunion_get(request.user, pk, request=request)
    form = ReunionForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.reunion_complete(reunion=reunion, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("The person is reunited with their family."))
            return redirect("tracing:reunion-detail", pk=reunion.pk)
    return render(
        request,
        "tracing/reunion_detail.html",
        {
            "reunion": reunion,
            "form": form,
            "report": reunion.candidate.report,
            "can_complete": request.user.role in TRACERS and reunion.completed_at is None,
        },
    )


@login_required
def person(request: HttpRequest, pk: int) -> HttpResponse:
    """A found person's tracing panel: DNA sampling (police, within a month), candidates."""
    from homeward.cases.selectors import person_get

    found = person_get(request.user, pk, request=request)
    dna = FoundDna.objects.filter(person=found).first()
    form = DnaForm(
        request.POST if request.method == "POST" else None,
        choices=FoundDna.Status.choices,
        initial={"status": dna.status if dna else "", "lab": dna.lab if dna else ""},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.found_dna_set(person=found, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("tracing:person", pk=found.pk)
    return render(
        request,
        "tracing/person.html",
        {
            "person": found,
            "dna": dna,
            "form": form,
            "can_enter_dna": request.user.role in TRACERS,
            "sees_dna": request.user.has_perm(VIEW_DNA),
            "candidates": found.candidates.select_related("report").order_by("-posterior"),
        },
    )


@login_required
def report_photo(request: HttpRequest, pk: int, photo: int) -> HttpResponse:
    """A photo of a missing person, for staff who may see the report (scoped, audited)."""
    report = selectors.report_get(request.user, pk, request=request)
    found = report.photos.filter(pk=photo).first()
    if found is None:
        raise Http404
    return image_response(found.image)
