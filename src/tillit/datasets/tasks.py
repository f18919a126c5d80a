"""Background import: the web upload hands the file to the worker and shows progress."""

from __future__ import annotations

from pathlib import Path

from django_tasks import task


@task()
def import_attempt_run(attempt_id: int) -> str:
    from tillit.analytics.ingest import Mapping
    from tillit.datasets.models import ImportAttempt
    from tillit.datasets.services import ImportRefused, import_file

    attempt = ImportAttempt.objects.select_related("municipality", "profile", "started_by").get(
        pk=attempt_id
    )
    upload = Path(attempt.upload_path)
    mapping = Mapping(**attempt.mapping) if attempt.mapping else None
    try:
        import_file(
            user=attempt.started_by,
            municipality=attempt.municipality,
            dataset=attempt.dataset,
            path=upload,
            source_name=attempt.source_name,
            profile=attempt.profile,
            mapping=mapping,
            policy=attempt.policy,
            force=attempt.force,
            attempt=attempt,
        )
    except ImportRefused:
        return "refused"
    finally:
        # the uploaded copy is not kept: the snapshot holds the data
        upload.unlink(missing_ok=True)
        ImportAttempt.objects.filter(pk=attempt_id).update(upload_path="")
    return "imported"
