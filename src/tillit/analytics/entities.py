"""Entity resolution: which records of people and of suppliers or associations, across data sets,
are the same person or organisation.

The method is written to be read by an auditor, not trained:

1. Deterministic first. Records with the same valid identifier (personnummer, organisation
   number) are the same entity; records with two different valid identifiers are never the same
   (a cannot-link).
2. Then comparisons within blocks (records that share a birth date, the first letters of the names,
   a surname and a birth year, an e-mail address, …), found by DuckDB; for organisations a shared
   bank account links, and so do nearly equal normalised names (>= 0.93) at the same postal code.
   People are scored with fixed, explained points (listed above `_People` below), in which how
   common a name is in the data counts: a shared rare name is strong evidence, a shared common one
   weak. A pair with points >= the threshold (default 4) is a link.
3. A coordinator's judgement wins over the rules: a pair judged "same" is linked, a pair judged
   "not same" is never put in one entity, however the rules score it. Groups are joined strongest
   link first, skipping any join that would put a "not same" pair (or two different valid
   identifiers) together. For people a link from the rules joins two groups only when the groups
   hold together as a whole (every pair across them scored, none far below the threshold, the
   average near it), so that a path of weak links never makes one entity of different people.
4. An entity's id is the smallest record key in it, so ids stay stable while the records stay.

String similarity is rapidfuzz's Jaro-Winkler, the same measure the controls use (DuckDB's
jaro_winkler_similarity on ASCII-folded text, and its Spark SQL expression in engines/dialects.py).
"""

from __future__ import annotations

import functools
import itertools
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np
from rapidfuzz.distance import OSA, JaroWinkler, Levenshtein
from rapidfuzz.process import cpdist

from tillit.analytics.normalise import normalise_name_ascii, normalise_postal_code

DEFAULT_THRESHOLD = 4
DETERMINISTIC = 100  # the points of a link on a shared valid identifier or a coordinator's "same"


@dataclass
class Resolution:
    entity_of: dict[str, str]  # record key -> entity id
    links: list[tuple[str, str, int, str]] = field(default_factory=list)  # (a, b, points, why)
    parameters: dict[str, Any] = field(
        default_factory=dict
    )  # what the run counted and used, to explain it

    def entities(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = defaultdict(list)
        for key, entity in self.entity_of.items():
            out[entity].append(key)
        return {e: sorted(keys) for e, keys in out.items()}


def _lower(value: Any) -> str:
    return str(value).strip().lower() if value not in (None, "") else ""


def _jw(a: str, b: str) -> float | None:
    return JaroWinkler.similarity(a, b) if a and b else None


# --- people ----------------------------------------------------------------------------------------
#
# Points of two person records, each part named so that a link can say why it was made:
#   e-mail       equal +4, nearly equal (<= 3 edits) +3, different -1
#   birth date   equal +3, day and month swapped +2, a typing error (one digit wrong, or two adjacent
#                digits swapped) +1, within NEAR_DAYS of each other 0 (an entry error, weak either way),
#                different -2
#   first name,  each: equal +2 (+1 more when the name is rare in the data, 1 less when it is common),
#   surname      nearly equal (Jaro-Winkler >= 0.92) +2, similar (>= 0.80) +1, an initial that fits +1,
#                one name part of a double name +2, different -2; first name and surname may be swapped
#   town         nearly equal (>= 0.88) +1
# How common a name is (its term frequency) is counted in the records being resolved and kept in
# Resolution.parameters, so that a run can be explained afterwards.
RARE_SHARE = 0.001  # a name at most this share of the records carry is rare: strong evidence
COMMON_SHARE = 0.01  # a name at least this share carry is common: weak evidence
MAX_BLOCK = 100  # a blocking key shared by more records than this says too little to compare on
THRESHOLDS = (3, 4, 5, 6)  # the thresholds offered; DEFAULT_THRESHOLD is 4
NEAR_DAYS = 45
FLOOR_BELOW = 4  # two groups are never joined when any pair across them scores below threshold - 3
MEAN_BELOW = 1  # … nor when the pairs across them score below threshold - 1 on average

_PART_NAMES = ("email", "birth_date", "first_name", "surname", "town")


def _intern(values: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """(vocabulary, codes): each distinct string once, and each value's position in it."""
    vocab, codes = np.unique(np.array(values, dtype=str), return_inverse=True)
    return vocab.astype(object), codes.astype(np.int64).reshape(-1)


@dataclass
class _People:
    """The records in columns, normalised once. Strings are kept as codes into a vocabulary (first
    names and surnames share one, so that swapped names compare), so that each distinct pair of
    strings is compared once however many record pairs carry it; `*_tf` are the shares of records
    with each name."""

    keys: list[str]
    names: np.ndarray  # the vocabulary of first names and surnames
    first: np.ndarray  # codes into names
    last: np.ndarray
    dates: np.ndarray  # the vocabulary of birth dates as written
    born: np.ndarray  # codes into dates
    born_swapped: np.ndarray  # the code of the birth date with day and month swapped, -1 if none
    emails: np.ndarray
    email: np.ndarray
    towns: np.ndarray
    town: np.ndarray
    first_tf: np.ndarray
    last_tf: np.ndarray
    day: np.ndarray  # the birth date as a day number, NaN where there is no valid date
    special: np.ndarray  # per name: an initial or a name of several parts (see _special)
    empty: dict[str, int]  # per vocabulary, the code of the empty string (-1 where none is empty)

    @classmethod
    def of(cls, records: list[Mapping[str, Any]]) -> _People:
        def col(name: str) -> list[str]:
            return [_lower(r.get(name)) for r in records]

        first, last = col("first_name"), col("surname")
        names, codes = _intern(first + last)
        n = len(records)
        born_text = [str(r.get("birth_date") or "").strip() for r in records]
        dates, born = _intern(born_text)
        position = {v: i for i, v in enumerate(dates.tolist())}
        emails, email = _intern(col("email"))
        towns, town = _intern(col("city"))

        def share(codes: np.ndarray) -> np.ndarray:
            counts = np.bincount(codes, minlength=len(names))
            return counts[codes] / max(n, 1)

        def day(value: str) -> float:
            try:
                return float(date.fromisoformat(value[:10]).toordinal())
            except ValueError:
                return np.nan

        return cls(
            keys=[str(r["key"]) for r in records],
            names=names,
            first=codes[:n],
            last=codes[n:],
            dates=dates,
            born=born,
            born_swapped=np.array(
                [
                    position.get(f"{v[:4]}-{v[8:10]}-{v[5:7]}" if len(v) >= 10 else "", -1)
                    for v in born_text
                ],
                dtype=np.int64,
            ),
            emails=emails,
            email=email,
            towns=towns,
            town=town,
            first_tf=share(codes[:n]),
            last_tf=share(codes[n:]),
            day=np.array([day(v) for v in born_text], dtype=float),
            special=_special(names),
            empty={
                field: (0 if len(vocab) and vocab[0] == "" else -1)  # sorted: "" comes first
                for field, vocab in (
                    ("names", names),
                    ("dates", dates),
                    ("emails", emails),
                    ("towns", towns),
                )
            },
        )

    def text(self, field: str) -> np.ndarray:
        vocab = {"first": self.names, "last": self.names, "born": self.dates}.get(field)
        vocab = vocab if vocab is not None else getattr(self, field + "s")
        return vocab[getattr(self, field)]


def _pair_values(vocab: np.ndarray, pairs: list[tuple[np.ndarray, np.ndarray]], scorer) -> list:
    """`scorer` of the strings at each pair of codes; on many pairs, once per distinct pair of strings."""
    a = np.concatenate([x for x, _y in pairs])
    b = np.concatenate([y for _x, y in pairs])
    inverse = None
    if len(a) >= 1_000:
        width = np.int64(max(len(vocab), 1))
        distinct, inverse = np.unique(a * width + b, return_inverse=True)
        a, b = distinct // width, distinct % width
    # threads pay off only on many pairs: starting them costs about 0.4 ms a call, and the group
    # checks call this thousands of times with a few pairs each
    values = cpdist(
        vocab[a].tolist(), vocab[b].tolist(), scorer=scorer, workers=-1 if len(a) >= 50_000 else 1
    ).astype(float)
    if inverse is not None:
        values = values[inverse.reshape(-1)]
    return np.split(values, np.cumsum([len(x) for x, _y in pairs])[:-1])


def _name_points(
    p: _People, a: np.ndarray, b: np.ndarray, sim: np.ndarray, tf: np.ndarray
) -> np.ndarray:
    empty = p.empty["names"]
    present = (a != empty) & (b != empty)
    exact = present & (a == b)
    points = np.where(
        exact,
        2 + (tf <= RARE_SHARE) - (tf >= COMMON_SHARE),
        np.where(sim >= 0.92, 2, np.where(sim >= 0.80, 1, -2)),
    )
    weak = np.flatnonzero(present & ~exact & (sim < 0.80))
    weak = weak[p.special[a[weak]] | p.special[b[weak]]]
    for i in weak:  # few pairs: initials and double names
        x, y = p.names[a[i]], p.names[b[i]]
        if (len(x) == 1 or len(y) == 1) and x[0] == y[0]:
            points[i] = 1
        elif x in _parts(y) or y in _parts(x):
            points[i] = 2
    return np.where(present, points, 0)


def _special(names: np.ndarray) -> np.ndarray:
    """An initial, or a name of several parts: the few that the initial and double-name rules read."""
    return np.fromiter(
        (len(v) == 1 or " " in v or "-" in v for v in names), dtype=bool, count=len(names)
    )


def _parts(name: str) -> set[str]:
    return {p for p in name.replace("-", " ").split() if len(p) > 1}


def _score(p: _People, ia: np.ndarray, ib: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Points of the record pairs (ia[k], ib[k]) and their parts (a row per pair, a column per part)."""
    parts = np.zeros((len(ia), len(_PART_NAMES)), dtype=np.int16)
    # e-mail
    empty = p.empty["emails"]
    ea, eb = p.email[ia], p.email[ib]
    has = (ea != empty) & (eb != empty)
    if has.any():
        (d,) = _pair_values(p.emails, [(ea, eb)], Levenshtein.distance)
        parts[:, 0] = np.where(has, np.where(d == 0, 4, np.where(d <= 3, 3, -1)), 0)
    # birth date
    empty = p.empty["dates"]
    ba, bb = p.born[ia], p.born[ib]
    has = (ba != empty) & (bb != empty)
    if has.any():
        (d,) = _pair_values(p.dates, [(ba, bb)], OSA.distance)  # two digits swapped count as one
        swapped = has & (ba == p.born_swapped[ib]) & (ba != bb)
        near = np.abs(p.day[ia] - p.day[ib]) <= NEAR_DAYS  # NaN (no valid date) is never near
        parts[:, 1] = np.where(
            has,
            np.where(d == 0, 3, np.where(swapped, 2, np.where(d <= 1, 1, np.where(near, 0, -2)))),
            0,
        )
    # names, perhaps swapped
    fa, la, fb, lb = p.first[ia], p.last[ia], p.first[ib], p.last[ib]
    fn, sn, xf, xs = _pair_values(
        p.names, [(fa, fb), (la, lb), (fa, lb), (la, fb)], JaroWinkler.similarity
    )
    swap = (xf + xs) > (fn + sn)
    parts[:, 2] = _name_points(
        p, fa, np.where(swap, lb, fb), np.where(swap, xf, fn), p.first_tf[ia]
    )
    parts[:, 3] = _name_points(p, la, np.where(swap, fb, lb), np.where(swap, xs, sn), p.last_tf[ia])
    # town
    empty = p.empty["towns"]
    ta, tb = p.town[ia], p.town[ib]
    has = (ta != empty) & (tb != empty)
    if has.any():
        (sim,) = _pair_values(p.towns, [(ta, tb)], JaroWinkler.similarity)
        parts[:, 4] = np.where(has & (sim >= 0.88), 1, 0)
    return parts.sum(axis=1), parts


def person_points(a: Mapping[str, Any], b: Mapping[str, Any]) -> int:
    """The explained score of two person records on their own (no name frequencies: neutral)."""
    people = _People.of([{**a, "key": "a"}, {**b, "key": "b"}])
    people.first_tf[:] = people.last_tf[:] = (RARE_SHARE + COMMON_SHARE) / 2
    total, _parts_ = _score(people, np.array([0]), np.array([1]))
    return int(total[0])


@functools.lru_cache(maxsize=4096)
def _why(parts: tuple[int, ...]) -> str:
    return ", ".join(f"{name} {v:+d}" for name, v in zip(_PART_NAMES, parts, strict=True) if v)


_BLOCKS_SQL = {
    # each a key that records of one person are likely to share; NULL where it cannot be formed
    "born": "nullif(born, '')",
    "names": "CASE WHEN first <> '' AND last <> '' THEN least(first[1:3], last[1:3]) || '|' || "
    "greatest(first[1:3], last[1:3]) END",
    "last-year": "CASE WHEN last <> '' AND born <> '' THEN last[1:4] || '|' || born[1:4] END",
    "first-year": "CASE WHEN first <> '' AND born <> '' THEN first[1:3] || '|' || born[1:4] END",
    "month-day-initials": "CASE WHEN born <> '' THEN born[6:10] || '|' || first[1:1] || last[1:1] END",
    "email": "nullif(email, '')",
    "email-start": "CASE WHEN email <> '' THEN split_part(email, '@', 1)[1:3] END",
    "name": "CASE WHEN first <> '' AND last <> '' THEN last[1:2] || '|' || first[1:1] END",
    "last-decade": "CASE WHEN last <> '' AND born <> '' THEN last[1:2] || '|' || born[1:3] END",
    "last-town": "CASE WHEN last <> '' AND town <> '' THEN last[1:3] || '|' || town END",
}


def _candidates(p: _People) -> np.ndarray:
    """Pairs (i, j), i < j, of records sharing a blocking key, found by DuckDB (no Python loop over
    pairs); keys shared by more than MAX_BLOCK records are left out as saying too little."""
    import duckdb
    import pyarrow as pa

    table = pa.table(
        {
            "i": np.arange(len(p.keys), dtype=np.int64),
            "first": p.text("first").astype(str),
            "last": p.text("last").astype(str),
            "born": p.text("born").astype(str),
            "email": p.text("email").astype(str),
            "town": p.text("town").astype(str),
        }
    )
    con = duckdb.connect()
    try:
        con.register("people", table)
        keys = " UNION ALL ".join(
            f"SELECT i, '{name}|' || ({expr}) AS k FROM people"
            for name, expr in _BLOCKS_SQL.items()
        )
        con.execute(f"CREATE TEMP TABLE keys AS SELECT * FROM ({keys}) WHERE k IS NOT NULL")
        pairs = con.execute(f"""
            WITH usable AS (SELECT k FROM keys GROUP BY k HAVING count(*) BETWEEN 2 AND {MAX_BLOCK}),
                 kept AS (SELECT i, k FROM keys SEMI JOIN usable USING (k))
            SELECT DISTINCT a.i AS a, b.i AS b FROM kept AS a JOIN kept AS b ON a.k = b.k AND a.i < b.i
        """).fetchnumpy()
    finally:
        con.close()
    return (
        np.stack([pairs["a"], pairs["b"]], axis=1)
        if len(pairs["a"])
        else np.zeros((0, 2), dtype=np.int64)
    )


def resolve_people(
    records: Iterable[Mapping[str, Any]],
    *,
    same: Iterable[tuple[str, str]] = (),
    not_same: Iterable[tuple[str, str]] = (),
    threshold: int = DEFAULT_THRESHOLD,
) -> Resolution:
    """Records: dicts with key, and any of personnummer (+ personnummer_valid), first_name,
    surname, birth_date, email, city.

    Groups are joined strongest link first. A link from a shared valid personnummer or a
    coordinator's "same" joins its groups unless that would put a "not same" pair or two different
    valid personnummer together. A link from the rules joins two groups only when the groups hold
    together as a whole: the pairs across them score at least the threshold on average and none
    scores below threshold - 3. So a path of weak links (A~B, B~C, …) never makes one entity of
    clearly different people, and a lower threshold lowers precision gradually."""
    records = list(records)
    people = _People.of(records)
    index = {k: i for i, k in enumerate(people.keys)}
    valid = {
        index[str(r["key"])]: str(r["personnummer"])
        for r in records
        if r.get("personnummer") and r.get("personnummer_valid")
    }
    cannot = {
        tuple(sorted((index[str(a)], index[str(b)])))
        for a, b in not_same
        if str(a) in index and str(b) in index
    }

    forced: list[tuple[int, int, int, str]] = []
    by_identifier: dict[str, list[int]] = defaultdict(list)
    for i, ident in valid.items():
        by_identifier[ident].append(i)
    for same_identifier in by_identifier.values():
        forced += [
            (a, b, DETERMINISTIC, "identifier")
            for a, b in itertools.combinations(sorted(same_identifier), 2)
        ]
    forced += [
        (index[str(a)], index[str(b)], DETERMINISTIC + 1, "judged same")
        for a, b in same
        if str(a) in index and str(b) in index
    ]

    pairs = _candidates(people)
    totals, parts = (
        _score(people, pairs[:, 0], pairs[:, 1]) if len(pairs) else (np.zeros(0), np.zeros((0, 5)))
    )
    # every candidate's score is kept: the groups' cross pairs are mostly among them
    known: dict[tuple[int, int], int] = dict(
        zip(
            zip(pairs[:, 0].tolist(), pairs[:, 1].tolist(), strict=True),
            totals.astype(int).tolist(),
            strict=True,
        )
    )
    keep = totals >= threshold
    pairs, totals, parts = pairs[keep], totals[keep], parts[keep]

    parent = list(range(len(people.keys)))
    members: dict[int, list[int]] = {i: [i] for i in range(len(people.keys))}

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def holds_together(ga: list[int], gb: list[int]) -> bool:
        cross = [(x, y) if x < y else (y, x) for x in ga for y in gb]
        todo = [c for c in cross if c not in known]
        if todo:
            ia, ib = np.array([c[0] for c in todo]), np.array([c[1] for c in todo])
            scored, _p = _score(people, ia, ib)
            known.update(zip(todo, scored.astype(int).tolist(), strict=True))
        scores = [known[c] for c in cross]
        return min(scores) >= threshold - FLOOR_BELOW and sum(scores) >= (
            threshold - MEAN_BELOW
        ) * len(scores)

    order = np.lexsort((pairs[:, 1], pairs[:, 0], -totals)) if len(pairs) else np.zeros(0, int)
    # (a, b, score, why): a rule link's why is its row in `parts`, put in words only if it is kept
    links: list[tuple[int, int, int, str | int]] = forced + [
        (a, b, s, k)
        for a, b, s, k in zip(
            pairs[order, 0].tolist(),
            pairs[order, 1].tolist(),
            totals[order].astype(int).tolist(),
            order.tolist(),
            strict=True,
        )
    ]
    kept = []
    for a, b, score, why in links:
        ra, rb = find(a), find(b)
        if ra != rb:
            ga, gb = members[ra], members[rb]
            if cannot and any((min(x, y), max(x, y)) in cannot for x in ga for y in gb):
                continue
            if valid and len({valid[k] for k in ga + gb if k in valid}) > 1:
                continue
            # two single records: their one pair is this link, above the threshold
            if score < DETERMINISTIC and len(ga) + len(gb) > 2 and not holds_together(ga, gb):
                continue
            parent[rb] = ra
            members[ra] = ga + gb
            del members[rb]
        kept.append(
            (a, b, score, why if isinstance(why, str) else _why(tuple(parts[why].tolist())))
        )
    keys = people.keys
    entity_of = {keys[i]: min(keys[j] for j in members[find(i)]) for i in range(len(keys))}
    return Resolution(
        entity_of=entity_of,
        links=[(keys[a], keys[b], s, w) for a, b, s, w in kept],
        parameters={
            "threshold": threshold,
            "records": len(keys),
            "candidate_pairs": int(len(keep)),
            "rare_share": RARE_SHARE,
            "common_share": COMMON_SHARE,
            "max_block": MAX_BLOCK,
        },
    )


def _accounts(r: Mapping[str, Any]) -> set[str]:
    """An organisation's bank accounts: `bank_accounts` (several) and/or `bank_account` (one)."""
    accounts = {str(a) for a in (r.get("bank_accounts") or ()) if a}
    if r.get("bank_account"):
        accounts.add(str(r["bank_account"]))
    return accounts


def _org_points(a: Mapping[str, Any], b: Mapping[str, Any]) -> int:
    if _accounts(a) & _accounts(b):
        return DETERMINISTIC - 1
    name_a, name_b = (
        normalise_name_ascii(a.get("name")) or "",
        normalise_name_ascii(b.get("name")) or "",
    )
    postal_a, postal_b = (
        normalise_postal_code(a.get("postal_code")),
        normalise_postal_code(b.get("postal_code")),
    )
    if (
        name_a
        and name_b
        and postal_a
        and postal_a == postal_b
        and JaroWinkler.similarity(name_a, name_b) >= 0.93
    ):
        return DEFAULT_THRESHOLD
    return 0


def org_link_reason(a: Mapping[str, Any], b: Mapping[str, Any]) -> tuple[str, str]:
    """Why the rules put two organisation records together: ("account", the shared accounts) or
    ("name", the postal code they share)."""
    shared = sorted(_accounts(a) & _accounts(b))
    if shared:
        return "account", ", ".join(shared)
    return "name", normalise_postal_code(a.get("postal_code")) or ""


def _org_blocks(r: Mapping[str, Any]) -> list[tuple[str, str]]:
    out = [("account", account) for account in sorted(_accounts(r))]
    postal = normalise_postal_code(r.get("postal_code"))
    if postal:
        out.append(("postal", postal))
    return out


def _resolve(
    records: Iterable[Mapping[str, Any]],
    *,
    identifier: str,
    blocks: Callable,
    points: Callable,
    same: Iterable[tuple[str, str]],
    not_same: Iterable[tuple[str, str]],
    threshold: int,
) -> Resolution:
    records = list(records)
    by_key = {str(r["key"]): r for r in records}
    links: dict[tuple[str, str], tuple[int, str]] = {}

    def add(a: str, b: str, score: int, why: str) -> None:
        pair = (a, b) if a < b else (b, a)
        if pair[0] != pair[1] and (pair not in links or links[pair][0] < score):
            links[pair] = (score, why)

    cannot: set[tuple[str, str]] = {tuple(sorted(p)) for p in not_same}  # type: ignore[misc]
    valid = {
        k: str(r[identifier])
        for k, r in by_key.items()
        if r.get(identifier) and r.get(f"{identifier}_valid")
    }
    by_identifier: dict[str, list[str]] = defaultdict(list)
    for key, ident in valid.items():
        by_identifier[ident].append(key)
    for keys in by_identifier.values():
        for a, b in itertools.combinations(sorted(keys), 2):
            add(a, b, DETERMINISTIC, "identifier")
    for a, b in same:
        add(str(a), str(b), DETERMINISTIC + 1, "judged same")
    index: dict[tuple[str, str], list[str]] = defaultdict(list)
    for key, r in by_key.items():
        for block in blocks(r):
            index[block].append(key)
    compared: set[tuple[str, str]] = set()
    for keys in index.values():
        for a, b in itertools.combinations(sorted(keys), 2):
            if (a, b) in compared:
                continue
            compared.add((a, b))
            if a in valid and b in valid and valid[a] != valid[b]:
                continue  # two different valid identifiers: two entities
            score = points(by_key[a], by_key[b])
            if score >= threshold:
                add(a, b, score, "rules")

    parent = {k: k for k in by_key}
    members = {k: {k} for k in by_key}

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    kept = []
    for (a, b), (score, why) in sorted(links.items(), key=lambda kv: (-kv[1][0], kv[0])):
        if a not in parent or b not in parent:
            continue
        ra, rb = find(a), find(b)
        if ra == rb:
            kept.append((a, b, score, why))
            continue
        joined = members[ra] | members[rb]
        forbidden = any(tuple(sorted((x, y))) in cannot for x in members[ra] for y in members[rb])
        idents = {valid[k] for k in joined if k in valid}
        if forbidden or len(idents) > 1:
            continue
        parent[rb] = ra
        members[ra] = joined
        kept.append((a, b, score, why))
    entity_of = {k: min(members[find(k)]) for k in by_key}
    return Resolution(entity_of=entity_of, links=kept)


def resolve_organisations(
    records: Iterable[Mapping[str, Any]],
    *,
    same: Iterable[tuple[str, str]] = (),
    not_same: Iterable[tuple[str, str]] = (),
) -> Resolution:
    """Records: dicts with key, and any of orgnr (+ orgnr_valid), name, postal_code, bank_account
    or bank_accounts (a list)."""
    return _resolve(
        records,
        identifier="orgnr",
        blocks=_org_blocks,
        points=_org_points,
        same=same,
        not_same=not_same,
        threshold=DEFAULT_THRESHOLD,
    )


def pairwise_scores(entity_of: Mapping[str, str], truth: Mapping[str, str]) -> dict[str, float]:
    """Precision, recall and F1 of the record pairs put together, against labelled clusters."""

    def pairs(assignment: Mapping[str, str]) -> set[tuple[str, str]]:
        groups: dict[str, list[str]] = defaultdict(list)
        for key, group in assignment.items():
            groups[group].append(key)
        return {p for keys in groups.values() for p in itertools.combinations(sorted(keys), 2)}

    found, true = pairs(entity_of), pairs(truth)
    hits = len(found & true)
    precision = hits / len(found) if found else 1.0
    recall = hits / len(true) if true else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "pairs_found": len(found),
        "pairs_true": len(true),
    }
