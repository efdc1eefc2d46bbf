"""Documents filed against contacts and accounts: filing an upload (a same-named file on the same contact or account
becomes a new version), classifying it (contacts, account, category, tags), the search, downloads and deletion,
every one audited.

Who sees a document: whoever sees its account or one of its contacts (the list's scope, in the query); a document
not yet classified (no contact, no account) only the one who filed it. The rights "Consulter les documents" and
"Classer des documents" are checked by the routes."""
import re
import tempfile
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import and_, func, or_, select, text
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..models import AuditEntry, Client, Contact, Document, DocumentCategory, DocumentVersion, User, document_contacts
from ..models.types import utcnow
from ..rules import clean_line
from ..scope import client_visible, contact_visible
from ..text import fold
from .audit import record_changes, record_created, record_deleted
from .document_storage import STORAGE
from .document_text import analyse_file, suggestions
from .filenames import safe_filename

MAX_INDEXED_CHARS = 300_000  # of a version's text in the search (PostgreSQL's tsvector is at most 1 MB)
PAGE_SIZE = 20
COUNT_CAP = 1000


class DocumentRefused(Exception):
    """The file is not filed; `message` says why, in the user's words."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Limits:
    max_bytes: int  # per file
    quota_bytes: int  # per user, every version they filed


@dataclass
class Filed:
    document: Document
    version: DocumentVersion
    new_version: bool
    suggested_contacts: list[int] = field(default_factory=list)


def visible(user: User):
    """Condition on Document: the user may see it."""
    linked = select(document_contacts.c.document_id).join(Contact, Contact.id == document_contacts.c.contact_id)
    by_contact = Document.id.in_(linked.where(contact_visible(user)))
    unclassified = and_(Document.client_id.is_(None), Document.id.not_in(select(document_contacts.c.document_id)),
                        Document.created_by_id == user.id)
    return or_(and_(Document.client_id.is_not(None), client_visible(user, Document.client_id)), by_contact,
               unclassified)


def get_visible(user: User, document_id: int) -> Document | None:
    return db.session.scalars(select(Document).where(Document.id == document_id, visible(user)).options(
        selectinload(Document.contacts), selectinload(Document.client), selectinload(Document.category))).first()


def used_bytes(user: User) -> int:
    """What the user's filed versions weigh, against their quota."""
    return db.session.scalar(select(func.coalesce(func.sum(DocumentVersion.size), 0))
                             .where(DocumentVersion.created_by_id == user.id)) or 0


def _size(n: int) -> str:
    return f"{n / 1024 / 1024:.0f} Mo" if n >= 1024 * 1024 else f"{max(1, n // 1024)} Ko"


def _checked_links(user: User, contact_ids: list[int], client_id: int | None) -> tuple[list[Contact], int | None]:
    contacts = list(db.session.scalars(select(Contact).where(Contact.id.in_(contact_ids), contact_visible(user))))
    if len(contacts) != len(set(contact_ids)):
        raise DocumentRefused(_("Un des contacts choisis n'existe pas ou ne vous est pas visible."))
    if client_id is not None and not db.session.scalar(select(Client.id).where(Client.id == client_id,
                                                                               client_visible(user))):
        raise DocumentRefused(_("Ce compte client n'existe pas ou ne vous est pas visible."))
    return contacts, client_id


def _check_category(category_id: int | None) -> None:
    if category_id is not None and db.session.get(DocumentCategory, category_id) is None:
        raise DocumentRefused(_("Cette catégorie n'existe pas."))


def _same_document(user: User, name_key: str, contacts: list[Contact], client_id: int | None) -> Document | None:
    """The document this upload is a new version of: same name, on one of the same contacts (or, without
    contacts, on the same account)."""
    statement = select(Document).where(Document.name_key == name_key, visible(user))
    if contacts:
        statement = statement.where(Document.id.in_(select(document_contacts.c.document_id).where(
            document_contacts.c.contact_id.in_([c.id for c in contacts]))))
    elif client_id is not None:
        statement = statement.where(Document.client_id == client_id)
    else:
        return None
    return db.session.scalars(statement.order_by(Document.id).limit(1)).first()


def file_upload(user: User, name: str, stream, limits: Limits, contact_ids: list[int] | None = None,
                client_id: int | None = None, category_id: int | None = None, tags: str = "") -> Filed:
    """File one uploaded file (read from `stream` in chunks): its type found by content, its text read in a bounded
    child process, a new version when the same name is already filed on the same contact or account."""
    name = document_name(name)
    contacts, client_id = _checked_links(user, contact_ids or [], client_id)
    _check_category(category_id)
    with tempfile.NamedTemporaryFile(prefix="document-") as spool:
        size = _spool(stream, spool, limits.max_bytes, name)
        used = used_bytes(user)
        if used + size > limits.quota_bytes:
            raise DocumentRefused(_("« %(name)s » n'est pas classé : votre espace (%(quota)s) serait dépassé "
                                    "(%(used)s utilisés).", name=name, quota=_size(limits.quota_bytes),
                                    used=_size(used)))
        found, extracted = analyse_file(spool.name, name)
        document = _same_document(user, fold(name), contacts, client_id)
        new_version = document is not None
        if document is None:
            document = Document(name=name, name_key=fold(name), client_id=client_id, category_id=category_id,
                                tags=_clean_tags(tags), created_by_id=user.id, version_count=0)
            document.contacts = contacts
            db.session.add(document)
            db.session.flush()
        version = DocumentVersion(document_id=document.id, number=document.version_count + 1, name=name, size=size,
                                  sha256="", kind=found.kind, mime=found.mime, text=extracted.text,
                                  text_problem=extracted.problem, created_by_id=user.id)
        db.session.add(version)
        db.session.flush()
        spool.seek(0)
        stored = STORAGE.write(version.id, spool, size)  # the spool is at most max_bytes: nothing refused after a write
        version.sha256 = stored.sha256
    document.version_count += 1
    document.size, document.kind, document.mime = size, found.kind, found.mime
    document.text_problem, document.updated_at = extracted.problem, utcnow()
    _refresh_search(document, extracted.text)
    if new_version:
        record_changes("document", document.id, {"version": (str(version.number - 1), str(version.number))}, "form",
                       user.id)
    else:
        record_created("document", document.id, {"name": name, "kind": found.label, "size": size}, "form", user.id)
    return Filed(document, version, new_version, _suggested_contacts(user, name, extracted.text, contacts))


def document_name(typed: str) -> str:
    """The upload's name made safe (the vCard export's rules), its extension kept: "NDA APROOL.docx"."""
    stem, dot, extension = (typed or "").rpartition(".")
    if dot and stem and extension.isascii() and extension.isalnum() and len(extension) <= 10:
        return safe_filename(stem, "." + extension, 200)
    return safe_filename(typed or "fichier", "", 200)


def _spool(stream, spool, max_bytes: int, name: str) -> int:
    size = 0
    while chunk := stream.read(1024 * 1024):
        size += len(chunk)
        if size > max_bytes:
            raise DocumentRefused(_("« %(name)s » dépasse %(size)s : il n'est pas classé.", name=name,
                                    size=_size(max_bytes)))
        spool.write(chunk)
    spool.flush()
    if size == 0:
        raise DocumentRefused(_("« %(name)s » est vide : il n'est pas classé.", name=name))
    return size


def _suggested_contacts(user: User, name: str, text_found: str, linked: list[Contact]) -> list[int]:
    """Contacts the file names (an e-mail in its text, a "Prénom Nom" in its text or name), for the filing form."""
    if linked:
        return []
    found = suggestions(f"{name}\n{text_found[:200_000]}")
    conditions = []
    if found.emails:
        conditions.append(Contact.email_key.in_([fold(email) for email in found.emails]))
    for first, last in found.names[:20]:
        conditions.append(and_(Contact.first_name_key == fold(first), Contact.last_name_key == fold(last)))
    if not conditions:
        return []
    return list(db.session.scalars(select(Contact.id).where(or_(*conditions), contact_visible(user),
                                                            Contact.left_company.is_(False)).limit(10)))


@dataclass
class LinkChoices:
    contacts: list[Contact]  # linked now, then proposed from the document's name and text
    accounts: list[Client]  # linked now, then the accounts of those contacts


def link_choices(user: User, document: Document) -> LinkChoices:
    """What the classify form offers: the document's contacts and account, and those its name and text name."""
    proposed = _suggested_contacts(user, document.name, documents_text(document), [])
    contacts = list(document.contacts) + [c for c in db.session.scalars(
        select(Contact).where(Contact.id.in_(proposed)).order_by(Contact.last_name_key)) if c not in document.contacts]
    account_ids = [document.client_id] if document.client_id else []
    account_ids += [c.client_id for c in contacts if c.client_id not in account_ids]
    accounts = {a.id: a for a in db.session.scalars(select(Client).where(Client.id.in_(account_ids),
                                                                         client_visible(user)))}
    return LinkChoices(contacts, [accounts[i] for i in account_ids if i in accounts])


def documents_text(document: Document) -> str:
    """The current version's text."""
    return texts_of([document]).get(document.id, "")


def _clean_tags(tags: str) -> str:
    """Tags as typed, one line each (control characters out), without repeats: "salon, 2026"."""
    kept = list(dict.fromkeys(tag for tag in (clean_line(t) for t in re.split(r"[,;]", tags or "")) if tag))
    return ", ".join(kept)[:500]


def _refresh_search(document: Document, version_text: str | None = None) -> None:
    """search_text from the name, category, tags, contacts, account and the current version's text."""
    if version_text is None:
        version_text = db.session.scalar(select(DocumentVersion.text).where(
            DocumentVersion.document_id == document.id).order_by(DocumentVersion.number.desc()).limit(1)) or ""
    category = db.session.get(DocumentCategory, document.category_id) if document.category_id else None
    client = db.session.get(Client, document.client_id) if document.client_id else None
    people = " ".join(f"{c.first_name} {c.last_name} {c.email or ''}" for c in document.contacts)
    document.search_text = fold(" ".join((document.name, category.label if category else "", document.tags, people,
                                          client.name if client else "", version_text[:MAX_INDEXED_CHARS])))


def classify(user: User, document: Document, contact_ids: list[int], client_id: int | None,
             category_id: int | None, tags: str) -> bool:
    """Set a document's contacts, account, category and tags; False when nothing changed."""
    contacts, client_id = _checked_links(user, contact_ids, client_id)
    _check_category(category_id)
    before = _described(document)
    document.contacts = contacts
    document.client_id, document.category_id, document.tags = client_id, category_id, _clean_tags(tags)
    db.session.flush()
    after = _described(document)
    changes = {key: (before[key], after[key]) for key in before if before[key] != after[key]}
    if not changes:
        return False
    document.updated_at = utcnow()
    _refresh_search(document)
    record_changes("document", document.id, changes, "form", user.id)
    return True


def _described(document: Document) -> dict:
    return {"contacts": ", ".join(str(c.id) for c in sorted(document.contacts, key=lambda c: c.id)) or None,
            "client_id": document.client_id, "category_id": document.category_id, "tags": document.tags or None}


def delete_document(user: User, document: Document) -> None:
    """Delete a document and every version (audited with its name)."""
    record_deleted("document", document.id, {"name": document.name, "versions": document.version_count}, "form",
                   user.id)
    db.session.delete(document)
    db.session.flush()


def version_of(document: Document, number: int | None) -> DocumentVersion | None:
    statement = select(DocumentVersion).where(DocumentVersion.document_id == document.id)
    if number is None:
        statement = statement.order_by(DocumentVersion.number.desc()).limit(1)
    else:
        statement = statement.where(DocumentVersion.number == number)
    return db.session.scalars(statement).first()


def record_download(user: User, document: Document, version: DocumentVersion) -> None:
    """A download in the audit trail: who, which document, which version."""
    db.session.add(AuditEntry(user_id=user.id, via="form", action="download", record_type="document",
                              record_id=document.id, field="version", new_value=str(version.number)))


# --- search ------------------------------------------------------------------------------------------------------

_WORD = re.compile(r"[0-9a-z]+")


def query_terms(query: str) -> list[str]:
    """The words of a search, folded: letters and digits only (what both full-text indexes split on)."""
    return list(dict.fromkeys(_WORD.findall(fold(query))))[:12]


def _matching(terms: list[str], dialect: str):
    """Every word as a prefix: the tsvector on PostgreSQL, the FTS5 table on SQLite (the same folded text)."""
    if dialect == "postgresql":
        return text("document.search_vector @@ to_tsquery('simple', :tsquery)").bindparams(
            tsquery=" & ".join(f"{term}:*" for term in terms))
    return Document.id.in_(select(text("rowid")).select_from(text("document_fts")).where(
        text("document_fts MATCH :fts_match").bindparams(fts_match=" ".join(f'"{term}"*' for term in terms))))


@dataclass
class SearchResult:
    documents: list[Document]
    total: int  # capped at COUNT_CAP
    capped: bool


def search(user: User, query: str = "", page: int = 1, contact_id: int | None = None, client_id: int | None = None,
           category_id: int | None = None) -> SearchResult:
    """The documents the user sees matching every word typed (as a prefix), newest first, a page at a time."""
    statement = select(Document.id).where(visible(user))
    terms = query_terms(query)
    dialect = db.engine.dialect.name
    if terms:
        statement = statement.where(_matching(terms, dialect))
    if contact_id is not None:
        statement = statement.where(Document.id.in_(select(document_contacts.c.document_id).where(
            document_contacts.c.contact_id == contact_id)))
    if client_id is not None:
        statement = statement.where(or_(Document.client_id == client_id, Document.id.in_(
            select(document_contacts.c.document_id).join(Contact, Contact.id == document_contacts.c.contact_id)
            .where(Contact.client_id == client_id))))
    if category_id is not None:
        statement = statement.where(Document.category_id == category_id)
    bitmap_only = bool(terms) and dialect == "postgresql"
    if bitmap_only:
        # PostgreSQL cannot know that checking a row's tsvector means reading it whole (up to 1 MB, out of line):
        # for a rare word it would walk the newest-first index testing every row (1.5 s at 20,000 documents of
        # 100 KB). Only bitmap scans for these two statements: the GIN index gives the matches, then they are
        # sorted (60 ms for a word in every document).
        db.session.execute(text("SET LOCAL enable_seqscan = off"))
        db.session.execute(text("SET LOCAL enable_indexscan = off"))
    try:
        total = db.session.scalar(select(func.count()).select_from(statement.limit(COUNT_CAP + 1).subquery()))
        ids = list(db.session.scalars(statement.order_by(Document.updated_at.desc(), Document.id.desc())
                                      .offset((max(page, 1) - 1) * PAGE_SIZE).limit(PAGE_SIZE)))
    finally:
        if bitmap_only:
            db.session.execute(text("RESET enable_seqscan"))
            db.session.execute(text("RESET enable_indexscan"))
    documents = {d.id: d for d in db.session.scalars(select(Document).where(Document.id.in_(ids)).options(
        selectinload(Document.contacts), selectinload(Document.client), selectinload(Document.category)))}
    return SearchResult([documents[i] for i in ids if i in documents], min(total, COUNT_CAP), total > COUNT_CAP)


# Accented forms of the letters a folded search word may stand for, to find the word in the original text.
_VARIANTS = {"a": "aàâäáãå", "c": "cç", "e": "eéèêë", "i": "iîïíì", "o": "oôöóòõ", "u": "uùûüú", "y": "yÿý",
             "n": "nñ"}


def snippet(document_text: str, terms: list[str], width: int = 90) -> list[tuple[str, bool]]:
    """A passage of the text around the first word found, as (text, matched) parts for the template to escape
    and mark; the text's start when no word is found."""
    if not document_text:
        return []
    pattern = None
    if terms:
        alternatives = ["".join(f"[{_VARIANTS[ch]}]" if ch in _VARIANTS else re.escape(ch) for ch in term)
                        for term in terms]
        pattern = re.compile(r"(?<!\w)(?:" + "|".join(alternatives) + r")\w*", re.IGNORECASE)
    found = pattern.search(document_text) if pattern else None
    start = max(0, found.start() - width) if found else 0
    passage = document_text[start:start + 2 * width + 40]
    prefix = "…" if start else ""
    suffix = "…" if start + len(passage) < len(document_text) else ""
    passage = " ".join(passage.split())
    if not pattern:
        return [(prefix + passage + suffix, False)]
    parts, last = [], 0
    for match in pattern.finditer(passage):
        parts.append((passage[last:match.start()], False))
        parts.append((match.group(0), True))
        last = match.end()
    parts.append((passage[last:], False))
    if prefix:
        parts.insert(0, (prefix, False))
    if suffix:
        parts.append((suffix, False))
    return [part for part in parts if part[0]]


def texts_of(documents: list[Document]) -> dict[int, str]:
    """The current version's text of each document (one statement), for the snippets."""
    if not documents:
        return {}
    newest = (select(DocumentVersion.document_id, func.max(DocumentVersion.number).label("number"))
              .where(DocumentVersion.document_id.in_([d.id for d in documents]))
              .group_by(DocumentVersion.document_id).subquery())
    rows = db.session.execute(select(DocumentVersion.document_id, DocumentVersion.text).join(
        newest, and_(newest.c.document_id == DocumentVersion.document_id, newest.c.number == DocumentVersion.number)))
    return {document_id: text_found for document_id, text_found in rows}
