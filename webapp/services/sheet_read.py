"""Reading an uploaded spreadsheet (.csv, .xlsx, .xls, .ods) into a plain table: the header row and the data rows
as text, each with its line number in the file. CSV through the csv module, with the encoding found by
charset-normalizer and the separator sniffed; workbooks through python-calamine, which reads the values the file
has cached for its formulas (never evaluating them) and never runs macros, in a child process of bounded memory.
Bounded: size, rows, and the memory a workbook's reading takes."""
import codecs
import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

import python_calamine as calamine
from charset_normalizer import from_bytes
from flask_babel import gettext as _

from .bounded_child import TOO_BIG, TOO_LONG, run_bounded

SHEET_EXTENSIONS = (".csv", ".xlsx", ".xls", ".ods")
WORKBOOK_EXTENSIONS = (".xlsx", ".xls", ".ods")
WORKBOOK_MEMORY = 1024 * 1024 * 1024  # what reading one workbook may take on top of the process (SHEET_MAX_MEMORY_MB)
WORKBOOK_SECONDS = 120  # a workbook not read by then is refused (the child process is killed)
HEADER_SEARCH = 10  # the header is one of the first rows: a title row or a merged group row may come before it
MAX_COLUMNS = 500  # a contact has about 25 fields: past this, the file is not a list of contacts
SNIFF_BYTES = 64 * 1024
# The encodings a spreadsheet's CSV comes in, here: Excel writes cp1252 ("CSV (séparateur : point-virgule)") or
# UTF-8 with a BOM; LibreOffice UTF-8 or Latin-1; "Texte Unicode" is UTF-16.
ENCODINGS = ["utf_8", "cp1252", "latin_1", "utf_16", "utf_16_le", "utf_16_be"]
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTED_OOXML = "EncryptionInfo".encode("utf-16-le")


class SheetError(Exception):
    """The file cannot be imported at all; `message` says why, in the user's words. Nothing is kept."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass
class Sheet:
    """A file read as a table: column headers, data rows (text cells) and their line numbers in the file."""

    name: str
    headers: list[str]
    rows: list[list[str]] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)  # 1-based, as the spreadsheet numbers its rows
    encoding: str | None = None  # CSV only
    separator: str | None = None  # CSV only
    sheet_name: str | None = None  # workbooks: the sheet read

    def column(self, index: int, count: int) -> list[str]:
        """The first `count` non-empty values of a column."""
        values = []
        for row in self.rows:
            if index < len(row) and row[index]:
                values.append(row[index])
                if len(values) == count:
                    break
        return values


def is_sheet(filename: str) -> bool:
    """Whether the file is one the spreadsheet import reads (by its extension)."""
    return filename.lower().endswith(SHEET_EXTENSIONS)


def read_sheet(filename: str, data: bytes, max_bytes: int, max_rows: int,
               max_memory: int = WORKBOOK_MEMORY) -> Sheet:
    """The file's table; SheetError past the bounds, for a file that is empty, encrypted or unreadable."""
    if len(data) > max_bytes:
        raise SheetError(_("%(name)s dépasse la taille maximale (%(size)s) : rien n'a été importé. Découpez le "
                           "fichier.", name=filename, size=_size(max_bytes)))
    if not data.strip():
        raise SheetError(_("%(name)s est vide.", name=filename))
    if filename.lower().endswith(WORKBOOK_EXTENSIONS):
        sheet_name, grid, merged = _read_workbook(filename, data, max_rows, max_memory)
        sheet = _table(filename, grid, merged, max_rows)
        sheet.sheet_name = sheet_name
        return sheet
    text, encoding = decode_text(data)
    separator = sniff_separator(text[:SNIFF_BYTES])
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator)
    try:
        grid = [(index, row) for index, row in enumerate(_bounded(reader, max_rows), start=1)]
    except csv.Error as error:
        raise SheetError(_("%(name)s : fichier CSV illisible (%(error)s).", name=filename, error=str(error))) \
            from None
    sheet = _table(filename, grid, [], max_rows)
    sheet.encoding, sheet.separator = encoding, separator
    return sheet


def decode_text(data: bytes, final: bool = True) -> tuple[str, str]:
    """The CSV's text and the encoding it was in: a BOM says it; else UTF-8 when the bytes are valid UTF-8; else
    what charset-normalizer finds among ENCODINGS; else cp1252 (what French Excel writes). `final=False` when
    `data` is only the start of a longer file (`crm import-csv` detects on it, then decodes the stream with the
    encoding found): a character cut at its end is left out instead of refusing the encoding."""
    for bom, encoding in ((codecs.BOM_UTF8, "utf_8_sig"), (codecs.BOM_UTF16_LE, "utf_16"),
                          (codecs.BOM_UTF16_BE, "utf_16")):
        if data.startswith(bom):
            return _decode(data, encoding, final), encoding
    if b"\x00" not in data[:4096]:  # NUL bytes are valid UTF-8, but they say UTF-16 without a BOM
        try:
            return _decoded(data, "utf_8", final), "utf_8"
        except UnicodeDecodeError:
            pass
    best = from_bytes(data[:1 << 20], cp_isolation=ENCODINGS).best()
    for encoding in ([best.encoding] if best else []) + ["cp1252", "latin_1"]:
        try:
            return _decoded(data, encoding, final), encoding
        except UnicodeDecodeError:
            continue
    raise SheetError(_("Encodage des caractères non reconnu."))  # latin_1 decodes any bytes: never reached


def _decoded(data: bytes, encoding: str, final: bool) -> str:
    """The bytes in this encoding (UnicodeDecodeError otherwise); not final: an incomplete last character left."""
    return data.decode(encoding) if final else codecs.getincrementaldecoder(encoding)().decode(data)


def _decode(data: bytes, encoding: str, final: bool = True) -> str:
    """The bytes in this encoding, or SheetError."""
    try:
        return _decoded(data, encoding, final)
    except UnicodeDecodeError:
        raise SheetError(_("Le fichier annonce un encodage qu'il ne respecte pas : enregistrez-le en « CSV UTF-8 ».")) \
            from None


def sniff_separator(sample: str) -> str:
    """`;`, `,` or tab: what csv.Sniffer finds in the first lines, else the one the first line holds most of."""
    try:
        return csv.Sniffer().sniff(sample, delimiters=";,\t").delimiter
    except csv.Error:
        first = sample.split("\n", 1)[0]
        return max((";", ",", "\t"), key=first.count)


def _bounded(rows, max_rows: int):
    """The rows, stopping a little past the bound (header and title rows come on top of it)."""
    for count, row in enumerate(rows):
        if count > max_rows + HEADER_SEARCH:
            return
        yield row


def _read_workbook(filename: str, data: bytes, max_rows: int, max_memory: int) -> tuple[str, list, list]:
    """(sheet name, [(line, cells)], merged ranges) of the first sheet holding data, read in a child process whose
    memory is bounded: calamine holds a sheet as a dense grid of its cells' bounding box, so a 5 KB file naming
    cells A1 and BXX100000 asks for gigabytes (a "decompression bomb" the file size does not show)."""
    if data.startswith(_OLE_MAGIC) and _ENCRYPTED_OOXML in data:
        raise SheetError(_password_message(filename))
    outcome = run_bounded(_read_sheets, (data, max_rows), max_memory, WORKBOOK_SECONDS)
    if outcome[0] == "ok":
        return outcome[1], outcome[2], outcome[3]
    if outcome[0] == "password":
        raise SheetError(_password_message(filename))
    if outcome[0] == "empty":
        raise SheetError(_("%(name)s ne contient aucune donnée.", name=filename))
    if outcome in (TOO_BIG, TOO_LONG):
        raise SheetError(_("%(name)s est trop volumineux une fois ouvert (ses cellules occupent une trop grande "
                           "surface) : rien n'a été importé. Enregistrez la feuille seule, sans cellules éloignées.",
                           name=filename))
    raise SheetError(_("%(name)s n'a pas pu être lu : le fichier est abîmé ou n'est pas un classeur "
                       "Excel ou OpenDocument. Ouvrez-le et enregistrez-le à nouveau.", name=filename))


def _read_sheets(data: bytes, max_rows: int) -> tuple:
    """("ok", sheet name, [(line, cells)], merged ranges) of the first sheet holding data, or (why not,)."""
    try:
        workbook = calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        for index, _name in enumerate(workbook.sheet_names):
            sheet = workbook.get_sheet_by_index(index)
            if sheet.height == 0:
                continue
            start = sheet.start[0] if sheet.start else 0
            grid = [(start + offset + 1, [_cell(c) for c in row])
                    for offset, row in enumerate(_bounded(sheet.iter_rows(), max_rows))]
            try:
                merged = [tuple(map(tuple, cells)) for cells in sheet.merged_cell_ranges or []]
            except Exception:  # noqa: BLE001 - not every format keeps them (.xls, .ods): the header is read without
                merged = []
            if any(any(row) for _line, row in grid):
                return "ok", sheet.name, grid, merged
    except calamine.PasswordError:
        return ("password",)
    except (calamine.CalamineError, calamine.ZipError, calamine.XmlError, calamine.WorksheetNotFound,
            ValueError, OSError, IndexError):
        return ("broken",)
    return ("empty",)


def _password_message(filename: str) -> str:
    """Why a password-protected workbook is refused."""
    return _("%(name)s est protégé par un mot de passe : enregistrez-le sans mot de passe, puis importez-le.",
             name=filename)


def _table(filename: str, grid: list[tuple[int, list]], merged: list, max_rows: int) -> Sheet:
    """The header (the first of the first rows to name at least half as many columns as the fullest of them)
    and the non-empty rows after it, as text; SheetError past max_rows."""
    texts = [(line, [_cell(c) for c in row]) for line, row in grid]
    texts = [(line, row) for line, row in texts if any(row)]
    if not texts:
        raise SheetError(_("%(name)s ne contient aucune donnée.", name=filename))
    head = texts[:HEADER_SEARCH]
    fullest = max(sum(1 for c in row if c) for _line, row in head)
    at = next(i for i, (_line, row) in enumerate(head) if sum(1 for c in row if c) * 2 >= fullest)
    header_line, header = texts[at]
    data = texts[at + 1:]
    if not data:
        raise SheetError(_("%(name)s n'a aucune ligne sous ses en-têtes : rien à importer.", name=filename))
    if len(data) > max_rows:
        raise SheetError(_("%(name)s compte plus de %(max)s lignes : rien n'a été importé. Découpez le fichier.",
                           name=filename, max=f"{max_rows:,}".replace(",", "\u202f")))
    width = max(_filled_width(row) for _line, row in [texts[at], *data])  # trailing empty columns dropped
    if width > MAX_COLUMNS:
        raise SheetError(_("%(name)s compte plus de %(max)d colonnes : rien n'a été importé.", name=filename,
                           max=MAX_COLUMNS))
    headers = _headers(_merged_header(header, header_line, merged)[:width], width)
    rows = []
    for _line, row in data:
        row = row[:width] + [""] * (width - len(row))
        rows.append(row)
    return Sheet(filename, headers, rows, [line for line, _row in data])


def _filled_width(row: list[str]) -> int:
    """The row's length up to its last non-empty cell."""
    for index in range(len(row) - 1, -1, -1):
        if row[index]:
            return index + 1
    return 0


def _merged_header(header: list[str], line: int, merged: list) -> list[str]:
    """The header with a merged cell's text repeated over every column it covers."""
    header = list(header)
    for cells in merged:
        (top, left), (bottom, right) = cells
        if top <= line - 1 <= bottom and left < len(header):
            for column in range(left + 1, right + 1):
                if column < len(header) and not header[column]:
                    header[column] = header[left]
                elif column >= len(header):
                    header.append(header[left])
    return header


def _headers(header: list[str], width: int) -> list[str]:
    """One distinct name per column: an empty one is named by its letter, a repeated one numbered."""
    names, seen = [], {}
    for index in range(width):
        name = header[index] if index < len(header) else ""
        name = " ".join(name.split())[:100] or _("Colonne %(letter)s", letter=column_letter(index))
        seen[name] = seen.get(name, 0) + 1
        names.append(name if seen[name] == 1 else f"{name} ({seen[name]})")
    return names


def column_letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA: the column as the spreadsheet names it."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _cell(value) -> str:
    """A cell as text: a whole number without ".0" (phones and postcodes typed as numbers), a date as ISO."""
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (time, timedelta)):
        return str(value)
    return _CONTROL.sub("", str(value)).strip()


def _size(n: int) -> str:
    """A size in megabytes, as the messages write it."""
    return f"{n / (1024 * 1024):g} Mo"
