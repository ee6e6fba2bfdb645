"""Several dated photos per person: the intake photo becomes the person's first PersonPhoto."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def photos_from_intake(apps, schema_editor):
    Person = apps.get_model("cases", "Person")
    PersonPhoto = apps.get_model("cases", "PersonPhoto")
    for person in Person.objects.exclude(photo="").iterator():
        first = person.stays.order_by("admitted_at").first()
        taken = first.admitted_at.date() if first is not None else person.created_at.date()
        PersonPhoto.objects.create(
            person=person, image=person.photo.name, taken_on=taken, source="intake"
        )


def intake_from_photos(apps, schema_editor):
    Person = apps.get_model("cases", "Person")
    PersonPhoto = apps.get_model("cases", "PersonPhoto")
    for photo in PersonPhoto.objects.order_by("person_id", "taken_on", "id"):
        Person.objects.filter(pk=photo.person_id).update(photo=photo.image.name)


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0005_stay_found_precision"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="PersonPhoto",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("image", models.FileField(upload_to="photos/%Y/%m/", verbose_name="photo")),
                ("taken_on", models.DateField(blank=True, null=True, verbose_name="day taken")),
                (
                    "source",
                    models.CharField(
                        choices=[("intake", "Taken at intake"), ("added", "Added later"), ("imported", "Imported")],
                        default="added",
                        max_length=10,
                        verbose_name="source",
                    ),
                ),
                ("added_at", models.DateTimeField(auto_now_add=True)),
                (
                    "added_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "merged_from",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="cases.person",
                    ),
                ),
                (
                    "person",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="photos", to="cases.person"
                    ),
                ),
            ],
            options={
                "verbose_name": "photo of a person",
                "verbose_name_plural": "photos of people",
                "ordering": ["-taken_on", "-id"],
            },
        ),
        migrations.RunPython(photos_from_intake, intake_from_photos),
        migrations.RemoveField(model_name="person", name="photo"),
    ]
