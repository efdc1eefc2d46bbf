"""The plain values a vCard is read into (ParsedCard and its parts), and the choice of the CRM's own e-mail,
phones and address among them."""
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import NamedTuple


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
        """The address on one line, parts separated by commas."""
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
    kind: str = "individual"  # 4.0 KIND, or Apple's X-ABShowAs:COMPANY on a card naming no person ("org")
    name_source: str | None = None  # "nickname", "email" or "org": a card without N or FN named after it
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

    def warn(self, message: str) -> None:
        """Note a caveat for the import report, once."""
        if message not in self.warnings:
            self.warnings.append(message)

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


_TYPE_LABELS = {"work": "Travail", "home": "Domicile", "cell": "Mobile", "fax": "Fax", "pager": "Bip",
                "voice": "", "pref": "", "internet": "", "postal": "Postale", "parcel": "Colis", "dom": "",
                "intl": "", "car": "Voiture", "video": "Visio", "isdn": "RNIS", "msg": "Messagerie",
                "modem": "Modem", "bbs": "BBS", "other": "Autre", "main": "Principal", "iphone": "iPhone",
                "text": "SMS", "textphone": "Téléphone texte"}


def types_label(types: Iterable[str]) -> str | None:
    """A French label for TYPE values: {"home", "fax"} → "Domicile, Fax"."""
    words = []
    for value in sorted(types):
        word = _TYPE_LABELS.get(value, value)
        if word and word not in words:
            words.append(word)
    return ", ".join(words) or None


# Apple's built-in labels (_$!<HomeFAX>!$_) already say what their types say.
_BUILT_IN_LABELS = {"mobile", "iphone", "work", "home", "main", "workfax", "homefax", "otherfax", "pager", "other"}


def typed_label(label: str | None, types: Iterable[str]) -> str | None:
    """An extra value's label keeping both the user's label and the meaning of its types: TYPE=home with the label
    "Maison de campagne" -> "Maison de campagne (Domicile)"."""
    words = types_label(types)
    if not label:
        return words
    if not words or label.lower() in _BUILT_IN_LABELS or label.lower() == words.lower():
        return label
    return f"{label} ({words})"


_CELL = {"cell", "iphone", "mobile"}
_NOT_WORK_PHONE = _CELL | {"fax", "pager", "home", "car", "modem", "bbs", "video", "isdn", "textphone"}


def choose_primary(card: ParsedCard) -> Primary:
    """The CRM's e-mail (preferred, else first), phone (work/voice), mobile (cell), fax and address."""
    email, extras = _choose_email(card)
    phone, mobile, fax, others = _choose_phones(card)
    extras += others
    address = None
    if card.addresses:
        address = next((a for a in card.addresses if "work" in a.types), card.addresses[0])
        extras += [Extra("adr", typed_label(a.label, a.types), a.one_line()) for a in card.addresses
                   if a is not address]
    extras += [Extra("impp", typed_label(im.label, im.types), im.value) for im in card.ims]
    extras += [Extra("nickname", None, nickname) for nickname in card.nicknames]
    extras += card.extras
    return Primary(email, phone, mobile, fax, address, list(card.urls), extras)


def _choose_email(card: ParsedCard) -> tuple[str | None, list[Extra]]:
    """The preferred e-mail, else the first; the others as extras."""
    if not card.emails:
        return None, []
    chosen = next((e for e in card.emails if "pref" in e.types), card.emails[0])
    return chosen.value, [Extra("email", typed_label(e.label, e.types), e.value) for e in card.emails
                          if e is not chosen]


def _choose_phones(card: ParsedCard) -> tuple[str | None, str | None, str | None, list[Extra]]:
    """(phone, mobile, fax, the other numbers as extras): fax first, then mobile, then the office line."""
    taken: list[TypedValue] = []

    def pick(match) -> str | None:
        """The best number matching `match` that no earlier pick took."""
        candidates = [p for p in card.phones if p not in taken and match(p)]
        # Among candidates, a work one first, then a preferred one, then file order.
        candidates.sort(key=lambda p: ("work" not in p.types, "pref" not in p.types))
        if not candidates:
            return None
        taken.append(candidates[0])
        return candidates[0].value

    fax = pick(lambda p: "fax" in p.types)
    mobile = pick(lambda p: bool(p.types & _CELL))
    # A number the user labelled himself (X-ABLabel) without a work type is not the office line.
    phone = pick(lambda p: not (p.types & _NOT_WORK_PHONE) and (p.label is None or "work" in p.types))
    extras = []
    for number in card.phones:
        if number not in taken:
            extras.append(Extra("tel", typed_label(number.label, number.types), number.value))
            taken.append(number)
    return phone, mobile, fax, extras
