"""`homeward privacy retention` applies the retention table now; `homeward privacy table`
prints it; `homeward privacy export|erase report|person ID` answers a request."""

from __future__ import annotations

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from homeward.privacy.rules import RULES


class Command(BaseCommand):
    help = "Apply the retention table, print it, or export or erase one person's data."

    def add_arguments(self, parser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("retention", help="apply the retention table now")
        sub.add_parser("table", help="print the retention table")
        sub.add_parser("replay", help="erase again what was erased after a restored backup")
        export = sub.add_parser("export", help="write a report's or a person's data (ZIP)")
        export.add_argument("kind", choices=["report", "person"])
        export.add_argument("id", type=int)
        export.add_argument("out", type=Path)
        erase = sub.add_parser("erase", help="erase a report or a person on request")
        erase.add_argument("kind", choices=["report", "person"])
        erase.add_argument("id", type=int)
        erase.add_argument("--reason", required=True, help="who asked, and how")

    def handle(self, *args, action: str, **options) -> None:
        from homeward.cases.models import Person
        from homeward.privacy import exports, services
        from homeward.tracing.models import MissingReport

        if action == "table":
            for rule in RULES:
                self.stdout.write(f"{rule.code}\t{rule.data}\t{rule.keep_text()}")
            return
        if action == "replay":
            self.stdout.write(f"erased again {services.erasures_replay()}")
            return
        if action == "retention":
            result = services.retention_apply()
            for code, count in sorted(result.counts.items()):
                self.stdout.write(f"{code}\t{count}")
            self.stdout.write(f"erased {result.total}")
            return
        model = MissingReport if options["kind"] == "report" else Person
        obj = model.objects.filter(pk=options["id"]).first()
        if obj is None:
            raise CommandError(f"no {options['kind']} {options['id']}")
        if action == "export":
            data = (
                exports.report_export(obj, by=None)
                if model is MissingReport
                else exports.person_export(obj, by=None)
            )
            options["out"].write_bytes(data)
            self.stdout.write(f"wrote {options['out']} ({len(data)} bytes)")
            return
        erase = services.report_erase if model is MissingReport else services.person_erase
        try:
            receipt = erase(**{options["kind"]: obj}, by=None, reason=options["reason"])
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        self.stdout.write(f"erased {receipt.erased}")
        self.stdout.write(f"copies in backups expire by {receipt.backups_expire_by:%Y-%m-%d}")
