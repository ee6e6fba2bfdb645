from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema

router = Router(tags=["accounts"])


class MeOut(Schema):
    username: str
    display_name: str
    role: str
    role_label: str
    station_id: int | None
    division_code: str | None
    permissions: list[str]


@router.get("", response=MeOut, summary="The signed-in user, their role and scope")
def me(request: HttpRequest):
    user = request.user
    return MeOut(
        username=user.username,
        display_name=str(user),
        role=user.role,
        role_label=str(user.get_role_display()),
        station_id=user.station_id,
        division_code=user.division_id,
        permissions=sorted(user.get_all_permissions()),
    )
