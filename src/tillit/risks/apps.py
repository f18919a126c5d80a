from django.apps import AppConfig


class RisksConfig(AppConfig):
    name = "tillit.risks"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from tillit.accounts.models import Municipality

        post_save.connect(
            _new_municipality,
            sender=Municipality,
            dispatch_uid="risks-catalogue-for-new-municipality",
        )


def _new_municipality(sender, instance, created: bool, raw: bool = False, **kwargs) -> None:
    """A new municipality starts from the default risk catalogue."""
    if created and not raw:
        from tillit.risks.services import catalogue_load

        catalogue_load(municipality=instance)
