"""Writing many rows at once (CSV import, demo data): bulk inserts fitted to each driver (COPY on PostgreSQL,
sqlite3's executemany on SQLite, SQLAlchemy Core elsewhere) and their audit rows."""
import json
import sqlite3
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime

from sqlalchemy import Table, insert, text

from ..extensions import db
from ..models import AUDIT_CHANNELS, AuditEntry


def _driver() -> str:
    """The DB-API driver of the session: "psycopg", "pysqlite"..."""
    return db.session.get_bind().dialect.driver


def _driver_values(table: Table, rows: Sequence[Mapping]) -> tuple[list[str], list[list]]:
    """The column names and each row's values as the driver takes them: the models' Python-side defaults
    (version=1, created_at=now...) added and each column type's bind conversion applied, as SQLAlchemy would."""
    defaults = {}
    for column in table.columns:
        if column.name not in rows[0] and column.default is not None and not column.primary_key:
            default = column.default
            defaults[column.name] = default.arg(None) if default.is_callable else default.arg
    given = list(rows[0])
    columns = [*given, *defaults]
    dialect = db.session.get_bind().dialect
    converters = [(index, converter) for index, name in enumerate(columns)
                  if (converter := table.c[name].type.dialect_impl(dialect).bind_processor(dialect))]
    extra = list(defaults.values())
    values = []
    for row in rows:
        row_values = [*map(row.__getitem__, given), *extra]  # by name: rows may list their keys in any order
        for index, converter in converters:
            row_values[index] = converter(row_values[index])
        values.append(row_values)
    return columns, values


def insert_rows(table: Table, rows: Sequence[Mapping]) -> None:
    """Insert rows (every mapping with the same keys) in as few statements as the driver allows."""
    if not rows:
        return
    driver = _driver()
    if driver == "psycopg":
        _copy_rows(table, rows)
    elif driver == "pysqlite":
        # sqlite3's own executemany: SQLAlchemy's per-row parameter handling costs more than SQLite's insert.
        columns, values = _driver_values(table, rows)
        names = ", ".join(f'"{name}"' for name in columns)
        _raw_connection().executemany(
            f'INSERT INTO "{table.name}" ({names}) VALUES ({", ".join("?" * len(columns))})', values)
    else:
        db.session.execute(insert(table), rows)


@contextmanager
def large_sqlite_cache(mebibytes: int = 128) -> Iterator[None]:
    """SQLite: a bigger page cache on the session's connection while a bulk write runs; nothing elsewhere."""
    # The contact indexes soon outgrow SQLite's default 2 MB cache; 128 MB saves about 10% of an import's CPU.
    if _driver() != "pysqlite":
        yield
        return
    previous = _raw_connection().execute("PRAGMA cache_size").fetchone()[0]
    _raw_connection().execute(f"PRAGMA cache_size = {-mebibytes * 1024}")
    try:
        yield
    finally:
        _raw_connection().execute(f"PRAGMA cache_size = {previous}")


def _raw_connection():
    """The driver's connection under the session, so raw statements belong to the caller's transaction."""
    return db.session.connection().connection.driver_connection


def _copy_rows(table: Table, rows: Sequence[Mapping]) -> None:
    """PostgreSQL: rows sent by COPY, several times faster than INSERTs."""
    columns, values = _driver_values(table, rows)
    quoted = ", ".join(f'"{name}"' for name in columns)
    with _raw_connection().cursor() as cursor:
        with cursor.copy(f'COPY "{table.name}" ({quoted}) FROM STDIN') as copy:
            for row_values in values:
                copy.write_row(row_values)


def insert_returning_ids(table: Table, rows: Sequence[Mapping], key_columns: Sequence[str]) -> list[int]:
    """Insert rows and return their new ids in the order of `rows`; key_columns (text or integer columns) tell
    the rows apart."""
    if not rows:
        return []
    driver = _driver()
    if driver == "psycopg":
        # psycopg re-parses a multi-row INSERT ... RETURNING text on every page (about 20 s of CPU for 100,000
        # contacts); ids taken from the sequence up front let the rows go by COPY instead.
        ids = list(db.session.scalars(text("SELECT nextval(pg_get_serial_sequence(:table, 'id')) "
                                           "FROM generate_series(1, :count)"),
                                      {"table": f'"{table.name}"', "count": len(rows)}))
        insert_rows(table, [{**row, "id": id_} for row, id_ in zip(rows, ids)])
        return ids
    if driver == "pysqlite":
        found = _sqlite_insert_returning(table, rows, key_columns)
    else:
        statement = insert(table).returning(table.c.id, *(table.c[name] for name in key_columns))
        found = {tuple(row[1:]): row[0] for row in db.session.execute(statement, rows)}
    if len(found) != len(rows):
        raise ValueError(f"{table.name}: {len(rows)} rows inserted but {len(found)} distinct keys {key_columns}")
    return [found[tuple(row[name] for name in key_columns)] for row in rows]


def _sqlite_insert_returning(table: Table, rows: Sequence[Mapping], key_columns: Sequence[str]) -> dict:
    """SQLite: multi-row INSERTs ... RETURNING id and the key columns; {key values: id}."""
    # RETURNING does not promise the rows' order, so ids are matched back on the key columns.
    columns, values = _driver_values(table, rows)
    connection = _raw_connection()
    per_statement = max(1, min(1000, connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER) // len(columns)))
    names = ", ".join(f'"{name}"' for name in columns)
    placeholders = "(" + ", ".join("?" * len(columns)) + ")"
    returning = ", ".join(f'"{name}"' for name in ("id", *key_columns))
    found = {}
    for start in range(0, len(values), per_statement):
        page = values[start:start + per_statement]
        statement = (f'INSERT INTO "{table.name}" ({names}) VALUES {", ".join([placeholders] * len(page))} '
                     f"RETURNING {returning}")
        for returned in connection.execute(statement, [value for row_values in page for value in row_values]):
            found[returned[1:]] = returned[0]
    return found


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


def audit_created(record_type: str, created: Iterable[tuple[int, Mapping | str]], at: datetime,
                  via: str = "cli") -> None:
    """One audit "create" row per (id, values or their snapshot) pair, like audit.bulk_rows but by COPY on PG."""
    assert via in AUDIT_CHANNELS
    insert_rows(AuditEntry.__table__, [
        {"at": at, "user_id": None, "via": via, "action": "create", "record_type": record_type,
         "record_id": record_id, "field": None, "old_value": None,
         "new_value": values if isinstance(values, str) else snapshot(values)}
        for record_id, values in created])
