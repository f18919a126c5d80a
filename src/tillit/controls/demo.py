from django.utils.translation import gettext as _

from tillit.controls.models import Run
from tillit.controls.services import run_create, run_execute


def demo_run(municipality, args) -> None:
    if Run.objects.filter(municipality=municipality).exists():
        return
    print(_("Running all controls …"), flush=True)
    run = run_execute(run=run_create(municipality=municipality, trigger="demo"))
    print(_("%(new)s hits in the review queue.") % {"new": run.hits_new}, flush=True)
