from django.apps import AppConfig


class TipsConfig(AppConfig):
    name = "tillit.tips"
    default_auto_field = "django.db.models.BigAutoField"
