"""Drawing a sample from the current invoices, recording results, evaluating, opening cases."""

from __future__ import annotations

import secrets
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tillit.sampling import stats
from tillit.sampling.models import Sample, SampleItem

CONFIDENCE_LEVELS = (Decimal("0.95"), Decimal("0.90"))


class SampleError(ValueError):
    pass


def _jsonable(value):
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def population(
    *,
    municipality,
    boards: list[str] | None = None,
    period_from: date | None = None,
    period_to: date | None = None,
    min_amount: Decimal | None = None,
) -> tuple[list[dict], list[int]]:
    """Attested invoices with a positive amount of the chosen boards and period, from the current
    snapshots (read with DuckDB as the controls read them), ordered by invoice id; credit notes are
    outside. Returns the rows and the snapshot ids they come from."""
    from tillit.analytics.engines.base import SOURCE_COLUMN, make_engine
    from tillit.datasets.services import current_sources

    sources = current_sources(municipality=municipality)
    if "invoices" not in sources:
        return [], []
    source, ids = sources["invoices"]
    where = [
        "amount > 0",
        "attested_by IS NOT NULL",
        "trim(attested_by) <> ''",
        "invoice_id IS NOT NULL",
    ]
    params: dict = {}
    if boards:
        where.append("board IN (SELECT unnest($boards))")
        params["boards"] = list(boards)
    if period_from:
        where.append("invoice_date >= $period_from")
        params["period_from"] = period_from
    if period_to:
        where.append("invoice_date <= $period_to")
        params["period_to"] = period_to
    if min_amount is not None:
        where.append("amount >= $min_amount")
        params["min_amount"] = min_amount
    sql = f"SELECT * FROM invoices WHERE {' AND '.join(where)} ORDER BY CAST(invoice_id AS VARCHAR)"  # noqa: S608
    with make_engine("duckdb") as engine:
        engine.register("invoices", source)
        table = engine.query(sql, params, label="sample population").table
    rows = []
    for row in table.to_pylist():
        row.pop(SOURCE_COLUMN, None)
        rows.append(
            {k: _jsonable(v) for k, v in row.items() if not k.endswith(("_valid", "_flag"))}
        )
    return rows, ids


def population_summary(rows: list[dict]) -> tuple[int, Decimal]:
    return len(rows), sum((Decimal(r["amount"]) for r in rows), Decimal(0))


@transaction.atomic
def sample_draw(
    *,
    municipality,
    user,
    title: str,
    method: str,
    confidence: Decimal,
    tolerable_misstatement: Decimal | None = None,
    expected_misstatement: Decimal | None = None,
    sample_size: int | None = None,
    boards: list[str] | None = None,
    period_from: date | None = None,
    period_to: date | None = None,
    min_amount: Decimal | None = None,
    seed: int | None = None,
) -> Sample:
    """Draw and store a sample. Without a seed, a new one is made and recorded."""
    if method not in Sample.Method.values:
        raise SampleError(_("Choose monetary-unit or simple random sampling."))
    confidence = Decimal(confidence)
    if confidence not in CONFIDENCE_LEVELS:
        raise SampleError(_("The confidence level must be 95 or 90 per cent."))
    if period_from and period_to and period_from > period_to:
        raise SampleError(_("The period ends before it starts."))
    rows, snapshot_ids = population(
        municipality=municipality,
        boards=boards,
        period_from=period_from,
        period_to=period_to,
        min_amount=min_amount,
    )
    size, total = population_summary(rows)
    if size == 0:
        raise SampleError(
            _(
                "The population is empty: no attested invoices with a positive amount match the "
                "boards and the period."
            )
        )
    if seed is None:
        seed = secrets.randbelow(2**62)
    amounts = [Decimal(r["amount"]) for r in rows]
    if method == Sample.Method.MUS:
        if tolerable_misstatement is None or tolerable_misstatement <= 0:
            raise SampleError(
                _(
                    "Give the tolerable misstatement in kronor (above zero) for monetary-unit "
                    "sampling."
                )
            )
        n = sample_size or stats.mus_sample_size(total, tolerable_misstatement, confidence)
        draw = stats.mus_draw(amounts, n, seed)
    else:
        if not sample_size or sample_size < 1:
            raise SampleError(_("Give the sample size (at least 1) for simple random sampling."))
        n = min(sample_size, size)
        draw = stats.srs_draw(size, n, seed)
    sample = Sample.objects.create(
        municipality=municipality,
        title=title[:200] or _("Sample of attested invoices"),
        method=method,
        seed=seed,
        confidence=confidence,
        tolerable_misstatement=tolerable_misstatement,
        expected_misstatement=expected_misstatement or Decimal(0),
        requested_size=sample_size,
        filters={
            "boards": list(boards or []),
            "period_from": period_from.isoformat() if period_from else None,
            "period_to": period_to.isoformat() if period_to else None,
            "min_amount": str(min_amount) if min_amount is not None else None,
        },
        snapshot_ids=snapshot_ids,
        population_size=size,
        population_total=total,
        sample_size=n,
        interval=draw.interval,
        random_start=draw.start,
        drawn_by=user,
    )
    SampleItem.objects.bulk_create(
        [
            SampleItem(
                municipality=municipality,
                sample=sample,
                position=pos,
                key=str(rows[i]["invoice_id"]),
                supplier_id=str(rows[i].get("supplier_id") or ""),
                board=str(rows[i].get("board") or ""),
                book_amount=amounts[i],
                top_stratum=i in draw.top,
                row=rows[i],
            )
            for pos, i in enumerate(draw.indices, start=1)
        ]
    )
    return sample


def redraw_keys(sample: Sample) -> list[str]:
    """The invoice keys the recorded seed and parameters select from the current data (for an auditor)."""
    f = sample.filters or {}
    rows, _ids = population(
        municipality=sample.municipality,
        boards=f.get("boards") or None,
        period_from=date.fromisoformat(f["period_from"]) if f.get("period_from") else None,
        period_to=date.fromisoformat(f["period_to"]) if f.get("period_to") else None,
        min_amount=Decimal(f["min_amount"]) if f.get("min_amount") else None,
    )
    amounts = [Decimal(r["amount"]) for r in rows]
    if sample.method == Sample.Method.MUS:
        draw = stats.mus_draw(amounts, sample.sample_size, sample.seed)
    else:
        draw = stats.srs_draw(len(rows), sample.sample_size, sample.seed)
    return [str(rows[i]["invoice_id"]) for i in draw.indices]


@transaction.atomic
def item_record(
    *,
    item: SampleItem,
    user,
    result: str,
    deviation_type: str = "",
    audited_amount: Decimal | None = None,
    note: str = "",
) -> SampleItem:
    """Record an item's result: no remark, or a deviation with its kind, the audited amount and a note."""
    if result == SampleItem.Result.CORRECT:
        item.deviation_type, item.audited_amount = "", item.book_amount
    elif result == SampleItem.Result.DEVIATION:
        if deviation_type not in SampleItem.DeviationType.values:
            raise SampleError(_("Choose the kind of deviation."))
        if audited_amount is None:
            raise SampleError(
                _("Give the audited amount: what the invoice should have been (0 if nothing).")
            )
        if not note.strip():
            raise SampleError(_("Describe the deviation in the note."))
        item.deviation_type, item.audited_amount = deviation_type, audited_amount
    else:
        raise SampleError(_("Choose the result: no remark or deviation."))
    item.result, item.note = result, note.strip()
    item.recorded_by, item.recorded_at = user, timezone.now()
    item.save()
    return item


def evaluation(sample: Sample) -> dict:
    """The projection from the items examined so far; `complete` says whether every item is examined."""
    items = list(sample.items.all())
    examined = [i for i in items if i.result]
    out = {
        "examined": len(examined),
        "total": len(items),
        "complete": len(examined) == len(items),
        "deviations": sum(1 for i in examined if i.result == SampleItem.Result.DEVIATION),
        "found": sum(((i.difference or Decimal(0)) for i in examined), Decimal(0)),
        "result": None,
    }
    if not examined:
        return out
    rows = [
        stats.Examined(
            book=i.book_amount,
            audited=i.audited_amount if i.audited_amount is not None else i.book_amount,
            top=i.top_stratum,
        )
        for i in examined
    ]
    if sample.method == Sample.Method.MUS:
        result = stats.mus_evaluate(rows, sample.interval, sample.confidence)
        tolerable = sample.tolerable_misstatement
        result["within_tolerable"] = tolerable is not None and result["upper_limit"] <= tolerable
    else:
        result = stats.srs_evaluate(rows, sample.population_size, sample.confidence)
        result["rate_text"] = _percent(result["rate"])
        result["rate_upper_text"] = _percent(result["rate_upper"])
        tolerable = sample.tolerable_misstatement
        result["within_tolerable"] = tolerable is not None and result["upper_limit"] <= tolerable
    out["result"] = result
    return out


@transaction.atomic
def item_open_case(*, item: SampleItem, user):
    """A deviation opens a supplier/invoice case on the invoice's supplier (once per item)."""
    from tillit.accounts.models import Board
    from tillit.cases.models import CaseSubject, CaseType, Source
    from tillit.cases.services import case_create

    if item.result != SampleItem.Result.DEVIATION:
        raise SampleError(_("Only a deviation can open a case."))
    if item.case_id:
        return item.case
    sample = item.sample
    board = (
        Board.objects.filter(municipality_id=item.municipality_id, name=item.board).first()
        if item.board
        else None
    )
    description = _(
        "Sample %(sample)s (%(method)s, seed %(seed)s), item %(n)s: invoice %(key)s, book amount "
        "%(book)s, audited amount %(audited)s. Kind of deviation: %(kind)s. %(note)s"
    ) % {
        "sample": sample.title,
        "method": sample.get_method_display(),
        "seed": sample.seed,
        "n": item.position,
        "key": item.key,
        "book": _kr(item.book_amount),
        "audited": _kr(item.audited_amount),
        "kind": item.get_deviation_type_display(),
        "note": item.note,
    }
    subjects = (
        [{"kind": CaseSubject.Kind.COMPANY, "identifier": item.supplier_id}]
        if item.supplier_id
        else []
    )
    case = case_create(
        municipality=item.municipality,
        user=user,
        source=Source.SAMPLE,
        title=_("Sample deviation: invoice %(key)s") % {"key": item.key},
        case_type=CaseType.SUPPLIER,
        subjects=subjects,
        board=board,
        amount_concerned=max(item.difference or Decimal(0), Decimal(0)),
        description=description,
    )
    item.case = case
    item.save(update_fields=["case"])
    return case


def _kr(value) -> str:
    from tillit.lib.formats import format_amount

    return format_amount(value)


def _percent(value: float) -> str:
    return f"{value * 100:.1f}".replace(".", ",") + "\u00a0%"
