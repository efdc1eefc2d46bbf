"""Client accounts (Société): who owns them, which entities see them, how they are classified."""
from datetime import datetime

from sqlalchemy import Boolean, Column, ForeignKey, String, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..text import fold
from .people import Entity, User
from .reference import Origin, RevenueRange, Sector, SizeBand
from .types import UTCDateTime, utcnow

client_entities = Table(
    "client_entity",
    db.metadata,
    Column("client_id", ForeignKey("client.id", ondelete="CASCADE"), primary_key=True),
    Column("entity_id", ForeignKey("entity.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Client(db.Model):
    """A client account; its contacts are seen by users who share one of its entities."""

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    name_key: Mapped[str] = mapped_column(String(200), index=True)
    siren: Mapped[str | None] = mapped_column(String(9), index=True)
    street: Mapped[str | None] = mapped_column(String(200))
    street2: Mapped[str | None] = mapped_column(String(200))
    postal_code: Mapped[str | None] = mapped_column(String(20))
    city: Mapped[str | None] = mapped_column(String(100))
    country: Mapped[str | None] = mapped_column(String(2))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), index=True)
    archived: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    size_band_id: Mapped[int | None] = mapped_column(ForeignKey("size_band.id", ondelete="RESTRICT"), index=True)
    revenue_range_id: Mapped[int | None] = mapped_column(
        ForeignKey("revenue_range.id", ondelete="RESTRICT"), index=True
    )
    sector_id: Mapped[int | None] = mapped_column(ForeignKey("sector.id", ondelete="RESTRICT"), index=True)
    origin_id: Mapped[int | None] = mapped_column(ForeignKey("origin.id", ondelete="RESTRICT"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    owner: Mapped[User | None] = relationship()
    entities: Mapped[list[Entity]] = relationship(secondary=client_entities)
    size_band: Mapped[SizeBand | None] = relationship()
    revenue_range: Mapped[RevenueRange | None] = relationship()
    sector: Mapped[Sector | None] = relationship()
    origin: Mapped[Origin | None] = relationship()

    def set_name(self, name: str) -> None:
        self.name = name.strip()
        self.name_key = fold(self.name)
