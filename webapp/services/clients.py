"""Every write to a client account: create, update (a rename re-keys its contacts), archive, restore; audited."""
from sqlalchemy import bindparam, select

from ..extensions import db
from ..models import Client, Contact, Entity
from ..models.contact_keys import KEY_SOURCES, derived_columns
from ..text import fold
from .audit import record_changes, record_created

# The columns a form may write; entities travel apart (a many-to-many).
FIELDS = ("name", "siren", "street", "street2", "postal_code", "city", "country", "owner_id", "size_band_id",
          "revenue_range_id", "sector_id", "origin_id")
BATCH = 500
LA_POSTE_SIREN = "356000000"  # La Poste's SIREN breaks the Luhn rule; INSEE checks its digit sum instead


def siren_valid(value: str | None) -> bool:
    """Nine digits whose Luhn checksum holds (the INSEE rule), La Poste's exception included."""
    number = (value or "").replace(" ", "").replace("\u00a0", "")
    if len(number) != 9 or not number.isascii() or not number.isdigit():
        return False
    if number == LA_POSTE_SIREN:
        return True
    total = 0
    for position, char in enumerate(reversed(number)):
        n = int(char) * (2 if position % 2 else 1)
        total += n - 9 if n > 9 else n
    return total % 10 == 0


def same_name(name: str, visible, exclude_id: int | None = None) -> list[Client]:
    """Visible accounts whose name is the same ignoring case and accents (`visible`: a condition on Client)."""
    query = select(Client).where(Client.name_key == fold(name), visible)
    if exclude_id:
        query = query.where(Client.id != exclude_id)
    return list(db.session.scalars(query.limit(5)))


def _entity_labels(entities) -> str | None:
    return ", ".join(sorted(entity.label for entity in entities)) or None


def _check(values: dict) -> None:
    unknown = set(values) - set(FIELDS)
    if unknown:
        raise ValueError(f"not writable: {sorted(unknown)}")


def create_client(values: dict, entity_ids: list[int], user_id: int | None, via: str = "form") -> Client:
    """Create an account in the given entities; audited as one creation."""
    _check(values)
    client = Client(**{k: v for k, v in values.items() if k != "name"})
    client.set_name(values["name"])
    client.entities = list(db.session.scalars(select(Entity).where(Entity.id.in_(entity_ids))))
    db.session.add(client)
    db.session.flush()
    record_created("client", client.id, {**values, "entities": _entity_labels(client.entities)}, via, user_id)
    return client


def update_client(client: Client, values: dict, entity_ids: list[int], user_id: int | None,
                  via: str = "form") -> dict:
    """Apply changed values and entities; a new name re-keys the account's contacts. Returns what changed."""
    _check(values)
    changes = {name: (getattr(client, name), value) for name, value in values.items()
               if getattr(client, name) != value}
    for name, (_old, new) in changes.items():
        if name == "name":
            client.set_name(new)
        else:
            setattr(client, name, new)
    if set(entity_ids) != {entity.id for entity in client.entities}:
        old = _entity_labels(client.entities)
        client.entities = list(db.session.scalars(select(Entity).where(Entity.id.in_(entity_ids))))
        changes["entities"] = (old, _entity_labels(client.entities))
    if changes:
        db.session.flush()
        record_changes("client", client.id, changes, via, user_id)
    if "name" in changes and fold(changes["name"][0]) != client.name_key:
        refresh_contact_keys(client.id, client.name)
    return changes


def refresh_contact_keys(client_id: int, company_name: str) -> int:
    """Recompute the sort and search keys of the account's contacts for a new name, by batches of 500.

    A plain UPDATE: the contacts' own data and versions do not change (nobody editing one of them gets a
    conflict), and on SQLite the FTS triggers on search_text keep the search index in step."""
    table = Contact.__table__
    statement = (table.update().where(table.c.id == bindparam("b_id"))
                 .values(company_key=bindparam("b_company"), search_text=bindparam("b_search")))
    columns = [getattr(Contact, name) for name in KEY_SOURCES]
    last_id, count = 0, 0
    while True:
        rows = db.session.execute(select(Contact.id, *columns).where(Contact.client_id == client_id,
                                                                     Contact.id > last_id)
                                  .order_by(Contact.id).limit(BATCH)).all()
        if not rows:
            return count
        updates = []
        for row in rows:
            derived = derived_columns(row._mapping, company_name)
            updates.append({"b_id": row.id, "b_company": derived["company_key"], "b_search": derived["search_text"]})
        db.session.execute(statement, updates)
        last_id, count = rows[-1].id, count + len(rows)


def set_archived(client: Client, archived: bool, user_id: int | None, via: str = "form") -> bool:
    """Archive or restore an account; False when it already was."""
    if client.archived == archived:
        return False
    record_changes("client", client.id, {"archived": (client.archived, archived)}, via, user_id)
    client.archived = archived
    db.session.flush()
    return True
