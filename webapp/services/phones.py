"""Phone numbers: kept as typed, with an E.164 form for search and duplicate checks."""
import phonenumbers

DEFAULT_REGION = "FR"


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
