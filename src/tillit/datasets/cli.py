"""`tillit import`, `tillit datasets` (shared/spec/cli.md)."""

from __future__ import annotations

import sys
from pathlib import Path


def add_commands(sub) -> None:
    p = sub.add_parser("import", help="import a file into a data set")
    p.add_argument("dataset")
    p.add_argument("file")
    p.add_argument("--profile")
    p.add_argument("--policy", choices=["reject", "quarantine"], default="reject")
    p.add_argument("--period", help="YYYY-MM..YYYY-MM")
    p.add_argument(
        "--force", action="store_true", help="import even if the same file was imported before"
    )
    p.add_argument(
        "--dry-run",
        action="store_true",
        help="show how the columns map and the first rows, then stop without importing",
    )
    p.set_defaults(func=cmd_import)

    p = sub.add_parser(
        "import-peppol",
        help="import e-invoices (Peppol BIS Billing 3 XML) from a folder or zip into invoices and invoice lines",
    )
    p.add_argument("path", help="a folder or a zip file of XML e-invoices")
    p.add_argument(
        "--force", action="store_true", help="import even if the same file was imported before"
    )
    p.set_defaults(func=cmd_import_peppol)

    p = sub.add_parser("datasets", help="snapshots per data set")
    p.set_defaults(func=cmd_datasets)

    p = sub.add_parser(
        "profiles", help="mapping profiles: how a source system's files map to a data set"
    )
    prsub = p.add_subparsers(dest="profiles_command", required=True)
    a = prsub.add_parser(
        "add", help="save a mapping profile (an existing one of that name is replaced)"
    )
    a.add_argument("name")
    a.add_argument("dataset")
    a.add_argument(
        "--column",
        action="append",
        default=[],
        metavar="COLUMN=HEADER",
        help="canonical column = header in the file; the key may be mapped to '#row', the row number",
    )
    a.add_argument(
        "--unavailable",
        action="append",
        default=[],
        metavar="COLUMN",
        help="a column the source system cannot deliver",
    )
    a.add_argument(
        "--date-format",
        default="",
        help="e.g. %%d/%%m/%%Y; decided from each date column when left out",
    )
    a.add_argument("--decimal", choices=[",", "."], default="")
    a.add_argument("--encoding", default="")
    a.add_argument("--delimiter", default="")
    a.set_defaults(func=cmd_profiles_add)
    p_list = prsub.add_parser("list", help="the saved mapping profiles")
    p_list.set_defaults(func=cmd_profiles_list)
    show = prsub.add_parser("show", help="one mapping profile in full")
    show.add_argument("name")
    show.set_defaults(func=cmd_profiles_show)

    p = sub.add_parser("pseudonyms", help="keyed-hash exports for cross-municipality matching")
    psub = p.add_subparsers(dest="pseudonyms_command", required=True)
    e = psub.add_parser("export", help="write x_benefit_payments.parquet and x_invoices.parquet")
    e.add_argument(
        "--key-file",
        required=True,
        help="the key the participating municipalities share (≥ 32 bytes)",
    )
    e.add_argument("--output", required=True, help="folder for the export files")
    e.set_defaults(func=cmd_pseudonyms_export)

    p = sub.add_parser(
        "generate", help="a synthetic municipality: DIR/<dataset>.csv per data set, DIR/truth.json"
    )
    p.add_argument("dir")
    p.add_argument("--scale", type=float, default=1.0)
    p.add_argument("--seed", type=int, default=1)
    p.set_defaults(func=cmd_generate)


def resolve_municipality(code: str | None):
    from django.utils.translation import gettext as _

    from tillit.accounts.models import Municipality
    from tillit.lib.commands import CommandError

    if code:
        municipality = Municipality.objects.filter(code=code).first()
        if municipality is None:
            raise CommandError(_("There is no municipality with code %(code)s.") % {"code": code})
        return municipality
    municipalities = list(Municipality.objects.all()[:2])
    if not municipalities:
        raise CommandError(
            _("There is no municipality yet. Run `tillit setup` (or `tillit demo` to try Tillit).")
        )
    if len(municipalities) > 1:
        raise CommandError(
            _("The installation holds several municipalities: name one with --municipality CODE.")
        )
    return municipalities[0]


class _Progress:
    """A progress line on a terminal; nothing between the lines when not on one."""

    def __init__(self, label: str):
        self.label = label
        self.tty = sys.stderr.isatty()

    def __call__(self, done: int, total: int) -> None:
        if self.tty:
            share = f" ({100 * done // total} %)" if total else ""
            print(
                f"\r{self.label}: {done:,}".replace(",", "\u00a0") + share,
                end="",
                file=sys.stderr,
                flush=True,
            )

    def finish(self) -> None:
        if self.tty:
            print(file=sys.stderr)


def cmd_import_peppol(args) -> int:
    """`tillit import-peppol`: a folder or zip of e-invoices into invoices and invoice_lines."""
    from django.utils.translation import gettext as _

    from tillit.datasets.peppol import PeppolRefused, import_peppol, reason
    from tillit.datasets.services import ImportRefused
    from tillit.lib.commands import CommandError
    from tillit.lib.formats import format_integer
    from tillit.lib.messages import render

    path = Path(args.path)
    if not path.exists():
        raise CommandError(_("The file %(file)s does not exist.") % {"file": args.path})
    municipality = resolve_municipality(args.municipality)
    try:
        result = import_peppol(user=None, municipality=municipality, path=path, force=args.force)
    except PeppolRefused as refused:
        for item in refused.set_aside:
            print(reason(item, _), file=sys.stderr)
        raise CommandError(render(refused.message, refused.params)) from None
    except ImportRefused as refused:
        attempt = refused.attempt
        print_errors(attempt, file=sys.stderr)
        message = render(attempt.message, attempt.message_params)
        nothing = _("Nothing was imported.")
        raise CommandError(message if nothing in message else f"{message} {nothing}") from None
    lines = result.lines.snapshot
    assert lines is not None
    invoices = result.invoices.snapshot if result.invoices is not None else None
    print(
        _(
            "Imported %(invoices)s e-invoices with %(lines)s lines from %(files)s files: invoices as "
            "snapshot %(invoice_snapshot)s, invoice lines as snapshot %(line_snapshot)s."
        )
        % {
            "invoices": format_integer(invoices.rows if invoices else 0),
            "lines": format_integer(lines.rows),
            "files": format_integer(result.files),
            "invoice_snapshot": invoices.pk if invoices else "–",
            "line_snapshot": lines.pk,
        }
    )
    if result.in_ledger:
        print(
            _(
                "%(count)s e-invoices were already among the invoices (the same supplier, invoice "
                "number and amount): only their lines were imported, under the invoice's own id."
            )
            % {"count": format_integer(result.in_ledger)}
        )
    if result.set_aside:
        print(
            _("%(count)s files were set aside and not imported:")
            % {"count": format_integer(len(result.set_aside))}
        )
        for item in result.set_aside:
            print(reason(item, _))
    return 0


def cmd_import(args) -> int:
    from django.utils.translation import gettext as _

    from tillit.analytics import schema
    from tillit.datasets.models import MappingProfile
    from tillit.datasets.services import ImportRefused, import_file, parse_period
    from tillit.lib.commands import CommandError
    from tillit.lib.formats import format_integer
    from tillit.lib.messages import render

    if args.dataset not in schema.DATASETS:
        raise CommandError(
            _("Unknown data set %(name)s. Known data sets: %(names)s.")
            % {"name": args.dataset, "names": ", ".join(schema.DATASETS)}
        )
    path = Path(args.file)
    if not path.is_file():
        raise CommandError(_("The file %(file)s does not exist.") % {"file": args.file})
    municipality = resolve_municipality(args.municipality)
    profile = None
    if args.profile:
        profile = MappingProfile.objects.filter(
            municipality=municipality, name=args.profile
        ).first()
        if profile is None:
            raise CommandError(
                _("There is no mapping profile named %(name)s.") % {"name": args.profile}
            )
    try:
        period = parse_period(args.period)
    except ValueError:
        raise CommandError(
            _("The period must be written YYYY-MM..YYYY-MM, for example 2025-01..2025-03.")
        ) from None
    if args.dry_run:
        return _dry_run(args.dataset, path, profile, municipality)
    progress = _Progress(_("Rows read"))
    try:
        attempt = import_file(
            user=None,
            municipality=municipality,
            dataset=args.dataset,
            path=path,
            profile=profile,
            policy=args.policy,
            period=period,
            force=args.force,
            progress=progress,
        )
    except ImportRefused as refused:
        progress.finish()
        attempt = refused.attempt
        _log_printed_errors(attempt, municipality)
        print_errors(attempt, file=sys.stderr)
        message = render(attempt.message, attempt.message_params)
        nothing = _("Nothing was imported.")
        raise CommandError(message if nothing in message else f"{message} {nothing}") from None
    progress.finish()
    snapshot = attempt.snapshot
    print(
        _("Imported %(rows)s rows into %(dataset)s as snapshot %(id)s.")
        % {"rows": format_integer(snapshot.rows), "dataset": args.dataset, "id": snapshot.pk}
    )
    _print_mapping(args.dataset, snapshot.mapping.get("columns") or {})
    from tillit.datasets.models import Snapshot

    replaced = list(Snapshot.objects.filter(replaced_by=snapshot).values_list("pk", flat=True))
    if replaced:
        print(_("It replaces snapshot %(ids)s.") % {"ids": ", ".join(str(i) for i in replaced)})
    elif snapshot.mode == "period":
        print(
            _("It was added beside the data set's other snapshots (period %(from)s–%(to)s).")
            % {"from": snapshot.period_from or "–", "to": snapshot.period_to or "–"}
        )
    for note in attempt.notes:
        print(render(note["message"], note["params"]))
    if snapshot.quarantined_rows:
        print(
            _("%(count)s bad rows were quarantined:")
            % {"count": format_integer(snapshot.quarantined_rows)}
        )
        _log_printed_errors(attempt, municipality)
        print_errors(attempt, file=sys.stdout)
    return 0


def _print_mapping(dataset: str, columns: dict) -> None:
    """Which header went to which column: an import never maps silently."""
    from django.utils.translation import gettext as _

    from tillit.analytics.labels import column_label

    for column, header in columns.items():
        print(
            _("  %(header)s → %(label)s (%(column)s)")
            % {"header": header, "label": _(column_label(column)), "column": column}
        )


def _dry_run(dataset: str, path, profile, municipality) -> int:
    """`tillit import --dry-run`: the mapping and the first rows, and nothing imported."""
    from django.utils.translation import gettext as _

    from tillit.analytics.ingest import preview
    from tillit.analytics.labels import column_label
    from tillit.datasets.services import mapping_from_profile
    from tillit.lib.messages import render

    result = preview(dataset, path, mapping=mapping_from_profile(profile), n=5)
    from tillit.datasets.models import PERSONAL_DATASETS

    if result.rows and dataset in PERSONAL_DATASETS:
        from tillit.accounts.personal_data import log_command

        log_command(
            municipality=municipality,
            object_type=f"import-preview:{dataset}",
            object_id=path.name[:100],
            command=f"tillit import {dataset} {path.name} --dry-run",
            action="view",
        )
    print(_("The file's columns map to %(dataset)s like this:") % {"dataset": dataset})
    _print_mapping(dataset, dict(result.mapping.columns) if result.mapping else {})
    unmapped = [h for h in result.headers if h not in (result.mapping.columns or {}).values()]
    if unmapped:
        print(_("Not used: %(headers)s") % {"headers": ", ".join(unmapped)})
    if result.rows:
        print(_("The first rows as they would be imported:"))
        columns = list(result.rows[0])
        print("\t".join(_(column_label(c)) for c in columns))
        for row in result.rows:
            print("\t".join(str(row.get(c, "")) for c in columns))
    for problem in result.problems:
        print(render(problem.message, problem.params), file=sys.stderr)
    print(_("Dry run: nothing was imported."))
    return 1 if any(getattr(p, "fatal", False) for p in result.problems) else 0


def cmd_pseudonyms_export(args) -> int:
    """Export keyed-hash pseudonyms of the current data for the X-* controls (pseudonyms.py)."""
    from django.utils.translation import gettext as _

    from tillit.analytics.pseudonyms import MIN_KEY_BYTES, PseudonymKeyError, export, read_key
    from tillit.datasets.services import current_sources
    from tillit.lib.commands import CommandError
    from tillit.lib.formats import format_integer

    municipality = resolve_municipality(args.municipality)
    try:
        key = read_key(Path(args.key_file))
    except FileNotFoundError:
        raise CommandError(
            _("The file %(file)s does not exist.") % {"file": args.key_file}
        ) from None
    except PseudonymKeyError:
        raise CommandError(
            _("The key in %(file)s is too short: at least %(bytes)s bytes are needed.")
            % {"file": args.key_file, "bytes": MIN_KEY_BYTES}
        ) from None
    sources = {
        name: source for name, (source, _ids) in current_sources(municipality=municipality).items()
    }
    if not {"benefit_payments", "invoices"} & set(sources):
        raise CommandError(
            _(
                "There is nothing to export: import economic assistance payments or supplier invoices "
                "first."
            )
        )
    written = export(sources, municipality.code, key, Path(args.output))
    import getpass

    import pyarrow.parquet as pq

    from tillit.accounts.models import AccessLogEntry

    # pseudonymised personal data leaves the installation: that is an export in the access log
    AccessLogEntry.objects.create(
        municipality=municipality,
        user=None,
        username=f"cli:{getpass.getuser()}",
        action=AccessLogEntry.Action.EXPORT,
        object_type="pseudonym_export",
        object_id=",".join(sorted(written))[:100],
        path=f"tillit pseudonyms export --output {args.output}"[:500],
    )

    for name, path in written.items():
        print(
            _("%(dataset)s: %(rows)s rows written to %(file)s.")
            % {
                "dataset": name,
                "rows": format_integer(pq.ParquetFile(path).metadata.num_rows),
                "file": path,
            }
        )
    return 0


def _log_printed_errors(attempt, municipality) -> None:
    """The error lines quote the rows' values: for a personal data set that is a read of personal data."""
    from tillit.accounts.personal_data import log_command
    from tillit.datasets.models import PERSONAL_DATASETS

    if attempt.errors and attempt.dataset in PERSONAL_DATASETS:
        log_command(
            municipality=municipality,
            object_type=f"import-errors:{attempt.dataset}",
            object_id=str(attempt.pk),
            command=f"tillit import {attempt.dataset} {attempt.source_name}",
            action="view",
        )


def print_errors(attempt, *, file, limit: int = 50) -> None:
    from django.utils.translation import gettext as _

    from tillit.lib.messages import render

    for error in attempt.errors[:limit]:
        print(
            _("%(file)s, row %(row)s, column %(column)s, value %(value)s: %(message)s")
            % {
                "file": attempt.source_name,
                "row": error["row"],
                "column": error["column"] or "–",
                "value": repr(error["value"]),
                "message": render(error["message"], error["params"]),
            },
            file=file,
        )
    if attempt.error_count > limit:
        print(_("… and %(count)s more errors.") % {"count": attempt.error_count - limit}, file=file)


def cmd_datasets(args) -> int:
    from django.utils import timezone
    from django.utils.translation import gettext as _

    from tillit.datasets.models import Snapshot
    from tillit.lib.formats import format_integer

    municipality = resolve_municipality(args.municipality)
    snapshots = Snapshot.objects.filter(municipality=municipality).select_related("imported_by")
    print(
        "\t".join(
            [
                _("Data set"),
                "id",
                _("Rows"),
                "SHA-256",
                _("Imported by"),
                _("Imported"),
                _("Status"),
            ]
        )
    )
    for s in snapshots:
        status = (
            _("retired") if s.retired_at else (_("replaced") if s.replaced_by_id else _("current"))
        )
        who = s.imported_by.username if s.imported_by else _("command line")
        print(
            "\t".join(
                [
                    s.dataset,
                    str(s.pk),
                    format_integer(s.rows),
                    s.sha256[:16],
                    who,
                    timezone.localtime(s.imported_at).strftime("%Y-%m-%d %H:%M"),
                    status,
                ]
            )
        )
    return 0


def cmd_generate(args) -> int:
    from django.utils.translation import gettext as _

    from tillit.analytics.generate import GenerateError, generate
    from tillit.lib.commands import CommandError
    from tillit.lib.formats import format_integer
    from tillit.lib.messages import render

    tty = sys.stderr.isatty()

    def progress(done: int, total: int, label: str) -> None:
        if tty:
            print(
                f"\r{label}: {100 * done // max(total, 1)} %", end="", file=sys.stderr, flush=True
            )

    try:
        result = generate(Path(args.dir), scale=args.scale, seed=args.seed, progress=progress)
    except GenerateError as exc:
        raise CommandError(render(exc.message, exc.params)) from None
    if tty:
        print(file=sys.stderr)
    for name, rows in result.rows.items():
        print(f"{name}\t{format_integer(rows)}")
    print(
        _("%(cases)s injected cases and %(decoys)s decoys are listed in %(file)s.")
        % {"cases": result.cases, "decoys": result.decoys, "file": Path(args.dir) / "truth.json"}
    )
    return 0


def cmd_profiles_add(args) -> int:
    from django.utils.translation import gettext as _

    from tillit.analytics import schema
    from tillit.datasets.services import ProfileError, profile_save
    from tillit.lib.commands import CommandError
    from tillit.lib.messages import render

    if args.dataset not in schema.DATASETS:
        raise CommandError(
            _("Unknown data set %(name)s. Known data sets: %(names)s.")
            % {"name": args.dataset, "names": ", ".join(schema.DATASETS)}
        )
    columns = {}
    for item in args.column:
        column, sep, header = item.partition("=")
        if not sep or not column.strip() or not header.strip():
            raise CommandError(
                _("Write each column as COLUMN=HEADER, for example invoice_date=Fakturadatum.")
            )
        columns[column.strip()] = header.strip()
    municipality = resolve_municipality(args.municipality)
    try:
        profile, created = profile_save(
            municipality=municipality,
            name=args.name,
            dataset=args.dataset,
            columns=columns,
            unavailable=[c.strip() for c in args.unavailable if c.strip()],
            date_format=args.date_format,
            decimal=args.decimal,
            encoding=args.encoding,
            delimiter=args.delimiter,
        )
    except ProfileError as exc:
        raise CommandError(render(exc.template, exc.params)) from None
    message = (
        _("Mapping profile %(name)s saved.") if created else _("Mapping profile %(name)s replaced.")
    )
    print(message % {"name": profile.name})
    return 0


def cmd_profiles_list(args) -> int:
    from django.utils.translation import gettext as _

    from tillit.datasets.models import MappingProfile

    municipality = resolve_municipality(args.municipality)
    print(
        "\t".join(
            [
                _("Name"),
                _("Data set"),
                _("Columns"),
                _("Date format"),
                _("Columns the source lacks"),
            ]
        )
    )
    for profile in MappingProfile.objects.filter(municipality=municipality).order_by("name"):
        print(
            "\t".join(
                [
                    profile.name,
                    profile.dataset,
                    str(len(profile.columns)),
                    profile.date_format or "–",
                    ", ".join(profile.unavailable) or "–",
                ]
            )
        )
    return 0


def cmd_profiles_show(args) -> int:
    from django.utils.translation import gettext as _

    from tillit.analytics.ingest import ROW_NUMBER
    from tillit.datasets.models import MappingProfile
    from tillit.lib.commands import CommandError

    municipality = resolve_municipality(args.municipality)
    profile = MappingProfile.objects.filter(municipality=municipality, name=args.name).first()
    if profile is None:
        raise CommandError(_("There is no mapping profile named %(name)s.") % {"name": args.name})
    print(
        _("Mapping profile %(name)s for %(dataset)s")
        % {"name": profile.name, "dataset": profile.dataset}
    )
    for column, header in profile.columns.items():
        shown = _("the row number in the file") if header == ROW_NUMBER else header
        print(f"  {column} = {shown}")
    for label, value in (
        (_("Columns the source lacks"), ", ".join(profile.unavailable)),
        (_("Date format"), profile.date_format),
        (_("Decimal separator"), profile.decimal),
        (_("Encoding"), profile.encoding),
        (_("Delimiter"), profile.delimiter),
    ):
        print(f"{label}: {value or '–'}")
    return 0
