"""Client contacts, their photo, links, extra vCard values, skills and mailing-list subscriptions."""
from datetime import date, datetime

from sqlalchemy import (Boolean, Column, Date, ForeignKey, Index, Integer, LargeBinary, String, Table, Text,
                        UniqueConstraint)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .accounts import Client
from .contact_keys import KEY_SOURCES, derived_columns
from .people import User
from .reference import Department, MailingList, Skill
from .types import UTCDateTime, utcnow

contact_skills = Table(
    "contact_skill",
    db.metadata,
    Column("contact_id", ForeignKey("contact.id", ondelete="CASCADE"), primary_key=True),
    Column("skill_id", ForeignKey("skill.id", ondelete="RESTRICT"), primary_key=True, index=True),
)


class Contact(db.Model):
    """A person working at a client account."""

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("client.id", ondelete="RESTRICT"), index=True)
    gender: Mapped[str | None] = mapped_column(String(1))  # "M" (Homme) or "F" (Femme)
    last_name: Mapped[str] = mapped_column(String(100))
    first_name: Mapped[str] = mapped_column(String(100))
    department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id", ondelete="RESTRICT"), index=True)
    function: Mapped[str | None] = mapped_column(String(150))
    is_dpo: Mapped[bool] = mapped_column(Boolean, default=False)
    is_rssi: Mapped[bool] = mapped_column(Boolean, default=False)
    left_company: Mapped[bool] = mapped_column(Boolean, default=False)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    email: Mapped[str | None] = mapped_column(String(254))
    email_key: Mapped[str | None] = mapped_column(String(254), index=True, unique=True)  # one contact per e-mail
    phone: Mapped[str | None] = mapped_column(String(40))
    phone_e164: Mapped[str | None] = mapped_column(String(20), index=True)
    mobile: Mapped[str | None] = mapped_column(String(40))
    mobile_e164: Mapped[str | None] = mapped_column(String(20), index=True)
    fax: Mapped[str | None] = mapped_column(String(40))
    fax_e164: Mapped[str | None] = mapped_column(String(20), index=True)
    street: Mapped[str | None] = mapped_column(String(200))
    street2: Mapped[str | None] = mapped_column(String(200))
    postal_code: Mapped[str | None] = mapped_column(String(20))
    city: Mapped[str | None] = mapped_column(String(100))
    country: Mapped[str | None] = mapped_column(String(2))  # ISO 3166 alpha-2
    notes: Mapped[str | None] = mapped_column(Text)
    vcard_role: Mapped[str | None] = mapped_column(String(150))
    categories: Mapped[str | None] = mapped_column(String(500))
    birthday: Mapped[date | None] = mapped_column(Date)
    vcard_uid: Mapped[str | None] = mapped_column(String(255), index=True)

    # Derived columns (contact_keys.derived_columns): sort and search ignore case and accents.
    company_key: Mapped[str] = mapped_column(String(200), default="")
    last_name_key: Mapped[str] = mapped_column(String(100), default="")
    first_name_key: Mapped[str] = mapped_column(String(100), default="")
    function_key: Mapped[str | None] = mapped_column(String(150))  # None without a function: sorts last
    search_text: Mapped[str] = mapped_column(Text, default="")
    # The number of deals, kept by the database's triggers on deal (migration 0004) for the list's Affaires sort.
    deal_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    version: Mapped[int] = mapped_column(Integer, default=1)

    client: Mapped[Client] = relationship()
    owner: Mapped[User | None] = relationship(foreign_keys=[owner_id])
    department: Mapped[Department | None] = relationship()
    skills: Mapped[list[Skill]] = relationship(secondary=contact_skills)
    links: Mapped[list["ContactLink"]] = relationship(
        cascade="all, delete-orphan", order_by="ContactLink.position", back_populates="contact"
    )
    extras: Mapped[list["ContactExtra"]] = relationship(
        cascade="all, delete-orphan", order_by="ContactExtra.position", back_populates="contact"
    )
    photo: Mapped["ContactPhoto | None"] = relationship(cascade="all, delete-orphan", back_populates="contact")
    subscriptions: Mapped[list["MailingListSubscription"]] = relationship(
        cascade="all, delete-orphan", back_populates="contact"
    )

    __mapper_args__ = {"version_id_col": version}
    # The list's filters ride along at the end of its order indexes (left_company, client_id, owner_id), so a page
    # is read from the index alone; counts read the narrow (left_company, client_id, owner_id) index.
    __table_args__ = (
        Index("ix_contact_default_order", "company_key", "last_name_key", "first_name_key", "id",
              "left_company", "client_id", "owner_id"),
        Index("ix_contact_last_name_order", "last_name_key", "first_name_key", "id",
              "left_company", "client_id", "owner_id"),
        Index("ix_contact_first_name_order", "first_name_key", "last_name_key", "id",
              "left_company", "client_id", "owner_id"),
        Index("ix_contact_function_order", "function_key", "last_name_key", "id",
              "left_company", "client_id", "owner_id"),
        Index("ix_contact_deals_order", "deal_count", "company_key", "last_name_key", "first_name_key", "id",
              "left_company", "client_id", "owner_id"),
        Index("ix_contact_active_client", "left_company", "client_id", "owner_id"),
        Index("ix_contact_owner", "owner_id", "left_company", "client_id"),
    )

    @property
    def active(self) -> bool:
        return not self.left_company

    @property
    def display_name(self) -> str:
        """The seed's "NOM Prénom" form."""
        return f"{self.last_name.upper()} {self.first_name}".strip()

    def refresh_keys(self, company_name: str | None = None) -> None:
        """Recompute the derived columns (sort keys, search text, E.164 phones) from the current values."""
        company = company_name if company_name is not None else (self.client.name if self.client else "")
        for name, value in derived_columns({name: getattr(self, name) for name in KEY_SOURCES}, company).items():
            setattr(self, name, value)


class ContactPhoto(db.Model):
    """A contact's photo, re-encoded and stored in the database so every app server can serve it."""

    __tablename__ = "contact_photo"
    contact_id: Mapped[int] = mapped_column(ForeignKey("contact.id", ondelete="CASCADE"), primary_key=True)
    mime: Mapped[str] = mapped_column(String(40))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    thumbnail: Mapped[bytes] = mapped_column(LargeBinary)
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    contact: Mapped[Contact] = relationship(back_populates="photo")


class ContactLink(db.Model):
    """A social profile or web link of a contact (LinkedIn, X, website...)."""

    __tablename__ = "contact_link"
    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contact.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(30))  # linkedin, x, website, other...
    url: Mapped[str] = mapped_column(String(500))
    position: Mapped[int] = mapped_column(Integer, default=0)
    contact: Mapped[Contact] = relationship(back_populates="links")


class ContactExtra(db.Model):
    """A value of a vCard that has no column of its own (a third phone, a second e-mail, an IM), kept as read."""

    __tablename__ = "contact_extra"
    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contact.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # tel, email, impp, nickname...
    label: Mapped[str | None] = mapped_column(String(100))
    value: Mapped[str] = mapped_column(String(500))
    position: Mapped[int] = mapped_column(Integer, default=0)
    contact: Mapped[Contact] = relationship(back_populates="extras")


class MailingListSubscription(db.Model):
    """A contact's subscription to a mailing list, subscribed or unsubscribed since a date."""

    __tablename__ = "mailing_list_subscription"
    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contact.id", ondelete="CASCADE"))
    mailing_list_id: Mapped[int] = mapped_column(ForeignKey("mailing_list.id", ondelete="RESTRICT"), index=True)
    status: Mapped[str] = mapped_column(String(12), default="subscribed")  # subscribed / unsubscribed
    since: Mapped[date] = mapped_column(Date)
    mailing_list: Mapped[MailingList] = relationship()
    contact: Mapped[Contact] = relationship(back_populates="subscriptions")

    __table_args__ = (UniqueConstraint("contact_id", "mailing_list_id"),)
