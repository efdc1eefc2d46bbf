"""The vCard import layer on crafted files: encodings, 2.1 oddities, broken cards, bounds and hostile input."""
import base64

import pytest

from webapp.services.vcard_decode import VCardFileError
from webapp.services.vcard_read import parse_vcards

PNG_1PX = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLvAAAAAElFTkSuQmCC"
)


def card(*lines: str, version: str = "3.0") -> str:
    return "\r\n".join(["BEGIN:VCARD", f"VERSION:{version}", *lines, "END:VCARD"]) + "\r\n"


def one(data: bytes | str, **bounds):
    """The only card of `data`, asserting nothing was refused."""
    result = parse_vcards(data.encode("utf-8") if isinstance(data, str) else data, **bounds)
    assert not result.errors, result.errors
    assert len(result.cards) == 1
    return result.cards[0]


# ------------------------------------------------------------------------------------------ 2.1 quoted-printable

def test_quoted_printable_soft_breaks_with_latin1_charset():
    data = (
        "BEGIN:VCARD\r\nVERSION:2.1\r\n"
        "N;CHARSET=ISO-8859-1;ENCODING=QUOTED-PRINTABLE:Lef=E8vre;H=E9l=E8ne\r\n"
        "NOTE;ENCODING=QUOTED-PRINTABLE;CHARSET=ISO-8859-1:Premi=E8re ligne=0D=0A=\r\n"
        "deuxi=E8me ligne, avec virgule=\r\n"
        " et la suite\r\n"
        "TEL;WORK;VOICE:01 20 35 99 65\r\n"
        "END:VCARD\r\n"
    ).encode("ascii")
    c = one(data)
    assert (c.last_name, c.first_name) == ("Lefèvre", "Hélène")
    assert c.note == "Première ligne\ndeuxième ligne, avec virgule et la suite"
    # The soft break must not swallow the next property.
    assert c.phones[0].value == "01 20 35 99 65"


def test_quoted_printable_utf8_and_undeclared_latin1():
    data = (
        "BEGIN:VCARD\nVERSION:2.1\n"
        "N;ENCODING=QUOTED-PRINTABLE;CHARSET=UTF-8:Ch=C3=A2teau;Jos=C3=A9\n"
        "TITLE;QUOTED-PRINTABLE:Directeur g=E9n=E9ral\n"  # latin-1 bytes, no CHARSET: windows-1252 fallback
        "END:VCARD\n"
    ).encode("ascii")
    c = one(data)
    assert (c.last_name, c.first_name) == ("Château", "José")
    assert c.title == "Directeur général"


def test_eight_bit_lines_use_declared_charset_then_cp1252():
    data = (
        b"BEGIN:VCARD\nVERSION:2.1\n"
        b"N;CHARSET=SHIFT_JIS:" + "安藤".encode("shift_jis") + b";\n"
        b"FN:" + "Françoise Dupré".encode("cp1252") + b"\n"
        b"END:VCARD\n"
    )
    c = one(data)
    assert c.last_name == "安藤"
    assert c.full_name == "Françoise Dupré"


def test_unknown_and_bogus_charsets_fall_back_without_error():
    data = card("N;CHARSET=X-BOGUS-42:Müller;Jörg", "FN;CHARSET=utf-8\";x:Jörg Müller").encode("utf-8")
    c = one(data)
    assert (c.last_name, c.first_name) == ("Müller", "Jörg")


def test_unknown_charset_on_quoted_printable_is_reported():
    data = card("N;ENCODING=QUOTED-PRINTABLE;CHARSET=KLINGON:Dupr=C3=A9;Jean", version="2.1").encode("ascii")
    result = parse_vcards(data)
    assert result.cards[0].last_name == "Dupré"
    assert any("KLINGON" in w.reason for w in result.warnings)


# ----------------------------------------------------------------------------------------------- 2.1 parameters

def test_bare_parameters_become_types():
    c = one(card("N:Dupont;Jean", "TEL;HOME;VOICE:01 11", "TEL;WORK;VOICE:01 22", "TEL;CELL:06 33",
                 "TEL;WORK;FAX:01 44", "EMAIL;INTERNET;PREF:jean@exemple.fr", version="2.1"))
    assert [p.types for p in c.phones] == [{"home", "voice"}, {"work", "voice"}, {"cell"}, {"work", "fax"}]
    assert c.emails[0].types == {"internet", "pref"}
    primary = c.primary()
    assert (primary.phone, primary.mobile, primary.fax, primary.email) == ("01 22", "06 33", "01 44",
                                                                           "jean@exemple.fr")
    assert [(e.kind, e.label, e.value) for e in primary.extras] == [("tel", "Domicile", "01 11")]


def test_base64_photo_of_21_without_indentation_ends_at_blank_line():
    encoded = base64.b64encode(PNG_1PX).decode()
    data = ("BEGIN:VCARD\nVERSION:2.1\nN:Photo;Anne\nPHOTO;PNG;ENCODING=BASE64:\n"
            f"{encoded[:40]}\n{encoded[40:]}\n\nEMAIL:anne@exemple.fr\nEND:VCARD\n")
    c = one(data)
    assert c.photo == PNG_1PX and c.photo_mime == "image/png"
    assert c.emails[0].value == "anne@exemple.fr"


# ------------------------------------------------------------------------------------------- escaping and commas

def test_escaped_colon_and_commas_never_truncate_text():
    c = one(card(
        "FN:Dupont, Jean",
        "TITLE:Directeur, achats et logistique",
        "NOTE:Bonjour, monde\\, suite\\; fin\\nligne 2",
        "ORG:Acme, Inc.;Ventes, Sud;Paris",
        "URL:http\\://www.exemple.fr/a,b",
        "NICKNAME:Jo,Jojo",
        "CATEGORIES:Client,VIP",
    ))
    assert c.full_name == "Dupont, Jean"
    assert (c.first_name, c.last_name) == ("Jean", "Dupont")  # no N: split from FN
    assert c.title == "Directeur, achats et logistique"
    assert c.note == "Bonjour, monde, suite; fin\nligne 2"
    assert (c.org, c.org_units) == ("Acme, Inc.", ["Ventes, Sud", "Paris"])
    assert c.urls[0].url == "http://www.exemple.fr/a,b"
    assert c.nicknames == ["Jo", "Jojo"]
    assert c.categories == ["Client", "VIP"]


@pytest.mark.parametrize("fn, first, last", [
    ("Jean Dupont", "Jean", "Dupont"),
    ("Jean-Pierre de La Fontaine", "Jean-Pierre", "de La Fontaine"),
    ("Madonna", "", "Madonna"),
])
def test_name_from_fn_when_n_is_missing_or_empty(fn, first, last):
    c = one(card("N:;;;;", f"FN:{fn}"))
    assert (c.first_name, c.last_name) == (first, last)


def test_markup_in_values_is_kept_as_literal_text():
    fn = '<script>alert("x")</script><a hx-get="/admin" hx-trigger="load">Jean</a>'
    c = one(card(f"FN:{fn}", "NOTE:<img src=x onerror=alert(1)>"))
    assert c.full_name == fn
    assert c.note == "<img src=x onerror=alert(1)>"


# ------------------------------------------------------------------------------------ encodings and line endings

@pytest.mark.parametrize("encoding, bom", [
    ("utf-16-le", b"\xff\xfe"), ("utf-16-be", b"\xfe\xff"), ("utf-16-le", b""), ("utf-16-be", b""),
    ("utf-8", b"\xef\xbb\xbf"),
])
def test_utf16_and_bom(encoding, bom):
    data = bom + card("N:Lefèvre;Élise", "FN:Élise Lefèvre", "EMAIL:elise@exemple.fr").encode(encoding)
    c = one(data)
    assert (c.last_name, c.first_name, c.emails[0].value) == ("Lefèvre", "Élise", "elise@exemple.fr")


@pytest.mark.parametrize("newline", ["\r", "\r\r\n", "\n"])
def test_line_endings(newline):
    text = card("N:Dupont;Jean", "NOTE:un\\ndeux", "TEL;TYPE=work:01").replace("\r\n", newline)
    c = one(text)
    assert (c.last_name, c.note, c.phones[0].value) == ("Dupont", "un\ndeux", "01")


# ------------------------------------------------------------------------------------------------------- photos

def test_data_uri_photo_in_40():
    uri = "data:image/png;base64," + base64.b64encode(PNG_1PX).decode()
    c = one(card("FN:Anne", f"PHOTO:{uri}", version="4.0"))
    assert c.photo == PNG_1PX and c.photo_mime == "image/png"


def test_bad_base64_photo_keeps_the_card():
    result = parse_vcards(card("FN:Anne Photo", "PHOTO;ENCODING=b;TYPE=JPEG:@@@not*base64!!").encode())
    assert result.cards[0].full_name == "Anne Photo"
    assert result.cards[0].photo is None
    assert result.warnings and "Photo" in result.warnings[0].reason


def test_remote_photo_is_not_fetched():
    c = one(card("FN:Anne", "PHOTO;VALUE=uri:https://exemple.fr/anne.jpg"))
    assert c.photo is None
    assert "PHOTO (URL)" in c.ignored


def test_photo_over_the_bound_is_skipped():
    big = base64.b64encode(b"\xff\xd8\xff" + b"\0" * 3000).decode()
    c = one(card("FN:Anne", f"PHOTO;ENCODING=b;TYPE=JPEG:{big}"), max_photo=1000)
    assert c.photo is None and c.full_name == "Anne"


# ------------------------------------------------------------------------------------------- other values

def test_gender_labels_birthday_and_rev():
    c = one(card(
        "FN:Anne Martin", "X-GENDER:Female", "BDAY:--0415", "REV:2024-05-06T07:08:09Z",
        "item1.TEL:06 12", "item1.X-ABLabel:_$!<Mobile>!$_", "item2.TEL:01 99", "item2.X-ABLabel:Standard",
    ))
    assert c.gender == "F"
    assert c.birthday is None and ("birthday", "Anniversaire", "--0415") in c.extras
    assert c.rev.isoformat() == "2024-05-06T07:08:09+00:00"
    primary = c.primary()
    assert primary.mobile == "06 12"
    # A number the user labelled himself is kept with its label, not promoted to the office line.
    assert primary.phone is None and ("tel", "Standard", "01 99") in primary.extras


@pytest.mark.parametrize("line, expected", [
    ("GENDER:M", "M"), ("GENDER:F;féminin", "F"), ("GENDER:O", None), ("X-WAB-GENDER:2", "M"),
])
def test_gender(line, expected):
    assert one(card("FN:X", line, version="4.0")).gender == expected


@pytest.mark.parametrize("value, expected", [
    ("1980-03-21", (1980, 3, 21)), ("19800321", (1980, 3, 21)), ("1955-07-19T00:00:00Z", (1955, 7, 19)),
    ("16040415", None), ("1980-02-31", None), ("circa 1800", None),
])
def test_birthday(value, expected):
    birthday = one(card("FN:X", f"BDAY:{value}")).birthday
    assert (birthday.timetuple()[:3] if birthday else None) == expected


# ------------------------------------------------------------------------------------------------ broken cards

def test_one_broken_card_does_not_cost_the_others():
    data = (card("FN:Premier") + "BEGIN:VCARD\r\nthis is not a property\r\nnor this\r\nEND:VCARD\r\n"
            + card("FN:Troisième"))
    result = parse_vcards(data.encode())
    assert [c.full_name for c in result.cards] == ["Premier", "Troisième"]
    assert [e.number for e in result.errors] == [2]
    assert result.errors[0].reason


def test_unreadable_line_is_dropped_and_reported():
    result = parse_vcards(card("FN:Jean Dupont", "garbage without colon", "EMAIL:jean@exemple.fr").encode())
    assert result.cards[0].emails[0].value == "jean@exemple.fr"
    assert result.warnings[0].number == 1


def test_card_without_end_at_end_of_file():
    data = card("FN:Complet") + "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Tronqué\r\nEMAIL:t@exemple.fr\r\n"
    result = parse_vcards(data.encode())
    assert [c.full_name for c in result.cards] == ["Complet", "Tronqué"]
    assert result.warnings[0].number == 2


def test_card_without_end_followed_by_cards_keeps_them_separate():
    data = "BEGIN:VCARD\r\nFN:Sans fin\r\n" + card("FN:Deux") + card("FN:Trois")
    result = parse_vcards(data.encode())
    assert [c.full_name for c in result.cards] == ["Sans fin", "Deux", "Trois"]


def test_nested_agent_card_is_not_a_contact():
    data = card("FN:Patron", "AGENT:", "BEGIN:VCARD", "VERSION:2.1", "FN:Assistant", "END:VCARD",
                "TEL;WORK:01 02", version="2.1")
    c = one(data)
    assert c.full_name == "Patron" and c.phones[0].value == "01 02"
    assert "AGENT" in c.ignored


def test_unreadable_and_stray_lines_are_dropped_and_counted():
    c = one(card("FN:Jeanne Martin", "ceci n'est pas une ligne vCard", "END:VCALENDAR", "EMAIL:jeanne@exemple.fr"))
    assert (c.full_name, c.emails[0].value) == ("Jeanne Martin", "jeanne@exemple.fr")
    assert "2 ligne(s) illisible(s) ignorée(s)." in c.warnings


def test_nested_component_is_skipped_and_an_unclosed_one_is_reported():
    closed = one(card("FN:Jeanne Martin", "BEGIN:VEVENT", "SUMMARY:Réunion", "END:VEVENT", "TITLE:Acheteuse"))
    assert (closed.title, closed.warnings) == ("Acheteuse", [])
    unclosed = one(card("FN:Jeanne Martin", "BEGIN:VEVENT", "SUMMARY:Réunion", "TITLE:Acheteuse"))
    assert unclosed.full_name == "Jeanne Martin" and not unclosed.title
    assert "2 ligne(s) illisible(s) ignorée(s)." in unclosed.warnings


def test_card_of_unreadable_lines_only_is_an_error():
    result = parse_vcards((card("pas une ligne", "toujours pas") + card("FN:Deux")).encode())
    assert [e.number for e in result.errors] == [1]
    assert [c.full_name for c in result.cards] == ["Deux"]


def test_5000_nested_begin_lines_do_not_recurse():
    unclosed = parse_vcards(("BEGIN:VCARD\n" * 5000 + "FN:Fond\nEND:VCARD\n").encode())
    closed = parse_vcards(("BEGIN:VCARD\nFN:Haut\n" + "BEGIN:VCARD\n" * 5000 + "END:VCARD\n" * 5001).encode())
    assert [c.full_name for c in closed.cards] == ["Haut"]
    assert "Fond" in [c.full_name for c in unclosed.cards]


# ------------------------------------------------------------------------------------------------------ bounds

def no_card_parsed(monkeypatch):
    """Fails the test if any card reaches the parser: a bound must refuse the file before any work per card."""
    def parse_card(*_args):
        raise AssertionError("a card was parsed before the bound refused the file")
    monkeypatch.setattr("webapp.services.vcard_read._parse_card", parse_card)


def test_too_many_cards_is_refused_before_any_card_is_read(monkeypatch):
    data = ("BEGIN:VCARD\nFN:X\nEND:VCARD\n" * 50000).encode()
    no_card_parsed(monkeypatch)
    with pytest.raises(VCardFileError) as error:
        parse_vcards(data)
    assert "5000" in error.value.message


def test_a_5_mb_line_is_refused_before_any_card_is_read(monkeypatch):
    data = ("BEGIN:VCARD\nFN:X\nNOTE:" + "a" * (5 * 1024 * 1024) + "\nEND:VCARD\n").encode()
    no_card_parsed(monkeypatch)
    with pytest.raises(VCardFileError) as error:
        parse_vcards(data)
    assert "ligne" in error.value.message


def test_size_bound_is_checked_first():
    with pytest.raises(VCardFileError) as error:
        parse_vcards(b"\xff" * 2000, max_bytes=1000)
    assert "taille" in error.value.message


@pytest.mark.parametrize("data", [b"", b"   \n", b"\x89PNG\r\n\x1a\n\0\0\0", b"<html><body>Bonjour</body></html>",
                                  b"Nom;Prenom\nDupont;Jean\n"])
def test_not_a_vcard(data):
    with pytest.raises(VCardFileError) as error:
        parse_vcards(data)
    assert error.value.message


def test_file_starting_at_version_without_begin():
    result = parse_vcards(b"VERSION:3.0\nFN:Frank Dawson\nEND:VCARD\n")
    assert [c.full_name for c in result.cards] == ["Frank Dawson"]


def test_each_property_keeps_its_own_charset():
    data = (
        b"BEGIN:VCARD\nVERSION:2.1\n"
        b"N;CHARSET=ISO-8859-2;ENCODING=QUOTED-PRINTABLE:=A3ukasiewicz;Pawe=B3\n"
        b"TITLE;CHARSET=ISO-8859-7:" + "Διευθυντής".encode("iso-8859-7") + b"\n"
        b"END:VCARD\n"
    )
    c = one(data)
    assert (c.last_name, c.first_name, c.title) == ("Łukasiewicz", "Paweł", "Διευθυντής")
