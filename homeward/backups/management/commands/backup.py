from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from homeward.backups.manifest import BackupError
from homeward.backups.services import backup_make


class Command(BaseCommand):
    help = (
        "Back up the database, the uploaded files and a manifest of both into a new folder, "
        "while the app runs (docs/operations.md)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("folder", help="a new or empty folder for the backup")
        parser.add_argument(
            "--with-secrets",
            action="store_true",
            help="also keep the secret key (sessions and signed links survive a restore)",
        )

    def handle(self, *args, folder: str, with_secrets: bool, **options) -> None:
        try:
            manifest = backup_make(Path(folder), with_secrets=with_secrets)
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        size = sum(entry.bytes for entry in manifest.files)
        self.stdout.write(
            f"backed up {sum(manifest.tables.values())} rows in {len(manifest.tables)} tables "
            f"({manifest.engine}) and {len(manifest.files)} files, {size / 1e6:.1f} MB, "
            f"into {folder}"
        )
        if manifest.missing:
            self.stderr.write(
                f"{len(manifest.missing)} files named by records were not on disk: "
                + ", ".join(manifest.missing[:5])
            )
        if not manifest.secrets:
            self.stdout.write("the secret key was left out (--with-secrets keeps it)")
