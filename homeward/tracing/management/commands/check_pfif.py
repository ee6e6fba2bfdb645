from django.core.management.base import BaseCommand, CommandError

from homeward.tracing.pfif import check_pfif


class Command(BaseCommand):
    help = "Check a PFIF 1.4 file against the rules of the specification; list what it breaks."

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", help="PFIF XML file")

    def handle(self, *args, file: str, **options) -> None:
        try:
            with open(file, "rb") as handle:
                problems = check_pfif(handle.read())
        except OSError as exc:
            raise CommandError(f"cannot read {file}: {exc}") from None
        for problem in problems:
            self.stdout.write(str(problem))
        if problems:
            raise CommandError(f"{file}: {len(problems)} problems")
        self.stdout.write(f"{file}: keeps the PFIF 1.4 rules")
