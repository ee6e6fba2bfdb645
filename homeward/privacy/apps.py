from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    name = "homeward.privacy"
    verbose_name = _("Personal information")

    def ready(self) -> None:
        from homeward.backups.services import restored_signal

        restored_signal.connect(_replay_after_restore, dispatch_uid="privacy-replay")


def _replay_after_restore(sender, manifest, **kwargs) -> str:
    from homeward.privacy.services import erasures_replay

    count = erasures_replay()
    return f"{count} record(s) erased again: their erasure was asked for on this installation"
