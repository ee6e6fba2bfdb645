"""A family's own pages on the portal: sign up, verify the number, reset a forgotten
password by a code, file a report and follow it (add to it, withdraw it)."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from homeward.accounts.models import Role, User
from homeward.common.forms import form_errors
from homeward.portal import services
from homeward.portal.forms import (
    CodeForm,
    EraseMyReportForm,
    PhoneForm,
    ReportAddForm,
    ResetForm,
    SignupForm,
    WithdrawForm,
)
from homeward.tracing import selectors as tracing_selectors
from homeward.tracing.forms import ReportForm
from homeward.tracing.models import MissingReport
from homeward.tracing.services import report_file
from homeward.tracing.services.family import (
    report_add,
    report_publish_consent,
    report_withdraw,
)

# A sign-up waiting for its code: the new account's id (None for a number that already had
# one), the number the code went to, and the wrong tries made in this browser.
SIGNUP_KEY = "portal.signup"
# A password reset waiting for its code, kept the same way.
RESET_KEY = "portal.reset"
# The number a signed-in family asked to move to, as the code page shows it.
CHANGE_KEY = "portal.change"
BACKEND = "django.contrib.auth.backends.ModelBackend"


def _client(request: HttpRequest) -> str:
    return request.META.get("REMOTE_ADDR", "?")


def _family(request: HttpRequest) -> None:
    if request.user.role != Role.FAMILY:
        raise PermissionDenied


def _wrong_code(request: HttpRequest, key: str, form) -> None:
    """A code given for a number with no account of this flow: counted like a real one."""
    pending = request.session[key]
    pending["tries"] += 1
    request.session[key] = pending
    form.add_error("code", services.wrong_code_message(pending["tries"]))


def _may_try(request: HttpRequest, user: User | None) -> bool:
    client = _client(request)
    return services.allow(f"verify-ip:{client}", limit=30, per_seconds=3600) and services.allow(
        f"verify:{user.pk if user else client}", limit=10, per_seconds=3600
    )


def _send_again(user: User | None, target: str) -> None:
    """A new code to where the last one went (`services.code_resend`), a few an hour."""
    if user is not None and services.allow(f"code:{user.pk}", limit=3, per_seconds=900):
        services.code_resend(user=user, to=target)


def _pending_user(pending: dict) -> User | None:
    """The account a sign-up in this browser made, while it still waits for its first code
    (a day at most): a session left behind cannot touch an account in use."""
    return User.objects.filter(
        pk=pending.get("user"),
        role=Role.FAMILY,
        phone_verified=False,
        date_joined__gte=timezone.now() - timedelta(days=1),
    ).first()


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
                form_errors(form, exc)
            else:
                # The same answer whether or not the number had an account: the code
                # (or, for a known number, a warning) went to the phone, not to this page.
                request.session[SIGNUP_KEY] = {
                    "user": user.pk if user else None,
                    "phone": services.normalise_phone(d["phone"]),
                    "tries": 0,
                }
                return redirect("portal:verify")
    return render(request, "portal/signup.html", {"form": form})


def verify(request: HttpRequest) -> HttpResponse:
    """Enter the code sent by text message: after sign-up (not yet signed in), or signed in
    with a number not yet verified or being changed. The page says where the code went,
    and a wrong number is changed here."""
    pending = request.session.get(SIGNUP_KEY)
    if request.user.is_authenticated:
        _family(request)
        user = request.user
        sent_to = request.session.get(CHANGE_KEY) or services.code_sent_to(user)
        if not sent_to:
            if user.phone_verified:
                return redirect("portal:me")  # nothing is waiting for a code
            sent_to = user.phone
    elif pending is not None:
        user = _pending_user(pending)
        if pending.get("user") and user is None:
            request.session.pop(SIGNUP_KEY, None)
            messages.info(request, _("That sign-up has expired: please sign up again."))
            return redirect("portal:signup")
        sent_to = pending.get("phone", "")
    else:
        return redirect(f"{reverse('login')}?next={reverse('portal:verify')}")
    post = request.POST if request.method == "POST" else None
    form = CodeForm(post if post and "code" in post else None)
    change = PhoneForm(post if post and "phone" in post else None)
    if post and post.get("resend"):
        _send_again(user, sent_to)
        messages.info(request, _("A new code is on its way."))
        return redirect("portal:verify")
    if post and "phone" in post and change.is_valid():
        if not services.allow(f"change:{_client(request)}", limit=5, per_seconds=3600):
            change.add_error(None, _("Too many changes from here: please try again later."))
        else:
            try:
                if user is not None:
                    sent_to = services.phone_change(user=user, phone=change.cleaned_data["phone"])
                else:
                    sent_to = services.normalise_phone(change.cleaned_data["phone"])
            except ValidationError as exc:
                form_errors(change, exc)
            else:
                if request.user.is_authenticated:
                    request.session[CHANGE_KEY] = sent_to
                else:
                    pending.update(phone=sent_to, tries=0)
                    request.session[SIGNUP_KEY] = pending
                messages.info(request, _("A new code is on its way."))
                return redirect("portal:verify")
    if post and "code" in post and form.is_valid():
        if not _may_try(request, user):
            form.add_error(None, _("Too many tries: please wait an hour and ask for a new code."))
        elif user is None:
            _wrong_code(request, SIGNUP_KEY, form)
        else:
            try:
                services.phone_verify(user=user, code=form.cleaned_data["code"])
            except ValidationError as exc:
                form_errors(form, exc)
            else:
                request.session.pop(SIGNUP_KEY, None)
                request.session.pop(CHANGE_KEY, None)
                if not request.user.is_authenticated:
                    login(request, user, backend=BACKEND)
                messages.success(request, _("Your phone number is verified."))
                return redirect("portal:me")
    return render(
        request,
        "portal/verify.html",
        {"form": form, "change": change, "sent_to": services.mask_phone(sent_to)},
    )


def reset(request: HttpRequest) -> HttpResponse:
    """A forgotten password: a code goes to the family account's number."""
    form = PhoneForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        if not services.allow(f"reset:{_client(request)}", limit=10, per_seconds=3600):
            form.add_error(None, _("Too many tries from here: please try again later."))
        else:
            try:
                phone = services.normalise_phone(form.cleaned_data["phone"])
                user = (
                    services.password_reset_request(phone=phone)
                    if services.allow(f"reset:{phone}", limit=3, per_seconds=900)
                    else None
                )
            except ValidationError as exc:
                form_errors(form, exc)
            else:
                # The same answer for any number: whether it has an account is not said.
                request.session[RESET_KEY] = {
                    "user": user.pk if user else None,
                    "phone": phone,
                    "tries": 0,
                }
                return redirect("portal:reset-code")
    return render(request, "portal/reset.html", {"form": form})


def reset_code(request: HttpRequest) -> HttpResponse:
    pending = request.session.get(RESET_KEY)
    if pending is None:
        return redirect("portal:reset")
    user = User.objects.filter(pk=pending["user"], role=Role.FAMILY).first()
    form = ResetForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and request.POST.get("resend"):
        _send_again(user, "")
        messages.info(request, _("A new code is on its way."))
        return redirect("portal:reset-code")
    if request.method == "POST" and form.is_valid():
        if not _may_try(request, user):
            form.add_error(None, _("Too many tries: please wait an hour and ask for a new code."))
        elif user is None:
            _wrong_code(request, RESET_KEY, form)
        else:
            try:
                services.password_reset(
                    user=user,
                    code=form.cleaned_data["code"],
                    password=form.cleaned_data["password"],
                )
            except ValidationError as exc:
                form_errors(form, exc)
            else:
                request.session.pop(RESET_KEY, None)
                login(request, user, backend=BACKEND)
                messages.success(request, _("Your new password is set; you are signed in."))
                return redirect("portal:me")
    return render(
        request,
        "portal/reset_code.html",
        {"form": form, "sent_to": services.mask_phone(pending["phone"])},
    )


@login_required
def phone(request: HttpRequest) -> HttpResponse:
    """A signed-in family sees its number and moves the account to another one."""
    _family(request)
    form = PhoneForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        if not services.allow(f"change:{request.user.pk}", limit=5, per_seconds=3600):
            form.add_error(None, _("Too many changes: please try again later."))
        else:
            try:
                moving_to = services.phone_change(
                    user=request.user, phone=form.cleaned_data["phone"]
                )
            except ValidationError as exc:
                form_errors(form, exc)
            else:
                request.session[CHANGE_KEY] = moving_to
                messages.info(request, _("A code is on its way to the new number."))
                return redirect("portal:verify")
    return render(
        request,
        "portal/phone.html",
        {"form": form, "number": services.mask_phone(request.user.phone)},
    )


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
            filed = report_file(
                data=form.report_data(),
                by=request.user,
                photos=form.photos(request.FILES),
                relatives=form.relatives(),
            )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(
                request, _("Your report is filed. A station will check it and contact you.")
            )
            return redirect("portal:my-report", public_id=filed.public_id)
    return render(request, "portal/report.html", {"form": form})


@login_required
def me(request: HttpRequest) -> HttpResponse:
    _family(request)
    return render(
        request,
        "portal/me.html",
        {
            "reports": tracing_selectors.family_reports(request.user),
            "number": services.mask_phone(request.user.phone),
        },
    )


@login_required
def my_report(request: HttpRequest, public_id) -> HttpResponse:
    """One of the family's reports: where it stands, who handles it, what happens next; add
    to it or withdraw it."""
    _family(request)
    report = tracing_selectors.family_report(request.user, public_id, request=request)
    post = request.POST if request.method == "POST" else None
    add = ReportAddForm(
        post if post and post.get("action") == "add" else None, request.FILES or None
    )
    withdraw = WithdrawForm(post if post and post.get("action") == "withdraw" else None)
    try:
        if post and post.get("action") == "add" and add.is_valid():
            d = add.cleaned_data
            report_add(
                report=report,
                by=request.user,
                text=d["text"],
                photo=d["photo"],
                photo_year=d["photo_year"],
            )
            messages.success(request, _("Added to your report. The station sees it."))
            return redirect("portal:my-report", public_id=public_id)
        if post and post.get("action") in ("consent", "no-consent"):
            given = post["action"] == "consent"
            report_publish_consent(report=report, by=request.user, given=given)
            messages.success(
                request,
                _("Alerts may now name your family member.")
                if given
                else _("No alert will name your family member."),
            )
            return redirect("portal:my-report", public_id=public_id)
        if post and post.get("action") == "withdraw" and withdraw.is_valid():
            report_withdraw(report=report, by=request.user, reason=withdraw.cleaned_data["reason"])
            messages.success(request, _("Your report is withdrawn: it is no longer searched."))
            return redirect("portal:my-report", public_id=public_id)
    except ValidationError as exc:
        form_errors(withdraw if post.get("action") == "withdraw" else add, exc)
    return render(
        request,
        "portal/my_report.html",
        {
            "report": report,
            "timeline": tracing_selectors.report_timeline(report),
            "station": tracing_selectors.report_contact_station(report),
            "open": report.status in (MissingReport.Status.PENDING, MissingReport.Status.VERIFIED),
            "add": add,
            "withdraw": withdraw,
        },
    )


@login_required
def my_report_data(request: HttpRequest, public_id) -> HttpResponse:
    """Everything Homeward holds of the family's report, as a ZIP (JSON, PDF, photos)."""
    from homeward.privacy.exports import report_export

    _family(request)
    report = tracing_selectors.family_report(request.user, public_id, request=request)
    response = HttpResponse(
        report_export(report, by=request.user, request=request), content_type="application/zip"
    )
    response["Content-Disposition"] = f'attachment; filename="homeward-{report.public_id}.zip"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
def my_report_erase(request: HttpRequest, public_id) -> HttpResponse:
    """The family erases its report: it is withdrawn and everything it holds is erased."""
    from homeward.privacy.services import report_erase

    _family(request)
    report = tracing_selectors.family_report(request.user, public_id, request=request)
    form = EraseMyReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            receipt = report_erase(
                report=report, by=request.user, reason=_("The family asked on the portal.")
            )
        except ValidationError as exc:  # a reunion under way: said on the form, nothing lost
            form.add_error(None, " ".join(exc.messages))
            return render(request, "portal/my_report_erase.html", {"report": report, "form": form})
        messages.success(
            request,
            _("Your report is erased. Copies kept in the station's backups are gone by %(day)s.")
            % {"day": timezone.localdate(receipt.backups_expire_by).isoformat()},
        )
        return redirect("portal:me")
    return render(request, "portal/my_report_erase.html", {"report": report, "form": form})
