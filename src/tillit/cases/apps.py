from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "tillit.cases"
    label = "cases"
    verbose_name = _("Cases")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from tillit.accounts import jobs
        from tillit.cases.services import files_clean

        # recovery at start-up removes what a crash left while a document was being stored
        jobs.register_cleaner("case_files", files_clean)
