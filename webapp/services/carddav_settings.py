"""A user's CardDAV setting: the account a card created on a phone goes to when its ORG names no account the user
sees (kept as the preference "carddav.default_client")."""
from sqlalchemy import or_, select

from ..extensions import db
from ..models import Client, User
from ..scope import client_visible
from . import preferences

DEFAULT_ACCOUNT = "carddav.default_client"
CHOICES_SHOWN = 500


def default_account(user: User) -> int | None:
    """The chosen account's id, while the user may still see it."""
    chosen = preferences.get(user.id, DEFAULT_ACCOUNT)
    if not isinstance(chosen, int):
        return None
    return db.session.scalar(select(Client.id).where(Client.id == chosen, client_visible(user)))


def account_choices(user: User) -> list[tuple[int, str]]:
    """The accounts offered: those assigned to the user ("Client affecté à"), and the one chosen, by name."""
    chosen = default_account(user)
    rows = db.session.execute(
        select(Client.id, Client.name)
        .where(client_visible(user), or_(Client.owner_id == user.id, Client.id == chosen))
        .order_by(Client.name_key).limit(CHOICES_SHOWN))
    return [(client_id, name) for client_id, name in rows]


def set_default_account(user: User, client_id: int | None) -> bool:
    """Remember the account (None: no default); False, nothing written, for an account the user may not see."""
    if client_id is not None and not db.session.scalar(
            select(Client.id).where(Client.id == client_id, client_visible(user))):
        return False
    if client_id is None:
        preferences.forget(user.id, DEFAULT_ACCOUNT)
        return True
    return preferences.put(user.id, DEFAULT_ACCOUNT, client_id)
