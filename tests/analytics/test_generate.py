"""The synthetic municipality: formats, identifiers, truth, determinism."""

from __future__ import annotations

import csv
import hashlib
import json
import re
from collections import Counter
from pathlib import Path

import pytest
from stdnum import luhn
from stdnum.se import orgnr as se_orgnr

from tillit.analytics import refdata
from tillit.analytics.generate import FILE_FORMATS, GenerateError, generate
from tillit.analytics.schema import DATASETS, MUNICIPAL_DATASETS

CONTROL_DOCS = Path(__file__).resolve().parents[2] / "docs" / "controls"
SCALE = 0.05


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("gen")
    generate(d, scale=SCALE, seed=7)
    return d


def read(out: Path, name: str) -> list[dict[str, str]]:
    fmt = FILE_FORMATS[name]
    with open(out / f"{name}.csv", encoding=fmt.encoding, newline="") as fh:
        return list(csv.DictReader(fh, delimiter=fmt.delimiter))


@pytest.fixture(scope="module")
def truth(out: Path) -> dict:
    return json.loads((out / "truth.json").read_text(encoding="utf-8"))


def test_every_data_set_is_written_with_canonical_headers_in_its_format(out: Path) -> None:
    for name, spec in ((n, DATASETS[n]) for n in MUNICIPAL_DATASETS):
        fmt = FILE_FORMATS[name]
        raw = (out / f"{name}.csv").read_bytes()
        text = raw.decode(fmt.encoding)  # raises if the declared encoding is wrong
        header = text.split("\r\n", 1)[0]
        assert header.split(fmt.delimiter) == spec.column_names, name
        assert len(read(out, name)) > 0, name


def test_legacy_files_are_windows_1252_with_decimal_comma(out: Path) -> None:
    raw = (out / "invoices.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")  # å, ä, ö in cp1252 are not valid UTF-8
    rows = read(out, "invoices")
    assert all(re.fullmatch(r"-?\d+,\d\d", r["amount"]) for r in rows)
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\d", r["invoice_date"]) for r in rows)
    grants = read(out, "grants")
    assert all(re.fullmatch(r"\d+\.\d\d", r["amount"]) for r in grants)
    visits = read(out, "care_visits")
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", r["start"]) for r in visits)
    assert {r["politician"] for r in read(out, "employees")} == {"true", "false"}


def test_every_personnummer_comes_from_skatteverkets_test_list(out: Path) -> None:
    pins = set(refdata.test_personnummer())
    used = set()
    for name, spec in ((n, DATASETS[n]) for n in MUNICIPAL_DATASETS):
        cols = [c.name for c in spec.columns if c.identifier == "personnummer"]
        for r in read(out, name):
            used.update(r[c] for c in cols if r[c])
    assert used and used <= pins


def test_adults_and_children_make_sense(out: Path) -> None:
    born = {r["personnummer"]: r["birth_date"] for r in read(out, "population")}
    for r in read(out, "benefit_payments"):
        assert born[r["applicant"]] < "2007-01-01"
    for r in read(out, "employees"):
        assert r["personnummer"][:4] < "2007"


def test_organisation_numbers_and_giro_numbers_are_valid(out: Path) -> None:
    bad = {
        c["evidence_keys"][0].split(":")[1]
        for c in json.loads((out / "truth.json").read_text(encoding="utf-8"))["cases"]
        if c["control_id"] == "SUP-ORGNR"
    }
    for r in read(out, "suppliers"):
        if r["supplier_id"] in bad or r["country"] != "SE":
            continue  # SUP-ORGNR's cases, and a foreign supplier (its decoy)
        assert re.fullmatch(r"\d{6}-\d{4}", r["orgnr"]), r
        assert se_orgnr.is_valid(r["orgnr"]), r
        assert r["orgnr"][0] in "58"
    for r in read(out, "grants"):
        if r["recipient_orgnr"]:
            assert r["recipient_orgnr"].startswith("8") and se_orgnr.is_valid(r["recipient_orgnr"])
    accounts = [r["bank_account"] for r in read(out, "supplier_accounts")]
    accounts += [r["bank_account"] for r in read(out, "payments")]
    accounts += [r["bank_account"] for r in read(out, "employees")]
    for a in accounts:
        kind, _, rest = a.partition(":")
        digits = re.sub(r"\D", "", rest)
        if kind in ("BG", "PG"):
            assert luhn.is_valid(digits), a
        else:
            assert kind == "BANK", a
            # Swedbank type 1: mod 11 over the clearing's last three digits and the account
            ten = digits[1:]
            assert (
                sum(int(c) * w for c, w in zip(reversed(ten), range(1, 11), strict=True)) % 11 == 0
            ), a


def test_every_control_in_the_spec_has_cases(truth: dict) -> None:
    spec_ids = {
        p.stem for p in CONTROL_DOCS.glob("*.md") if re.fullmatch(r"[A-Z]+(?:-[A-Z0-9]+)+", p.stem)
    }
    assert len(spec_ids) >= 41
    counts = Counter(c["control_id"] for c in truth["cases"])
    assert spec_ids <= set(counts), spec_ids - set(counts)
    for cid in spec_ids:
        assert counts[cid] >= 2, cid
    assert len({c["case_id"] for c in truth["cases"]}) == len(truth["cases"])
    for c in truth["cases"]:
        assert re.fullmatch(r"-?\d+\.\d\d", c["amount_at_risk"])
        assert c["subject_type"] and c["subject_id"] and c["note"]


def test_every_evidence_key_exists(out: Path, truth: dict) -> None:
    keys: dict[str, set[str]] = {}
    for name in MUNICIPAL_DATASETS:
        first = DATASETS[name].column_names[0]
        keys[name] = {r[first] for r in read(out, name)}
    for item in truth["cases"] + truth["decoys"]:
        assert item["evidence_keys"], item
        for k in item["evidence_keys"]:
            dataset, _, key = k.partition(":")
            assert key in keys[dataset], (item.get("case_id") or item["decoy_id"], k)


def test_the_decoys_are_there(truth: dict, out: Path) -> None:
    targets = Counter(c for d in truth["decoys"] for c in d["control_ids"])
    for cid in (
        "INV-DUP-FUZZY",
        "INV-DUP-EXACT",
        "GRANT-DOUBLE",
        "BEN-DECEASED",
        "CARE-OVERLAP",
        "CARE-DECEASED",
        "PERMIT-DECEASED",
        "SUP-DUPLICATE",
        "PAY-DUP",
    ):
        assert targets[cid] >= 1, cid
    names = {r["recipient_name"]: r for r in read(out, "grants")}
    assert names["Kvarnby IF"]["recipient_orgnr"] != names["Kvarnby FF"]["recipient_orgnr"]
    assert names["Kvarnby IF"]["bank_account"] != names["Kvarnby FF"]["bank_account"]
    credit = [r for r in read(out, "invoices") if r["amount"].startswith("-")]
    assert credit


def test_background_invoice_numbers_do_not_collide(out: Path, truth: dict) -> None:
    flagged = {
        k.split(":")[1]
        for c in truth["cases"] + truth["decoys"]
        for k in c["evidence_keys"]
        if k.startswith("invoices:")
    }
    seen: Counter[tuple[str, str]] = Counter()
    for r in read(out, "invoices"):
        if r["invoice_id"] not in flagged:
            seen[(r["supplier_id"], r["invoice_number"])] += 1
    assert max(seen.values()) == 1


def test_background_staff_are_never_in_two_places(out: Path, truth: dict) -> None:
    injected = {
        k.split(":")[1]
        for c in truth["cases"]
        for k in c["evidence_keys"]
        if k.startswith("care_visits:")
    }
    by_staff: dict[str, list[tuple[str, str]]] = {}
    for r in read(out, "care_visits"):
        if r["visit_id"] not in injected:
            by_staff.setdefault(r["staff_id"], []).append((r["start"], r["end"]))
    for visits in by_staff.values():
        visits.sort()
        for (_, end), (start, _) in zip(visits, visits[1:], strict=False):
            assert end <= start


def _digest(d: Path) -> str:
    h = hashlib.sha256()
    for p in sorted(d.rglob("*")):
        if p.is_file():
            h.update(p.name.encode())
            h.update(p.read_bytes())
    return h.hexdigest()


def test_same_seed_gives_the_same_bytes(tmp_path: Path, out: Path) -> None:
    generate(tmp_path / "a", scale=SCALE, seed=7)
    assert _digest(tmp_path / "a") == _digest(out)
    generate(tmp_path / "b", scale=SCALE, seed=8)
    assert _digest(tmp_path / "b") != _digest(out)


def test_row_counts_grow_with_scale(tmp_path: Path) -> None:
    small = generate(tmp_path / "s", scale=0.05, seed=3)
    big = generate(tmp_path / "b", scale=0.2, seed=3)
    assert 2500 < small.rows["invoices"] < 5000
    assert 3.0 < (big.rows["invoices"] - 700) / (small.rows["invoices"] - 700) < 5.0
    assert big.rows["ledger"] > 3 * small.rows["ledger"]
    assert big.rows["care_visits"] > 2 * small.rows["care_visits"]
    assert big.rows["population"] > 2 * small.rows["population"]


def test_progress_is_reported(tmp_path: Path) -> None:
    seen = []
    generate(tmp_path, scale=0.02, seed=1, progress=lambda done, total, label: seen.append(label))
    assert "invoices" in seen


def test_it_refuses_a_scale_that_is_not_positive(tmp_path: Path) -> None:
    with pytest.raises(GenerateError) as err:
        generate(tmp_path, scale=0)
    assert err.value.params == {"scale": 0}
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize(("scale", "seed"), [(0.01, 3), (0.01, 4), (0.02, 4)])
def test_a_very_small_municipality_is_generated_with_a_case_for_every_control(
    tmp_path: Path, scale: float, seed: int
) -> None:
    """These stopped with an IndexError when a scenario found no material in a tiny world."""
    generate(tmp_path, scale=scale, seed=seed)
    truth = json.loads((tmp_path / "truth.json").read_text(encoding="utf-8"))
    spec_ids = {
        p.stem for p in CONTROL_DOCS.glob("*.md") if re.fullmatch(r"[A-Z]+(?:-[A-Z0-9]+)+", p.stem)
    }
    assert spec_ids <= {c["control_id"] for c in truth["cases"]}
