"""Where a document version's bytes live, behind one small interface so that an object store can be added later:
today the database, in chunks of CHUNK_BYTES rows (document_chunk), written and read one chunk at a time so that a
25 MB file never sits whole in a worker's memory. No object-store code without a real server to test it against."""
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO, Protocol

from sqlalchemy import delete, insert, select

from ..extensions import db
from ..models import DocumentChunk

CHUNK_BYTES = 1024 * 1024


class TooLarge(Exception):
    """The stream is longer than the bound it was written with."""


@dataclass(frozen=True)
class Stored:
    size: int
    sha256: str


class Storage(Protocol):
    def write(self, version_id: int, stream: BinaryIO, max_bytes: int) -> Stored: ...

    def read(self, version_id: int) -> Iterator[bytes]: ...

    def delete(self, version_id: int) -> None: ...


class DatabaseStorage:
    """Chunks in document_chunk, in the same transaction as the document's rows."""

    def write(self, version_id: int, stream: BinaryIO, max_bytes: int) -> Stored:
        """Copy the stream in chunks; TooLarge (nothing kept once the transaction rolls back) past `max_bytes`."""
        digest, size, position = hashlib.sha256(), 0, 0
        while chunk := stream.read(CHUNK_BYTES):
            size += len(chunk)
            if size > max_bytes:
                raise TooLarge()
            digest.update(chunk)
            db.session.execute(insert(DocumentChunk), [{"version_id": version_id, "position": position,
                                                        "data": chunk}])
            position += 1
        return Stored(size, digest.hexdigest())

    def read(self, version_id: int) -> Iterator[bytes]:
        """The bytes, one chunk (one statement) at a time."""
        position = 0
        while (chunk := db.session.scalar(select(DocumentChunk.data).where(
                DocumentChunk.version_id == version_id, DocumentChunk.position == position))) is not None:
            yield chunk
            position += 1

    def delete(self, version_id: int) -> None:
        db.session.execute(delete(DocumentChunk).where(DocumentChunk.version_id == version_id))


STORAGE: Storage = DatabaseStorage()
