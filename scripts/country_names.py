"""Writes webapp/data/country_names.tsv.gz: every country name the import recognises, folded, with its ISO code.

Run: .venv/bin/python scripts/country_names.py   (again after upgrading Babel or pycountry; a test checks the file
matches them). The names are Babel's territory names in every locale it ships (CLDR), then ISO 3166's names,
official long forms ("United States of America", "Federal Republic of Germany") and common names from pycountry,
in English and in every language pycountry ships, and the alpha-3 codes. Building this at run time reads 1,100
locale files (about 8 s): it is done once here instead. A name that different sources give to different countries
("Kongo") is left out, unless one of the main languages settles it.
"""
import gettext
import gzip
import os
import pickle
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import pycountry  # noqa: E402
from babel import localedata  # noqa: E402

from webapp.countries import DATA_FILE, MAIN_LANGUAGES, name_key  # noqa: E402


def _babel_names(identifier: str) -> dict[str, str]:
    """code -> name in one Babel locale, read from its data file alone (Babel's own cache would keep them all)."""
    path = os.path.join(os.path.dirname(localedata.__file__), "locale-data", identifier + ".dat")
    with open(path, "rb") as handle:
        data = pickle.load(handle)
    return {code: name for code, name in data.get("territories", {}).items() if len(code) == 2 and code.isalpha()}


def _iso_names(country) -> list[str]:
    return [getattr(country, attribute) for attribute in ("name", "official_name", "common_name")
            if getattr(country, attribute, None)]


def build() -> dict[str, str]:
    """folded name -> ISO code."""
    settled: dict[str, str] = {}
    for language in MAIN_LANGUAGES:
        for code, name in _babel_names(language).items():
            settled.setdefault(name_key(name), code)
    for country in pycountry.countries:
        for name in _iso_names(country):
            settled.setdefault(name_key(name), country.alpha_2)
        settled.setdefault(name_key(country.alpha_3), country.alpha_2)
    candidates: dict[str, set[str]] = {}
    for identifier in sorted(localedata.locale_identifiers()):
        for code, name in _babel_names(identifier).items():
            candidates.setdefault(name_key(name), set()).add(code)
    for language in sorted(os.listdir(pycountry.LOCALES_DIR)):
        try:
            translation = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[language])
        except OSError:
            continue
        for country in pycountry.countries:
            for name in _iso_names(country):
                candidates.setdefault(name_key(translation.gettext(name)), set()).add(country.alpha_2)
    names = dict(settled)
    for key, codes in candidates.items():
        if key and key not in names and len(codes) == 1:
            names[key] = next(iter(codes))
    return {key: code for key, code in names.items() if key}


def serialize(names: dict[str, str]) -> bytes:
    text = "".join(f"{key}\t{code}\n" for key, code in sorted(names.items()))
    return gzip.compress(text.encode("utf-8"), compresslevel=9, mtime=0)


if __name__ == "__main__":
    names = build()
    DATA_FILE.write_bytes(serialize(names))
    print(f"{len(names)} names written to {DATA_FILE.relative_to(ROOT)} ({DATA_FILE.stat().st_size} bytes)")
