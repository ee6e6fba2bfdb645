from django.core.management.base import BaseCommand, CommandError

from homeward.web.demo import demo_load, demo_refusal


class Command(BaseCommand):
    help = (
        "Load the demo stations and users (idempotent), into the embedded demo database only: "
        "it refuses PostgreSQL or a database with other records unless told --yes-demo."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--yes-demo",
            action="store_true",
            help="load the demo (published password, a superuser) into this database anyway",
        )
        parser.add_argument(
            "--skip-refused",
            action="store_true",
            help="where the demo is refused, say why and go on (make run starts the server)",
        )

    def handle(self, *args, yes_demo: bool = False, skip_refused: bool = False, **options) -> None:
        refusal = demo_refusal()
        if refusal and not yes_demo and skip_refused:
            self.stderr.write(f"demo data not loaded: {refusal}")
            return
        if refusal and not yes_demo:
            raise CommandError(f"{refusal} Nothing was loaded. To load it anyway: --yes-demo")
        added = demo_load()
        self.stdout.write(
            f"demo data: {added['stations']} stations, {added['users']} users "
            f"and {added['stays']} stays added"
        )
