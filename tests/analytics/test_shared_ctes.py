"""CTEs that several controls compute alike are computed once per engine session (issue 19).

engines/dialects.py keys each parameter-free CTE over data sets by its text; engines/base.py
stores those that two or more statements of the registry share, the first time a query reads
one, and drops them when a data set they read is registered again.
"""

from __future__ import annotations

import pytest
from tests.analytics.conftest import ENGINES

from tillit.analytics.engines.dialects import SHARED_PREFIX, plan_shared, shareable_ctes

DATASETS = frozenset({"invoices", "suppliers"})

QUERY = """
WITH supplier_key AS (SELECT supplier_id, 'orgnr:' || orgnr AS supplier_key FROM suppliers),
     -- a comment does not make a CTE another one
     keyed AS (SELECT i.invoice_id, k.supplier_key FROM invoices AS i
               LEFT JOIN supplier_key AS k ON k.supplier_id = i.supplier_id),
     large AS (SELECT invoice_id FROM invoices WHERE amount > $min_amount),
     own AS (SELECT invoice_id FROM large)
SELECT keyed.invoice_id, keyed.supplier_key FROM keyed JOIN own ON own.invoice_id = keyed.invoice_id
"""


def test_a_cte_is_keyed_by_its_text_and_one_with_a_parameter_or_reading_one_is_not():
    ctes = {c.name: c for c in shareable_ctes(QUERY, DATASETS)}
    assert set(ctes) == {"supplier_key", "keyed"}  # `large` has $min_amount, `own` reads it
    keyed = ctes["keyed"]
    assert keyed.needs == (ctes["supplier_key"].table,)
    assert keyed.datasets == {"invoices", "suppliers"} and ctes["supplier_key"].datasets == {
        "suppliers"
    }
    # the key reads the stored table of the CTE it depends on, under the CTE's alias
    assert f"{ctes['supplier_key'].table} AS k" in keyed.key and "comment" not in keyed.key
    # the same CTE written elsewhere, differently laid out and commented, has the same key
    other = """WITH supplier_key AS (
        -- identity
        SELECT supplier_id,   'orgnr:' || orgnr AS supplier_key
        FROM suppliers) SELECT * FROM supplier_key"""
    assert [c.key for c in shareable_ctes(other, DATASETS)] == [ctes["supplier_key"].key]
    # a data set that is not registered makes none of them shareable
    assert shareable_ctes(QUERY, frozenset({"invoices"})) == ()
    # a CTE named like a data set hides it from the CTEs after it: neither is shared
    shadow = """WITH invoices AS (SELECT invoice_id FROM invoices WHERE amount > $min_amount),
                n AS (SELECT count(*) AS n FROM invoices) SELECT n FROM n"""
    assert shareable_ctes(shadow, DATASETS) == ()


def test_the_plan_reads_the_stored_tables_and_keeps_the_rest_inline():
    ctes = {c.name: c for c in shareable_ctes(QUERY, DATASETS)}
    plan = plan_shared(QUERY, DATASETS, frozenset({ctes["keyed"].key}))
    assert plan is not None
    # `keyed` is shared; it reads `supplier_key`, which is stored first although no other
    # statement shares it
    assert [c.name for c in plan.ctes] == ["supplier_key", "keyed"]
    assert f"FROM {ctes['keyed'].table} AS keyed" in plan.sql
    assert "large AS" in plan.sql and "own AS" in plan.sql and "$min_amount" in plan.sql
    assert "supplier_key AS (" not in plan.sql
    # nothing shared, or a shared CTE nobody reads: no plan
    assert plan_shared(QUERY, DATASETS, frozenset()) is None
    assert plan_shared(QUERY, DATASETS, frozenset({"SELECT 1"})) is None


@pytest.fixture
def sources(synthetic):
    return synthetic(1).sources


def _stored(engine) -> set[str]:
    rows = engine.con.execute(
        f"SELECT table_name FROM duckdb_tables() WHERE table_name LIKE '{SHARED_PREFIX}%'"
    ).fetchall()
    return {r[0] for r in rows}


def test_two_controls_read_one_stored_cte_and_a_new_registration_drops_it(sources):
    from tillit.analytics.engines.duckdb import DuckDBEngine
    from tillit.analytics.registry import get

    exact, fuzzy = get("INV-DUP-EXACT"), get("INV-DUP-FUZZY")
    engine = DuckDBEngine()
    try:
        for name in sorted(set(exact.datasets) | set(fuzzy.datasets)):
            engine.register(name, sources.get(name))
        ran = engine.run(exact)
        first = list(engine.shared_stored)
        # the supplier key, the invoices per supplier and amount, the records sharing an
        # organisation number, the invoices with a second of the same amount, the invoices'
        # supplier key and normalised number
        assert len(first) == 5 and _stored(engine) == set(first)
        # the SQL kept with the hits is the whole query as written
        assert ran.sql == engine.transpile(exact.sql) and SHARED_PREFIX not in ran.sql
        engine.run(fuzzy)
        assert engine.shared_stored == first  # FUZZY read all five, stored none again
        by_name = {engine._shared[t].name: t for t in first}

        engine.register("invoices", sources["invoices"])
        kept = {by_name["supplier_key"], by_name["shared_key"]}
        assert _stored(engine) == kept  # what read the invoices is gone, the rest stays
        engine.run(fuzzy)
        # stored again, once each
        assert sorted(engine.shared_stored[len(first) :]) == sorted(
            [by_name["amount_count"], by_name["same_amount"], by_name["invoice_key"]]
        )
        assert _stored(engine) == set(first)
    finally:
        engine.close()
    assert engine.shared_stored and not engine._shared


def test_a_run_stores_only_what_two_of_its_controls_read(sources):
    from tillit.analytics.engines.duckdb import DuckDBEngine
    from tillit.analytics.runner import run_controls

    engine = DuckDBEngine()
    try:
        run_controls(sources, ["INV-DUP-FUZZY"], engine=engine)
        assert engine.shared_stored == []  # alone, FUZZY computes its CTEs within its query
        run_controls(sources, ["INV-DUP-FUZZY", "PAY-REMINDER"], engine=engine)
        # the supplier key and invoice_key, which both read
        assert sorted(engine.shared_names[t] for t in engine.shared_stored) == [
            "invoice_key",
            "supplier_key",
        ]
        assert engine._shared == {}  # released after PAY-REMINDER, the last control that read them
    finally:
        engine.close()


def test_a_stored_cte_is_dropped_after_the_last_control_of_the_run_that_reads_it(sources):
    from tillit.analytics.engines.duckdb import DuckDBEngine
    from tillit.analytics.registry import get

    controls = [get(c) for c in ("INV-DUP-EXACT", "INV-DUP-FUZZY", "PAY-REMINDER")]
    engine = DuckDBEngine()
    try:
        for name in sorted({d for c in controls for d in c.datasets}):
            engine.register(name, sources.get(name))
        engine.share_among(controls)
        held = []
        for control in controls:
            engine.run(control)
            engine.release_after(control.id)
            held.append(sorted(engine.shared_names[t] for t in _stored(engine)))
        # after EXACT: everything FUZZY or PAY-REMINDER still reads; after FUZZY: only what
        # PAY-REMINDER reads; after PAY-REMINDER: nothing
        assert held[0] == [
            "amount_count",
            "invoice_key",
            "same_amount",
            "shared_key",
            "supplier_key",
        ]
        assert held[1] == ["invoice_key", "supplier_key"]
        assert held[2] == []
        assert len(engine.shared_stored) == len(set(engine.shared_stored)) == 5  # none stored twice
    finally:
        engine.close()


def test_every_control_raises_the_same_hits_with_and_without_shared_ctes(sources):
    from tillit.analytics.engines.duckdb import DuckDBEngine
    from tillit.analytics.runner import run_controls

    runs = {}
    for share in (True, False):
        engine = DuckDBEngine(share_ctes=share)
        try:
            result = run_controls(sources, None, engine=engine)
            runs[share] = (
                {
                    c.control_id: (
                        c.error,
                        c.sql,
                        c.subjects_examined,
                        c.not_comparable,
                        sorted(
                            (h.fingerprint, h.amount_at_risk, h.score, str(h.explanation_params))
                            for h in c.hits
                        ),
                    )
                    for c in result.controls
                },
                len(engine.shared_stored),
            )
        finally:
            engine.close()
    assert runs[True][0] == runs[False][0]
    assert runs[False][1] == 0 and runs[True][1] >= 6  # paid, supplier_key, invoice_key, …
    assert all(error is None for error, *_rest in runs[True][0].values())


@pytest.mark.parametrize("engine", [p for p in ENGINES if p != "duckdb"], indirect=True)
def test_spark_stores_a_shared_cte_once_as_a_view_and_drops_it_on_close(
    sources, engine, spark_session
):
    from tillit.analytics.engines.duckdb import DuckDBEngine
    from tillit.analytics.registry import get
    from tillit.analytics.runner import run_controls

    ids = ["INV-DUP-EXACT", "INV-DUP-FUZZY", "PAY-REMINDER", "INV-SAME-NO-OTHER-SUPPLIER"]
    engine.share_among([get(c) for c in ids])
    for name in sorted({d for c in ids for d in get(c).datasets}):
        engine.register(name, sources.get(name))
    engine.run(get(ids[0]))  # stores all five; the other three read them
    stored = list(engine.shared_stored)
    assert len(stored) == len(set(stored)) == 5
    views = {r.viewName for r in spark_session.sql("SHOW VIEWS").collect()}
    assert set(stored) <= views
    result = run_controls(sources, ids, engine=engine)
    assert engine.shared_stored[:5] == stored and len(set(engine.shared_stored)) == 5
    views = {r.viewName for r in spark_session.sql("SHOW VIEWS").collect()}
    assert not set(stored) & views  # the run released each after its last reader
    duck = DuckDBEngine(share_ctes=False)
    try:
        expected = run_controls(sources, ids, engine=duck)
    finally:
        duck.close()
    assert [sorted(h.fingerprint for h in c.hits) for c in result.controls] == [
        sorted(h.fingerprint for h in c.hits) for c in expected.controls
    ]
    engine.close()
    views = {r.viewName for r in spark_session.sql("SHOW VIEWS").collect()}
    assert not set(stored) & views
