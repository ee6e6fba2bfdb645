"""Each stay carries its person's sex, latest possible birth date and conditions (as
bits), copied by `Person.save` and `Stay.save`, so the yearly report reads the stays
alone. Existing stays are filled from their people here."""

from django.db import migrations, models


# CONDITIONS' codes in their order when this migration was written (bit i: code i).
CODES = (
    "intellectual_disability",
    "mental_illness",
    "dementia",
    "hearing_speech",
    "physical_disability",
    "none_observed",
)


def fill(apps, schema_editor):
    """One UPDATE over all stays (a JSON code is found as its quoted text)."""
    text = (
        "p.conditions::text" if schema_editor.connection.vendor == "postgresql" else "p.conditions"
    )
    bits = " + ".join(
        f"(CASE WHEN {text} LIKE '%\"{code}\"%' THEN {1 << k} ELSE 0 END)"
        for k, code in enumerate(CODES)
    )
    facts = f"p.sex, COALESCE(p.birth_date, p.born_before), {bits}"
    schema_editor.execute(
        "UPDATE cases_stay SET (person_sex, person_born, person_conditions) = "
        f"(SELECT {facts} FROM cases_person p WHERE p.id = cases_stay.person_id)",
        params=None,  # the SQL holds % signs: no placeholders to fill
    )


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0003_exit_kinship_evidence"),
    ]

    operations = [
        migrations.AddField(
            model_name="stay",
            name="person_born",
            field=models.DateField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name="stay",
            name="person_conditions",
            field=models.PositiveIntegerField(default=0, editable=False),
        ),
        migrations.AddField(
            model_name="stay",
            name="person_sex",
            field=models.CharField(default="U", editable=False, max_length=1),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
