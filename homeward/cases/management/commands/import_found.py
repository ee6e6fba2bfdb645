from django.core.management.base import BaseCommand, CommandError

from homeward.cases.hwx import import_found
from homeward.stations.models import Station


class Command(BaseCommand):
    help = "Register found persons from an HWX JSON Lines file at a station."

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", help="HWX file of found records")
        parser.add_argument("--station", type=int, required=True, help="the receiving station (id)")

    def handle(self, *args, file: str, station: int, **options) -> None:
        target = Station.objects.filter(pk=station).first()
        if target is None:
            raise CommandError(f"--station: no station with id {station}")
        try:
            with open(file, encoding="utf-8") as handle:
                report = import_found(handle, station=target, by=None)
        except OSError as exc:
            raise CommandError(f"cannot read {file}: {exc}") from None
        for error in report.errors or []:
            self.stderr.write(str(error))
        self.stdout.write(
            f"{report.imported} imported, {report.skipped} already there, "
            f"{len(report.errors or [])} lines refused"
        )
