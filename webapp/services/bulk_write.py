"""Writing many rows at once (CSV import, demo data): Core inserts, derived contact columns, audit rows."""
import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from types import SimpleNamespace

from sqlalchemy import Table, insert

from ..extensions import db
from ..models import Contact
from .audit import bulk_rows


def insert_rows(table: Table, rows: Sequence[Mapping]) -> None:
    """Insert rows (every mapping with the same keys) in as few statements as the driver allows."""
    if rows:
        db.session.execute(insert(table), rows)


def insert_returning_ids(table: Table, rows: Sequence[Mapping]) -> list[int]:
    """Insert rows and return their new ids, in the order of `rows`."""
    if not rows:
        return []
    statement = insert(table).returning(table.c.id, sort_by_parameter_order=True)
    return list(db.session.execute(statement, rows).scalars())


def fill_contact_keys(values: dict, company_name: str) -> dict:
    """Compute the sort and search columns of a contact row with the model's own rule (Contact.refresh_keys)."""
    # refresh_keys only reads and writes attributes, so a namespace over the row's dict stands in for a Contact
    # and the dict receives the keys: the import and the forms can never disagree on them.
    row = SimpleNamespace(**values)
    Contact.refresh_keys(row, company_name=company_name)
    return vars(row)


def snapshot(values: Mapping) -> str:
    """The JSON kept in an audit "create" row: the non-empty values, booleans in words, lists joined."""
    shown = {}
    for key, value in values.items():
        if value in (None, "", [], False):
            continue
        if value is True:
            value = "oui"
        elif isinstance(value, (list, tuple)):
            value = ", ".join(str(item) for item in value)
        shown[key] = value if isinstance(value, str) else str(value)
    return json.dumps(shown, ensure_ascii=False)


def audit_created(record_type: str, created: Iterable[tuple[int, Mapping]], at: datetime, via: str = "cli") -> None:
    """One audit "create" row per (id, values) pair, in one INSERT."""
    bulk_rows({"at": at, "user_id": None, "via": via, "action": "create", "record_type": record_type,
               "record_id": record_id, "field": None, "old_value": None, "new_value": snapshot(values)}
              for record_id, values in created)
