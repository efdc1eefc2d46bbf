"""Mass actions on a selection of contacts: reassign (with undo), mailing lists, delete what may be deleted.

A selection is an id subquery (checked rows, or "every contact matching the filters" re-applied by the server),
always intersected with what the user may see. Reassignment and mailing-list changes are single set-based
statements in the request's one transaction (all or nothing), audit rows included; nothing loads the contacts as
objects, so 100,000 contacts cost a few statements and bounded memory. None of these columns feeds a derived one
(test_bulk_service checks they still equal derived_columns() after an update)."""
import json
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import Integer, String, cast, delete, exists, func, insert, literal, null, or_, select, update

from ..extensions import db
from ..models import (AuditEntry, Contact, Deal, MailingList, MailingListSubscription, Opportunity, Proposal, Task,
                      User)
from ..models.types import utcnow
from ..queries import ContactQuery
from ..scope import contact_visible
from . import duplicates
from .audit import bulk_rows
from .contacts import FIELDS, Usage

DELETE_BATCH = 500
NAMES_SHOWN = 50


@dataclass
class Selection:
    """The contacts a mass action applies to, and what was left out because the user may not see it."""

    ids: object  # a SELECT of contact ids
    count: int
    out_of_scope: int = 0


def resolve(user: User, ids: list[int] | None = None, query: ContactQuery | None = None) -> Selection:
    """Checked ids (those outside the user's entities are dropped and counted), or every contact matching `query`."""
    if query is not None:
        stmt = select(Contact.id).where(*query.conditions(user))
        return Selection(stmt, db.session.scalar(select(func.count()).select_from(stmt.subquery())))
    wanted = sorted({i for i in ids or [] if 0 < i < 2**31})
    stmt = select(Contact.id).where(Contact.id.in_(wanted), contact_visible(user))
    visible = db.session.scalar(select(func.count()).select_from(stmt.subquery())) if wanted else 0
    return Selection(stmt, visible, len(wanted) - visible)


def _audit_from_select(at: datetime, user_id: int, rows) -> None:
    """Audit rows computed by the database: `rows` selects (record_id, field, old_value, new_value)."""
    rows = rows.subquery()
    db.session.execute(insert(AuditEntry).from_select(
        ["at", "user_id", "via", "action", "record_type", "record_id", "field", "old_value", "new_value"],
        select(literal(at, AuditEntry.at.type), literal(user_id), literal("bulk"), literal("update"),
               literal("contact"), rows.c.record_id, rows.c.field, rows.c.old_value, rows.c.new_value)))


def _as_text(column):
    return cast(column, String)


@dataclass
class ReassignResult:
    changed: int
    at: datetime
    owner_id: int | None


def reassign(user: User, selection: Selection, owner_id: int | None) -> ReassignResult:
    """Give the selected contacts to `owner_id` (None: Non affecté) in one transaction; audited per contact."""
    at = utcnow()
    target = select(Contact.id).where(Contact.id.in_(selection.ids),
                                      Contact.owner_id.is_distinct_from(owner_id))
    changed = db.session.scalar(select(func.count()).select_from(target.subquery()))
    new_text = literal(str(owner_id) if owner_id else None, String)
    _audit_from_select(at, user.id, select(Contact.id.label("record_id"), literal("owner_id").label("field"),
                                           _as_text(Contact.owner_id).label("old_value"),
                                           new_text.label("new_value")).where(Contact.id.in_(target)))
    db.session.execute(update(Contact).where(Contact.id.in_(target))
        .values(owner_id=owner_id, version=Contact.version + 1, updated_at=at, updated_by_id=user.id)
        .execution_options(synchronize_session=False))
    return ReassignResult(changed, at, owner_id)


def undo_reassign(user: User, at: datetime, owner_id: int | None) -> int:
    """Give back their previous owner to the contacts of that reassignment still held by its new owner."""
    entries = (select(AuditEntry.record_id, AuditEntry.old_value)
               .where(AuditEntry.at == at, AuditEntry.user_id == user.id, AuditEntry.via == "bulk",
                      AuditEntry.field == "owner_id", AuditEntry.action == "update").subquery())
    still = select(entries.c.record_id).join(Contact, Contact.id == entries.c.record_id).where(
        Contact.owner_id.is_not_distinct_from(owner_id), contact_visible(user))
    now = utcnow()
    count = db.session.scalar(select(func.count()).select_from(still.subquery()))
    previous = select(cast(entries.c.old_value, Integer)).where(entries.c.record_id == Contact.id).scalar_subquery()
    _audit_from_select(now, user.id, select(
        Contact.id.label("record_id"), literal("owner_id").label("field"), _as_text(Contact.owner_id).label("old_value"),
        select(entries.c.old_value).where(entries.c.record_id == Contact.id).scalar_subquery().label("new_value"))
        .where(Contact.id.in_(still)))
    db.session.execute(update(Contact).where(Contact.id.in_(still))
                       .values(owner_id=previous, version=Contact.version + 1, updated_at=now, updated_by_id=user.id)
                       .execution_options(synchronize_session=False))
    return count


@dataclass
class SubscriptionResult:
    changed: int = 0
    already: int = 0
    kept_unsubscribed: int = 0
    without_email: list[str] = field(default_factory=list)
    without_email_count: int = 0


def change_subscriptions(user: User, selection: Selection, list_ids: list[int], subscribe: bool,
                         force: bool = False, since: date | None = None) -> SubscriptionResult:
    """Subscribe (or unsubscribe) the selected contacts to the lists, in one transaction.

    Contacts without an e-mail are skipped and named; a subscription keeps its "since" date; an earlier
    unsubscription is not overridden unless `force`."""
    since = since or date.today()
    result = SubscriptionResult()
    no_email = select(Contact.id).where(Contact.id.in_(selection.ids), or_(Contact.email.is_(None), Contact.email == ""))
    result.without_email_count = db.session.scalar(select(func.count()).select_from(no_email.subquery()))
    result.without_email = [f"{last.upper()} {first}" for last, first in db.session.execute(
        select(Contact.last_name, Contact.first_name).where(Contact.id.in_(no_email))
        .order_by(Contact.last_name_key).limit(NAMES_SHOWN))]
    with_email = select(Contact.id).where(Contact.id.in_(selection.ids), Contact.email.is_not(None),
                                          Contact.email != "")
    at = utcnow()
    lists = db.session.execute(select(MailingList.id, MailingList.provider, MailingList.label)
                               .where(MailingList.id.in_(list_ids))).all()
    for list_id, provider, label in lists:
        field_name = f"Liste de diffusion {provider} - {label}"[:60]
        sub = MailingListSubscription
        existing = select(sub.contact_id).where(sub.mailing_list_id == list_id)
        if subscribe:
            new = select(Contact.id).where(Contact.id.in_(with_email), Contact.id.not_in(existing))
            reopen = select(sub.contact_id).where(sub.mailing_list_id == list_id, sub.status == "unsubscribed",
                                                  sub.contact_id.in_(with_email))
            result.already += _count(select(sub.contact_id).where(
                sub.mailing_list_id == list_id, sub.status == "subscribed", sub.contact_id.in_(with_email)))
            if force:
                result.changed += _status_change(at, user, list_id, field_name, reopen, "unsubscribed",
                                                 "subscribed", since)
            else:
                result.kept_unsubscribed += _count(reopen)
            created = _count(new)
            _audit_from_select(at, user.id, select(Contact.id.label("record_id"), literal(field_name).label("field"),
                                                   null().label("old_value"),
                                                   literal("subscribed").label("new_value")).where(Contact.id.in_(new)))
            db.session.execute(insert(sub).from_select(
                ["contact_id", "mailing_list_id", "status", "since"],
                select(Contact.id, literal(list_id), literal("subscribed"), literal(since, sub.since.type))
                .where(Contact.id.in_(new))))
            result.changed += created
        else:
            leaving = select(sub.contact_id).where(sub.mailing_list_id == list_id, sub.status == "subscribed",
                                                   sub.contact_id.in_(selection.ids))
            result.changed += _status_change(at, user, list_id, field_name, leaving, "subscribed",
                                             "unsubscribed", since)
    return result


def _count(stmt) -> int:
    return db.session.scalar(select(func.count()).select_from(stmt.subquery()))


def _status_change(at, user, list_id, field_name, contact_ids, old, new, since) -> int:
    count = _count(contact_ids)
    sub = MailingListSubscription
    _audit_from_select(at, user.id, select(Contact.id.label("record_id"), literal(field_name).label("field"),
                                           literal(old).label("old_value"), literal(new).label("new_value"))
                       .where(Contact.id.in_(contact_ids)))
    db.session.execute(update(sub).where(sub.mailing_list_id == list_id, sub.contact_id.in_(contact_ids))
                       .values(status=new, since=since).execution_options(synchronize_session=False))
    return count


@dataclass
class DeleteResult:
    deleted: int = 0
    kept: list[tuple[int, str, str]] = field(default_factory=list)  # (id, "NOM Prénom", "2 tâches, 1 affaire")
    kept_count: int = 0


def delete_unused(user: User, selection: Selection) -> DeleteResult:
    """Delete the selected contacts that are unused; keep the others and say why, in one transaction."""
    result = DeleteResult()
    counters = {kind: select(func.count()).where(model.contact_id == Contact.id).correlate(Contact)
                .scalar_subquery() for kind, model in (("tasks", Task), ("opportunities", Opportunity),
                                                        ("proposals", Proposal), ("deals", Deal))}
    used = or_(*(exists().where(model.contact_id == Contact.id) for model in (Task, Opportunity, Proposal, Deal)))
    kept = select(Contact.id).where(Contact.id.in_(selection.ids), used)
    result.kept_count = _count(kept)
    for row in db.session.execute(select(Contact.id, Contact.last_name, Contact.first_name, *counters.values())
                                  .where(Contact.id.in_(kept)).order_by(Contact.last_name_key)
                                  .limit(NAMES_SHOWN)):
        usage = Usage(*row[3:])
        result.kept.append((row.id, f"{row.last_name.upper()} {row.first_name}", usage.reason))
    deletable = list(db.session.scalars(select(Contact.id).where(Contact.id.in_(selection.ids), ~used)))
    at = utcnow()
    columns = [getattr(Contact, name) for name in FIELDS]
    for start in range(0, len(deletable), DELETE_BATCH):
        chunk = deletable[start:start + DELETE_BATCH]
        rows = db.session.execute(select(Contact.id, *columns).where(Contact.id.in_(chunk))).all()
        bulk_rows({"at": at, "user_id": user.id, "via": "bulk", "action": "delete", "record_type": "contact",
                   "record_id": row.id, "old_value": json.dumps(
                       {name: str(value) for name, value in zip(FIELDS, row[1:], strict=True)
                        if value not in (None, "", False)}, ensure_ascii=False)} for row in rows)
        keys = duplicates.keys_of(chunk)
        db.session.execute(delete(Contact).where(Contact.id.in_(chunk)).execution_options(synchronize_session=False))
        duplicates.recount(keys)
        result.deleted += len(chunk)
    return result
