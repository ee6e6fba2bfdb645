from django.core.management.base import BaseCommand, CommandError

from homeward.stations.models import Station
from homeward.tracing.hwx import import_missing


class Command(BaseCommand):
    help = "Register missing reports from an HWX JSON Lines file under a station."

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", help="HWX file of missing records")
        parser.add_argument("--station", type=int, required=True, help="the receiving station (id)")
        parser.add_argument("--source", default="HWX", help="who sent the file (kept as contact)")

    def handle(self, *args, file: str, station: int, source: str, **options) -> None:
        target = Station.objects.filter(pk=station).first()
        if target is None:
            raise CommandError(f"--station: no station with id {station}")
        try:
            with open(file, encoding="utf-8") as handle:
                report = import_missing(handle, station=target, by=None, source=source)
        except OSError as exc:
            raise CommandError(f"cannot read {file}: {exc}") from None
        for error in report.errors or []:
            self.stderr.write(str(error))
        self.stdout.write(
            f"{report.imported} imported, {report.skipped} already there, "
            f"{len(report.errors or [])} lines refused"
        )
