"""Entity resolution: which records of people and of suppliers or associations, across data sets,
are the same person or organisation.

The method is written to be read by an auditor, not trained:

1. Deterministic first. Records with the same valid identifier (personnummer, organisation
   number) are the same entity; records with two different valid identifiers are never the same
   (a cannot-link).
2. Then comparisons within blocks (records that share a birth date, an e-mail address, the first
   letters of a name, a postal code, a bank account …), scored with fixed, explained points:
   for people, e-mail equal +4 / nearly equal (≤ 3 edits) +3 / different −1; birth date equal +3 /
   nearly equal (≤ 2 edits, a typing error) +1 / different −2; first name and surname each
   Jaro-Winkler ≥ 0.92 +2 / ≥ 0.80 +1 / below −2 (first name and surname may be swapped); town
   nearly equal +1. A pair with points ≥ the threshold (default 4) is linked. For organisations a
   shared bank account links, and so do nearly equal normalised names (≥ 0.93) at the same postal
   code.
3. A coordinator's judgement wins over the rules: a pair judged "same" is linked, a pair judged
   "not same" is never put in one entity, however the rules score it. Entities are the connected
   groups of links, joined strongest link first, skipping any join that would put a "not same" pair
   (or two different valid identifiers) together.
4. An entity's id is the smallest record key in it, so ids stay stable while the records stay.

String similarity is rapidfuzz's Jaro-Winkler, the same measure the controls use (DuckDB's
jaro_winkler_similarity on ASCII-folded text, and the Spark function in engines/spark.py).
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from rapidfuzz.distance import JaroWinkler, Levenshtein

from tillit.analytics.normalise import normalise_name_ascii, normalise_postal_code

DEFAULT_THRESHOLD = 4
DETERMINISTIC = 100  # the points of a link on a shared valid identifier or a coordinator's "same"


@dataclass
class Resolution:
    entity_of: dict[str, str]  # record key -> entity id
    links: list[tuple[str, str, int, str]] = field(default_factory=list)  # (a, b, points, why)

    def entities(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = defaultdict(list)
        for key, entity in self.entity_of.items():
            out[entity].append(key)
        return {e: sorted(keys) for e, keys in out.items()}


def _lower(value: Any) -> str:
    return str(value).strip().lower() if value not in (None, "") else ""


def _jw(a: str, b: str) -> float | None:
    return JaroWinkler.similarity(a, b) if a and b else None


def person_points(a: Mapping[str, Any], b: Mapping[str, Any]) -> int:
    """The explained score of two person records (see the module docstring)."""
    first_a, first_b = _lower(a.get("first_name")), _lower(b.get("first_name"))
    last_a, last_b = _lower(a.get("surname")), _lower(b.get("surname"))
    fn, sn = _jw(first_a, first_b), _jw(last_a, last_b)
    xf, xs = _jw(first_a, last_b), _jw(last_a, first_b)
    if (xf or 0) + (xs or 0) > (fn or 0) + (sn or 0):  # first name and surname swapped
        fn, sn = xf, xs
    points = 0
    email_a, email_b = _lower(a.get("email")), _lower(b.get("email"))
    if email_a and email_b:
        d = Levenshtein.distance(email_a, email_b)
        points += 4 if d == 0 else 3 if d <= 3 else -1
    born_a, born_b = str(a.get("birth_date") or ""), str(b.get("birth_date") or "")
    if born_a and born_b:
        d = Levenshtein.distance(born_a, born_b)
        points += 3 if d == 0 else 1 if d <= 2 else -2
    for similarity in (fn, sn):
        if similarity is not None:
            points += 2 if similarity >= 0.92 else 1 if similarity >= 0.80 else -2
    town_a, town_b = _lower(a.get("city")), _lower(b.get("city"))
    if town_a and town_b and JaroWinkler.similarity(town_a, town_b) >= 0.88:
        points += 1
    return points


def _person_blocks(r: Mapping[str, Any]) -> list[tuple[str, str]]:
    first, last = _lower(r.get("first_name")), _lower(r.get("surname"))
    born, email, town = str(r.get("birth_date") or ""), _lower(r.get("email")), _lower(r.get("city"))
    out = []
    if born:
        out += [("born", born), ("month-day", born[5:])]
    if email:
        out += [("email", email), ("email-start", email.split("@")[0][:3])]
    if first and last:
        out += [("name", last[:2] + first[:1]), ("names", "".join(sorted([first[:2], last[:2]])))]
    if first and born:
        out.append(("first-year", first[:2] + born[:4]))
    if last and born:
        out.append(("last-decade", last[:2] + born[:3]))
    if last and town:
        out.append(("last-town", last[:2] + town))
    return out


def _accounts(r: Mapping[str, Any]) -> set[str]:
    """An organisation's bank accounts: `bank_accounts` (several) and/or `bank_account` (one)."""
    accounts = {str(a) for a in (r.get("bank_accounts") or ()) if a}
    if r.get("bank_account"):
        accounts.add(str(r["bank_account"]))
    return accounts


def _org_points(a: Mapping[str, Any], b: Mapping[str, Any]) -> int:
    if _accounts(a) & _accounts(b):
        return DETERMINISTIC - 1
    name_a, name_b = normalise_name_ascii(a.get("name")) or "", normalise_name_ascii(b.get("name")) or ""
    postal_a, postal_b = normalise_postal_code(a.get("postal_code")), normalise_postal_code(b.get("postal_code"))
    if name_a and name_b and postal_a and postal_a == postal_b and JaroWinkler.similarity(name_a, name_b) >= 0.93:
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


def _resolve(records: Iterable[Mapping[str, Any]], *, identifier: str, blocks: Callable, points: Callable,
             same: Iterable[tuple[str, str]], not_same: Iterable[tuple[str, str]], threshold: int) -> Resolution:
    records = list(records)
    by_key = {str(r["key"]): r for r in records}
    links: dict[tuple[str, str], tuple[int, str]] = {}

    def add(a: str, b: str, score: int, why: str) -> None:
        pair = (a, b) if a < b else (b, a)
        if pair[0] != pair[1] and (pair not in links or links[pair][0] < score):
            links[pair] = (score, why)

    cannot: set[tuple[str, str]] = {tuple(sorted(p)) for p in not_same}  # type: ignore[misc]
    valid = {k: str(r[identifier]) for k, r in by_key.items() if r.get(identifier) and r.get(f"{identifier}_valid")}
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


def resolve_people(records: Iterable[Mapping[str, Any]], *, same: Iterable[tuple[str, str]] = (),
                   not_same: Iterable[tuple[str, str]] = (), threshold: int = DEFAULT_THRESHOLD) -> Resolution:
    """Records: dicts with key, and any of personnummer (+ personnummer_valid), first_name,
    surname, birth_date, email, city."""
    return _resolve(records, identifier="personnummer", blocks=_person_blocks, points=person_points, same=same,
                    not_same=not_same, threshold=threshold)


def resolve_organisations(records: Iterable[Mapping[str, Any]], *, same: Iterable[tuple[str, str]] = (),
                          not_same: Iterable[tuple[str, str]] = ()) -> Resolution:
    """Records: dicts with key, and any of orgnr (+ orgnr_valid), name, postal_code, bank_account
    or bank_accounts (a list)."""
    return _resolve(records, identifier="orgnr", blocks=_org_blocks, points=_org_points, same=same,
                    not_same=not_same, threshold=DEFAULT_THRESHOLD)


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
    return {"precision": precision, "recall": recall, "f1": f1, "pairs_found": len(found), "pairs_true": len(true)}
