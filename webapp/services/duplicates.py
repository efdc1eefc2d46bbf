"""Possible duplicate contacts: the keys each contact is found by (kept by every contact write), the groups a user
may see, and the pairs users said are not duplicates.

Each contact has a few rows in duplicate_key: its folded e-mail, its phone and mobile in E.164, its name folded to
letters at its account, in either order (models/contact_keys.duplicate_keys). Every write of a contact (the
contacts service, the imports' batch inserts, the bulk delete, a merge) calls refresh_keys() or recount(), which
write the contact's keys and count, for each key touched, how many contacts hold it (group_size). The screen then
reads only the shared keys through a partial index (group_size > 1): no pair of contacts is compared per request.
"""
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from itertools import combinations

from sqlalchemy import bindparam, delete, func, insert, select, tuple_, update
from sqlalchemy.orm import aliased

from ..extensions import db
from ..models import Client, Contact, DuplicateDismissal, DuplicateKey, User
from ..models.contact_keys import duplicate_keys
from ..models.duplicates import MAX_GROUP
from ..scope import client_visible, contact_visible, visible_client_ids
from .vcard_batch import chunks

# How sure each kind of key makes a group; each further kind the same contacts share adds BONUS.
SCORES = {"email": 95, "phone": 85, "name": 75}
BONUS = 5
PER_PAGE = 20
BATCH = 500


def keys_of(contact_ids: Iterable[int]) -> set[tuple[str, str]]:
    """The (kind, key) pairs the contacts hold now."""
    keys: set[tuple[str, str]] = set()
    for chunk in chunks(sorted(set(contact_ids)), BATCH):
        keys.update(db.session.execute(select(DuplicateKey.kind, DuplicateKey.key)
                                       .where(DuplicateKey.contact_id.in_(chunk))).tuples())
    return keys


def refresh_keys(contact_ids: Iterable[int]) -> None:
    """Write the duplicate keys of these contacts from their current values, and recount every key they held or
    hold now (a contact gone since has its keys removed)."""
    ids = sorted(set(contact_ids))
    touched: set[tuple[str, str]] = set()
    for chunk in chunks(ids, BATCH):
        touched |= keys_of(chunk)
        db.session.execute(delete(DuplicateKey).where(DuplicateKey.contact_id.in_(chunk)))
        rows = db.session.execute(select(Contact.id, Contact.client_id, Contact.last_name, Contact.first_name,
                                         Contact.email, Contact.phone_e164, Contact.mobile_e164)
                                  .where(Contact.id.in_(chunk))).all()
        new = [{"contact_id": row.id, "kind": kind, "key": key, "group_size": 1, "client_id": row.client_id}
               for row in rows for kind, key in duplicate_keys(row._mapping, row.client_id)]
        if new:
            db.session.execute(insert(DuplicateKey), new)
        touched.update((row["kind"], row["key"]) for row in new)
    recount(touched)


def add_keys(records: list[dict]) -> None:
    """Write the keys of contacts just inserted (their columns as inserted: id, client_id, names, e-mail, phones),
    counted with the contacts holding each key already, whose own count is raised: what refresh_keys would write,
    without reading the new contacts back nor recounting every key (an import's 5,000 contacts: 0.1 s, not 0.9)."""
    new = [(record["id"], kind, key, record["client_id"]) for record in records
           for kind, key in duplicate_keys(record, record["client_id"])]
    held = Counter((kind, key) for _id, kind, key, _client in new)
    for chunk in chunks([record["id"] for record in records], BATCH):  # keys left by a contact of that id, gone
        db.session.execute(delete(DuplicateKey).where(DuplicateKey.contact_id.in_(chunk)))
    before: dict[tuple[str, str], int] = {}
    for kind in sorted({kind for kind, _key in held}):
        for chunk in chunks(sorted(key for k, key in held if k == kind), BATCH):
            before.update(((kind, key), count) for key, count in db.session.execute(
                select(DuplicateKey.key, func.count()).where(DuplicateKey.kind == kind, DuplicateKey.key.in_(chunk))
                .group_by(DuplicateKey.key)))
    for chunk in chunks(new, BATCH):
        db.session.execute(insert(DuplicateKey.__table__), [
            {"contact_id": contact_id, "kind": kind, "key": key, "client_id": client_id,
             "group_size": held[kind, key] + before.get((kind, key), 0)} for contact_id, kind, key, client_id in chunk])
    table = DuplicateKey.__table__
    statement = (update(table).where(table.c.kind == bindparam("b_kind"), table.c.key == bindparam("b_key"))
                 .values(group_size=bindparam("b_size")))
    for chunk in chunks(sorted(before), BATCH):
        db.session.execute(statement, [{"b_kind": kind, "b_key": key, "b_size": held[kind, key] + before[kind, key]}
                                       for kind, key in chunk])


def recount(keys: Iterable[tuple[str, str]]) -> None:
    """Set group_size, for every row of these keys, to how many contacts hold the key now."""
    # One UPDATE per key, sent as one executemany: SQLite reads a (kind, key) IN (...) list by scanning the table.
    table = DuplicateKey.__table__
    other = table.alias("other")
    size = (select(func.count()).select_from(other)
            .where(other.c.kind == bindparam("b_kind"), other.c.key == bindparam("b_key")).scalar_subquery())
    statement = (update(table).where(table.c.kind == bindparam("b_kind"), table.c.key == bindparam("b_key"))
                 .values(group_size=size))
    for chunk in chunks(sorted(set(keys)), BATCH):
        db.session.execute(statement, [{"b_kind": kind, "b_key": key} for kind, key in chunk])


@dataclass
class Member:
    """A contact of a group, as the screen shows it."""

    id: int
    name: str
    company: str
    function: str | None
    email: str | None
    phone: str | None
    mobile: str | None
    updated_at: datetime


@dataclass
class Group:
    """Contacts that may be one person: why (kinds of keys shared), how sure (score), who."""

    ids: tuple[int, ...]
    kinds: list[str]
    score: int
    members: list[Member] = field(default_factory=list)


@dataclass
class GroupPage:
    groups: list[Group]
    total: int
    page: int
    per_page: int = PER_PAGE

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def _shared_rows(user: User, contact_id: int | None):
    """(kind, key, contact id) of every shared key of contacts the user may see (of one contact's keys only, when
    given), read from the partial index of shared keys."""
    statement = select(DuplicateKey.kind, DuplicateKey.key, DuplicateKey.contact_id).where(
        DuplicateKey.group_size > 1, DuplicateKey.group_size <= MAX_GROUP)
    if contact_id is not None:
        own = aliased(DuplicateKey)
        statement = statement.where(tuple_(DuplicateKey.kind, DuplicateKey.key).in_(
            select(own.kind, own.key).where(own.contact_id == contact_id)))
    if visible_client_ids(user) is not None:
        statement = statement.where(client_visible(user, DuplicateKey.client_id))
    return db.session.execute(statement).tuples()


def _dismissed(ids: set[int]) -> set[tuple[int, int]]:
    pairs: set[tuple[int, int]] = set()
    for chunk in chunks(sorted(ids), BATCH):
        pairs.update(db.session.execute(select(DuplicateDismissal.low_id, DuplicateDismissal.high_id)
                                        .where(DuplicateDismissal.low_id.in_(chunk))).tuples())
    return pairs


def all_groups(user: User, contact_id: int | None = None) -> list[Group]:
    """Every group of contacts the user may see that share a key, strongest first; contacts sharing several keys
    are one group with several reasons; a group whose every pair was dismissed is left out."""
    members_of: dict[tuple[str, str], set[int]] = defaultdict(set)
    for kind, key, member_id in _shared_rows(user, contact_id):
        members_of[(kind, key)].add(member_id)
    kinds_of: dict[frozenset, set[str]] = defaultdict(set)
    for (kind, _key), members in members_of.items():
        if len(members) > 1:
            kinds_of[frozenset(members)].add(kind)
    # The pairs said different among contacts holding a shared key, in one statement (not one per 500 ids).
    dismissed = set(db.session.execute(
        select(DuplicateDismissal.low_id, DuplicateDismissal.high_id).where(DuplicateDismissal.low_id.in_(
            select(DuplicateKey.contact_id).where(DuplicateKey.group_size > 1)))).tuples()) if kinds_of else set()
    groups = []
    for members, kinds in kinds_of.items():
        ids = tuple(sorted(members))
        if all(pair in dismissed for pair in combinations(ids, 2)):
            continue
        ordered = sorted(kinds, key=lambda kind: -SCORES[kind])
        score = min(100, SCORES[ordered[0]] + BONUS * (len(ordered) - 1))
        groups.append(Group(ids=ids, kinds=ordered, score=score))
    groups.sort(key=lambda group: (-group.score, group.ids))
    return groups


def group_page(user: User, page: int = 1, contact_id: int | None = None) -> GroupPage:
    """One page of the groups (PER_PAGE), with their members' names, company and phones; a page past the end is
    the last one."""
    groups = all_groups(user, contact_id)
    pages = max(1, -(-len(groups) // PER_PAGE))
    page = min(max(1, page), pages)
    shown = groups[(page - 1) * PER_PAGE:page * PER_PAGE]
    ids = {member for group in shown for member in group.ids}
    rows = {row.id: row for row in db.session.execute(
        select(Contact.id, Contact.last_name, Contact.first_name, Client.name.label("company"), Contact.function,
               Contact.email, Contact.phone, Contact.mobile, Contact.updated_at)
        .join(Client, Client.id == Contact.client_id).where(Contact.id.in_(ids)))} if ids else {}
    for group in shown:
        group.members = [Member(id=row.id, name=f"{row.last_name.upper()} {row.first_name}", company=row.company,
                                function=row.function, email=row.email, phone=row.phone, mobile=row.mobile,
                                updated_at=row.updated_at)
                         for member in group.ids if (row := rows.get(member))]
    return GroupPage(groups=shown, total=len(groups), page=page)


def duplicates_of(user: User, contact_id: int) -> set[int]:
    """The other contacts the user may see that may be this one (not dismissed with it): the record's count."""
    others = {member for group in all_groups(user, contact_id) for member in group.ids} - {contact_id}
    dismissed = _dismissed(others | {contact_id})
    return {other for other in others if tuple(sorted((other, contact_id))) not in dismissed}


def dismiss(user: User, contact_ids: Iterable[int]) -> int:
    """"Ce ne sont pas des doublons": remember every pair of these contacts (those the user may see); returns how
    many pairs were new."""
    ids = sorted(set(db.session.scalars(select(Contact.id).where(Contact.id.in_(list(contact_ids)),
                                                                 contact_visible(user)))))
    pairs = set(combinations(ids, 2)) - _dismissed(set(ids))
    if pairs:
        db.session.execute(insert(DuplicateDismissal), [{"low_id": low, "high_id": high, "user_id": user.id}
                                                        for low, high in sorted(pairs)])
    return len(pairs)
