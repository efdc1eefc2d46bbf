"""The CardDAV address books' state: the app passwords phones sign in with, and what each sync token saw."""
from datetime import datetime

from sqlalchemy import ForeignKey, Index, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .types import UTCDateTime, utcnow


class AppPassword(db.Model):
    """A password for one device ("iPhone de Marion"), never the login password: shown once at its creation, kept
    as the SHA-256 of a random 128-bit secret (a random secret needs no slow hash), revocable on its own."""

    __tablename__ = "app_password"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    label: Mapped[str] = mapped_column(String(80))
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class CardName(db.Model):
    """The name a CardDAV client gave a card it created (PUT to ".../ABC-123.vcf"): the contact is served under that
    name ever after, so the client finds it where it put it. Contacts created in the CRM are served as "<id>.vcf"."""

    __tablename__ = "carddav_name"
    contact_id: Mapped[int] = mapped_column(ForeignKey("contact.id", ondelete="CASCADE"), primary_key=True)
    name: Mapped[str] = mapped_column(String(255), unique=True)


class SyncSnapshot(db.Model):
    """What one address book held for one user when a sync token was given: each contact's id and ETag, packed
    (zlib of "id etag" lines). The next sync-collection compares the book as it is now with it, so a contact
    changed, added, deleted or moved out of the user's scope is reported whatever the channel that did it."""

    __tablename__ = "carddav_snapshot"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    book: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    members: Mapped[bytes] = mapped_column(LargeBinary)

    __table_args__ = (Index("ix_carddav_snapshot_user_book", "user_id", "book", "id"),)
