"""The import's commit (vCard files or a spreadsheet): the preview's choices applied all at once, or not at all.

Updates go through update_contact and its version check; creations are written as batches of Core inserts with
the same derived columns and the same audit row as create_contact (one create_contact per card costs 0.8 ms of
ORM work, 4 s for a 5,000-card file: twice the whole budget; test_vcard_import checks both stay alike). Nothing is
committed here: the request's unit of work does; a conflict rolls back what was written before the preview is
shown again.
"""
import base64
import hashlib
import re
from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import delete, func, insert, select, text
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..models import (Client, Contact, ContactExtra, ContactLink, ContactPhoto, Department, ImportBatch, User,
                      client_entities)
from ..models.contact_keys import derived_columns
from ..models.types import utcnow
from ..rights import CLIENTS_EDIT
from ..rules import parse_id
from ..scope import client_visible, contact_visible
from ..text import fold
from ..unit_of_work import rollback
from .audit import bulk_rows, record_changes, record_created, snapshot
from . import duplicates
from .contacts import FIELDS, KEEP, LinkValue, StaleContactError, new_uid, update_contact
from .photos import ProcessedPhoto
from .vcard_batch import chunks
from .vcard_plan import CardPlan
from .import_choices import ImportChoices, load_choices
from .vcard_preview import Preview, Row, build_preview

__all__ = ["BatchGone", "ImportConflict", "ImportInvalid", "ImportReport", "commit_import"]


class ImportInvalid(Exception):
    """The choices cannot be applied as sent; the preview carries the messages. Nothing was written."""

    def __init__(self, preview: Preview):
        super().__init__(preview.message)
        self.preview = preview


class ImportConflict(ImportInvalid):
    """A contact to update was saved by someone since the preview. Nothing was written."""


class BatchGone(Exception):
    """The batch was committed or cancelled meanwhile (a second click, another tab)."""


@dataclass
class ImportReport:
    """What the import did, counted."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    errors: int = 0
    clients: int = 0

    def summary(self) -> str:
        """ "12 créés, 3 mis à jour, 2 ignorés, 1 erreur" """
        # ngettext with the catalog's plural rule: French says "0 créé", English "0 created".
        updated = ngettext("%(count)d mis à jour", "%(count)d mis à jour", self.updated + self.unchanged,
                           count=self.updated + self.unchanged)
        if self.unchanged:
            updated += " " + ngettext("(dont %(count)d sans changement)", "(dont %(count)d sans changement)",
                                      self.unchanged, count=self.unchanged)
        parts = [ngettext("%(count)d créé", "%(count)d créés", self.created, count=self.created), updated,
                 ngettext("%(count)d ignoré", "%(count)d ignorés", self.skipped, count=self.skipped),
                 ngettext("%(count)d erreur", "%(count)d erreurs", self.errors, count=self.errors)]
        if self.clients:
            parts.append(ngettext("%(count)d compte client créé", "%(count)d comptes clients créés", self.clients,
                                  count=self.clients))
        return ", ".join(parts)


# An update as checked: (row, contact id, version read at preview time).
Update = tuple[Row, int, int]


def commit_import(batch: ImportBatch, user: User, chosen: ImportChoices | None = None) -> ImportReport:
    """Write the cards as chosen on the preview (`chosen`, else the choices saved in the batch): everything is
    written, or nothing (ImportInvalid, ImportConflict, BatchGone); the caller's unit of work commits."""
    chosen = load_choices(batch) if chosen is None else chosen
    preview = build_preview(batch, user, chosen)
    targets = _resolve_groups(preview, user)
    updates = _check_updates(preview, chosen, user)
    if preview.has_errors:
        raise ImportInvalid(_invalid_preview(batch, user, chosen))
    report = ImportReport(skipped=sum(1 for r in preview.rows if r.status != "error" and r.choice == "skip"),
                          errors=sum(1 for r in preview.rows if r.status == "error"))
    try:
        _write(batch, preview, targets, updates, user, report)
    except StaleContactError as error:
        rollback()  # what was written before the conflict must not show in the preview shown again
        raise ImportConflict(_conflict_preview(batch, user, chosen, [error.contact_id])) from None
    except BatchGone:
        rollback()
        raise
    return report


def _write(batch: ImportBatch, preview: Preview, targets: dict, updates: list[Update], user: User,
           report: ImportReport) -> None:
    """Drop the batch, create the accounts, create and update the contacts."""
    # The batch goes first: a second click (or tab) waits on this row, then finds nothing to import.
    if db.session.execute(delete(ImportBatch).where(ImportBatch.id == batch.id)).rowcount != 1:
        raise BatchGone()
    clients = _create_clients(preview, targets, user, report)
    departments = {fold(label): id_ for id_, label in db.session.execute(
        select(Department.id, Department.label).where(Department.active.is_(True)).order_by(Department.position))}
    creations = [row for row in preview.rows if row.status != "error" and row.choice == "create"]
    _create_contacts(creations, clients, departments, user, report, preview.via)
    _update_contacts(updates, clients, departments, user, report, preview.via)


def _invalid_preview(batch: ImportBatch, user: User, chosen: ImportChoices) -> Preview:
    """The preview again, with the user's choices, showing the cards to review and what is wrong with them."""
    preview = build_preview(batch, user, chosen, status="review")
    _resolve_groups(preview, user)
    _check_updates(preview, chosen, user)
    preview.message = _("Certains choix sont à revoir : rien n'a été importé.")
    return preview


def _resolve_groups(preview: Preview, user: User) -> dict[int, int | str]:
    """Each group's account: an id, or "new"; errors go on the groups that cards to create need."""
    needed = {row.group for row in preview.rows if row.choice == "create"}
    used = needed | {row.group for row in preview.rows if row.choice == "update"}
    targets: dict[int, int | str] = {}
    for group in preview.groups:
        if group.index not in used:
            continue
        if group.other:  # a name typed in the "another account" box wins over the list
            target, group.error = _client_by_name(group.other, user)
        else:
            target, group.error = _listed_client(group.value, bool(group.key), user)
        if target is not None:
            targets[group.index] = target
        elif group.error is None and group.index in needed:
            group.error = (_("Choisissez un compte pour ces fiches, ou ignorez-les.") if group.key else
                           _("Ces fiches n'indiquent pas de société : saisissez le compte où les créer, ou "
                             "ignorez-les."))
    return targets


def _listed_client(value: str, has_org: bool, user: User) -> tuple[int | str | None, str | None]:
    """(account id or "new", None) for the value chosen in a group's list, or (None, why not); (None, None) when
    nothing usable was chosen."""
    if value.isdigit():
        client_id = parse_id(value)
        if client_id and db.session.scalar(select(Client.id).where(Client.id == client_id, client_visible(user))):
            return client_id, None
        return None, _("Ce compte n'existe pas ou ne vous est pas accessible.")
    if value == "new" and has_org and user.can(CLIENTS_EDIT):
        return "new", None
    return None, None


def _client_by_name(typed: str, user: User) -> tuple[int | None, str | None]:
    """(a visible account's id, None) from a typed name ("Acme", or "Acme (n° 12)" as the suggestions write it),
    or (None, why not)."""
    numbered = re.search(r"\(n° (\d+)\)\s*$", typed)
    query = select(Client.id).where(client_visible(user)).limit(2)
    if numbered:
        ids = db.session.scalars(query.where(Client.id == int(numbered.group(1)))).all()
    else:
        ids = db.session.scalars(query.where(Client.name_key == fold(typed))).all()
    if len(ids) == 1:
        return ids[0], None
    if ids:
        return None, _("Plusieurs comptes portent ce nom : choisissez-le parmi les suggestions.")
    return None, _("Aucun compte accessible ne porte ce nom.")


def _check_updates(preview: Preview, chosen: ImportChoices, user: User) -> list[Update]:
    """Each card to update with the contact and version the preview showed (the one it shows now for a card the
    user did not choose on its page); the contact must still be one the user sees (errors go on the rows)."""
    sent = []
    for row in preview.rows:
        if row.choice != "update":
            continue
        contact = chosen.contacts.get(row.card.index) or row.contact
        if contact is None:
            row.error = _("Le contact correspondant a changé depuis l'aperçu : vérifiez ce choix.")
            continue
        sent.append((row, *contact))
    visible = set()
    for chunk in chunks(sent):
        visible.update(db.session.scalars(select(Contact.id).where(
            Contact.id.in_([contact_id for _r, contact_id, _v in chunk]), contact_visible(user))))
    for row, contact_id, _version in sent:
        if contact_id not in visible:
            row.error = _("Le contact à mettre à jour n'existe plus ou ne vous est pas accessible.")
    return [update for update in sent if update[1] in visible]


def _conflict_preview(batch: ImportBatch, user: User, chosen: ImportChoices, stale: list[int]) -> Preview:
    """The preview again, with fresh versions and the user's choices, saying which contacts moved (a choice to
    update one of them now names its new version)."""
    batch = db.session.get(ImportBatch, batch.id) or batch
    for index, (contact_id, _version) in list(chosen.contacts.items()):
        if contact_id in stale:
            del chosen.contacts[index]
    preview = build_preview(batch, user, chosen, status="duplicate")
    for row in preview.rows:
        if row.choice == "update" and row.contact and row.contact[0] in stale:
            chosen.contacts[row.card.index] = row.contact
    names = db.session.scalars(select(Contact.last_name + " " + Contact.first_name)
                               .where(Contact.id.in_(stale[:5]))).all()
    preview.message = _("Entre l'aperçu et l'import, quelqu'un a modifié %(names)s : rien n'a été importé. "
                        "Vérifiez l'aperçu mis à jour, puis importez à nouveau.",
                        names=", ".join(names) or _("un contact"))
    return preview


def _create_clients(preview: Preview, targets: dict, user: User, report: ImportReport) -> dict[int, int]:
    """The accounts chosen or to be created, by group; new ones get the user's entities and are audited."""
    clients: dict[int, int] = {}
    entity_ids = [entity.id for entity in user.entities]
    for group in preview.groups:
        target = targets.get(group.index)
        if target == "new":
            account = Client(owner_id=user.id)
            account.set_name(group.org)
            db.session.add(account)
            db.session.flush()
            if entity_ids:
                db.session.execute(insert(client_entities), [{"client_id": account.id, "entity_id": entity_id}
                                                             for entity_id in entity_ids])
            record_created("client", account.id, {"name": account.name, "owner_id": user.id}, preview.via,
                           user.id)
            clients[group.index] = account.id
            report.clients += 1
        elif target is not None:
            clients[group.index] = target
    return clients


def _department(plan: CardPlan, departments: dict[str, int]) -> int | None:
    """The active service named by the card's first unit that names one."""
    for unit in plan.units:
        if (found := departments.get(fold(unit))) is not None:
            return found
    return None


def _values(plan: CardPlan) -> dict:
    """The card's contact columns, with the birthday as a date."""
    values = {name: value for name, value in plan.values.items() if name in FIELDS}
    if values.get("birthday"):
        values["birthday"] = date.fromisoformat(values["birthday"])
    return values


def plan_photo(plan: CardPlan) -> ProcessedPhoto | None:
    """The card's processed photo, decoded from the batch."""
    if not plan.photo:
        return None
    p = plan.photo
    return ProcessedPhoto(data=base64.b64decode(p["data"]), thumbnail=base64.b64decode(p["thumbnail"]),
                          mime=p["mime"], width=p["width"], height=p["height"])


# Every column an imported contact row carries (Core inserts need the same keys on every row).
_ROW_DEFAULTS = {**{name: None for name in FIELDS}, "is_dpo": False, "is_rssi": False, "left_company": False,
                 "phone_e164": None, "mobile_e164": None, "fax_e164": None, "email_key": None, "company_key": "",
                 "last_name_key": "", "first_name_key": "", "search_text": "", "version": 1}


def _keep_email_keys_unique(records: list[dict]) -> None:
    """A card created although its e-mail is already a contact's (the user's choice on the preview) keeps the
    e-mail but not its key: one contact per key (migration 0006), like the duplicates kept by that upgrade."""
    keys = {record["email_key"] for record in records if record["email_key"]}
    taken = set(db.session.scalars(select(Contact.email_key).where(Contact.email_key.in_(keys)))) if keys else set()
    for record in records:
        if record["email_key"] in taken:
            record["email_key"] = None
        elif record["email_key"]:
            taken.add(record["email_key"])


def _create_contacts(rows: list[Row], clients: dict[int, int], departments: dict[str, int], user: User,
                     report: ImportReport, via: str) -> None:
    """Insert the new contacts WRITE_BATCH at a time, with their links, photos and extras; one audit row each,
    the same as create_contact writes."""
    names = dict(db.session.execute(select(Client.id, Client.name)
                                    .where(Client.id.in_(sorted(set(clients.values()))))).all())
    now = utcnow()
    for chunk in chunks(rows):
        ids = _reserve_contact_ids(len(chunk))
        records, links, photos, extras, audit = [], [], [], [], []
        for contact_id, row in zip(ids, chunk):
            plan = row.card
            values = _values(plan)
            values.update(client_id=clients[row.group], department_id=_department(plan, departments),
                          owner_id=user.id, vcard_uid=values.get("vcard_uid") or new_uid())
            record = {**_ROW_DEFAULTS, **values, "id": contact_id, "created_at": now, "updated_at": now,
                      "created_by_id": user.id, "updated_by_id": user.id}
            records.append({**record, **derived_columns(record, names.get(values["client_id"], ""))})
            links += [{"contact_id": contact_id, "kind": kind, "url": url, "position": i}
                      for i, (kind, url) in enumerate(plan.links)]
            extras += [{"contact_id": contact_id, "kind": kind, "label": label, "value": value, "position": i}
                       for i, (kind, label, value) in enumerate(plan.extras)]
            photo = plan_photo(plan)
            if photo:
                photos.append({"contact_id": contact_id, "mime": photo.mime, "data": photo.data,
                               "thumbnail": photo.thumbnail, "width": photo.width, "height": photo.height,
                               "updated_at": now})
            audit.append(_created_audit_row(contact_id, values, plan, photo is not None, user, now, via))
        _keep_email_keys_unique(records)
        for table, table_rows in ((Contact.__table__, records), (ContactLink.__table__, links),
                                  (ContactExtra.__table__, extras), (ContactPhoto.__table__, photos)):
            if table_rows:
                db.session.execute(insert(table), table_rows)
        duplicates.add_keys(records)
        bulk_rows(audit)
        report.created += len(ids)


def _created_audit_row(contact_id: int, values: dict, plan: CardPlan, has_photo: bool, user: User,
                       now: datetime, via: str) -> dict:
    """record_created's row for a new contact, to be written with the others in one INSERT."""
    values = {**values, "links": " | ".join(f"{kind}: {url}" for kind, url in plan.links),
              "photo": "oui" if has_photo else None, "extras": _extras_text(plan.extras) or None}
    return {"at": now, "user_id": user.id, "via": via, "action": "create", "record_type": "contact",
            "record_id": contact_id, "field": None, "old_value": None, "new_value": snapshot(values)}


def _reserve_contact_ids(n: int) -> list[int]:
    """Ids for n new contacts, so rows, links, photos and audit go in as plain batches (with RETURNING in order,
    SQLite would insert one row at a time). PostgreSQL: from the id sequence. SQLite: after the largest, which
    no one else can take meanwhile: the commit's first write (the batch's deletion) holds the database's lock."""
    if db.session.get_bind().dialect.name == "postgresql":
        return list(db.session.scalars(text(
            "SELECT nextval(pg_get_serial_sequence('contact', 'id')) FROM generate_series(1, :n)"), {"n": n}))
    start = (db.session.scalar(select(func.max(Contact.id))) or 0) + 1
    return list(range(start, start + n))


def same_photo(stored: ContactPhoto | None, photo: dict) -> bool:
    """The card's photo is the stored one: our own export (same bytes), or the same file imported again (the
    re-encoding gives the same bytes)."""
    if stored is None:
        return False
    return hashlib.sha256(stored.data).hexdigest() == photo["sha"] or base64.b64encode(stored.data).decode(
        "ascii") == photo["data"]


def _extras_text(extras) -> str:
    """Extras as the history shows them: "kind (label): value | ..."."""
    return " | ".join(f"{kind}{' (' + label + ')' if label else ''}: {value}" for kind, label, value in extras)


def _update_contacts(updates: list[Update], clients: dict[int, int], departments: dict[str, int], user: User,
                     report: ImportReport, via: str) -> None:
    """Apply each card's non-empty values to its contact through update_contact (merged with what others saved
    since the preview, StaleContactError on a field both changed); links and
    extras the contact lacks are added, nothing is removed; a photo identical to the stored one is kept."""
    for chunk in chunks(updates):
        contacts = {c.id: c for c in db.session.scalars(
            select(Contact).where(Contact.id.in_([contact_id for _r, contact_id, _v in chunk]))
            .options(selectinload(Contact.links), selectinload(Contact.extras), selectinload(Contact.photo),
                     selectinload(Contact.client), selectinload(Contact.department)))}
        for row, contact_id, version in chunk:
            contact = contacts.get(contact_id)
            if contact is None:
                raise StaleContactError(contact_id)
            plan = row.card
            values = _update_values(contact, plan, clients.get(row.group), _department(plan, departments))
            known = {link.url for link in contact.links}
            added = [LinkValue(kind, url) for kind, url in plan.links if url not in known]
            links = [LinkValue(link.kind, link.url) for link in contact.links] + added if added else KEEP
            photo = plan_photo(plan) if plan.photo and not same_photo(contact.photo, plan.photo) else KEEP
            changes = update_contact(contact, values, version, user.id, via, links=links, photo=photo)
            new_extras = add_extras(contact, plan, user, via)
            if changes.fields or new_extras:
                report.updated += 1
            else:
                report.unchanged += 1
        db.session.flush()


def _update_values(contact: Contact, plan: CardPlan, target: int | None, department: int | None) -> dict:
    """The card's non-empty values for an existing contact: its UID stays if it has one; the account changes when
    the card names another company; the service when the contact is not in one the card names."""
    values = {name: value for name, value in _values(plan).items() if value not in (None, "")}
    if contact.vcard_uid:
        values.pop("vcard_uid", None)  # the UID it is known by elsewhere stays
    if target and plan.org and fold(plan.org) != contact.client.name_key:
        values["client_id"] = target
    units = {fold(unit) for unit in plan.units}
    # Two services may share a label: the one the contact is in already is kept.
    if department is not None and not (contact.department and fold(contact.department.label) in units):
        values["department_id"] = department
    return values


def add_extras(contact: Contact, plan: CardPlan, user: User, via: str) -> list:
    """The card's extras the contact lacks (same kind and value), added after its own and audited."""
    had = {(extra.kind, extra.value) for extra in contact.extras}
    new_extras = [extra for extra in plan.extras if (extra[0], extra[2]) not in had]
    if new_extras:
        old_text = _extras_text([(e.kind, e.label, e.value) for e in contact.extras]) or None
        start = len(contact.extras)
        for offset, (kind, label, value) in enumerate(new_extras):
            contact.extras.append(ContactExtra(kind=kind, label=label, value=value, position=start + offset))
        record_changes("contact", contact.id, {"extras": (old_text, _extras_text(
            [(e.kind, e.label, e.value) for e in contact.extras]))}, via, user.id)
    return new_extras
