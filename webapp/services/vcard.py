"""vCard import and export: the only module of the app that imports vobject.

Import: `parse_vcards(data)` turns an uploaded file into plain `ParsedCard` values, one card at a time, so one
broken card never costs the others. vobject's line reader and line parser read the content lines (folding, names,
groups, parameters, values); its component building (a ContentLine object per line, two thirds of its parse time)
is not used, nor its vCard 3.0 value decoding, which truncates text at the first comma (vobject #55), keeps the
first NICKNAME (#138), cuts `data:` URIs (#103) and keeps `\\:`: values are unescaped here, per property.

Export: `contact_to_vcard(ExportCard)` writes the CRM's own values as vCard content lines the way vobject's
serializer writes a component, with vobject's own encoding helpers (`backslashEscape` for text values,
`dquoteEscape` for parameter values) but without building a vobject component per contact (about 0.7 ms each,
too slow for 100,000 contacts); lines are folded at 75 octets without splitting UTF-8 (including the lines vobject
leaves unfolded: PHOTO, short accented lines), CRLF. See `_card_lines`.
"""
import base64
import binascii
import io
import re
import unicodedata
import urllib.parse
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import NamedTuple

import vobject
from vobject.base import VObjectError, backslashEscape, dquoteEscape

from .vcard_decode import MB, RawCard, VCardFileError, card_text, read_file

__all__ = [
    "Address", "CardError", "ExportAddress", "ExportCard", "Extra", "Link", "ParseResult", "ParsedCard", "Primary",
    "TypedValue", "VCardFileError", "choose_primary", "contact_to_vcard", "contacts_to_vcf", "content_disposition", "parse_vcards",
    "link_kind", "safe_filename", "split_full_name", "unique_names", "UniqueNames",
]

MAX_BYTES = 10 * MB
MAX_CARDS = 5000
MAX_LINE = 1 * MB
MAX_PHOTO = 5 * MB


# ------------------------------------------------------------------------------------------------------ values

class TypedValue(NamedTuple):
    """An e-mail, phone or IM: value, lower-case TYPE values ({"work", "voice"}), label (X-ABLabel) if any."""

    value: str
    types: frozenset[str] = frozenset()
    label: str | None = None


class Link(NamedTuple):
    """A web address or social profile: url, kind (linkedin, x, facebook, website...), label if any."""

    url: str
    kind: str = "website"
    label: str | None = None


class Extra(NamedTuple):
    """A value with no column of its own, kept as read (ContactExtra): kind (≤ 20), label, value."""

    kind: str
    label: str | None
    value: str


@dataclass
class Address:
    """An ADR: the country is a name as written in the file ("France", "Deutschland", "USA")."""

    street: str = ""
    extended: str = ""  # "complément d'adresse"
    city: str = ""
    region: str = ""
    postal_code: str = ""
    country: str = ""
    po_box: str = ""
    types: frozenset[str] = frozenset()
    label: str | None = None

    def one_line(self) -> str:
        parts = [self.po_box, self.street, self.extended, f"{self.postal_code} {self.city}".strip(), self.region,
                 self.country]
        return ", ".join(p.replace("\n", ", ") for p in parts if p)


@dataclass
class Primary:
    """What goes into the Contact's own columns; everything else is in `extras` and `links`."""

    email: str | None
    phone: str | None
    mobile: str | None
    fax: str | None
    address: Address | None
    links: list[Link]
    extras: list[Extra]


@dataclass
class ParsedCard:
    """One contact read from a vCard, as plain Python values."""

    number: int
    version: str = ""
    last_name: str = ""
    first_name: str = ""
    full_name: str = ""
    additional_names: str = ""
    name_prefix: str = ""
    name_suffix: str = ""
    kind: str = "individual"  # 4.0 KIND or Apple's X-ABShowAs:COMPANY ("org"); groups are not people
    org: str | None = None
    org_units: list[str] = field(default_factory=list)
    title: str | None = None
    role: str | None = None
    emails: list[TypedValue] = field(default_factory=list)
    phones: list[TypedValue] = field(default_factory=list)
    addresses: list[Address] = field(default_factory=list)
    urls: list[Link] = field(default_factory=list)
    ims: list[TypedValue] = field(default_factory=list)
    photo: bytes | None = None
    photo_mime: str | None = None
    gender: str | None = None  # "M" or "F"
    uid: str | None = None
    note: str | None = None
    categories: list[str] = field(default_factory=list)
    birthday: date | None = None
    nicknames: list[str] = field(default_factory=list)
    rev: datetime | None = None
    extras: list[Extra] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)  # property names not imported (README list)
    warnings: list[str] = field(default_factory=list)  # French, for the import report

    def primary(self) -> Primary:
        """Pick the CRM's e-mail, phone (work/voice), mobile (cell), fax and address; the rest become extras."""
        return choose_primary(self)


@dataclass
class CardError:
    """A card that could not be read (or was read with a caveat): its 1-based number and a French reason."""

    number: int
    reason: str


@dataclass
class ParseResult:
    """Cards read, cards refused (with reasons) and cards read with a caveat."""

    cards: list[ParsedCard] = field(default_factory=list)
    errors: list[CardError] = field(default_factory=list)
    warnings: list[CardError] = field(default_factory=list)


# ------------------------------------------------------------------------------------------------------ import

def parse_vcards(data: bytes, max_cards: int = MAX_CARDS, max_line: int = MAX_LINE, max_bytes: int = MAX_BYTES,
                 max_photo: int = MAX_PHOTO) -> ParseResult:
    """Read every contact of an uploaded .vcf file; a broken card is reported and the others are kept."""
    result = ParseResult()
    for raw in read_file(data, max_bytes=max_bytes, max_cards=max_cards, max_line=max_line):
        try:
            card = _parse_card(raw, max_photo)
        except RecursionError:
            result.errors.append(CardError(raw.number, "Fiche trop imbriquée pour être lue."))
            continue
        except (VObjectError, LookupError, UnicodeError, binascii.Error, ValueError, TypeError, AttributeError,
                IndexError, KeyError) as error:
            result.errors.append(CardError(raw.number, _reason(error)))
            continue
        if card is None:
            result.errors.append(CardError(raw.number, "Fiche vide : aucune donnée lisible."))
            continue
        result.cards.append(card)
        for warning in card.warnings:
            result.warnings.append(CardError(raw.number, warning))
    return result


def _reason(error: Exception) -> str:
    if isinstance(error, VObjectError):
        return "Fiche illisible : sa structure ne respecte pas le format vCard."
    if isinstance(error, (UnicodeError, LookupError)):
        return "Fiche illisible : encodage des caractères inconnu ou invalide."
    if isinstance(error, binascii.Error):
        return "Fiche illisible : données base64 invalides."
    return "Fiche illisible : contenu inattendu."


def _warn(card: "ParsedCard", message: str) -> None:
    if message not in card.warnings:
        card.warnings.append(message)


def _parse_card(raw: RawCard, max_photo: int) -> ParsedCard | None:
    decoded = card_text(raw)
    card = ParsedCard(number=raw.number)
    card.warnings.extend(decoded.notes)
    if not raw.closed:
        _warn(card, "Fiche sans ligne END:VCARD (fichier tronqué ?) : lue jusqu'à la fiche suivante.")
    if raw.nested:
        _warn(card, "Fiche imbriquée (AGENT) ignorée.")
        card.ignored.append("AGENT")
    lines = _read_lines(decoded.text, card)
    if not lines:
        return None
    _interpret(lines, card, max_photo)
    if not (card.full_name or card.org or card.emails or card.phones or card.addresses or card.urls or card.ims
            or card.photo or card.note or card.extras):
        return None
    return card


class _Line(NamedTuple):
    name: str
    group: str | None
    params: dict[str, list[str]]
    bare: list[str]
    value: str


def _read_lines(text: str, card: ParsedCard) -> list[_Line]:
    """Content lines of one card, unfolded and split by vobject's own line reader and line parser; lines it
    cannot parse, and stray BEGIN/END lines, are dropped and reported. Lines of a nested component are skipped.

    vobject's readOne would also build a ContentLine object per line (two thirds of its parse time: its
    __setattr__ runs a dozen times per line) only for this function to copy out the same five values."""
    lines, dropped, depth, nested = [], 0, 0, 0
    for logical, number in vobject.base.getLogicalLines(io.StringIO(text), False):
        try:
            name, params, value, group = vobject.base.parseLine(logical, number)
        except VObjectError:
            dropped += 1
            continue
        name = name.upper()
        if name == "BEGIN":
            depth += 1
            continue
        if name == "END":
            if not depth:
                dropped += 1
                continue
            depth -= 1
            if not depth:
                nested = 0  # a closed nested component is skipped on purpose, not reported
            continue
        if depth:
            nested += 1
            continue
        named: dict[str, list[str]] = {}
        bare: list[str] = []
        for param in params:
            if len(param) == 1:
                bare.append(param[0])
            else:
                named.setdefault(param[0].upper(), []).extend(param[1:])
        lines.append(_Line(name, group.upper() if group else None, named, bare, value))
    dropped += nested if depth else 0  # a nested component never closed: its lines are lost, say so
    if dropped:
        if not lines:
            raise vobject.base.ParseError("no readable content line", None)
        _warn(card, f"{dropped} ligne(s) illisible(s) ignorée(s).")
    return lines


# Text unescaping: \n and \N are newlines; \, \; \: \\ (and any other escaped character) stand for themselves.
_ESCAPED = re.compile(r"\\(.)", re.S)


def _unescape(value: str) -> str:
    if "\\" not in value:
        return value
    return _ESCAPED.sub(lambda m: "\n" if m.group(1) in "nN" else m.group(1), value)


def _split(value: str, separator: str) -> list[str]:
    """Split on `separator` where it is not backslash-escaped, then unescape each part."""
    if "\\" not in value:
        return value.split(separator)
    parts, current = [], []
    for token in re.split(r"(\\.)", value, flags=re.S):
        if token.startswith("\\") and len(token) == 2:
            current.append(token)
            continue
        pieces = token.split(separator)
        current.append(pieces[0])
        for piece in pieces[1:]:
            parts.append("".join(current))
            current = [piece]
    parts.append("".join(current))
    return [_unescape(p) for p in parts]


_NOT_TYPES = {"BASE64", "B", "QUOTED-PRINTABLE", "8BIT", "7BIT", "INLINE", "URL", "URI", "CONTENT-ID", "CID",
              "X-UNKNOWN", "VCARD", "VALUE"}
_LANGUAGE_TAG = re.compile(r"^[a-z]{2}-[a-z]{2}$", re.I)  # de-DE, a LANGUAGE written bare
_CHARSET_LIKE = re.compile(r"^(utf-?8|utf-?16|us-ascii|iso-?8859-\d+|windows-\d+|cp\d+|shift[_-]jis)$", re.I)


def _types(line: _Line) -> frozenset[str]:
    """TYPE values and bare 2.1 parameters, lower-case; PREF=1 (4.0) counts as "pref"."""
    types = set()
    for value in line.params.get("TYPE", ()):
        types.update(v.strip().lower() for v in value.split(",") if v.strip())
    for value in line.bare:
        if value.upper() in _NOT_TYPES or _CHARSET_LIKE.match(value) or _LANGUAGE_TAG.match(value):
            continue
        types.add(value.lower())
    if "PREF" in line.params:
        types.add("pref")
    return frozenset(types)


# Apple's built-in labels, written as _$!<Mobile>!$_, and what they mean.
_APPLE_LABEL = re.compile(r"^_\$!<(.*)>!\$_$")
_APPLE_TYPES = {"mobile": {"cell"}, "iphone": {"cell"}, "work": {"work"}, "home": {"home"}, "main": {"work"},
                "workfax": {"fax", "work"}, "homefax": {"fax", "home"}, "otherfax": {"fax"}, "pager": {"pager"}}


def _label(value: str) -> tuple[str, set[str]]:
    text = _unescape(value).strip()
    match = _APPLE_LABEL.match(text)
    if match:
        inner = match.group(1)
        return inner, set(_APPLE_TYPES.get(inner.lower(), ()))
    return text, set()


_IM_PROPERTIES = {"X-AIM": "AIM", "X-JABBER": "Jabber", "X-ICQ": "ICQ", "X-MSN": "MSN", "X-YAHOO": "Yahoo",
                  "X-SKYPE": "Skype", "X-SKYPE-USERNAME": "Skype", "X-GTALK": "Google Talk", "X-GOOGLE-TALK":
                  "Google Talk", "X-QQ": "QQ", "X-GADUGADU": "Gadu-Gadu", "X-GROUPWISE": "GroupWise",
                  "X-MS-IMADDRESS": "IM", "X-SIP": "SIP", "X-TWITTER": "Twitter", "X-KADDRESSBOOK-X-IMADDRESS": "IM"}
_URL_PROPERTIES = {"X-EVOLUTION-BLOG-URL": "Blog", "X-EVOLUTION-VIDEO-URL": "Vidéo"}
_ANNIVERSARY = {"ANNIVERSARY", "X-ANNIVERSARY", "X-MS-ANNIVERSARY", "X-EVOLUTION-ANNIVERSARY",
                "X-WAB-WEDDING-ANNIVERSARY", "X-KADDRESSBOOK-X-ANNIVERSARY"}
_RELATED = {"RELATED": None, "X-ABRELATEDNAMES": None, "X-SPOUSE": "Conjoint", "X-MS-SPOUSE": "Conjoint",
            "X-EVOLUTION-SPOUSE": "Conjoint", "X-WAB-SPOUSE-NAME": "Conjoint", "X-KADDRESSBOOK-X-SPOUSESNAME":
            "Conjoint", "X-ASSISTANT": "Assistant", "X-EVOLUTION-ASSISTANT": "Assistant", "X-MS-ASSISTANT":
            "Assistant", "X-KADDRESSBOOK-X-ASSISTANTSNAME": "Assistant", "X-MANAGER": "Responsable",
            "X-EVOLUTION-MANAGER": "Responsable", "X-MS-MANAGER": "Responsable",
            "X-KADDRESSBOOK-X-MANAGERSNAME": "Responsable"}
# Read silently: structure, or a copy of what is read elsewhere (LABEL repeats ADR, SORT-STRING repeats N).
_SILENT = {"VERSION", "PRODID", "X-ABLABEL", "SORT-STRING", "X-PHONETIC-FIRST-NAME", "X-PHONETIC-LAST-NAME",
           "X-PHONETIC-MIDDLE-NAME", "X-PHONETIC-ORG", "X-ABUID", "NAME", "PROFILE", "SOURCE", "X-ABSHOWAS",
           "X-EVOLUTION-FILE-AS", "X-MS-OL-DEFAULT-POSTAL-ADDRESS", "CLIENTPIDMAP"}


def _interpret(lines: list[_Line], card: ParsedCard, max_photo: int) -> None:
    """Fill `card` from content lines; values are unescaped here, per property."""
    labels: dict[str, tuple[str, set[str]]] = {}
    for line in lines:
        if line.name == "X-ABLABEL" and line.group:
            labels[line.group] = _label(line.value)
    notes, labels_only = [], []
    name_line = None
    kaddressbook_department = None
    for line in lines:
        name = line.name
        label, label_types = labels.get(line.group, (None, set())) if line.group else (None, set())
        if name == "N":
            if name_line is None:
                name_line = line
        elif name == "FN":
            if not card.full_name:
                card.full_name = _unescape(line.value).strip()
        elif name == "VERSION":
            card.version = line.value.strip()
        elif name == "ORG":
            if card.org is None:
                parts = [p.strip() for p in _split(line.value, ";")]
                card.org = parts[0] or None
                card.org_units = [p for p in parts[1:] if p]
        elif name == "TITLE":
            card.title = card.title or _unescape(line.value).strip() or None
        elif name == "ROLE":
            card.role = card.role or _unescape(line.value).strip() or None
        elif name == "EMAIL":
            value = _unescape(line.value).strip()
            if value.lower().startswith("mailto:"):
                value = value[7:]
            if value:
                card.emails.append(TypedValue(value, _types(line) | label_types, label))
        elif name == "TEL":
            value = _unescape(line.value).strip()
            if value.lower().startswith("tel:"):
                value = urllib.parse.unquote(value[4:])
            if value:
                card.phones.append(TypedValue(value, _types(line) | label_types, label))
        elif name == "ADR":
            card.addresses.append(_address(line, label, label_types))
        elif name == "LABEL":
            labels_only.append(line)
        elif name in ("URL", "X-SOCIALPROFILE"):
            url = _unescape(line.value).strip()
            if url:
                card.urls.append(_link(url, line, label))
        elif name in _URL_PROPERTIES:
            url = _unescape(line.value).strip()
            if url:
                card.urls.append(Link(url, link_kind(url), label or _URL_PROPERTIES[name]))
        elif name == "X-KADDRESSBOOK-X-DEPARTMENT":
            department = _unescape(line.value).strip()
            if department:
                kaddressbook_department = department
        elif name == "X-KADDRESSBOOK-X-PROFESSION":
            card.role = card.role or _unescape(line.value).strip() or None
        elif name in ("X-MAIDENNAME", "X-KADDRESSBOOK-X-OFFICE"):
            value = _unescape(line.value).strip()
            if value:
                card.extras.append(Extra("other", label or {"X-MAIDENNAME": "Nom de naissance"}.get(name, "Bureau"),
                                         value))
        elif name == "IMPP" or name in _IM_PROPERTIES:
            value = _unescape(line.value).strip()
            if value:
                service = (line.params.get("X-SERVICE-TYPE") or [None])[0] or _IM_PROPERTIES.get(name)
                card.ims.append(TypedValue(value, _types(line), label or service))
        elif name == "PHOTO":
            if card.photo is None:
                _photo(line, card, max_photo)
        elif name in ("GENDER", "X-GENDER", "X-WAB-GENDER", "X-KADDRESSBOOK-X-GENDER"):
            card.gender = card.gender or _gender(name, line.value)
        elif name == "UID":
            card.uid = card.uid or _unescape(line.value).strip() or None
        elif name == "NOTE":
            text = _unescape(line.value).strip()
            if text:
                notes.append(text)
        elif name == "CATEGORIES":
            card.categories.extend(c.strip() for c in _split(line.value, ",") if c.strip())
        elif name == "NICKNAME":
            card.nicknames.extend(n.strip() for n in _split(line.value, ",") if n.strip())
        elif name == "BDAY":
            birthday = _date(line.value, line.params)
            if birthday:
                card.birthday = card.birthday or birthday
            elif line.value.strip():
                card.extras.append(Extra("birthday", "Anniversaire", _unescape(line.value).strip()))
        elif name == "REV":
            card.rev = _datetime(line.value)
        elif name == "KIND":
            card.kind = {"org": "org", "group": "group", "location": "location"}.get(line.value.strip().lower(),
                                                                                   "individual")
        elif name in _ANNIVERSARY:
            value = _unescape(line.value).strip()
            if value:
                card.extras.append(Extra("anniversary", label or "Anniversaire de mariage", value))
        elif name == "X-ABDATE":
            value = _unescape(line.value).strip()
            if value:
                card.extras.append(Extra("date", label, value))
        elif name in _RELATED:
            value = _unescape(line.value).strip()
            if value:
                card.extras.append(Extra("related", label or _RELATED[name] or _related_label(line), value))
        elif name in _SILENT:
            if name == "X-ABSHOWAS" and line.value.strip().upper() == "COMPANY":
                card.kind = "org"
        elif name.startswith("X-CRM-"):
            value = _unescape(line.value).strip()
            if value:
                card.extras.append(Extra(name[6:].lower(), label, value))
        elif line.group and line.group in labels and name.startswith("X-"):
            # An unknown value the user labelled himself (DAVx5, Apple): keep it with its label.
            value = _unescape(line.value).strip()
            if value:
                card.extras.append(Extra("other", label, value))
        elif name not in card.ignored:
            card.ignored.append(name)

    if name_line is not None:
        parts = [p.strip() for p in _split(name_line.value, ";")] + [""] * 5
        card.last_name, card.first_name, card.additional_names, card.name_prefix, card.name_suffix = parts[:5]
    if not (card.last_name or card.first_name) and card.full_name:
        card.first_name, card.last_name = split_full_name(card.full_name)
    if not card.full_name:
        card.full_name = " ".join(p for p in (card.first_name, card.last_name) if p)
    if notes:
        card.note = "\n\n".join(notes)
    if kaddressbook_department and not card.org_units:
        card.org_units = [kaddressbook_department]
    if labels_only and not card.addresses:
        # A LABEL with no ADR (old Evolution, KDE) is the only copy of the address: keep its text.
        for line in labels_only:
            value = _unescape(line.value).strip()
            if value:
                card.extras.append(Extra("adr", _types_label(_types(line)), value))


def split_full_name(full_name: str) -> tuple[str, str]:
    """(first, last) from a formatted name: "Jean Dupont" → ("Jean", "Dupont"), "Dupont, Jean" → ("Jean", "Dupont")."""
    text = " ".join(full_name.split())
    if "," in text:
        last, _, first = text.partition(",")
        return first.strip(), last.strip()
    first, _, last = text.partition(" ")
    if not last:
        return "", first
    return first, last


def _address(line: _Line, label: str | None, label_types: set[str]) -> Address:
    parts = [p.strip() for p in _split(line.value, ";")] + [""] * 7
    box, extended, street, city, region, code, country = parts[:7]
    return Address(street=street, extended=extended, city=city, region=region, postal_code=code, country=country,
                   po_box=box, types=_types(line) | label_types, label=label)


_SOCIAL_HOSTS = {"linkedin.com": "linkedin", "twitter.com": "x", "x.com": "x", "facebook.com": "facebook",
                 "instagram.com": "instagram", "github.com": "github", "xing.com": "xing", "viadeo.com": "viadeo",
                 "youtube.com": "youtube", "flickr.com": "flickr", "myspace.com": "myspace"}
_SOCIAL_TYPES = {"twitter": "x", "x": "x", "linkedin": "linkedin", "facebook": "facebook", "instagram": "instagram",
                 "github": "github", "xing": "xing", "viadeo": "viadeo", "youtube": "youtube", "flickr": "flickr",
                 "myspace": "myspace", "mastodon": "mastodon"}


def link_kind(url: str, types: Iterable[str] = ()) -> str:
    """The kind of a web address: a social network named by its TYPE or its host, else "website"."""
    for value in types:
        if value in _SOCIAL_TYPES:
            return _SOCIAL_TYPES[value]
    host = urllib.parse.urlsplit(url if "//" in url else "//" + url).hostname or ""
    for domain, kind in _SOCIAL_HOSTS.items():
        if host == domain or host.endswith("." + domain):
            return kind
    return "website"


def _link(url: str, line: _Line, label: str | None) -> Link:
    types = _types(line)
    kind = link_kind(url, types)
    if label is None:
        plain = sorted(types - {"pref", "internet"} - set(_SOCIAL_TYPES))
        label = ",".join(plain) or None
    return Link(url, kind, label)


_MIME = {"JPEG": "image/jpeg", "JPG": "image/jpeg", "PNG": "image/png", "GIF": "image/gif", "BMP": "image/bmp",
         "TIFF": "image/tiff", "WEBP": "image/webp"}


def _sniff(data: bytes) -> str | None:
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"\x89PNG"):
        return "image/png"
    if data.startswith(b"GIF8"):
        return "image/gif"
    if data.startswith(b"BM"):
        return "image/bmp"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    if data[:4] in (b"II*\x00", b"MM\x00*"):
        return "image/tiff"
    if data[4:12] in (b"ftypheic", b"ftypheix", b"ftypmif1"):
        return "image/heic"
    return None


def _photo(line: _Line, card: ParsedCard, max_photo: int) -> None:
    """Inline photos only (base64 or data: URI); a remote address is recorded as not imported."""
    value = line.value.strip()
    params = line.params
    encoding = {v.upper() for v in params.get("ENCODING", ())} | {v.upper() for v in line.bare}
    value_type = {v.upper() for v in params.get("VALUE", ())} | {v.upper() for v in line.bare}
    declared = None
    for candidate in [*params.get("TYPE", ()), *params.get("MEDIATYPE", ()), *line.bare]:
        upper = candidate.upper()
        declared = declared or _MIME.get(upper.removeprefix("IMAGE/")) or (
            candidate.lower() if upper.startswith("IMAGE/") else None)
    if not value:
        return
    if value.lower().startswith("data:"):
        # Some writers escape the URI as text (data:image/jpeg\;base64\,...): base64 has no backslash to lose.
        header, comma, payload = _unescape(value)[5:].partition(",")
        if not comma:
            _warn(card, "Photo illisible (adresse data: incomplète) : non importée.")
            return
        declared = header.split(";")[0].lower() or declared
        if ";base64" in header.lower():
            data = _b64(payload, card, max_photo)
        else:
            data = urllib.parse.unquote_to_bytes(payload)
    elif encoding & {"B", "BASE64", "B64"}:
        data = _b64(value, card, max_photo)
    elif value_type & {"URI", "URL"} or re.match(r"^[a-z][a-z0-9+.-]*:", value, re.I):
        _warn(card, "Photo désignée par une adresse (URL) : non importée.")
        if "PHOTO (URL)" not in card.ignored:
            card.ignored.append("PHOTO (URL)")
        return
    elif _BASE64_TEXT.match(value) and _sniff(_b64(value, card, max_photo) or b""):
        # 3.0 producers that forget ENCODING=b still write base64: accepted when it decodes to an image.
        data = _b64(value, card, max_photo)
    else:
        _warn(card, "Photo dans un format non reconnu : non importée.")
        return
    if data:
        mime = _sniff(data)
        if mime is None:
            # Not an image (Symbian writes a base64 file:// path): the CRM could not show it anyway.
            _warn(card, "Photo dans un format non reconnu : non importée.")
            return
        card.photo = data
        card.photo_mime = mime


_BASE64_TEXT = re.compile(r"^[A-Za-z0-9+/=\s]+$")


def _b64(text: str, card: ParsedCard, max_photo: int) -> bytes | None:
    compact = "".join(text.split())
    if len(compact) * 3 // 4 > max_photo:
        _warn(card, f"Photo de plus de {max_photo // MB or 1} Mo : non importée.")
        return None
    try:
        return base64.b64decode(compact + "=" * (-len(compact) % 4), validate=False)
    except (binascii.Error, ValueError):
        _warn(card, "Photo illisible (base64 invalide) : non importée.")
        return None


def _gender(name: str, value: str) -> str | None:
    text = value.split(";")[0].strip().lower()
    if name == "X-WAB-GENDER":  # Windows Address Book: 1 female, 2 male
        return {"1": "F", "2": "M"}.get(text)
    if text in ("m", "male", "homme", "h", "masculin", "man", "männlich", "mann"):
        return "M"
    if text in ("f", "female", "femme", "féminin", "feminin", "woman", "w", "weiblich", "frau"):
        return "F"
    return None


_DATE = re.compile(r"^\s*(\d{4})-?(\d{2})-?(\d{2})")
_DATETIME = re.compile(r"^\s*(\d{4})-?(\d{2})-?(\d{2})(?:T(\d{2}):?(\d{2}):?(\d{2})?(?:[.,]\d+)?)?\s*(Z|[+-]\d{2}:?\d{2})?",
                       re.I)


def _date(value: str, params: dict) -> date | None:
    """A full date ("1980-03-21", "19800321", "1980-03-21T00:00:00Z"); None for partial or odd dates."""
    match = _DATE.match(value)
    if not match:
        return None
    year, month, day = (int(g) for g in match.groups())
    # Apple and CardBook write a birthday without year as year 1604 (X-APPLE-OMIT-YEAR=1604).
    omit = (params.get("X-APPLE-OMIT-YEAR") or ["1604"])[0].strip()
    if match.group(1) == omit:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _datetime(value: str) -> datetime | None:
    match = _DATETIME.match(value)
    if not match:
        return None
    year, month, day, hour, minute, second, zone = match.groups()
    try:
        moment = datetime(int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0),
                          tzinfo=timezone.utc)
    except ValueError:
        return None
    if zone and zone.upper() != "Z":
        sign = 1 if zone[0] == "+" else -1
        digits = zone[1:].replace(":", "")
        offset = sign * (int(digits[:2]) * 60 + int(digits[2:4]))
        moment = moment.replace(tzinfo=timezone(timedelta(minutes=offset)))
        moment = moment.astimezone(timezone.utc)
    return moment


def _related_label(line: _Line) -> str | None:
    types = _types(line)
    return ",".join(sorted(types)) or None


_TYPE_LABELS = {"work": "Travail", "home": "Domicile", "cell": "Mobile", "fax": "Fax", "pager": "Bip",
                "voice": "", "pref": "", "internet": "", "postal": "Postale", "parcel": "Colis", "dom": "",
                "intl": "", "car": "Voiture", "video": "Visio", "isdn": "RNIS", "msg": "Messagerie",
                "modem": "Modem", "bbs": "BBS", "other": "Autre", "main": "Principal", "iphone": "iPhone",
                "text": "SMS", "textphone": "Téléphone texte"}


def _types_label(types: Iterable[str]) -> str | None:
    """A French label for TYPE values: {"home", "fax"} → "Domicile, Fax"."""
    words = []
    for value in sorted(types):
        word = _TYPE_LABELS.get(value, value)
        if word and word not in words:
            words.append(word)
    return ", ".join(words) or None


_CELL = {"cell", "iphone", "mobile"}
_NOT_WORK_PHONE = _CELL | {"fax", "pager", "home", "car", "modem", "bbs", "video", "isdn", "textphone"}


def choose_primary(card: ParsedCard) -> Primary:
    """The CRM's e-mail (preferred, else first), phone (work/voice), mobile (cell), fax and address."""
    extras = []
    email = None
    if card.emails:
        chosen = next((e for e in card.emails if "pref" in e.types), card.emails[0])
        email = chosen.value
        extras += [Extra("email", e.label or _types_label(e.types), e.value) for e in card.emails if e is not chosen]

    def pick(match) -> TypedValue | None:
        candidates = [p for p in card.phones if p not in taken and match(p)]
        # Among candidates, a work one first, then a preferred one, then file order.
        candidates.sort(key=lambda p: ("work" not in p.types, "pref" not in p.types))
        return candidates[0] if candidates else None

    taken: list[TypedValue] = []
    fax = pick(lambda p: "fax" in p.types)
    taken += [fax] if fax else []
    mobile = pick(lambda p: bool(p.types & _CELL))
    taken += [mobile] if mobile else []
    # A number the user labelled himself (X-ABLabel) without a work type is not the office line.
    phone = pick(lambda p: not (p.types & _NOT_WORK_PHONE) and (p.label is None or "work" in p.types))
    taken += [phone] if phone else []
    for number in card.phones:
        if number not in taken:
            extras.append(Extra("tel", number.label or _types_label(number.types), number.value))
            taken.append(number)

    address = None
    if card.addresses:
        address = next((a for a in card.addresses if "work" in a.types), card.addresses[0])
        extras += [Extra("adr", a.label or _types_label(a.types), a.one_line()) for a in card.addresses
                   if a is not address]
    extras += [Extra("impp", im.label or _types_label(im.types), im.value) for im in card.ims]
    extras += [Extra("nickname", None, nickname) for nickname in card.nicknames]
    extras += card.extras
    return Primary(email, phone.value if phone else None, mobile.value if mobile else None,
                   fax.value if fax else None, address, list(card.urls), extras)


# ------------------------------------------------------------------------------------------------------ export

@dataclass
class ExportAddress:
    """The contact's address; `country` is the country's name ("France"), not its code."""

    street: str = ""
    street2: str = ""
    postal_code: str = ""
    city: str = ""
    region: str = ""
    country: str = ""


@dataclass
class ExportCard:
    """A contact as the app hands it to the exporter: plain values filled from a Contact."""

    last_name: str
    first_name: str = ""
    org: str | None = None
    org_unit: str | None = None  # department
    title: str | None = None  # Fonction
    role: str | None = None
    emails: list[str] = field(default_factory=list)
    phones: list[tuple[str, str]] = field(default_factory=list)  # (number, "work" | "cell" | "fax" | "home")
    address: ExportAddress | None = None
    urls: list[tuple[str, str]] = field(default_factory=list)  # (url, kind: linkedin, x, website...)
    photo: bytes | None = None
    photo_mime: str | None = None
    gender: str | None = None  # "M" or "F"
    uid: str | None = None
    rev: datetime | None = None
    note: str | None = None
    categories: list[str] = field(default_factory=list)
    birthday: date | None = None
    extras: list[tuple[str, str | None, str]] = field(default_factory=list)  # (kind, label, value)

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.first_name, self.last_name) if p).strip()


_PHONE_TYPES = {"work": ["work", "voice"], "cell": ["cell"], "fax": ["fax"], "home": ["home", "voice"],
                "pager": ["pager"]}
_PHOTO_TYPES = {"image/jpeg": "JPEG", "image/png": "PNG", "image/gif": "GIF", "image/webp": "WEBP"}
_SOCIAL_PROFILE = {"linkedin", "x", "facebook", "instagram", "github", "xing", "viadeo", "youtube", "mastodon"}
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_CONTROL_OR_BREAK = re.compile(r"[\x00-\x1f\x7f]")


def _clean(text: str | None) -> str:
    """Text without control characters (vCard cannot carry them); newlines are kept, escaped by vobject's
    backslashEscape."""
    if not text:
        return ""
    # isprintable() is False for every control character (and for newlines and tabs): the regex only runs then.
    return text.strip() if text.isprintable() else _CONTROL.sub("", text).strip()


def _one_line(text: str) -> str:
    """A URI value written as is (not escaped): no line breaks or controls may remain."""
    return text.strip() if text.isprintable() else _CONTROL_OR_BREAK.sub("", text).strip()


# Export writes each content line itself, the way vobject's serializer writes a line (vobject.base.defaultSerialize:
# [group.]NAME, parameters sorted by name, each value through dquoteEscape, ":" and the value encoded by the
# property's vobject behaviour: backslashEscape for text, ";"-joined escaped fields for N, ADR and ORG,
# ","-joined escaped values for CATEGORIES, base64 for a 3.0 PHOTO, nothing for a URI), in the order vobject puts
# a vCard's children (VERSION, UID, then by property name, lines of one name in the order added). Building a
# vobject component per contact cost about 0.7 ms (attribute hooks, behaviours, transforms); the output is the
# same, byte for byte (tests/test_vcard_export_speed_shape.py compares it with the component tree's).
# Parameter strings are made once, with vobject's dquoteEscape.

def _params(name: str, values: Iterable[str]) -> str:
    """";TYPE=work,voice": one vCard parameter as vobject writes it."""
    return f";{name}=" + ",".join(dquoteEscape(value) for value in values)


_TEL_PARAMS = {kind: _params("TYPE", types) for kind, types in _PHONE_TYPES.items()}
_TEL_DEFAULT = _params("TYPE", ["voice"])
_EMAIL_PARAMS = {"3.0": _params("TYPE", ["INTERNET", "WORK"]), "4.0": _params("TYPE", ["work"])}
_EXTRA_EMAIL_PARAMS = _params("TYPE", ["INTERNET"])
_ADR_PARAMS = _params("TYPE", ["work"])
_SOCIAL_PARAMS = {version: {kind: _params("TYPE", ["twitter" if kind == "x" and version == "3.0" else kind])
                            for kind in _SOCIAL_PROFILE} for version in ("3.0", "4.0")}
_GENDER_LINES = {"3.0": {"M": "X-GENDER:Male", "F": "X-GENDER:Female"}, "4.0": {"M": "GENDER:M", "F": "GENDER:F"}}
_PHOTO_PARAMS: dict[str, str] = {}


def _photo_params(mime: str) -> str:
    """";ENCODING=b;TYPE=JPEG" for a 3.0 PHOTO (parameters in name order, as vobject sorts them)."""
    params = _PHOTO_PARAMS.get(mime)
    if params is None:
        # dquoteEscape refuses a double quote (VObjectError), as vobject's serializer did.
        params = _params("ENCODING", ["b"]) + _params("TYPE", [_PHOTO_TYPES.get(mime, mime.split("/")[-1].upper())])
        if len(_PHOTO_PARAMS) < 100:
            _PHOTO_PARAMS[mime] = params
    return params


def _card_lines(card: ExportCard, version: str) -> list[str]:
    """The content lines of one contact (3.0 or 4.0), unfolded, in vobject's order."""
    v4 = version == "4.0"
    esc = backslashEscape
    # Lines by lower-case property name, in the order added: vobject's Component.contents.
    lines: dict[str, list[str]] = {}
    last, first = _clean(card.last_name), _clean(card.first_name)
    lines["n"] = [f"N:{esc(last)};{esc(first)};;;"]
    lines["fn"] = ["FN:" + esc(" ".join(p for p in (first, last) if p) or _clean(card.org) or "-")]
    if v4:
        lines["kind"] = ["KIND:individual"]
    if card.org or card.org_unit:
        lines["org"] = ["ORG:" + ";".join(esc(p) for p in ([p for p in (_clean(card.org), _clean(card.org_unit))
                                                             if p] or [""]))]
    if card.title:
        lines["title"] = ["TITLE:" + esc(_clean(card.title))]
    if card.role:
        lines["role"] = ["ROLE:" + esc(_clean(card.role))]
    if card.emails:
        params = _EMAIL_PARAMS[version]
        emails = [f"EMAIL{params}:{esc(_one_line(email))}" for email in card.emails if _clean(email)]
        if emails:
            lines["email"] = emails
    if card.phones:
        phones = [f"TEL{_TEL_PARAMS.get(kind, _TEL_DEFAULT)}:{esc(_one_line(number))}" for number, kind in card.phones
                  if _clean(number)]
        if phones:
            lines["tel"] = phones
    a = card.address
    if a and (a.street or a.street2 or a.postal_code or a.city or a.region or a.country):
        lines["adr"] = [f"ADR{_ADR_PARAMS}:;{esc(_clean(a.street2))};{esc(_clean(a.street))};{esc(_clean(a.city))};"
                        f"{esc(_clean(a.region))};{esc(_clean(a.postal_code))};{esc(_clean(a.country))}"]
    for url, kind in card.urls:
        url = _one_line(url)
        if not url:
            continue
        if kind in _SOCIAL_PROFILE:  # a URI: written raw, not escaped
            lines.setdefault("url" if v4 else "x-socialprofile", []).append(
                f"{'URL' if v4 else 'X-SOCIALPROFILE'}{_SOCIAL_PARAMS[version][kind]}:{url}")
        else:
            lines.setdefault("url", []).append("URL:" + url)
    if card.photo:
        mime = card.photo_mime or _sniff(card.photo) or "image/jpeg"
        data = base64.b64encode(card.photo).decode("ascii")
        lines["photo"] = [f"PHOTO:data:{mime};base64,{data}" if v4 else f"PHOTO{_photo_params(mime)}:{data}"]
    if card.gender in ("M", "F"):
        lines["gender" if v4 else "x-gender"] = [_GENDER_LINES[version][card.gender]]
    if card.birthday:
        lines["bday"] = ["BDAY:" + esc(card.birthday.strftime("%Y%m%d" if v4 else "%Y-%m-%d"))]
    if card.note:
        note = _clean(card.note)
        if note:
            lines["note"] = ["NOTE:" + esc(note)]
    if card.categories:
        categories = [c for c in (_clean(c) for c in card.categories) if c]
        if categories:
            lines["categories"] = ["CATEGORIES:" + ",".join(esc(c) for c in categories)]
    if card.extras:
        _extra_lines(lines, card, v4)
    if card.rev:
        moment = card.rev if card.rev.tzinfo else card.rev.replace(tzinfo=timezone.utc)
        lines["rev"] = ["REV:" + moment.astimezone(timezone.utc).strftime("%Y%m%dT%H%M%SZ")]
    out = ["BEGIN:VCARD", "VERSION:" + version]
    if card.uid:
        out.append("UID:" + esc(_clean(card.uid)))
    for name in sorted(lines):
        out += lines[name]
    out.append("END:VCARD")
    return out


# Extras go back where other apps look for them (with Apple's itemN.X-ABLabel for the label); a kind no app knows
# becomes X-CRM-<KIND>, which this module reads back as the same kind.
_EXTRA_PROPERTIES = {"tel": "TEL", "email": "EMAIL", "impp": "IMPP", "nickname": "NICKNAME", "adr": "ADR",
                     "related": "X-ABRELATEDNAMES", "date": "X-ABDATE", "anniversary": "X-ANNIVERSARY",
                     "birthday": "BDAY"}


def _extra_lines(lines: dict[str, list[str]], card: ExportCard, v4: bool) -> None:
    esc = backslashEscape
    group = 0
    for kind, label, value in card.extras:
        value = _clean(value)
        name = _EXTRA_PROPERTIES.get(kind) or "X-CRM-" + re.sub(r"[^A-Z0-9-]", "-", kind.upper())[:20]
        if not value or (name == "BDAY" and card.birthday):
            continue
        if v4 and name == "X-ANNIVERSARY":
            name = "ANNIVERSARY"
        group += 1
        if name == "ADR":
            line = f"item{group}.ADR:;;{esc(value)};;;;"
        elif name == "IMPP":
            line = f"item{group}.IMPP:{_one_line(value)}"  # a URI: raw
        elif name == "EMAIL" and not v4:
            line = f"item{group}.EMAIL{_EXTRA_EMAIL_PARAMS}:{esc(value)}"
        else:
            line = f"item{group}.{name}:{esc(value)}"
        lines.setdefault(name.lower(), []).append(line)
        if label:
            label = _clean(label)
            if label:
                lines.setdefault("x-ablabel", []).append(f"item{group}.X-ABLABEL:{esc(label)}")


def contact_to_vcard(card: ExportCard, version: str = "3.0") -> str:
    """One contact as a vCard (3.0 by default, 4.0 on request): UTF-8 text with CRLF, folded at 75 octets."""
    if version not in ("3.0", "4.0"):
        raise ValueError(f"unsupported vCard version {version!r}")
    return "\r\n".join([_fold(line) for line in _card_lines(card, version)] + [""])


def contacts_to_vcf(cards: Iterable[ExportCard], version: str = "3.0") -> str:
    """Several contacts in one .vcf text."""
    return "".join(contact_to_vcard(card, version) for card in cards)


def _fold(line: str) -> str:
    """One content line folded at 75 octets, never inside a UTF-8 sequence (continuation lines start with a space).
    vobject's foldOneLine folds the same way but skips lines shorter than 75 characters whose UTF-8 form is longer
    than 75 octets (an accented ADR) and, on purpose, PHOTO (its `wacky_apple_photo_serialize`, for Address Book of
    2008): every line goes through here."""
    if line.isascii():
        if len(line) <= 75:
            return line
        return "\r\n ".join([line[:75], *(line[i:i + 74] for i in range(75, len(line), 74))])
    if len(line) <= 18:  # at most 4 octets a character
        return line
    data = line.encode()
    if len(data) <= 75:
        return line
    # Cut at 75 octets, then every 74 (the leading space makes 75), moved back to the start of a character.
    parts, start, limit, end = [], 0, 75, len(data)
    while end - start > limit:
        cut = start + limit
        while data[cut] & 0xC0 == 0x80:  # a continuation byte: the cut would split a character
            cut -= 1
        parts.append(data[start:cut])
        start, limit = cut, 74
    parts.append(data[start:])
    return b"\r\n ".join(parts).decode()


# ------------------------------------------------------------------------------------------------ file names

_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]')
_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(10)), *(f"LPT{i}" for i in range(10))}


def safe_filename(name: str, extension: str = ".vcf", max_length: int = 100) -> str:
    """A file name from a contact's name, safe on every system: "Dupont Jean.vcf"."""
    text = unicodedata.normalize("NFC", name or "")
    # Bidi controls (right-to-left override...) and other format characters could disguise the extension.
    # (isprintable() is False as soon as one character is of category C* or Z* other than the space: the usual
    # name skips the loop.)
    if not text.isprintable():
        text = "".join(" " if unicodedata.category(ch) in ("Cc", "Zl", "Zp") else ch for ch in text
                       if unicodedata.category(ch) not in ("Cf", "Cs", "Co"))
    text = _UNSAFE.sub(" ", text)
    text = " ".join(text.split()).strip(" .")
    if text.split(".")[0].upper() in _RESERVED:
        text = "_" + text
    encoded = text.encode("utf-8")
    limit = max_length - len(extension.encode("utf-8"))
    if len(encoded) > limit:
        text = encoded[:limit].decode("utf-8", "ignore").rstrip(" .")
    return (text or "contact") + extension


class UniqueNames:
    """File names made unique inside one zip as they come: "Dupont Jean.vcf", then "Dupont Jean (2).vcf"..."""

    def __init__(self):
        self._seen: set[str] = set()

    def __call__(self, name: str) -> str:
        stem, dot, extension = name.rpartition(".")
        if not dot:
            stem, extension = name, ""
        suffix = f".{extension}" if dot else ""
        candidate, n = name, 1
        while candidate.casefold() in self._seen:
            n += 1
            candidate = f"{stem} ({n}){suffix}"
        self._seen.add(candidate.casefold())
        return candidate


def unique_names(names: Iterable[str]) -> list[str]:
    """Make file names unique inside one zip: "Dupont Jean.vcf", "Dupont Jean (2).vcf"..."""
    unique = UniqueNames()
    return [unique(name) for name in names]


def content_disposition(filename: str, disposition: str = "attachment") -> str:
    """A Content-Disposition header value (RFC 6266): an ASCII fallback and the UTF-8 name."""
    fallback = unicodedata.normalize("NFKD", filename).encode("ascii", "ignore").decode("ascii")
    fallback = re.sub(r'[^A-Za-z0-9 ._()-]', "_", fallback).strip() or "contacts"
    quoted = urllib.parse.quote(filename, safe="")
    return f"{disposition}; filename=\"{fallback}\"; filename*=UTF-8''{quoted}"
