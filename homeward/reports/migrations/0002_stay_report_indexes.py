"""Indexes on stays for the figures of `reports` (their speed: docs/benchmarks.md).

Created here with SQL, not on `cases.Stay`'s Meta, because they serve the reports
only: the wide ones cover every column a report query reads, so the year's stays
are counted from the index without reading the table row by row.
"""

from django.db import migrations

INDEXES = {
    # intake (person-times, sources, minors, children) and the drill-down's person-times
    "reports_stay_admitted_cover": (
        "admitted_at, station_id, person_id, is_minor, brought_by, "
        "left_behind_child, child_in_plight"
    ),
    # who is in the station at a moment: retention and its trend, the drill-down
    "reports_stay_exited_cover": "exited_at, admitted_at, station_id",
    # the figures of one station
    "reports_stay_station_admitted": "station_id, admitted_at",
}


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0001_open_days_and_complaints"),
        ("cases", "0003_exit_kinship_evidence"),
    ]

    operations = [
        migrations.RunSQL(
            f"CREATE INDEX IF NOT EXISTS {name} ON cases_stay ({columns})",
            f"DROP INDEX IF EXISTS {name}",
        )
        for name, columns in INDEXES.items()
    ]
