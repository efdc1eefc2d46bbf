"""A user's remembered choices on the screens (folded filter panel, visible columns, default view)."""
from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db


class UserPreference(db.Model):
    """One remembered choice of one user, as JSON text; the keys and their shapes live in services.preferences."""

    __tablename__ = "user_preference"
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), primary_key=True)
    key: Mapped[str] = mapped_column(String(60), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
