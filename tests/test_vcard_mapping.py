"""A vCard mapped to the CRM's values without HTTP: one test (or a few) per property handler, through read_upload,
the function the upload route calls (bytes -> parsed cards -> card plans)."""
import base64

import pytest

from webapp.services.vcard_mapping import read_upload
from webapp.services.vcard_plan import CardPlan
from webapp.services.vcard_properties import HANDLERS
from webapp.services.vcard_read import MAX_BYTES, MAX_CARDS, MAX_PHOTO

from .conftest import image_bytes


@pytest.fixture(autouse=True)
def _context(app):
    """Messages are translated: a request context, as the upload has."""
    with app.test_request_context():
        yield


def card(*lines: str, version: str = "3.0") -> str:
    return "BEGIN:VCARD\r\nVERSION:" + version + "\r\n" + "".join(line + "\r\n" for line in lines) + "END:VCARD\r\n"


def plans(*cards: str) -> list[CardPlan]:
    _files, read = read_upload([("test.vcf", "".join(cards).encode("utf-8"))], MAX_BYTES, MAX_CARDS, MAX_PHOTO,
                               25_000_000)
    return read


def plan(*lines: str, version: str = "3.0") -> CardPlan:
    """The one card of a file holding these lines (after a name, unless they give one)."""
    if not any(line.split(":")[0].split(";")[0].split(".")[-1] in ("N", "FN") for line in lines):
        lines = ("N:Dupont;Jean", *lines)
    (only,) = plans(card(*lines, version=version))
    return only


def extras(p: CardPlan, kind: str) -> list[list]:
    return [extra for extra in p.extras if extra[0] == kind]


def test_handlers_are_a_table_by_upper_case_property_name():
    assert HANDLERS and all(name == name.upper() for name in HANDLERS)
    assert {"N", "FN", "ORG", "TITLE", "TEL", "EMAIL", "ADR", "URL", "PHOTO", "NOTE", "CATEGORIES", "BDAY", "UID",
            "IMPP"} <= set(HANDLERS)


# ------------------------------------------------------------------------------------------------ names

def test_n_gives_last_and_first_names_and_the_other_parts_are_extras():
    p = plan("N:Dupont;Jean;Marie;Dr;Jr")
    assert (p.values["last_name"], p.values["first_name"], p.name) == ("Dupont", "Jean", "DUPONT Jean")
    assert ["other", "Autres prénoms", "Marie"] in p.extras
    assert ["other", "Civilité", "Dr"] in p.extras and ["other", "Suffixe", "Jr"] in p.extras


@pytest.mark.parametrize("fn, first, last", [("Jean Dupont", "Jean", "Dupont"), ("Dupont, Jean", "Jean", "Dupont"),
                                             ("Cher", "", "Cher")])
def test_fn_is_split_when_n_is_missing(fn, first, last):
    p = plan(f"FN:{fn}")
    assert (p.values["first_name"], p.values["last_name"]) == (first, last)


def test_a_first_name_alone_becomes_the_last_name():
    p = plan("N:;Jean")
    assert (p.values["last_name"], p.values["first_name"]) == ("Jean", "")


def test_a_card_without_any_name_is_refused():
    # Nothing to name it after (an e-mail, a nickname or an ORG would do since issue 15).
    p = plan("N:;;;;", "TEL:01 02 03 04 05")
    assert p.error == "Fiche sans nom : non importée." and p.nameless
    assert p.values["phone"] == "01 02 03 04 05"  # kept: a name typed in the preview imports the card


@pytest.mark.parametrize("line", ["KIND:org", "X-ABShowAs:COMPANY", "KIND:group"])
def test_company_and_group_cards_are_refused(line):
    p = plan("FN:Acme", "ORG:Acme", line)
    assert p.error == "Fiche d'une société ou d'un groupe, pas d'une personne : non importée."
    assert p.org == "Acme"


def test_name_too_long_for_its_column_is_cut_with_a_warning():
    p = plan("N:" + "D" * 300 + ";Jean")
    assert 0 < len(p.values["last_name"]) < 300
    assert any("Valeur tronquée" in warning for warning in p.warnings)


# ------------------------------------------------------------------------------------------------ org, title, role

def test_org_gives_the_account_and_its_units_with_escaped_commas_kept():
    p = plan(r"ORG:Acme\, Inc.;Ventes;Export")
    assert (p.org, p.units) == ("Acme, Inc.", ["Ventes", "Export"])


def test_kaddressbook_department_is_the_unit_when_org_has_none():
    assert plan("ORG:Acme", "X-KADDRESSBOOK-X-DEPARTMENT:Achats").units == ["Achats"]
    assert plan("ORG:Acme;Ventes", "X-KADDRESSBOOK-X-DEPARTMENT:Achats").units == ["Ventes"]


def test_title_is_the_function_and_role_the_vcard_role():
    p = plan("TITLE:Directeur\\, achats", "ROLE:Décideur", "TITLE:Second titre")
    assert (p.values["function"], p.values["vcard_role"]) == ("Directeur, achats", "Décideur")
    assert plan("X-KADDRESSBOOK-X-PROFESSION:Ingénieur").values["vcard_role"] == "Ingénieur"


# ------------------------------------------------------------------------------------------------ phones

def test_tel_kinds_go_to_phone_mobile_fax_and_the_others_are_extras():
    p = plan("TEL;TYPE=WORK,VOICE:01 23 45 67 89", "TEL;TYPE=CELL:06 12 34 56 78", "TEL;TYPE=WORK,FAX:01 23 45 67 00",
             "TEL;TYPE=HOME:04 11 22 33 44")
    assert (p.values["phone"], p.values["mobile"], p.values["fax"]) == ("01 23 45 67 89", "06 12 34 56 78",
                                                                        "01 23 45 67 00")
    assert p.e164 == {"phone": "+33123456789", "mobile": "+33612345678", "fax": "+33123456700"}
    assert extras(p, "tel") == [["tel", "Domicile", "04 11 22 33 44"]]


def test_bare_21_types_apple_labels_and_tel_uris_are_understood():
    p = plan("TEL;CELL;VOICE:06 12 34 56 78", version="2.1")
    assert p.values["mobile"] == "06 12 34 56 78"
    p = plan("item1.TEL:06 98 76 54 32", "item1.X-ABLabel:_$!<Mobile>!$_")
    assert p.values["mobile"] == "06 98 76 54 32"
    p = plan("TEL;VALUE=uri;TYPE=work:tel:+33-1-23-45-67-89", version="4.0")
    assert p.e164["phone"] == "+33123456789"


def test_a_number_labelled_by_the_user_is_not_the_office_line():
    p = plan("item1.TEL:01 99 88 77 66", "item1.X-ABLabel:Chalet")
    assert p.values["phone"] is None and extras(p, "tel") == [["tel", "Chalet", "01 99 88 77 66"]]


def test_the_phone_region_follows_the_country_of_the_address():
    p = plan("TEL;TYPE=WORK:030 1234567", "ADR;TYPE=WORK:;;Unter den Linden 1;Berlin;;10117;Deutschland")
    assert p.values["country"] == "DE" and p.e164["phone"] == "+49301234567"


# ------------------------------------------------------------------------------------------------ e-mail

def test_email_the_preferred_one_is_the_contacts_and_the_others_are_extras():
    p = plan("EMAIL;TYPE=INTERNET,HOME:jean@maison.fr", "EMAIL;TYPE=INTERNET,WORK,PREF:jean.dupont@acme.fr")
    assert p.email == "jean.dupont@acme.fr"
    assert extras(p, "email") == [["email", "Domicile", "jean@maison.fr"]]


def test_email_mailto_is_dropped_and_an_invalid_email_is_left_out_with_a_warning():
    assert plan("EMAIL:mailto:jean@acme.fr", version="4.0").email == "jean@acme.fr"
    p = plan("EMAIL:pas une adresse")
    assert p.email is None and any("pas une adresse" in warning for warning in p.warnings)


# ------------------------------------------------------------------------------------------------ address

def test_adr_work_address_goes_to_the_columns_and_the_region_to_the_extras():
    p = plan("ADR;TYPE=HOME:;;1 rue du Lac;Annecy;;74000;France",
             "ADR;TYPE=WORK:BP 12;Bâtiment B;10 rue de la Paix\\n3e étage;Paris;Île-de-France;75002;France")
    values = p.values
    assert (values["street"], values["street2"], values["postal_code"], values["city"], values["country"]) == (
        "10 rue de la Paix", "3e étage, Bâtiment B, BP 12", "75002", "Paris", "FR")
    assert ["other", "Région", "Île-de-France"] in p.extras
    assert ["adr", "Domicile", "1 rue du Lac, 74000 Annecy, France"] in p.extras


def test_an_unknown_country_is_kept_as_an_extra_with_a_warning():
    p = plan("ADR:;;1 Main Street;Springfield;;12345;Atlantide")
    assert p.values["country"] is None and ["other", "Pays", "Atlantide"] in p.extras
    assert any("Atlantide" in warning for warning in p.warnings)


def test_a_label_without_adr_is_kept_as_an_extra_address():
    p = plan("LABEL;TYPE=WORK:10 rue de la Paix\\n75002 Paris")
    assert p.values.get("street") is None
    assert extras(p, "adr") == [["adr", "Travail", "10 rue de la Paix\n75002 Paris"]]
    assert extras(plan("ADR:;;1 rue A;Paris;;75001;", "LABEL:1 rue A"), "adr") == []


# ------------------------------------------------------------------------------------------------ links

@pytest.mark.parametrize("line, kind, url", [
    ("URL:https://www.linkedin.com/in/jdupont", "linkedin", "https://www.linkedin.com/in/jdupont"),
    ("X-SOCIALPROFILE;TYPE=twitter:https://twitter.com/jdupont", "x", "https://twitter.com/jdupont"),
    ("X-SOCIALPROFILE;TYPE=facebook:https://example.com/jd", "facebook", "https://example.com/jd"),
    ("URL:www.acme.fr", "website", "https://www.acme.fr"),
    (r"URL:http\://www.acme.fr/contact", "website", "http://www.acme.fr/contact"),
    ("X-EVOLUTION-BLOG-URL:https://blog.example.com", "website", "https://blog.example.com"),
    ("URL:https://mastodon.social/@jd", "website", "https://mastodon.social/@jd"),
])
def test_url_and_social_profiles_get_their_kind(line, kind, url):
    assert plan(line).links == [[kind, url]]


def test_a_link_kind_the_crm_lacks_becomes_other_and_a_non_http_link_is_left_out():
    assert plan("X-SOCIALPROFILE;TYPE=mastodon:https://mastodon.social/@jd").links == [
        ["other", "https://mastodon.social/@jd"]]
    p = plan("URL:ftp://files.acme.fr", "URL:https://acme.fr", "URL:https://acme.fr")
    assert p.links == [["website", "https://acme.fr"]]
    assert any("ftp://files.acme.fr" in warning for warning in p.warnings)


# ------------------------------------------------------------------------------------------------ photo

def test_an_inline_photo_is_processed_and_kept_with_the_sha_of_the_files_bytes():
    data = image_bytes("PNG")
    p = plan("PHOTO;ENCODING=b;TYPE=PNG:" + base64.b64encode(data).decode())
    assert p.photo and p.photo["mime"] in ("image/jpeg", "image/png") and p.photo["width"] == 64
    assert len(p.photo["sha"]) == 64


def test_a_40_data_uri_photo_is_read():
    data = image_bytes("JPEG")
    p = plan("PHOTO:data:image/jpeg;base64," + base64.b64encode(data).decode(), version="4.0")
    assert p.photo is not None


def test_a_remote_photo_is_not_imported_and_says_so():
    p = plan("PHOTO;VALUE=uri:https://example.com/me.jpg")
    assert p.photo is None and "PHOTO (URL)" in p.ignored
    assert any("URL" in warning for warning in p.warnings)


def test_photo_data_that_is_no_image_is_not_imported():
    p = plan("PHOTO;ENCODING=b:" + base64.b64encode(b"file:///C:/photo.jpg").decode())
    assert p.photo is None and "Photo dans un format non reconnu : non importée." in p.warnings


# ------------------------------------------------------------------------------------------------ the rest

def test_notes_are_joined_and_unescaped():
    p = plan(r"NOTE:Ligne 1\nLigne 2\, avec virgule", "NOTE:Deuxième note")
    assert p.values["notes"] == "Ligne 1\nLigne 2, avec virgule\n\nDeuxième note"


def test_categories_of_every_line_are_kept_in_order():
    # An escaped comma stays inside its category (issue 15): stored escaped, as CATEGORIES writes it.
    assert plan("CATEGORIES:Client,VIP", r"CATEGORIES:Salon\, 2024").values["categories"] == \
        r"Client, VIP, Salon\, 2024"


@pytest.mark.parametrize("line, birthday", [("BDAY:1980-03-21", "1980-03-21"), ("BDAY:19800321", "1980-03-21"),
                                            ("BDAY;VALUE=date:1980-03-21T00:00:00Z", "1980-03-21")])
def test_bday_a_full_date_is_the_birthday(line, birthday):
    assert plan(line).values["birthday"] == birthday


@pytest.mark.parametrize("line, text", [("BDAY;X-APPLE-OMIT-YEAR=1604:1604-03-21", "1604-03-21"),
                                        ("BDAY:--0321", "--0321")])
def test_bday_without_a_year_is_kept_as_an_extra(line, text):
    p = plan(line)
    assert p.values["birthday"] is None and ["birthday", "Anniversaire", text] in p.extras


def test_uid_is_kept_unless_too_long():
    assert plan("UID:urn:uuid:1234").values["vcard_uid"] == "urn:uuid:1234"
    p = plan("UID:" + "u" * 300)
    assert p.values["vcard_uid"] is None and any("UID" in warning for warning in p.warnings)


@pytest.mark.parametrize("line, gender", [("X-GENDER:Female", "F"), ("GENDER:M", "M"), ("X-WAB-GENDER:2", "M"),
                                          ("GENDER:O", None)])
def test_gender(line, gender):
    assert plan(line).values["gender"] == gender


def test_impp_and_older_im_properties_are_kept_as_extras():
    p = plan("IMPP;X-SERVICE-TYPE=Jabber:xmpp:jean@jabber.org", "X-AIM:jeandupont", "X-SKYPE:jean.dupont")
    assert extras(p, "impp") == [["impp", "Jabber", "xmpp:jean@jabber.org"], ["impp", "AIM", "jeandupont"],
                                 ["impp", "Skype", "jean.dupont"]]


def test_nicknames_related_names_and_dates_are_extras():
    p = plan("NICKNAME:Jeannot,JD", "X-SPOUSE:Marie", "item1.X-ABRELATEDNAMES:Paul", "item1.X-ABLabel:_$!<Brother>!$_",
             "ANNIVERSARY:2001-06-02", "item2.X-ABDATE:2010-01-01", "item2.X-ABLabel:Embauche",
             "X-MAIDENNAME:Durand")
    assert extras(p, "nickname") == [["nickname", None, "Jeannot"], ["nickname", None, "JD"]]
    assert extras(p, "related") == [["related", "Conjoint", "Marie"], ["related", "Brother", "Paul"]]
    assert extras(p, "anniversary") == [["anniversary", "Anniversaire de mariage", "2001-06-02"]]
    assert extras(p, "date") == [["date", "Embauche", "2010-01-01"]]
    assert ["other", "Nom de naissance", "Durand"] in p.extras


def test_our_own_x_crm_properties_and_labelled_unknown_ones_are_kept_others_listed_as_not_imported():
    p = plan("X-CRM-SKYPE-ID:jd", "item1.X-CUSTOM:valeur", "item1.X-ABLabel:Badge", "X-UNKNOWN-THING:1", "GEO:1;2",
             "PRODID:-//Apple//EN")
    assert ["skype-id", None, "jd"] in p.extras and ["other", "Badge", "valeur"] in p.extras
    assert p.ignored == ["X-UNKNOWN-THING", "GEO"]


def test_first_of_single_valued_properties_wins():
    p = plan("N:Dupont;Jean", "N:Autre;Nom", "ORG:Acme", "ORG:Autre", "UID:a", "UID:b", "FN:Jean Dupont")
    assert (p.values["last_name"], p.org, p.values["vcard_uid"]) == ("Dupont", "Acme", "a")


def test_a_broken_card_is_an_error_plan_and_the_others_are_read():
    read = plans(card("N:Un;A"), "BEGIN:VCARD\r\nVERSION:3.0\r\nEND:VCARD\r\n", card("N:Trois;C"))
    assert [(p.number, p.error is None) for p in read] == [(1, True), (2, False), (3, True)]
    assert read[1].error == "Fiche vide : aucune donnée lisible."
