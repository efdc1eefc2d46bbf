"""Saved views of the contacts list: a name and a query string, private or shared with the owner's entities."""
from datetime import datetime

from sqlalchemy import Boolean, Column, ForeignKey, String, Table, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .people import Entity
from .types import UTCDateTime, utcnow

saved_view_entities = Table(
    "saved_view_entity",
    db.metadata,
    Column("view_id", ForeignKey("saved_view.id", ondelete="CASCADE"), primary_key=True),
    Column("entity_id", ForeignKey("entity.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class SavedView(db.Model):
    """A list state a user named. `query` is the list's query string (filters and sort, no page), as
    ContactQuery writes it; a shared view is seen by the users of the entities it was shared with."""

    __tablename__ = "saved_view"
    __table_args__ = (UniqueConstraint("owner_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    query: Mapped[str] = mapped_column(String(2000), default="")
    shared: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    entities: Mapped[list[Entity]] = relationship(secondary=saved_view_entities, lazy="select")
