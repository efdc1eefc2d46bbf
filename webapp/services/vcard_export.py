"""vCard export from the CRM's own data: one contact, one multi-card .vcf, or a zip of one .vcf per contact.

Contacts are read EXPORT_BATCH at a time with their account, service, links, photo and extras (four queries per
batch on the tables' columns, no ORM row loading; never one per contact, never every contact in
memory at once), turned into ExportCards and serialized by the vCard layer. The writers stream into any binary file
object, so a bulk export can go to a temporary file; iter_vcf and iter_zip yield a batch at a time.

UID: every contact has one from its creation (services.contacts.create_contact and the bulk imports; migration 0012
gave one to older contacts), so importing the file again finds it by UID whatever was edited in between, and an
export only reads: it writes no row and no audit entry.

Speed (bench/bench_bulk.py, 100,000 contacts on SQLite): about 0.07 ms a contact for
the .vcf and for the zip on a busy 2-core machine. The zip keeps one entry per contact for its central directory
(zipfile's ZipInfo, about 0.5 KB each), so its memory grows with the selection; the rest is bounded by a batch.
"""
import time
import zipfile
from collections.abc import Iterable, Iterator
from typing import BinaryIO, NamedTuple

from sqlalchemy import select

from ..countries import country_name
from ..extensions import db
from ..models import Client, Contact, ContactExtra, ContactLink, ContactPhoto, Department
from .filenames import UniqueNames, safe_filename
from .vcard_syntax import split_values
from .vcard_write import ExportAddress, ExportCard, contact_to_vcard

EXPORT_BATCH = 500
VERSIONS = ("3.0", "4.0")
# zlib's default level: the time goes into deflate's setup for each small file, level 1 saved nothing measurable.
ZIP_LEVEL = 6


class ExportedContact(NamedTuple):
    contact_id: int
    card: ExportCard

    @property
    def filename(self) -> str:
        """"DUPONT Jean.vcf", safe but not yet unique."""
        return safe_filename(f"{self.card.last_name.upper()} {self.card.first_name}")


def export_cards(contact_ids: Iterable[int], batch_size: int = EXPORT_BATCH) -> Iterator[ExportedContact]:
    """The contacts as ExportCards, in the order given (ids that no longer exist are skipped); the caller has
    checked that the user may see them."""
    for batch in _batches(contact_ids, batch_size):
        yield from batch


def _batches(contact_ids: Iterable[int], batch_size: int = EXPORT_BATCH) -> Iterator[list[ExportedContact]]:
    ids = list(dict.fromkeys(int(i) for i in contact_ids))
    countries: dict[str, str] = {}  # code -> French name, looked up once per export
    for start in range(0, len(ids), batch_size):
        yield _batch(ids[start:start + batch_size], countries)


def _batch(chunk: list[int], countries: dict[str, str]) -> list[ExportedContact]:
    """One batch of contacts as ExportCards, in the order of `chunk`: four queries on the tables' columns."""
    contact, client, department = Contact.__table__.c, Client.__table__.c, Department.__table__.c
    rows = db.session.execute(
        select(contact.id, contact.last_name, contact.first_name, contact.gender, contact.function, contact.email,
               contact.phone, contact.mobile, contact.fax, contact.street, contact.street2, contact.postal_code,
               contact.city, contact.country, contact.notes, contact.vcard_role, contact.categories,
               contact.birthday, contact.vcard_uid, contact.updated_at, client.name, department.label)
        .select_from(Contact.__table__).join(Client.__table__, client.id == contact.client_id)
        .outerjoin(Department.__table__, department.id == contact.department_id)
        .where(contact.id.in_(chunk))).all()
    link = ContactLink.__table__.c
    links: dict[int, list] = {}
    for contact_id, url, kind in db.session.execute(
            select(link.contact_id, link.url, link.kind).where(link.contact_id.in_(chunk))
            .order_by(link.contact_id, link.position, link.id)):
        links.setdefault(contact_id, []).append((url, kind))
    extra = ContactExtra.__table__.c
    extras: dict[int, list] = {}
    for contact_id, kind, label, value in db.session.execute(
            select(extra.contact_id, extra.kind, extra.label, extra.value).where(extra.contact_id.in_(chunk))
            .order_by(extra.contact_id, extra.position, extra.id)):
        extras.setdefault(contact_id, []).append((kind, label, value))
    photo = ContactPhoto.__table__.c
    photos = {contact_id: (data, mime) for contact_id, data, mime in db.session.execute(
        select(photo.contact_id, photo.data, photo.mime).where(photo.contact_id.in_(chunk)))}
    by_id = {row[0]: row for row in rows}
    return [ExportedContact(contact_id, _export_card(by_id[contact_id], links.get(contact_id, []),
                                                     extras.get(contact_id, []), photos.get(contact_id, (None, None)),
                                                     countries))
            for contact_id in chunk if contact_id in by_id]


def _export_card(row, links: list, extras: list, photo: tuple, countries: dict[str, str]) -> ExportCard:
    """One contact's row, links, extras and photo as an ExportCard; country names are looked up once."""
    (_id, last_name, first_name, gender, function, email, phone, mobile, fax, street, street2, postal_code, city,
     country, notes, role, categories, birthday, uid, updated_at, client_name, department_label) = row
    address = None
    if street or street2 or postal_code or city or country:
        if country and country not in countries:
            countries[country] = country_name(country)
        address = ExportAddress(street=street or "", street2=street2 or "", postal_code=postal_code or "",
                                city=city or "", country=countries[country] if country else "")
    phones = [(number, kind) for number, kind in ((phone, "work"), (mobile, "cell"), (fax, "fax")) if number]
    data, mime = photo
    return ExportCard(
        last_name=last_name, first_name=first_name, org=client_name, org_unit=department_label, title=function,
        role=role, emails=[email] if email else [], phones=phones, address=address, urls=links, photo=data,
        photo_mime=mime, gender=gender, uid=uid, rev=updated_at, note=notes,
        categories=[c.strip() for c in split_values(categories, ",") if c.strip()] if categories else [],
        birthday=birthday, extras=extras)


def iter_vcf(contact_ids: Iterable[int], version: str) -> Iterator[bytes]:
    """The contacts as one multi-card .vcf (UTF-8, CRLF), a batch of cards at a time, for a download that starts at
    once."""
    if version not in VERSIONS:
        raise ValueError(f"unsupported vCard version {version!r}")
    for batch in _batches(contact_ids):
        if batch:
            yield "".join([contact_to_vcard(item.card, version) for item in batch]).encode("utf-8")


def write_vcf(contact_ids: Iterable[int], version: str, out: BinaryIO) -> None:
    """Write the contacts as one multi-card .vcf into `out`."""
    out.writelines(iter_vcf(contact_ids, version))


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


def iter_zip(contact_ids: Iterable[int], version: str) -> Iterator[bytes]:
    """A zip holding one .vcf per contact, named after the contact and made unique, produced a batch at a time;
    the last part is the zip's central directory.

    File names are made unique as the contacts come, in the order given (the zip keeps one entry per contact for its
    central directory, about 0.4 KB each: all entries share one timestamp, the export's start)."""
    if version not in VERSIONS:
        raise ValueError(f"unsupported vCard version {version!r}")
    unique = UniqueNames()
    stamp = time.localtime()[:6]
    sink = _Chunks()
    with zipfile.ZipFile(sink, "w", zipfile.ZIP_DEFLATED, compresslevel=ZIP_LEVEL) as archive:
        for batch in _batches(contact_ids):
            for exported in batch:
                entry = zipfile.ZipInfo(unique(exported.filename), stamp)
                entry.external_attr = 0o600 << 16  # rw-------, as ZipFile.writestr gives a file named by a string
                archive.writestr(entry, contact_to_vcard(exported.card, version).encode("utf-8"),
                                 compress_type=zipfile.ZIP_DEFLATED, compresslevel=ZIP_LEVEL)
            if batch:
                yield sink.take()
    yield sink.take()


def write_zip(contact_ids: Iterable[int], version: str, out: BinaryIO) -> None:
    """Write a zip holding one .vcf per contact into `out`."""
    out.writelines(iter_zip(contact_ids, version))
