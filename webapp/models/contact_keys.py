"""A contact's derived columns (sort keys, search text, E.164 phones), computed from its plain values alone."""
import re
from collections.abc import Mapping
from typing import Any

from ..phones import e164, phone_search_digits
from ..text import fold, search_fold, search_words

PHONES = ("phone", "mobile", "fax")
# The plain columns the derived ones are computed from (besides the company's name).
KEY_SOURCES = ("last_name", "first_name", "function", "email", "country", *PHONES)
# Every column derived_columns() returns: nothing else writes them.
DERIVED_COLUMNS = ("company_key", "last_name_key", "first_name_key", "function_key", "email_key", "phone_e164",
                   "mobile_e164", "fax_e164", "search_text")


def derived_columns(values: Mapping[str, Any], company_name: str) -> dict[str, Any]:
    """{column: value} for every derived column of a contact with these values at a company of this name."""
    country = values.get("country")
    derived = {f"{name}_e164": e164(values.get(name), country) for name in PHONES}
    last_name_key, first_name_key = fold(values.get("last_name")), fold(values.get("first_name"))
    company_key, function_key = fold(company_name), fold(values.get("function")) or None
    email_key = fold(values.get("email")) or None
    # Names and the company with and without their inner spaces; every text without apostrophes nor hyphens; each
    # phone in every digit form a search may type (see text.search_words and phones.phone_search_digits).
    words = [search_words(values.get("last_name"), join=True), search_words(values.get("first_name"), join=True),
             search_words(company_name, join=True), search_words(values.get("function")),
             search_words(values.get("email"))]
    phones = [form for name in PHONES if values.get(name)
              for form in phone_search_digits(values.get(name), derived[f"{name}_e164"])]
    parts = (*words, *dict.fromkeys(phones))
    derived.update(company_key=company_key, last_name_key=last_name_key, first_name_key=first_name_key,
                   function_key=function_key, email_key=email_key, search_text=" ".join(part for part in parts if part))
    return derived


_NAME_DROPPED = re.compile(r"[\W_]+")  # spaces, apostrophes, hyphens, dots...: "D'Arcy", "d arcy", "DARCY" are one
# The keys duplicates are found by, strongest first (webapp/services/duplicates.py scores them).
DUPLICATE_KINDS = ("email", "phone", "name")


def duplicate_keys(values: Mapping[str, Any], client_id: int | None) -> set[tuple[str, str]]:
    """The (kind, key) pairs two contacts share when they may be one person: the folded e-mail, each of the phone
    and the mobile in E.164 (a phone may be typed as the other's mobile), and the name at the same account folded
    to its letters and digits, in either order ("BLOU Hélène", "Blou Helene" and first/last swapped are one key).
    `values` holds last_name, first_name, email and phone_e164 / mobile_e164 (as derived_columns makes them)."""
    keys = set()
    if email := fold(values.get("email")):
        keys.add(("email", email))
    for name in ("phone_e164", "mobile_e164"):
        if number := values.get(name):
            keys.add(("phone", number))
    last = _NAME_DROPPED.sub("", search_fold(values.get("last_name")))
    first = _NAME_DROPPED.sub("", search_fold(values.get("first_name")))
    if client_id and len(last + first) >= 3:
        keys.add(("name", f"{client_id}:{min(last + first, first + last)}"))
    return keys
