"""The add/edit workflow: the form's values and photo go to the contact service, its problems back onto the form."""
from dataclasses import dataclass, field

from flask import url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from markupsafe import Markup
from sqlalchemy import select

from ..extensions import db
from ..form_fields import local_today, parse_id
from ..models import AuditEntry, Contact, User
from ..problem_messages import message
from ..rules import Problem
from ..scope import contact_visible
from ..services.audit_words import TrailLine, trail_in_words, value_in_words
from ..services.contact_extras import copy_extras
from ..services.contacts import FIELDS, KEEP, check_contact, duplicated_values, write_contact
from ..services.photos import PhotoError, process_photo
from .forms import ContactForm


@dataclass
class Outcome:
    """What became of a save: saved (with warnings), invalid (errors are on the form) or in conflict."""

    contact: Contact | None = None
    warnings: list[str] = field(default_factory=list)
    conflict: list[TrailLine] | None = None
    same_name: list[Contact] = field(default_factory=list)

    @property
    def saved(self) -> bool:
        return self.contact is not None and self.conflict is None


def save_contact(form: ContactForm, user: User, contact: Contact | None, photo_file, via: str = "form") -> Outcome:
    """Check and save the form; on any problem the form carries the messages and nothing is written."""
    outcome = Outcome()
    values = form.values()
    source = duplicate_source(form, user) if contact is None else None
    skill_ids = None
    if source is not None:  # the values the form does not show come from the contact duplicated
        values = {**duplicated_values(source), **values}
        skill_ids = [skill.id for skill in source.skills]
    photo = KEEP
    if form.remove_photo.data:
        photo = None
    if photo_file and photo_file.filename:
        try:
            photo = process_photo(photo_file.read())
        except PhotoError as error:
            form.photo.errors.append(str(error))
    version = parse_version(form.version.data)
    confirmed = bool(form.confirm_same_name.data)
    if form.photo.errors:  # still show what the rules say of the other fields
        problems, result = check_contact(values, user, contact, confirmed), None
    else:
        result = write_contact(values, user, via, contact, version, links=form.link_values(), photo=photo,
                               skill_ids=skill_ids, same_name_confirmed=confirmed)
        problems = result.problems
    if result and result.stale:
        outcome.contact = db.session.get(Contact, contact.id)
        entries = changes_since(contact.id, version)
        _merge_into_form(form, outcome.contact, entries, result.problems[0].params, user)
        outcome.conflict = conflict_lines(entries, user)
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
    if source is not None:
        copy_extras(source, result.contact, local_today(), user.id, via)
    outcome.warnings = [message(problem) for problem in result.warnings]
    return outcome


def conflict_lines(entries: list[AuditEntry], user: User) -> list[TrailLine]:
    """The saves since the user's version as the conflict message shows them: names and labels, never ids or
    codes (the record's history's words)."""
    return trail_in_words(entries, user, _locale())


def readable(name: str | None, value, user: User) -> str:
    """A contact field's value in the same words (a salesperson's name, not an id; "Homme", not "M")."""
    return value_in_words(name, value, user, _locale())


def _locale() -> str:
    return str(get_locale() or "fr")


def duplicate_source(form: ContactForm, user: User) -> Contact | None:
    """The contact an add form copies ("Dupliquer le contact"), when the user may still see it."""
    source_id = parse_id(form.duplicate_of.data)
    if source_id is None:
        return None
    return db.session.scalars(select(Contact).where(Contact.id == source_id, contact_visible(user))).first()


def parse_version(raw) -> int:
    """The version a form or a cell was read at; -1 (never the current one) for anything but a small number."""
    text = str(raw or "").strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) < 10 else -1


def _merge_into_form(form: ContactForm, contact: Contact, entries: list[AuditEntry], params: dict,
                     user: User) -> None:
    """After a three-way merge found fields both sides changed: the form takes what others saved in the fields
    the user left alone (so saving again keeps it), and each field both changed says what it holds now."""
    conflicts = params.get("conflicts", {})
    for name in set(params.get("theirs", ())) - set(conflicts):
        if name in FIELDS and name in form:
            form[name].data = getattr(contact, name)
    saved = {entry.field: entry.new_value for entry in reversed(entries)}  # the latest save of each field
    for name in conflicts:
        if name in form:
            form[name].errors.append(_("Modifié entre-temps : « %(current)s ». Gardez votre valeur ou reprenez "
                                       "celle-ci, puis enregistrez.", current=readable(name, saved.get(name), user)))


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
