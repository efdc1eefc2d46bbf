"""Which existing contact (or earlier card of the same upload) each card may be: same UID (or the UID of a contact
merged into it), then same e-mail, then same phone (E.164), then same name at the same account. A few IN queries for the whole upload, never one per card;
every match says whether the user may see that contact (only then is "update" offered)."""
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import select

from ..extensions import db
from ..models import Client, Contact, ContactUidAlias, User
from ..scope import client_visible
from ..text import fold
from .vcard_batch import chunks
from .vcard_plan import CardPlan


@dataclass
class Match:
    """An existing contact a card may be (by uid, email, phone or name), or an earlier card of the same upload."""

    by: str
    contact_id: int | None = None
    version: int = 0
    name: str = ""
    client_name: str = ""
    visible: bool = False
    card_index: int | None = None  # a duplicate inside the upload

    @property
    def reason(self) -> str:
        """Why the card may be that contact, in the user's words."""
        return {"uid": _("même UID"), "email": _("même e-mail"), "phone": _("même téléphone"),
                "name": _("même nom chez ce client")}[self.by]


_MATCH_COLUMNS = (Contact.id, Contact.version, Contact.last_name, Contact.first_name, Client.name,
                  Contact.vcard_uid, Contact.email_key, Contact.phone_e164, Contact.mobile_e164, Contact.client_id,
                  Contact.last_name_key, Contact.first_name_key)


@dataclass
class _Found:
    """The existing contacts found for the upload, by UID, folded e-mail, E.164 number and (account, names)."""

    by_uid: dict = field(default_factory=dict)
    by_email: dict = field(default_factory=dict)
    by_phone: dict = field(default_factory=dict)
    by_name: dict = field(default_factory=dict)


def find_matches(plans: list[CardPlan], user: User, client_of_group: dict[str, int]) -> dict[int, Match]:
    """The first match of each card, by card index: UID, then e-mail, then phone (E.164), then same name at the
    account its group would go to (`client_of_group`: folded ORG -> account id); an earlier card of the upload with
    the same UID or e-mail counts too."""
    cards = [p for p in plans if not p.error]
    visible = client_visible(user, Contact.client_id).label("visible")
    found = _Found()
    uids = {p.values["vcard_uid"] for p in cards if p.values.get("vcard_uid")}
    for row in _fetch(visible, Contact.vcard_uid, uids):
        found.by_uid.setdefault(row.vcard_uid, []).append(row)
    for uid, row in _aliases(visible, uids - found.by_uid.keys()):  # the UID of a contact merged into another
        found.by_uid.setdefault(uid, []).append(row)
    for row in _fetch(visible, Contact.email_key, {fold(p.email) for p in cards if p.email}):
        found.by_email.setdefault(row.email_key, []).append(row)
    numbers = {n for p in cards for n in _numbers(p)}
    for column in (Contact.phone_e164, Contact.mobile_e164):
        for row in _fetch(visible, column, numbers):
            for number in {row.phone_e164, row.mobile_e164} & numbers:
                found.by_phone.setdefault(number, {})[row.id] = row
    found.by_name = _by_name(visible, {_name_key(p, client_of_group) for p in cards
                                       if fold(p.org) in client_of_group})
    return _first_matches(cards, found, client_of_group)


def _numbers(plan: CardPlan) -> list[str]:
    """The card's phone and mobile in E.164, when they have one."""
    return [n for n in (plan.e164.get("phone"), plan.e164.get("mobile")) if n]


def _name_key(plan: CardPlan, client_of_group: dict[str, int]) -> tuple:
    """(account id, folded last name, folded first name): the same person at the same account."""
    return (client_of_group.get(fold(plan.org)), fold(plan.values["last_name"]), fold(plan.values["first_name"]))


def _fetch(visible, column, values: set) -> list:
    """The contacts whose `column` is one of `values`, with whether the user sees them."""
    found = []
    for chunk in chunks(sorted(values)):
        found += db.session.execute(select(*_MATCH_COLUMNS, visible).join(Client, Client.id == Contact.client_id)
                                    .where(column.in_(chunk)).order_by(Contact.id)).all()
    return found


def _aliases(visible, uids: set) -> list[tuple]:
    """(uid, survivor row) for each UID that was a merged contact's (services/merge.py keeps it as an alias)."""
    found = []
    for chunk in chunks(sorted(uids)):
        found += [(row.alias_uid, row) for row in db.session.execute(
            select(*_MATCH_COLUMNS, visible, ContactUidAlias.uid.label("alias_uid"))
            .join(Contact, Contact.id == ContactUidAlias.contact_id).join(Client, Client.id == Contact.client_id)
            .where(ContactUidAlias.uid.in_(chunk)))]
    return found


def _by_name(visible, wanted: set[tuple]) -> dict[tuple, list]:
    """The contacts with one of the `wanted` (account id, last name key, first name key)."""
    by_name: dict[tuple, list] = {}
    for chunk in chunks(sorted(wanted)):
        rows = db.session.execute(select(*_MATCH_COLUMNS, visible).join(Client, Client.id == Contact.client_id)
                                  .where(Contact.client_id.in_(sorted({c for c, _l, _f in chunk})),
                                         Contact.last_name_key.in_(sorted({last for _c, last, _f in chunk}))))
        for row in rows:
            key = (row.client_id, row.last_name_key, row.first_name_key)
            if key in wanted:
                by_name.setdefault(key, []).append(row)
    return by_name


def _first_matches(cards: list[CardPlan], found: _Found, client_of_group: dict[str, int]) -> dict[int, Match]:
    """Each card's first match among the contacts found, else an earlier card of the upload."""
    matches: dict[int, Match] = {}
    first_uid: dict[str, int] = {}
    first_email: dict[str, int] = {}
    for plan in cards:
        uid, email = plan.values.get("vcard_uid"), fold(plan.email)
        match = _existing(plan, uid, email, found, client_of_group)
        if match is None and uid and uid in first_uid:
            match = Match("uid", card_index=first_uid[uid])
        elif match is None and email and email in first_email:
            match = Match("email", card_index=first_email[email])
        if match is not None:
            matches[plan.index] = match
        if uid:
            first_uid.setdefault(uid, plan.index)
        if email:
            first_email.setdefault(email, plan.index)
    return matches


def _existing(plan: CardPlan, uid: str | None, email: str, found: _Found,
              client_of_group: dict[str, int]) -> Match | None:
    """The existing contact the card may be, in order of trust: UID, e-mail, phone, name at the account."""
    numbers = _numbers(plan)
    name_key = _name_key(plan, client_of_group)
    if uid and uid in found.by_uid:
        return _as_match("uid", found.by_uid[uid])
    if email and email in found.by_email:
        return _as_match("email", found.by_email[email])
    if any(n in found.by_phone for n in numbers):
        return _as_match("phone", [r for n in numbers for r in found.by_phone.get(n, {}).values()])
    if name_key in found.by_name:
        return _as_match("name", found.by_name[name_key])
    return None


def _as_match(by: str, rows: list) -> Match:
    """The best of the contacts found (one the user may see first, then the oldest) as a Match."""
    row = min(rows, key=lambda r: (not r.visible, r.id))
    return Match(by, row.id, row.version, f"{row.last_name.upper()} {row.first_name}".strip(), row.name,
                 bool(row.visible))
