"""What a user may see: client accounts sharing one of the user's entities, and everything hanging off them.

Every screen reads through these functions, so an id outside the user's scope answers 404 everywhere."""
from flask import abort
from sqlalchemy import ColumnElement, select, true

from .extensions import db
from .models import Client, Contact, User, client_entities
from .rights import ALL_ENTITIES


def visible_client_ids(user: User):
    """A subquery of the ids of the client accounts the user may see (None: all of them)."""
    if user.can(ALL_ENTITIES):
        return None
    entity_ids = [entity.id for entity in user.entities]
    return select(client_entities.c.client_id).where(client_entities.c.entity_id.in_(entity_ids))


def client_visible(user: User, column=Client.id) -> ColumnElement[bool]:
    """Condition on a client id column: the user may see that account."""
    ids = visible_client_ids(user)
    return true() if ids is None else column.in_(ids)


def contact_visible(user: User) -> ColumnElement[bool]:
    """Condition on Contact: the user may see the contact's account."""
    return client_visible(user, Contact.client_id)


def contact_visible_filter(user: User) -> ColumnElement[bool]:
    """The same condition, written so that it filters rows without steering the plan: on a list the scope is
    rarely selective, and SQLite would otherwise read by client and sort everything instead of walking the
    order index."""
    return client_visible(user, Contact.client_id + 0)


def get_client_or_404(user: User, client_id: int) -> Client:
    client = db.session.scalars(select(Client).where(Client.id == client_id, client_visible(user))).first()
    if client is None:
        abort(404)
    return client


def get_contact_or_404(user: User, contact_id: int) -> Contact:
    contact = db.session.scalars(select(Contact).where(Contact.id == contact_id, contact_visible(user))).first()
    if contact is None:
        abort(404)
    return contact
