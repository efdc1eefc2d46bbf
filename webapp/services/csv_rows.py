"""Reading the contacts CSV: the expected columns, the file checks, and one row's values checked and cleaned."""
import codecs
import csv
from collections.abc import Iterator
from pathlib import Path

from .. import rules
from ..countries import country_code
from ..models import Client, Contact, ContactLink, Sector, User
from .sheet_import import ENCODING_LABELS
from .sheet_read import SNIFF_BYTES, SheetError, decode_text, sniff_separator

COLUMNS = (
    "company", "company_assigned_to", "entity", "sector", "size", "revenue_range", "origin", "archived_company",
    "gender", "last_name", "first_name", "service", "function", "email", "phone", "mobile", "fax", "street",
    "postal_code", "city", "country", "assigned_to", "skills", "active", "dpo", "rssi", "linkedin",
)
SAMPLE_BYTES = 1 << 20  # the start of the file its encoding and separator are found on
# Boolean columns and their value when the cell is empty: a contact is active unless the file says otherwise.
BOOLEAN_COLUMNS = {"archived_company": False, "active": True, "dpo": False, "rssi": False}
_TRUE = {"true", "1", "oui", "vrai", "yes"}
_FALSE = {"false", "0", "non", "faux", "no"}
_GENDERS = {"M": "M", "H": "M", "F": "F"}


def _max_lengths() -> dict[str, int]:
    """The longest text each column may hold, from the columns it is stored in."""
    label = Sector.__table__.c.label.type.length
    person = User.__table__.c.last_name.type.length
    contact = {name: Contact.__table__.c[name].type.length
               for name in ("last_name", "first_name", "function", "email", "phone", "mobile", "fax", "street",
                            "postal_code", "city")}
    return {"company": Client.__table__.c.name.type.length, "company_assigned_to": person, "assigned_to": person,
            "entity": label, "sector": label, "size": label, "revenue_range": label, "origin": label,
            "service": label, "linkedin": ContactLink.__table__.c.url.type.length, **contact}


MAX_LENGTHS = _max_lengths()


class CsvFormatError(Exception):
    """The file cannot be imported at all: undecodable, empty, or a header that is not the expected one."""


class NotFixedFormat(CsvFormatError):
    """The header is not the fixed format's: the file may still be imported column by column (`--as`)."""


class RowError(Exception):
    """One row cannot be imported; the message says why, in the user's words."""


def detect_format(path: Path) -> tuple[str, str]:
    """The file's encoding and separator, found on its first megabyte by the spreadsheet import's own functions
    (BOM, UTF-8, else charset-normalizer; the separator sniffed), so that both imports read the same files."""
    with open(path, "rb") as raw:
        sample = raw.read(SAMPLE_BYTES)
        final = not raw.read(1)
    try:
        text, encoding = decode_text(sample, final)
    except SheetError as error:
        raise CsvFormatError(error.message) from None
    return encoding, sniff_separator(text[:SNIFF_BYTES])


def count_lines(path: Path, encoding: str) -> tuple[int, str]:
    """The file's number of lines, after checking the whole file decodes (so a bad file is refused before any
    write), and its encoding: a file whose first megabyte is plain ASCII was taken for UTF-8; if a later byte says
    otherwise, the encoding is found again on the part that holds it."""
    decoder = codecs.getincrementaldecoder(encoding)()
    lines, last, plain = 0, "", True
    with open(path, "rb") as raw:
        while chunk := raw.read(1 << 20):
            try:
                text = decoder.decode(chunk)
            except UnicodeDecodeError as error:
                if encoding == "utf_8" and plain:
                    found = decode_text(chunk, final=False)[1]
                    if found != "utf_8":
                        return count_lines(path, found)
                _refuse_bytes(lines + error.object.count(b"\n", 0, error.start) + 1, encoding)
            plain = plain and text.isascii()
            lines += text.count("\n")
            last = text[-1:] or last
    try:
        last = decoder.decode(b"", final=True)[-1:] or last
    except UnicodeDecodeError:
        _refuse_bytes(lines + 1, encoding)
    return lines + (1 if last and last != "\n" else 0), encoding


def _refuse_bytes(line: int, encoding: str) -> None:
    """Refuse a file with bytes its encoding cannot read."""
    raise CsvFormatError(f"ligne {line} : caractères illisibles en {ENCODING_LABELS.get(encoding, encoding)} "
                         "(enregistrez le fichier au format « CSV UTF-8 »)")


def column_positions(header: list[str] | None) -> dict[str, int]:
    """Where each expected column is in the file; refuses a header with a missing or unknown column."""
    if not header:
        raise CsvFormatError("le fichier est vide (la première ligne doit être l'en-tête)")
    names = [name.strip().lower() for name in header]
    missing = [name for name in COLUMNS if name not in names]
    unknown = [name for name in names if name not in COLUMNS]
    twice = sorted({name for name in names if names.count(name) > 1})
    if missing or unknown or twice:
        problems = [text for text in (
            missing and "colonnes manquantes : " + ", ".join(missing),
            unknown and "colonnes inconnues : " + ", ".join(unknown),
            twice and "colonnes en double : " + ", ".join(twice),
        ) if text]
        raise NotFixedFormat("ligne 1 : en-tête incorrect (" + " ; ".join(problems) + "). Colonnes attendues, "
                             "dans cet ordre : " + ",".join(COLUMNS))
    return {name: names.index(name) for name in COLUMNS}


def records(reader) -> Iterator[tuple[int, list[str] | None, str | None]]:
    """(line number where the record starts, its fields, or None and why the csv module could not split it)."""
    while True:
        start = reader.line_num + 1
        try:
            fields = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            yield start, None, f"ligne CSV illisible ({error})"
            continue
        if fields:  # blank lines are not records
            yield start, fields, None


def _boolean(name: str, text: str) -> bool:
    """A cell of a boolean column: true/false (oui/non, 1/0 accepted), its default when empty."""
    if not text:
        return BOOLEAN_COLUMNS[name]
    lowered = text.lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise RowError(f"{name} vaut « {text} » : true ou false attendu")


def parse_row(fields: list[str], positions: dict[str, int], countries: dict[str, str | None]) -> dict:
    """The row's values by column name, stripped and checked; raises RowError with the reason to skip it."""
    if len(fields) != len(positions):
        raise RowError(f"{len(fields)} colonnes au lieu de {len(positions)}")
    row = {name: fields[index].strip() for name, index in positions.items()}
    if not row["company"]:
        raise RowError("société (company) manquante")
    if not row["last_name"]:
        raise RowError("nom (last_name) manquant")
    for name, limit in MAX_LENGTHS.items():
        if len(row[name]) > limit:
            raise RowError(f"{name} trop long ({len(row[name])} caractères, {limit} au plus)")
    # The contact form's rules for what both write (required fields aside: a file may leave a function blank).
    if rules.email_problem(row["email"]):
        raise RowError(f"e-mail « {row['email']} » invalide")
    if rules.url_problem(row["linkedin"]):
        raise RowError(f"lien LinkedIn « {row['linkedin']} » invalide : http:// ou https:// attendu")
    if row["gender"]:
        gender = _GENDERS.get(row["gender"].upper())
        if gender is None:
            raise RowError(f"gender vaut « {row['gender']} » : M ou F attendu")
        row["gender"] = gender
    for name in BOOLEAN_COLUMNS:
        row[name] = _boolean(name, row[name])
    if row["country"]:
        if row["country"] not in countries:
            countries[row["country"]] = country_code(row["country"])
        code = countries[row["country"]]
        if code is None:
            raise RowError(f"pays « {row['country']} » inconnu")
        row["country"] = code
    row["skills"] = list(dict.fromkeys(s.strip() for s in row["skills"].split(";") if s.strip()))
    if any(len(skill) > MAX_LENGTHS["sector"] for skill in row["skills"]):
        raise RowError("compétence trop longue")
    return row


def split_person(full_name: str) -> tuple[str, str]:
    """"LE GALL Anaïs" -> ("LE GALL", "Anaïs"): the leading upper-case words are the last name."""
    words = full_name.split()
    cut = 0
    while cut < len(words) and words[cut].isupper():
        cut += 1
    if cut in (0, len(words)):
        cut = 1
    return " ".join(words[:cut]), " ".join(words[cut:])
