"""The contacts list exported to a spreadsheet: CSV (as French Excel opens it, or with commas) or Excel .xlsx.

What is exported is what the list shows: ContactQuery.export_statement (the list's filters, search, scope and
order, or a selection), with the columns the user shows or every field. Rows are read BATCH at a time (`yield_per`:
a server-side cursor on PostgreSQL, SQLite's cursor steps through the rows), each batch's links, extra values,
skills, subscriptions and entities in five more queries; nothing holds more than a batch. The CSV is produced as it
is read (a streamed response); the .xlsx is written by XlsxWriter in constant_memory mode (one row in memory, the
sheet's data in its temporary file) into a file the route then sends.

Formula injection (OWASP "CSV injection", ASVS 1.2.10): a text cell starting with =, +, -, @, tab or carriage
return would be run as a formula by a spreadsheet. In CSV it is written with a leading apostrophe ("'=1+1"); in
.xlsx every text is written as a string cell (write_string), never as a formula, so it keeps its value.
"""
import csv
import io
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import IO, Any
from zoneinfo import ZoneInfo

import xlsxwriter
from flask_babel import gettext, ngettext
from sqlalchemy import Select, select

from ..countries import country_name
from ..extensions import db
from ..field_labels import field_label
from ..models import (AuditEntry, Contact, ContactExtra, ContactLink, Department, Entity, MailingList,
                      MailingListSubscription, Skill, client_entities, contact_skills)
from ..phones import display as phone_display
from ..queries import COLUMNS, visible_columns

BATCH = 1000
CSV_FLUSH_ROWS = 500  # rows per chunk of the streamed CSV
FORMATS = ("csv", "csv-comma", "xlsx")
DELIMITERS = {"csv": ";", "csv-comma": ","}
COLUMN_CHOICES = ("visible", "all")
XLSX_MAX_ROWS = 1_048_575  # Excel's 1,048,576 rows, less the header
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
FORMULA_START_CHARACTERS = frozenset(FORMULA_STARTS)
MIN_WIDTH, MAX_WIDTH = 8, 60
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def deals_text(opportunities: int, proposals: int, deals: int) -> str:
    """The list's Affaires cell: "0 opportunité 0 proposition 6 affaires" (French plural: 0 and 1 are singular)."""
    return " ".join((
        ngettext("%(num)d opportunité", "%(num)d opportunités", opportunities),
        ngettext("%(num)d proposition", "%(num)d propositions", proposals),
        ngettext("%(num)d affaire", "%(num)d affaires", deals),
    ))


def neutralised(text: str) -> str:
    """A CSV cell that a spreadsheet will not run as a formula: a leading =, +, -, @, tab or CR gets a "'"."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


@dataclass
class Related:
    """One contact's values that live in other tables (read a batch at a time)."""

    links: list[str] = field(default_factory=list)
    extras: list[str] = field(default_factory=list)
    skills: list[str] = field(default_factory=list)
    subscriptions: list[str] = field(default_factory=list)
    entities: list[str] = field(default_factory=list)


NOTHING = Related()


@dataclass(frozen=True)
class ExportField:
    """One column of the export: its header, the kind of its cells (text, phone, date, datetime) and its value
    (a function of the row and its related values, or a column of the row read as it is)."""

    key: str
    label: str
    value: Callable[[Any, Related], Any] | None  # None: the row's `column` as it is, "" for NULL
    kind: str = "text"
    column: str | None = None


def _person(last: str | None, first: str | None) -> str:
    return f"{last.upper()} {first}" if last else ""


def _list_fields() -> dict[str, ExportField]:
    """The list's columns, each cell as the list shows it (partials/contacts/_cells.html)."""
    deals_cache: dict[tuple, str] = {}

    def deals(row, _related):
        key = (row.opportunities, row.proposals, row.deals)
        if key not in deals_cache:
            deals_cache[key] = deals_text(*key)
        return deals_cache[key]

    values = {
        "company": None,
        "client_owner": lambda row, _r: _person(row.client_owner_last, row.client_owner_first),
        "last_name": lambda row, _r: row.last_name.upper(),
        "first_name": None,
        "function": None,
        "phone": lambda row, _r: phone_display(row.phone, row.phone_e164),
        "mobile": lambda row, _r: phone_display(row.mobile, row.mobile_e164),
        "fax": lambda row, _r: phone_display(row.fax, row.fax_e164),
        "owner": lambda row, _r: _person(row.owner_last, row.owner_first),
        "deals": deals,
    }
    kinds = {"phone": "phone", "mobile": "phone", "fax": "phone"}
    return {column.key: ExportField(column.key, str(column.label), values[column.key], kinds.get(column.key, "text"),
                                    column=column.key if values[column.key] is None else None)
            for column in COLUMNS}


# The columns of "every field" beyond the list's, read with the list's: (key, column).
EXTRA_COLUMNS = (
    ("gender", Contact.gender), ("department", Department.label.label("department")),
    ("vcard_role", Contact.vcard_role), ("email", Contact.email), ("is_dpo", Contact.is_dpo),
    ("is_rssi", Contact.is_rssi), ("left_company", Contact.left_company), ("street", Contact.street),
    ("street2", Contact.street2), ("postal_code", Contact.postal_code), ("city", Contact.city),
    ("country", Contact.country), ("birthday", Contact.birthday), ("categories", Contact.categories),
    ("notes", Contact.notes), ("created_at", Contact.created_at), ("updated_at", Contact.updated_at),
)


def _all_fields(tz: ZoneInfo) -> list[ExportField]:
    """Every field of a contact after the list's columns: addresses, links, extra values, skills, subscriptions,
    entities, dates. Words are translated once per export."""
    yes, no = gettext("Oui"), gettext("Non")
    genders = {"M": gettext("Homme"), "F": gettext("Femme")}
    countries: dict[str, str] = {}

    def country(row, _r):
        if row.country and row.country not in countries:
            countries[row.country] = country_name(row.country)
        return countries[row.country] if row.country else ""

    def local(moment: datetime | None) -> datetime | None:
        """The time in the CRM's time zone, without it (a spreadsheet has none); stored times are UTC (aware)."""
        return moment.astimezone(tz).replace(tzinfo=None) if moment else None

    def flag(name):
        return lambda row, _r: yes if getattr(row, name) else no

    return [
        ExportField("gender", field_label("gender"), lambda row, _r: genders.get(row.gender or "", "")),
        ExportField("department", field_label("department_id"), None, column="department"),
        ExportField("vcard_role", field_label("vcard_role"), None, column="vcard_role"),
        ExportField("email", field_label("email"), None, column="email"),
        ExportField("is_dpo", field_label("is_dpo"), flag("is_dpo")),
        ExportField("is_rssi", field_label("is_rssi"), flag("is_rssi")),
        ExportField("left_company", field_label("left_company"), flag("left_company")),
        ExportField("street", field_label("street"), None, column="street"),
        ExportField("street2", field_label("street2"), None, column="street2"),
        ExportField("postal_code", field_label("postal_code"), None, column="postal_code"),
        ExportField("city", field_label("city"), None, column="city"),
        ExportField("country", field_label("country"), country),
        ExportField("links", field_label("links"), lambda _row, related: " | ".join(related.links)),
        ExportField("extras", field_label("extras"), lambda _row, related: " | ".join(related.extras)),
        ExportField("skills", field_label("skills"), lambda _row, related: ", ".join(related.skills)),
        ExportField("mailing_lists", field_label("mailing_lists"),
                    lambda _row, related: ", ".join(related.subscriptions)),
        ExportField("entities", gettext("Entités"), lambda _row, related: ", ".join(related.entities)),
        ExportField("birthday", field_label("birthday"), lambda row, _r: row.birthday, "date"),
        ExportField("categories", field_label("categories"), None, column="categories"),
        ExportField("notes", field_label("notes"), None, column="notes"),
        ExportField("created_at", gettext("Créé le"), lambda row, _r: local(row.created_at), "datetime"),
        ExportField("updated_at", gettext("Modifié le"), lambda row, _r: local(row.updated_at), "datetime"),
    ]


@dataclass
class ExportPlan:
    """What one export writes: its fields in order, and whether they need the related tables."""

    fields: list[ExportField]
    every_field: bool

    @property
    def headers(self) -> list[str]:
        return [item.label for item in self.fields]

    @property
    def extra_columns(self) -> tuple:
        return tuple(column for _key, column in EXTRA_COLUMNS) if self.every_field else ()


def plan(columns: str, hidden: list[str] | tuple[str, ...], tz: ZoneInfo) -> ExportPlan:
    """The fields of an export: the list's columns the user shows ("visible"), or every column and field ("all")."""
    list_fields = _list_fields()
    if columns == "all":
        return ExportPlan([*list_fields.values(), *_all_fields(tz)], True)
    return ExportPlan([list_fields[column.key] for column in visible_columns(COLUMNS, hidden)], False)


def _related(rows: list) -> dict[int, Related]:
    """The batch's links, extra values, skills, subscriptions and entities, in five queries."""
    ids = [row.id for row in rows]
    related = {contact_id: Related() for contact_id in ids}
    link = ContactLink.__table__.c
    for contact_id, url in db.session.execute(select(link.contact_id, link.url).where(link.contact_id.in_(ids))
                                              .order_by(link.contact_id, link.position, link.id)):
        related[contact_id].links.append(url)
    extra = ContactExtra.__table__.c
    for contact_id, kind, label, value in db.session.execute(
            select(extra.contact_id, extra.kind, extra.label, extra.value).where(extra.contact_id.in_(ids))
            .order_by(extra.contact_id, extra.position, extra.id)):
        related[contact_id].extras.append(f"{label or kind}: {value}")
    for contact_id, label in db.session.execute(
            select(contact_skills.c.contact_id, Skill.label).join(Skill, Skill.id == contact_skills.c.skill_id)
            .where(contact_skills.c.contact_id.in_(ids)).order_by(contact_skills.c.contact_id, Skill.label)):
        related[contact_id].skills.append(label)
    subscription = MailingListSubscription
    words = {"subscribed": gettext("abonné"), "unsubscribed": gettext("désabonné")}
    for contact_id, provider, label, status, since in db.session.execute(
            select(subscription.contact_id, MailingList.provider, MailingList.label, subscription.status,
                   subscription.since).join(MailingList, MailingList.id == subscription.mailing_list_id)
            .where(subscription.contact_id.in_(ids))
            .order_by(subscription.contact_id, MailingList.position, MailingList.label)):
        name = provider + " - " + label
        related[contact_id].subscriptions.append(gettext(
            "%(list)s (%(state)s depuis le %(since)s)", list=name, state=words.get(status, status),
            since=_french_date(since)))
    by_client: dict[int, list[int]] = {}
    for row in rows:
        by_client.setdefault(row.client_id, []).append(row.id)
    for client_id, label in db.session.execute(
            select(client_entities.c.client_id, Entity.label).join(Entity, Entity.id == client_entities.c.entity_id)
            .where(client_entities.c.client_id.in_(list(by_client)))
            .order_by(client_entities.c.client_id, Entity.position, Entity.label)):
        for contact_id in by_client[client_id]:
            related[contact_id].entities.append(label)
    return related


def rows(statement: Select, export: ExportPlan, batch_size: int = BATCH) -> Iterator[list]:
    """The export's rows, each a list of typed values (str, date, datetime or None), read a batch at a time."""
    result = db.session.execute(statement.execution_options(yield_per=batch_size))
    positions = {name: index for index, name in enumerate(result.keys())}
    # A plain column is read by its position, without a call: this is the loop that runs for every cell.
    getters = [(positions[item.column], None) if item.value is None else (0, item.value) for item in export.fields]
    try:
        for batch in result.partitions():
            related = _related(batch) if export.every_field else {}
            for row in batch:
                found = related.get(row.id, NOTHING)
                yield [(row[index] or "") if value is None else value(row, found) for index, value in getters]
    finally:
        result.close()


# Dates written by hand: strftime took a tenth of a large export's time.
def _french_date(day: date) -> str:
    return f"{day.day:02d}/{day.month:02d}/{day.year:04d}"


def _french_time(moment: datetime) -> str:
    return f"{moment.day:02d}/{moment.month:02d}/{moment.year:04d} {moment.hour:02d}:{moment.minute:02d}"


def _iso_date(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}-{day.day:02d}"


def _iso_time(moment: datetime) -> str:
    return f"{moment.year:04d}-{moment.month:02d}-{moment.day:02d} {moment.hour:02d}:{moment.minute:02d}"


def iter_csv(export: ExportPlan, values: Iterable[list], delimiter: str = ";") -> Iterator[bytes]:
    """The CSV, a chunk at a time: UTF-8 with a BOM, CRLF line ends, quoted as RFC 4180 says (a field holding the
    separator, a quote or a line break is quoted, quotes doubled); dates as French Excel reads them with ";",
    ISO 8601 with ","."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, quotechar='"', doublequote=True, lineterminator="\r\n",
                        quoting=csv.QUOTE_MINIMAL)
    writer.writerow([neutralised(header) for header in export.headers])
    yield ("\ufeff" + buffer.getvalue()).encode("utf-8")
    buffer.seek(0)
    buffer.truncate()
    french = delimiter == ";"
    formats = {"date": _french_date if french else _iso_date, "datetime": _french_time if french else _iso_time}
    dated = [(index, formats[item.kind]) for index, item in enumerate(export.fields) if item.kind in formats]
    starts = FORMULA_START_CHARACTERS
    pending = 0
    for row in values:
        for index, written in dated:
            row[index] = written(row[index]) if row[index] else ""
        # Every other value is a text (never None): neutralised inline, the hot loop of a large export.
        writer.writerow([f"'{value}" if value and value[0] in starts else value for value in row])
        pending += 1
        if pending == CSV_FLUSH_ROWS:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
            pending = 0
    if pending:
        yield buffer.getvalue().encode("utf-8")


def write_xlsx(export: ExportPlan, values: Iterable[list], out: IO[bytes], sheet_name: str = "Contacts") -> int:
    """Write the .xlsx into `out` (constant memory: each row goes to disk once written) and return its rows.

    Texts are string cells (never formulas), phones too; dates and times are dates with a French format; the header
    row is bold, frozen and filtered; each column is as wide as its longest value (within 8 to 60 characters)."""
    workbook = xlsxwriter.Workbook(out, {"constant_memory": True, "strings_to_formulas": False,
                                         "strings_to_numbers": False, "strings_to_urls": False})
    sheet = workbook.add_worksheet(sheet_name)
    bold = workbook.add_format({"bold": True})
    formats = {"date": workbook.add_format({"num_format": "dd/mm/yyyy"}),
               "datetime": workbook.add_format({"num_format": "dd/mm/yyyy hh:mm"})}
    widths = [len(header) for header in export.headers]
    for column, header in enumerate(export.headers):
        sheet.write_string(0, column, header, bold)
    kinds = [item.kind for item in export.fields]
    count = 0
    for count, row in enumerate(values, start=1):
        for column, value in enumerate(row):
            if value is None or value == "":
                continue
            if isinstance(value, str):
                sheet.write_string(count, column, value)
                widths[column] = max(widths[column], len(value))
            elif kinds[column] in formats:
                sheet.write_datetime(count, column, value, formats[kinds[column]])
                widths[column] = max(widths[column], 16 if kinds[column] == "datetime" else 10)
            else:
                sheet.write_number(count, column, value)
    for column, width in enumerate(widths):
        sheet.set_column(column, column, min(max(width + 2, MIN_WIDTH), MAX_WIDTH))
    sheet.freeze_panes(1, 0)
    sheet.autofilter(0, 0, max(count, 1), len(export.fields) - 1)
    workbook.close()
    return count


def record_export(user_id: int, described_filter: str, count: int, file_format: str, columns: str) -> None:
    """The audit trail's line for an export: who, which filter (or selection), how many rows, which format."""
    db.session.add(AuditEntry(user_id=user_id, via="export", action="export", record_type="contact_list",
                              record_id=0,  # the list is no record: the row says what it held in new_value
                              field=file_format, new_value=json.dumps(
                                  {"format": file_format, "columns": columns, "rows": count,
                                   "filter": described_filter}, ensure_ascii=False)))
