"""Request and response rules that hold for every page and API operation."""

from __future__ import annotations

import json
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _

from homeward.accounts.access import DELEGATED, route_allowed
from homeward.common.text import bad_strings


class ApiTextMiddleware:
    """Query parameters (any page) and JSON bodies (the API) whose strings cannot all be
    kept (a NUL character, a lone surrogate) are answered 400 naming each field, before
    any view or operation runs.

    The operations' own parser would refuse the body only as "cannot parse", or let the
    string reach the database, which refuses it with a 500.
    """

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        api = request.path.startswith("/api/")
        # Query parameters, on every page and operation: many reach a query unchecked
        # (a filter, an area code), and PostgreSQL refuses a NUL with a 500.
        problems = bad_strings(dict(request.GET.lists()))
        if (
            not problems
            and api
            and request.method in ("POST", "PUT", "PATCH")
            and request.content_type == "application/json"
        ):
            try:
                data = json.loads(request.body)
            except (ValueError, UnicodeDecodeError):
                data = None  # the operation says what is wrong with it
            problems = bad_strings(data) if data is not None else {}
        if problems:
            # "status[0]" (a query parameter's first value) reads as "status".
            errors = {name.split("[", 1)[0]: messages for name, messages in problems.items()}
            if not api:
                return HttpResponse(
                    " ".join(f"{name}: {' '.join(m)}" for name, m in errors.items()),
                    status=400,
                    content_type="text/plain; charset=utf-8",
                )
            return JsonResponse(
                {"detail": _("Some fields are not valid."), "errors": errors}, status=400
            )
        return self.get_response(request)


# Powerful browser features no page of ours uses; geolocation only where a page asks for
# the user's own position (the public help form, the street team's phone).
PERMISSIONS_POLICY = (
    "accelerometer=(), autoplay=(), camera=(), display-capture=(), encrypted-media=(), "
    "geolocation=(self), gyroscope=(), magnetometer=(), microphone=(), midi=(), payment=(), "
    "usb=(), interest-cohort=()"
)


def content_security_policy() -> str:
    """No script but our own files: no inline script, no eval, nothing from elsewhere.
    Inline styles stay allowed (Leaflet and ECharts set them; they run no code)."""
    images = ["'self'", "data:", "blob:"]
    tiles = getattr(settings, "MAP_TILE_URL", "")
    if tiles:
        parts = urlsplit(tiles)
        if parts.scheme in ("http", "https") and parts.netloc:
            images.append(f"{parts.scheme}://{parts.netloc.replace('{s}', '*')}")
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self' 'unsafe-inline'",
            f"img-src {' '.join(images)}",
            "connect-src 'self'",
            "font-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


class PdfFontMiddleware:
    """A PDF that cannot be made for want of a Chinese font is a page that says so, with
    what to do (503: the server, not the user, lacks something), never a bare 500."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception):
        from django.shortcuts import render

        from homeward.common.pdf import PdfFontMissing

        if isinstance(exception, PdfFontMissing):
            return render(request, "web/pdf_unavailable.html", status=503)
        return None


class SecurityHeadersMiddleware:
    """Content-Security-Policy and Permissions-Policy on every answer."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response
        self.csp = content_security_policy()

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.setdefault("Content-Security-Policy", self.csp)
        response.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response


class AccessMiddleware:
    """Every page goes through the permission map (`accounts.access`) before its view.

    The API's operations are checked by its authentication (`homeward.api`), where a
    bearer token's user is known; Django's admin checks its own staff flag.
    """

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):
        match = request.resolver_match
        if match is None or match.namespace in DELEGATED or match.namespace == "api":
            return None
        route = f"{match.namespace}:{match.url_name}" if match.namespace else match.url_name
        if route_allowed(request.user, route, request.method or "GET"):
            return None
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        raise PermissionDenied
