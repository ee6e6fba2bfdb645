import sys

from django.core.management.base import BaseCommand, CommandError

from homeward.tracing.pfif import export_pfif, public_reports
from homeward.tracing.selectors import public_notices


class Command(BaseCommand):
    help = "Write verified reports and public notices, with tips and reunions, as PFIF 1.4 XML."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--out", default="-", help="file to write (default: standard output)")

    def handle(self, *args, out: str, **options) -> None:
        document = export_pfif(public_reports(), public_notices().prefetch_related("tips"))
        if out == "-":
            sys.stdout.buffer.write(document)
            return
        try:
            with open(out, "wb") as handle:
                handle.write(document)
        except OSError as exc:
            raise CommandError(f"cannot write {out}: {exc}") from None
