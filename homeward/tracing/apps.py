from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TracingConfig(AppConfig):
    name = "homeward.tracing"
    verbose_name = _("Family tracing")

    def ready(self) -> None:
        from homeward.tracing import signals  # noqa: F401  (connects the intake search)
