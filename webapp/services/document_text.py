"""A filed document's real type, found from its content, and its text, for the search: the documents area
("Classez ici vos fichiers") keeps business-card photos, NDAs, CVs, meeting notes, proposals against contacts and
accounts.

- `sniff(data, filename)` -> FileKind: what the file is (PDF, Word .docx, OpenDocument .odt, e-mail .eml, plain
  text, PNG/JPEG/GIF/WEBP image, or anything else), the MIME type to serve it as and a word for the UI. Decided by
  the content: the name only helps where the content agrees (an .eml, an encrypted .docx). HTML and SVG are
  "other": served as an attachment, never rendered, since they can carry script.
- `extract(data, kind)` -> Extracted: the text (normalised, cut at max_chars) or a sentence saying why none was
  read. The parsers run in a forked child process bounded in memory and time (bounded_child); a zip-based file
  whose declared contents are a decompression bomb is refused before anything is decompressed. Never raises.
- `suggestions(text)` -> Suggestions: e-mail addresses and "Prénom NOM" names found in the text, which the caller
  matches against the contacts.
"""
import email
import html.parser
import io
import logging
import re
import struct
import warnings
import zipfile
from dataclasses import dataclass, field
from email import policy

from PIL import Image

from .bounded_child import TOO_BIG, TOO_LONG, run_bounded
from .sheet_read import SheetError, decode_text



def _l(text: str) -> str:
    """Marks a sentence for the catalogs (scripts/i18n.py extracts `_l`) and keeps it French: it is stored with the
    document (document.text_problem) and translated where it is shown."""
    return text


# The sentences a user reads, in French as the UI; not translated here: this module runs outside a request (and
# partly in a child process), and the sentence is stored. The templates translate it when they show it.
PROBLEMS = {
    "scanned": _l("Aucun texte lisible : document scanné (images seulement)."),
    "empty": _l("Aucun texte dans ce fichier."),
    "password": _l("Fichier protégé par un mot de passe : texte non lu."),
    "too-long": _l("Lecture interrompue : fichier trop long à lire."),
    "too-big": _l("Lecture interrompue : fichier trop gros une fois décompressé."),
    "broken": _l("Fichier illisible : il est abîmé ou n'est pas du type qu'il annonce."),
}
# The words written into an e-mail's extracted text (stored and searched, so in the UI's language).
WORDS = {
    "attachments": "Pièces jointes",
}
LABELS = {  # the word the UI shows for each kind (translated by the caller, like PROBLEMS)
    "pdf": "PDF", "docx": "Word", "odt": "OpenDocument", "eml": "E-mail", "text": "Texte", "image": "Image",
    "other": "Fichier",
}

MAX_MEMORY = 512 * 1024 * 1024  # what reading one document may take on top of the process
TIMEOUT = 20.0  # seconds; a document not read by then is left without text (the child process is killed)
MAX_CHARS = 2_000_000  # about 1,000 pages: the text kept for the search
SNIFF_BYTES = 64 * 1024  # what sniff() decodes to tell text, HTML and e-mail apart
ZIP_MAX_MEMBERS = 10_000  # a long .docx has a few dozen parts, an .odt with many pictures a few hundred
ZIP_MAX_RATIO = 100  # XML deflates 5-20 times; a member past 1 MB expanding more than this is a bomb
ZIP_RATIO_FLOOR = 1024 * 1024

MIME_DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
MIME_ODT = "application/vnd.oasis.opendocument.text"
_IMAGE_MIME = {"PNG": "image/png", "JPEG": "image/jpeg", "GIF": "image/gif", "WEBP": "image/webp"}
_CHARSETS = {"utf_8": "utf-8", "utf_8_sig": "utf-8", "cp1252": "windows-1252", "latin_1": "iso-8859-1",
             "utf_16": "utf-16", "utf_16_le": "utf-16le", "utf_16_be": "utf-16be"}
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTED_OOXML = "EncryptionInfo".encode("utf-16-le")  # a password-protected .docx is an OLE file holding it
_EMAIL_HEADERS = {"from", "to", "cc", "subject", "date", "received", "mime-version", "message-id", "return-path",
                  "reply-to", "delivered-to", "content-type"}
_HEADER_LINE = re.compile(r"([A-Za-z0-9-]{1,76}):")
_ACTIVE_MARKUP = re.compile(r"<!doctype\s+html|<html[\s>]|<svg[\s>]|<script", re.IGNORECASE)
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")


@dataclass(frozen=True)
class FileKind:
    """What a file is: `kind` (pdf, docx, odt, eml, text, image, other), the MIME type it is served as, the UI's
    word for it."""

    kind: str
    mime: str
    label: str


@dataclass
class Extracted:
    """A document's text (possibly empty) and, when no text could be read, why (a sentence of PROBLEMS)."""

    text: str
    problem: str | None = None


@dataclass
class Suggestions:
    """E-mail addresses (lowercased) and (first name, last name) pairs found in a text, at most 20 of each."""

    emails: list[str] = field(default_factory=list)
    names: list[tuple[str, str]] = field(default_factory=list)


def _kind(kind: str, mime: str) -> FileKind:
    return FileKind(kind, mime, LABELS[kind])


OTHER = _kind("other", "application/octet-stream")


# --- What the file is ------------------------------------------------------------------------------------------

def sniff(data: bytes, filename: str) -> FileKind:
    """The file's kind, from its content (see the module's docstring). Cheap: reads the start of the file, a zip's
    directory, an image's header."""
    name = (filename or "").lower()
    if not data:
        return OTHER
    if b"%PDF-" in data[:1024]:  # readers accept the header anywhere in the first kilobyte
        return _kind("pdf", "application/pdf")
    if data.startswith(b"PK\x03\x04"):
        return _zip_kind(data)
    if data.startswith(_OLE_MAGIC):  # an old .doc, or a password-protected .docx (OOXML encrypted in OLE)
        if name.endswith(".docx") and _ENCRYPTED_OOXML in data:
            return _kind("docx", MIME_DOCX)
        return OTHER
    image = _image_format(data)
    if image:
        return _kind("image", _IMAGE_MIME[image])
    return _text_kind(data, name)


def _zip_kind(data: bytes) -> FileKind:
    """docx or odt by their members; any other zip, or one too odd to list, is "other"."""
    members = _zip_members(data)
    if members is None:
        return OTHER
    names = {info.filename for info in members}
    if "[Content_Types].xml" in names and "word/document.xml" in names:
        return _kind("docx", MIME_DOCX)
    if "mimetype" in names:
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive, archive.open("mimetype") as member:
                mimetype = member.read(100).strip()
        except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError, EOFError, ValueError):
            return OTHER
        if mimetype == MIME_ODT.encode():
            return _kind("odt", MIME_ODT)
    return OTHER


def _zip_members(data: bytes) -> list[zipfile.ZipInfo] | None:
    """The zip's directory, or None when it is not a zip, or one naming more than ZIP_MAX_MEMBERS files (counted
    from its end record before any is listed: a directory of millions of entries would fill the memory)."""
    end = data.rfind(b"PK\x05\x06", max(0, len(data) - 22 - 65535))
    if end < 0 or len(data) < end + 22:
        return None
    entries = struct.unpack("<H", data[end + 10:end + 12])[0]
    if entries > ZIP_MAX_MEMBERS:  # 0xFFFF says "see the zip64 record": not a document's
        return None
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError, struct.error):
        return None


def _image_format(data: bytes) -> str | None:
    """PNG, JPEG, GIF or WEBP when Pillow identifies the file as one (reading its header only), else None."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # Pillow's DecompressionBombWarning: still an image, never decoded here
            with Image.open(io.BytesIO(data), formats=list(_IMAGE_MIME)) as image:
                return image.format if image.format in _IMAGE_MIME else None
    except Exception:  # noqa: BLE001 - Pillow raises many kinds on a non-image (and DecompressionBombError)
        return None


def _text_kind(data: bytes, name: str) -> FileKind:
    """eml, text or other, from the decoded start of the file."""
    head = data[:SNIFF_BYTES]
    if b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff")):  # NULs without a UTF-16 BOM: binary
        return OTHER
    try:
        text, encoding = decode_text(head, final=len(data) <= SNIFF_BYTES)
    except SheetError:  # a BOM the bytes do not follow
        return OTHER
    if not _looks_like_text(text):
        return OTHER
    if _email_headers(text) >= (1 if name.endswith(".eml") else 2):
        return _kind("eml", "message/rfc822")
    if _ACTIVE_MARKUP.search(text[:1024]) or "<script" in text.lower():
        return OTHER  # HTML or SVG: a browser would run its script
    return _kind("text", f"text/plain; charset={_CHARSETS.get(encoding, 'utf-8')}")


def _looks_like_text(text: str) -> bool:
    """No NUL, and hardly any control character (a binary file decoded as Latin-1 is full of them)."""
    if "\x00" in text:
        return False
    odd = sum(1 for char in text if (char < " " and char not in "\t\n\r\f") or "\x7f" <= char <= "\x9f")
    return odd <= len(text) // 100


def _email_headers(text: str) -> int:
    """How many of the usual RFC 822 headers the block of header lines at the start of the text holds (an mbox
    "From " line before it allowed)."""
    lines = text.split("\n", 200)[:200]
    if lines and lines[0].startswith("From "):
        lines = lines[1:]
    known, headers = set(), 0
    for line in lines:
        line = line.rstrip("\r")
        if not line:
            break
        if line[0] in " \t" and headers:  # a folded header's continuation
            continue
        header = _HEADER_LINE.match(line)
        if not header:
            return 0  # prose before any blank line: not a message's header block
        headers += 1
        if header.group(1).lower() in _EMAIL_HEADERS:
            known.add(header.group(1).lower())
    return len(known)


# --- Its text --------------------------------------------------------------------------------------------------

def extract(data: bytes, kind: FileKind, timeout: float = TIMEOUT, max_memory: int = MAX_MEMORY,
            max_chars: int = MAX_CHARS) -> Extracted:
    """The document's text, read in a child process of at most `max_memory` bytes more, killed after `timeout`
    seconds, cut at `max_chars`; with a sentence of PROBLEMS when there is none. An image or another file has no
    text and no problem. Never raises."""
    if kind.kind not in ("pdf", "docx", "odt", "eml", "text"):
        return Extracted("")
    if kind.kind == "docx" and data.startswith(_OLE_MAGIC):  # sniff() found the encrypted package in it
        return Extracted("", PROBLEMS["password"])
    if kind.kind in ("docx", "odt") and _zip_bomb(data, max_memory):
        return Extracted("", PROBLEMS["too-big"])
    outcome = run_bounded(_read_in_child, (data, kind.kind, max_chars), max_memory, timeout)
    if outcome[0] == "ok":
        return Extracted(outcome[1]) if outcome[1] else Extracted("", PROBLEMS["empty"])
    if outcome == TOO_LONG:
        return Extracted("", PROBLEMS["too-long"])
    if outcome == TOO_BIG:
        return Extracted("", PROBLEMS["too-big"])
    return Extracted("", PROBLEMS.get(outcome[0], PROBLEMS["broken"]))


def _zip_bomb(data: bytes, max_memory: int) -> bool:
    """Whether the zip's directory declares more than half of `max_memory` in all, or a member expanding more than
    ZIP_MAX_RATIO times. The declared sizes can be trusted as bounds: Python's zipfile (which python-docx and odfpy
    read through) stops a member at its declared size."""
    members = _zip_members(data)
    if members is None:
        return True  # sniff() said docx or odt, so it was listed: now it cannot be
    if sum(info.file_size for info in members) > max_memory // 2:
        return True
    return any(info.file_size > ZIP_RATIO_FLOOR and info.file_size > ZIP_MAX_RATIO * max(info.compress_size, 1)
               for info in members)


def _read_in_child(data: bytes, kind: str, max_chars: int) -> tuple:
    """In the child process: ("ok", text), or (a key of PROBLEMS,)."""
    warnings.simplefilter("ignore")  # a parser's warnings about a malformed file would be errors under pytest
    logging.getLogger("pypdf").setLevel(logging.ERROR)  # and its warnings lines noise in the server's log
    reader = {"pdf": _pdf_text, "docx": _docx_text, "odt": _odt_text, "eml": _eml_text, "text": _plain_text}[kind]
    out = _Text(max_chars)
    try:
        problem = reader(data, out)
    except MemoryError:
        raise  # bounded_child's TOO_BIG
    except Exception:  # noqa: BLE001 - parsers raise anything on a broken or hostile file
        return ("broken",)
    return (problem,) if problem else ("ok", out.text())


class _Text:
    """The text read so far, normalised piece by piece, up to max_chars."""

    def __init__(self, max_chars: int):
        self.max_chars = max_chars
        self.pieces: list[str] = []
        self.size = 0

    @property
    def full(self) -> bool:
        return self.size >= self.max_chars

    def add(self, text: str) -> None:
        if self.full or not text:
            return
        piece = normalise(text[:(self.max_chars - self.size) * 8])  # whitespace runs shrink; never the whole
        if piece:
            self.pieces.append(piece)
            self.size += len(piece) + 1

    def text(self) -> str:
        return "\n".join(self.pieces)[:self.max_chars].strip()


def normalise(text: str) -> str:
    """NULs and control characters removed, each line's whitespace runs collapsed to one space, blank lines kept
    single."""
    lines, blank = [], False
    for line in text.splitlines():
        line = " ".join(_CONTROL.sub("", line).split())
        if line or not blank:
            lines.append(line)
        blank = not line
    return "\n".join(lines).strip()


def _pdf_text(data: bytes, out: _Text) -> str | None:
    """The pages' text layer, page by page; "password" when a password is needed, "scanned" when the pages are only
    images."""
    import pypdf
    from pypdf.errors import DependencyError

    reader = pypdf.PdfReader(io.BytesIO(data))
    if reader.is_encrypted:
        try:  # protected against changes only (an owner password): readable with the empty user password
            if reader.decrypt("") == pypdf.PasswordType.NOT_DECRYPTED:
                return "password"
        except DependencyError:  # AES without the cryptography package
            return "password"
    pictures = False
    for page in reader.pages:
        out.add(page.extract_text())
        if out.full:
            break
        pictures = pictures or _has_xobjects(page)
    if not out.size and pictures:
        return "scanned"
    return None


def _has_xobjects(page) -> bool:
    """Whether the page draws images (or forms that may hold them)."""
    resources = page.get("/Resources")
    resources = resources.get_object() if resources is not None else {}
    xobjects = resources.get("/XObject")
    return bool(xobjects is not None and xobjects.get_object())


def _docx_text(data: bytes, out: _Text) -> None:
    """The body's paragraphs and its tables' cells (nested tables too), in the document's order."""
    import docx
    from docx.text.paragraph import Paragraph

    def blocks(container, seen: set) -> None:
        for block in container.iter_inner_content():
            if out.full:
                return
            if isinstance(block, Paragraph):
                out.add(block.text)
                continue
            for row in block.rows:
                for cell in row.cells:
                    if cell._tc in seen:  # a merged cell comes once for each grid column it spans
                        continue
                    seen.add(cell._tc)
                    blocks(cell, seen)

    blocks(docx.Document(io.BytesIO(data)), set())


def _odt_text(data: bytes, out: _Text) -> str | None:
    """The text:p and text:h elements' text, in the document's order (tables' and frames' included)."""
    from odf import teletype
    from odf.namespaces import TEXTNS
    from odf.opendocument import load

    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        if b"encryption-data" in archive.read("META-INF/manifest.xml"):
            return "password"
    document = load(io.BytesIO(data))
    stack = [document.text]
    while stack and not out.full:
        node = stack.pop()
        if getattr(node, "qname", None) in ((TEXTNS, "p"), (TEXTNS, "h")):
            out.add(teletype.extractText(node))
        else:
            stack.extend(reversed(node.childNodes))
    return None


def _eml_text(data: bytes, out: _Text) -> None:
    """Its Subject, From, To, Cc and Date lines, then its text/plain parts (its text/html ones, stripped of tags,
    when it has none), then the names of its attachments (not their content)."""
    message = email.message_from_bytes(data, policy=policy.default)
    for name in ("Subject", "From", "To", "Cc", "Date"):
        value = message.get(name)
        if value:
            out.add(f"{name}: {value}")
    plain, htmls, attachments = [], [], []
    for part in message.walk():
        if part.is_multipart():
            continue
        if part.is_attachment():
            attachments.append(part.get_filename() or part.get_content_type())
        elif part.get_content_type() == "text/plain":
            plain.append(part)
        elif part.get_content_type() == "text/html":
            htmls.append(part)
    out.add("")
    for part in plain:
        out.add(_part_text(part))
    for part in htmls if not plain else []:
        out.add(_html_text(_part_text(part)))
    if attachments:
        out.add(f"{WORDS['attachments']} : " + ", ".join(attachments))


def _part_text(part) -> str:
    """A text part decoded with its charset (Latin-1 when it names one Python does not know)."""
    try:
        return part.get_content()
    except (LookupError, UnicodeError, AssertionError):
        payload = part.get_payload(decode=True) or b""
        return payload.decode("latin_1")


class _HTMLText(html.parser.HTMLParser):
    """The text of an HTML body: scripts and styles left out, a line break at each block."""

    BLOCKS = {"p", "div", "br", "tr", "li", "h1", "h2", "h3", "h4", "h5", "h6", "table", "blockquote", "pre"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "head"):
            self.skip += 1
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag in ("script", "style", "head") and self.skip:
            self.skip -= 1
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data):
        if not self.skip:
            self.parts.append(data)


def _html_text(markup: str) -> str:
    parser = _HTMLText()
    parser.feed(markup)
    parser.close()
    return "".join(parser.parts)


def _plain_text(data: bytes, out: _Text) -> None:
    """The text as decoded (the encoding found as the spreadsheet import finds a CSV's), block by block."""
    try:
        text, _encoding = decode_text(data)
    except SheetError:
        text = data.decode("cp1252", errors="replace")
    start = 0
    while start < len(text) and not out.full:
        end = text.find("\n", start + 65536)
        end = len(text) if end < 0 else end + 1
        out.add(text[start:end])
        start = end


# --- Who it is about -------------------------------------------------------------------------------------------

MAX_SUGGESTIONS = 20
# An address as people write them (ASCII; an internationalised one is not suggested), starting after a character
# that cannot be in one, so a long run of letters is scanned once.
_EMAIL = re.compile(r"(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]{1,64}@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)"
                    r"{1,8}[A-Za-z]{2,24}(?![A-Za-z0-9-])")
_UPPER, _LOWER = "A-ZÀ-ÖØ-ÞŒŠŽŸ", "a-zß-öø-ÿœšž"
_FIRST = re.compile(f"[{_UPPER}][{_LOWER}]+(?:-[{_UPPER}][{_LOWER}]+)?")  # Jean, Marie-Hélène
_LAST_CAPS = re.compile(f"[{_UPPER}](?:[{_UPPER}'’-]*[{_UPPER}])")  # DUPONT, N'DIAYE, LE-GALL
_LAST = _FIRST  # Dupont, Martin-Leroy
_TRAILING = ".,;:!?)]}»\"'’"
# Capitalised words that start a sentence or a letter, or name a title, a month or a day: never a first name.
_NOT_FIRST = set("""Le La Les Un Une Des Du De Au Aux Et Ou Mais Si En Pour Par Avec Dans Sur Sous Chez Entre Je Tu
Il Elle On Nous Vous Ils Elles Ce Cet Cette Ces Mon Ma Mes Son Sa Ses Notre Votre Leur Bonjour Bonsoir Cordialement
Merci Madame Monsieur Mademoiselle Mme Mlle Cher Chère Chers Objet Date Société Client Cliente Contrat Article
Annexe Page Rue Avenue Boulevard Place Lundi Mardi Mercredi Jeudi Vendredi Samedi Dimanche Janvier Février Mars
Avril Mai Juin Juillet Août Septembre Octobre Novembre Décembre From To Subject Sent Re Fwd Tr The Dear Hello Hi
Best Regards Thanks Mr Mrs Ms""".split())


def suggestions(text: str) -> Suggestions:
    """The e-mail addresses in the text (lowercased, each once, in order, at most 20) and the names written
    "Prénom NOM" or "Prénom Nom" on one line (each pair once, case aside; "Prénom NOM" ones first, at most 20): a
    capitalised first name (hyphenated allowed) then a last name in capitals or capitalised, outside a short list
    of words that start sentences or letters. Particles ("de", "van der") and names split across lines are not
    found; a capitalised pair that is no name ("Conditions Générales") may be: the caller keeps only those that
    match a contact."""
    emails: list[str] = []
    for match in _EMAIL.finditer(text):
        address = match.group(0).strip(".").lower()
        if address not in emails:
            emails.append(address)
            if len(emails) == MAX_SUGGESTIONS:
                break
    caps, capitalised, seen = [], [], set()
    for line in text.splitlines():
        words = line.split()
        for first, last in zip(words, words[1:]):
            last = last.rstrip(_TRAILING)
            if first in _NOT_FIRST or last in _NOT_FIRST or not _FIRST.fullmatch(first):
                continue
            if _LAST_CAPS.fullmatch(last):
                found = caps
            elif _LAST.fullmatch(last):
                found = capitalised
            else:
                continue
            key = (first.lower(), last.lower())
            if key not in seen:
                seen.add(key)
                found.append((first, last))
        if len(caps) >= MAX_SUGGESTIONS:
            break
    return Suggestions(emails, (caps + capitalised)[:MAX_SUGGESTIONS])


# --- A file on disk, its bytes never in the caller's process -------------------------------------------------------

def analyse_file(path: str, filename: str, timeout: float = TIMEOUT, max_memory: int = MAX_MEMORY,
                 max_chars: int = MAX_CHARS) -> tuple[FileKind, Extracted]:
    """sniff() and extract() of a file on disk, each in a bounded child process that reads the file itself, so
    that a 25 MB upload never sits whole in the web worker's memory. A file whose type cannot be found in time is
    "other". Never raises."""
    outcome = run_bounded(_sniff_file, (path, filename), max_memory, timeout)
    kind = outcome[1] if outcome[0] == "ok" else _kind("other", "application/octet-stream")
    if kind.kind not in ("pdf", "docx", "odt", "eml", "text"):
        return kind, Extracted("")
    outcome = run_bounded(_extract_file, (path, kind, max_memory, max_chars), max_memory, timeout)
    if outcome[0] == "ok":
        return kind, outcome[1]
    if outcome == TOO_LONG:
        return kind, Extracted("", PROBLEMS["too-long"])
    if outcome == TOO_BIG:
        return kind, Extracted("", PROBLEMS["too-big"])
    return kind, Extracted("", PROBLEMS["broken"])


def _sniff_file(path: str, filename: str) -> tuple:
    with open(path, "rb") as stream:
        return ("ok", sniff(stream.read(), filename))


def _extract_file(path: str, kind: FileKind, max_memory: int, max_chars: int) -> tuple:
    """In the child: the file's text as extract() reads it, without a further child."""
    with open(path, "rb") as stream:
        data = stream.read()
    if kind.kind == "docx" and data.startswith(_OLE_MAGIC):
        return ("ok", Extracted("", PROBLEMS["password"]))
    if kind.kind in ("docx", "odt") and _zip_bomb(data, max_memory):
        return ("ok", Extracted("", PROBLEMS["too-big"]))
    outcome = _read_in_child(data, kind.kind, max_chars)
    if outcome[0] == "ok":
        return ("ok", Extracted(outcome[1]) if outcome[1] else Extracted("", PROBLEMS["empty"]))
    return ("ok", Extracted("", PROBLEMS.get(outcome[0], PROBLEMS["broken"])))
