"""What a CardDAV client writes: a card sent (PUT) becomes a contact's values through the vCard import's reader and
mapping and is saved by write_contact (channel "carddav"); a card deleted marks the contact as having left.

The phone's copy never erases what it cannot show. The fields a contacts app shows (name, e-mail, phones, address,
note, birthday, web addresses) are the phone's: one it cleared is cleared. The rest is kept when the card lacks it:
the Fonction (TITLE: the CRM requires one, so a card created on a phone needs it), gender, ROLE and CATEGORIES
(phones drop them), the photo, the extra values (the card's new ones are
added, none removed), the service, and the CRM's own fields (Affecté à, DPO, RSSI, skills...). The account
changes only when ORG names another account the user sees; an unknown ORG keeps it."""
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from ..extensions import db
from ..field_labels import field_label
from ..models import CardName, Client, Contact, User
from ..models.types import utcnow
from ..problem_messages import message
from ..scope import client_visible
from ..text import fold
from .contacts import KEEP, LinkValue, WriteResult, write_contact
from .vcard_commit import add_extras, plan_photo, same_photo
from .vcard_decode import VCardFileError
from .vcard_mapping import map_card
from .vcard_plan import CardPlan
from .vcard_read import parse_vcards

VIA = "carddav"
# The contact columns a phone shows and edits: absent from its card means cleared on the phone.
SHOWN = ("last_name", "first_name", "email", "phone", "mobile", "fax", "street", "street2",
         "postal_code", "city", "country", "notes", "birthday")
# Columns the card carries but phones often drop, and the Fonction the CRM requires: absent means "as it was".
KEPT_WHEN_ABSENT = ("function", "gender", "vcard_role", "categories")


class CardRefused(Exception):
    """The card cannot be written; `message` says why, in the user's words."""

    def __init__(self, text: str):
        super().__init__(text)
        self.message = text


@dataclass(frozen=True)
class Limits:
    max_bytes: int
    photo_max_bytes: int
    photo_max_pixels: int


def read_card(data: bytes, limits: Limits) -> CardPlan:
    """The one card of a PUT body as the import would store it; CardRefused when it is not one readable card of a
    person with a name."""
    try:
        result = parse_vcards(data, max_cards=2, max_bytes=limits.max_bytes, max_photo=limits.photo_max_bytes)
    except VCardFileError as error:
        raise CardRefused(error.message) from error
    if result.errors:
        raise CardRefused(result.errors[0].reason)
    if len(result.cards) != 1:
        raise CardRefused("Une fiche vCard et une seule est attendue.")
    plan = CardPlan(index=0, file=0, number=1)
    map_card(plan, result.cards[0], limits.photo_max_bytes, limits.photo_max_pixels)
    if plan.error:
        raise CardRefused(plan.error)
    return plan


def _values(plan: CardPlan) -> dict:
    values = {name: plan.values.get(name) for name in SHOWN}
    values.update({name: plan.values[name] for name in KEPT_WHEN_ABSENT if plan.values.get(name)})
    if values["birthday"]:
        values["birthday"] = date.fromisoformat(values["birthday"])
    return values


def _account(plan: CardPlan, user: User) -> int | None:
    """The account the card's ORG names among those the user sees (the first by name when two share it)."""
    if not plan.org:
        return None
    return db.session.scalar(select(Client.id).where(Client.name_key == fold(plan.org), client_visible(user))
                             .order_by(Client.id).limit(1))


def _refused(result: WriteResult) -> WriteResult:
    if result.problems and not result.stale:
        raise CardRefused(" ".join(f"{field_label(problem.field)} : {message(problem)}" for problem in result.problems))
    return result


def update_from_card(contact: Contact, plan: CardPlan, user: User) -> WriteResult:
    """Save a phone's copy of a contact read at its current version (the caller checked If-Match): a stale
    result when someone saved it meanwhile; CardRefused when a value is refused."""
    values = {name: value for name, value in _values(plan).items() if getattr(contact, name) != value}
    account = _account(plan, user)
    if account is not None and fold(plan.org) != fold(contact.client.name):
        values["client_id"] = account
    links = [LinkValue(kind, url) for kind, url in plan.links]
    if [(link.kind, link.url) for link in contact.links] == [(link.kind, link.url) for link in links]:
        links = KEEP
    photo = plan_photo(plan) if plan.photo and not same_photo(contact.photo, plan.photo) else KEEP
    result = _refused(write_contact(values, user, VIA, contact=contact, expected_version=contact.version,
                                    links=links, photo=photo, same_name_confirmed=True))
    if result.saved and _add_extras(contact, plan, user):
        result.changes["extras"] = True
    return result


def create_from_card(plan: CardPlan, user: User, name: str, default_client_id: int | None) -> WriteResult:
    """A new contact from a card a client created under `name`: in the account ORG names, else the user's
    default one (carddav_settings.default_account; CardRefused when neither), assigned to the user; the card keeps
    its UID and its name."""
    client_id = _account(plan, user) or default_client_id
    if client_id is None:
        raise CardRefused(f"Société « {plan.org} » inconnue du CRM : créez-la d'abord, ou choisissez un compte par "
                          "défaut dans « Mon compte »." if plan.org else
                          "Fiche sans société : choisissez un compte par défaut dans « Mon compte ».")
    values = {key: value for key, value in _values(plan).items() if value not in (None, "")}
    values.update(client_id=client_id, owner_id=user.id)
    if plan.values.get("vcard_uid"):
        values["vcard_uid"] = plan.values["vcard_uid"]
    photo = plan_photo(plan) if plan.photo else KEEP
    result = _refused(write_contact(values, user, VIA, links=[LinkValue(kind, url) for kind, url in plan.links],
                                    photo=photo, same_name_confirmed=True))
    if name != f"{result.contact.id}.vcf":
        db.session.add(CardName(contact_id=result.contact.id, name=name))
    _add_extras(result.contact, plan, user)
    db.session.flush()
    return result


def leave(contact: Contact, user: User) -> WriteResult:
    """A card deleted on a phone: the contact "A quitté l'entreprise" (kept with its history, out of the books)."""
    return _refused(write_contact({"left_company": True}, user, VIA, contact=contact,
                                  expected_version=contact.version))


def _add_extras(contact: Contact, plan: CardPlan, user: User) -> bool:
    """The card's extra values the contact lacks, added as the import adds them; the contact's version moves, so
    every phone gets the card again."""
    if not add_extras(contact, plan, user, VIA):
        return False
    contact.updated_at, contact.updated_by_id = utcnow(), user.id
    db.session.flush()
    return True
