from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from homeward.backups.manifest import BackupError
from homeward.backups.services import backup_check, backup_restore


class Command(BaseCommand):
    help = (
        "Restore a backup into an empty installation and check it against its manifest; "
        "--check only checks the backup (docs/operations.md)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("folder", help="a folder `homeward backup` wrote")
        parser.add_argument(
            "--force",
            action="store_true",
            help="replace a database and uploaded files that already hold records",
        )
        parser.add_argument(
            "--check", action="store_true", help="check every file of the backup; restore nothing"
        )

    def handle(self, *args, folder: str, force: bool, check: bool, **options) -> None:
        try:
            if check:
                manifest = backup_check(Path(folder))
                self.stdout.write(
                    f"{folder} is whole: {len(manifest.files)} files match the manifest "
                    f"({manifest.engine}, made {manifest.created_at})"
                )
                return
            restored = backup_restore(Path(folder), force=force)
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            f"restored {restored.rows} rows in {restored.tables} tables and {restored.files} "
            f"files from {folder} (made {restored.manifest.created_at}); every count and "
            "checksum matches the manifest"
        )
        for note in restored.notes:
            self.stdout.write(note)
