"""vCard export: what Apple, Google and Outlook need to read our files, file names, and the round trip."""
from datetime import date, datetime, timezone

import pytest
import vobject

from webapp.services.filenames import content_disposition, safe_filename, unique_names
from webapp.services.vcard_read import parse_vcards
from webapp.services.vcard_write import ExportAddress, ExportCard, contact_to_vcard, contacts_to_vcf

from .conftest import image_bytes


@pytest.fixture
def contact() -> ExportCard:
    return ExportCard(
        last_name="Lefèvre-Dubœuf", first_name="Élise", org="Acme, Inc.; filiale", org_unit="Achats",
        title="Directrice des achats, Europe", role="Décideur",
        emails=["elise@acme.fr"],
        phones=[("01 20 35 99 65", "work"), ("06 12 34 56 78", "cell"), ("01 20 35 99 66", "fax")],
        address=ExportAddress(street="12, rue de l'Église", street2="Bât. B; 3e étage", postal_code="75008",
                              city="Paris", country="France"),
        urls=[("https://www.linkedin.com/in/elise", "linkedin"), ("https://acme.fr/a,b;c", "website")],
        photo=image_bytes(size=(64, 64)), photo_mime="image/jpeg", gender="F", uid="urn:uuid:2f1c0c1e-1111-4a4a-9999-000000000001",
        rev=datetime(2026, 3, 4, 5, 6, 7, tzinfo=timezone.utc),
        note="Rencontrée au salon, à rappeler; budget validé.\nDeuxième ligne 😀 \\ fin",
        categories=["Client, grand compte", "VIP"], birthday=date(1980, 2, 29),
        extras=[("tel", "Domicile", "01 44 55 66 77"), ("email", "Perso", "elise@perso.fr"),
                ("impp", "Skype", "skype:elise.l"), ("nickname", None, "Lili"), ("related", "Assistant", "Paul")],
    )


def unfold(text: str) -> list[str]:
    return text.replace("\r\n ", "").split("\r\n")


def test_vcard_30_lines(contact):
    text = contact_to_vcard(contact)
    lines = unfold(text)
    assert lines[0] == "BEGIN:VCARD" and "VERSION:3.0" in lines and lines[-2:] == ["END:VCARD", ""]
    assert "N:Lefèvre-Dubœuf;Élise;;;" in lines
    assert "FN:Élise Lefèvre-Dubœuf" in lines
    assert "ORG:Acme\\, Inc.\\; filiale;Achats" in lines
    assert "TITLE:Directrice des achats\\, Europe" in lines
    assert "EMAIL;TYPE=INTERNET,WORK:elise@acme.fr" in lines
    assert "TEL;TYPE=work,voice:01 20 35 99 65" in lines
    assert "TEL;TYPE=cell:06 12 34 56 78" in lines
    assert "TEL;TYPE=fax:01 20 35 99 66" in lines
    assert "ADR;TYPE=work:;Bât. B\\; 3e étage;12\\, rue de l'Église;Paris;;75008;France" in lines
    assert "X-SOCIALPROFILE;TYPE=linkedin:https://www.linkedin.com/in/elise" in lines
    assert "URL:https://acme.fr/a,b;c" in lines  # a URI is not text: no backslashes
    assert any(line.startswith("PHOTO;ENCODING=b;TYPE=JPEG:/9j/") for line in lines)
    assert "X-GENDER:Female" in lines
    assert "UID:urn:uuid:2f1c0c1e-1111-4a4a-9999-000000000001" in lines
    assert "REV:20260304T050607Z" in lines
    assert "BDAY:1980-02-29" in lines
    assert "CHARSET" not in text and "QUOTED-PRINTABLE" not in text


def test_vcard_40_lines(contact):
    lines = unfold(contact_to_vcard(contact, "4.0"))
    assert "VERSION:4.0" in lines and "VERSION:3.0" not in lines
    assert "EMAIL;TYPE=work:elise@acme.fr" in lines
    assert any(line.startswith("PHOTO:data:image/jpeg;base64,/9j/") for line in lines)
    assert "GENDER:F" in lines
    assert "URL;TYPE=linkedin:https://www.linkedin.com/in/elise" in lines
    assert not any("INTERNET" in line or line.startswith("X-GENDER") for line in lines)


@pytest.mark.parametrize("version", ["3.0", "4.0"])
def test_crlf_and_folding_at_75_octets_without_splitting_utf8(contact, version):
    contact.note = "é" * 100 + "😀" * 40 + " fin"
    raw = contact_to_vcard(contact, version).encode("utf-8")
    assert b"\n" not in raw.replace(b"\r\n", b"")
    for line in raw.split(b"\r\n"):
        assert len(line) <= 75
        line.decode("utf-8")  # a fold between the bytes of one character would fail here
    assert parse_vcards(raw).cards[0].note == contact.note


@pytest.mark.parametrize("version", ["3.0", "4.0"])
def test_round_trip_field_by_field(contact, version):
    result = parse_vcards(contacts_to_vcf([contact], version).encode("utf-8"))
    assert not result.errors and not result.warnings
    back = result.cards[0]
    primary = back.primary()
    assert (back.last_name, back.first_name) == (contact.last_name, contact.first_name)
    assert (back.org, back.org_units) == (contact.org, [contact.org_unit])
    assert (back.title, back.role, back.note) == (contact.title, contact.role, contact.note)
    assert (primary.email, primary.phone, primary.mobile, primary.fax) == (
        "elise@acme.fr", "01 20 35 99 65", "06 12 34 56 78", "01 20 35 99 66")
    a = primary.address
    assert (a.street, a.extended, a.postal_code, a.city, a.country) == (
        "12, rue de l'Église", "Bât. B; 3e étage", "75008", "Paris", "France")
    assert sorted((link.url, link.kind) for link in primary.links) == sorted(contact.urls)
    assert back.photo == contact.photo and back.photo_mime == "image/jpeg"
    assert (back.gender, back.uid, back.rev, back.birthday) == (contact.gender, contact.uid, contact.rev,
                                                                contact.birthday)
    assert back.categories == contact.categories
    # Each extra comes back as an extra of its kind with its label (in the file's order, not the record's).
    assert sorted((e.kind, e.label or "", e.value) for e in primary.extras) == [
        ("email", "Perso", "elise@perso.fr"), ("impp", "Skype", "skype:elise.l"), ("nickname", "", "Lili"),
        ("related", "Assistant", "Paul"), ("tel", "Domicile", "01 44 55 66 77")]


def test_vobject_reads_our_output_back(contact):
    """Our files are valid for vobject itself (a stand-in for other readers): ORG is a flat list."""
    parsed = list(vobject.readComponents(contacts_to_vcf([contact, contact])))
    assert len(parsed) == 2
    assert parsed[0].org.value == ["Acme, Inc.; filiale", "Achats"]
    assert parsed[0].photo.value == contact.photo


def test_minimal_contact_still_has_fn_and_n():
    lines = unfold(contact_to_vcard(ExportCard(last_name="", first_name="", org="Société X")))
    assert "FN:Société X" in lines and "N:;;;;" in lines


def test_control_characters_and_line_breaks_cannot_inject_properties():
    text = contact_to_vcard(ExportCard(last_name="Dupont\r\nEMAIL:pirate@x.fr", first_name="Jean\x00",
                                       urls=[("https://x.fr/\r\nTEL:1", "website")]))
    lines = unfold(text)
    assert not any(line.startswith(("EMAIL", "TEL")) for line in lines)
    assert "\x00" not in text
    assert parse_vcards(text.encode()).cards[0].last_name == "Dupont\nEMAIL:pirate@x.fr"


def test_several_cards():
    cards = [ExportCard(last_name=f"Nom{i}", first_name="Prénom") for i in range(3)]
    result = parse_vcards(contacts_to_vcf(cards).encode())
    assert [c.last_name for c in result.cards] == ["Nom0", "Nom1", "Nom2"]


# --------------------------------------------------------------------------------------------------- file names

@pytest.mark.parametrize("name, expected", [
    ("Dupont Jean", "Dupont Jean.vcf"),
    ("../../etc/passwd", "etc passwd.vcf"),
    ("a\\b/c:d*e?f\"g<h>i|j", "a b c d e f g h i j.vcf"),
    ("Jean\r\nDupont\t", "Jean Dupont.vcf"),
    ("Invoice\u202egpj.exe", "Invoicegpj.exe.vcf"),
    ("CON", "_CON.vcf"),
    ("nul.txt", "_nul.txt.vcf"),
    ("...cachée", "cachée.vcf"),
    ("", "contact.vcf"),
    ("\u200f\u200e", "contact.vcf"),
])
def test_safe_filename(name, expected):
    assert safe_filename(name) == expected


def test_safe_filename_is_bounded_in_bytes():
    name = safe_filename("é" * 300)
    assert len(name.encode("utf-8")) <= 100 and name.endswith(".vcf")
    name.encode("utf-8").decode("utf-8")


def test_unique_names():
    assert unique_names(["Dupont Jean.vcf", "Martin Anne.vcf", "dupont jean.vcf", "Dupont Jean.vcf"]) == [
        "Dupont Jean.vcf", "Martin Anne.vcf", "dupont jean (2).vcf", "Dupont Jean (3).vcf"]


def test_content_disposition():
    assert content_disposition("contacts.vcf") == 'attachment; filename="contacts.vcf"; filename*=UTF-8\'\'contacts.vcf'
    header = content_disposition('Lefèvre "Élise"; x.vcf')
    assert header.startswith('attachment; filename="Lefevre _Elise__ x.vcf"; ')
    assert header.endswith("filename*=UTF-8''Lef%C3%A8vre%20%22%C3%89lise%22%3B%20x.vcf")
    assert header.isascii()
