"""A spreadsheet's columns mapped to the contact's fields: the target guessed for each column from its header
(French and English) and its values (e-mails, phones, postcodes); then each row turned into the same ParsedCard a
vCard is read into, and mapped by vcard_mapping.map_card, so a row meets the field rules, the preview and the
commit of the vCard import (CardPlan)."""
import re
from datetime import date, datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..text import fold
from .vcard_cards import Address, Extra, Link, ParsedCard, TypedValue, split_full_name
from .vcard_mapping import map_card
from .vcard_plan import CardPlan
from .sheet_read import Sheet

SAMPLE = 3  # values shown per column on the mapping screen
GUESS_SAMPLE = 50  # values read to guess a column from its contents
IGNORE, EXTRA = "", "extra"

# Every target a column may be given, in the order the select lists them.
TARGETS = {
    "last_name": _l("Nom"), "first_name": _l("Prénom"), "full_name": _l("Nom complet (Prénom Nom)"),
    "gender": _l("Civilité"), "company": _l("Société"), "department": _l("Service"), "function": _l("Fonction"),
    "email": _l("E-mail"), "phone": _l("Téléphone"), "mobile": _l("Mobile"), "fax": _l("Fax"),
    "street": _l("Adresse"), "street2": _l("Complément d'adresse"), "postal_code": _l("Code postal"),
    "city": _l("Ville"), "country": _l("Pays"), "website": _l("Site web"), "linkedin": "LinkedIn",
    "birthday": _l("Date de naissance"), "notes": _l("Notes"),
    EXTRA: _l("Informations complémentaires"), IGNORE: _l("Ne pas importer"),
}
NAME_TARGETS = ("last_name", "first_name", "full_name")

# Headers as fold() writes them, punctuation turned into spaces; French first, then English.
_HEADERS = {
    "last_name": ["nom", "nom de famille", "nom contact", "nom du contact", "last name", "lastname", "surname",
                  "family name"],
    "first_name": ["prenom", "prenom contact", "prenom du contact", "first name", "firstname", "given name"],
    "full_name": ["nom complet", "prenom nom", "nom prenom", "nom et prenom", "prenom et nom", "full name",
                  "name", "contact", "display name", "contact name"],
    "gender": ["civilite", "genre", "sexe", "salutation", "gender", "titre de civilite", "mr mme"],
    "company": ["societe", "entreprise", "organisation", "organization", "organisme", "company", "company name",
                "raison sociale", "compte", "compte client", "account", "account name", "employeur", "client"],
    "department": ["service", "departement", "department", "division", "direction"],
    "function": ["fonction", "poste", "titre", "job title", "title", "position", "intitule de poste", "role",
                 "job"],
    "email": ["email", "e mail", "mail", "courriel", "adresse email", "adresse e mail", "adresse mail",
              "email address", "e mail address", "mel"],
    "phone": ["telephone", "tel", "phone", "telephone fixe", "ligne directe", "work phone", "business phone",
              "phone number", "telephone professionnel", "tel fixe", "standard", "numero de telephone"],
    "mobile": ["mobile", "portable", "tel portable", "telephone portable", "telephone mobile", "tel mobile",
               "mobile phone", "mobile phone number", "mobile number", "cell", "cell phone", "cellphone", "gsm"],
    "fax": ["fax", "telecopie", "numero de fax", "fax number"],
    "street": ["adresse", "rue", "address", "street", "adresse 1", "address 1", "address line 1",
               "street address", "adresse postale", "voie"],
    "street2": ["complement d adresse", "complement adresse", "adresse 2", "address 2", "address line 2",
                "complement", "street2", "street 2", "rue 2", "mailing street 2"],
    "postal_code": ["code postal", "cp", "postcode", "post code", "postal code", "zip", "zip code", "zipcode"],
    "city": ["ville", "city", "commune", "localite", "town"],
    "country": ["pays", "country"],
    "website": ["site web", "site", "website", "web", "url", "site internet", "web site"],
    "linkedin": ["linkedin", "profil linkedin", "linkedin url", "url linkedin"],
    "birthday": ["date de naissance", "anniversaire", "birthday", "birth date", "date of birth", "naissance"],
    "notes": ["notes", "note", "commentaire", "commentaires", "comments", "comment", "remarques", "remarque",
              "observations"],
}
_BY_HEADER = {synonym: target for target, synonyms in _HEADERS.items() for synonym in synonyms}
_BY_LENGTH = sorted(_BY_HEADER, key=len, reverse=True)
_NOT_WORD = re.compile(r"[^a-z0-9]+")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$")
_PHONE = re.compile(r"^\+?[\d\s().\-/]{8,20}$")
_MOBILE = re.compile(r"^(?:0[67]|\+?33\s?\(?0?\)?\s?[67])")
_POSTCODE = re.compile(r"^(?:\d{5}|[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}|\d{4})$")
_GENDERS = {"m": "M", "m.": "M", "mr": "M", "mr.": "M", "monsieur": "M", "h": "M", "homme": "M", "male": "M",
            "f": "F", "mme": "F", "mme.": "F", "madame": "F", "mlle": "F", "mademoiselle": "F", "femme": "F",
            "mrs": "F", "mrs.": "F", "ms": "F", "ms.": "F", "miss": "F", "female": "F"}
_DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d/%m/%y", "%d.%m.%Y", "%d-%m-%Y", "%Y-%m-%d %H:%M:%S")


def header_key(header: str) -> str:
    """A header as the guess compares it: folded, punctuation as spaces ("E-mail :" -> "e mail")."""
    return _NOT_WORD.sub(" ", fold(header)).strip()


def guess_mapping(sheet: Sheet) -> list[str]:
    """A target per column: from its header (exact, else the longest known header it holds as words), else from
    its values; each target once (the first column claiming it), other non-empty columns to extra values."""
    by_header = [_from_header(header) for header in sheet.headers]
    taken: set[str] = {guess for guess in by_header if guess}
    mapping = []
    for index, guess in enumerate(by_header):
        if guess and guess not in mapping:
            mapping.append(guess)
            continue
        # No header known, or one an earlier column took ("Téléphone (2)"): the values tell.
        guess = _from_values(sheet.column(index, GUESS_SAMPLE))
        if guess and guess not in taken:
            taken.add(guess)
            mapping.append(guess)
        else:
            mapping.append(EXTRA if sheet.column(index, 1) else IGNORE)
    if {"first_name", "last_name"} <= taken and "full_name" in taken:
        mapping[mapping.index("full_name")] = EXTRA  # "Nom complet" beside Nom and Prénom says nothing more
    return mapping


def _from_header(header: str) -> str | None:
    """The target a header names, if any."""
    key = header_key(header)
    if key in _BY_HEADER:
        return _BY_HEADER[key]
    padded = f" {key} "
    for synonym in _BY_LENGTH:
        if len(synonym) > 3 and f" {synonym} " in padded:
            return _BY_HEADER[synonym]
    return None


def _from_values(values: list[str]) -> str | None:
    """The target a column's values look like: e-mails, mobiles, phones, postcodes (most of them)."""
    if not values:
        return None

    def most(pattern) -> bool:
        return sum(1 for v in values if pattern.match(v)) * 10 >= len(values) * 8

    if most(_EMAIL):
        return "email"
    if most(_POSTCODE) and all(len(v) <= 8 for v in values):
        return "postal_code"
    if most(_PHONE) and all(sum(c.isdigit() for c in v) >= 8 for v in values):
        return "mobile" if most(_MOBILE) else "phone"
    return None


def clean_mapping(posted: list[str], width: int) -> list[str]:
    """The mapping as posted: one known target per column, anything else left out ("do not import")."""
    return [(posted[i] if i < len(posted) and posted[i] in TARGETS else IGNORE) for i in range(width)]


def mapping_problem(mapping: list[str]) -> str | None:
    """What keeps this mapping from importing anyone, in the user's words."""
    if not any(target in NAME_TARGETS for target in mapping):
        return _("Indiquez au moins la colonne du nom (Nom, Prénom ou Nom complet) : sans nom, aucun contact "
                 "n'est créé.")
    return None


def sheet_plans(sheet: Sheet, mapping: list[str]) -> tuple[list[dict], list[CardPlan]]:
    """Each data row as a CardPlan (numbered by its line in the file), with the file's summary for the preview."""
    plans = []
    for index, (line, row) in enumerate(zip(sheet.lines, sheet.rows)):
        plan = CardPlan(index=index, file=0, number=line)
        card = row_card(line, row, sheet.headers, mapping)
        if card is None:
            plan.error = _("Ligne sans valeur dans les colonnes à importer.")
        else:
            map_card(plan, card, 0, 0, nameless_error=_("Ligne sans nom (ni Nom, ni Prénom) : non importée."))
        plans.append(plan)
    summary = [{"name": sheet.name, "cards": len(plans), "errors": sum(1 for p in plans if p.error),
                "kind": "sheet"}]
    return summary, plans


_PHONE_TYPES = {"phone": frozenset({"work", "voice"}), "mobile": frozenset({"cell"}),
                "fax": frozenset({"fax", "work"})}
_FIRST_EMAIL, _OTHER_EMAIL = frozenset({"pref"}), frozenset()


def row_card(line: int, row: list[str], headers: list[str], mapping: list[str]) -> ParsedCard | None:
    """One row as a ParsedCard (what map_card takes); None when every imported cell is empty. A field given by
    several columns takes the first; the others become extra values (e-mails and phones: map_card's choice)."""
    cells: dict[str, list[tuple[str, str]]] = {}
    for header, target, value in zip(headers, mapping, row):
        if value and target:
            cells.setdefault(target, []).append((header, value))
    if not cells:
        return None
    card = ParsedCard(number=line)
    extras = [Extra("other", header, value) for header, value in cells.get(EXTRA, ())]

    def first(target: str) -> str:
        """The target's first value; the others kept as extra values."""
        found = cells.get(target)
        if not found:
            return ""
        extras.extend(Extra("other", header, value) for header, value in found[1:])
        return found[0][1]

    card.last_name, card.first_name, card.full_name = first("last_name"), first("first_name"), first("full_name")
    card.org, card.title = first("company") or None, first("function") or None
    card.org_units = [value for _header, value in cells.get("department", ())]
    if gender := first("gender"):
        card.gender = _GENDERS.get(gender.strip().lower())
        if card.gender is None:
            extras.append(Extra("other", cells["gender"][0][0], gender))
    card.emails = [TypedValue(value, _OTHER_EMAIL if i else _FIRST_EMAIL, header)
                   for i, (header, value) in enumerate(cells.get("email", ()))]
    card.phones = [TypedValue(value, _PHONE_TYPES[target], None) for target in ("phone", "mobile", "fax")
                   for _header, value in cells.get(target, ())]
    card.urls = [Link(value, target) for target in ("website", "linkedin") for _header, value in cells.get(target, ())]
    streets = [value for _header, value in cells.get("street", ())]
    address = Address(street="\n".join(streets), extended=", ".join(v for _h, v in cells.get("street2", ())),
                      postal_code=first("postal_code"), city=first("city"), country=first("country"))
    if any((address.street, address.extended, address.postal_code, address.city, address.country)):
        card.addresses.append(address)
    card.note = "\n".join(value for _header, value in cells.get("notes", ())) or None
    if birthday := first("birthday"):
        card.birthday = _date(birthday)
        if card.birthday is None:
            card.warn(_("Date de naissance « %(value)s » non reconnue : gardée dans les informations "
                        "complémentaires.", value=birthday[:40]))
            extras.append(Extra("other", cells["birthday"][0][0], birthday))
    card.extras = extras
    if card.full_name and not (card.last_name or card.first_name):
        card.first_name, card.last_name = split_full_name(card.full_name)
    return card


def _date(value: str) -> date | None:
    """A date written as ISO or as the French write it (25/12/1980)."""
    for pattern in _DATE_FORMATS:
        try:
            return datetime.strptime(value.strip(), pattern).date()
        except ValueError:
            continue
    return None
