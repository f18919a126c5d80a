"""The demo's data: the synthetic municipality, generated and imported like any real file."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext as _

from tillit.analytics.schema import DATASETS
from tillit.datasets.models import Snapshot
from tillit.datasets.services import ImportRefused, import_file


def demo_import(municipality, args) -> None:
    from tillit.analytics.generate import generate

    if Snapshot.objects.filter(municipality=municipality).exists():
        print(_("The demo data is already imported."), flush=True)
        return
    folder = settings.DATA_DIR / "demo-files"
    print(
        _("Generating the synthetic municipality (scale %(scale)s) in %(dir)s …")
        % {"scale": args.scale, "dir": folder},
        flush=True,
    )
    generate(folder, scale=args.scale, seed=1)
    for name in DATASETS:
        path = folder / f"{name}.csv"
        if not path.exists():
            continue
        try:
            attempt = import_file(user=None, municipality=municipality, dataset=name, path=path)
        except ImportRefused as refused:
            from tillit.lib.messages import render

            print(
                f"  {name}: {render(refused.attempt.message, refused.attempt.message_params)}",
                flush=True,
            )
            continue
        print(f"  {name}: " + _("%(rows)s rows") % {"rows": attempt.snapshot.rows}, flush=True)
