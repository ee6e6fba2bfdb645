"""The public portal: notices anyone may browse, tips, and families' own reports."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from homeward.accounts.models import Role, User
from homeward.cases.views import _form_errors
from homeward.portal import services
from homeward.portal.forms import CodeForm, NoticeFilter, SignupForm, TipForm
from homeward.tracing import selectors as tracing_selectors
from homeward.tracing.forms import ReportForm
from homeward.tracing.services import report_file, tip_leave
from homeward.tracing.services.notices import notices_generation


def _client(request: HttpRequest) -> str:
    return request.META.get("REMOTE_ADDR", "?")


def _filtered(form: NoticeFilter):
    notices = tracing_selectors.public_notices()
    if not form.is_valid():
        return notices
    d = form.cleaned_data
    if d["sex"]:
        notices = notices.filter(sex=d["sex"])
    if d["age_from"] is not None:
        notices = notices.filter(Q(age_high__gte=d["age_from"]) | Q(age_high__isnull=True))
    if d["age_to"] is not None:
        notices = notices.filter(Q(age_low__lte=d["age_to"]) | Q(age_low__isnull=True))
    if d["height_from"] is not None:
        notices = notices.filter(height_cm__gte=d["height_from"] - 5)
    if d["height_to"] is not None:
        notices = notices.filter(height_cm__lte=d["height_to"] + 5)
    if d["found_in"] is not None:
        notices = notices.filter(found_division__code__startswith=d["found_in"].prefix)
    if d["accent"] is not None:
        notices = notices.filter(dialect_division__code__startswith=d["accent"].prefix)
    if d["since"]:
        notices = notices.filter(found_on__gte=d["since"])
    return notices.order_by("-refreshed_at", "-published_at")


def notice_list(request: HttpRequest) -> HttpResponse:
    form = NoticeFilter(request.GET or None)
    # The matching ids are cached (never the page: it carries a CSRF token); the key
    # holds the notices' generation, so a withdrawn notice never lingers in a list.
    key = f"portal:notices:{notices_generation()}:{request.GET.urlencode()}"
    ids = cache.get(key)
    if ids is None:
        ids = list(_filtered(form).values_list("pk", flat=True)[:5000])
        cache.set(key, ids, 300)
    page = Paginator(ids, 20).get_page(request.GET.get("page"))
    by_id = tracing_selectors.public_notices().in_bulk(list(page.object_list))
    notices = [by_id[pk] for pk in page.object_list if pk in by_id]
    return render(
        request, "portal/notice_list.html", {"form": form, "page": page, "notices": notices}
    )


def _notice(public_id) -> object:
    notice = tracing_selectors.public_notices().filter(public_id=public_id).first()
    if notice is None:
        raise Http404
    return notice


def notice_detail(request: HttpRequest, public_id) -> HttpResponse:
    notice = _notice(public_id)
    form = TipForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if not services.allow(f"tip:{_client(request)}", limit=5, per_seconds=3600):
            form.add_error(None, _("Too many messages from here: please try again later."))
        elif form.is_valid():
            try:
                tip_leave(
                    notice=notice,
                    message=form.cleaned_data["message"],
                    contact=form.cleaned_data["contact"],
                )
            except ValidationError as exc:
                _form_errors(form, exc)
            else:
                messages.success(request, _("Thank you. The station will contact you."))
                return redirect("portal:notice", public_id=notice.public_id)
    return render(request, "portal/notice_detail.html", {"notice": notice, "form": form})


def notice_poster(request: HttpRequest, public_id) -> HttpResponse:
    """The A4 poster to print and put up (寻亲启事), with a QR code to the notice page."""
    from homeward.portal.poster import notice_url, qr_svg

    notice = _notice(public_id)
    url = notice_url(notice)
    return render(request, "portal/poster.html", {"notice": notice, "url": url, "qr": qr_svg(url)})


def notice_photo(request: HttpRequest, public_id) -> FileResponse:
    notice = _notice(public_id)
    if not notice.photo or not default_storage.exists(notice.photo.name):
        raise Http404
    # Every stored photo is a JPEG we wrote (web/images.py); it is served as one, whatever
    # its name, and the browser may not sniff it into anything else.
    response = FileResponse(
        default_storage.open(notice.photo.name, "rb"), content_type="image/jpeg"
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Disposition"] = 'inline; filename="notice.jpg"'
    response["Cache-Control"] = "public, max-age=3600"
    return response


def signup(request: HttpRequest) -> HttpResponse:
    form = SignupForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if not services.allow(f"signup:{_client(request)}", limit=10, per_seconds=3600):
            form.add_error(None, _("Too many sign-ups from here: please try again later."))
        elif form.is_valid():
            d = form.cleaned_data
            try:
                user = services.family_signup(
                    phone=d["phone"], password=d["password"], display_name=d["display_name"]
                )
            except ValidationError as exc:
                _form_errors(form, exc)
            else:
                # The same answer whether or not the number had an account: the code
                # (or, for a known number, a warning) went to the phone, not to this page.
                request.session[SIGNUP_KEY] = {"user": user.pk if user else None, "tries": 0}
                return redirect("portal:verify")
    return render(request, "portal/signup.html", {"form": form})


# A sign-up waiting for its code: the new account's id (None for a number that already had
# one) and the wrong tries made in this browser.
SIGNUP_KEY = "portal.signup"


def _family(request: HttpRequest) -> None:
    if request.user.role != Role.FAMILY:
        raise PermissionDenied


def verify(request: HttpRequest) -> HttpResponse:
    """Enter the code sent by text message: after sign-up (not yet signed in), or signed in
    with a number not yet verified."""
    pending = request.session.get(SIGNUP_KEY)
    if request.user.is_authenticated:
        _family(request)
        user = request.user
    elif pending is not None:
        user = User.objects.filter(pk=pending["user"], role=Role.FAMILY).first()
    else:
        return redirect(f"{reverse('login')}?next={reverse('portal:verify')}")
    form = CodeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and request.POST.get("resend"):
        if user is not None and services.allow(f"code:{user.pk}", limit=3, per_seconds=900):
            services.phone_code_send(user=user)
        messages.info(request, _("A new code is on its way."))
        return redirect("portal:verify")
    if request.method == "POST" and form.is_valid():
        client = _client(request)
        if not (
            services.allow(f"verify-ip:{client}", limit=30, per_seconds=3600)
            and services.allow(f"verify:{user.pk if user else client}", limit=10, per_seconds=3600)
        ):
            form.add_error(None, _("Too many tries: please wait an hour and ask for a new code."))
        elif user is None:
            pending["tries"] += 1
            request.session[SIGNUP_KEY] = pending
            problem = (
                _("The code is not right.")
                if pending["tries"] < services.MAX_ATTEMPTS
                else _("Too many wrong codes: ask for a new one.")
            )
            form.add_error("code", problem)
        else:
            try:
                services.phone_verify(user=user, code=form.cleaned_data["code"])
            except ValidationError as exc:
                _form_errors(form, exc)
            else:
                request.session.pop(SIGNUP_KEY, None)
                if not request.user.is_authenticated:
                    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
                messages.success(request, _("Your phone number is verified."))
                return redirect("portal:me")
    return render(request, "portal/verify.html", {"form": form})


@login_required
def report(request: HttpRequest) -> HttpResponse:
    _family(request)
    if not request.user.phone_verified:
        return redirect("portal:verify")
    form = ReportForm(
        request.POST if request.method == "POST" else None,
        request.FILES or None,
        initial={"contact_phone": request.user.phone, "contact_name": request.user.display_name},
    )
    if request.method == "POST" and form.is_valid():
        try:
            report_file(
                data=form.report_data(),
                by=request.user,
                photos=form.photos(request.FILES),
                relatives=form.relatives(),
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(
                request, _("Your report is filed. A station will check it and contact you.")
            )
            return redirect("portal:me")
    return render(request, "portal/report.html", {"form": form})


@login_required
def me(request: HttpRequest) -> HttpResponse:
    _family(request)
    reports = tracing_selectors.family_reports(request.user)
    return render(
        request, "portal/me.html", {"reports": reports, "week": timezone.now() - timedelta(days=7)}
    )
