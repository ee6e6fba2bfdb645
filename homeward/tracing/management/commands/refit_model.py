from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = (
        "Fit the attribute model to this site's people and reports now (it is done nightly) "
        "and print what the fit did; the search uses it from then on."
    )

    def handle(self, *args, **options) -> None:
        from homeward.tracing.services.learning import attribute_model_refit

        report = attribute_model_refit()
        for line in report.lines():
            self.stdout.write(line)
