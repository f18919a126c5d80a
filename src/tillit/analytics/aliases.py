"""Known source headers for the canonical columns (data.md, "Reading files").

Headers are compared after ``fold``: case-folded, accents removed (å→a, ö→o),
punctuation turned into spaces. Aliases are Swedish and English names that ledger,
invoice and case systems write. A dataset may override a column's aliases in
``schema.DatasetSpec.aliases``; where neither is enough, a saved mapping profile
decides.
"""

from __future__ import annotations

import re
import unicodedata

from tillit.analytics.schema import DatasetSpec


def fold(text: str) -> str:
    """'Lev.namn' -> 'lev namn', 'Belopp inkl. moms' -> 'belopp inkl moms', 'Leverantör' -> 'leverantor'."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return re.sub(r"[\W_]+", " ", plain).strip()


# canonical column -> aliases (any dataset). The canonical name itself always matches.
COMMON: dict[str, tuple[str, ...]] = {
    "supplier_id": (
        "leverantor",
        "leverantorsnummer",
        "leverantorsnr",
        "lev nr",
        "levnr",
        "lev id",
        "leverantors id",
        "leverantor id",
        "supplier",
        "supplier number",
        "supplier no",
        "vendor",
        "vendor id",
        "vendornum",
        "vendor number",
        "kundnummer leverantor",
    ),
    "name": (
        "namn",
        "leverantor",
        "leverantorsnamn",
        "lev namn",
        "levnamn",
        "foretagsnamn",
        "supplier name",
        "vendor name",
        "benamning",
    ),
    "orgnr": (
        "org nr",
        "orgnr",
        "organisationsnummer",
        "org nummer",
        "organisationsnr",
        "corporate id",
        "company number",
        "registration number",
        "person orgnr",
        "pers orgnr",
    ),
    "address": (
        "adress",
        "gatuadress",
        "utdelningsadress",
        "street",
        "street address",
        "address line 1",
    ),
    "postal_code": ("postnummer", "postnr", "post nr", "zip", "zip code", "postcode", "post code"),
    "city": ("ort", "postort", "stad", "town"),
    "country": ("land", "landkod", "country code"),
    "created_date": (
        "skapad",
        "skapad datum",
        "upplagd",
        "upplagd datum",
        "registreringsdatum",
        "created",
        "created at",
    ),
    "created_by": ("skapad av", "upplagd av", "created by"),
    "bank_account": (
        "bankkonto",
        "konto bank",
        "kontonummer",
        "bankgiro",
        "plusgiro",
        "postgiro",
        "iban",
        "bg",
        "pg",
        "bg nr",
        "pg nr",
        "betalkonto",
        "mottagarkonto",
        "utbetalningskonto",
        "bank account",
        "account number",
        "payee account",
    ),
    "valid_from": (
        "giltig fran",
        "from",
        "fran",
        "fran och med",
        "from date",
        "start date",
        "startdatum",
        "fom",
        "valid from",
    ),
    "valid_to": (
        "giltig till",
        "till",
        "till och med",
        "to date",
        "end date",
        "slutdatum",
        "tom",
        "valid to",
    ),
    "changed_by": ("andrad av", "changed by", "modified by"),
    "invoice_id": (
        "verifikationsnummer",
        "lopnummer",
        "lopnr",
        "fakturaid",
        "faktura id",
        "internt nr",
        "invoice id",
        "document number",
        "ver nr",
        "vernr",
    ),
    "invoice_number": (
        "fakturanummer",
        "fakturanr",
        "faktura nr",
        "fakt nr",
        "invoice number",
        "invoice no",
        "invnum",
        "inv num",
        "supplier invoice number",
    ),
    "invoice_date": ("fakturadatum", "fakt datum", "invoice date", "dokumentdatum"),
    "amount": (
        "belopp",
        "belopp inkl moms",
        "belopp ink moms",
        "totalbelopp",
        "summa",
        "belopp sek",
        "fakturabelopp",
        "utbetalt belopp",
        "amount",
        "total",
        "value",
        "net amount",
        "amount sek",
    ),
    "vat_amount": ("moms", "momsbelopp", "vat", "vat amount"),
    "due_date": ("forfallodatum", "forfallodag", "forfaller", "due date"),
    "received_date": ("ankomstdatum", "inkommen", "mottagen", "received date", "received"),
    "ocr_reference": (
        "ocr",
        "ocr nummer",
        "ocrnummer",
        "ocr referens",
        "referens",
        "betalningsreferens",
        "reference",
        "payment reference",
    ),
    "board": ("namnd", "board", "committee", "forvaltning", "body name", "directorate"),
    "unit": (
        "ansvar",
        "ansvarsenhet",
        "kostnadsstalle",
        "kst",
        "enhet",
        "resultatenhet",
        "cost centre",
        "cost center",
        "service area",
        "unit",
    ),
    "account": (
        "konto",
        "baskonto",
        "kontonr",
        "konto nr",
        "account",
        "expense type",
        "expenses type",
        "expense code",
        "ledger account",
    ),
    "description": ("beskrivning", "text", "fakturatext", "description", "narrative", "details"),
    "attested_by": ("attestant", "attesterad av", "beslutsattestant", "attested by", "approved by"),
    "registered_by": ("registrerad av", "registrerare", "inlagd av", "registered by", "entered by"),
    "contract_id": (
        "avtal",
        "avtalsnummer",
        "avtals id",
        "avtalsid",
        "contract",
        "contract id",
        "contract number",
    ),
    "order_id": (
        "order",
        "ordernummer",
        "ordernr",
        "bestallning",
        "bestallningsnummer",
        "order id",
        "purchase order",
        "po number",
    ),
    "payment_id": (
        "betalningsid",
        "betalning id",
        "utbetalningsid",
        "betalningsnummer",
        "transaktionsid",
        "transaction number",
        "transaction no",
        "transaction id",
        "payment id",
        "payment number",
        "trans no",
    ),
    "payment_date": (
        "betalningsdatum",
        "betaldatum",
        "utbetalningsdatum",
        "utbetald",
        "payment date",
        "date paid",
        "paid date",
        "date",
    ),
    "payee_id": ("mottagare id", "mottagarid", "betalningsmottagare id", "payee id", "vendor id"),
    "payee_name": (
        "mottagare",
        "betalningsmottagare",
        "mottagarnamn",
        "payee",
        "payee name",
        "supplier name",
        "vendor name",
        "supplier",
        "merchant name",
    ),
    "source": ("kalla", "system", "kallsystem", "betalningstyp", "source", "payment type"),
    "supplier_orgnr": (
        "leverantorens orgnr",
        "lev orgnr",
        "org nr",
        "orgnr",
        "organisationsnummer",
        "supplier orgnr",
    ),
    "value": ("avtalsvarde", "varde", "contract value", "value"),
    "procurement": ("upphandlingsform", "upphandling", "procurement", "procedure"),
    "category": ("kategori", "avtalskategori", "category"),
    "checked_date": ("kontrolldatum", "kontrollerad", "checked", "checked date"),
    "f_tax": ("f skatt", "fskatt", "f tax", "innehar f skatt"),
    "vat_registered": ("momsregistrerad", "moms registrerad", "vat registered"),
    "employer_registered": ("arbetsgivarregistrerad", "arbetsgivare", "employer registered"),
    "tax_debt": ("skuld", "skuld hos kronofogden", "skatteskuld", "tax debt"),
    "status": ("status", "foretagsstatus", "folkbokforingsstatus"),
    "status_date": ("statusdatum", "status datum", "status date"),
    "registered_date": ("registreringsdatum", "registrerad", "bildat", "bildad", "registered date"),
    "personnummer": (
        "personnummer",
        "personnr",
        "pnr",
        "person nr",
        "personal identity number",
        "ssn",
    ),
    "role": ("roll", "befattning", "funktion", "role", "title"),
    "employee_id": (
        "anstallningsnummer",
        "anstnr",
        "anst nr",
        "anstalld",
        "anstalld id",
        "employee id",
        "employee number",
    ),
    "employed_from": ("anstalld fran", "anstallningsdatum", "employed from", "start date"),
    "employed_to": ("anstalld till", "slutade", "employed to", "end date"),
    "politician": ("fortroendevald", "politiker", "politician", "elected"),
    "grant_id": ("bidrags id", "bidragsid", "arende", "arendenummer", "diarienummer", "grant id"),
    "recipient_orgnr": (
        "mottagarens orgnr",
        "forenings orgnr",
        "org nr",
        "orgnr",
        "organisationsnummer",
        "recipient orgnr",
    ),
    "recipient_name": (
        "mottagare",
        "forening",
        "foreningens namn",
        "sokande",
        "recipient",
        "recipient name",
    ),
    "period_from": ("period fran", "fran", "from", "period from"),
    "period_to": ("period till", "till", "to", "period to"),
    "purpose": ("andamal", "syfte", "bidragstyp", "purpose"),
    "decided_date": ("beslutsdatum", "beslutad", "decided", "decision date"),
    "paid_date": ("utbetalningsdatum", "utbetald", "betaldatum", "paid date", "payment date"),
    "reported_members": ("antal medlemmar", "medlemmar", "members"),
    "reported_activities": (
        "antal aktiviteter",
        "sammankomster",
        "antal sammankomster",
        "activities",
    ),
    "household_id": (
        "hushall",
        "hushalls id",
        "hushallsid",
        "akt",
        "aktnummer",
        "household",
        "household id",
    ),
    "applicant": ("sokande", "sokandes personnummer", "personnummer", "applicant"),
    "co_applicant": ("medsokande", "make maka", "medsokandes personnummer", "co applicant"),
    "period": ("avser manad", "manad", "period", "avser period"),
    "apartment": ("lagenhetsnummer", "lgh nr", "lghnr", "lagenhet", "apartment"),
    "household_size": ("antal personer", "hushallsstorlek", "household size"),
    "registered_from": ("folkbokford fran", "inflyttningsdatum", "registered from"),
    "birth_date": ("fodelsedatum", "fodd", "birth date", "date of birth"),
    "visit_id": ("besoks id", "besoksid", "insats id", "visit id"),
    "provider_orgnr": (
        "utforare",
        "utforarens orgnr",
        "utforare orgnr",
        "provider",
        "provider orgnr",
    ),
    "client": ("brukare", "kund", "brukarens personnummer", "personnummer", "client"),
    "staff_id": ("personal", "medarbetare", "utforare id", "personal id", "staff", "staff id"),
    "start": ("starttid", "start", "fran", "borjan", "start time"),
    "end": ("sluttid", "slut", "till", "end time", "end"),
    "billed_minutes": ("debiterade minuter", "fakturerade minuter", "minuter", "billed minutes"),
    "service": ("insats", "tjanst", "insatstyp", "service"),
    "decision_id": ("beslut", "beslutsnummer", "beslut id", "decision id"),
    "granted_minutes_per_month": (
        "beviljade minuter per manad",
        "beviljad tid",
        "beviljade minuter",
        "granted minutes",
    ),
    "permit_id": ("tillstand", "tillstandsnummer", "kortnummer", "permit id"),
    "holder": ("innehavare", "kortinnehavare", "personnummer", "holder"),
    "voucher_id": (
        "verifikation",
        "verifikationsnummer",
        "vernr",
        "ver nr",
        "voucher",
        "voucher id",
    ),
    "voucher_date": ("verifikationsdatum", "bokforingsdatum", "datum", "voucher date"),
    "series": ("serie", "verifikationsserie", "series"),
    "text": ("text", "verifikationstext", "beskrivning"),
    "registered_at": ("registrerad", "registreringstid", "registered at"),
    "project": ("projekt", "projektnummer", "project"),
}


def aliases_for(spec: DatasetSpec, column: str) -> tuple[str, ...]:
    """Folded names that match ``column`` in ``spec``, the canonical name first."""
    names = (
        column,
        column.replace("_", " "),
        *spec.aliases.get(column, ()),
        *COMMON.get(column, ()),
    )
    seen: dict[str, None] = {}
    for name in names:
        seen.setdefault(fold(name), None)
    return tuple(seen)


# Words that make a header a name ('Leverantörsnamn', 'Lev.namn', 'Supplier name').
_NAME_WORDS = ("namn", "name", "benamning", "foretag", "firma")
# A bare word for a party ('Leverantör', 'Mottagare') holds its name in most exports, its number in some:
# it goes to an identifier only when no header in the file says it is the number.
_PARTY_WORDS = frozenset(
    {
        "leverantor",
        "supplier",
        "vendor",
        "mottagare",
        "betalningsmottagare",
        "payee",
        "forening",
        "sokande",
        "utforare",
        "kund",
    }
)
# Words that make a header an identifier ('Leverantörsnr', 'Lev.nummer', 'Vendor ID').
_ID_SUFFIXES = ("nr", "nummer", "number", "num", "id", "no", "kod", "code")


def _is_id_like(folded: str) -> bool:
    return any(word.endswith(_ID_SUFFIXES) for word in folded.split())


def _is_name_like(folded: str) -> bool:
    return any(
        w in _NAME_WORDS or w.endswith(_NAME_WORDS) for w in folded.split()
    ) and not _is_id_like(folded)


def _is_bare_party(folded: str) -> bool:
    return folded in _PARTY_WORDS


def _is_id_column(column: str) -> bool:
    return column.endswith("_id")


def _is_name_column(column: str) -> bool:
    return column == "name" or column.endswith("_name")


def fits(column: str, header: str, *, strict: bool = True) -> bool:
    """A name-like header never goes to an identifier column, nor an id-like header to a name column;
    `strict` also keeps a bare party word ('Leverantör') from an identifier column."""
    folded = fold(header)
    if _is_id_column(column) and (_is_name_like(folded) or (strict and _is_bare_party(folded))):
        return False
    return not (_is_name_column(column) and _is_id_like(folded) and not _is_name_like(folded))


def propose_mapping(spec: DatasetSpec, headers: list[str]) -> dict[str, str]:
    """canonical column -> source header, by alias; each header used once.

    Exact canonical names win over aliases, and aliases earlier in the list win
    over later ones, so 'Belopp' goes to amount before 'Moms' could claim it.
    A header that holds a name ('Leverantörsnamn') never maps to an identifier
    column; a bare 'Leverantör' does only when no '…nr'/'…nummer' header does.
    """
    folded = {fold(h): h for h in reversed(headers)}  # first header wins on a folded tie
    taken: set[str] = set()
    result: dict[str, str] = {}
    for strict in (True, False):
        for rank in range(64):
            for column in spec.column_names:
                if column in result:
                    continue
                names = aliases_for(spec, column)
                if (
                    rank < len(names)
                    and names[rank] in folded
                    and folded[names[rank]] not in taken
                    and fits(column, folded[names[rank]], strict=strict)
                ):
                    result[column] = folded[names[rank]]
                    taken.add(result[column])
    return {c: result[c] for c in spec.column_names if c in result}
