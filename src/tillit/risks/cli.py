"""`tillit risks load-catalogue`: the default risk catalogue for a municipality that lacks it."""

from __future__ import annotations


def add_commands(sub) -> None:
    risks = sub.add_parser("risks", help="the risk analysis")
    rsub = risks.add_subparsers(dest="risks_command", required=True)
    p = rsub.add_parser(
        "load-catalogue", help="add the default catalogue's risk areas the municipality lacks"
    )
    p.set_defaults(func=cmd_load_catalogue)
    p = rsub.add_parser(
        "export-catalogue", help="write the municipality's risk catalogue as a sharing file (JSON)"
    )
    p.add_argument("--output", help="file to write (default: standard output)")
    p.set_defaults(func=cmd_export_catalogue)


def cmd_load_catalogue(args) -> int:
    from django.utils.translation import gettext as _

    from tillit.datasets.cli import resolve_municipality
    from tillit.risks.services import catalogue_load

    municipality = resolve_municipality(getattr(args, "municipality", None))
    added = catalogue_load(municipality=municipality)
    print(
        _("%(n)s risk areas were added to %(municipality)s.")
        % {"n": added, "municipality": municipality.name}
    )
    return 0


def cmd_export_catalogue(args) -> int:
    import sys
    from pathlib import Path

    from tillit.datasets.cli import resolve_municipality
    from tillit.risks.share import catalogue_export, dumps

    municipality = resolve_municipality(getattr(args, "municipality", None))
    data = dumps(catalogue_export(municipality))
    if args.output:
        Path(args.output).write_bytes(data)
    else:
        sys.stdout.write(data.decode("utf-8"))
    return 0
