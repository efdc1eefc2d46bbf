"""Documents filed against the people of client accounts ("Classez ici vos fichiers"): each document has versions,
whose bytes are kept in chunks (DocumentChunk) so that no request holds a whole file, and the text read from them
for the search."""
from datetime import datetime

from sqlalchemy import Column, ForeignKey, Index, Integer, LargeBinary, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .reference import ReferenceMixin
from .types import UTCDateTime, utcnow

document_contacts = Table(
    "document_contact",
    db.metadata,
    Column("document_id", ForeignKey("document.id", ondelete="CASCADE"), primary_key=True),
    Column("contact_id", ForeignKey("contact.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class DocumentCategory(ReferenceMixin, db.Model):
    """Catégorie de document (Contrat, CV, Proposition, Carte de visite, Compte-rendu...)."""

    __tablename__ = "document_category"
    label: Mapped[str] = mapped_column(String(120), unique=True)


class Document(db.Model):
    """A file filed against one or more contacts and/or an account; its newest version is the one shown."""

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(255))  # the file's name, as shown and as downloaded
    name_key: Mapped[str] = mapped_column(String(255), index=True)  # folded: a same-named file is a new version
    client_id: Mapped[int | None] = mapped_column(ForeignKey("client.id", ondelete="SET NULL"), index=True)
    category_id: Mapped[int | None] = mapped_column(ForeignKey("document_category.id"))
    tags: Mapped[str] = mapped_column(String(500), default="")  # comma-separated, as typed
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The current version's facts, copied so that lists and the search read one row.
    size: Mapped[int] = mapped_column(Integer, default=0)
    kind: Mapped[str] = mapped_column(String(10), default="other")
    mime: Mapped[str] = mapped_column(String(100), default="application/octet-stream")
    text_problem: Mapped[str | None] = mapped_column(String(300))
    version_count: Mapped[int] = mapped_column(Integer, default=1)
    # Everything the search matches, folded (name, category, tags, contacts, account, the text): SQLite's FTS5
    # table and PostgreSQL's tsvector are built from it by the service that writes the document.
    search_text: Mapped[str] = mapped_column(Text, default="")

    category: Mapped[DocumentCategory | None] = relationship()
    contacts: Mapped[list["Contact"]] = relationship(secondary=document_contacts)  # noqa: F821
    client: Mapped["Client | None"] = relationship()  # noqa: F821
    versions: Mapped[list["DocumentVersion"]] = relationship(back_populates="document", cascade="all, delete-orphan",
                                                             order_by="DocumentVersion.number.desc()")

    # The search lists the newest first: a page is read along this index.
    __table_args__ = (Index("ix_document_updated", "updated_at", "id"),)


class DocumentVersion(db.Model):
    """One upload of a document: its bytes (in chunks), what it was found to be, the text read from it."""

    __tablename__ = "document_version"
    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("document.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(255))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(10))
    mime: Mapped[str] = mapped_column(String(100))
    text: Mapped[str] = mapped_column(Text, default="")
    text_problem: Mapped[str | None] = mapped_column(String(300))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    document: Mapped[Document] = relationship(back_populates="versions")

    __table_args__ = (Index("ix_document_version_document", "document_id", "number", unique=True),)


class DocumentChunk(db.Model):
    """A piece of a version's bytes (at most services.document_storage.CHUNK_BYTES), in order."""

    __tablename__ = "document_chunk"
    version_id: Mapped[int] = mapped_column(ForeignKey("document_version.id", ondelete="CASCADE"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    data: Mapped[bytes] = mapped_column(LargeBinary)
