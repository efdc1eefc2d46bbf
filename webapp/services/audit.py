"""Writing the audit trail: one row per changed field, in the caller's transaction."""
import json
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import insert

from ..extensions import db
from ..models import AUDIT_CHANNELS, AuditEntry
from ..models.types import utcnow


def _text(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, (list, tuple, set)):
        return ", ".join(str(v) for v in value)
    return str(value)


def snapshot(values: Mapping) -> str:
    """Every non-empty field as JSON text: what a creation row holds (and a deletion row kept)."""
    return json.dumps({key: _text(value) for key, value in values.items() if value not in (None, "", [], False)},
                      ensure_ascii=False)


def record_created(record_type: str, record_id: int, values: Mapping, via: str, user_id: int | None) -> None:
    """A creation: one row holding every non-empty field as JSON."""
    assert via in AUDIT_CHANNELS
    db.session.add(AuditEntry(user_id=user_id, via=via, action="create", record_type=record_type,
                              record_id=record_id, new_value=snapshot(values)))


def record_changes(record_type: str, record_id: int, changes: Mapping[str, tuple], via: str,
                   user_id: int | None) -> int:
    """An update: one row per field whose value changed ({field: (old, new)}); returns how many."""
    assert via in AUDIT_CHANNELS
    at = utcnow()
    rows = 0
    for field, (old, new) in changes.items():
        if _text(old) == _text(new):
            continue
        db.session.add(AuditEntry(at=at, user_id=user_id, via=via, action="update", record_type=record_type,
                                  record_id=record_id, field=field, old_value=_text(old), new_value=_text(new)))
        rows += 1
    return rows


def record_deleted(record_type: str, record_id: int, values: Mapping, via: str, user_id: int | None) -> None:
    """A deletion: one row keeping what the record held."""
    assert via in AUDIT_CHANNELS
    db.session.add(AuditEntry(user_id=user_id, via=via, action="delete", record_type=record_type,
                              record_id=record_id, old_value=snapshot(values)))


def bulk_rows(rows: Iterable[Mapping]) -> None:
    """Many audit rows in one INSERT (imports, bulk actions); each mapping has AuditEntry's column names."""
    rows = list(rows)
    if rows:
        db.session.execute(insert(AuditEntry.__table__), rows)  # Core: the ORM bulk path costs a tenth of an import
