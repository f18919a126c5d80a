from django_tasks import task


@task()
def run_controls_task(run_id: int) -> str:
    from tillit.controls.models import Run
    from tillit.controls.services import run_execute

    run = run_execute(run=Run.objects.select_related("municipality").get(pk=run_id))
    return run.status
