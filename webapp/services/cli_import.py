"""`crm import-csv` for any file but the fixed format: a spreadsheet (.csv, .xlsx, .xls, .ods) or vCards (.vcf)
imported in a named user's name through the web import's own services: read_sheet and its bounds, the user's saved
mapping for these headers (else guess_mapping), the import batch, the shared preview and the all-or-nothing commit.
The rights and the entity scope are the user's, as on the web. Nothing is committed here: the command does, or
rolls back (a dry run, a refusal)."""
from dataclasses import dataclass, field
from pathlib import Path

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import func, select

from ..extensions import db
from ..models import ImportBatch, User
from ..rights import CONTACTS_IMPORT, RIGHTS
from .sheet_import import (ENCODING_LABELS, SEPARATOR_LABELS, MappingInvalid, apply_mapping, saved_targets,
                           start_sheet_import)
from .sheet_mapping import EXTRA, IGNORE, TARGETS, guess_mapping, header_key
from .sheet_read import SheetError, Sheet, column_letter, read_sheet
from .import_choices import ImportChoices
from .vcard_batch import store_batch
from .vcard_commit import BatchGone, ImportInvalid, ImportReport, commit_import
from .vcard_mapping import UploadError, read_upload
from .vcard_preview import build_preview

DUPLICATE_CHOICES = ("skip", "update", "create")
MAX_LISTED_ERRORS = 50


@dataclass
class Bounds:
    """The web import's bounds (SHEET_MAX_MB, SHEET_MAX_ROWS, SHEET_MAX_MEMORY_MB, VCF_MAX_MB, VCF_MAX_CARDS, the
    photo's), in bytes and counts."""

    sheet_bytes: int
    sheet_rows: int
    sheet_memory: int
    vcf_bytes: int
    vcf_cards: int
    photo_bytes: int
    photo_pixels: int


class CliImportRefused(Exception):
    """The file is not imported at all; `message` says why, in the user's words. Nothing is written."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass
class CliImport:
    """What the command prints: how the file was read and mapped, the preview's counts, the errors with their
    line (or card) number, and the commit's report (None for a dry run)."""

    name: str
    read_as: str = ""
    columns: list[tuple[str, str]] = field(default_factory=list)  # (header, the field it goes to)
    mapping_from: str = ""
    preview: str = ""
    planned: str = ""
    notices: list[str] = field(default_factory=list)
    errors: list[tuple[str, str]] = field(default_factory=list)  # ("ligne 5", why): the first MAX_LISTED_ERRORS
    error_count: int = 0
    report: ImportReport | None = None


def acting_user(email: str) -> User:
    """The active user with this login e-mail, holding the import right; CliImportRefused otherwise."""
    user = db.session.scalars(select(User).where(func.lower(User.email) == email.strip().lower())).first()
    if user is None or not user.active:
        raise CliImportRefused(_("Aucun utilisateur actif n'a l'e-mail %(email)s : rien n'a été importé.",
                                 email=email))
    if not user.can(CONTACTS_IMPORT):
        raise CliImportRefused(_("%(user)s n'a pas le droit « %(right)s » : rien n'a été importé.",
                                 user=email, right=RIGHTS[CONTACTS_IMPORT]))
    return user


def import_file(path: Path, user: User, bounds: Bounds, duplicates: str = "skip", dry_run: bool = False,
                mapping: str | None = None) -> CliImport:
    """Read the file as the web import does (bounds included), map it, preview it and, unless a dry run, write it
    all or nothing; CliImportRefused when the file or the mapping cannot import anything."""
    path = Path(path)
    outcome = CliImport(path.name)
    if path.suffix.lower() == ".vcf":
        try:
            summary, plans = read_upload([(path.name, _read(path, bounds.vcf_bytes))], bounds.vcf_bytes,
                                         bounds.vcf_cards, bounds.photo_bytes, bounds.photo_pixels)
        except UploadError as error:
            raise CliImportRefused(error.message) from None
        batch = store_batch(user, summary, plans)
    else:
        try:
            sheet = read_sheet(path.name, _read(path, bounds.sheet_bytes), bounds.sheet_bytes, bounds.sheet_rows,
                               bounds.sheet_memory)
        except SheetError as error:
            raise CliImportRefused(error.message) from None
        batch = _mapped_batch(sheet, user, mapping, outcome)
    _preview_and_commit(batch, user, duplicates, dry_run, outcome)
    return outcome


def csv_reading(encoding: str, separator: str) -> str:
    """How a CSV was read, as people name it: "Lu en Windows-1252, séparateur « ; »"."""
    return _("Lu en %(encoding)s, séparateur « %(separator)s »", encoding=ENCODING_LABELS.get(encoding, encoding),
             separator=SEPARATOR_LABELS[separator]() if separator in SEPARATOR_LABELS else separator)


def _read(path: Path, limit: int) -> bytes:
    """The file's bytes, one past the bound at most (the reader refuses a file past it without reading it all)."""
    with open(path, "rb") as file:
        return file.read(limit + 1)


def _mapped_batch(sheet: Sheet, user: User, mapping: str | None, outcome: CliImport) -> ImportBatch:
    """The table kept in an import batch and mapped: the user's saved mapping for these headers, else the guess,
    with the --mapping pairs on top."""
    if sheet.encoding:
        outcome.read_as = csv_reading(sheet.encoding, sheet.separator)
    elif sheet.sheet_name:
        outcome.read_as = _("Feuille « %(name)s »", name=sheet.sheet_name)
    saved = saved_targets(user, sheet.headers)
    targets = saved or guess_mapping(sheet)
    outcome.mapping_from = (_("correspondance enregistrée par l'utilisateur pour ces colonnes") if saved
                            else _("correspondance devinée d'après les en-têtes et les valeurs"))
    if mapping:
        targets = _apply_pairs(sheet.headers, targets, mapping)
        outcome.mapping_from += " " + _("et --mapping")
    outcome.columns = [(header, str(TARGETS[target])) for header, target in zip(sheet.headers, targets)]
    batch = start_sheet_import(user, sheet)
    try:
        apply_mapping(batch, user, targets, save=False)
    except MappingInvalid as error:
        raise CliImportRefused(error.screen.message) from None
    return batch


def _apply_pairs(headers: list[str], targets: list[str], pairs: str) -> list[str]:
    """The mapping with `--mapping "Colonne=champ,..."` applied: a column by its header or its letter, a field by
    its key (last_name, email, extra, ignore...) or its French label."""
    targets = list(targets)
    fields = {key: key for key in TARGETS} | {header_key(str(label)): key for key, label in TARGETS.items()}
    fields |= {"ignore": IGNORE, "ignorer": IGNORE, EXTRA: EXTRA}
    for pair in filter(None, (part.strip() for part in pairs.split(","))):
        column, _sep, target = pair.rpartition("=")
        index = next((i for i, header in enumerate(headers) if header_key(header) == header_key(column)), None)
        if index is None:
            index = next((i for i in range(len(headers)) if column_letter(i) == column.strip().upper()), None)
        if index is None:
            raise CliImportRefused(_("--mapping : aucune colonne « %(column)s » (colonnes : %(headers)s).",
                                     column=column.strip(), headers=", ".join(headers)))
        key = fields.get(target.strip()) if target.strip() in fields else fields.get(header_key(target))
        if key is None:
            raise CliImportRefused(_("--mapping : champ « %(field)s » inconnu (champs : %(fields)s).",
                                     field=target.strip(), fields=", ".join(k or "ignore" for k in TARGETS)))
        targets[index] = key
    return targets


def _preview_and_commit(batch: ImportBatch, user: User, duplicates: str, dry_run: bool, outcome: CliImport) -> None:
    """The shared preview, with the command's choices made for the user: new rows created, possible duplicates as
    --duplicates says (where the preview offers it, else skipped), each company to the account the preview offers
    first (the visible one of that name, else a new one when the user may create accounts); a row whose account
    cannot be found nor created is an error. Then the commit, unless a dry run. The one place this module calls
    the preview and the commit."""
    preview = build_preview(batch, user)
    unit = _("ligne %(number)d") if preview.from_sheet else _("fiche %(number)d")
    errors = [(row.card.number, row.card.error) for row in preview.rows if row.status == "error"]
    chosen = ImportChoices(accounts={g.key: g.value for g in preview.groups if g.value})
    no_account = {g.index: (_("Aucun compte « %(name)s » ne vous est accessible et vous n'avez pas le droit de "
                              "créer des comptes : non importée.", name=g.org) if g.key else
                            _("Sans société, le compte où créer ce contact n'est pas connu : non importée."))
                  for g in preview.groups if not g.value}
    planned = {"create": 0, "update": 0, "skip": 0}
    not_updatable, creating_in = 0, set()
    for row in preview.rows:
        if row.status == "error":
            continue
        choice = "create" if row.status == "new" else duplicates
        if choice not in dict(row.choices):
            choice, not_updatable = "skip", not_updatable + 1
        if choice == "create" and row.group in no_account:
            chosen.cards[row.card.index] = "skip"
            errors.append((row.card.number, no_account[row.group]))
            continue
        if choice == "update":
            chosen.contacts[row.card.index] = row.contact
        elif choice == "create":
            creating_in.add(row.group)
        chosen.cards[row.card.index] = choice
        planned[choice] += 1
    outcome.preview = preview.summary()
    new_accounts = sum(1 for g in preview.groups if g.value == "new" and g.index in creating_in)
    outcome.planned = _("À créer : %(create)d, à mettre à jour : %(update)d, à ignorer : %(skip)d, en erreur : "
                        "%(errors)d, comptes à créer : %(accounts)d", accounts=new_accounts, errors=len(errors),
                        **planned)
    if not_updatable:
        outcome.notices.append(ngettext(
            "%(count)d doublon possible ne peut être mis à jour (contact hors de vos entités, ligne répétée du "
            "fichier, ou droit de modifier les contacts manquant) : ignoré.",
            "%(count)d doublons possibles ne peuvent être mis à jour (contact hors de vos entités, ligne répétée du "
            "fichier, ou droit de modifier les contacts manquant) : ignorés.", not_updatable, count=not_updatable))
    errors.sort()
    outcome.error_count = len(errors)
    outcome.errors = [(unit % {"number": number}, reason) for number, reason in errors[:MAX_LISTED_ERRORS]]
    if dry_run:
        return
    try:
        report = commit_import(batch, user, chosen)
    except ImportInvalid as error:
        problems = [error.preview.message or ""] + [row.error for row in error.preview.rows if row.error] + [
            group.error for group in error.preview.groups if group.error]
        raise CliImportRefused(" ".join(dict.fromkeys(p for p in problems if p))) from None
    except BatchGone:
        raise CliImportRefused(_("Cet import a déjà été fait ou annulé.")) from None
    unplaced = len(errors) - sum(1 for row in preview.rows if row.status == "error")
    report.skipped -= unplaced  # the report counts them with the errors, as the listing does
    report.errors += unplaced
    outcome.report = report
