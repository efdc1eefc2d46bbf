"""Bytes to vCard text, before vobject sees anything: encodings, line endings, card splitting, vCard 2.1 fixes.

vobject 0.9.9 reads text only and stops at the first unreadable line, so everything a real file can throw at it
(UTF-16, per-property CHARSET, quoted-printable soft line breaks, unindented 2.1 base64, nested AGENT cards, a
missing END) is settled here, card by card. This module never imports vobject.
"""
import binascii
import codecs
import re
from dataclasses import dataclass, field

from flask_babel import gettext as _

MB = 1024 * 1024


class VCardFileError(ValueError):
    """The whole file is refused; `message` is shown to the user as is."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass
class RawCard:
    """One top-level card cut out of the file: its lines between BEGIN and END, nested cards removed."""

    number: int  # 1-based position in the file, as the user counts cards
    body: bytes  # LF line ends; still folded
    nested: int = 0  # nested (AGENT) cards removed from the body
    closed: bool = True  # False when the file ended (or another card began) before its END:VCARD
    charset_hint: str | None = None  # the file's declared 8-bit charset, for lines that declare none


@dataclass
class CardText:
    """A card body as logical (unfolded) lines of text for vobject's line parser, and what the decoding had to
    guess."""

    lines: list[str]
    notes: list[str] = field(default_factory=list)


# ---------------------------------------------------------------------------------------------------- file level

_NEWLINES = re.compile(rb"\r+\n|\r")
# A card boundary is a line of its own; an indented BEGIN would be a folded continuation, not a boundary.
_MARKER = re.compile(rb"^(BEGIN|END)[ \t]*:[ \t]*VCARD[ \t]*$", re.I | re.M)
_HEADLESS = re.compile(rb"^(?:VERSION|FN|N)[;:]", re.I | re.M)
_CHARSET_DECL = re.compile(rb"CHARSET=\"?([A-Za-z0-9_.:-]+)", re.I)


def to_unix_text_bytes(data: bytes) -> bytes:
    """The file as UTF-8-or-8-bit bytes with LF line ends and no NUL: UTF-16/32 (BOM or NUL pattern) re-encoded."""
    if data.startswith(codecs.BOM_UTF8):
        data = data[3:]
    elif data.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        data = data.decode("utf-32", errors="replace").encode("utf-8")
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        data = data.decode("utf-16", errors="replace").encode("utf-8")
    else:
        utf16 = _utf16_without_bom(data)
        if utf16:
            data = data[: len(data) // 2 * 2].decode(utf16, errors="replace").encode("utf-8")
    if b"\r" in data:
        # CR CR LF (a CRLF file saved again on Windows) and lone CR (old Mac, Entourage) both end one line.
        data = _NEWLINES.sub(b"\n", data)
    if b"\x00" in data:
        data = data.replace(b"\x00", b"")
    return data


def _utf16_without_bom(data: bytes) -> str | None:
    """"utf-16-be"/"utf-16-le" when NUL bytes sit on every other position, as in Entourage exports."""
    sample = data[:512]
    if len(sample) < 8:
        return None
    even = sample[0::2].count(0)
    odd = sample[1::2].count(0)
    half = len(sample) // 2
    if even > half * 0.6 and odd < half * 0.1:
        return "utf-16-be"
    if odd > half * 0.6 and even < half * 0.1:
        return "utf-16-le"
    return None


# A logical line ends at a line end that no space or tab follows (RFC 6350 3.2: CRLF + one blank is a fold).
_LOGICAL_END = re.compile(rb"\n(?![ \t])")
_FOLD = re.compile(rb"\n[ \t]")


def longest_logical_line(data: bytes, limit: int) -> int:
    """Length in bytes of the longest logical (unfolded) line of LF-normalised bytes, counted on the bytes as they
    are: no line is built. Stops at the first line longer than `limit`."""
    longest = start = 0
    for match in _LOGICAL_END.finditer(data):
        end = match.start()
        if end - start > longest:
            # Only a span longer than any before is counted exactly: its folds (two bytes each) do not count.
            length = end - start - 2 * (data.count(b"\n ", start, end) + data.count(b"\n\t", start, end))
            longest = max(longest, length)
            if longest > limit:
                return longest
        start = match.end()
    end = len(data)
    length = end - start - 2 * (data.count(b"\n ", start, end) + data.count(b"\n\t", start, end))
    return max(longest, length)


def line_too_long(max_line: int) -> VCardFileError:
    """The refusal of a file holding a logical line longer than `max_line` bytes."""
    return VCardFileError(_("Le fichier contient une ligne de plus de %(size)s : ce n'est pas une fiche vCard "
                            "lisible.", size=_size(max_line)))


def split_cards(data: bytes, max_cards: int) -> list[RawCard]:
    """Cut LF-normalised bytes into top-level cards; nested cards stay inside their parent and are removed."""
    cards: list[RawCard] = []
    depth = 0
    begin_start = begin_end = 0  # start and end of the current card's BEGIN line
    nested_start = 0
    nested_spans: list[tuple[int, int]] = []
    seen_begin = False

    def add(body: bytes, nested: int = 0, closed: bool = True) -> None:
        if len(cards) >= max_cards:
            raise VCardFileError(_too_many_cards(max_cards))
        cards.append(RawCard(len(cards) + 1, body, nested, closed))

    for match in _MARKER.finditer(data):
        begin = match.group(1).upper() == b"BEGIN"
        if begin:
            depth += 1
            seen_begin = True
            if depth == 1:
                begin_start, begin_end = match.start(), match.end() + 1
                nested_spans = []
            elif depth == 2:
                nested_start = match.start()
            continue
        if depth == 0:
            # An END before any BEGIN: Evolution's broken test file starts at VERSION. Keep it when it looks
            # like a card; a stray END between cards is ignored.
            if not seen_begin and not cards and _HEADLESS.search(data, 0, match.start()):
                add(data[: match.start()])
            continue
        if depth == 2:
            nested_spans.append((nested_start, match.end() + 1))
        elif depth == 1:
            add(_cut(data, begin_end, match.start(), nested_spans), len(nested_spans))
        depth -= 1

    if depth >= 1:
        # The file ended inside a card. Either that card lacks its END and every later card looked nested in it,
        # or a (possibly deep) nesting was never closed: read the rest flat, one card per BEGIN.
        cards.extend(_split_flat(data, begin_start, len(cards), max_cards))
    return cards


def _cut(data: bytes, start: int, end: int, spans: list[tuple[int, int]]) -> bytes:
    """data[start:end] without the nested spans."""
    if not spans:
        return data[start:end]
    parts = []
    position = start
    for span_start, span_end in spans:
        parts.append(data[position:span_start])
        position = span_end
    parts.append(data[position:end])
    return b"".join(parts)


def _split_flat(data: bytes, start: int, already: int, max_cards: int) -> list[RawCard]:
    """Cards from `start` on, ignoring nesting: each BEGIN starts a card, an END closes the open one."""
    cards: list[RawCard] = []
    body_start = None
    for match in _MARKER.finditer(data, start):
        if match.group(1).upper() == b"BEGIN":
            if body_start is not None:
                cards.append(RawCard(0, data[body_start : match.start()], closed=False))
            body_start = match.end() + 1
        elif body_start is not None:
            cards.append(RawCard(0, data[body_start : match.start()]))
            body_start = None
        if already + len(cards) > max_cards:
            raise VCardFileError(_too_many_cards(max_cards))
    if body_start is not None:
        cards.append(RawCard(0, data[body_start:], closed=False))
    if already + len(cards) > max_cards:
        raise VCardFileError(_too_many_cards(max_cards))
    for offset, card in enumerate(cards, start=already + 1):
        card.number = offset
    return cards


def read_file(data: bytes, *, max_bytes: int, max_cards: int, max_line: int) -> list[RawCard]:
    """Check the bounds and cut an uploaded file into raw cards; raise VCardFileError for a refused file."""
    if len(data) > max_bytes:
        raise VCardFileError(_("Le fichier dépasse la taille maximale (%(size)s).", size=_size(max_bytes)))
    if not data.strip():
        raise VCardFileError(_("Le fichier est vide."))
    data = to_unix_text_bytes(data)
    # The bound is on the unfolded line, counted before anything is built: a 9 MB NOTE folded into 70,000 short
    # lines took the worker to 1.5 GB. Quoted-printable soft breaks are bounded while they are joined (card_text).
    if len(data) > max_line and longest_logical_line(data, max_line) > max_line:
        raise line_too_long(max_line)
    cards = split_cards(data, max_cards)
    if not cards:
        raise VCardFileError(_("Ce fichier n'est pas un fichier vCard (aucune ligne BEGIN:VCARD)."))
    hint = _file_charset(data)
    if hint:
        for card in cards:
            card.charset_hint = hint
    return cards


def _too_many_cards(max_cards: int) -> str:
    return _("Le fichier contient plus de %(max)d fiches : importez-le en plusieurs fois.", max=max_cards)


def _size(n: int) -> str:
    return _("%(size)s Mo", size=f"{n / MB:g}") if n >= MB else _("%(size)d octets", size=n)


def _file_charset(data: bytes) -> str | None:
    """The first 8-bit charset the file declares (Shift_JIS phones omit it on some lines of the same card)."""
    for match in _CHARSET_DECL.finditer(data):
        name = _codec(match.group(1).decode("ascii", "replace"))
        if name and name != "utf-8":
            return name
    return None


def _codec(name: str) -> str | None:
    """Python's codec name for a declared charset, None when unknown."""
    try:
        return codecs.lookup(name.strip().strip('"')).name
    except LookupError:
        return None


# ---------------------------------------------------------------------------------------------------- card level

# Only these need the line-by-line path; everything else goes to vobject untouched once it decodes as UTF-8.
_NEEDS_FIX = re.compile(rb"QUOTED-PRINTABLE|[;=]BASE64[;:]|[;=]B64[;:]", re.I)
_LOOKS_LIKE_PROPERTY = re.compile(rb"^[A-Za-z0-9_.-]+[;:]")
_BARE_CHARSET = re.compile(
    r"^(utf-?8|utf-?16|us-ascii|iso-?8859-\d+|windows-\d+|cp\d+|shift[_-]jis|sjis|euc-\w+|big5|gb\d+|koi8-\w)$", re.I
)


def card_text(card: RawCard, max_line: int = MB) -> CardText:
    """The card body as logical lines of text in vCard 3.0 form: unfolded as bytes, then decoded (a fold inside a
    multi-byte character must not split it), quoted-printable and 2.1 base64 undone, charsets decoded.
    VCardFileError when a line joined from quoted-printable soft breaks or 2.1 base64 passes `max_line` bytes."""
    body = card.body
    lowered = body.lower()  # a case-blind regex over a photo's base64 costs a tenth of an import: look first
    if not ((b"quoted-printable" in lowered or b"b64" in lowered or b"base64" in lowered) and _NEEDS_FIX.search(body)):
        unfolded = _FOLD.sub(b"", body) if b"\n " in body or b"\n\t" in body else body
        try:
            return CardText(unfolded.decode("utf-8").split("\n"))
        except UnicodeDecodeError:
            pass
    return _fix_lines(body, card.charset_hint, max_line)


def _fix_lines(body: bytes, hint: str | None, max_line: int) -> CardText:
    notes: list[str] = []
    lines = body.split(b"\n")
    out: list[str] = []
    i = 0
    count = len(lines)
    while i < count:
        line = lines[i]
        i += 1
        if not line.strip():
            continue
        if line[:1] in b" \t":
            # A continuation left over (after a 2.1 base64 block, say): it continues the line before, as a fold.
            text = _decode(line[1:], None, hint, notes)
            if out:
                out[-1] += text
            else:
                out.append(text)
            continue
        head, colon, value = _split_head(line)
        if not colon:
            line, i = _unfold(line, lines, i, max_line)
            head, colon, value = _split_head(line)
            if not colon:
                out.append(_decode(line, None, hint, notes))
                continue
        params = _params(head)
        charset = _charset_of(params)
        if _is_qp(params):
            joined, i = _join_qp(value, lines, i, max_line)
            raw = binascii.a2b_qp(joined)
            text = _decode(raw, charset, hint, notes)
            text = text.replace("\r\n", "\\n").replace("\r", "\\n").replace("\n", "\\n")
            out.append(_head_text(params, drop_qp=True, hint=hint, notes=notes) + ":" + text)
        elif _is_base64(params):
            parts = [value.strip()]
            size = len(line)
            # 2.1 base64 runs until a blank line; some producers do not indent its lines.
            while i < count and lines[i].strip() and (lines[i][:1] in b" \t" or not _LOOKS_LIKE_PROPERTY.match(lines[i])):
                size += len(lines[i])
                if size > max_line:
                    raise line_too_long(max_line)
                parts.append(lines[i].strip())
                i += 1
            out.append(_head_text(params, drop_qp=False, hint=hint, notes=notes) + ":"
                       + b"".join(parts).decode("ascii", "replace"))
        else:
            value, i = _unfold(value, lines, i, max_line)
            out.append(_head_text(params, drop_qp=False, hint=hint, notes=notes) + ":" + _decode(value, charset, hint, notes))
    return CardText(out, notes)


def _unfold(start: bytes, lines: list[bytes], i: int, max_line: int) -> tuple[bytes, int]:
    """`start` joined with the folded lines from lines[i] on (each without its first blank), as bytes, and the index
    of the next line; VCardFileError past `max_line` bytes, before the line is joined."""
    if i >= len(lines) or lines[i][:1] not in b" \t":
        return start, i
    parts, size = [start], len(start)
    while i < len(lines) and lines[i][:1] in b" \t":
        size += len(lines[i]) - 1
        if size > max_line:
            raise line_too_long(max_line)
        parts.append(lines[i][1:])
        i += 1
    return b"".join(parts), i


def _split_head(line: bytes) -> tuple[bytes, bytes, bytes]:
    """(name and params, ":", value), skipping colons inside quoted parameter values."""
    if b'"' not in line:
        return line.partition(b":")
    quoted = False
    for position, byte in enumerate(line):
        if byte == 0x22:
            quoted = not quoted
        elif byte == 0x3A and not quoted:
            return line[:position], b":", line[position + 1 :]
    return line, b"", b""


def _params(head: bytes) -> list[bytes]:
    """The head split on ';' outside quotes: [name, param, param...]."""
    if b'"' not in head:
        return head.split(b";")
    parts, current, quoted = [], bytearray(), False
    for byte in head:
        if byte == 0x22:
            quoted = not quoted
        if byte == 0x3B and not quoted:
            parts.append(bytes(current))
            current = bytearray()
        else:
            current.append(byte)
    parts.append(bytes(current))
    return parts


def _param_values(params: list[bytes]):
    """(upper name or None for a bare 2.1 parameter, upper value) for every parameter value."""
    for param in params[1:]:
        name, equals, values = param.partition(b"=")
        if not equals:
            yield None, param.strip().upper()
            continue
        for value in values.split(b","):
            yield name.strip().upper(), value.strip().strip(b'"').upper()


def _is_qp(params: list[bytes]) -> bool:
    return any(value == b"QUOTED-PRINTABLE" and name in (None, b"ENCODING") for name, value in _param_values(params))


def _is_base64(params: list[bytes]) -> bool:
    return any(value in (b"BASE64", b"B64", b"B") and name in (None, b"ENCODING") for name, value in _param_values(params))


def _charset_of(params: list[bytes]) -> str | None:
    for name, value in _param_values(params):
        text = value.decode("ascii", "replace")
        if name == b"CHARSET" or (name is None and _BARE_CHARSET.match(text)):
            return text
    return None


def _join_qp(value: bytes, lines: list[bytes], i: int, max_line: int) -> tuple[bytes, int]:
    """A quoted-printable value with its soft line breaks ("=" at line end) and folded lines joined, as bytes;
    VCardFileError past `max_line` bytes, before the value is joined."""
    parts = [value]
    size = len(value)
    count = len(lines)
    while i < count:
        if parts[-1].rstrip(b" \t").endswith(b"="):
            # A soft break: the next line continues the value as is, even when it starts with a space. Blank lines
            # after it (an encoder's empty line, a CR CR LF turned into two line ends) are skipped, unless what
            # follows them is plainly the next property.
            parts[-1] = parts[-1].rstrip(b" \t")[:-1]
            following = i
            while following < count and not lines[following].strip():
                following += 1
            if following == count or (following > i and _NEXT_PROPERTY.match(lines[following])):
                break
            i = following
            size += len(lines[i])
            if size > max_line:
                raise line_too_long(max_line)
            parts.append(lines[i])
            i += 1
        elif lines[i][:1] in b" \t" and lines[i].strip():
            size += len(lines[i]) - 1
            if size > max_line:
                raise line_too_long(max_line)
            parts.append(lines[i][1:])
            i += 1
        else:
            break
    return b"".join(parts), i


# After blank lines, a line starting like a property of its own ends a quoted-printable value left open.
_NEXT_PROPERTY = re.compile(
    rb"^(?:[A-Za-z0-9-]+\.)?(?:X-[A-Za-z0-9-]+|BEGIN|END|VERSION|FN|N|ORG|TITLE|ROLE|TEL|EMAIL|ADR|LABEL|URL|NOTE|"
    rb"PHOTO|LOGO|BDAY|UID|REV|CATEGORIES|NICKNAME|IMPP|GEO|TZ|KEY|SOUND|AGENT|MAILER|CLASS|PRODID|SORT-STRING|"
    rb"GENDER|KIND|ANNIVERSARY|RELATED|MEMBER|LANG|SOURCE|NAME|PROFILE)[;:]", re.I)


def _head_text(params: list[bytes], *, drop_qp: bool, hint: str | None, notes: list[str]) -> str:
    """The name and parameters without ENCODING=QUOTED-PRINTABLE (already decoded) and without CHARSET."""
    kept = [params[0]]
    for param in params[1:]:
        name, equals, values = param.partition(b"=")
        upper = name.strip().upper()
        if upper == b"CHARSET" or (not equals and _BARE_CHARSET.match(upper.decode("ascii", "replace"))):
            continue
        if drop_qp and upper in (b"QUOTED-PRINTABLE", b"ENCODING") and b"QUOTED-PRINTABLE" in param.upper():
            continue
        kept.append(param)
    return _decode(b";".join(kept), None, hint, notes)


def _decode(raw: bytes, charset: str | None, hint: str | None, notes: list[str]) -> str:
    """Text from bytes: the declared charset, else UTF-8, else the file's charset, else windows-1252."""
    if charset:
        codec = _codec(charset)
        if codec:
            try:
                return raw.decode(codec)
            except UnicodeDecodeError:
                pass
        else:
            note = _("Jeu de caractères inconnu « %(charset)s » : texte lu en UTF-8 ou windows-1252.", charset=charset)
            if note not in notes:
                notes.append(note)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    if hint:
        try:
            return raw.decode(hint)
        except (UnicodeDecodeError, LookupError):
            pass
    try:
        return raw.decode("cp1252")
    except UnicodeDecodeError:
        return raw.decode("latin-1")
