"""The public portal: notices anyone may browse, tips, and families' own reports."""

from __future__ import annotations

from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.db.models import F, Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from homeward.common.forms import form_errors
from homeward.portal import services
from homeward.portal.forms import NoticeFilter, TipForm
from homeward.tracing import selectors as tracing_selectors
from homeward.tracing.services import tip_leave
from homeward.tracing.services.notices import notices_generation


def _client(request: HttpRequest) -> str:
    return request.META.get("REMOTE_ADDR", "?")


def _filtered(form: NoticeFilter):
    """The notices the valid filters keep (an invalid one is reported by its field and
    left out), in the one order the page states: the most recently found first."""
    notices = tracing_selectors.public_notices()
    form.is_valid()
    d = {name: None for name in form.fields} | getattr(form, "cleaned_data", {})
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
    return notices.order_by(F("found_on").desc(nulls_last=True), "-published_at", "-pk")


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
                form_errors(form, exc)
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
    # Every stored photo is a JPEG we wrote (common/images.py); it is served as one, whatever
    # its name, and the browser may not sniff it into anything else.
    response = FileResponse(
        default_storage.open(notice.photo.name, "rb"), content_type="image/jpeg"
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Disposition"] = 'inline; filename="notice.jpg"'
    response["Cache-Control"] = "public, max-age=3600"
    return response
