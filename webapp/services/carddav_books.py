"""The CardDAV address books of a user: which contacts each holds, under which name and ETag, and the sync tokens.

Two books: "Mes contacts" (the contacts assigned to the user, "Affecté à") and, for a user whose rights reach
further, "Tous mes contacts" (every contact the user may see, as the list shows them, capped at `cap`: the newest by
creation). Contacts that left their company are in no book. A book is read in one statement, ETags included.

An ETag is the contact's version (it moves on every save, links, photo and extras included) and a checksum of its
account's name and its service's label, which the card shows (ORG) but which are saved on other rows.

A sync token names a snapshot of the book (each member's name and ETag, packed); sync-collection compares the book
as it is now with the snapshot, so whatever changed it (a form, an import, a merge, a move out of the user's
entities) reaches the phone. The newest KEEP_SNAPSHOTS per book are kept; an older token is refused and the
client starts over, as RFC 6578 provides."""
import zlib
from dataclasses import dataclass

from sqlalchemy import delete, select

from ..extensions import db
from ..models import CardName, Client, Contact, Department, SyncSnapshot, User
from ..rights import ALL_ENTITIES
from ..scope import client_visible

KEEP_SNAPSHOTS = 50
TOKEN_PREFIX = "https://crm.invalid/ns/sync/"


@dataclass(frozen=True)
class Book:
    slug: str
    name: str
    description: str


MINE = Book("mine", "Mes contacts", "Les contacts qui vous sont affectés")
ALL = Book("all", "Tous mes contacts", "Tous les contacts que vous pouvez voir")
BOOKS = {book.slug: book for book in (MINE, ALL)}


def books_for(user: User) -> list[Book]:
    """The user's books: "Mes contacts", and "Tous mes contacts" when the user's rights reach further than their
    own contacts (every entity, or entities of their own); decided by rights, not by data, so that a book does not
    vanish from a phone when an account moves."""
    return [MINE, ALL] if user.can(ALL_ENTITIES) or user.entities else [MINE]


def book_for(user: User, slug: str) -> Book | None:
    """The user's book of that slug, or None."""
    return next((book for book in books_for(user) if book.slug == slug), None)


def etag(version: int, client_name: str, department: str | None) -> str:
    """The ETag (without quotes) of a contact at this version, in this account and service."""
    shown = f"{client_name}\x1f{department or ''}".encode()
    return f"{version}-{zlib.crc32(shown):08x}"


def card_name(contact_id: int, given: str | None) -> str:
    """The card's name in its book: the one its client gave it, else "<id>.vcf"."""
    return given or f"{contact_id}.vcf"


def _members_statement(user: User, book: Book, cap: int):
    contact, client, department, name = (Contact.__table__.c, Client.__table__.c, Department.__table__.c,
                                         CardName.__table__.c)
    statement = (select(contact.id, contact.version, client.name, department.label, name.name)
                 .select_from(Contact.__table__).join(Client.__table__, client.id == contact.client_id)
                 .outerjoin(Department.__table__, department.id == contact.department_id)
                 .outerjoin(CardName.__table__, name.contact_id == contact.id)
                 .where(contact.left_company.is_(False), client_visible(user, contact.client_id)))
    if book is MINE:
        return statement.where(contact.owner_id == user.id)
    return statement.order_by(contact.id.desc()).limit(cap)


@dataclass(frozen=True)
class Member:
    contact_id: int
    name: str
    etag: str


def members(user: User, book: Book, cap: int) -> dict[str, Member]:
    """Every card of the book by name, in one statement."""
    found = {}
    for contact_id, version, client_name, department, given in db.session.execute(_members_statement(user, book, cap)):
        name = card_name(contact_id, given)
        found[name] = Member(contact_id, name, etag(version, client_name, department))
    return found


def member(user: User, book: Book, cap: int, name: str) -> Member | None:
    """One card of the book by its name, or None (not a card of this book, or not the user's to see)."""
    contact_id = contact_id_for(name)
    if contact_id is None:
        return None
    contact = Contact.__table__.c
    statement = _members_statement(user, book, cap).order_by(None).limit(None).where(contact.id == contact_id)
    if book is ALL:  # in the capped book only when among the `cap` newest the user sees
        newest = _members_statement(user, ALL, cap).with_only_columns(contact.id).subquery()
        statement = statement.where(contact.id.in_(select(newest.c.id)))
    row = db.session.execute(statement).first()
    if row is None:
        return None
    found_id, version, client_name, department, given = row
    if card_name(found_id, given) != name:
        return None  # a card the client named is served under that name only
    return Member(found_id, name, etag(version, client_name, department))


def contact_id_for(name: str) -> int | None:
    """The contact a card name stands for: a name a client gave, else "<id>.vcf"; None when neither."""
    if not valid_name(name):
        return None
    given = db.session.scalar(select(CardName.contact_id).where(CardName.name == name))
    if given is not None:
        return given
    stem, dot, extension = name.rpartition(".")
    if dot and extension == "vcf" and stem.isascii() and stem.isdigit() and len(stem) < 12:
        return int(stem)
    return None


def valid_name(name: str) -> bool:
    """A name a client may give a card: printable, without a slash, at most 255 characters."""
    return 0 < len(name) <= 255 and name.isprintable() and "/" not in name and name.strip() == name


def _pack(found: dict[str, Member]) -> bytes:
    return zlib.compress("\n".join(f"{name}\t{m.etag}" for name, m in sorted(found.items())).encode(), 6)


def _unpack(packed: bytes) -> dict[str, str]:
    text = zlib.decompress(packed).decode()
    return dict(line.split("\t", 1) for line in text.split("\n")) if text else {}


def sync_token(user: User, book: Book, found: dict[str, Member]) -> str:
    """The token of the book as it is: the newest snapshot when nothing changed since, else a new one (flushed;
    older ones beyond KEEP_SNAPSHOTS deleted)."""
    packed = _pack(found)
    latest = db.session.execute(
        select(SyncSnapshot.id, SyncSnapshot.members)
        .where(SyncSnapshot.user_id == user.id, SyncSnapshot.book == book.slug)
        .order_by(SyncSnapshot.id.desc()).limit(1)).first()
    if latest is not None and latest.members == packed:
        return f"{TOKEN_PREFIX}{latest.id}"
    snapshot = SyncSnapshot(user_id=user.id, book=book.slug, members=packed)
    db.session.add(snapshot)
    db.session.flush()
    kept = (select(SyncSnapshot.id).where(SyncSnapshot.user_id == user.id, SyncSnapshot.book == book.slug)
            .order_by(SyncSnapshot.id.desc()).limit(KEEP_SNAPSHOTS))
    db.session.execute(delete(SyncSnapshot).where(SyncSnapshot.user_id == user.id, SyncSnapshot.book == book.slug,
                                                  SyncSnapshot.id.not_in(kept.scalar_subquery())))
    return f"{TOKEN_PREFIX}{snapshot.id}"


@dataclass
class Changes:
    changed: list[Member]
    removed: list[str]


def changes_since(user: User, book: Book, token: str, found: dict[str, Member]) -> Changes | None:
    """What changed in the book since the token was given: the cards added or changed, the names gone; None when
    the token is not one of this user's book (or is too old): the client must sync from scratch."""
    number = token.removeprefix(TOKEN_PREFIX)
    if not token.startswith(TOKEN_PREFIX) or not number.isascii() or not number.isdigit() or len(number) > 18:
        return None
    packed = db.session.scalar(select(SyncSnapshot.members).where(
        SyncSnapshot.id == int(number), SyncSnapshot.user_id == user.id, SyncSnapshot.book == book.slug))
    if packed is None:
        return None
    before = _unpack(packed)
    changed = [m for name, m in found.items() if before.get(name) != m.etag]
    removed = [name for name in before if name not in found]
    return Changes(changed, removed)
