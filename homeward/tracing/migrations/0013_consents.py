"""Consent records: a relative's consent to their DNA, a family's to alerts that name them.

Profiles entered before this migration have no recorded consent: they are not compared
until the station records the relative's consent on the report's page (PIPL art. 29 asks
for a separate consent, and no record of one exists)."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('tracing', '0012_search_pools'),
    ]

    operations = [
        migrations.AddField(
            model_name='missingreport',
            name='publish_consent',
            field=models.BooleanField(default=False, verbose_name='alerts may name the missing person'),
        ),
        migrations.AddField(
            model_name='missingreport',
            name='publish_consent_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='relative',
            name='consent',
            field=models.CharField(blank=True, choices=[('', 'Not recorded'), ('search', 'To search for the missing person; erased when the case ends'), ('keep', 'To search, and to keep the profile after the case ends')], max_length=6, verbose_name='consent'),
        ),
        migrations.AddField(
            model_name='relative',
            name='consent_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='consent given at'),
        ),
        migrations.AddField(
            model_name='relative',
            name='consent_ref',
            field=models.CharField(blank=True, max_length=50, verbose_name='consent form'),
        ),
    ]
