from django.apps import AppConfig


class RisksConfig(AppConfig):
    name = "tillit.risks"
    default_auto_field = "django.db.models.BigAutoField"
