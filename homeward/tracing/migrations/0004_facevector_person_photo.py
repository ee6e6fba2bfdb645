"""A found person's face is the embedding of one of their photos (cases 0006)."""

import django.db.models.deletion
from django.db import migrations, models


def faces_to_photos(apps, schema_editor):
    FaceVector = apps.get_model("tracing", "FaceVector")
    PersonPhoto = apps.get_model("cases", "PersonPhoto")
    for face in FaceVector.objects.filter(kind="found", person__isnull=False).order_by("-id"):
        photo = PersonPhoto.objects.filter(person_id=face.person_id, face__isnull=True).first()
        if photo is None:
            face.delete()  # an older embedding of a photo already linked
        else:
            face.person_photo = photo
            face.save(update_fields=["person_photo"])


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0006_person_photos"),
        ("tracing", "0003_candidate_closed"),
    ]

    operations = [
        migrations.AddField(
            model_name="facevector",
            name="person_photo",
            field=models.OneToOneField(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="face",
                to="cases.personphoto",
            ),
        ),
        migrations.RunPython(faces_to_photos, migrations.RunPython.noop),
    ]
