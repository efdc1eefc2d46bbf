"""Idempotent creates: the first request with a form's key creates, a repeat answers with what it created."""
import re
from datetime import timedelta

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from .. import unit_of_work
from ..extensions import db
from ..models import IdempotencyKey
from ..models.types import utcnow

KEY_SHAPE = re.compile(r"[A-Za-z0-9_-]{16,64}")
KEPT_FOR = timedelta(days=1)  # a retry after a network error comes within seconds; a day is ample


def claim(key: str | None, user_id: int) -> IdempotencyKey | None:
    """The earlier request's key row when this key was already used (it holds the record made), else None after
    reserving the key for this request; a missing or malformed key reserves nothing."""
    if not key or not KEY_SHAPE.fullmatch(key):
        return None
    db.session.execute(delete(IdempotencyKey).where(IdempotencyKey.created_at < utcnow() - KEPT_FOR))
    db.session.add(IdempotencyKey(user_id=user_id, key=key))
    try:
        # A simultaneous request with the key waits here for the first one's transaction, then fails.
        db.session.flush()
    except IntegrityError:
        unit_of_work.rollback()  # the session is unusable after a failed flush
        return db.session.scalar(select(IdempotencyKey).where(IdempotencyKey.user_id == user_id,
                                                              IdempotencyKey.key == key))
    return None


def record(key: str | None, user_id: int, record_type: str, record_id: int) -> None:
    """Note the record this request's key made, for the repeats to answer with."""
    if key and KEY_SHAPE.fullmatch(key):
        row = db.session.get(IdempotencyKey, (user_id, key))
        if row is not None:
            row.record_type, row.record_id = record_type, record_id
            db.session.flush()
