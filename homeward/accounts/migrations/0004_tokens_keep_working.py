"""Tokens made before scopes and expiry: what their user's role grants, for 90 days."""

from datetime import timedelta

from django.db import migrations
from django.utils import timezone


def give_scopes(apps, schema_editor):
    from homeward.accounts.access import ACCESS, READ, SECTIONS, WRITE

    ApiToken = apps.get_model("accounts", "ApiToken")
    expires = timezone.now() + timedelta(days=90)
    for token in ApiToken.objects.select_related("user").filter(expires_at__isnull=True):
        user = token.user
        granted = ACCESS.get(user.role, {})
        scopes = [
            f"{section}:{level}"
            for section in SECTIONS
            for level in (READ, WRITE)
            if user.is_superuser or granted.get(section) in (level, WRITE)
        ]
        ApiToken.objects.filter(pk=token.pk).update(scopes=scopes, expires_at=expires)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0003_token_scopes_and_expiry")]

    operations = [migrations.RunPython(give_scopes, migrations.RunPython.noop)]
