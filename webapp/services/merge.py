"""Merging duplicate contacts into one, and undoing a merge for a while.

merge_contacts() runs in the caller's unit of work (one transaction): the survivor takes the chosen value of each
field (through update_contact, so its version and trail move as for any save), the others' tasks, opportunities,
proposals, deals, extra values and subscriptions move to it, their links, skills and photo are added to it, their
vCard UIDs become aliases of it, and they are deleted. What every contact held before is kept as JSON in
contact_merge, from which undo_merge() puts it all back (same ids) while UNDO_SECONDS last."""
import base64
import json
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, insert, select, update

from ..extensions import db
from ..models import (AuditEntry, Contact, ContactExtra, ContactLink, ContactMerge, ContactPhoto, ContactUidAlias,
                      Deal, DuplicateDismissal, MailingListSubscription, Opportunity, Proposal, Task, User,
                      contact_skills)
from ..models.types import utcnow
from ..scope import contact_visible
from . import duplicates
from .audit import snapshot as audit_snapshot
from .contacts import FIELDS, KEEP, LinkValue, changed_since, update_contact
from .photos import ProcessedPhoto

MIN_CONTACTS, MAX_CONTACTS = 2, 5
UNDO_SECONDS = 600
# The fields chosen one by one on the merge screen (the UID is the survivor's; the others' become its aliases).
MERGE_FIELDS = tuple(name for name in FIELDS if name != "vcard_uid") + ("photo",)
WORK = (("tasks", Task), ("opportunities", Opportunity), ("proposals", Proposal), ("deals", Deal))


class MergeRefused(Exception):
    """The merge cannot be done as asked (contacts out of sight, too few or too many, a bad choice)."""


class MergeConflict(Exception):
    """Contacts changed (or went) since the merge screen was read: [(name, [(field label, value now)])]."""

    def __init__(self, changes: list[tuple[str, list[tuple[str, Any]]]]):
        super().__init__("changed since read")
        self.changes = changes


def load(user: User, ids: list[int]) -> list[Contact]:
    """The contacts to merge, oldest first (the default survivor); MergeRefused unless 2 to 5 the user may see."""
    ids = list(dict.fromkeys(ids))
    if not MIN_CONTACTS <= len(ids) <= MAX_CONTACTS:
        raise MergeRefused("count")
    contacts = db.session.scalars(select(Contact).where(Contact.id.in_(ids), contact_visible(user))
                                  .order_by(Contact.created_at, Contact.id)).all()
    if len(contacts) != len(ids):
        raise MergeRefused("unknown")
    return list(contacts)


def _value(contact: Contact, name: str):
    if name == "photo":
        return contact.photo
    return getattr(contact, name)


def _empty(value) -> bool:
    return value is None or value == "" or value is False


def default_choices(contacts: list[Contact]) -> dict[str, int]:
    """For each field, the contact whose non-empty value changed last (its trail's last save of the field, else
    its creation; the photo's own date); the oldest contact when none has a value."""
    ids = [contact.id for contact in contacts]
    changed = {(record_id, name): at for record_id, name, at in db.session.execute(
        select(AuditEntry.record_id, AuditEntry.field, func.max(AuditEntry.at))
        .where(AuditEntry.record_type == "contact", AuditEntry.record_id.in_(ids), AuditEntry.action == "update")
        .group_by(AuditEntry.record_id, AuditEntry.field))}
    choices = {}
    for name in MERGE_FIELDS:
        holders = [contact for contact in contacts if not _empty(_value(contact, name))]
        if not holders:
            choices[name] = contacts[0].id
            continue

        def when(contact, name=name):
            if name == "photo":
                return contact.photo.updated_at
            return changed.get((contact.id, name), contact.created_at)

        choices[name] = max(holders, key=lambda contact: (when(contact), contact.id)).id
    return choices


def check_versions(contacts: list[Contact], versions: dict[int, int]) -> None:
    """MergeConflict naming, for each contact saved since the screen read it, the fields and their values now."""
    changes = []
    for contact in contacts:
        read = versions.get(contact.id)
        if read == contact.version:
            continue
        base = changed_since(contact.id, read, contact.version) if isinstance(read, int) else None
        fields = [(name, _value(contact, name) if name != "photo" else bool(contact.photo))
                  for name in (base or {}) if name in FIELDS or name in ("photo", "links")]
        changes.append((contact.display_name, fields))
    if changes:
        raise MergeConflict(changes)


@dataclass
class MergeResult:
    merge: ContactMerge
    survivor: Contact
    moved: dict = field(default_factory=dict)


def merge_contacts(user: User, ids: list[int], survivor_id: int, choices: dict[str, int],
                   versions: dict[int, int]) -> MergeResult:
    """Merge the contacts into `survivor_id`, each field taking the value of the contact `choices` names; all in
    the caller's transaction. MergeRefused or MergeConflict (someone saved one of them since `versions`)."""
    wanted = list(dict.fromkeys(ids))
    if not MIN_CONTACTS <= len(wanted) <= MAX_CONTACTS:
        raise MergeRefused("count")
    contacts = db.session.scalars(select(Contact).where(Contact.id.in_(wanted), contact_visible(user))
                                  .order_by(Contact.created_at, Contact.id).with_for_update()).all()
    if len(contacts) != len(wanted):  # gone since, or never in sight: the same answer either way (404)
        raise MergeRefused("unknown")
    check_versions(contacts, versions)
    by_id = {contact.id: contact for contact in contacts}
    if survivor_id not in by_id or any(source not in by_id for source in choices.values()):
        raise MergeRefused("choice")
    survivor = by_id[survivor_id]
    others = [contact for contact in contacts if contact.id != survivor_id]
    other_ids = [contact.id for contact in others]
    shot = {"survivor": _contact_state(survivor.id), "others": [_contact_state(c.id) for c in others]}
    merge = ContactMerge(survivor_id=survivor.id, user_id=user.id, merged_ids=",".join(map(str, other_ids)),
                         snapshot="{}")
    db.session.add(merge)
    db.session.flush()

    defaults = default_choices(contacts)
    picks = {name: choices.get(name, defaults[name]) for name in MERGE_FIELDS}
    values = {name: getattr(by_id[picks[name]], name) for name in MERGE_FIELDS if name != "photo"}
    photo = KEEP
    if picks["photo"] != survivor.id and by_id[picks["photo"]].photo is not None:
        source = by_id[picks["photo"]].photo
        photo = ProcessedPhoto(data=source.data, thumbnail=source.thumbnail, mime=source.mime, width=source.width,
                               height=source.height)
    links = [LinkValue(link.kind, link.url) for contact in [survivor, *others] for link in contact.links]
    links = list({(link.kind, link.url): link for link in links}.values())

    moved = _move_related(survivor.id, other_ids, merge.id)
    keys = duplicates.keys_of(other_ids)
    at = utcnow()
    db.session.execute(insert(AuditEntry), [
        {"at": at, "user_id": user.id, "via": "merge", "action": "delete", "record_type": "contact",
         "record_id": other.id, "old_value": audit_snapshot({**{name: getattr(other, name) for name in FIELDS},
                                                             "merged_into": f"{survivor.display_name} #{survivor.id}"})}
        for other in others])
    for other in others:
        db.session.expunge(other)
    db.session.execute(delete(Contact).where(Contact.id.in_(other_ids)).execution_options(synchronize_session=False))
    db.session.expire(survivor)
    survivor = db.session.get(Contact, survivor_id)
    update_contact(survivor, values, survivor.version, user.id, "merge",
                   links=links if [(l.kind, l.url) for l in survivor.links] != [(l.kind, l.url) for l in links]
                   else KEEP, photo=photo)
    duplicates.refresh_keys([survivor.id])
    duplicates.recount(keys)
    names = {contact_id: state["row"]["last_name"].upper() + " " + state["row"]["first_name"]
             for state in [shot["survivor"], *shot["others"]] for contact_id in [state["row"]["id"]]}
    record = {"merged": ", ".join(f"{names[i]} #{i}" for i in other_ids),
              **{name: f"{names[picks[name]]} #{picks[name]}" for name in MERGE_FIELDS
                 if picks[name] != survivor.id},
              "moved": _moved_words(moved)}
    db.session.add(AuditEntry(at=at, user_id=user.id, via="merge", action="merge", record_type="contact",
                              record_id=survivor.id, new_value=json.dumps(record, ensure_ascii=False)))
    shot.update(moved=moved, version_after=survivor.version, picks=picks)
    merge.snapshot = json.dumps(shot, ensure_ascii=False, default=_json_default)
    db.session.flush()
    return MergeResult(merge=merge, survivor=survivor, moved=moved)


def _move_related(survivor_id: int, other_ids: list[int], merge_id: int) -> dict:
    """Move the others' work, extra values and subscriptions to the survivor; add their skills; make their UIDs
    aliases. Returns what moved (ids), for the trail and the undo."""
    moved: dict[str, Any] = {}
    for kind, model in WORK:
        # [row id, contact it belonged to]: the undo gives each row back to its contact.
        moved[kind] = [list(pair) for pair in db.session.execute(
            select(model.id, model.contact_id).where(model.contact_id.in_(other_ids)).order_by(model.id))]
        if moved[kind]:
            db.session.execute(update(model).where(model.id.in_([row_id for row_id, _c in moved[kind]]))
                               .values(contact_id=survivor_id).execution_options(synchronize_session=False))
    top = db.session.scalar(select(func.coalesce(func.max(ContactExtra.position), -1))
                            .where(ContactExtra.contact_id == survivor_id))
    moved["extras"] = list(db.session.scalars(select(ContactExtra.id).where(ContactExtra.contact_id.in_(other_ids))
                                              .order_by(ContactExtra.contact_id, ContactExtra.position)))
    for offset, extra_id in enumerate(moved["extras"], start=top + 1):
        db.session.execute(update(ContactExtra).where(ContactExtra.id == extra_id)
                           .values(contact_id=survivor_id, position=offset)
                           .execution_options(synchronize_session=False))
    # Subscriptions: one per list, from its earliest date; an unsubscription anywhere is kept.
    subscriptions = db.session.execute(select(MailingListSubscription)
                                       .where(MailingListSubscription.contact_id.in_([survivor_id, *other_ids]))
                                       .order_by(MailingListSubscription.id)).scalars().all()
    kept: dict[int, MailingListSubscription] = {s.mailing_list_id: s for s in subscriptions
                                                if s.contact_id == survivor_id}
    moved["subscriptions"] = []
    for subscription in subscriptions:
        if subscription.contact_id == survivor_id:
            continue
        mine = kept.get(subscription.mailing_list_id)
        if mine is None:
            kept[subscription.mailing_list_id] = subscription
            subscription.contact_id = survivor_id
        else:
            mine.since = min(mine.since, subscription.since)
            if subscription.status == "unsubscribed":
                mine.status = "unsubscribed"
        moved["subscriptions"].append(subscription.mailing_list_id)
    db.session.flush()
    have = set(db.session.scalars(select(contact_skills.c.skill_id).where(contact_skills.c.contact_id == survivor_id)))
    theirs = set(db.session.scalars(select(contact_skills.c.skill_id)
                                    .where(contact_skills.c.contact_id.in_(other_ids))))
    moved["skills"] = sorted(theirs - have)
    if moved["skills"]:
        db.session.execute(insert(contact_skills), [{"contact_id": survivor_id, "skill_id": skill_id}
                                                    for skill_id in moved["skills"]])
    moved["aliases"] = {uid: contact_id for uid, contact_id in db.session.execute(
        select(ContactUidAlias.uid, ContactUidAlias.contact_id).where(ContactUidAlias.contact_id.in_(other_ids)))}
    db.session.execute(update(ContactUidAlias).where(ContactUidAlias.contact_id.in_(other_ids))
                       .values(contact_id=survivor_id).execution_options(synchronize_session=False))
    survivor_uid = db.session.scalar(select(Contact.vcard_uid).where(Contact.id == survivor_id))
    uids = {uid for uid in db.session.scalars(select(Contact.vcard_uid).where(Contact.id.in_(other_ids)))
            if uid and uid != survivor_uid and uid not in moved["aliases"]}
    if uids:
        db.session.execute(insert(ContactUidAlias), [{"uid": uid, "contact_id": survivor_id, "merge_id": merge_id}
                                                     for uid in sorted(uids)])
    moved["photos"] = len(list(db.session.scalars(select(ContactPhoto.contact_id)
                                                  .where(ContactPhoto.contact_id.in_(other_ids)))))
    return moved


def _moved_words(moved: dict) -> str:
    """"2 tasks, 1 deal…" as the trail keeps it (French, like every stored word of the trail)."""
    words = (("tasks", "tâche(s)"), ("opportunities", "opportunité(s)"), ("proposals", "proposition(s)"),
             ("deals", "affaire(s)"), ("subscriptions", "abonnement(s)"), ("skills", "compétence(s)"),
             ("extras", "autre(s) information(s)"))
    parts = [f"{len(moved[key])} {label}" for key, label in words if moved.get(key)]
    return ", ".join(parts) or "rien"


# ------------------------------------------------------------------------------------------------ snapshots

def _rows(model_or_table, column, contact_id: int) -> list[dict]:
    table = getattr(model_or_table, "__table__", model_or_table)
    return [dict(row._mapping) for row in db.session.execute(select(table).where(column == contact_id))]


def _contact_state(contact_id: int) -> dict:
    """Everything a contact holds, as rows of its tables (for the undo)."""
    return {
        "row": dict(db.session.execute(select(Contact.__table__).where(Contact.id == contact_id)).one()._mapping),
        "links": _rows(ContactLink, ContactLink.contact_id, contact_id),
        "extras": _rows(ContactExtra, ContactExtra.contact_id, contact_id),
        "photo": _rows(ContactPhoto, ContactPhoto.contact_id, contact_id),
        "skills": _rows(contact_skills, contact_skills.c.contact_id, contact_id),
        "subscriptions": _rows(MailingListSubscription, MailingListSubscription.contact_id, contact_id),
        "dismissals": [dict(row._mapping) for row in db.session.execute(select(DuplicateDismissal.__table__).where(
            (DuplicateDismissal.low_id == contact_id) | (DuplicateDismissal.high_id == contact_id)))],
    }


def _json_default(value):
    if isinstance(value, bytes):
        return {"__bytes__": base64.b64encode(value).decode("ascii")}
    if isinstance(value, datetime):
        return {"__datetime__": value.isoformat()}
    if isinstance(value, date):
        return {"__date__": value.isoformat()}
    raise TypeError(type(value).__name__)


def _json_object(value: dict):
    if "__bytes__" in value:
        return base64.b64decode(value["__bytes__"])
    if "__datetime__" in value:
        return datetime.fromisoformat(value["__datetime__"])
    if "__date__" in value:
        return date.fromisoformat(value["__date__"])
    return value


# ------------------------------------------------------------------------------------------------ the undo

class UndoRefused(Exception):
    """The merge can no longer be undone (too late, already undone, or the survivor saved since)."""


def undoable(merge: ContactMerge | None, now: datetime | None = None) -> bool:
    """Whether "Annuler la fusion" is still offered for this merge."""
    if merge is None or merge.undone_at is not None or merge.survivor_id is None:
        return False
    return (now or utcnow()) - merge.at <= timedelta(seconds=UNDO_SECONDS)


def latest_undoable(user: User, survivor_id: int) -> ContactMerge | None:
    """The last merge into this contact, if it may still be undone."""
    merge = db.session.scalars(select(ContactMerge).where(ContactMerge.survivor_id == survivor_id)
                               .order_by(ContactMerge.at.desc(), ContactMerge.id.desc()).limit(1)).first()
    return merge if undoable(merge) else None


def undo_merge(user: User, merge_id: int) -> Contact:
    """Put back every contact of the merge as it was before (same ids, values, photos, links, extra values,
    skills, subscriptions, work, UIDs); UndoRefused when too late or when the survivor was saved since."""
    merge = db.session.scalars(select(ContactMerge).where(ContactMerge.id == merge_id).with_for_update()).first()
    if not undoable(merge):
        raise UndoRefused("late")
    survivor = db.session.scalars(select(Contact).where(Contact.id == merge.survivor_id, contact_visible(user))
                                  .with_for_update()).first()
    if survivor is None:
        raise UndoRefused("unknown")
    shot = json.loads(merge.snapshot, object_hook=_json_object)
    if survivor.version != shot["version_after"]:
        raise UndoRefused("changed")
    before = shot["survivor"]
    others = shot["others"]
    values = {name: before["row"][name] for name in FIELDS}
    photo_rows = before["photo"]
    photo = (ProcessedPhoto(data=photo_rows[0]["data"], thumbnail=photo_rows[0]["thumbnail"],
                            mime=photo_rows[0]["mime"], width=photo_rows[0]["width"], height=photo_rows[0]["height"])
             if photo_rows else None)
    if photo_rows and survivor.photo is not None and survivor.photo.data == photo_rows[0]["data"]:
        photo = KEEP
    links = [LinkValue(row["kind"], row["url"]) for row in sorted(before["links"], key=lambda row: row["position"])]
    update_contact(survivor, values, survivor.version, user.id, "merge", links=links, photo=photo)
    db.session.flush()  # the survivor's e-mail key is its own again before the others come back
    # The merged contacts come back (deal_count 0: the deals moving back count themselves, by trigger).
    for state in others:
        db.session.execute(insert(Contact.__table__), [{**state["row"], "deal_count": 0}])
    for state in others:
        for key, table in (("links", ContactLink.__table__), ("photo", ContactPhoto.__table__),
                           ("skills", contact_skills)):
            if state[key]:
                db.session.execute(insert(table), state[key])
    moved = shot["moved"]
    for kind, model in WORK:
        for row_id, contact_id in moved[kind]:
            db.session.execute(update(model).where(model.id == row_id).values(contact_id=contact_id)
                               .execution_options(synchronize_session=False))
    for state in others:
        for extra in state["extras"]:
            db.session.execute(update(ContactExtra).where(ContactExtra.id == extra["id"])
                               .values(contact_id=extra["contact_id"], position=extra["position"])
                               .execution_options(synchronize_session=False))
    # Subscriptions: the survivor's as they were, the others' again.
    db.session.execute(delete(MailingListSubscription).where(MailingListSubscription.contact_id == survivor.id))
    rows = before["subscriptions"] + [row for state in others for row in state["subscriptions"]]
    if rows:
        db.session.execute(insert(MailingListSubscription.__table__), rows)
    db.session.execute(delete(contact_skills).where(contact_skills.c.contact_id == survivor.id))
    if before["skills"]:
        db.session.execute(insert(contact_skills), before["skills"])
    db.session.execute(delete(ContactUidAlias).where(ContactUidAlias.merge_id == merge.id))
    for uid, contact_id in moved["aliases"].items():
        db.session.execute(update(ContactUidAlias).where(ContactUidAlias.uid == uid).values(contact_id=contact_id))
    dismissals = {(row["low_id"], row["high_id"]): row for state in others for row in state["dismissals"]}
    present = set(db.session.scalars(select(Contact.id).where(Contact.id.in_(
        {i for pair in dismissals for i in pair}))))
    rows = [row for pair, row in dismissals.items() if set(pair) <= present]
    if rows:
        db.session.execute(insert(DuplicateDismissal.__table__), rows)
    restored_ids = [state["row"]["id"] for state in others]
    duplicates.refresh_keys([survivor.id, *restored_ids])
    at = utcnow()
    rows = [{"at": at, "user_id": user.id, "via": "merge", "action": "create", "record_type": "contact",
             "record_id": state["row"]["id"], "new_value": audit_snapshot(
                 {**{name: state["row"][name] for name in FIELDS}, "unmerged_from": f"#{survivor.id}"})}
            for state in others]
    rows.append({"at": at, "user_id": user.id, "via": "merge", "action": "unmerge", "record_type": "contact",
                 "record_id": survivor.id, "new_value": json.dumps(
                     {"unmerged": ", ".join(f"#{i}" for i in restored_ids)}, ensure_ascii=False)})
    db.session.execute(insert(AuditEntry), rows)
    merge.undone_at = at
    db.session.flush()
    return survivor
