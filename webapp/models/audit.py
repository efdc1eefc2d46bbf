"""The audit trail: one row per changed field, never edited nor deleted by any screen."""
from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .people import User
from .types import UTCDateTime, utcnow

# How a change was made: the contact form, an inline cell, a vCard or CSV import ("import": vCard imports before
# migration 0009 named them), a mass action, the command line, the application itself, an export of the list to a
# spreadsheet (action "export": who, which filter, how many rows, which format), a merge of duplicates (actions
# "merge" and "unmerge" on the survivor, "delete" and "create" on the merged contacts), a phone or another client
# of the CardDAV address books.
AUDIT_CHANNELS = ("form", "inline", "vcard", "csv", "import", "bulk", "cli", "system", "export", "merge", "carddav")


class AuditEntry(db.Model):
    """Who changed which field of which record, when (UTC), how, from what to what."""

    __tablename__ = "audit_entry"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    via: Mapped[str] = mapped_column(String(10))
    action: Mapped[str] = mapped_column(String(10))  # create, update, delete
    record_type: Mapped[str] = mapped_column(String(40))
    record_id: Mapped[int] = mapped_column(Integer)
    field: Mapped[str | None] = mapped_column(String(60))
    old_value: Mapped[str | None] = mapped_column(Text)
    new_value: Mapped[str | None] = mapped_column(Text)
    user: Mapped[User | None] = relationship()

    __table_args__ = (Index("ix_audit_entry_record", "record_type", "record_id", "at"),)
