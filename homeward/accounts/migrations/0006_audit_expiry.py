"""The audit trail stays append-only, with one exception on PostgreSQL: the daily retention
job deletes the events older than their legal period, in a transaction that says so
(`SET LOCAL homeward.audit_expiry = 'on'`, homeward/privacy/services.py). Updates are
refused as before, and a delete from anywhere else too."""

from django.db import migrations

PG_UP = """
CREATE OR REPLACE FUNCTION homeward_audit_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' AND current_setting('homeward.audit_expiry', true) = 'on' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'audit events are append-only';
END;
$$ LANGUAGE plpgsql;
"""
PG_DOWN = """
CREATE OR REPLACE FUNCTION homeward_audit_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit events are append-only';
END;
$$ LANGUAGE plpgsql;
"""


def up(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_UP)


def down(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_DOWN)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0005_user_role_partner")]
    operations = [migrations.RunPython(up, down)]
