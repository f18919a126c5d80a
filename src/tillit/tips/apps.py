from django.apps import AppConfig


class TipsConfig(AppConfig):
    name = "tillit.tips"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from tillit.accounts import jobs
        from tillit.tips.services import files_clean

        # recovery at start-up removes what a crash left while a report was being received
        jobs.register_cleaner("tips_files", files_clean)
