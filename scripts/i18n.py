"""Refresh the catalogs: extract the strings, update fr and en, and fill French plurals.

The source strings are French. The fr catalog only needs its plural entries (French says "0 affaire", "1
affaire", "2 affaires": gettext must know French plural rules), so they are filled from the source; the en
catalog is translated by hand. Run: .venv/bin/python scripts/i18n.py"""
import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "translations"
PYBABEL = str(Path(sys.executable).with_name("pybabel"))


def main() -> None:
    pot = TRANSLATIONS / "messages.pot"
    subprocess.run([PYBABEL, "extract", "-F", "babel.cfg", "-k", "_l", "-k", "lazy_gettext", "-k", "plural:1,2",
                    "--no-location", "--sort-output", "-o", str(pot), "."], cwd=ROOT, check=True)
    subprocess.run([PYBABEL, "update", "-i", str(pot), "-d", str(TRANSLATIONS), "--no-fuzzy-matching",
                    "--ignore-obsolete"], cwd=ROOT, check=True)
    fr_path = TRANSLATIONS / "fr" / "LC_MESSAGES" / "messages.po"
    with fr_path.open("rb") as handle:
        catalog = read_po(handle, locale="fr")
    for message in catalog:
        if message.id and message.pluralizable:
            singular, plural = message.id
            message.string = tuple([singular] + [plural] * (catalog.num_plurals - 1))
    with fr_path.open("wb") as handle:
        write_po(handle, catalog, omit_header=False, no_location=True, sort_output=True)
    untranslated = _untranslated(TRANSLATIONS / "en" / "LC_MESSAGES" / "messages.po")
    print(f"en: {untranslated} strings left to translate")


def _untranslated(path: Path) -> int:
    with path.open("rb") as handle:
        catalog = read_po(handle, locale="en")
    return sum(1 for m in catalog if m.id and not (all(m.string) if isinstance(m.string, tuple) else m.string))


if __name__ == "__main__":
    main()
