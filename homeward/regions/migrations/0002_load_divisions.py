"""Load the GB/T 2260 divisions from the table the product carries (matching/data/divisions.csv)."""

from django.db import migrations


def load(apps, schema_editor):
    from homeward.regions.data import read_divisions

    Division = apps.get_model("regions", "Division")
    Division.objects.bulk_create(
        [
            Division(
                code=r.code,
                name=r.name,
                level=r.level,
                parent_id=r.parent_code,
                latitude=r.latitude,
                longitude=r.longitude,
            )
            for r in read_divisions()
        ],
        batch_size=500,
        ignore_conflicts=True,
    )


def unload(apps, schema_editor):
    apps.get_model("regions", "Division").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("regions", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]
