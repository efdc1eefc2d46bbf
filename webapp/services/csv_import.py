"""Importing the contacts CSV (`crm import-csv`): clients, contacts, salespeople and reference values it names,
created when missing and left alone when present, in batches of bulk inserts (see bulk_write) so that
100,000 rows take seconds and a million rows stream through in bounded memory."""
import csv
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace

from sqlalchemy import func, select, text

from ..extensions import db
from ..models import (Client, Contact, ContactLink, Department, Entity, Origin, RevenueRange, Sector, SizeBand,
                      Skill, User, client_entities, contact_skills)
from ..models.contact_keys import derived_columns
from ..models.types import utcnow
from ..text import fold
from . import duplicates
from .bulk_write import audit_created, insert_returning_ids, insert_rows, large_sqlite_cache, snapshot
from .contacts import new_uid
from .csv_rows import RowError, column_positions, count_lines, detect_format, parse_row, records, split_person

BATCH_SIZE = 5000
MAX_LISTED_REJECTIONS = 200
# Unique among the contacts one batch creates (see _identity), so the ids RETURNING gives can be matched back.
CONTACT_KEY = ("email_key", "client_id", "last_name_key", "first_name_key")
# The CSV column naming each reference list.
REFERENCE_COLUMNS = {"entity": Entity, "sector": Sector, "size": SizeBand, "revenue_range": RevenueRange,
                     "origin": Origin, "service": Department}


@dataclass
class ImportReport:
    """What an import did: records created and already present by kind, rows skipped with their line number."""

    rows: int = 0
    created: Counter = field(default_factory=Counter)
    existing: Counter = field(default_factory=Counter)
    rejected: list[tuple[int, str]] = field(default_factory=list)
    rejected_count: int = 0

    def reject(self, line: int, reason: str) -> None:
        """Skip a row; the first ones are kept to be shown with their line number."""
        self.rejected_count += 1
        if len(self.rejected) < MAX_LISTED_REJECTIONS:
            self.rejected.append((line, reason))


class _Known:
    """Ids of what exists, by folded name: reference values and users loaded once, clients as rows name them."""

    def __init__(self, report: ImportReport):
        self.report = report
        self.references = {}
        self.positions = {}
        for model in (*REFERENCE_COLUMNS.values(), Skill):
            self.references[model] = {fold(label): id_ for id_, label in db.session.execute(
                select(model.id, model.label).order_by(model.id.desc()))}
            self.positions[model] = db.session.scalar(select(func.max(model.position))) or 0
        self.users = {}
        for id_, key in db.session.execute(select(User.id, User.name_key).order_by(User.id)):
            self.users.setdefault(key, id_)
        self.users_seen: set[str] = set()
        self.by_label = {model: {} for model in self.references}  # exact text first: folding every cell costs
        self.clients: dict[str, int] = {}  # only the file's companies, so memory follows the file, not the table
        self.folded: dict[str, str] = {}

    def key(self, name: str) -> str:
        """fold(name), remembered: company and salesperson names repeat on every row."""
        found = self.folded.get(name)
        if found is None:
            found = self.folded[name] = fold(name)
        return found

    def user_id(self, name: str) -> int | None:
        """The user named "NOM Prénom" in the file, None for an empty cell."""
        return self.users.get(self.key(name)) if name else None

    def reference_id(self, model, label: str) -> int | None:
        """The id of the value with this label (case and accents ignored), created at the end of its list."""
        if not label:
            return None
        found = self.by_label[model].get(label)
        if found is not None:
            return found
        key = fold(label)
        found = self.references[model].get(key)
        if found is None:
            self.positions[model] += 1
            item = model(label=label, position=self.positions[model])
            db.session.add(item)
            db.session.flush()
            found = self.references[model][key] = item.id
            self.report.created[model.__name__] += 1
        self.by_label[model][label] = found
        return found


class CsvImport:
    """One CSV file to import: checked on creation (encoding, separator, header), written by run()."""

    def __init__(self, path: Path, batch_size: int = BATCH_SIZE):
        self.path = Path(path)
        self.batch_size = batch_size
        self.encoding, self.separator = detect_format(self.path)
        with self._open() as file:  # the header first: another file is not read through before it is refused
            column_positions(next(csv.reader(file, delimiter=self.separator), None))
        self.lines, self.encoding = count_lines(self.path, self.encoding)

    def _open(self):
        """The file as text, in its encoding (a BOM is skipped)."""
        return open(self.path, encoding=self.encoding, newline="")

    def run(self, on_progress: Callable[[int], None] | None = None) -> ImportReport:
        """Import every row batch by batch; on_progress receives the lines read after each (the CLI commits there)."""
        report = ImportReport()
        known = _Known(report)
        with large_sqlite_cache():
            for number, (batch, lines) in enumerate(self._read_batches(report), start=1):
                _write_batch(batch, known, report)
                _analyze_while_growing(number)
                if on_progress:
                    on_progress(lines)
        return report

    def _read_batches(self, report: ImportReport) -> Iterator[tuple[list[dict], int]]:
        """The file's rows checked and prepared (all but database ids), batch by batch, with the lines each spans."""
        countries: dict[str, str | None] = {}
        with self._open() as file:
            reader = csv.reader(file, delimiter=self.separator)
            positions = column_positions(next(reader, None))
            done, batch = reader.line_num, []
            for line, fields, problem in records(reader):
                report.rows += 1
                try:
                    if problem:
                        raise RowError(problem)
                    batch.append(_prepare(parse_row(fields, positions, countries)))
                except RowError as error:
                    report.reject(line, str(error))
                if len(batch) >= self.batch_size:
                    yield batch, reader.line_num - done
                    batch, done = [], reader.line_num
            yield batch, reader.line_num - done


def _prepare(row: dict) -> dict:
    """Add what needs no database id: the contact's columns with E.164 phones and keys, its audit JSON."""
    country = row["country"] or None
    values = {
        "gender": row["gender"] or None, "last_name": row["last_name"], "first_name": row["first_name"],
        "function": row["function"] or None, "is_dpo": row["dpo"], "is_rssi": row["rssi"],
        "left_company": not row["active"], "email": row["email"] or None,
        "phone": row["phone"] or None, "mobile": row["mobile"] or None, "fax": row["fax"] or None,
        "street": row["street"] or None, "postal_code": row["postal_code"] or None, "city": row["city"] or None,
        "country": country, "version": 1,
    }
    row["values"] = {**values, **derived_columns(values, row["company"])}
    row["audit"] = snapshot(_contact_snapshot(values, row))
    return row


def _write_batch(batch: list[dict], known: _Known, report: ImportReport) -> None:
    """Create what a batch of rows names and does not exist yet."""
    if not batch:
        return
    at = utcnow()
    for row in batch:
        row["references"] = {column: known.reference_id(model, row[column])
                             for column, model in REFERENCE_COLUMNS.items()}
        row["skill_ids"] = [known.reference_id(Skill, label) for label in row["skills"]]
    _create_users(batch, known, report, at)
    _create_clients(batch, known, report, at)
    _create_contacts(batch, known, report, at)


def _create_users(batch, known: _Known, report: ImportReport, at) -> None:
    """Salespeople named "NOM Prénom" who are not users yet, created without a login."""
    new = {}
    for row in batch:
        for column in ("company_assigned_to", "assigned_to"):
            key = known.key(row[column])
            if not key or key in known.users_seen:
                continue
            known.users_seen.add(key)
            if key in known.users:
                report.existing["users"] += 1
            else:
                new[key] = row[column]
    rows = []
    for name in new.values():
        user = SimpleNamespace()
        User.set_names(user, *split_person(name))  # the model's rule for name_key, without an ORM object
        rows.append({"email": None, "password_hash": None, "last_name": user.last_name, "first_name": user.first_name,
                     "name_key": user.name_key, "active": True, "created_at": at})
    ids = insert_returning_ids(User.__table__, rows, ["name_key"])
    known.users.update(zip(new, ids))
    report.created["users"] += len(ids)
    audit_created("user", ((id_, {"last_name": row["last_name"], "first_name": row["first_name"]})
                           for id_, row in zip(ids, rows)), at, via="csv")


def _create_clients(batch, known: _Known, report: ImportReport, at) -> None:
    """The batch's companies that are not clients yet, created from the first row naming them."""
    first_rows = {}
    for row in batch:
        row["client_key"] = known.key(row["company"])
        if row["client_key"] not in known.clients:
            first_rows.setdefault(row["client_key"], row)
    if not first_rows:
        return
    for id_, key in db.session.execute(select(Client.id, Client.name_key).where(
            Client.name_key.in_(list(first_rows))).order_by(Client.id.desc())):
        known.clients[key] = id_  # the oldest of homonyms wins, as in the lists sorted by id
    report.existing["clients"] += sum(1 for key in first_rows if key in known.clients)
    new = [row for key, row in first_rows.items() if key not in known.clients]
    rows = []
    for row in new:
        account = SimpleNamespace()
        Client.set_name(account, row["company"])
        references = row["references"]
        rows.append({"name": account.name, "name_key": account.name_key, "archived": row["archived_company"],
                     "owner_id": known.user_id(row["company_assigned_to"]),
                     "sector_id": references["sector"], "size_band_id": references["size"],
                     "revenue_range_id": references["revenue_range"], "origin_id": references["origin"],
                     "created_at": at, "updated_at": at})
    ids = insert_returning_ids(Client.__table__, rows, ["name_key"])
    insert_rows(client_entities, [{"client_id": id_, "entity_id": row["references"]["entity"]}
                                  for id_, row in zip(ids, new) if row["references"]["entity"]])
    for id_, row in zip(ids, new):
        known.clients[row["client_key"]] = id_
    report.created["clients"] += len(ids)
    audit_created("client", ((id_, {
        "name": row["company"], "owner": row["company_assigned_to"], "entities": row["entity"],
        "sector": row["sector"], "size_band": row["size"], "revenue_range": row["revenue_range"],
        "origin": row["origin"], "archived": row["archived_company"],
    }) for id_, row in zip(ids, new)), at, via="csv")


def _contact_values(row: dict, known: _Known, at) -> dict:
    """The contact table's columns for a prepared row: its values and the ids only the database knows."""
    values = row["values"]
    values.update(client_id=known.clients[row["client_key"]], department_id=row["references"]["service"],
                  owner_id=known.user_id(row["assigned_to"]), created_at=at, updated_at=at)
    return values


def _already_present(candidates: list[tuple[dict, dict]]) -> set:
    """Identities (e-mail key, else client and names) of the candidates that are already contacts."""
    emails = {values["email_key"] for values, _row in candidates if values["email_key"]}
    present = set()
    if emails:
        present.update(db.session.scalars(select(Contact.email_key).where(Contact.email_key.in_(emails))))
    nameless = [values for values, _row in candidates if not values["email_key"]]
    if nameless:
        # Filtering on both indexed columns keeps this a short index lookup even on millions of contacts.
        found = db.session.execute(select(Contact.client_id, Contact.last_name_key, Contact.first_name_key).where(
            Contact.client_id.in_({v["client_id"] for v in nameless}),
            Contact.last_name_key.in_({v["last_name_key"] for v in nameless})))
        present.update(tuple(row) for row in found)
    return present


def _analyze_while_growing(batch_number: int) -> None:
    """PostgreSQL: statistics of the tables the import reads, after batches 1, 2, 4, 8...: a load into a new
    database would otherwise look keys up with the plans made for empty tables (prepared statements keep a
    generic plan: a scan of the whole table for each of a batch's look-ups) until autovacuum analyzes them, and
    it may be off; new statistics make the server plan those statements again."""
    if batch_number & (batch_number - 1) == 0 and db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("ANALYZE contact, duplicate_key, client"))


def _identity(values: dict):
    return values["email_key"] or (values["client_id"], values["last_name_key"], values["first_name_key"])


def _create_contacts(batch, known: _Known, report: ImportReport, at) -> None:
    """The batch's contacts that do not exist yet, with their skills, LinkedIn link and audit rows."""
    candidates = [(_contact_values(row, known, at), row) for row in batch]
    present = _already_present(candidates)
    new = []
    for values, row in candidates:
        identity = _identity(values)
        if identity in present:  # in the database, or earlier in this file
            report.existing["contacts"] += 1
            continue
        present.add(identity)
        values["vcard_uid"] = new_uid()  # as create_contact gives one: exports only read
        new.append((values, row))
    ids = insert_returning_ids(Contact.__table__, [values for values, _row in new], CONTACT_KEY)
    duplicates.add_keys([{**values, "id": id_} for id_, (values, _row) in zip(ids, new)])
    insert_rows(contact_skills, [{"contact_id": id_, "skill_id": skill_id}
                                 for id_, (_values, row) in zip(ids, new) for skill_id in row["skill_ids"]])
    insert_rows(ContactLink.__table__, [{"contact_id": id_, "kind": "linkedin", "url": row["linkedin"], "position": 0}
                                        for id_, (_values, row) in zip(ids, new) if row["linkedin"]])
    report.created["contacts"] += len(ids)
    audit_created("contact", ((id_, row["audit"]) for id_, (_values, row) in zip(ids, new)), at, via="csv")


def _contact_snapshot(values: dict, row: dict) -> dict:
    """What the audit trail keeps of a created contact: the values as the file gave them."""
    return {
        "client": row["company"], "gender": values["gender"], "last_name": values["last_name"],
        "first_name": values["first_name"], "department": row["service"], "function": values["function"],
        "email": values["email"], "phone": values["phone"], "mobile": values["mobile"], "fax": values["fax"],
        "street": values["street"], "postal_code": values["postal_code"], "city": values["city"],
        "country": values["country"], "owner": row["assigned_to"], "skills": row["skills"],
        "left_company": values["left_company"], "is_dpo": values["is_dpo"], "is_rssi": values["is_rssi"],
        "linkedin": row["linkedin"],
    }
