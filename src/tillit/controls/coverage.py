"""Coverage by risk area: for each risk area of the catalogue (Oskarshamn's 47 potential risk areas,
risk-areas.md, shipped as analytics/refdata/risk_areas.json, the same catalogue the risks app loads), the controls that serve it and the data sets they need.

An area that no control serves is listed too, with no controls: it is followed up through cases and the
risk analysis, not through data (permits, bygglov). An area that a control names but the catalogue does
not have (a municipality's own) comes last, so that no control's area is lost.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class AreaCoverage:
    number: int | None  # the catalogue's number, None for an area the catalogue does not have
    code: str
    name: str
    controls: tuple[str, ...]  # control ids, in the registry's order
    datasets: tuple[
        str, ...
    ]  # the data sets those controls need, each once, in order of first need
    missing: tuple[str, ...]  # of those, the ones the municipality has no current snapshot of


def coverage_by_area(present: set[str] | frozenset[str] | None = None) -> list[AreaCoverage]:
    """Every catalogue area in the catalogue's order, then any other area a control names.

    `present`: the data sets with a current snapshot; None leaves `missing` empty."""
    from tillit.analytics.refdata import risk_areas
    from tillit.analytics.registry import all_controls

    controls = all_controls()
    areas = [(row["number"], row["code"], row["name"]) for row in risk_areas()["risk_areas"]]
    known = {name for _, _, name in areas}
    for control in controls:
        for name in control.risk_areas:
            if name not in known:
                known.add(name)
                areas.append((None, "", name))
    out = []
    for number, code, name in areas:
        serving = [c for c in controls if name in c.risk_areas]
        datasets: list[str] = []
        for c in serving:
            datasets += [d for d in c.inputs if d not in datasets]
        missing = () if present is None else tuple(d for d in datasets if d not in present)
        out.append(
            AreaCoverage(number, code, name, tuple(c.id for c in serving), tuple(datasets), missing)
        )
    return out
