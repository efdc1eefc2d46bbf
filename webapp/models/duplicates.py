"""Duplicate contacts: each contact's keys (folded e-mail, E.164 phones, name at its account), the pairs users said
are not duplicates, the UIDs of merged contacts kept as aliases of the survivor, and each merge's undo record."""
from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .types import UTCDateTime, utcnow


# A key held by more contacts than this is a switchboard or a shared mailbox, not one person typed twice.
MAX_GROUP = 10


class DuplicateKey(db.Model):
    """One key of a contact; `group_size` is how many contacts held that key when it was last recounted (the
    contact write path recounts the keys it touches), so the duplicates screen reads only shared keys."""

    __tablename__ = "duplicate_key"
    contact_id: Mapped[int] = mapped_column(ForeignKey("contact.id", ondelete="CASCADE"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(8), primary_key=True)  # email, phone, name
    key: Mapped[str] = mapped_column(String(300), primary_key=True)
    group_size: Mapped[int] = mapped_column(Integer, default=1)
    # The contact's account, copied (the contact write path writes both): the screen applies the entity scope
    # without reading the contact table.
    client_id: Mapped[int] = mapped_column(Integer)

    __table_args__ = (
        Index("ix_duplicate_key_key", "kind", "key"),
        # Only the shared keys: the screen reads this small index, never every contact.
        Index("ix_duplicate_key_shared", "group_size", "kind", "key", "contact_id", "client_id",
              sqlite_where=text("group_size > 1"), postgresql_where=text("group_size > 1")),
    )


class DuplicateDismissal(db.Model):
    """Two contacts a user said are not duplicates ("Ce ne sont pas des doublons"): low_id < high_id."""

    __tablename__ = "duplicate_dismissal"
    low_id: Mapped[int] = mapped_column(ForeignKey("contact.id", ondelete="CASCADE"), primary_key=True)
    high_id: Mapped[int] = mapped_column(ForeignKey("contact.id", ondelete="CASCADE"), primary_key=True, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ContactUidAlias(db.Model):
    """The vCard UID of a contact merged into another: an import of that UID finds the survivor."""

    __tablename__ = "contact_uid_alias"
    uid: Mapped[str] = mapped_column(String(255), primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contact.id", ondelete="CASCADE"), index=True)
    merge_id: Mapped[int | None] = mapped_column(ForeignKey("contact_merge.id", ondelete="SET NULL"), index=True)


class ContactMerge(db.Model):
    """A merge as it was done: what the survivor and the merged contacts held before (JSON), so that "Annuler la
    fusion" can put everything back from any app server while the undo lasts."""

    __tablename__ = "contact_merge"
    id: Mapped[int] = mapped_column(primary_key=True)
    survivor_id: Mapped[int | None] = mapped_column(ForeignKey("contact.id", ondelete="SET NULL"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    merged_ids: Mapped[str] = mapped_column(String(200))
    snapshot: Mapped[str] = mapped_column(Text)
    undone_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
