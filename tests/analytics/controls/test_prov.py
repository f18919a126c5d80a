"""Golden tests of the PROV-* (providers' key persons) controls (analytics/controls/prov.py) on crafted data,
on DuckDB and Spark."""

from __future__ import annotations

from datetime import date as D
from decimal import Decimal

from tests.analytics.conftest import engines, run_control

from tillit.analytics.runner import render_explanation


def _sup(sid: str, name: str, orgnr: str) -> dict:
    return {"supplier_id": sid, "name": name, "orgnr": orgnr, "orgnr_valid": True}


def _pay(pid: str, day: D, amount: str, payee: str) -> dict:
    return {
        "payment_id": pid,
        "payment_date": day,
        "amount": Decimal(amount),
        "bank_account": "BG:1",
        "payee_id": payee,
    }


def _role(orgnr: str, pnr: str, role: str, name: str, **kw) -> dict:
    return {
        "orgnr": orgnr,
        "personnummer": pnr,
        "role": role,
        "name": name,
        "valid_from": D(2015, 1, 1),
        **kw,
    }


def _check(
    orgnr: str, pnr: str, day: D, result: str = "utan anmärkning", kind: str = "belastningsregister"
) -> dict:
    return {
        "orgnr": orgnr,
        "personnummer": pnr,
        "check_type": kind,
        "checked_date": day,
        "result": result,
    }


A, B, C, E, F = "5560000001", "5560000002", "5560000003", "5560000005", "5560000006"


@engines()
def test_providers_paid_while_a_key_person_was_unchecked(tmp_path, engine):
    hits = run_control(
        tmp_path,
        engine,
        "PROV-KEYPERSON-UNCHECKED",
        suppliers=[
            _sup("1", "Solgläntan Omsorg AB", A),
            _sup("1b", "Solgläntan Omsorg Aktiebolag", A),
            _sup("2", "Valfrihet Hemtjänst AB", B),
            _sup("3", "Städ och Omsorg AB", C),
            _sup("5", "Skottårets HVB AB", E),
            _sup("6", "Avgången Assistans AB", F),
        ],
        contracts=[
            # a category compared as a whole value, whatever its case and spaces
            {
                "contract_id": "K1",
                "supplier_orgnr": A,
                "valid_from": D(2022, 1, 1),
                "category": " Hemtjänst ",
            },
            {
                "contract_id": "K2",
                "supplier_orgnr": B,
                "valid_from": D(2022, 1, 1),
                "procurement": "lov",
            },
            # not a provider: the category only contains a service's name
            {
                "contract_id": "K3",
                "supplier_orgnr": C,
                "valid_from": D(2022, 1, 1),
                "category": "Hemtjänst och städ",
            },
            {
                "contract_id": "K5",
                "supplier_orgnr": E,
                "valid_from": D(2022, 1, 1),
                "category": "HVB",
            },
            {
                "contract_id": "K6",
                "supplier_orgnr": F,
                "valid_from": D(2022, 1, 1),
                "category": "personlig assistans",
            },
        ],
        company_roles=[
            _role(A, "197001010001", "VD", "Vera Vd"),
            _role(A, "197001010002", "styrelseledamot", "Sten Styr"),
            # a signatory is not a key person
            _role(A, "197001010003", "firmatecknare", "Fia Firma"),
            _role(B, "197001010004", "ägare", "Åke Ägare"),
            _role(B, "197001010005", "verklig huvudman", "Hugo Hm"),
            _role(C, "197001010006", "VD", "Cilla Cvd"),
            _role(E, "197001010007", "VD", "Skott Vd"),
            # the role ended before the payment
            _role(F, "197001010008", "VD", "Gammal Vd", valid_to=D(2025, 1, 31)),
        ],
        provider_checks=[
            # checked exactly 12 months before P1: counts for P1, too old for P2
            _check(A, "197001010001", D(2024, 3, 10)),
            # another kind of check does not count
            _check(A, "197001010002", D(2025, 1, 5), kind="ägar- och ledningsprövning"),
            _check(B, "197001010004", D(2025, 1, 10), result="anmärkning"),
            _check(B, "197001010005", D(2023, 12, 1)),
            # 12 months before 29 February 2024 is 28 February 2023
            _check(E, "197001010007", D(2023, 2, 28)),
        ],
        payments=[
            _pay("P1", D(2025, 3, 10), "100000.00", "1"),
            _pay("P2", D(2025, 6, 2), "146000.00", "1b"),
            _pay("P3", D(2025, 4, 1), "50000.00", "2"),
            _pay("P4", D(2025, 4, 1), "70000.00", "3"),
            _pay("P5", D(2024, 2, 29), "30000.00", "5"),
            _pay("P6", D(2025, 3, 1), "9000.00", "6"),
        ],
    )
    assert [
        (h.subject_type, h.subject_id, h.evidence_keys, h.amount_at_risk, h.severity) for h in hits
    ] == [
        (
            "provider",
            A,
            ["payments:P1", "payments:P2", "suppliers:1", "suppliers:1b"],
            Decimal("246000.00"),
            "medel",
        ),
        ("provider", B, ["payments:P3", "suppliers:2"], Decimal("50000.00"), "hög"),
    ]
    assert render_explanation(hits[0]) == (
        "Solgläntan Omsorg AB was paid 246\u00a0000,00\u00a0kr in 2025 (number of payments: 2) while key persons had no "
        "check against the criminal records register within 12 months before the payment: Sten Styr, Vera Vd."
    )
    assert render_explanation(hits[1]).endswith(
        "Hugo Hm. A check of another key person in the same period found a remark."
    )


@engines()
def test_a_provider_whose_key_persons_were_all_checked_is_no_hit(tmp_path, engine):
    hits = run_control(
        tmp_path,
        engine,
        "PROV-KEYPERSON-UNCHECKED",
        suppliers=[_sup("1", "Solgläntan Omsorg AB", A)],
        contracts=[
            {
                "contract_id": "K1",
                "supplier_orgnr": A,
                "valid_from": D(2022, 1, 1),
                "category": "HVB",
            }
        ],
        company_roles=[_role(A, "197001010001", "VD", "Vera Vd")],
        # a check dated on the payment day counts
        provider_checks=[_check(A, "197001010001", D(2025, 3, 10))],
        payments=[_pay("P1", D(2025, 3, 10), "100000.00", "1")],
    )
    assert hits == []
