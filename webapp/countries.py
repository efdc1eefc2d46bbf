"""Countries as ISO 3166 codes, named in the user's language through Babel's CLDR data.

A name read from a file (a vCard's ADR, a CSV row) is recognised in any language Babel ships, in its official long
form ("United States of America", "Republika Federalna Niemiec") or as an ISO code: data/country_names.tsv.gz,
generated from Babel and pycountry by scripts/country_names.py, read once on the first name looked up.
"""
import gzip
from functools import cache
from pathlib import Path

from babel import Locale

from .text import fold

DATA_FILE = Path(__file__).resolve().parent / "data" / "country_names.tsv.gz"
MAIN_LANGUAGES = ("fr", "en", "de", "es", "it", "nl")  # they settle a name other languages give another country
# Not country names in any source, but what people write: "UK" (ISO's reserved code for GB), and England for the
# United Kingdom, which holds it.
_USAGE = {"uk": "GB", "angleterre": "GB", "england": "GB"}


def name_key(name: str) -> str:
    """The form names are compared in: folded, hyphens as spaces, no dots ("U.S.A." -> "usa")."""
    return " ".join(fold(name).replace("-", " ").replace(".", "").split())


@cache
def _names_to_codes() -> dict[str, str]:
    text = gzip.decompress(DATA_FILE.read_bytes()).decode("utf-8")
    return dict(line.split("\t") for line in text.splitlines())


def country_code(name: str | None) -> str | None:
    """"France", "belgique", "Deutschland", "Niemcy", "United States of America", "FR", "DEU" -> ISO code; None
    when unknown."""
    if not name or not name.strip():
        return None
    text = name.strip()
    if len(text) == 2 and text.isalpha() and text.upper() in Locale("fr").territories:
        return text.upper()
    key = name_key(text)
    return _USAGE.get(key) or _names_to_codes().get(key)


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
