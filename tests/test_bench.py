"""`tillit bench` measures what it says on small inputs (figures are never asserted: ratios only)."""

from tillit.bench import bench_controls, bench_import, report_controls, report_import


def test_bench_controls_measures_each_control_against_the_scan(monkeypatch, tmp_path):
    monkeypatch.setenv("TILLIT_DATA_DIR", str(tmp_path))
    result = bench_controls(["INV-DUP-EXACT"], scale=0.05, engine_name="duckdb")
    seconds, hits = result["controls"]["INV-DUP-EXACT"]
    assert hits == 3 and seconds > 0 and result["scan_s"] > 0
    assert result["rows_read"]["invoices"] > 3000
    text = report_controls(result)
    assert "| INV-DUP-EXACT | 3 |" in text and "**all together**" in text


def test_bench_import_reads_the_whole_swedish_file(monkeypatch, tmp_path):
    monkeypatch.setenv("TILLIT_DATA_DIR", str(tmp_path))
    result = bench_import(2_000)
    assert result["rows"] == 2_000 and result["ours_s"] > 0 and result["duckdb_s"] > 0
    assert "| 2 000 |" in report_import([result])


def test_bench_cross_finds_every_injected_case_across_many_municipalities(monkeypatch, tmp_path):
    from tillit.bench import bench_cross, report_cross

    monkeypatch.setenv("TILLIT_DATA_DIR", str(tmp_path))
    result = bench_cross(municipalities=8, scale=0.02, engine_name="duckdb")
    assert result["rows_read"]["x_invoices"] > 8 * 300
    for control_id, figures in result["controls"].items():
        assert figures["injected"] >= 4, control_id
        assert (figures["missed"], figures["decoys_flagged"], figures["other"]) == (0, 0, 0), (
            control_id
        )
    text = report_cross(result)
    assert "| X-SUP-SAME-INVOICE |" in text and "of" in text
    # the exports are generated once and reused
    again = bench_cross(municipalities=8, scale=0.02, engine_name="duckdb")
    assert again["rows_read"] == result["rows_read"]
