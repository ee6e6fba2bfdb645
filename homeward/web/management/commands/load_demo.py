from django.core.management.base import BaseCommand

from homeward.web.demo import demo_load


class Command(BaseCommand):
    help = "Load the demo stations and users (idempotent)."

    def handle(self, *args, **options) -> None:
        added = demo_load()
        self.stdout.write(
            f"demo data: {added['stations']} stations, {added['users']} users "
            f"and {added['stays']} stays added"
        )
