"""A contact's skills (Environnement / compétences) and mailing-list subscriptions; every change audited on the
contact's trail."""
from datetime import date

from sqlalchemy import select

from ..extensions import db
from ..models import Contact, ContactExtra, MailingList, MailingListSubscription, Skill
from .audit import record_changes


class NoEmailError(Exception):
    """A contact without an e-mail address cannot be subscribed to a mailing list."""


def _labels(skills) -> str | None:
    return ", ".join(sorted((skill.label for skill in skills), key=str.lower)) or None


def set_skills(contact: Contact, skill_ids: list[int], user_id: int | None, via: str = "form",
               before: list[int] | None = None) -> bool:
    """Give the contact these skills; False when nothing changed. With `before` (the skills the user's dialog
    started from), a three-way merge: only the skills the user ticked or unticked since change, so that what
    someone else saved meanwhile stays."""
    wanted = set(skill_ids)
    if before is not None:
        current = {skill.id for skill in contact.skills}
        wanted = (current - (set(before) - wanted)) | (wanted - set(before))
    if wanted == {skill.id for skill in contact.skills}:
        return False
    old = _labels(contact.skills)
    contact.skills = list(db.session.scalars(select(Skill).where(Skill.id.in_(wanted)))) if wanted else []
    db.session.flush()
    record_changes("contact", contact.id, {"skills": (old, _labels(contact.skills))}, via, user_id)
    return True


def _describe(subscriptions) -> str | None:
    parts = []
    for item in sorted(subscriptions, key=lambda s: s.mailing_list.full_label.lower()):
        state = "abonné" if item.status == "subscribed" else "désabonné"
        parts.append(f"{item.mailing_list.full_label} ({state} depuis le {item.since.strftime('%d/%m/%Y')})")
    return "; ".join(parts) or None


def set_subscriptions(contact: Contact, list_ids: list[int], offered_ids: list[int], since: date,
                      user_id: int | None, via: str = "form", before: list[int] | None = None) -> bool:
    """Subscribe the contact to the ticked lists and unsubscribe it from the other offered ones, from `since`;
    lists it is already in keep their date. With `before` (the lists the user's dialog showed as subscribed), a
    three-way merge: only the lists the user ticked or unticked change, so that what someone else saved meanwhile
    stays. NoEmailError without an e-mail; False when nothing changed."""
    if not (contact.email or "").strip():
        raise NoEmailError(contact.id)
    wanted = set(list_ids) & set(offered_ids)
    if before is not None:  # the lists the user left as they were are not the user's to change
        started = set(before)
        offered_ids = [list_id for list_id in offered_ids if (list_id in wanted) != (list_id in started)]
    current = {item.mailing_list_id: item for item in contact.subscriptions}
    old = _describe(contact.subscriptions)
    changed = False
    lists = {item.id: item for item in db.session.scalars(select(MailingList).where(MailingList.id.in_(offered_ids)))}
    for list_id in offered_ids:
        item = current.get(list_id)
        if list_id in wanted and (item is None or item.status != "subscribed"):
            if item is None:
                item = MailingListSubscription(mailing_list=lists[list_id], status="subscribed", since=since)
                contact.subscriptions.append(item)
            item.status, item.since = "subscribed", since
            changed = True
        elif list_id not in wanted and item is not None and item.status == "subscribed":
            item.status, item.since = "unsubscribed", since
            changed = True
    if changed:
        db.session.flush()
        record_changes("contact", contact.id, {"mailing_lists": (old, _describe(contact.subscriptions))}, via, user_id)
    return changed


def copy_extras(source: Contact, copy: Contact, since: date, user_id: int | None, via: str = "form") -> None:
    """What a duplicate takes from its source beyond the form's fields: the extra vCard values (but e-mails) and the
    mailing lists it is subscribed to (only when the copy has an e-mail address, which a subscription needs)."""
    copy.extras = [ContactExtra(kind=item.kind, label=item.label, value=item.value, position=item.position)
                   for item in source.extras if item.kind != "email"]
    subscribed = [item.mailing_list_id for item in source.subscriptions if item.status == "subscribed"]
    if subscribed and (copy.email or "").strip():
        set_subscriptions(copy, subscribed, subscribed, since, user_id, via)
    db.session.flush()
