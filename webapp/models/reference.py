"""Reference lists edited on the parameter screens: each value has a label, an order and an active flag."""
from sqlalchemy import Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db


class ReferenceMixin:
    """A value of a parameter list; an inactive value is hidden from pickers and kept on records."""

    id: Mapped[int] = mapped_column(primary_key=True)
    label: Mapped[str] = mapped_column(String(120))
    position: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Sector(ReferenceMixin, db.Model):
    """Secteur d'activité."""

    label: Mapped[str] = mapped_column(String(120), unique=True)


class SizeBand(ReferenceMixin, db.Model):
    """Taille / effectif: the INSEE headcount bands."""

    __tablename__ = "size_band"
    label: Mapped[str] = mapped_column(String(120), unique=True)


class RevenueRange(ReferenceMixin, db.Model):
    """Fourchette de CA."""

    __tablename__ = "revenue_range"
    label: Mapped[str] = mapped_column(String(120), unique=True)


class Origin(ReferenceMixin, db.Model):
    """Origine commerciale."""

    label: Mapped[str] = mapped_column(String(120), unique=True)


class Department(ReferenceMixin, db.Model):
    """Organigramme type des sociétés tiers: a service, possibly inside another."""

    parent_id: Mapped[int | None] = mapped_column(ForeignKey("department.id", ondelete="RESTRICT"), index=True)
    parent: Mapped["Department | None"] = relationship(remote_side="Department.id")


class SkillCategory(ReferenceMixin, db.Model):
    """A heading of Environnement / Compétences (Langages, ERP, Cloud...)."""

    __tablename__ = "skill_category"
    label: Mapped[str] = mapped_column(String(120), unique=True)


class Skill(ReferenceMixin, db.Model):
    """Environnement / Compétences: a technical skill or environment of a contact."""

    label: Mapped[str] = mapped_column(String(120), unique=True)
    category_id: Mapped[int | None] = mapped_column(ForeignKey("skill_category.id", ondelete="RESTRICT"), index=True)
    category: Mapped[SkillCategory | None] = relationship()


class MailingList(ReferenceMixin, db.Model):
    """Liste de diffusion held by an e-mailing provider (Mailjet...)."""

    __tablename__ = "mailing_list"
    provider: Mapped[str] = mapped_column(String(60), default="Mailjet")
    external_id: Mapped[str | None] = mapped_column(String(120))

    @property
    def full_label(self) -> str:
        return f"{self.provider} - {self.label}"


class TaskType(ReferenceMixin, db.Model):
    """Type de tâche (Rendez-vous, Appel, E-mail...)."""

    __tablename__ = "task_type"
    label: Mapped[str] = mapped_column(String(120), unique=True)
