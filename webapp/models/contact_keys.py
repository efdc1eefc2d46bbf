"""A contact's derived columns (sort keys, search text, E.164 phones), computed from its plain values alone."""
from collections.abc import Mapping
from typing import Any

from ..phones import e164, phone_search_digits
from ..text import fold, search_words

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
