"""The HTTP API under /api/, with OpenAPI docs at /api/docs.

Staff use it with their session (CSRF-checked); partner systems with a bearer
token. Scoping is the same as in the staff UI: it comes from the selectors.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.security import HttpBearer, django_auth

from homeward.accounts.api import router as accounts_router
from homeward.accounts.services import api_token_authenticate
from homeward.campaigns.api import router as campaigns_router
from homeward.cases.api import router as cases_router
from homeward.dispatch.api import router as dispatch_router
from homeward.regions.api import router as regions_router
from homeward.stations.api import router as stations_router
from homeward.tracing.api import router as tracing_router


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str):
        user = api_token_authenticate(token)
        if user is not None:
            request.user = user
        return user


api = NinjaAPI(
    title="Homeward API",
    version="1",
    description="Relief management stations and family tracing.",
    auth=[BearerToken(), django_auth],
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
