from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CentresConfig(AppConfig):
    name = "centres"
    verbose_name = _("Crisis centres")
    default_auto_field = "django.db.models.BigAutoField"
