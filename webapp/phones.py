"""Phone numbers: kept as typed, with an E.164 form for search and duplicate checks."""
import re

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
