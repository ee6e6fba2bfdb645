import sys

from django.core.management.base import BaseCommand, CommandError

from homeward.tracing.pfif import (
    PfifDomainError,
    check_pfif,
    closed_reports,
    export_pfif,
    public_reports,
    withdrawn_notices,
)
from homeward.tracing.selectors import public_notices


class Command(BaseCommand):
    help = (
        "Write verified reports and public notices, with tips and reunions, as PFIF 1.4 XML; "
        "reports closed and notices withdrawn since go out as expired placeholders."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--out", default="-", help="file to write (default: standard output)")

    def handle(self, *args, out: str, **options) -> None:
        try:
            document = export_pfif(
                public_reports(),
                public_notices().prefetch_related("tips"),
                closed=closed_reports(),
                withdrawn=withdrawn_notices(),
            )
        except PfifDomainError as exc:
            raise CommandError(str(exc)) from None
        problems = check_pfif(document)
        if problems:  # never hand another system a file that breaks PFIF
            raise CommandError("\n".join(["the export breaks PFIF 1.4:", *map(str, problems)]))
        if out == "-":
            sys.stdout.buffer.write(document)
            return
        try:
            with open(out, "wb") as handle:
                handle.write(document)
        except OSError as exc:
            raise CommandError(f"cannot write {out}: {exc}") from None
