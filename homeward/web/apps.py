from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebConfig(AppConfig):
    name = "homeward.web"
    verbose_name = _("Staff site")

    def ready(self) -> None:
        from homeward.web import jobs  # noqa: F401  (records failed jobs)
