"""`tillit sample draw|list|show|export`: what the samples page does, from the command line."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path


def _decimal(text: str) -> Decimal:
    import argparse

    try:
        return Decimal(text.replace("\u00a0", "").replace(" ", "").replace(",", "."))
    except InvalidOperation:
        raise argparse.ArgumentTypeError(f"not an amount: {text!r}") from None


def add_commands(sub) -> None:
    sample = sub.add_parser(
        "sample", help="samples (stickprov) of attested invoices: draw, list, show, export"
    )
    ssub = sample.add_subparsers(dest="sample_command", required=True)
    p = ssub.add_parser("draw", help="draw a sample from the current invoices")
    p.add_argument("--method", choices=["mus", "srs"], default="mus")
    p.add_argument("--title", default="")
    p.add_argument("--confidence", choices=["95", "90"], default="95")
    p.add_argument("--tolerable", type=_decimal, help="tolerable misstatement in kronor (MUS)")
    p.add_argument("--expected", type=_decimal, help="expected misstatement in kronor")
    p.add_argument("--size", type=int, help="sample size (SRS; replaces the computed size for MUS)")
    p.add_argument("--board", action="append", default=[], help="a board (repeat for several)")
    p.add_argument(
        "--from", dest="period_from", type=date.fromisoformat, help="first invoice date YYYY-MM-DD"
    )
    p.add_argument(
        "--to", dest="period_to", type=date.fromisoformat, help="last invoice date YYYY-MM-DD"
    )
    p.add_argument("--min-amount", type=_decimal)
    p.add_argument("--seed", type=int, help="a recorded seed: the same draw again")
    p.set_defaults(func=cmd_draw)
    p = ssub.add_parser("list", help="the samples with their projection")
    p.set_defaults(func=cmd_list)
    p = ssub.add_parser("show", help="one sample with its items and results")
    p.add_argument("sample_id", type=int)
    p.set_defaults(func=cmd_show)
    p = ssub.add_parser("export", help="write a sample's report (PDF or Excel)")
    p.add_argument("sample_id", type=int)
    p.add_argument("--format", choices=["pdf", "xlsx"], default="pdf")
    p.add_argument("--output", required=True, type=Path)
    p.set_defaults(func=cmd_export)


def _municipality(args):
    from tillit.datasets.cli import resolve_municipality

    return resolve_municipality(args.municipality)


def _sample(args):
    from django.utils.translation import gettext as _

    from tillit.lib.commands import CommandError
    from tillit.sampling.models import Sample

    sample = Sample.objects.filter(municipality=_municipality(args), pk=args.sample_id).first()
    if sample is None:
        raise CommandError(
            _("There is no sample %(id)s in this municipality.") % {"id": args.sample_id}
        )
    return sample


def cmd_draw(args) -> int:
    from django.utils.translation import gettext as _

    from tillit.lib.commands import CommandError
    from tillit.lib.formats import format_amount
    from tillit.sampling.services import SampleError, sample_draw

    try:
        sample = sample_draw(
            municipality=_municipality(args),
            user=None,
            title=args.title,
            method=args.method,
            confidence=Decimal(args.confidence) / 100,
            tolerable_misstatement=args.tolerable,
            expected_misstatement=args.expected,
            sample_size=args.size,
            boards=args.board,
            period_from=args.period_from,
            period_to=args.period_to,
            min_amount=args.min_amount,
            seed=args.seed,
        )
    except SampleError as error:
        raise CommandError(str(error)) from None
    print(
        _("Sample %(id)s drawn: %(n)s invoices of %(population)s (%(total)s), seed %(seed)s.")
        % {
            "id": sample.pk,
            "n": sample.sample_size,
            "population": sample.population_size,
            "total": format_amount(sample.population_total),
            "seed": sample.seed,
        }
    )
    return 0


def cmd_list(args) -> int:
    from tillit.lib.formats import format_amount, format_date
    from tillit.sampling.models import Sample
    from tillit.sampling.services import evaluation

    for s in Sample.objects.filter(municipality=_municipality(args)):
        ev = evaluation(s)
        upper = format_amount(ev["result"]["upper_limit"]) if ev["result"] else "–"
        print(
            f"{s.pk}\t{format_date(s.drawn_at)}\t{s.method}\t{s.title}\t{ev['examined']}/{ev['total']}\t"
            f"{ev['deviations']}\t{upper}"
        )
    return 0


def cmd_show(args) -> int:
    from tillit.accounts.personal_data import log_command
    from tillit.sampling import report

    sample = _sample(args)
    data = report.figures(sample)
    log_command(
        municipality=sample.municipality,
        object_type="sample",
        object_id=str(sample.pk),
        command=f"tillit sample show {sample.pk}",
        action="view",
    )
    print(data["title"])
    for k, v in data["parameters"] + data["results"]:
        print(f"{k}: {v}")
    print("\t".join(data["head"]))
    for row in data["items"]:
        print("\t".join(row))
    return 0


def cmd_export(args) -> int:
    from django.utils.translation import gettext as _

    from tillit.accounts.personal_data import log_command
    from tillit.sampling import report

    sample = _sample(args)
    data = report.figures(sample)
    content = report.render_pdf(data) if args.format == "pdf" else report.render_xlsx(data)
    args.output.write_bytes(content)
    log_command(
        municipality=sample.municipality,
        object_type="sample report",
        object_id=str(sample.pk),
        command=f"tillit sample export {sample.pk} --format {args.format}",
    )
    print(_("The report was written to %(path)s.") % {"path": args.output})
    return 0
