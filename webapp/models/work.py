"""Commercial follow-up of a contact: tasks with attachments, opportunities, proposals and deals."""
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Date, ForeignKey, Integer, LargeBinary, Numeric, SmallInteger, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .accounts import Client
from .contacts import Contact
from .people import User
from .reference import TaskType
from .types import UTCDateTime, utcnow

TASK_PRIORITIES = {1: "Basse", 2: "Normale", 3: "Haute"}
TASK_STATUSES = ("todo", "in_progress", "done", "cancelled")


class Task(db.Model):
    """Tâche commerciale on a contact, followed by a user."""

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contact.id", ondelete="RESTRICT"), index=True)
    priority: Mapped[int] = mapped_column(SmallInteger, default=2)
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    task_type_id: Mapped[int | None] = mapped_column(ForeignKey("task_type.id", ondelete="RESTRICT"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), index=True)
    description: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(12), default="todo")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    contact: Mapped[Contact] = relationship()
    task_type: Mapped[TaskType | None] = relationship()
    assignee: Mapped[User | None] = relationship(foreign_keys=[assignee_id])
    attachments: Mapped[list["TaskAttachment"]] = relationship(cascade="all, delete-orphan", back_populates="task")


class TaskAttachment(db.Model):
    """A file attached to a task, stored in the database so every app server can serve it."""

    __tablename__ = "task_attachment"
    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("task.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    mime: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    task: Mapped[Task] = relationship(back_populates="attachments")


class DealMixin:
    """What opportunities, proposals and deals share: a title, an amount, an account, a contact, an owner."""

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    amount: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    client_id: Mapped[int] = mapped_column(ForeignKey("client.id", ondelete="RESTRICT"), index=True)
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contact.id", ondelete="RESTRICT"), index=True)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Opportunity(DealMixin, db.Model):
    """Opportunité: a sale that may happen."""

    stage: Mapped[str] = mapped_column(String(20), default="qualification")
    expected_date: Mapped[date | None] = mapped_column(Date)
    client: Mapped[Client] = relationship()
    contact: Mapped[Contact | None] = relationship()
    owner: Mapped[User | None] = relationship()


class Proposal(DealMixin, db.Model):
    """Proposition: an offer sent to the client, possibly made from an opportunity."""

    opportunity_id: Mapped[int | None] = mapped_column(ForeignKey("opportunity.id", ondelete="SET NULL"), index=True)
    status: Mapped[str] = mapped_column(String(20), default="draft")
    sent_date: Mapped[date | None] = mapped_column(Date)
    client: Mapped[Client] = relationship()
    contact: Mapped[Contact | None] = relationship()
    owner: Mapped[User | None] = relationship()
    opportunity: Mapped[Opportunity | None] = relationship()


class Deal(DealMixin, db.Model):
    """Affaire: a signed deal, possibly made from a proposal."""

    proposal_id: Mapped[int | None] = mapped_column(ForeignKey("proposal.id", ondelete="SET NULL"), index=True)
    status: Mapped[str] = mapped_column(String(20), default="won")
    signed_date: Mapped[date | None] = mapped_column(Date)
    client: Mapped[Client] = relationship()
    contact: Mapped[Contact | None] = relationship()
    owner: Mapped[User | None] = relationship()
    proposal: Mapped[Proposal | None] = relationship()
