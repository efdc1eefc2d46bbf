"""Users, roles with their rights, and the company's own entities (business units)."""
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Boolean, Column, ForeignKey, Integer, String, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..rights import SALESPERSON_ROLE
from ..text import fold
from .types import UTCDateTime, utcnow

user_roles = Table(
    "user_role",
    db.metadata,
    Column("user_id", ForeignKey("user.id", ondelete="CASCADE"), primary_key=True),
    Column("role_id", ForeignKey("role.id", ondelete="CASCADE"), primary_key=True),
)

user_entities = Table(
    "user_entity",
    db.metadata,
    Column("user_id", ForeignKey("user.id", ondelete="CASCADE"), primary_key=True),
    Column("entity_id", ForeignKey("entity.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Entity(db.Model):
    """One of the company's own business units (agencies); accounts and users belong to entities."""

    id: Mapped[int] = mapped_column(primary_key=True)
    label: Mapped[str] = mapped_column(String(120), unique=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Role(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    rights: Mapped[list["RoleRight"]] = relationship(cascade="all, delete-orphan", back_populates="role")

    @property
    def right_codes(self) -> set[str]:
        return {r.right for r in self.rights}


class RoleRight(db.Model):
    """A right (a code listed in webapp.rights) granted to a role."""

    role_id: Mapped[int] = mapped_column(ForeignKey("role.id", ondelete="CASCADE"), primary_key=True)
    right: Mapped[str] = mapped_column(String(60), primary_key=True)
    role: Mapped[Role] = relationship(back_populates="rights")


class User(UserMixin, db.Model):
    """A person of the company: a salesperson to assign, and a login when it has a password."""

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str | None] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    last_name: Mapped[str] = mapped_column(String(100))
    first_name: Mapped[str] = mapped_column(String(100), default="")
    name_key: Mapped[str] = mapped_column(String(210), index=True, default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    language: Mapped[str | None] = mapped_column(String(5))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    roles: Mapped[list[Role]] = relationship(secondary=user_roles, lazy="select")
    entities: Mapped[list[Entity]] = relationship(secondary=user_entities, lazy="select")
    # Read with the user by sessions.session_user (services.preferences.of reads it), written by preferences.put.
    preferences: Mapped[list["UserPreference"]] = relationship(lazy="select", viewonly=True)  # noqa: F821

    # The key of the server-side session this object was loaded for or logged in with (UserSession), never
    # stored on the user: Flask-Login keeps it in the signed cookie.
    session_key = None

    @property
    def display_name(self) -> str:
        """The seed's "NOM Prénom" form."""
        return f"{self.last_name.upper()} {self.first_name}".strip()

    def set_names(self, last_name: str, first_name: str) -> None:
        self.last_name, self.first_name = last_name.strip(), first_name.strip()
        self.name_key = fold(f"{self.last_name} {self.first_name}")

    @property
    def is_active(self) -> bool:  # Flask-Login: an inactive user cannot be logged in
        return self.active and self.password_hash is not None

    def get_id(self) -> str | None:
        """What Flask-Login keeps in the cookie: the session's key, which the user loader looks up."""
        return self.session_key

    @property
    def right_codes(self) -> set[str]:
        return {code for role in self.roles for code in role.right_codes}

    @property
    def is_salesperson(self) -> bool:
        """Holds the "Commercial" role (roles are named rows; the role's rights may have been edited)."""
        return any(role.name == SALESPERSON_ROLE for role in self.roles)

    def can(self, right: str) -> bool:
        # Asked dozens of times per page (menus, rows); the user object lives for one request, so cache it.
        codes = self.__dict__.get("_right_codes_cache")
        if codes is None:
            codes = self.__dict__["_right_codes_cache"] = self.right_codes
        return right in codes


class LoginThrottle(db.Model):
    """Login tries per e-mail typed, known account or not, so that a lock says nothing about who exists."""

    __tablename__ = "login_throttle"
    key: Mapped[str] = mapped_column(String(254), primary_key=True)
    # Tries since the last successful login or the last lock, counted before the password is checked.
    failures: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)


class UserSession(db.Model):
    """A login on one browser, kept in the database so that logout, a new password, a deactivation or an
    administrator ends it on every app server. The cookie carries a random key; only its SHA-256 is stored, so
    reading this table does not give anyone a session."""

    __tablename__ = "user_session"
    key_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    user_agent: Mapped[str] = mapped_column(String(255), default="")
