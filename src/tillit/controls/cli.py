"""`tillit controls list|run`, `tillit hits export` (shared/spec/cli.md)."""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

EXPORT_COLUMNS = [
    "run_id",
    "control_id",
    "fingerprint",
    "subject_type",
    "subject_id",
    "amount_at_risk",
    "severity",
    "score",
    "status",
    "explanation",
    "evidence_keys",
]
STATUS_EXPORT = {
    "new": "ny",
    "dismissed": "avfärdad",
    "case": "ärende",
    "notified": "underrättad",
    "closed": "stängd",
}


def add_commands(sub) -> None:
    controls = sub.add_parser("controls", help="the control library and runs")
    csub = controls.add_subparsers(dest="controls_command", required=True)
    p = csub.add_parser(
        "list",
        help="id, name, data sets needed, whether they are present; then each risk area's controls",
    )
    p.set_defaults(func=cmd_list)
    p = csub.add_parser("run", help="run controls on the current snapshots")
    p.add_argument("--control", action="append", dest="controls", metavar="ID")
    p.add_argument("--engine", choices=["duckdb", "spark"], default="duckdb")
    p.add_argument("--dry-run", action="store_true", help="a back-test: publish no hits")
    p.set_defaults(func=cmd_run)
    p = csub.add_parser(
        "set-param", help="change a parameter: a new version of the control, back to draft"
    )
    p.add_argument("control_id", metavar="ID")
    p.add_argument("name")
    p.add_argument("value")
    p.add_argument("--note", default="", help="why the parameter changes (kept with the version)")
    p.set_defaults(func=cmd_set_param)
    p = csub.add_parser(
        "docs", help="write docs/controls/: one page per control, from the definitions"
    )
    p.add_argument("--output", default="docs/controls")
    p.set_defaults(func=_cmd_docs)

    hits = sub.add_parser("hits", help="hits")
    hsub = hits.add_subparsers(dest="hits_command", required=True)
    p = hsub.add_parser("export", help="export hits as CSV or JSON")
    p.add_argument("--run", type=int, dest="run_id")
    p.add_argument("--format", choices=["csv", "json"], default="csv")
    p.add_argument("--output")
    p.set_defaults(func=cmd_export)


def _cmd_docs(args) -> int:
    from tillit.controls.docs import cmd_docs

    return cmd_docs(args)


def cmd_list(args) -> int:
    from django.utils.translation import gettext as _

    from tillit.analytics.registry import all_controls
    from tillit.datasets.cli import resolve_municipality
    from tillit.datasets.services import current_sources

    municipality = resolve_municipality(args.municipality)
    present = set(current_sources(municipality=municipality))
    print("\t".join(["id", _("Name"), _("Data sets needed"), _("Present")]))
    for control in all_controls():
        missing = [d for d in control.inputs if d not in present]
        state = _("yes") if not missing else _("missing: %(names)s") % {"names": ", ".join(missing)}
        print("\t".join([control.id, _(control.title), ", ".join(control.inputs), state]))
    _print_coverage(present)
    return 0


def _print_coverage(present: set[str]) -> None:
    """The risk areas (the catalogue's 47, risk-areas.md), each with the controls that serve it and the
    data sets they need; an area without a control says so."""
    from django.utils.translation import gettext as _

    from tillit.controls.coverage import coverage_by_area

    print()
    print("\t".join(["#", _("Risk area"), _("Controls"), _("Data sets needed"), _("Present")]))
    for area in coverage_by_area(present):
        number = "" if area.number is None else str(area.number)
        if not area.controls:
            print(
                "\t".join(
                    [
                        number,
                        area.name,
                        _("no control: followed up through cases and the risk analysis"),
                        "",
                        "",
                    ]
                )
            )
            continue
        state = (
            _("yes")
            if not area.missing
            else _("missing: %(names)s") % {"names": ", ".join(area.missing)}
        )
        print(
            "\t".join(
                [number, area.name, ", ".join(area.controls), ", ".join(area.datasets), state]
            )
        )


def cmd_run(args) -> int:
    from django.utils.translation import gettext as _

    from tillit.analytics.registry import get as get_control
    from tillit.controls.models import Run
    from tillit.controls.services import run_create, run_execute
    from tillit.datasets.cli import resolve_municipality
    from tillit.lib.commands import CommandError
    from tillit.lib.messages import render

    for control_id in args.controls or []:
        try:
            get_control(control_id)
        except KeyError:
            raise CommandError(
                _("Unknown control %(id)s. `tillit controls list` shows them.") % {"id": control_id}
            ) from None
    municipality = resolve_municipality(args.municipality)
    run = run_create(
        municipality=municipality,
        control_ids=args.controls,
        engine=args.engine,
        dry_run=args.dry_run,
        trigger="cli",
    )
    print(
        _("Run %(id)s: %(n)s controls on %(engine)s …")
        % {"id": run.pk, "n": run.controls_total, "engine": run.engine},
        file=sys.stderr,
    )
    run = run_execute(run=run)
    if run.status == Run.Status.FAILED:
        raise CommandError(_("The run failed: %(error)s") % {"error": run.error})
    for entry in run.report:
        line = f"{entry['control_id']}\t" + _("%(hits)s hits of %(rows)s rows, %(seconds)s s") % {
            "hits": entry["hits"],
            "rows": entry["rows_examined"],
            "seconds": entry["duration"],
        }
        if entry.get("not_applicable"):
            line += "\t" + _("not applicable: %(reason)s") % {
                "reason": render(entry["not_applicable"], entry.get("not_applicable_params"))
            }
        if entry.get("not_comparable"):
            line += "\t" + _("not comparable: %(count)s") % {"count": entry["not_comparable"]}
        if entry.get("over_firing"):
            line += "\t" + _("OVER-FIRING")
        if entry.get("backtest"):
            line += "\t" + _("back-test: %(new)s new, %(close)s would close") % {
                "new": entry["backtest"]["new"],
                "close": entry["backtest"]["would_close"],
            }
        print(line)
    if not run.dry_run:
        print(
            _("%(new)s new hits, %(updated)s updated, %(closed)s closed.")
            % {"new": run.hits_new, "updated": run.hits_updated, "closed": run.hits_closed}
        )
    return 0


def export_rows(hits, *, with_evidence: bool):
    from django.utils import translation

    from tillit.controls.render import explanation

    with translation.override("sv"):
        for hit in hits:
            row = {
                "run_id": hit.last_run_id,
                "control_id": hit.control_id,
                "fingerprint": hit.fingerprint,
                "subject_type": hit.subject_type,
                "subject_id": hit.subject_id,
                "amount_at_risk": f"{hit.amount_at_risk:.2f}",
                "severity": hit.severity,
                "score": f"{hit.score:.2f}",
                "status": STATUS_EXPORT.get(hit.status, hit.status),
                "explanation": explanation(hit),
                "evidence_keys": list(hit.evidence_keys),
            }
            if with_evidence:
                row["evidence"] = hit.evidence
            yield row


def cmd_export(args) -> int:
    from django.utils.translation import gettext as _

    from tillit.controls.models import Hit, Run
    from tillit.datasets.cli import resolve_municipality
    from tillit.lib.commands import CommandError
    from tillit.lib.csvsafe import csv_cell

    municipality = resolve_municipality(args.municipality)
    hits = Hit.objects.filter(municipality=municipality).order_by("-score", "id")
    if args.run_id:
        if not Run.objects.filter(municipality=municipality, pk=args.run_id).exists():
            raise CommandError(_("There is no run %(id)s.") % {"id": args.run_id})
        hits = hits.filter(last_run_id=args.run_id)
    from tillit.accounts.personal_data import log_command

    # the hits carry personnummer and names: the export is a read of personal data (docs/cli.md)
    log_command(
        municipality=municipality,
        object_type="hits",
        object_id=f"cli:{hits.count()}",
        command=f"tillit hits export --format {args.format}"
        + (f" --run {args.run_id}" if args.run_id else ""),
    )
    out = Path(args.output).open("w", encoding="utf-8", newline="") if args.output else sys.stdout
    try:
        if args.format == "json":
            json.dump(
                list(export_rows(hits, with_evidence=True)),
                out,
                ensure_ascii=False,
                indent=2,
                default=str,
            )
            out.write("\n")
        else:
            writer = csv.DictWriter(out, fieldnames=EXPORT_COLUMNS)
            writer.writeheader()
            for row in export_rows(hits, with_evidence=False):
                row["evidence_keys"] = "|".join(row["evidence_keys"])
                writer.writerow(
                    {
                        k: csv_cell(v)
                        if isinstance(v, str) and k in ("explanation", "subject_id")
                        else v
                        for k, v in row.items()
                    }
                )
    finally:
        if args.output:
            out.close()
    return 0


def cmd_set_param(args) -> int:
    """A new version of the control's parameters; like the web page, it sends the control back to draft,
    to be back-tested, run in shadow and approved by a second person before it is active again."""
    from django.utils.translation import gettext as _

    from tillit.analytics.registry import ParamError
    from tillit.analytics.registry import get as get_control
    from tillit.controls.services import LifecycleError, control_change_params, control_config
    from tillit.datasets.cli import resolve_municipality
    from tillit.lib.commands import CommandError
    from tillit.lib.messages import render

    try:
        control = get_control(args.control_id)
    except KeyError:
        raise CommandError(
            _("Unknown control %(id)s. `tillit controls list` shows them.")
            % {"id": args.control_id}
        ) from None
    if args.name not in control.params:
        raise CommandError(
            _("The control %(control)s has no parameter %(param)s.")
            % {"control": control.id, "param": args.name}
            + " "
            + _("Its parameters: %(names)s.") % {"names": ", ".join(control.params) or "–"}
        )
    value: object = args.value
    if isinstance(control.params[args.name].default, bool):
        words = {
            "true": True,
            "ja": True,
            "yes": True,
            "1": True,
            "false": False,
            "nej": False,
            "no": False,
            "0": False,
        }
        if args.value.casefold() not in words:
            raise CommandError(_("Write the value as ja or nej."))
        value = words[args.value.casefold()]
    try:
        # typed as the parameter's default (a whole number stays one), checked against its bounds
        value = control.resolve_params({args.name: value})[args.name]
    except ParamError as exc:
        raise CommandError(render(exc.template, exc.params)) from None
    municipality = resolve_municipality(args.municipality)
    config = control_config(municipality=municipality, control_id=control.id)
    try:
        config = control_change_params(
            config=config, user=None, params={**config.params, args.name: value}, note=args.note
        )
    except LifecycleError as exc:
        raise CommandError(render(exc.template, exc.params)) from None
    print(
        _(
            "%(control)s: %(param)s = %(value)s, version %(version)s. The control is now a draft: back-test it "
            "(tillit controls run --dry-run), run it in shadow and have a second person approve it."
        )
        % {
            "control": control.id,
            "param": args.name,
            "value": config.params[args.name],
            "version": config.version,
        }
    )
    return 0
