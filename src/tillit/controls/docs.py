"""docs/controls/: one page per control, generated from its definition, for a municipal auditor.

`tillit controls docs` writes the pages; tests/controls/test_docs_pages.py fails when a committed
page differs from what the definitions give, so the documentation cannot drift from the code.
The pages are in Swedish (the auditor's language), made from the same translated strings the
product shows, and each ends with an example hit from the synthetic municipality.
"""

from __future__ import annotations

from pathlib import Path

from django.utils import translation

EXAMPLE_SCALE = 0.1
EXAMPLE_SEED = 1


def example_hits(folder: Path) -> dict[str, str]:
    """The first hit (by fingerprint) of every control on the synthetic municipality, in Swedish."""
    from tillit.analytics.generate import generate
    from tillit.analytics.generate.load import import_generated
    from tillit.analytics.runner import render_explanation, run_controls

    generate(folder / "files", scale=EXAMPLE_SCALE, seed=EXAMPLE_SEED)
    result = run_controls(import_generated(folder / "files", folder / "parquet"))
    examples = {}
    with translation.override("sv"):
        for c in result.controls:
            if c.hits:
                hit = min(c.hits, key=lambda h: h.fingerprint)
                examples[c.control_id] = render_explanation(hit, translation.gettext)
    return examples


def _text(value: str) -> str:
    return translation.gettext(value) if value else ""


def render_page(control, example: str | None) -> str:
    with translation.override("sv"):
        _ = translation.gettext
        labels = {
            "Version": _("Version"),
            "Severity": _("Severity"),
            "Risk areas": _("Risk areas"),
            "Data sets needed": _("Data sets needed"),
            "Used when present": _("Used when present"),
            "Expected share of hits": _("Expected share of hits"),
        }
        lines = [f"# {control.id} — {_text(control.title)}", ""]
        lines += [_text(control.rationale), ""]
        lines += [
            "| | |",
            "| --- | --- |",
            f"| {labels['Version']} | {control.version} |",
            f"| {labels['Severity']} | {control.severity} |",
            f"| {labels['Risk areas']} | {', '.join(control.risk_areas) or '–'} |",
            f"| {labels['Data sets needed']} | {', '.join(control.inputs)} |",
        ]
        if control.optional_inputs:
            lines.append(
                f"| {labels['Used when present']} | {', '.join(control.optional_inputs)} |"
            )
        share = f"{control.expected_share * 100:.0f}"
        lines.append(
            f"| {labels['Expected share of hits']} | "
            + _("at most %(share)s %% of the subjects examined") % {"share": share}
            + " |"
        )
        lines += [
            "",
            "## " + _("Why this is a red flag"),
            "",
            _text(control.why),
            "",
            "## " + _("Legal ground"),
            "",
            _text(control.legal_ground),
            "",
        ]
        lines += ["## " + _("Columns the control reads"), ""]
        # every column the rule, its checks and its evidence read (the guard's reading), not only the
        # columns declared as needed
        from tillit.analytics.guard import columns_read

        read = columns_read(control)
        for dataset in control.datasets:
            columns = sorted(c for d, c in read if d == dataset)
            if columns:
                lines.append(f"- `{dataset}`: {', '.join(f'`{c}`' for c in columns)}")
        lines.append("")
        if control.params:
            lines += [
                "## " + _("Parameters"),
                "",
                "| "
                + " | ".join([_("parameter"), _("default"), _("min"), _("max"), _("meaning")])
                + " |",
                "| --- | ---: | ---: | ---: | --- |",
            ]
            for name, p in control.params.items():
                lines.append(
                    f"| `{name}` | {p.default} | {'' if p.min is None else p.min} | "
                    f"{'' if p.max is None else p.max} | {_text(p.description)} |"
                )
            lines.append("")
        if control.not_applicable_checks or control.min_rows:
            lines += ["## " + _("When the control is not applicable"), ""]
            for dataset, n in control.min_rows.items():
                lines.append(
                    "- "
                    + _("%(dataset)s has fewer than %(n)s rows.")
                    % {"dataset": f"`{dataset}`", "n": n}
                )
            for check in control.not_applicable_checks:
                lines.append(f"- {_text(check.reason)}")
            lines.append("")
        lines += ["## " + _("The explanation in a hit"), ""]
        lines += [f"- {_text(t)}" for t in control.explanations]
        lines += [
            "",
            "## " + _("The rule"),
            "",
            _(
                "The rule is one SQL query (DuckDB dialect); Spark runs the same "
                "query translated with sqlglot. Parameters are written $name."
            ),
            "",
            "```sql",
            control.sql.strip(),
            "```",
            "",
        ]
        lines += ["## " + _("Example hit"), ""]
        lines.append(
            f"> {example}"
            if example
            else _("The control raises no hit in the synthetic example municipality.")
        )
        lines.append("")
    return "\n".join(lines)


def render_index(controls) -> str:
    with translation.override("sv"):
        _ = translation.gettext
        lines = [
            "# " + _("The control library"),
            "",
            _("One page per control, generated from its definition by `tillit controls docs`."),
            "",
            "| id | " + " | ".join([_("name"), _("severity"), _("data sets")]) + " |",
            "| --- | --- | --- | --- |",
        ]
        for c in controls:
            lines.append(
                f"| [{c.id}]({c.id}.md) | {_text(c.title)} | {c.severity} | {', '.join(c.inputs)} |"
            )
        lines.append("")
    return "\n".join(lines)


def build(folder: Path, scratch: Path) -> dict[str, str]:
    """{file name: content} for docs/controls/."""
    from tillit.analytics.registry import all_controls

    controls = all_controls()
    examples = example_hits(scratch)
    pages = {f"{c.id}.md": render_page(c, examples.get(c.id)) for c in controls}
    pages["README.md"] = render_index(controls)
    return pages


def cmd_docs(args) -> int:
    import tempfile

    out = Path(args.output)
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        pages = build(out, Path(scratch))
    for old in out.glob("*.md"):
        if old.name not in pages:
            old.unlink()
    for name, text in pages.items():
        (out / name).write_text(text, encoding="utf-8")
    print(f"{len(pages)} pages in {out}")
    return 0
