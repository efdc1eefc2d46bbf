"""The line writer of the vCard export gives, byte for byte, what the vobject component tree gave before it.

`reference_vcard` below is the earlier export, kept verbatim as the oracle: one vobject component per contact
(vobject.vCard(), .add(...), .serialize()) and the three corrections that were made to vobject's output. The app
now writes each content line itself with vobject's escaping (`backslashEscape`, `dquoteEscape`) because building
a component per card cost about 0.7 ms; these tests check that nothing in the output changed: property order,
parameters, escaping, raw URIs, folding at 75 octets, CRLF, on hand-made and on random adversarial cards."""
import base64
import random
import re
from datetime import date, datetime, timedelta, timezone

import pytest
import vobject

from webapp.services.vcard_read import parse_vcards
from webapp.services.vcard_write import ExportAddress, ExportCard, contact_to_vcard, contacts_to_vcf

from .conftest import image_bytes

# ------------------------------------------------------------------------------------ the oracle (vobject tree)

_PHONE_TYPES = {"work": ["work", "voice"], "cell": ["cell"], "fax": ["fax"], "home": ["home", "voice"],
                "pager": ["pager"]}
_PHOTO_TYPES = {"image/jpeg": "JPEG", "image/png": "PNG", "image/gif": "GIF", "image/webp": "WEBP"}
_SOCIAL_PROFILE = {"linkedin", "x", "facebook", "instagram", "github", "xing", "viadeo", "youtube", "mastodon"}
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_EXTRA_PROPERTIES = {"tel": "TEL", "email": "EMAIL", "impp": "IMPP", "nickname": "NICKNAME", "adr": "ADR",
                     "related": "X-ABRELATEDNAMES", "date": "X-ABDATE", "anniversary": "X-ANNIVERSARY",
                     "birthday": "BDAY"}


def _clean(text):
    return _CONTROL.sub("", text).strip() if text else ""


def _one_line(text):
    return re.sub(r"[\x00-\x1f\x7f]", "", text).strip()


def _sniff(data):
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


def _raw_value(line, value):
    line.value = value
    line.encoded = True


def _build(card, version):
    v4 = version == "4.0"
    vcard = vobject.vCard()
    vcard.add("version").value = version
    last, first = _clean(card.last_name), _clean(card.first_name)
    vcard.add("n").value = vobject.vcard.Name(family=last, given=first)
    vcard.add("fn").value = " ".join(p for p in (first, last) if p) or _clean(card.org) or "-"
    if v4:
        vcard.add("kind").value = "individual"
    if card.org or card.org_unit:
        vcard.add("org").value = [p for p in (_clean(card.org), _clean(card.org_unit)) if p] or [""]
    if card.title:
        vcard.add("title").value = _clean(card.title)
    if card.role:
        vcard.add("role").value = _clean(card.role)
    for email in card.emails:
        if _clean(email):
            line = vcard.add("email")
            line.value = _one_line(email)
            line.type_param = ["work"] if v4 else ["INTERNET", "WORK"]
    for number, kind in card.phones:
        if _clean(number):
            line = vcard.add("tel")
            line.value = _one_line(number)
            line.type_param = _PHONE_TYPES.get(kind, ["voice"])
    if card.address and any(vars(card.address).values()):
        a = card.address
        line = vcard.add("adr")
        line.value = vobject.vcard.Address(street=_clean(a.street), extended=_clean(a.street2), city=_clean(a.city),
                                           region=_clean(a.region), code=_clean(a.postal_code),
                                           country=_clean(a.country))
        line.type_param = ["work"]
    for url, kind in card.urls:
        url = _one_line(url)
        if not url:
            continue
        social = kind in _SOCIAL_PROFILE
        line = vcard.add("x-socialprofile" if social and not v4 else "url")
        _raw_value(line, url)
        if social:
            line.type_param = "twitter" if kind == "x" and not v4 else kind
    if card.photo:
        mime = card.photo_mime or _sniff(card.photo) or "image/jpeg"
        line = vcard.add("photo")
        if v4:
            _raw_value(line, f"data:{mime};base64,{base64.b64encode(card.photo).decode('ascii')}")
        else:
            line.value = card.photo
            line.encoding_param = "b"
            line.type_param = _PHOTO_TYPES.get(mime, mime.split("/")[-1].upper())
    if card.gender in ("M", "F"):
        vcard.add("gender" if v4 else "x-gender").value = card.gender if v4 else {"M": "Male", "F": "Female"}[card.gender]
    if card.birthday:
        vcard.add("bday").value = card.birthday.strftime("%Y%m%d" if v4 else "%Y-%m-%d")
    if card.note and _clean(card.note):
        vcard.add("note").value = _clean(card.note)
    categories = [c for c in (_clean(c) for c in card.categories) if c]
    if categories:
        vcard.add("categories").value = categories
    _add_extras(vcard, card, v4)
    if card.uid:
        vcard.add("uid").value = _clean(card.uid)
    if card.rev:
        moment = card.rev if card.rev.tzinfo else card.rev.replace(tzinfo=timezone.utc)
        vcard.add("rev").value = moment.astimezone(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    return vcard


def _add_extras(vcard, card, v4):
    group = 0
    for kind, label, value in card.extras:
        value = _clean(value)
        name = _EXTRA_PROPERTIES.get(kind) or "X-CRM-" + re.sub(r"[^A-Z0-9-]", "-", kind.upper())[:20]
        if not value or (name == "BDAY" and card.birthday):
            continue
        if v4 and name == "X-ANNIVERSARY":
            name = "ANNIVERSARY"
        group += 1
        line = vcard.add(name.lower(), group=f"item{group}")
        if name in ("ADR", "EMAIL", "TEL"):
            line.x_crm_extra_param = "TRUE"  # the marker added since, that reads the value back as an extra
        if name == "ADR":
            line.value = vobject.vcard.Address(street=value)
        elif name == "IMPP":
            _raw_value(line, _one_line(value))
        else:
            line.value = value
            if name == "EMAIL" and not v4:
                line.type_param = "INTERNET"
        if label and _clean(label):
            vcard.add("x-ablabel", group=f"item{group}").value = _clean(label)


def _fold(line):
    if line.isascii():
        if len(line) <= 75:
            return line
        return "\r\n ".join([line[:75], *(line[i:i + 74] for i in range(75, len(line), 74))])
    if len(line.encode()) <= 75:
        return line
    parts, current, size, limit = [], [], 0, 75
    for char in line:
        width = len(char.encode())
        if size + width > limit:
            parts.append("".join(current))
            current, size, limit = [], 0, 74
        current.append(char)
        size += width
    parts.append("".join(current))
    return "\r\n ".join(parts)


def reference_vcard(card, version="3.0"):
    """The export as it was: vobject's component tree and serialize(), then re-folded (PHOTO, accented lines)."""
    text = _build(card, version).serialize()
    lines = text.split("\r\n")
    if any(len(line) > 75 or (len(line) > 18 and not line.isascii() and len(line.encode()) > 75) for line in lines):
        text = "\r\n".join(_fold(line) for line in lines)
    return text


# ---------------------------------------------------------------------------------------------- the cards

@pytest.fixture(scope="module")
def photos():
    return {"jpeg": image_bytes(), "png": image_bytes("PNG", (90, 90)), "gif": image_bytes("GIF", (20, 20)),
            "bmp": image_bytes("BMP", (4, 4)), "unknown": b"\x00\x01not an image" * 40, "one": b"\xff"}


def full_card(photo: bytes) -> ExportCard:
    return ExportCard(
        last_name="Lefèvre-Dubœuf", first_name="Élise", org="Acme, Inc.; filiale", org_unit="Achats",
        title="Directrice des achats, Europe", role="Décideur", emails=["elise@acme.fr"],
        phones=[("01 20 35 99 65", "work"), ("06 12 34 56 78", "cell"), ("01 20 35 99 66", "fax")],
        address=ExportAddress(street="12, rue de l'Église", street2="Bât. B; 3e étage", postal_code="75008",
                              city="Paris", country="France"),
        urls=[("https://www.linkedin.com/in/elise", "linkedin"), ("https://acme.fr/a,b;c", "website"),
              ("https://x.com/elise", "x"), ("https://blog.example.org/élise", "other")],
        photo=photo, photo_mime="image/jpeg", gender="F", uid="urn:uuid:2f1c0c1e-1111-4a4a-9999-000000000001",
        rev=datetime(2026, 3, 4, 5, 6, 7, tzinfo=timezone.utc),
        note="Rencontrée au salon, à rappeler; budget validé.\nDeuxième ligne 😀 \\ fin",
        categories=["Client, grand compte", "VIP"], birthday=date(1980, 2, 29),
        extras=[("tel", "Domicile", "01 44 55 66 77"), ("email", "Perso", "elise@perso.fr"),
                ("impp", "Skype", "skype:elise.l"), ("nickname", None, "Lili"), ("related", "Assistant", "Paul"),
                ("anniversary", "Mariage", "2010-06-12"), ("adr", "Domicile", "1 rue X, Paris; 2e"),
                ("other", "Autres prénoms", "Marie"), ("date", "Rencontre", "2020-01-15"),
                ("birthday", None, "1980-02-29"), ("Ünïcode kind très long ici", "é" * 80, "v;a,l\\ue\n2")])


# Pieces that stress escaping, folding and cleaning: specials of text values, line breaks of every kind,
# controls, tabs, accents, 4-byte characters, and lengths around the 75-octet limit.
PIECES = ["", " ", "a", "Jean", "Élise", "Nguyễn", "Dubœuf", "😀", "a,b", "a;b", "a:b", "a\\b", "\\", ",", ";", ":",
          "\n", "\r\n", "\r", "x\ny", "\t", "\x00", "\x07", "\x1b[31m", "\x7f", "\u2028", "\u202e", "\ufeff", '"',
          "=", "é" * 37, "é" * 38, "a" * 74, "a" * 75, "a" * 76, "€" * 25, "😀" * 19, "ß", "ﬁ", "İ", "\u0301",
          "https://x.fr/?a=1,2;b", "data:x", "item1.TEL:1", "END:VCARD", "BEGIN:VCARD"]


def text(rng: random.Random, parts: int = 4) -> str:
    return "".join(rng.choice(PIECES) for _ in range(rng.randint(0, parts)))


def maybe(rng, value, chance=0.5):
    return value if rng.random() < chance else None


def random_card(rng: random.Random, photos: dict) -> ExportCard:
    extras = []
    for _ in range(rng.randint(0, 6)):
        kind = rng.choice(["tel", "email", "impp", "nickname", "adr", "related", "date", "anniversary", "birthday",
                           "other", "note", "Ünï kind", "a" * 30, "x-custom", "ß"])
        extras.append((kind, rng.choice([None, "", " ", text(rng, 3)]), text(rng, 5)))
    photo_key = rng.choice([None, None, *photos])
    rev = rng.choice([None, datetime(2026, 1, 2, 3, 4, 5), datetime(2026, 1, 2, 3, 4, 5, 123456, tzinfo=timezone.utc),
                      datetime(2025, 12, 31, 23, 30, tzinfo=timezone(timedelta(hours=-5)))])
    address = None
    if rng.random() < 0.7:
        address = ExportAddress(street=text(rng), street2=text(rng, 2), postal_code=text(rng, 1), city=text(rng, 2),
                                region=text(rng, 1), country=rng.choice(["", "France", "Royaume-Uni", text(rng, 2)]))
    return ExportCard(
        last_name=text(rng, 6), first_name=text(rng, 3), org=maybe(rng, text(rng, 5)), org_unit=maybe(rng, text(rng)),
        title=maybe(rng, text(rng, 6)), role=maybe(rng, text(rng)),
        emails=[text(rng, 2) + "@x.fr" for _ in range(rng.randint(0, 2))] + rng.choice([[], [" "], ["\x00"]]),
        phones=[(text(rng, 2) + "01 02", rng.choice(["work", "cell", "fax", "home", "pager", "other"]))
                for _ in range(rng.randint(0, 4))] + rng.choice([[], [(" ", "work")]]),
        address=address,
        urls=[(rng.choice(["https://a.fr/", "", " ", "x"]) + text(rng, 2),
               rng.choice(["website", "other", *sorted(_SOCIAL_PROFILE)])) for _ in range(rng.randint(0, 4))],
        photo=photos[photo_key] if photo_key else rng.choice([None, b""]),
        photo_mime=rng.choice([None, "image/jpeg", "image/png", "image/heic", "image/x-icon", "image/svg+xml",
                               "application/octet-stream", "image/a,b;c:d"]),
        gender=rng.choice([None, "M", "F", "X", ""]), uid=rng.choice([None, "", "urn:uuid:1", text(rng, 3)]),
        rev=rev, note=maybe(rng, text(rng, 12)), categories=[text(rng, 2) for _ in range(rng.randint(0, 3))],
        birthday=maybe(rng, date(1900 + rng.randint(0, 120), rng.randint(1, 12), rng.randint(1, 28))),
        extras=extras)


# ---------------------------------------------------------------------------------------------- the tests

@pytest.mark.parametrize("version", ["3.0", "4.0"])
def test_full_card_is_byte_for_byte_the_vobject_tree_output(photos, version):
    for photo in (photos["jpeg"], photos["png"], None):
        card = full_card(photo)
        assert contact_to_vcard(card, version) == reference_vcard(card, version)


@pytest.mark.parametrize("version", ["3.0", "4.0"])
def test_random_adversarial_cards_are_byte_for_byte_the_vobject_tree_output(photos, version):
    rng = random.Random(20260304 + int(version[0]))
    for number in range(1500):
        card = random_card(rng, photos)
        assert contact_to_vcard(card, version) == reference_vcard(card, version), (number, card)


@pytest.mark.parametrize("version", ["3.0", "4.0"])
def test_minimal_and_empty_cards(version):
    for card in (ExportCard(last_name=""), ExportCard(last_name="", org="Société X"),
                 ExportCard(last_name="", org_unit="Achats"), ExportCard(last_name="\x00", first_name=" "),
                 ExportCard(last_name="X", address=ExportAddress()), ExportCard(last_name="X", uid=" "),
                 ExportCard(last_name="X", title=" ", role="\x00", note=" ", categories=[" ", ""])):
        assert contact_to_vcard(card, version) == reference_vcard(card, version)


def test_a_double_quote_in_a_photo_type_is_refused_as_before(photos):
    """vobject refuses a double quote in a parameter value; the line writer uses its dquoteEscape too."""
    card = ExportCard(last_name="X", photo=photos["unknown"], photo_mime='image/x"y')
    with pytest.raises(vobject.base.VObjectError):
        reference_vcard(card)
    with pytest.raises(vobject.base.VObjectError):
        contact_to_vcard(card)


def test_exact_lines_of_a_full_card(photos):
    """The output spelled out: order (VERSION, UID, then by property name), parameters, escaping, raw URIs."""
    card = full_card(None)
    assert contact_to_vcard(card).split("\r\n") == [
        "BEGIN:VCARD",
        "VERSION:3.0",
        "UID:urn:uuid:2f1c0c1e-1111-4a4a-9999-000000000001",
        "ADR;TYPE=work:;Bât. B\\; 3e étage;12\\, rue de l'Église;Paris;;75008;Franc",
        " e",
        "item7.ADR;X-CRM-EXTRA=TRUE:;;1 rue X\\, Paris\\; 2e;;;;",
        "BDAY:1980-02-29",
        "CATEGORIES:Client\\, grand compte,VIP",
        "EMAIL;TYPE=INTERNET,WORK:elise@acme.fr",
        "item2.EMAIL;TYPE=INTERNET;X-CRM-EXTRA=TRUE:elise@perso.fr",
        "FN:Élise Lefèvre-Dubœuf",
        "item3.IMPP:skype:elise.l",
        "N:Lefèvre-Dubœuf;Élise;;;",
        "item4.NICKNAME:Lili",
        "NOTE:Rencontrée au salon\\, à rappeler\\; budget validé.\\nDeuxième ligne ",
        " 😀 \\\\ fin",
        "ORG:Acme\\, Inc.\\; filiale;Achats",
        "REV:20260304T050607Z",
        "ROLE:Décideur",
        "TEL;TYPE=work,voice:01 20 35 99 65",
        "TEL;TYPE=cell:06 12 34 56 78",
        "TEL;TYPE=fax:01 20 35 99 66",
        "item1.TEL;X-CRM-EXTRA=TRUE:01 44 55 66 77",
        "TITLE:Directrice des achats\\, Europe",
        "URL:https://acme.fr/a,b;c",
        "URL:https://blog.example.org/élise",
        "item9.X-ABDATE:2020-01-15",
        "item1.X-ABLABEL:Domicile",
        "item2.X-ABLABEL:Perso",
        "item3.X-ABLABEL:Skype",
        "item5.X-ABLABEL:Assistant",
        "item6.X-ABLABEL:Mariage",
        "item7.X-ABLABEL:Domicile",
        "item8.X-ABLABEL:Autres prénoms",
        "item9.X-ABLABEL:Rencontre",
        "item10.X-ABLABEL:ééééééééééééééééééééééééééééé",
        " ééééééééééééééééééééééééééééééééééééé",
        " éééééééééééééé",
        "item5.X-ABRELATEDNAMES:Paul",
        "item6.X-ANNIVERSARY:2010-06-12",
        "item10.X-CRM--N-CODE-KIND-TR-S-LO:v\\;a\\,l\\\\ue\\n2",
        "item8.X-CRM-OTHER:Marie",
        "X-GENDER:Female",
        "X-SOCIALPROFILE;TYPE=linkedin:https://www.linkedin.com/in/elise",
        "X-SOCIALPROFILE;TYPE=twitter:https://x.com/elise",
        "END:VCARD",
        "",
    ]


@pytest.mark.parametrize("version", ["3.0", "4.0"])
def test_every_physical_line_is_at_most_75_octets_and_whole_utf8(photos, version):
    rng = random.Random(99)
    raw = contacts_to_vcf([random_card(rng, photos) for _ in range(300)] + [full_card(photos["png"])],
                          version).encode("utf-8")
    assert b"\n" not in raw.replace(b"\r\n", b"") and b"\r" not in raw.replace(b"\r\n", b"")
    for line in raw.split(b"\r\n"):
        assert len(line) <= 75
        line.decode("utf-8")


@pytest.mark.parametrize("version", ["3.0", "4.0"])
def test_photo_bytes_come_back(photos, version):
    for key in ("jpeg", "png", "gif"):
        card = ExportCard(last_name="Photo", photo=photos[key], photo_mime=None)
        back = parse_vcards(contact_to_vcard(card, version).encode("utf-8")).cards[0]
        assert back.photo == photos[key] and back.photo_mime == f"image/{key}"


def test_exact_lines_of_a_40_card():
    card = ExportCard(last_name="Martin", first_name="Zoé", org="Acme", emails=["zoe@acme.fr"],
                      phones=[("01 02", "work"), ("06 07", "cell")],
                      urls=[("https://x.com/zoe", "x"), ("https://acme.fr/a,b;c", "website")],
                      photo=b"\x89PNG\r\n\x1a\n" + b"\x00" * 60, gender="F", uid="urn:uuid:1",
                      rev=datetime(2026, 3, 4, 5, 6, 7), birthday=date(1990, 1, 2),
                      extras=[("anniversary", "Mariage", "2010-06-12"), ("email", None, "z@perso.fr")])
    assert contact_to_vcard(card, "4.0").split("\r\n") == [
        "BEGIN:VCARD",
        "VERSION:4.0",
        "UID:urn:uuid:1",
        "item1.ANNIVERSARY:2010-06-12",
        "BDAY:19900102",
        "EMAIL;TYPE=work:zoe@acme.fr",
        "item2.EMAIL;X-CRM-EXTRA=TRUE:z@perso.fr",
        "FN:Zoé Martin",
        "GENDER:F",
        "KIND:individual",
        "N:Martin;Zoé;;;",
        "ORG:Acme",
        "PHOTO:data:image/png;base64,iVBORw0KGgoAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        " AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
        "REV:20260304T050607Z",  # a naive time is taken as UTC
        "TEL;TYPE=work,voice:01 02",
        "TEL;TYPE=cell:06 07",
        "URL;TYPE=x:https://x.com/zoe",
        "URL:https://acme.fr/a,b;c",  # a URI is written raw
        "item1.X-ABLABEL:Mariage",
        "END:VCARD",
        "",
    ]


def test_export_uses_vobjects_escaping_helpers(monkeypatch):
    """The text values go through vobject's backslashEscape (the app does not carry its own escaping)."""
    import webapp.services.vcard_write as module

    assert module.escape_text is vobject.base.backslashEscape
    seen = []
    monkeypatch.setattr(module, "escape_text", lambda s: seen.append(s) or vobject.base.backslashEscape(s))
    contact_to_vcard(ExportCard(last_name="Dupont", first_name="Jean", title="DSI, achats", note="a;b"))
    assert {"Dupont", "Jean", "DSI, achats", "a;b"} <= set(seen)
