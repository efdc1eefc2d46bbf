"""Every write to a contact: create, update (refused when stale), delete (only when unused), all audited.

write_contact() is the one entry for every channel (form, inline cell, imports, CLI...): it checks plain values
with the field rules of webapp/rules.py and answers with structured problems, which each channel words its way."""
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from flask_babel import ngettext
from sqlalchemy import func, literal, select, union_all
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from .. import rules, unit_of_work
from ..extensions import db
from ..models import (AuditEntry, Client, Contact, ContactLink, ContactPhoto, Deal, Opportunity, Proposal, Task,
                      User)
from ..models.types import utcnow
from ..rules import Problem
from ..scope import client_visible
from ..text import fold
from .audit import _text as audit_text  # the merge compares values as the audit trail wrote them
from . import duplicates
from .audit import record_changes, record_created, record_deleted
from .photos import ProcessedPhoto

# The columns a form, an import or a bulk action may write; nothing else ever comes from the outside.
FIELDS = ("client_id", "gender", "last_name", "first_name", "department_id", "function", "is_dpo", "is_rssi",
          "left_company", "owner_id", "email", "phone", "mobile", "fax", "street", "street2", "postal_code", "city",
          "country", "notes", "vcard_role", "categories", "birthday", "vcard_uid")
PHONES = ("phone", "mobile", "fax")
# The fields a contact's duplicate keys come from (models/contact_keys.duplicate_keys).
DUPLICATE_SOURCES = {"client_id", "last_name", "first_name", "email", "phone", "mobile", "country"}
# Text columns whose length the rules check (the others are ids, booleans, codes or dates; the e-mail rule checks
# the address's length itself).
_TEXT_FIELDS = tuple(name for name in FIELDS if name in rules.MAX_LENGTHS and name != "email")
KEEP = object()  # "leave the photo / links as they are"
# "Dupliquer le contact" copies every field but these (and the photo): they identify one person.
NOT_DUPLICATED = ("email", "vcard_uid")


class StaleContactError(Exception):
    """Someone saved the contact since this version was read."""

    def __init__(self, contact_id: int, changed: dict | None = None, theirs: frozenset = frozenset()):
        super().__init__(contact_id)
        self.contact_id = contact_id
        self.changed = changed or {}  # {field: value now} for each field both sides changed
        self.theirs = theirs  # every field saved by someone else since the version read (empty: unknown)


class ContactInUseError(Exception):
    """The contact is used (tasks, opportunities, proposals, deals) and cannot be deleted."""

    def __init__(self, usage: "Usage"):
        super().__init__(usage.reason)
        self.usage = usage


@dataclass
class Usage:
    tasks: int = 0
    opportunities: int = 0
    proposals: int = 0
    deals: int = 0

    @property
    def used(self) -> bool:
        return any((self.tasks, self.opportunities, self.proposals, self.deals))

    @property
    def reason(self) -> str:
        """"2 tâches, 1 opportunité" (empty when unused)."""
        parts = []
        if self.tasks:
            parts.append(ngettext("%(num)d tâche", "%(num)d tâches", self.tasks))
        if self.opportunities:
            parts.append(ngettext("%(num)d opportunité", "%(num)d opportunités", self.opportunities))
        if self.proposals:
            parts.append(ngettext("%(num)d proposition", "%(num)d propositions", self.proposals))
        if self.deals:
            parts.append(ngettext("%(num)d affaire", "%(num)d affaires", self.deals))
        return ", ".join(parts)


@dataclass
class LinkValue:
    kind: str
    url: str


@dataclass
class Changes:
    """What a save changed: {field: (old, new)}."""

    fields: dict = field(default_factory=dict)


def _normalise(contact: Contact) -> None:
    """Recompute the derived columns (keys, search text, E.164 phones) from the contact's values."""
    with db.session.no_autoflush:  # one UPDATE per save: an autoflush here would bump the version twice
        company = db.session.scalar(select(Client.name).where(Client.id == contact.client_id))
    contact.refresh_keys(company_name=company or "")


def _snapshot_links(links) -> str:
    return " | ".join(f"{link.kind}: {link.url}" for link in links)


def new_uid(rng=None) -> str:
    """A new contact's vCard UID (urn:uuid:...), from `rng` when given (demo data: the same for the same seed)."""
    value = uuid.UUID(int=rng.getrandbits(128), version=4) if rng is not None else uuid.uuid4()
    return f"urn:uuid:{value}"


def create_contact(values: dict, user_id: int | None, via: str, links: list[LinkValue] | None = None,
                   photo: ProcessedPhoto | None = None, skill_ids: list[int] | None = None) -> Contact:
    """Create a contact from checked values, with its vCard UID (a new one unless given); audited as one creation.

    Every contact has its UID from its creation on, whatever the channel (the bulk imports call new_uid too), so
    that an export only reads (migration 0012 gave one to the contacts created before)."""
    unknown = set(values) - set(FIELDS)
    if unknown:
        raise ValueError(f"not writable: {sorted(unknown)}")
    if not values.get("vcard_uid"):
        values = {**values, "vcard_uid": new_uid()}
    contact = Contact(**values, created_by_id=user_id, updated_by_id=user_id)
    contact.links = [ContactLink(kind=link.kind, url=link.url, position=i) for i, link in enumerate(links or [])]
    if photo:
        contact.photo = ContactPhoto(mime=photo.mime, data=photo.data, thumbnail=photo.thumbnail,
                                     width=photo.width, height=photo.height)
    if skill_ids:
        from ..models import Skill

        contact.skills = list(db.session.scalars(select(Skill).where(Skill.id.in_(skill_ids))))
    _normalise(contact)
    db.session.add(contact)
    db.session.flush()
    duplicates.refresh_keys([contact.id])
    record_created("contact", contact.id, {**values, "links": _snapshot_links(contact.links),
                                           "photo": "oui" if photo else None}, via, user_id)
    return contact


def update_contact(contact: Contact, values: dict, expected_version: int, user_id: int | None, via: str,
                   links=KEEP, photo=KEEP) -> Changes:
    """Apply changed values to a contact read at `expected_version`; StaleContactError when someone saved since.

    `photo` is a ProcessedPhoto, None to remove it, or KEEP; `links` a list of LinkValue or KEEP."""
    unknown = set(values) - set(FIELDS)
    if unknown:
        raise ValueError(f"not writable: {sorted(unknown)}")
    if contact.version != expected_version:
        values, links = _merged(contact, values, expected_version, links, photo)
        expected_version = contact.version
    with db.session.no_autoflush:  # one UPDATE (so one version step) per save, whatever is read meanwhile
        changes = {name: (getattr(contact, name), value) for name, value in values.items()
                   if getattr(contact, name) != value}
        for name, (_old, new) in changes.items():
            setattr(contact, name, new)
        if links is not KEEP:
            old_links = _snapshot_links(contact.links)
            new_links = _snapshot_links(links)
            if old_links != new_links:
                contact.links = [ContactLink(kind=link.kind, url=link.url, position=i)
                                 for i, link in enumerate(links)]
                changes["links"] = (old_links or None, new_links or None)
        if photo is not KEEP:
            if photo is None and contact.photo is not None:
                contact.photo = None
                changes["photo"] = ("oui", None)
            elif photo is not None:
                had_photo = contact.photo is not None
                if not had_photo:
                    contact.photo = ContactPhoto(mime=photo.mime, data=photo.data, thumbnail=photo.thumbnail,
                                                 width=photo.width, height=photo.height)
                else:
                    contact.photo.mime, contact.photo.data = photo.mime, photo.data
                    contact.photo.thumbnail, contact.photo.width, contact.photo.height = (
                        photo.thumbnail, photo.width, photo.height)
                changes["photo"] = ("oui" if had_photo else None, "nouvelle photo")
    if not changes:
        return Changes()
    _normalise(contact)
    contact.updated_at = utcnow()  # always touch the row: the version moves even when only links changed
    contact.updated_by_id = user_id
    try:
        db.session.flush()
    except StaleDataError as error:
        unit_of_work.rollback()  # a failed flush leaves the session unusable: the unit of work is abandoned
        raise StaleContactError(contact.id) from error
    if changes.keys() & DUPLICATE_SOURCES:
        duplicates.refresh_keys([contact.id])
    record_changes("contact", contact.id, changes, via, user_id)
    return Changes(changes)


def changed_since(contact_id: int, version: int, current: int) -> dict[str, str | None] | None:
    """The fields saved since `version`, each with its value (audit text) at that version; None when the audit
    trail cannot tell (a version from the future, or fewer audited saves than version steps)."""
    steps = current - version
    if version < 1 or steps < 1:
        return None
    entries = db.session.scalars(select(AuditEntry).where(
        AuditEntry.record_type == "contact", AuditEntry.record_id == contact_id, AuditEntry.action == "update")
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(50 * steps)).all()
    saves = sorted({entry.at for entry in entries}, reverse=True)[:steps]
    if len(saves) < steps:
        return None
    base: dict[str, str | None] = {}
    for entry in reversed(entries):  # oldest first: the first save of a field after `version` holds its base
        if entry.at in saves:
            base.setdefault(entry.field, entry.old_value)
    return base


def _merged(contact: Contact, values: dict, version: int, links, photo) -> tuple[dict, Any]:
    """A three-way merge of a save started from an older `version`: the values the user left as they were give way
    to what others saved since; StaleContactError names each field both changed (or the save, when unknowable)."""
    base = changed_since(contact.id, version, contact.version)
    if base is None:
        raise StaleContactError(contact.id)
    merged, conflicts = {}, {}
    for name, value in values.items():
        current = getattr(contact, name)
        if name not in base or value == current:
            merged[name] = value
        elif (audit_text(value) or None) != (base[name] or None):  # both changed it, differently
            conflicts[name] = current
    if links is not KEEP and "links" in base:
        links = _merged_links(base["links"], links, contact.links)
    if photo is not KEEP and "photo" in base:
        conflicts["photo"] = "oui" if contact.photo else None
    if conflicts:
        raise StaleContactError(contact.id, conflicts, frozenset(base))
    return merged, links


def duplicated_values(source: Contact) -> dict:
    """The values a copy of the contact starts from: every writable field but the e-mail and the vCard UID."""
    return {name: getattr(source, name) for name in FIELDS if name not in NOT_DUPLICATED}


def _merged_links(base: str | None, mine: list[LinkValue], current) -> Any:
    """The contact's links now, less those the user removed and plus those the user added relative to the links
    at the version the user read (`base`, as the audit trail wrote them); KEEP when that changes nothing."""
    started = set(_parsed_links(base))
    wanted = [(link.kind, link.url) for link in mine]
    removed = started - set(wanted)
    now = [(link.kind, link.url) for link in current]
    merged = [link for link in now if link not in removed]
    merged += [link for link in dict.fromkeys(wanted) if link not in started and link not in merged]
    return KEEP if merged == now else [LinkValue(kind, url) for kind, url in merged]


def _parsed_links(snapshot: str | None) -> list[tuple[str, str]]:
    """Links as _snapshot_links wrote them ("kind: url | kind: url") back into (kind, url) pairs."""
    pairs = (part.split(": ", 1) for part in (snapshot or "").split(" | "))
    return [(pair[0], pair[1]) for pair in pairs if len(pair) == 2]


def usage_of(contact_ids: list[int]) -> dict[int, Usage]:
    """How each contact is used (tasks, opportunities, proposals, deals), in one statement."""
    if not contact_ids:
        return {}
    parts = [select(literal(kind).label("kind"), model.contact_id, func.count().label("n"))
             .where(model.contact_id.in_(contact_ids)).group_by(model.contact_id)
             for kind, model in (("tasks", Task), ("opportunities", Opportunity), ("proposals", Proposal),
                                 ("deals", Deal))]
    usage = {contact_id: Usage() for contact_id in contact_ids}
    for kind, contact_id, count in db.session.execute(union_all(*parts)):
        setattr(usage[contact_id], kind, count)
    return usage


def delete_contact(contact: Contact, user_id: int | None, via: str) -> None:
    """Delete an unused contact (its links, photo and subscriptions go with it); ContactInUseError otherwise."""
    usage = usage_of([contact.id])[contact.id]
    if usage.used:
        raise ContactInUseError(usage)
    record_deleted("contact", contact.id, {name: getattr(contact, name) for name in FIELDS}, via, user_id)
    keys = duplicates.keys_of([contact.id])
    db.session.delete(contact)
    db.session.flush()
    duplicates.recount(keys)


def email_taken_by(email: str | None, exclude_id: int | None = None) -> Contact | None:
    """The other contact already using this e-mail (ignoring case), if any."""
    key = fold(email)
    if not key:
        return None
    query = select(Contact).where(Contact.email_key == key)
    if exclude_id:
        query = query.where(Contact.id != exclude_id)
    return db.session.scalars(query.limit(1)).first()


def same_name_at_client(client_id: int, last_name: str, first_name: str,
                        exclude_id: int | None = None) -> list[Contact]:
    """Contacts of the same account with the same first and last name, ignoring case and accents."""
    query = select(Contact).where(Contact.client_id == client_id, Contact.last_name_key == fold(last_name),
                                  Contact.first_name_key == fold(first_name))
    if exclude_id:
        query = query.where(Contact.id != exclude_id)
    return list(db.session.scalars(query.limit(5)))


@dataclass
class WriteResult:
    """What write_contact did: the contact and its changes, or the problems that kept anything from being written."""

    contact: Contact | None = None
    changes: dict = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)

    @property
    def saved(self) -> bool:
        """Whether the values were written."""
        return not self.problems

    @property
    def stale(self) -> bool:
        """Whether someone saved the contact since the version the channel read."""
        return any(problem.code == "stale" for problem in self.problems)


def owner_problem(owner_id: int | None) -> Problem | None:
    """An "owner_unknown" problem unless the contact is left unassigned or given to an active user."""
    if owner_id is None or db.session.scalar(select(User.id).where(User.id == owner_id, User.active)):
        return None
    return Problem("owner_id", "owner_unknown")


def check_contact(values: Mapping[str, Any], actor: User | None, contact: Contact | None = None,
                  same_name_confirmed: bool = False) -> list[Problem]:
    """The problems of the values a channel wants to write (every field on a creation, the given ones on an update)."""
    problems = []
    exclude_id = contact.id if contact else None
    required = rules.REQUIRED if contact is None else [name for name in rules.REQUIRED if name in values]
    problems += [problem for name in required if (problem := rules.required_problem(name, values.get(name)))]
    problems += [problem for name in _TEXT_FIELDS if name in values
                 if (problem := rules.length_problem(name, values[name]))]
    if values.get("email"):
        if problem := rules.email_problem(values["email"]):
            problems.append(problem)
        elif other := email_taken_by(values["email"], exclude_id):
            problems.append(Problem("email", "email_taken", {"contact_id": other.id}))
    if client_id := values.get("client_id"):
        visible = select(Client.id).where(Client.id == client_id)
        if not db.session.scalar(visible.where(client_visible(actor)) if actor else visible):
            problems.append(Problem("client_id", "client_unknown"))
    if "owner_id" in values and (contact is None or values["owner_id"] != contact.owner_id):
        if problem := owner_problem(values["owner_id"]):
            problems.append(problem)
    names = {name: values.get(name, getattr(contact, name, None)) for name in ("client_id", "last_name", "first_name")}
    if not same_name_confirmed and names["client_id"] and (contact is None or values.keys() & names.keys()):
        namesakes = same_name_at_client(names["client_id"], names["last_name"] or "", names["first_name"] or "",
                                        exclude_id)
        if namesakes:
            problems.append(Problem("last_name", "same_name", {"contact_ids": [other.id for other in namesakes]}))
    return problems


def write_contact(values: Mapping[str, Any], actor: User | None, via: str, contact: Contact | None = None,
                  expected_version: int | None = None, links=KEEP, photo=KEEP, skill_ids: list[int] | None = None,
                  same_name_confirmed: bool = False) -> WriteResult:
    """Create (without `contact`) or update a contact from plain values; nothing is written on any problem."""
    if problems := check_contact(values, actor, contact, same_name_confirmed):
        return WriteResult(contact=contact, problems=problems)
    actor_id = actor.id if actor else None
    country = values.get("country", getattr(contact, "country", None))
    warnings = [problem for name in PHONES if name in values
                if (problem := rules.phone_problem(name, values[name], country))]
    contact_id, email = (contact.id, values.get("email", contact.email)) if contact else (None, values.get("email"))
    try:
        if contact is None:
            created = create_contact(dict(values), actor_id, via, links=None if links is KEEP else links,
                                     photo=None if photo in (KEEP, None) else photo, skill_ids=skill_ids)
            return WriteResult(contact=created, warnings=warnings)
        changes = update_contact(contact, dict(values), expected_version, actor_id, via, links=links, photo=photo)
    except IntegrityError:
        # The unique e-mail index (migration 0006): someone else wrote this address between the check and now.
        unit_of_work.rollback()
        if not (other := email_taken_by(email, contact_id)):
            raise
        return WriteResult(contact=contact, problems=[Problem("email", "email_taken", {"contact_id": other.id})])
    except StaleContactError as error:
        params = {"contact_id": contact.id}
        if error.changed:
            params.update(conflicts=error.changed, theirs=sorted(error.theirs))
        return WriteResult(contact=contact, problems=[Problem("version", "stale", params)])
    return WriteResult(contact=contact, changes=changes.fields, warnings=warnings)
