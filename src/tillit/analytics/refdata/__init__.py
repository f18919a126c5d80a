"""Reference data that ships inside the package (sources and licences in SOURCES.md).

Read with importlib.resources, so it works from a checkout, an editable install and a wheel.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
from dataclasses import dataclass
from functools import cache
from importlib import resources


def _text(name: str) -> str:
    data = resources.files(__package__).joinpath(name).read_bytes()
    if name.endswith(".gz"):
        data = gzip.decompress(data)
    return data.decode("utf-8")


@cache
def test_personnummer() -> tuple[str, ...]:
    """Skatteverket's test personnummer (12 digits), never assigned to a real person."""
    return tuple(line for line in _text("test_personnummer.txt.gz").splitlines() if line)


@dataclass(frozen=True)
class PostalCode:
    postal_code: str  # five digits, no space
    locality: str
    municipality_code: str


@cache
def postal_codes() -> tuple[PostalCode, ...]:
    return tuple(
        PostalCode(**row) for row in csv.DictReader(io.StringIO(_text("postal_codes.csv.gz")))
    )


@dataclass(frozen=True)
class Municipality:
    code: str
    name: str
    county_code: str
    county_name: str


@cache
def municipalities() -> dict[str, Municipality]:
    """The 290 municipalities by their four-digit code (kommunkod)."""
    rows = csv.DictReader(io.StringIO(_text("municipalities.csv")))
    return {
        r["municipality_code"]: Municipality(
            r["municipality_code"], r["municipality_name"], r["county_code"], r["county_name"]
        )
        for r in rows
    }


@cache
def risk_areas() -> dict:
    """The default catalogue of risk areas (Oskarshamn's 47 potential risk areas, risk-areas.md): a new
    municipality's risk analysis starts from it (risks app), and the control library shows which
    controls serve each area. `{"source", "version", "risk_areas": [{"number", "code", "name",
    "motivation"}, …]}`."""
    return json.loads(_text("risk_areas.json"))
