"""The HTTP API under /api/, with OpenAPI docs at /api/docs.

Staff use it with their session (CSRF-checked); partner systems with a bearer
token. Scoping is the same as in the staff UI: it comes from the selectors.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.security import HttpBearer, SessionAuth

from homeward.accounts.access import SECTIONS, route_allowed, route_section
from homeward.accounts.api import router as accounts_router
from homeward.accounts.models import ApiToken
from homeward.accounts.services import api_token_authenticate
from homeward.campaigns.api import router as campaigns_router
from homeward.cases.api import router as cases_router
from homeward.dispatch.api import router as dispatch_router
from homeward.regions.api import router as regions_router
from homeward.stations.api import router as stations_router
from homeward.tracing.api import router as tracing_router


def _through_the_map(request: HttpRequest, user, token: ApiToken | None = None):
    """Every authenticated operation goes through the permission map (accounts/access.py),
    and a token's call through its scopes too. Raises PermissionDenied (a 403)."""
    match = request.resolver_match
    route, method = f"api:{match.url_name if match else ''}", request.method or "GET"
    if not route_allowed(user, route, method):
        raise PermissionDenied
    if token is not None:
        section, level = route_section(route, method) or ("", "")
        if section in SECTIONS and not token.allows(section, level):
            raise PermissionDenied(_("This token may not do this: see its scopes."))
    return user


class BearerToken(HttpBearer):
    """A partner system's token (accounts.services.api_token_create)."""

    def authenticate(self, request: HttpRequest, token: str):
        found = api_token_authenticate(token)
        if found is None:
            return None
        request.user = found.user
        return _through_the_map(request, found.user, found)


class StaffSession(SessionAuth):
    """Staff signed in to the site. A request with no session is a 401 (sign in), not the
    CSRF 403 a session check would give it first."""

    def _get_key(self, request: HttpRequest):
        if not request.user.is_authenticated:
            return None
        return super()._get_key(request)

    def authenticate(self, request: HttpRequest, key):
        user = super().authenticate(request, key)
        return None if user is None else _through_the_map(request, user)


api = NinjaAPI(
    title="Homeward API",
    version="1",
    description="Relief management stations and family tracing.",
    auth=[BearerToken(), StaffSession()],
    urls_namespace="api",
)


@api.exception_handler(ValidationError)
def _validation_error(request: HttpRequest, exc: ValidationError):
    errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    return api.create_response(
        request, {"detail": _("Some fields are not valid."), "errors": errors}, status=400
    )


@api.exception_handler(PermissionDenied)
def _permission_denied(request: HttpRequest, exc: PermissionDenied):
    return api.create_response(
        request, {"detail": _("You do not have permission to do this.")}, status=403
    )


api.add_router("/me", accounts_router)
api.add_router("/regions", regions_router)
api.add_router("/stations", stations_router)
api.add_router("/cases", cases_router)
api.add_router("/dispatch", dispatch_router)
api.add_router("/campaigns", campaigns_router)
api.add_router("/tracing", tracing_router)
api.add_router("/reports", "homeward.reports.api.router")
