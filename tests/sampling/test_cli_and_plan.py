"""`tillit sample draw|list|show|export`, and the samples in the board's internal control plan."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest

pytestmark = pytest.mark.django_db


def _cli(argv) -> tuple[int, str]:
    from contextlib import redirect_stdout

    from tillit.cli import build_parser

    args = build_parser().parse_args(argv)
    out = io.StringIO()
    with redirect_stdout(out):
        code = int(args.func(args) or 0)
    return code, out.getvalue()


def test_the_commands_draw_the_same_sample_again_and_export_it(kommun_a, invoices, tmp_path):
    from tillit.accounts.models import AccessLogEntry
    from tillit.lib.commands import CommandError
    from tillit.sampling.models import Sample

    code, out = _cli(
        [
            "--municipality",
            "0180",
            "sample",
            "draw",
            "--method",
            "mus",
            "--tolerable",
            "400 000",
            "--board",
            "Socialnämnden",
            "--from",
            "2026-01-01",
            "--to",
            "2026-12-31",
            "--seed",
            "77",
            "--title",
            "Socialnämnden 2026",
        ]
    )
    first = Sample.objects.get()
    assert code == 0 and f"Stickprov {first.pk} draget" in out and "slumpfrö 77" in out
    _cli(
        [
            "--municipality",
            "0180",
            "sample",
            "draw",
            "--method",
            "mus",
            "--tolerable",
            "400000",
            "--board",
            "Socialnämnden",
            "--from",
            "2026-01-01",
            "--to",
            "2026-12-31",
            "--seed",
            "77",
        ]
    )
    second = Sample.objects.exclude(pk=first.pk).get()
    assert list(second.items.values_list("key", flat=True)) == list(
        first.items.values_list("key", flat=True)
    )
    code, out = _cli(["--municipality", "0180", "sample", "list"])
    assert code == 0 and len(out.strip().splitlines()) == 2
    before = AccessLogEntry.objects.count()
    code, out = _cli(["--municipality", "0180", "sample", "show", str(first.pk)])
    assert code == 0 and first.items.first().key in out and "Slumpfrö: 77" in out
    code, _out = _cli(
        [
            "--municipality",
            "0180",
            "sample",
            "export",
            str(first.pk),
            "--format",
            "xlsx",
            "--output",
            str(tmp_path / "s.xlsx"),
        ]
    )
    assert code == 0 and (tmp_path / "s.xlsx").read_bytes()[:2] == b"PK"
    rows = AccessLogEntry.objects.order_by("id")[before:]
    assert [(r.action, r.object_type) for r in rows] == [
        ("view", "sample"),
        ("export", "sample report"),
    ]
    with pytest.raises(CommandError):
        _cli(["--municipality", "0180", "sample", "show", "99999"])
    with pytest.raises(CommandError):
        _cli(["--municipality", "0180", "sample", "draw", "--method", "srs"])  # no size
    assert Sample.objects.count() == 2


def test_the_internal_control_plan_lists_the_boards_samples_with_their_latest_result(
    kommun_a, invoices, personas
):
    from django.utils import timezone
    from openpyxl import load_workbook

    from tillit.accounts.models import Board
    from tillit.risks import controlplan
    from tillit.sampling.services import item_record, sample_draw

    social = Board.objects.get(municipality=kommun_a, name="Socialnämnden")
    culture = Board.objects.get(municipality=kommun_a, name="Kulturnämnden")
    sample = sample_draw(
        municipality=kommun_a,
        user=None,
        title="Fakturor Socialnämnden",
        method="mus",
        confidence=Decimal("0.95"),
        tolerable_misstatement=Decimal("300000"),
        boards=["Socialnämnden"],
        seed=4,
    )
    item = sample.items.filter(top_stratum=False).first()
    item_record(
        item=item,
        user=personas["controller"],
        result="deviation",
        deviation_type="wrong_account",
        audited_amount=item.book_amount / 2,
        note="Fel konto och belopp",
    )
    year = timezone.localdate().year
    book = load_workbook(io.BytesIO(controlplan.to_xlsx(social, year)))
    cells = [str(c) for row in book.active.iter_rows(values_only=True) for c in row if c]
    assert "Stickprov av nämndens fakturor" in cells and "Fakturor Socialnämnden" in cells
    line = next(c for c in cells if c.startswith("1 av "))
    assert "avvikelser: 1" in line and "övre felgräns" in line
    other = load_workbook(io.BytesIO(controlplan.to_xlsx(culture, year)))
    assert "Fakturor Socialnämnden" not in [
        str(c) for row in other.active.iter_rows(values_only=True) for c in row
    ]
