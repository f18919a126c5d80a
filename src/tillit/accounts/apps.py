from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "tillit.accounts"
    label = "accounts"
    verbose_name = _("Accounts and organisation")

    def ready(self) -> None:
        from django.conf import settings

        if getattr(settings, "SAML_ENABLED", False):
            from tillit.accounts import saml

            saml.check_at_start_up()
