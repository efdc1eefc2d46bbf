"""Uploads waiting between their preview and their commit; the spreadsheet mappings users saved."""
from datetime import datetime

from sqlalchemy import ForeignKey, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .types import UTCDateTime, utcnow


class ImportBatch(db.Model):
    """An uploaded set of .vcf files or a spreadsheet, already read: the mapping, the preview and the commit work
    from this row, so any app server can answer either, and the cookie session stays small. Deleted by the commit,
    or after a day."""

    __tablename__ = "import_batch"
    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)  # random: the preview's URL, never an id
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    card_count: Mapped[int] = mapped_column(Integer, default=0)
    data: Mapped[bytes] = mapped_column(LargeBinary)  # the read cards, as zlib-compressed JSON
    # A spreadsheet's table (headers, rows, line numbers) and the mapping chosen, as zlib-compressed JSON, apart
    # from the cards so that the preview and the commit never read it. None for .vcf files.
    sheet: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    # What the user chose and corrected on the preview's pages, as JSON (services/import_choices.py); None until
    # the first choice is saved.
    choices: Mapped[str | None] = mapped_column(Text, nullable=True)


class ImportMapping(db.Model):
    """A spreadsheet mapping a user saved: the target field of each column, proposed again for a file with the
    same headers (`headers_key`: the folded headers, hashed)."""

    __tablename__ = "import_mapping"
    __table_args__ = (UniqueConstraint("user_id", "headers_key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    headers_key: Mapped[str] = mapped_column(String(64))
    targets: Mapped[str] = mapped_column(Text)  # JSON: [target of column 1, ...]
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
