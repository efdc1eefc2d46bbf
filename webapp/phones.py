"""Phone numbers: kept as typed, with an E.164 form for search and duplicate checks."""
import re
from functools import lru_cache

import phonenumbers

DEFAULT_REGION = "FR"
# A French number typed nationally ("01 20 35 99 65", "01.20.35.99.65"): its E.164 form is plain string work,
# ten times faster than phonenumbers, which still handles every other form (tests check both agree).
_FRENCH_NUMBER = re.compile(r"0[1-9](?:[ .-]?\d\d){4}")


def to_e164(raw: str | None, region: str = DEFAULT_REGION) -> str | None:
    """"01 20 35 99 65" -> "+33120359965"; None when the text is not a possible phone number."""
    if not raw or not raw.strip():
        return None
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def contact_region(country: str | None) -> str:
    """The region a contact's numbers are read in: its country when it is a code, France otherwise."""
    return country if country and len(country) == 2 else DEFAULT_REGION


def e164(raw: str | None, country: str | None) -> str | None:
    """The E.164 form of a phone number typed in the contact's country (France when unknown)."""
    if not raw:
        return None
    region = contact_region(country)
    if region == "FR" and _FRENCH_NUMBER.fullmatch(raw):
        return "+33" + re.sub(r"\D", "", raw)[1:]
    return to_e164(raw, region)


@lru_cache(maxsize=4096)
def _national_digits(e164_number: str) -> str:
    try:
        number = phonenumbers.parse(e164_number, None)
    except phonenumbers.NumberParseException:
        return ""
    return re.sub(r"\D", "", phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL))


def national_digits(e164_number: str) -> str:
    """The digits a number is dialled with in its own country: "+33142685300" -> "0142685300"."""
    if e164_number.startswith("+33") and len(e164_number) == 12:  # most numbers here: no parsing needed
        return "0" + e164_number[3:]
    return _national_digits(e164_number)


def phone_search_digits(raw: str | None, e164_number: str | None) -> list[str]:
    """The digit forms a search finds a number by: as typed, international (E.164) and national, each once.

    "+33 1 42 68 53 00" -> ["33142685300", "0142685300"]: "01 42 68 53 00", "0142685300", "+33142685300" and
    "+33 1 42 68 53 00" are all inside one of them once their separators are gone."""
    forms = [re.sub(r"\D", "", raw or "")]
    if e164_number:
        forms += [e164_number[1:], national_digits(e164_number)]
    return list(dict.fromkeys(form for form in forms if form))


def display(raw: str | None, e164_number: str | None = None) -> str:
    """A phone number as the screens and exports show it: national format when it parses ("01 20 35 99 65"), as
    typed otherwise."""
    if not raw:
        return ""
    if not e164_number:
        return raw
    # French numbers (most of them) are written "01 20 35 99 65" here, without a cache or phonenumbers (slow): an
    # export of 100,000 contacts meets as many different numbers.
    if e164_number.startswith("+33") and len(e164_number) == 12 and e164_number[1:].isdigit():
        n = e164_number
        return f"0{n[3]} {n[4:6]} {n[6:8]} {n[8:10]} {n[10:12]}"
    return _format_e164(e164_number)


@lru_cache(maxsize=20_000)
def _format_e164(e164_number: str) -> str:
    try:
        number = phonenumbers.parse(e164_number, None)
    except phonenumbers.NumberParseException:
        return e164_number
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
