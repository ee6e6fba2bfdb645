from django.core.management.base import BaseCommand, CommandError

from homeward.stations.models import Station
from homeward.tracing.pfif import import_pfif


class Command(BaseCommand):
    help = (
        "Import PFIF 1.1 to 1.4 persons (as reports awaiting verification) and notes; a person "
        "expired at its source closes our copy."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", help="PFIF XML file")
        parser.add_argument("--station", type=int, required=True, help="the receiving station (id)")
        parser.add_argument("--source", default="PFIF", help="who sent the file (kept as contact)")

    def handle(self, *args, file: str, station: int, source: str, **options) -> None:
        target = Station.objects.filter(pk=station).first()
        if target is None:
            raise CommandError(f"--station: no station with id {station}")
        try:
            with open(file, "rb") as handle:
                result = import_pfif(handle.read(), station=target, by=None, source=source)
        except OSError as exc:
            raise CommandError(f"cannot read {file}: {exc}") from None
        for error in result.errors:
            self.stderr.write(error)
        if not result.version:
            raise CommandError(f"{file}: nothing imported")
        self.stdout.write(
            f"PFIF {result.version}: {result.imported} persons imported, "
            f"{result.skipped} skipped, {result.expired} closed as expired at their source, "
            f"{result.notes} notes added, {len(result.errors)} refused"
        )
