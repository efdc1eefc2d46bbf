"""The add/edit workflow: checks that need the database (account, duplicates, photo), then the service call."""
from dataclasses import dataclass, field

from flask import url_for
from flask_babel import gettext as _
from markupsafe import Markup
from sqlalchemy import select

from ..extensions import db
from ..models import AuditEntry, Client, Contact, User
from ..scope import client_visible, contact_visible
from ..services.contacts import (KEEP, StaleContactError, create_contact, email_taken_by, same_name_at_client,
                                 update_contact)
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
    exclude_id = contact.id if contact else None
    if values["client_id"] and not db.session.scalar(
            select(Client.id).where(Client.id == values["client_id"], client_visible(user))):
        form.client_id.errors.append(_("Ce compte client n'existe pas ou ne vous est pas accessible."))
    if other := email_taken_by(values["email"], exclude_id):
        message = _("Cette adresse e-mail est déjà celle d'un autre contact.")
        if db.session.scalar(select(1).where(Contact.id == other.id, contact_visible(user))):
            message = Markup('{} <a href="{}">{}</a>').format(
                message, url_for("contacts.show", contact_id=other.id), other.display_name)
        form.email.errors.append(message)
    photo = KEEP
    if form.remove_photo.data:
        photo = None
    if photo_file and photo_file.filename:
        try:
            photo = process_photo(photo_file.read())
        except PhotoError as error:
            form.photo.errors.append(str(error))
    if values["client_id"] and not form.confirm_same_name.data:
        outcome.same_name = same_name_at_client(values["client_id"], values["last_name"] or "",
                                                values["first_name"] or "", exclude_id)
    if form.errors or any(f.errors for f in form) or outcome.same_name:
        return outcome
    outcome.warnings = list(form.phone_warnings().values())
    try:
        if contact is None:
            outcome.contact = create_contact(values, user.id, via, links=form.link_values(),
                                             photo=None if photo in (KEEP, None) else photo)
        else:
            update_contact(contact, values, int(form.version.data or 0), user.id, via,
                           links=form.link_values(), photo=photo)
            outcome.contact = contact
        db.session.commit()
    except StaleContactError:
        db.session.rollback()
        outcome.contact = db.session.get(Contact, exclude_id)
        outcome.conflict = changes_since(exclude_id, int(form.version.data or 0))
    return outcome


def changes_since(contact_id: int, version: int) -> list[AuditEntry]:
    """The audit entries written after the version the user started from (newest saves first)."""
    updates = db.session.scalars(select(AuditEntry).where(
        AuditEntry.record_type == "contact", AuditEntry.record_id == contact_id, AuditEntry.action == "update")
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(50)).all()
    current = db.session.scalar(select(Contact.version).where(Contact.id == contact_id)) or version
    saves = sorted({entry.at for entry in updates}, reverse=True)[:max(0, current - version)]
    return [entry for entry in updates if entry.at in saves]
