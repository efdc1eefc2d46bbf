"""Countries as ISO 3166 codes, named in the user's language through Babel's CLDR data."""
from functools import cache

from babel import Locale

from .text import fold

_ALIASES = {"uk": "GB", "royaume uni": "GB", "usa": "US", "etats unis": "US", "angleterre": "GB"}


@cache
def _names_to_codes() -> dict[str, str]:
    mapping = {}
    for language in ("fr", "en", "de", "es", "it", "nl"):
        for code, name in Locale(language).territories.items():
            if len(code) == 2 and code.isalpha():
                mapping.setdefault(fold(name).replace("-", " "), code)
    return mapping


def country_code(name: str | None) -> str | None:
    """"France", "belgique", "Deutschland", "FR" -> ISO code; None when unknown."""
    if not name or not name.strip():
        return None
    text = name.strip()
    if len(text) == 2 and text.isalpha() and text.upper() in Locale("fr").territories:
        return text.upper()
    key = fold(text).replace("-", " ").replace(".", "")
    return _ALIASES.get(key) or _names_to_codes().get(key)


def country_name(code: str | None, locale: str = "fr") -> str:
    """ISO code -> the country's name in `locale` ("FR" -> "France")."""
    if not code:
        return ""
    return Locale.parse(locale).territories.get(code, code)


def country_choices(locale: str = "fr") -> list[tuple[str, str]]:
    """Every country as (code, name), sorted by name ignoring accents, France first."""
    territories = Locale.parse(locale).territories
    choices = sorted(((c, n) for c, n in territories.items() if len(c) == 2 and c.isalpha()),
                     key=lambda item: fold(item[1]))
    return [("FR", territories["FR"])] + [item for item in choices if item[0] != "FR"]
