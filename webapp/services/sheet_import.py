"""The spreadsheet import up to the shared preview: the table read from the file kept in an import batch, the
mapping screen's columns (guessed, or the mapping the user saved for these headers), and the rows mapped into
the batch's card plans, after which the vCard import's preview and commit take over."""
import hashlib
import json
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import select

from ..extensions import db
from ..models import ImportBatch, ImportMapping, User
from ..models.types import utcnow
from .sheet_mapping import SAMPLE, TARGETS, clean_mapping, guess_mapping, header_key, mapping_problem, sheet_plans
from .sheet_read import Sheet, column_letter
from .vcard_batch import batch_sheet, replace_plans, store_batch


@dataclass
class Column:
    """One source column on the mapping screen."""

    index: int
    header: str
    samples: list[str]
    target: str

    @property
    def letter(self) -> str:
        """The column's letter, as the spreadsheet shows it."""
        return column_letter(self.index)


@dataclass
class MappingScreen:
    """The mapping screen: the file, its columns with their targets, and what to tell the user."""

    token: str
    name: str
    rows: int
    columns: list[Column]
    sheet_name: str | None = None
    encoding: str | None = None
    separator: str | None = None
    saved: bool = False  # the targets come from a mapping the user saved

    @property
    def encoding_label(self) -> str | None:
        """A CSV's encoding as people know it ("UTF-8", "Windows-1252")."""
        return ENCODING_LABELS.get(self.encoding or "", self.encoding)

    @property
    def separator_label(self) -> str | None:
        """A CSV's separator, shown ("tabulation" for a tab)."""
        return SEPARATOR_LABELS[self.separator]() if self.separator in SEPARATOR_LABELS else self.separator
    message: str | None = None
    targets: dict = field(default_factory=lambda: TARGETS)


ENCODING_LABELS = {"utf_8": "UTF-8", "utf_8_sig": "UTF-8", "utf_16": "UTF-16", "utf_16_le": "UTF-16",
                   "utf_16_be": "UTF-16", "cp1252": "Windows-1252", "latin_1": "Latin-1"}
SEPARATOR_LABELS = {"\t": lambda: _("tabulation")}


class MappingInvalid(Exception):
    """The mapping cannot import anyone; the screen carries the message. Nothing was changed."""

    def __init__(self, screen: MappingScreen):
        super().__init__(screen.message)
        self.screen = screen


def start_sheet_import(user: User, sheet: Sheet) -> ImportBatch:
    """Keep the file's table until its mapping is chosen (no rows planned yet)."""
    return store_batch(user, [{"name": sheet.name, "cards": len(sheet.rows), "errors": 0, "kind": "sheet"}], [],
                       sheet=_as_dict(sheet))


def is_waiting_for_mapping(batch: ImportBatch) -> bool:
    """A spreadsheet upload whose mapping has not been chosen yet (the preview has nothing to show): a file
    without data rows is refused at the upload, so a mapped one has cards."""
    return batch.sheet is not None and batch.card_count == 0


def mapping_screen(batch: ImportBatch, user: User, posted: list[str] | None = None) -> MappingScreen | None:
    """The columns with their first values and targets: as posted, else as last chosen for this batch, else the
    user's saved mapping for these headers, else guessed. None for a vCard batch."""
    content = batch_sheet(batch)
    if content is None:
        return None
    sheet = _sheet(content)
    saved = None if posted is not None or content.get("targets") else saved_targets(user, sheet.headers)
    targets = (clean_mapping(posted, len(sheet.headers)) if posted is not None else
               content.get("targets") or saved or guess_mapping(sheet))
    columns = [Column(i, header, sheet.column(i, SAMPLE), targets[i]) for i, header in enumerate(sheet.headers)]
    return MappingScreen(batch.token, sheet.name, len(sheet.rows), columns, sheet.sheet_name, sheet.encoding,
                         sheet.separator, saved=saved is not None)


def apply_mapping(batch: ImportBatch, user: User, posted: list[str], save: bool) -> bool:
    """Map every row with the chosen targets into the batch's card plans (and save the mapping for these headers
    when asked); MappingInvalid when no column gives a name; False for a vCard batch (nothing to map)."""
    content = batch_sheet(batch)
    if content is None:
        return False
    sheet = _sheet(content)
    targets = clean_mapping(posted, len(sheet.headers))
    if problem := mapping_problem(targets):
        screen = mapping_screen(batch, user, posted)
        screen.message = problem
        raise MappingInvalid(screen)
    files, plans = sheet_plans(sheet, targets)
    replace_plans(batch, files, plans, {**content, "targets": targets})
    if save:
        save_targets(user, sheet.headers, targets)
    return True


def headers_digest(headers: list[str]) -> str:
    """The key of a set of headers: the same columns, in the same order, case and accents aside."""
    return hashlib.sha256("\x1f".join(header_key(h) for h in headers).encode("utf-8")).hexdigest()


def saved_targets(user: User, headers: list[str]) -> list[str] | None:
    """The mapping the user saved for files with these headers, if any (and still of the right width)."""
    stored = db.session.scalar(select(ImportMapping.targets).where(
        ImportMapping.user_id == user.id, ImportMapping.headers_key == headers_digest(headers)))
    if stored is None:
        return None
    targets = json.loads(stored)
    return clean_mapping(targets, len(headers)) if len(targets) == len(headers) else None


def save_targets(user: User, headers: list[str], targets: list[str]) -> None:
    """Remember this mapping for the user's next file with the same headers (replacing the one saved before)."""
    key = headers_digest(headers)
    mapping = db.session.scalar(select(ImportMapping).where(ImportMapping.user_id == user.id,
                                                            ImportMapping.headers_key == key))
    if mapping is None:
        mapping = ImportMapping(user_id=user.id, headers_key=key)
        db.session.add(mapping)
    mapping.targets = json.dumps(targets)
    mapping.updated_at = utcnow()
    db.session.flush()


def _as_dict(sheet: Sheet) -> dict:
    """The table as the batch keeps it (JSON)."""
    return {"name": sheet.name, "headers": sheet.headers, "rows": sheet.rows, "lines": sheet.lines,
            "encoding": sheet.encoding, "separator": sheet.separator, "sheet_name": sheet.sheet_name}


def _sheet(content: dict) -> Sheet:
    """The table kept in a batch."""
    return Sheet(content["name"], content["headers"], content["rows"], content["lines"], content["encoding"],
                 content["separator"], content["sheet_name"])
