"""The HTTP API under /api/, with OpenAPI docs at /api/docs.

Staff use it with their session (CSRF-checked); partner systems with a bearer
token. Scoping is the same as in the staff UI: it comes from the selectors.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Schema
from ninja.errors import HttpError
from ninja.errors import ValidationError as NinjaValidationError
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


class Error(Schema):
    """Every error answer of the API: what went wrong, and by field where a field is at
    fault (a body field's name, a query parameter's, or a header's)."""

    detail: str
    errors: dict[str, list[str]] | None = None


# The error answers every operation may give, declared once for the whole document.
ERRORS = {
    400: "A field is not valid (the service's checks): see errors.",
    401: "No session and no valid bearer token.",
    403: "The role or the token's scopes do not allow this.",
    404: "No such record, or not in the caller's scope (the same answer).",
    409: "The request conflicts with what is there (an Idempotency-Key reused).",
    422: "The request does not have the declared shape: see errors.",
}


class HomewardAPI(NinjaAPI):
    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        components["Error"] = Error.model_json_schema()
        ref = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
        for item in schema.get("paths", {}).values():
            for operation in item.values():
                responses = operation.setdefault("responses", {})
                for code, text in ERRORS.items():
                    if code == 401 and not operation.get("security"):
                        continue  # a public operation asks nobody to sign in
                    responses.setdefault(code, {"description": text, **ref})
        return schema


api = HomewardAPI(
    title="Homeward API",
    version="1",
    description="Relief management stations and family tracing.",
    auth=[BearerToken(), StaffSession()],
    urls_namespace="api",
)


@api.exception_handler(NinjaValidationError)
def _shape_error(request: HttpRequest, exc: NinjaValidationError):
    errors: dict[str, list[str]] = {}
    for error in exc.errors:
        location = [str(part) for part in error.get("loc", ()) if part not in ("body", "payload")]
        errors.setdefault(".".join(location[-2:] if location else ["body"]), []).append(
            str(error.get("msg", ""))
        )
    return api.create_response(
        request,
        {"detail": _("The request does not have the declared shape."), "errors": errors},
        status=422,
    )


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError):
    detail = _("Sign in, or send a bearer token.") if exc.status_code == 401 else str(exc)
    return api.create_response(request, {"detail": detail}, status=exc.status_code)


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404):
    return api.create_response(request, {"detail": _("Not found.")}, status=404)


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
