"""vCards written from the CRM's own values (ExportCard): one contact, or several in one .vcf text.

`contact_to_vcard(ExportCard)` writes the content lines the way vobject's serializer writes a component, with
vobject's own encoding helpers (escape_text for text values, escape_param for parameter values) but without
building a vobject component per contact (about 0.7 ms each, too slow for 100,000 contacts); lines are folded at 75
octets without splitting UTF-8 (including the lines vobject leaves unfolded: PHOTO, short accented lines), CRLF.
See `_card_lines`.
"""
import base64
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timezone

from .vcard_photo import sniff_image
from .vcard_syntax import escape_param, escape_text


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
        """First and last name, as FN writes them."""
        return " ".join(p for p in (self.first_name, self.last_name) if p).strip()


_PHONE_TYPES = {"work": ["work", "voice"], "cell": ["cell"], "fax": ["fax"], "home": ["home", "voice"],
                "pager": ["pager"]}
_PHOTO_TYPES = {"image/jpeg": "JPEG", "image/png": "PNG", "image/gif": "GIF", "image/webp": "WEBP"}
_SOCIAL_PROFILE = {"linkedin", "x", "facebook", "instagram", "github", "xing", "viadeo", "youtube", "mastodon"}
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_CONTROL_OR_BREAK = re.compile(r"[\x00-\x1f\x7f]")


def _clean(text: str | None) -> str:
    """Text without control characters (vCard cannot carry them); newlines are kept, escaped by
    escape_text."""
    if not text:
        return ""
    # isprintable() is False for every control character (and for newlines and tabs): the regex only runs then.
    return text.strip() if text.isprintable() else _CONTROL.sub("", text).strip()


def _one_line(text: str) -> str:
    """A URI value written as is (not escaped): no line breaks or controls may remain."""
    return text.strip() if text.isprintable() else _CONTROL_OR_BREAK.sub("", text).strip()


# Export writes each content line itself, the way vobject's serializer writes a line (vobject.base.defaultSerialize:
# [group.]NAME, parameters sorted by name, each value through escape_param, ":" and the value encoded by the
# property's vobject behaviour: escape_text for text, ";"-joined escaped fields for N, ADR and ORG,
# ","-joined escaped values for CATEGORIES, base64 for a 3.0 PHOTO, nothing for a URI), in the order vobject puts
# a vCard's children (VERSION, UID, then by property name, lines of one name in the order added). Building a
# vobject component per contact cost about 0.7 ms (attribute hooks, behaviours, transforms); the output is the
# same, byte for byte (tests/test_vcard_export_speed_shape.py compares it with the component tree's).
# Parameter strings are made once, with vobject's escape_param.

def _params(name: str, values: Iterable[str]) -> str:
    """";TYPE=work,voice": one vCard parameter as vobject writes it."""
    return f";{name}=" + ",".join(escape_param(value) for value in values)


_TEL_PARAMS = {kind: _params("TYPE", types) for kind, types in _PHONE_TYPES.items()}
_TEL_DEFAULT = _params("TYPE", ["voice"])
_EMAIL_PARAMS = {"3.0": _params("TYPE", ["INTERNET", "WORK"]), "4.0": _params("TYPE", ["work"])}
# An extra phone, e-mail or address carries X-CRM-EXTRA so that importing the file again keeps it an extra (with
# its label) instead of filling an empty main column (vcard_properties reads it back); other apps ignore it.
EXTRA_MARKER = "X-CRM-EXTRA"
_EXTRA_MARK = _params(EXTRA_MARKER, ["TRUE"])
_EXTRA_EMAIL_PARAMS = _params("TYPE", ["INTERNET"]) + _EXTRA_MARK
_ADR_PARAMS = _params("TYPE", ["work"])
_SOCIAL_PARAMS = {version: {kind: _params("TYPE", ["twitter" if kind == "x" and version == "3.0" else kind])
                            for kind in _SOCIAL_PROFILE} for version in ("3.0", "4.0")}
_GENDER_LINES = {"3.0": {"M": "X-GENDER:Male", "F": "X-GENDER:Female"}, "4.0": {"M": "GENDER:M", "F": "GENDER:F"}}
_PHOTO_PARAMS: dict[str, str] = {}


def _photo_params(mime: str) -> str:
    """";ENCODING=b;TYPE=JPEG" for a 3.0 PHOTO (parameters in name order, as vobject sorts them)."""
    params = _PHOTO_PARAMS.get(mime)
    if params is None:
        # escape_param refuses a double quote (CardSyntaxError), as vobject's serializer did.
        params = _params("ENCODING", ["b"]) + _params("TYPE", [_PHOTO_TYPES.get(mime, mime.split("/")[-1].upper())])
        if len(_PHOTO_PARAMS) < 100:
            _PHOTO_PARAMS[mime] = params
    return params


def _card_lines(card: ExportCard, version: str) -> list[str]:
    """The content lines of one contact (3.0 or 4.0), unfolded, in vobject's order."""
    v4 = version == "4.0"
    # Lines by lower-case property name, in the order added: vobject's Component.contents.
    lines: dict[str, list[str]] = {}
    _identity_lines(lines, card, v4)
    _reach_lines(lines, card, version)
    if card.urls:
        _url_lines(lines, card, version)
    _personal_lines(lines, card, v4)
    if card.extras:
        _extra_lines(lines, card, v4)
    if card.rev:
        moment = card.rev if card.rev.tzinfo else card.rev.replace(tzinfo=timezone.utc)
        lines["rev"] = ["REV:" + moment.astimezone(timezone.utc).strftime("%Y%m%dT%H%M%SZ")]
    out = ["BEGIN:VCARD", "VERSION:" + version]
    if card.uid:
        out.append("UID:" + escape_text(_clean(card.uid)))
    for name in sorted(lines):
        out += lines[name]
    out.append("END:VCARD")
    return out


def _identity_lines(lines: dict[str, list[str]], card: ExportCard, v4: bool) -> None:
    """N, FN (never empty), KIND (4.0), ORG with the department, TITLE, ROLE."""
    esc = escape_text
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


def _reach_lines(lines: dict[str, list[str]], card: ExportCard, version: str) -> None:
    """EMAIL, TEL and ADR."""
    esc = escape_text
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


def _url_lines(lines: dict[str, list[str]], card: ExportCard, version: str) -> None:
    """URL, and social profiles as X-SOCIALPROFILE (3.0) or typed URL (4.0)."""
    v4 = version == "4.0"
    for url, kind in card.urls:
        url = _one_line(url)
        if not url:
            continue
        if kind in _SOCIAL_PROFILE:  # a URI: written raw, not escaped
            lines.setdefault("url" if v4 else "x-socialprofile", []).append(
                f"{'URL' if v4 else 'X-SOCIALPROFILE'}{_SOCIAL_PARAMS[version][kind]}:{url}")
        else:
            lines.setdefault("url", []).append("URL:" + url)


def _personal_lines(lines: dict[str, list[str]], card: ExportCard, v4: bool) -> None:
    """PHOTO, GENDER (X-GENDER in 3.0), BDAY, NOTE, CATEGORIES."""
    esc = escape_text
    if card.photo:
        mime = card.photo_mime or sniff_image(card.photo) or "image/jpeg"
        data = base64.b64encode(card.photo).decode("ascii")
        lines["photo"] = [f"PHOTO:data:{mime};base64,{data}" if v4 else f"PHOTO{_photo_params(mime)}:{data}"]
    if card.gender in ("M", "F"):
        lines["gender" if v4 else "x-gender"] = [_GENDER_LINES["4.0" if v4 else "3.0"][card.gender]]
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


# Extras go back where other apps look for them (with Apple's itemN.X-ABLabel for the label); a kind no app knows
# becomes X-CRM-<KIND>, which this module reads back as the same kind.
_EXTRA_PROPERTIES = {"tel": "TEL", "email": "EMAIL", "impp": "IMPP", "nickname": "NICKNAME", "adr": "ADR",
                     "related": "X-ABRELATEDNAMES", "date": "X-ABDATE", "anniversary": "X-ANNIVERSARY",
                     "birthday": "BDAY"}


def _extra_lines(lines: dict[str, list[str]], card: ExportCard, v4: bool) -> None:
    """The extras' lines, each in its own itemN group with its X-ABLabel."""
    esc = escape_text
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
            line = f"item{group}.ADR{_EXTRA_MARK}:;;{esc(value)};;;;"
        elif name == "IMPP":
            line = f"item{group}.IMPP:{_one_line(value)}"  # a URI: raw
        elif name == "EMAIL":
            line = f"item{group}.EMAIL{_EXTRA_MARK if v4 else _EXTRA_EMAIL_PARAMS}:{esc(value)}"
        elif name == "TEL":
            line = f"item{group}.TEL{_EXTRA_MARK}:{esc(value)}"
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
