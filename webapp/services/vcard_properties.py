"""A card's properties read into a ParsedCard through a table of handlers: one small function per kind of
property, found by the property's name (HANDLERS); values are unescaped here, per property."""
import re
import urllib.parse
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from functools import cache

from babel import Locale

from ..text import fold

from .vcard_cards import Address, Extra, Link, ParsedCard, TypedValue, split_full_name, types_label
from .vcard_photo import read_photo
from .vcard_syntax import Property, split_values, types_of, unescape


@dataclass
class Reading:
    """One card being read: the card, the labels of its groups (X-ABLabel), and what is settled at the end."""

    card: ParsedCard
    max_photo: int
    labels: dict[str, tuple[str | None, set[str]]] = field(default_factory=dict)
    name: Property | None = None  # the first N
    notes: list[str] = field(default_factory=list)
    label_lines: list[Property] = field(default_factory=list)  # LABEL: an address's text
    department: str | None = None  # KAddressBook's, when ORG names none
    shown_as_company: bool = False  # Apple's X-ABShowAs:COMPANY


Handler = Callable[[Reading, Property, str | None, set[str]], None]
_NO_LABEL: tuple[None, frozenset[str]] = (None, frozenset())  # shared: handlers never change it


def interpret(properties: list[Property], card: ParsedCard, max_photo: int) -> None:
    """Fill `card` from its properties, each through the handler of its name."""
    reading = Reading(card, max_photo)
    for prop in properties:
        if prop.name == "X-ABLABEL" and prop.group:
            reading.labels[prop.group] = _label(prop.value)
    for prop in properties:
        label, label_types = reading.labels.get(prop.group, _NO_LABEL) if prop.group else _NO_LABEL
        if prop.name in _MARKED_EXTRAS and "X-CRM-EXTRA" in prop.params:
            _marked_extra(reading, prop, label)
        else:
            HANDLERS.get(prop.name, _other)(reading, prop, label, label_types)
    _finish(reading)


# What this app's export marks X-CRM-EXTRA (vcard_write): an extra value, read back as one, never as a column.
_MARKED_EXTRAS = {"TEL": "tel", "EMAIL": "email", "ADR": "adr"}


def _marked_extra(reading: Reading, prop: Property, label: str | None) -> None:
    """An extra phone, e-mail or address of this app's export (an address's text is written as its street)."""
    if prop.name == "ADR":
        value = "\n".join(part for part in (unescape(p).strip() for p in split_values(prop.value, ";")) if part)
    else:
        value = _text(prop)
    if value:
        reading.card.extras.append(Extra(_MARKED_EXTRAS[prop.name], label, value))


def _text(prop: Property) -> str:
    """The property's value as plain text, trimmed."""
    return unescape(prop.value).strip()


# Apple's built-in labels, written as _$!<Mobile>!$_, and what they mean.
_APPLE_LABEL = re.compile(r"^_\$!<(.*)>!\$_$")
_APPLE_TYPES = {"mobile": {"cell"}, "iphone": {"cell"}, "work": {"work"}, "home": {"home"}, "main": {"work"},
                "workfax": {"fax", "work"}, "homefax": {"fax", "home"}, "otherfax": {"fax"}, "pager": {"pager"}}


def _label(value: str) -> tuple[str | None, set[str]]:
    """An X-ABLabel's text (None when empty: an empty label is no label, as the export writes it), and the TYPE
    values an Apple built-in label stands for."""
    text = unescape(value).strip()
    match = _APPLE_LABEL.match(text)
    if match:
        inner = match.group(1)
        return inner or None, set(_APPLE_TYPES.get(inner.lower(), ()))
    return text or None, set()


# ------------------------------------------------------------------------------------------------ names, org

def _name(reading: Reading, prop: Property, label: str | None, label_types: set[str]) -> None:
    """N: the first one is split at the end (FN fills in what it lacks)."""
    if reading.name is None:
        reading.name = prop


def _full_name(reading: Reading, prop: Property, label: str | None, label_types: set[str]) -> None:
    """FN: the first one."""
    if not reading.card.full_name:
        reading.card.full_name = _text(prop)


def _version(reading: Reading, prop: Property, label: str | None, label_types: set[str]) -> None:
    """VERSION: 2.1, 3.0 or 4.0."""
    reading.card.version = prop.value.strip()


def _org(reading: Reading, prop: Property, label: str | None, label_types: set[str]) -> None:
    """ORG: the company, then its units (the first ORG only)."""
    card = reading.card
    if card.org is None:
        parts = [p.strip() for p in split_values(prop.value, ";")]
        card.org = parts[0] or None
        card.org_units = [p for p in parts[1:] if p]


def _title(reading: Reading, prop: Property, label: str | None, label_types: set[str]) -> None:
    """TITLE: the job title (Fonction), the first one."""
    reading.card.title = reading.card.title or _text(prop) or None


def _role(reading: Reading, prop: Property, label: str | None, label_types: set[str]) -> None:
    """ROLE (and KAddressBook's profession): the first one."""
    reading.card.role = reading.card.role or _text(prop) or None


def _department(reading: Reading, prop: Property, label: str | None, label_types: set[str]) -> None:
    """KAddressBook's department: used when ORG names no unit."""
    reading.department = _text(prop) or reading.department


_KINDS = {"org": "org", "group": "group", "location": "location"}


def _kind(reading: Reading, prop: Property, label: str | None, label_types: set[str]) -> None:
    """4.0 KIND: a person unless it says org, group or location."""
    reading.card.kind = _KINDS.get(prop.value.strip().lower(), "individual")


def _show_as(reading: Reading, prop: Property, label: str | None, label_types: set[str]) -> None:
    """Apple's X-ABShowAs:COMPANY: the card is shown under its company; a company's card unless its N names a
    person (see _finish)."""
    if prop.value.strip().upper() == "COMPANY":
        reading.shown_as_company = True


# ------------------------------------------------------------------------------------------------ reaching them

def _email(reading: Reading, prop: Property, label: str | None, label_types: set[str]) -> None:
    """EMAIL, with its types and label; a mailto: prefix is dropped."""
    value = _text(prop)
    if value.lower().startswith("mailto:"):
        value = value[7:]
    if value:
        reading.card.emails.append(TypedValue(value, types_of(prop) | label_types, label))


def _tel(reading: Reading, prop: Property, label: str | None, label_types: set[str]) -> None:
    """TEL, with its types and label; a 4.0 tel: URI is read as the number."""
    value = _text(prop)
    if value.lower().startswith("tel:"):
        value = urllib.parse.unquote(value[4:])
    if value:
        reading.card.phones.append(TypedValue(value, types_of(prop) | label_types, label))


def _adr(reading: Reading, prop: Property, label: str | None, label_types: set[str]) -> None:
    """ADR: post office box, extended, street, city, region, postal code, country."""
    parts = [p.strip() for p in split_values(prop.value, ";")] + [""] * 7
    box, extended, street, city, region, code, country = parts[:7]
    reading.card.addresses.append(Address(street=street, extended=extended, city=city, region=region,
                                          postal_code=code, country=country, po_box=box,
                                          types=types_of(prop) | label_types, label=label))


def _label_line(reading: Reading, prop: Property, label: str | None, label_types: set[str]) -> None:
    """LABEL: an address's text, kept only when the card has no ADR (see _finish)."""
    reading.label_lines.append(prop)


_IM_SERVICES = {"X-AIM": "AIM", "X-JABBER": "Jabber", "X-ICQ": "ICQ", "X-MSN": "MSN", "X-YAHOO": "Yahoo",
                "X-SKYPE": "Skype", "X-SKYPE-USERNAME": "Skype", "X-GTALK": "Google Talk", "X-GOOGLE-TALK":
                "Google Talk", "X-QQ": "QQ", "X-GADUGADU": "Gadu-Gadu", "X-GROUPWISE": "GroupWise",
                "X-MS-IMADDRESS": "IM", "X-SIP": "SIP", "X-TWITTER": "Twitter", "X-KADDRESSBOOK-X-IMADDRESS": "IM"}


def _im(reading: Reading, prop: Property, label: str | None, label_types: set[str]) -> None:
    """IMPP and the older X-AIM, X-JABBER...: kept with the service's name as label."""
    value = _text(prop)
    if value:
        service = (prop.params.get("X-SERVICE-TYPE") or [None])[0] or _IM_SERVICES.get(prop.name)
        reading.card.ims.append(TypedValue(value, types_of(prop), label or service))


# ------------------------------------------------------------------------------------------------ links

_SOCIAL_HOSTS = {"linkedin.com": "linkedin", "twitter.com": "x", "x.com": "x", "facebook.com": "facebook",
                 "instagram.com": "instagram", "github.com": "github", "xing.com": "xing", "viadeo.com": "viadeo",
                 "youtube.com": "youtube", "flickr.com": "flickr", "myspace.com": "myspace"}
_SOCIAL_TYPES = {"twitter": "x", "x": "x", "linkedin": "linkedin", "facebook": "facebook", "instagram": "instagram",
                 "github": "github", "xing": "xing", "viadeo": "viadeo", "youtube": "youtube", "flickr": "flickr",
                 "myspace": "myspace", "mastodon": "mastodon"}
_URL_LABELS = {"X-EVOLUTION-BLOG-URL": "Blog", "X-EVOLUTION-VIDEO-URL": "Vidéo"}


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


def _url(reading: Reading, prop: Property, label: str | None, label_types: set[str]) -> None:
    """URL and X-SOCIALPROFILE: the kind from the TYPE or the host; other TYPE values make the label."""
    url = _text(prop)
    if not url:
        return
    types = types_of(prop)
    if label is None:
        plain = sorted(types - {"pref", "internet"} - set(_SOCIAL_TYPES))
        label = ",".join(plain) or None
    reading.card.urls.append(Link(url, link_kind(url, types), label))


def _named_url(reading: Reading, prop: Property, label: str | None, label_types: set[str]) -> None:
    """Evolution's blog and video addresses: links labelled with what they are."""
    url = _text(prop)
    if url:
        reading.card.urls.append(Link(url, link_kind(url), label or _URL_LABELS[prop.name]))


# ------------------------------------------------------------------------------------------------ the rest

def _photo(reading: Reading, prop: Property, label: str | None, label_types: set[str]) -> None:
    """PHOTO: the first readable one."""
    if reading.card.photo is None:
        read_photo(prop, reading.card, reading.max_photo)


def _gender(reading: Reading, prop: Property, label: str | None, label_types: set[str]) -> None:
    """GENDER and its older forms: "M" or "F", the first one that says."""
    reading.card.gender = reading.card.gender or _gender_value(prop.name, prop.value)


_MALE = {"m", "male", "homme", "h", "masculin", "man", "männlich", "mann"}
_FEMALE = {"f", "female", "femme", "féminin", "feminin", "woman", "w", "weiblich", "frau"}


def _gender_value(name: str, value: str) -> str | None:
    """"M", "F" or None from a gender property's value, in the words phones and address books write."""
    text = value.split(";")[0].strip().lower()
    if name == "X-WAB-GENDER":  # Windows Address Book: 1 female, 2 male
        return {"1": "F", "2": "M"}.get(text)
    if text in _MALE:
        return "M"
    if text in _FEMALE:
        return "F"
    return None


def _uid(reading: Reading, prop: Property, label: str | None, label_types: set[str]) -> None:
    """UID: the first one."""
    reading.card.uid = reading.card.uid or _text(prop) or None


def _note(reading: Reading, prop: Property, label: str | None, label_types: set[str]) -> None:
    """NOTE: every one, joined at the end."""
    text = _text(prop)
    if text:
        reading.notes.append(text)


def _categories(reading: Reading, prop: Property, label: str | None, label_types: set[str]) -> None:
    """CATEGORIES: every value of every line."""
    reading.card.categories.extend(c.strip() for c in split_values(prop.value, ",") if c.strip())


def _nickname(reading: Reading, prop: Property, label: str | None, label_types: set[str]) -> None:
    """NICKNAME: every value of every line."""
    reading.card.nicknames.extend(n.strip() for n in split_values(prop.value, ",") if n.strip())


def _birthday(reading: Reading, prop: Property, label: str | None, label_types: set[str]) -> None:
    """BDAY: a full date; a partial or odd one is kept as text among the extras."""
    birthday = _date(prop.value, prop.params)
    if birthday:
        reading.card.birthday = reading.card.birthday or birthday
    elif prop.value.strip():
        reading.card.extras.append(Extra("birthday", label or "Anniversaire", _text(prop)))


def _revision(reading: Reading, prop: Property, label: str | None, label_types: set[str]) -> None:
    """REV: when the card was last changed."""
    reading.card.rev = _datetime(prop.value)


def _extra(kind: str, default_label: str | None = None) -> Handler:
    """A handler keeping the value as an extra of `kind`, labelled by its X-ABLabel or `default_label`."""

    def keep(reading: Reading, prop: Property, label: str | None, label_types: set[str]) -> None:
        """The value kept as read, with no column of its own."""
        value = _text(prop)
        if value:
            reading.card.extras.append(Extra(kind, label or default_label, value))

    return keep


def _related(default_label: str | None) -> Handler:
    """A handler keeping a related person (spouse, assistant, manager...) as an extra."""

    def keep(reading: Reading, prop: Property, label: str | None, label_types: set[str]) -> None:
        """The person's name, labelled by X-ABLabel, the property's meaning or its TYPE values."""
        value = _text(prop)
        if value:
            reading.card.extras.append(Extra("related", label or default_label or _types_text(prop), value))

    return keep


def _types_text(prop: Property) -> str | None:
    """The TYPE values as written, sorted: "child,friend"."""
    return ",".join(sorted(types_of(prop))) or None


def _silent(reading: Reading, prop: Property, label: str | None, label_types: set[str]) -> None:
    """Structure, or a copy of what is read elsewhere: read without a word."""


def _other(reading: Reading, prop: Property, label: str | None, label_types: set[str]) -> None:
    """A property no handler knows: our own X-CRM-<KIND>, or an X- value the user labelled (DAVx5, Apple), is
    kept; any other name is listed as not imported."""
    card = reading.card
    if prop.name.startswith("X-CRM-"):
        _extra(prop.name[6:].lower())(reading, prop, label, label_types)
    elif prop.group and prop.group in reading.labels and prop.name.startswith("X-"):
        _extra("other")(reading, prop, label, label_types)
    elif prop.name not in card.ignored:
        card.ignored.append(prop.name)


# Read silently: structure, or a copy of what is read elsewhere (LABEL repeats ADR, SORT-STRING repeats N).
_SILENT = ("PRODID", "X-ABLABEL", "SORT-STRING", "X-PHONETIC-FIRST-NAME", "X-PHONETIC-LAST-NAME",
           "X-PHONETIC-MIDDLE-NAME", "X-PHONETIC-ORG", "X-ABUID", "NAME", "PROFILE", "SOURCE",
           "X-EVOLUTION-FILE-AS", "X-MS-OL-DEFAULT-POSTAL-ADDRESS", "CLIENTPIDMAP")
_ANNIVERSARY = ("ANNIVERSARY", "X-ANNIVERSARY", "X-MS-ANNIVERSARY", "X-EVOLUTION-ANNIVERSARY",
                "X-WAB-WEDDING-ANNIVERSARY", "X-KADDRESSBOOK-X-ANNIVERSARY")
_RELATED = {"RELATED": None, "X-ABRELATEDNAMES": None, "X-SPOUSE": "Conjoint", "X-MS-SPOUSE": "Conjoint",
            "X-EVOLUTION-SPOUSE": "Conjoint", "X-WAB-SPOUSE-NAME": "Conjoint", "X-KADDRESSBOOK-X-SPOUSESNAME":
            "Conjoint", "X-ASSISTANT": "Assistant", "X-EVOLUTION-ASSISTANT": "Assistant", "X-MS-ASSISTANT":
            "Assistant", "X-KADDRESSBOOK-X-ASSISTANTSNAME": "Assistant", "X-MANAGER": "Responsable",
            "X-EVOLUTION-MANAGER": "Responsable", "X-MS-MANAGER": "Responsable",
            "X-KADDRESSBOOK-X-MANAGERSNAME": "Responsable"}

# Every property the reader knows, by upper-case name.
HANDLERS: dict[str, Handler] = {
    **dict.fromkeys(_SILENT, _silent),
    "VERSION": _version, "N": _name, "FN": _full_name, "ORG": _org, "TITLE": _title, "ROLE": _role,
    "X-KADDRESSBOOK-X-PROFESSION": _role, "X-KADDRESSBOOK-X-DEPARTMENT": _department, "KIND": _kind,
    "X-ABSHOWAS": _show_as,
    "EMAIL": _email, "TEL": _tel, "ADR": _adr, "LABEL": _label_line,
    "IMPP": _im, **dict.fromkeys(_IM_SERVICES, _im),
    "URL": _url, "X-SOCIALPROFILE": _url, **dict.fromkeys(_URL_LABELS, _named_url),
    "PHOTO": _photo, "UID": _uid, "NOTE": _note, "CATEGORIES": _categories, "NICKNAME": _nickname,
    "BDAY": _birthday, "REV": _revision,
    **dict.fromkeys(("GENDER", "X-GENDER", "X-WAB-GENDER", "X-KADDRESSBOOK-X-GENDER"), _gender),
    "X-MAIDENNAME": _extra("other", "Nom de naissance"), "X-KADDRESSBOOK-X-OFFICE": _extra("other", "Bureau"),
    **dict.fromkeys(_ANNIVERSARY, _extra("anniversary", "Anniversaire de mariage")),
    "X-ABDATE": _extra("date"),
    **{name: _related(label) for name, label in _RELATED.items()},
}


# ------------------------------------------------------------------------------------------------ the end

def _finish(reading: Reading) -> None:
    """What needs the whole card: the name from N or FN, the notes joined, the department, LABEL-only addresses."""
    card = reading.card
    if reading.name is not None:
        parts = [p.strip() for p in split_values(reading.name.value, ";")] + [""] * 5
        card.last_name, card.first_name, card.additional_names, card.name_prefix, card.name_suffix = parts[:5]
    if reading.shown_as_company and not (card.last_name or card.first_name):
        card.kind = "org"  # Apple's company card: a person's card shown under its company keeps its N
    if not (card.last_name or card.first_name) and card.full_name:
        card.first_name, card.last_name = split_full_name(card.full_name)
    if not (card.last_name or card.first_name) and card.kind == "individual":
        _name_from_elsewhere(card)
    if not card.full_name:
        card.full_name = " ".join(p for p in (card.first_name, card.last_name) if p)
    if reading.notes:
        card.note = "\n\n".join(reading.notes)
    if reading.department and not card.org_units:
        card.org_units = [reading.department]
    if reading.label_lines and not card.addresses:
        _label_addresses(reading)


_LOCAL_PART_WORDS = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")


def _name_of_local_part(local: str) -> tuple[str, str] | None:
    """(first, last) from an e-mail's local part: "jean.dupont" -> ("Jean", "Dupont"), "marie-claire_martin" ->
    ("Marie-Claire", "Martin"), "jdupont" -> ("", "Jdupont"); None when it holds no letters."""
    separator = "." if "." in local else "_"
    first, _, last = local.partition(separator)
    words = [" ".join(_capitalized(w) for w in _LOCAL_PART_WORDS.findall(part)) for part in (first, last)]
    if not words[1]:
        words = ["", words[0]]
    return (words[0], words[1]) if words[1] else None


def _capitalized(word: str) -> str:
    return "-".join(part.capitalize() for part in word.split("-"))


def _name_from_elsewhere(card: ParsedCard) -> None:
    """A card with no N and no FN (a phone's "e-mail only" contact, an ORG with phones): named after its first
    NICKNAME, else its e-mail's local part ("jean.dupont@" -> Jean DUPONT), else its company; `name_source` says
    which, for the preview."""
    if card.nicknames:
        card.first_name, card.last_name = split_full_name(card.nicknames[0])
        card.name_source = "nickname"
        return
    for email in card.emails:
        name = _name_of_local_part(email.value.partition("@")[0])
        if name:
            card.first_name, card.last_name = name
            card.name_source = "email"
            return
    if card.org:
        card.last_name = card.org
        card.name_source = "org"


def _label_addresses(reading: Reading) -> None:
    """A LABEL with no ADR (old Evolution, KDE) is the only copy of the address: its text is kept."""
    for prop in reading.label_lines:
        value = _text(prop)
        if value:
            reading.card.extras.append(Extra("adr", types_label(types_of(prop)), value))


# ------------------------------------------------------------------------------------------------ dates

_DATE = re.compile(r"^\s*(\d{4})-?(\d{2})-?(\d{2})")
_DATETIME = re.compile(r"^\s*(\d{4})-?(\d{2})-?(\d{2})(?:T(\d{2}):?(\d{2}):?(\d{2})?(?:[.,]\d+)?)?"
                       r"\s*(Z|[+-]\d{2}:?\d{2})?", re.I)


def _date(value: str, params: dict) -> date | None:
    """A full date written in any unambiguous way: "1980-03-21", "19800321", "1980-03-21T00:00:00Z",
    "Tue, 22 Dec 2009", "22 décembre 2009", "December 22, 2009", "22.12.2009", "2009/12/22"; None for a partial
    date ("--1222"), a year 1604 (Apple's "no year") or an order that could be read two ways ("05/06/2009")."""
    match = _DATE.match(value)
    if match:
        year, month, day = (int(g) for g in match.groups())
    else:
        parts = _other_date(value.strip())
        if parts is None:
            return None
        year, month, day = parts
    # Apple and CardBook write a birthday without year as year 1604 (X-APPLE-OMIT-YEAR=1604).
    omit = (params.get("X-APPLE-OMIT-YEAR") or ["1604"])[0].strip()
    if str(year) == omit:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None


_WEEKDAY = r"(?:[^\W\d_]+\.?,?\s+)?"
_TEXT_DAY_FIRST = re.compile(r"^" + _WEEKDAY + r"(\d{1,2})(?:er)?\.?\s+([^\W\d_]+)\.?,?\s+(\d{4})\b")
_TEXT_MONTH_FIRST = re.compile(r"^" + _WEEKDAY + r"([^\W\d_]+)\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})\b")
_NUMERIC_YEAR_LAST = re.compile(r"^(\d{1,2})[./-](\d{1,2})[./-](\d{4})\b")
_NUMERIC_YEAR_FIRST = re.compile(r"^(\d{4})[./](\d{1,2})[./](\d{1,2})\b")


def _other_date(text: str) -> tuple[int, int, int] | None:
    """(year, month, day) of a date written with a month name or with separators, when only one reading holds."""
    for pattern, day_index, month_index in ((_TEXT_DAY_FIRST, 1, 2), (_TEXT_MONTH_FIRST, 2, 1)):
        match = pattern.match(text)
        if match and (month := _month_number(match.group(month_index))):
            return int(match.group(3)), month, int(match.group(day_index))
    match = _NUMERIC_YEAR_FIRST.match(text)
    if match:
        return int(match.group(1)), int(match.group(2)), int(match.group(3))
    match = _NUMERIC_YEAR_LAST.match(text)
    if match:
        first, second, year = (int(g) for g in match.groups())
        if first == second or second > 12 >= first or first > 12 >= second:
            day, month = (first, second) if first > 12 or first == second else (second, first)
            return year, month, day
    return None


@cache
def _month_names() -> dict[str, int]:
    """Month names and abbreviations in the languages address books write dates in, folded, to their number."""
    names: dict[str, int] = {}
    for language in ("en", "fr", "de", "es", "it", "nl"):
        months = Locale(language).months
        for context in ("format", "stand-alone"):
            for width in ("wide", "abbreviated"):
                for number, name in months[context][width].items():
                    names.setdefault(fold(name).rstrip("."), number)
    return names


def _month_number(word: str) -> int | None:
    """1-12 for a month name or abbreviation ("Dec", "décembre", "Dezember"), else None."""
    key = fold(word).rstrip(".")
    return _month_names().get(key) or (_month_names().get(key[:3]) if len(key) >= 3 else None)


def _datetime(value: str) -> datetime | None:
    """A moment in UTC from a REV ("20240102T030405Z", with an offset, or a date alone); None if unreadable."""
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
