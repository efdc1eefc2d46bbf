"""Text folding shared by sorting, searching and duplicate checks: case and accents never matter."""
import re
import unicodedata
from functools import lru_cache

_LIGATURES = str.maketrans({"œ": "oe", "Œ": "oe", "æ": "ae", "Æ": "ae", "ß": "ss", "ø": "o", "Ø": "o", "ł": "l", "Ł": "l"})
_SPACES = re.compile(r"\s+")
_NON_DIGITS = re.compile(r"\D+")
# Apostrophes (straight, typographic, modifier letter, backquote, acute) and hyphens (ASCII, Unicode, non-breaking,
# soft): search drops them, so "D’Arcy", "d'arcy" and "darcy" are one word, and "Marie-Hélène" is "mariehelene".
_SEARCH_DROPPED = str.maketrans(dict.fromkeys("'’‘ʼ`´′-‐‑‒–\u00ad", None))


# Names, companies and job titles repeat from row to row, and an import folds each one several times: each distinct
# text is folded once (seconds saved per 100,000 contacts). Bounded, so a million distinct names are not all kept.
@lru_cache(maxsize=65536)
def fold(value: str | None) -> str:
    """Lower-case, accent-free, single-spaced form of a text ("Élise  D'Arcy" -> "elise d'arcy")."""
    if not value:
        return ""
    if value.isascii():  # most names and e-mails: no accent to strip, and casefold() is lower() (3x faster)
        return _SPACES.sub(" ", value.lower()).strip()
    value = unicodedata.normalize("NFKD", value.translate(_LIGATURES))
    value = "".join(ch for ch in value if not unicodedata.combining(ch))
    return _SPACES.sub(" ", value.casefold()).strip()


def search_fold(value: str | None) -> str:
    """fold() without apostrophes and hyphens, the form both the stored search text and a typed word take."""
    return _SPACES.sub(" ", fold(value).translate(_SEARCH_DROPPED)).strip()


def search_words(value: str | None, join: bool = False) -> str:
    """What the search text keeps of a value; `join` (for names) adds the words run together, so a search ignores
    the spaces inside a name ("Marie Hélène" -> "marie helene mariehelene")."""
    words = search_fold(value)
    if join and " " in words:
        return words + " " + words.replace(" ", "")
    return words


def search_key(term: str | None, limit: int = 100) -> str:
    """What a picker looks for: folded, control characters (a NUL PostgreSQL refuses) as spaces, `limit` long."""
    if not term:
        return ""
    return fold("".join(" " if unicodedata.category(ch) == "Cc" else ch for ch in term))[:limit]


def like_pattern(key: str) -> str:
    """A LIKE pattern (escape "\\") finding `key` anywhere, its wildcards taken literally."""
    return "%" + key.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def digits(value: str | None) -> str:
    """Only the digits of a text: "01.20.35.99.65" -> "0120359965"."""
    return _NON_DIGITS.sub("", value or "")
