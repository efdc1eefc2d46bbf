"""vCard export from the CRM's own data: one contact, one multi-card .vcf, or a zip of one .vcf per contact.

Contacts are read EXPORT_BATCH at a time with their account, service, links, photo and extras (five queries per
batch, never one per contact, never every contact in memory at once), turned into ExportCards and serialized by
the vCard layer. The writers stream into any binary file object, so a bulk export can go to a temporary file.

UID: a contact exported without one gets a random urn:uuid, stored (audited, via "system") before the file is
written, so importing the file again finds it by UID whatever was edited in between, and two installations never
share one. The contact's version is left alone: the UID is no edit of the user's.
"""
import uuid
import zipfile
from collections.abc import Iterable, Iterator
from typing import BinaryIO, NamedTuple

from sqlalchemy import bindparam, select, update

from ..countries import country_name
from ..extensions import db
from ..models import Client, Contact, ContactExtra, ContactLink, ContactPhoto, Department
from ..models.types import utcnow
from .audit import bulk_rows
from .vcard import ExportAddress, ExportCard, contact_to_vcard, safe_filename, unique_names

EXPORT_BATCH = 500
VERSIONS = ("3.0", "4.0")


class ExportedContact(NamedTuple):
    contact_id: int
    filename: str  # "DUPONT Jean.vcf", safe but not yet unique
    card: ExportCard


def export_cards(contact_ids: Iterable[int], batch_size: int = EXPORT_BATCH) -> Iterator[ExportedContact]:
    """The contacts as ExportCards, in the order given (ids that no longer exist are skipped); the caller has
    checked that the user may see them."""
    ids = list(dict.fromkeys(int(i) for i in contact_ids))
    for start in range(0, len(ids), batch_size):
        chunk = ids[start:start + batch_size]
        _assign_uids(chunk)
        yield from _batch(chunk)


def _assign_uids(chunk: list[int]) -> None:
    """Give a stored UID to the contacts of the batch that have none, committed at once."""
    missing = db.session.scalars(select(Contact.id).where(Contact.id.in_(chunk), Contact.vcard_uid.is_(None))).all()
    if not missing:
        return
    wanted = {contact_id: f"urn:uuid:{uuid.uuid4()}" for contact_id in missing}
    # "AND vcard_uid IS NULL": an export running at the same time may have given one first; its UID stays.
    table = Contact.__table__
    db.session.execute(update(table).where(table.c.id == bindparam("contact_id"), table.c.vcard_uid.is_(None))
                       .values(vcard_uid=bindparam("uid")),
                       [{"contact_id": contact_id, "uid": uid} for contact_id, uid in wanted.items()])
    stored = dict(db.session.execute(select(Contact.id, Contact.vcard_uid).where(Contact.id.in_(missing))).all())
    now = utcnow()
    bulk_rows({"at": now, "user_id": None, "via": "system", "action": "update", "record_type": "contact",
               "record_id": contact_id, "field": "vcard_uid", "old_value": None, "new_value": uid}
              for contact_id, uid in wanted.items() if stored.get(contact_id) == uid)
    db.session.commit()


def _batch(chunk: list[int]) -> Iterator[ExportedContact]:
    rows = db.session.execute(
        select(Contact.id, Contact.last_name, Contact.first_name, Contact.gender, Contact.function, Contact.email,
               Contact.phone, Contact.mobile, Contact.fax, Contact.street, Contact.street2, Contact.postal_code,
               Contact.city, Contact.country, Contact.notes, Contact.vcard_role, Contact.categories,
               Contact.birthday, Contact.vcard_uid, Contact.updated_at, Client.name.label("client_name"),
               Department.label.label("department"))
        .join(Client, Client.id == Contact.client_id).outerjoin(Department, Department.id == Contact.department_id)
        .where(Contact.id.in_(chunk))).all()
    links: dict[int, list] = {}
    for contact_id, url, kind in db.session.execute(
            select(ContactLink.contact_id, ContactLink.url, ContactLink.kind).where(ContactLink.contact_id.in_(chunk))
            .order_by(ContactLink.contact_id, ContactLink.position, ContactLink.id)):
        links.setdefault(contact_id, []).append((url, kind))
    extras: dict[int, list] = {}
    for contact_id, kind, label, value in db.session.execute(
            select(ContactExtra.contact_id, ContactExtra.kind, ContactExtra.label, ContactExtra.value)
            .where(ContactExtra.contact_id.in_(chunk))
            .order_by(ContactExtra.contact_id, ContactExtra.position, ContactExtra.id)):
        extras.setdefault(contact_id, []).append((kind, label, value))
    photos = {contact_id: (data, mime) for contact_id, data, mime in db.session.execute(
        select(ContactPhoto.contact_id, ContactPhoto.data, ContactPhoto.mime)
        .where(ContactPhoto.contact_id.in_(chunk)))}
    by_id = {row.id: row for row in rows}
    for contact_id in chunk:
        row = by_id.get(contact_id)
        if row is None:
            continue
        photo, mime = photos.get(contact_id, (None, None))
        address = None
        if any((row.street, row.street2, row.postal_code, row.city, row.country)):
            address = ExportAddress(street=row.street or "", street2=row.street2 or "",
                                    postal_code=row.postal_code or "", city=row.city or "",
                                    country=country_name(row.country) if row.country else "")
        card = ExportCard(
            last_name=row.last_name, first_name=row.first_name, org=row.client_name, org_unit=row.department,
            title=row.function, role=row.vcard_role, emails=[row.email] if row.email else [],
            phones=[(number, kind) for number, kind in ((row.phone, "work"), (row.mobile, "cell"), (row.fax, "fax"))
                    if number],
            address=address, urls=links.get(contact_id, []), photo=photo, photo_mime=mime, gender=row.gender,
            uid=row.vcard_uid, rev=row.updated_at, note=row.notes,
            categories=[c.strip() for c in (row.categories or "").split(",") if c.strip()], birthday=row.birthday,
            extras=extras.get(contact_id, []))
        yield ExportedContact(contact_id, safe_filename(f"{row.last_name.upper()} {row.first_name}"), card)


def iter_vcf(contact_ids: Iterable[int], version: str) -> Iterator[bytes]:
    """The contacts as one multi-card .vcf (UTF-8, CRLF), card by card, for a download that starts at once."""
    if version not in VERSIONS:
        raise ValueError(f"unsupported vCard version {version!r}")
    for exported in export_cards(contact_ids):
        yield contact_to_vcard(exported.card, version).encode("utf-8")


def write_vcf(contact_ids: Iterable[int], version: str, out: BinaryIO) -> int:
    """Write the contacts as one multi-card .vcf (UTF-8, CRLF) into `out`; returns how many were written."""
    count = 0
    for chunk in iter_vcf(contact_ids, version):
        out.write(chunk)
        count += 1
    return count


class _Chunks:
    """A write-only file for zipfile: it keeps what was written until taken (zipfile then writes data
    descriptors instead of seeking back, so the archive can be sent while it is made)."""

    def __init__(self):
        self.parts: list[bytes] = []

    def write(self, data) -> int:
        self.parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def take(self) -> bytes:
        data = b"".join(self.parts)
        self.parts.clear()
        return data


def _zip_names(ids: list[int]) -> dict[int, str]:
    """Each contact's file name inside the zip, made unique over the whole zip from a light query."""
    names = {}
    for start in range(0, len(ids), EXPORT_BATCH):
        rows = db.session.execute(select(Contact.id, Contact.last_name, Contact.first_name)
                                  .where(Contact.id.in_(ids[start:start + EXPORT_BATCH])))
        names.update((contact_id, safe_filename(f"{last.upper()} {first}")) for contact_id, last, first in rows)
    present = [i for i in ids if i in names]
    return dict(zip(present, unique_names(names[i] for i in present), strict=True))


def iter_zip(contact_ids: Iterable[int], version: str) -> Iterator[bytes]:
    """A zip holding one .vcf per contact, named after the contact and made unique, produced piece by piece."""
    if version not in VERSIONS:
        raise ValueError(f"unsupported vCard version {version!r}")
    unique = _zip_names(list(dict.fromkeys(int(i) for i in contact_ids)))
    sink = _Chunks()
    with zipfile.ZipFile(sink, "w", zipfile.ZIP_DEFLATED) as archive:
        for exported in export_cards(unique):
            archive.writestr(unique[exported.contact_id], contact_to_vcard(exported.card, version).encode("utf-8"))
            yield sink.take()
    yield sink.take()


def write_zip(contact_ids: Iterable[int], version: str, out: BinaryIO) -> int:
    """Write a zip holding one .vcf per contact into `out`; returns how many."""
    ids = list(dict.fromkeys(int(i) for i in contact_ids))
    count = 0
    for chunk in iter_zip(ids, version):
        out.write(chunk)
        count += 1
    return count - 1 if count else 0  # the last chunk is the zip's central directory
