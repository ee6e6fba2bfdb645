from django.core.management.base import BaseCommand

from homeward.web.photos import photos_reencode


class Command(BaseCommand):
    help = (
        "Re-encode every stored photo (intake, report, incident) as an upload is now: "
        "decoded, turned upright, saved as a JPEG without metadata under a random name."
    )

    def handle(self, *args, **options) -> None:
        result = photos_reencode()
        for name in result.removed:
            self.stderr.write(f"not an image, removed: {name}")
        self.stdout.write(
            f"{result.done} re-encoded, {result.already} already clean, "
            f"{len(result.removed)} removed"
        )
