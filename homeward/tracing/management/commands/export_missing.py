import sys

from django.core.management.base import BaseCommand, CommandError

from homeward.tracing.hwx import export_missing
from homeward.tracing.models import MissingReport


class Command(BaseCommand):
    help = "Write verified missing reports as HWX JSON Lines (relatives' DNA included)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--out", default="-", help="file to write (default: standard output)")
        parser.add_argument("--station", type=int, help="only this station's reports (id)")

    def handle(self, *args, out: str, station: int | None, **options) -> None:
        reports = MissingReport.objects.filter(
            status=MissingReport.Status.VERIFIED
        ).prefetch_related("photos", "relatives")
        if station is not None:
            reports = reports.filter(station_id=station)
        reports = reports.order_by("pk")
        if out == "-":
            count = export_missing(reports, sys.stdout)
        else:
            try:
                with open(out, "w", encoding="utf-8") as handle:
                    count = export_missing(reports, handle)
            except OSError as exc:
                raise CommandError(f"cannot write {out}: {exc}") from None
        self.stderr.write(f"{count} missing reports written")
