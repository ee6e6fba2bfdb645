"""The stays' covering index for intake figures now holds the person's facts copied onto
each stay (cases migration 0004), so every intake figure is read from the index alone; and
reunions, exits and notices, counted by their stay's station, find the stay's station and
intake time in a narrow index instead of the wide table."""

from django.db import migrations

COLUMNS = (
    "admitted_at, station_id, person_id, is_minor, brought_by, left_behind_child, "
    "child_in_plight, person_sex, person_born, person_conditions"
)
BEFORE = (
    "admitted_at, station_id, person_id, is_minor, brought_by, left_behind_child, "
    "child_in_plight"
)


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0002_stay_report_indexes"),
        ("cases", "0004_stay_person_facts"),
    ]

    operations = [
        migrations.RunSQL(
            [
                "DROP INDEX IF EXISTS reports_stay_admitted_cover",
                f"CREATE INDEX reports_stay_admitted_cover ON cases_stay ({COLUMNS})",
                "CREATE INDEX IF NOT EXISTS reports_stay_id_cover "
                "ON cases_stay (id, station_id, admitted_at)",
            ],
            [
                "DROP INDEX IF EXISTS reports_stay_id_cover",
                "DROP INDEX IF EXISTS reports_stay_admitted_cover",
                f"CREATE INDEX reports_stay_admitted_cover ON cases_stay ({BEFORE})",
            ],
        )
    ]
