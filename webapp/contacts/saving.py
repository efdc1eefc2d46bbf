"""The add/edit workflow: the form's values and photo go to the contact service, its problems back onto the form."""
from dataclasses import dataclass, field

from flask import url_for
from markupsafe import Markup
from sqlalchemy import select

from ..extensions import db
from ..models import AuditEntry, Contact, User
from ..problem_messages import message
from ..rules import Problem
from ..scope import contact_visible
from ..services.contacts import KEEP, check_contact, write_contact
from ..services.photos import PhotoError, process_photo
from .forms import ContactForm


@dataclass
class Outcome:
    """What became of a save: saved (with warnings), invalid (errors are on the form) or in conflict."""

    contact: Contact | None = None
    warnings: list[str] = field(default_factory=list)
    conflict: list[AuditEntry] | None = None
    same_name: list[Contact] = field(default_factory=list)

    @property
    def saved(self) -> bool:
        return self.contact is not None and self.conflict is None


def save_contact(form: ContactForm, user: User, contact: Contact | None, photo_file, via: str = "form") -> Outcome:
    """Check and save the form; on any problem the form carries the messages and nothing is written."""
    outcome = Outcome()
    values = form.values()
    photo = KEEP
    if form.remove_photo.data:
        photo = None
    if photo_file and photo_file.filename:
        try:
            photo = process_photo(photo_file.read())
        except PhotoError as error:
            form.photo.errors.append(str(error))
    version = int(form.version.data or 0)
    confirmed = bool(form.confirm_same_name.data)
    if form.photo.errors:  # still show what the rules say of the other fields
        problems, result = check_contact(values, user, contact, confirmed), None
    else:
        result = write_contact(values, user, via, contact, version, links=form.link_values(), photo=photo,
                               same_name_confirmed=confirmed)
        problems = result.problems
    if result and result.stale:
        outcome.contact = db.session.get(Contact, contact.id)
        outcome.conflict = changes_since(contact.id, version)
        return outcome
    for problem in problems:
        if problem.code == "same_name":  # not an error: the form asks to confirm it is another person
            outcome.same_name = list(db.session.scalars(select(Contact).where(
                Contact.id.in_(problem.params["contact_ids"]))))
        else:
            getattr(form, problem.field).errors.append(_problem_message(problem, user))
    if form.photo.errors or problems:
        return outcome
    outcome.contact = result.contact
    outcome.warnings = [message(problem) for problem in result.warnings]
    return outcome


def _problem_message(problem: Problem, user: User) -> str:
    """The problem's message; a taken e-mail links to the contact using it when the user may see that one."""
    text = message(problem)
    other_id = problem.params.get("contact_id") if problem.code == "email_taken" else None
    if other_id and db.session.scalar(select(1).where(Contact.id == other_id, contact_visible(user))):
        other = db.session.get(Contact, other_id)
        return Markup('{} <a href="{}">{}</a>').format(text, url_for("contacts.show", contact_id=other.id),
                                                       other.display_name)
    return text


def changes_since(contact_id: int, version: int) -> list[AuditEntry]:
    """The audit entries written after the version the user started from (newest saves first)."""
    updates = db.session.scalars(select(AuditEntry).where(
        AuditEntry.record_type == "contact", AuditEntry.record_id == contact_id, AuditEntry.action == "update")
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(50)).all()
    current = db.session.scalar(select(Contact.version).where(Contact.id == contact_id)) or version
    saves = sorted({entry.at for entry in updates}, reverse=True)[:max(0, current - version)]
    return [entry for entry in updates if entry.at in saves]
