"""An upload's card plans kept in import_batch between the upload, the preview and the commit, where any app
server finds them; and the slices its cards are processed in. A spreadsheet's batch also keeps the table read
from the file (from the upload to the mapping screen, and back to it from the preview) and the mapping chosen."""
import json
import re
import secrets
import zlib
from collections.abc import Iterator, Sequence
from datetime import timedelta

from sqlalchemy import delete, select

from ..extensions import db
from ..models import ImportBatch, User
from ..models.types import utcnow
from .vcard_plan import CardPlan

BATCH_LIFETIME = timedelta(days=1)
WRITE_BATCH = 500  # contacts per INSERT round, and ids per IN (...) list


def store_batch(user: User, files: list[dict], plans: list[CardPlan], sheet: dict | None = None) -> ImportBatch:
    """Keep the read cards (or a spreadsheet's table waiting for its mapping) for the preview and the commit;
    batches older than a day are dropped on the way."""
    db.session.execute(delete(ImportBatch).where(ImportBatch.created_at < utcnow() - BATCH_LIFETIME))
    batch = ImportBatch(token=secrets.token_urlsafe(24), user_id=user.id)
    _fill(batch, files, plans, sheet)
    db.session.add(batch)
    db.session.flush()
    return batch


def replace_plans(batch: ImportBatch, files: list[dict], plans: list[CardPlan], sheet: dict) -> None:
    """A spreadsheet's rows as mapped (the table and the mapping kept, for the way back to the mapping); the
    choices made on the preview of the rows mapped before are forgotten."""
    _fill(batch, files, plans, sheet)
    batch.choices = None
    db.session.flush()


def _fill(batch: ImportBatch, files: list[dict], plans: list[CardPlan], sheet: dict | None) -> None:
    """The batch's compressed JSON payloads (cards; a spreadsheet's table apart) and its card count."""
    # vars(), not asdict(): the fields hold only JSON values, and asdict's deep copy costs a tenth of the import.
    batch.data = _pack({"files": files, "cards": [vars(plan) for plan in plans]})
    batch.card_count = len(plans)
    if sheet is not None:
        batch.sheet = _pack(sheet)


def _pack(content: dict) -> bytes:
    """JSON, zlib-compressed (level 1: the batch lives a day at most)."""
    return zlib.compress(json.dumps(content, ensure_ascii=False).encode("utf-8"), 1)


def batch_sheet(batch: ImportBatch) -> dict | None:
    """The spreadsheet table (and mapping) a batch keeps; None for a vCard upload."""
    return json.loads(zlib.decompress(batch.sheet)) if batch.sheet is not None else None


def load_batch(token: str, user: User) -> ImportBatch | None:
    """The user's own batch for this token, unless it is done or expired."""
    if not re.fullmatch(r"[A-Za-z0-9_-]{16,64}", token or ""):
        return None
    return db.session.scalars(select(ImportBatch).where(
        ImportBatch.token == token, ImportBatch.user_id == user.id,
        ImportBatch.created_at >= utcnow() - BATCH_LIFETIME)).first()


def batch_content(batch: ImportBatch) -> tuple[list[dict], list[CardPlan]]:
    """The files and card plans kept in a batch."""
    payload = json.loads(zlib.decompress(batch.data))
    return payload["files"], [CardPlan(**card) for card in payload["cards"]]


def cancel_batch(batch: ImportBatch) -> None:
    """Drop an upload the user does not want to import."""
    db.session.execute(delete(ImportBatch).where(ImportBatch.id == batch.id))


def chunks(items: Sequence, size: int = WRITE_BATCH) -> Iterator[Sequence]:
    """`items` in slices of `size`: one INSERT round, or one IN (...) list."""
    for start in range(0, len(items), size):
        yield items[start:start + size]
