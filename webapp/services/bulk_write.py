"""Writing many rows at once (CSV import, demo data): Core inserts, derived contact columns, audit rows."""
import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from functools import lru_cache

from sqlalchemy import Table, insert, text

from ..extensions import db
from ..models import AUDIT_CHANNELS, AuditEntry
from ..text import digits, fold


def _uses_copy() -> bool:
    """Whether the session talks to PostgreSQL through psycopg 3, whose COPY support the bulk writes use."""
    return db.session.get_bind().dialect.driver == "psycopg"


def insert_rows(table: Table, rows: Sequence[Mapping]) -> None:
    """Insert rows (every mapping with the same keys) in as few statements as the driver allows."""
    if not rows:
        return
    if _uses_copy():
        _copy_rows(table, rows)
    else:
        db.session.execute(insert(table), rows)


def _copy_rows(table: Table, rows: Sequence[Mapping]) -> None:
    """PostgreSQL: rows sent by COPY, several times faster than INSERTs; column defaults filled in here."""
    # COPY knows nothing of the models' Python-side defaults (version=1, created_at=now...), so add them.
    defaults = {}
    for column in table.columns:
        if column.name not in rows[0] and column.default is not None and not column.primary_key:
            default = column.default
            defaults[column.name] = default.arg(None) if default.is_callable else default.arg
    columns = list(rows[0])
    quoted = ", ".join(f'"{name}"' for name in [*columns, *defaults])
    extra = list(defaults.values())
    # The session's own connection, so the rows belong to the caller's transaction.
    with db.session.connection().connection.driver_connection.cursor() as cursor:
        with cursor.copy(f'COPY "{table.name}" ({quoted}) FROM STDIN') as copy:
            for row in rows:
                copy.write_row([*(row[name] for name in columns), *extra])


def insert_returning_ids(table: Table, rows: Sequence[Mapping], key_columns: Sequence[str]) -> list[int]:
    """Insert rows and return their new ids in the order of `rows`; key_columns tell the rows apart."""
    if not rows:
        return []
    if db.session.get_bind().dialect.name == "postgresql":
        # psycopg re-parses a multi-row INSERT ... RETURNING text on every page (about 20 s of CPU for 100,000
        # contacts); ids taken from the sequence up front let the rows go by COPY instead.
        ids = list(db.session.scalars(text("SELECT nextval(pg_get_serial_sequence(:table, 'id')) "
                                           "FROM generate_series(1, :count)"),
                                      {"table": f'"{table.name}"', "count": len(rows)}))
        insert_rows(table, [{**row, "id": id_} for row, id_ in zip(rows, ids)])
        return ids
    # SQLite: RETURNING in parameter order would insert one row per statement; matching the returned rows on
    # their key keeps multi-row INSERTs.
    statement = insert(table).returning(table.c.id, *(table.c[name] for name in key_columns))
    ids = {tuple(found[1:]): found[0] for found in db.session.execute(statement, rows)}
    if len(ids) != len(rows):
        raise ValueError(f"{table.name}: {len(rows)} rows inserted but {len(ids)} distinct keys {key_columns}")
    return [ids[tuple(row[name] for name in key_columns)] for row in rows]


# Names, companies and job titles repeat from row to row: folding each distinct text once saves seconds per
# 100,000 contacts. Bounded, so a file of a million distinct names does not keep them all.
_fold = lru_cache(maxsize=65536)(fold)


def fill_contact_keys(values: dict, company_name: str) -> dict:
    """Add a contact row's sort and search columns, computed as Contact.refresh_keys computes them."""
    # The same rule as refresh_keys, with folds remembered; tests check both agree on every imported contact.
    last_name_key, first_name_key = _fold(values["last_name"]), _fold(values["first_name"])
    company_key, email_key = _fold(company_name), fold(values["email"]) or None
    phones = [digits(values[name]) for name in ("phone", "mobile", "fax") if values[name]]
    e164 = [digits(values[name]) for name in ("phone_e164", "mobile_e164", "fax_e164") if values[name]]
    parts = (last_name_key, first_name_key, company_key, _fold(values["function"]), email_key or "", *phones, *e164)
    values.update(company_key=company_key, last_name_key=last_name_key, first_name_key=first_name_key,
                  email_key=email_key, search_text=" ".join(part for part in parts if part))
    return values


def _shown(value) -> str:
    if value is True:
        return "oui"
    if isinstance(value, (list, tuple)):
        return ", ".join(str(item) for item in value)
    return str(value)


def snapshot(values: Mapping) -> str:
    """The JSON kept in an audit "create" row: the non-empty values, booleans in words, lists joined."""
    return json.dumps({key: value if value.__class__ is str else _shown(value) for key, value in values.items()
                       if value not in (None, "", [], False)}, ensure_ascii=False)


def audit_created(record_type: str, created: Iterable[tuple[int, Mapping]], at: datetime, via: str = "cli") -> None:
    """One audit "create" row per (id, values) pair, written like audit.bulk_rows but by COPY on PostgreSQL."""
    assert via in AUDIT_CHANNELS
    insert_rows(AuditEntry.__table__, [
        {"at": at, "user_id": None, "via": via, "action": "create", "record_type": record_type,
         "record_id": record_id, "field": None, "old_value": None, "new_value": snapshot(values)}
        for record_id, values in created])
