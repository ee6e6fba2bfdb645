import sys

from django.core.management.base import BaseCommand, CommandError

from homeward.cases.hwx import export_found
from homeward.cases.models import Stay


class Command(BaseCommand):
    help = "Write found persons (unidentified people helped by stations) as HWX JSON Lines."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--out", default="-", help="file to write (default: standard output)")
        parser.add_argument("--station", type=int, help="only this station's people (id)")
        parser.add_argument(
            "--in-station", action="store_true", help="only people in a station now"
        )

    def handle(self, *args, out: str, station: int | None, in_station: bool, **options) -> None:
        stays = Stay.objects.select_related("person", "station").order_by(
            "person_id", "-admitted_at"
        )
        if station is not None:
            stays = stays.filter(station_id=station)
        if in_station:
            stays = stays.filter(status=Stay.Status.IN_STATION)
        if out == "-":
            count = export_found(stays, sys.stdout)
        else:
            try:
                with open(out, "w", encoding="utf-8") as handle:
                    count = export_found(stays, handle)
            except OSError as exc:
                raise CommandError(f"cannot write {out}: {exc}") from None
        self.stderr.write(f"{count} found persons written")
