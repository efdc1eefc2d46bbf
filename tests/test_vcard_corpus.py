"""Every real .vcf file of shared/vcf-samples (Apple, Google, Android, Outlook, Nokia, Evolution, KDE, Nextcloud,
RFC examples...) is read without an exception escaping and gives the values written in it.

The expectations below were written by reading the files, not by copying the parser's output: a break in
quoted-printable decoding, comma handling, bare 2.1 parameters or charset handling fails one of them.
"""
import csv
from datetime import date
from pathlib import Path

import pytest

from webapp.services.vcard_read import parse_vcards

SAMPLES = Path(__file__).resolve().parents[2] / "shared" / "vcf-samples"


def _manifest() -> list[dict]:
    if not (SAMPLES / "MANIFEST.tsv").exists():
        return []
    with (SAMPLES / "MANIFEST.tsv").open(encoding="utf-8") as f:
        return list(csv.DictReader(f, delimiter="\t"))


MANIFEST = _manifest()

pytestmark = pytest.mark.skipif(not MANIFEST, reason="shared/vcf-samples is not beside the repository")

# file -> (number of cards, {card index: expected values}). Keys: fn, last, first, org, units, title, email,
# email_types, phones ({number: types}), phone/mobile/fax (the CRM's choice), country, photo (mime or None),
# note_has, bday, gender, nicknames, categories, extra (kind, label, value) present in primary().extras.
EXPECTED = {
    "aosp/aosp__v21_blackberry_photo.vcf": (1, {0: dict(last="boogie", phones={"+5555555": {"work"},
                                                "+5555556": {"cell"}}, email="forrestgump@walladalla.com",
                                                photo="image/png")}),
    "aosp/aosp__v21_japanese_1.vcf": (1, {0: dict(last="安藤ロイド", phones={"0300000000": {"pref", "voice"}})}),
    "aosp/aosp__v21_multiple_entry.vcf": (3, {0: dict(last="安藤ロイド3", fax="12"), 1: dict(last="安藤ロイド4"),
                                              2: dict(last="安藤ロイド5", phones={"17": {"x-nec-boy"}})}),
    "aosp/aosp__v21_nest.vcf": (1, {0: dict(last="parent", phones={"1": set()})}),
    "aosp/aosp__v21_winmo_65.vcf": (1, {0: dict(fn="Example", last="Example",
                                                extra=("anniversary", "Anniversaire de mariage", "20091010"))}),
    "aosp/aosp__v30_comma_separated.vcf": (1, {0: dict(last="F", first="G")}),
    "aosp/aosp__v30_simple.vcf": (1, {0: dict(fn="And Roid", org="Open", units=["Handset", "Alliance"],
                                              phone="0300000000")}),
    "aosp/aosp__v40_sort_as.vcf": (1, {0: dict(last="安藤", first="ロイド", org="グーグル", units=["検索部門"])}),
    "davx5/davx5__strange-rev.vcf": (1, {0: dict(last="Name", fax="+49000000", phone="+49000000")}),
    "davx5/davx5__unknown-properties-with-labels.vcf": (1, {0: dict(extra=("other", "TestLabel", "TestValue"))}),
    "davx5/davx5__vcard4.vcf": (1, {0: dict(fn="VCard 4 Test", bday=None, extra=("birthday", "Anniversaire",
                                                                                  "--04-16"))}),
    "eds/eds__4.vcf": (1, {0: dict(last="address", first="canada", country="Canada")}),
    "eds/eds__7.vcf": (1, {0: dict(fn="Frank Dawson", org="Lotus Development Corporation", country="U.S.A.",
                                   phone="+1-919-676-9515", fax="+1-919-676-9564", email="Frank_Dawson@Lotus.com")}),
    "eds/eds__photo-1.vcf": (1, {0: dict(first="photo", email="photo@no.where", photo="image/png")}),
    "ezvcard/ezvcard__John_Doe_EVOLUTION.vcf": (1, {0: dict(fn="Mr. John Richter, James Doe Sr.", last="Doe",
                                                            org="IBM", units=["Accounting", "Dungeon"],
                                                            mobile="905-666-1234", phone="905-555-1234",
                                                            country="United States of America",
                                                            bday=date(1980, 3, 22), categories=["VIP"])}),
    "ezvcard/ezvcard__John_Doe_GMAIL.vcf": (1, {0: dict(fn="Mr. John Richter, James Doe Sr.", org="IBM",
                                                        mobile="905-555-1234", email="john.doe@ibm.com",
                                                        title="Money Counter")}),
    "ezvcard/ezvcard__John_Doe_MAC_ADDRESS_BOOK.vcf": (1, {0: dict(fn="Mr. John Richter,James Doe Sr.",
                                                                   phone="905-777-1234", mobile="905-555-1234",
                                                                   fax="905-999-1234", photo="image/jpeg",
                                                                   country="USA",  # the work ADR
                                                                   email_types={"internet", "work", "pref"})}),
    "ezvcard/ezvcard__fullcontact.vcf": (1, {0: dict(last="LastName", first="FirstName", phone="555-555-1112",
                                                     mobile="555-555-1113", fax="555-555-1117", photo=None)}),
    "ezvcard/ezvcard__gmail-single.vcf": (1, {0: dict(fn="Greg Dartmouth", org="TheCompany", mobile="555 555 1111",
                                                      bday=date(1960, 9, 10), nicknames=["Gman"])}),
    "ezvcard/ezvcard__gmail-single2.vcf": (1, {0: dict(fn="VCard Test", email="email@example.com",
                                                       mobile="5555551115", phone="5555551113")}),
    "ezvcard/ezvcard__outlook-2003.vcf": (1, {0: dict(fn="John Doe III", org="Company, The",
                                                      units=["TheDepartment"], phone="BusinessPhone",
                                                      mobile="MobilePhone", fax="BusinessFaxPhone",
                                                      country="United States of America",
                                                      note_has="Second line\n\nThird line is empty",
                                                      email_types={"pref", "internet"}, bday=date(1980, 3, 21))}),
    "ezvcard/ezvcard__rfc6350-example.vcf": (1, {0: dict(fn="Simon Perreault", gender="M", org="Viagenie",
                                                         phone="+1-418-656-9254;ext=102", mobile="+1-418-262-6501",
                                                         email="simon.perreault@viagenie.ca", bday=None)}),
    "ezvcard/ezvcard__thunderbird-MoreFunctionsForAddressBook-extension.vcf": (
        1, {0: dict(fn="John Doe", org="TheOrganization", units=["TheDepartment"], phone="555-555-1111",
                    mobile="555-555-5555", fax="555-555-3333", email="doe.john@hotmail.com", country="USA")}),
    "folkerkinzel/folkerkinzel__German_windows-1252.vcf": (1, {0: dict(fn="Sören Täve Nüßlebaum", last="Nüßlebaum",
                                                                       first="Sören")}),
    "folkerkinzel/folkerkinzel__LabelIssue.vcf": (1, {0: dict(fn="Rudi Wimmel", org="Wurstdarm KG",
                                                              phone="0987 /6543", country="Deutschland",
                                                              email_types={"pref", "internet"})}),
    "folkerkinzel/folkerkinzel__Photo_Outlook_v2.vcf": (1, {0: dict(photo="image/jpeg")}),
    "folkerkinzel/folkerkinzel__Utf-8_Hebrew.vcf": (1, {0: dict(fn="אפרים קישון", last="Kishon", first="Ephraim")}),
    "folkerkinzel/folkerkinzel__WhatsAppIssue.vcf": (1, {0: dict(fn="zzMad Perla 45", note_has="PERLA\nmadrid")}),
    "folkerkinzel/folkerkinzel__v2_1.vcf": (1, {0: dict(last="Mustermann", org="Firma", units=["Führungsetage"],
                                                        phone="Tel geschäftlich", mobile="Handy", fax="0123/579",
                                                        email="privat@folker-kinzel.de", photo="image/jpeg",
                                                        note_has="Kommentar ÄÄÄÄÄÄ ääääää ÖÖÖÖÖÖ öööööö ÜÜÜÜÜÜ",
                                                        country="Land Firma", gender="M")}),
    "folkerkinzel/folkerkinzel__v3.vcf": (2, {0: dict(fn="Folker Kinzel", country="DE", photo=None,
                                                      bday=date(1978, 3, 11)),
                                              1: dict(fn="KMS Außenstelle", email="blablö@blub.com")}),
    "folkerkinzel/folkerkinzel__v4.vcf": (2, {0: dict(fn="Möhrke Gerda", org="KiTa Öhrdingen",
                                                      phone="034441/ 2 22 67", fax="034441/ 39 23 34"),
                                              1: dict(last="Mustermann", title="Gröfaz", gender="M")}),
    "ical4j/ical4j__4b62872a-849-0.vcf": (1, {0: dict(last="Branntwein", first="Franz", country="Deutschland",
                                                      email="franz.m.branntwein@example.com")}),
    "ical4j/ical4j__Simon_Perreault.vcf": (1, {0: dict(fn="Simon Perreault", gender="M", bday=date(1983, 2, 3))}),
    "ical4j/ical4j__vcard-antoni-outlook2003-valueurl.vcf": (1, {0: dict(fn="Antoni Jozef Mylka jun.", org="DFKI",
                                                                         phone="49 631 234 341", photo=None,
                                                                         country="Deutschland",
                                                                         note_has="notes about antoni.")}),
    "jeroendesloovere/jeroendesloovere__contacts.vcf": (5, {
        0: dict(fn="Thies-Tillman Jacobsen", categories=["Sportverein"], note_has="Lieblingsfarbe: Violett"),
        1: dict(fn="Lenn Biernoth", title="Strassenreiniger",
                note_has="Internet trollen, Kekse backen, Videos schneiden\nLieblingsessen"),
        2: dict(fn="Ludwig-Götz Graßl")}),
    "kcontacts/kcontacts__testfullvcard.vcf": (1, {0: dict(fn="Sherlock Holmes", gender="M",
                                                           mobile="+44-555-555-6666", phone="+44-555-555-7777",
                                                           email="detective@sherlockholmes.com",
                                                           categories=["FICTION", "LITERATURE"])}),
    "kcontacts/kcontacts__vcard15.vcf": (1, {0: dict(fn="Test Tester", phones={"+1-800-123456": {"home"}})}),
    "kcontacts/kcontacts__vcard3.vcf": (1, {0: dict(fn="ian geiser", org="Source eXtreme", title="VP of Engineering",
                                                    email_types={"internet"})}),
    "kcontacts/kcontacts__vcard5.vcf": (1, {0: dict(fn="Mustermann, Heiko", org="KDE", photo="image/png",
                                                    note_has="friendly note text,\nplease copy me",
                                                    bday=date(1955, 7, 19))}),
    "kcontacts/kcontacts__vcard7.vcf": (1, {0: dict(extra=("adr", "Travail", "401 Park Drive  3 West\nBoston, MA "
                                                           "02215\nUSA\nHerecomesyetanotherline"))}),
    "khard/khard__photov3.vcf": (1, {0: dict(fn="with photo v3", photo="image/png")}),
    "khard/khard__photov4.vcf": (1, {0: dict(fn="with photo v4", photo="image/png")}),
    "khard/khard__tel-value-uri.vcf": (1, {0: dict(fn="bug 195", mobile="67545678")}),
    "khard/khard__text-bday.vcf": (1, {0: dict(fn="text birthday", bday=None)}),
    "khard/khard__unparsable.vcf": (1, {0: dict(fn="second contact with minimal Vcard")}),
    "nextcloud/nextcloud__forrest-gump.vcf": (1, {0: dict(fn="Forrest Gump", org="Sheri Nom Co.",
                                                          title="Ultimate Warrior")}),
    "nodevcf/nodevcf__multiple.vcf": (3, {0: dict(fn="Dr. Erika Mustermann", phone="+49-221-9999123",
                                                  country="Germany", photo=None),
                                          1: dict(phone="(0221) 9999123", country="Deutschland",
                                                  email_types={"pref", "internet"}),
                                          2: dict(email_types={"pref", "internet"}, country="Germany")}),
    "nodevcf/nodevcf__vcard-2.1.vcf": (1, {0: dict(fn="Forrest Gump", org="Bubba Gump Shrimp Co.",
                                                   phone="(111) 555-1212", country="United States of America")}),
    "nodevcf/nodevcf__vcard-4.0.vcf": (1, {0: dict(fn="Forrest Gump", phone="+11115551212", photo=None)}),
    "qtpim/qtpim__AAB4-SingleCompany.vcf": (1, {0: dict(fn="Apple Computer Inc.", org="Apple Computer Inc.",
                                                        phone="1-800-MY-APPLE", country="United States")}),
    "qtpim/qtpim__AAB5-SingleNonAscii.vcf": (1, {0: dict(fn="ひらがな name", org="ABC", phone="1234",
                                                         mobile="5678")}),
    "qtpim/qtpim__Entourage11-nonascii.vcf": (1, {0: dict(fn="Friend and personal categories",
                                                          email="home@email")}),
    "qtpim/qtpim__Entourage12-nonascii.vcf": (1, {0: dict(fn="ひらがな name", last="name", first="ひらがな")}),
    "qtpim/qtpim__gmail.vcf": (2, {0: dict(fn="Test Contact", org="company", title="title", mobile="1234")}),
    "radicale/radicale__contact2-with-bday.vcf": (1, {0: dict(fn="Test-FN", last="FamilyTest",
                                                              bday=date(1970, 1, 1))}),
    "radicale/radicale__contact4-with-bday-no-year.vcf": (1, {0: dict(bday=None)}),
    "radicale/radicale__contact_photo_with_data_uri_v4.vcf": (1, {0: dict(fn="Contact", photo="image/png")}),
    "rcmcarddav/rcmcarddav__AllAttr.vcf": (1, {0: dict(last="Wesker", first="Albert", org="Umbrella Corp",
                                                       units=["Executive Board"], title="CEO", gender="M",
                                                       bday=date(1960, 7, 17))}),
    "rcmcarddav/rcmcarddav__EmptyAttrs.vcf": (1, {0: dict(fn="Max Mustermann")}),
    "rcmcarddav/rcmcarddav__InlinePhoto.vcf": (1, {0: dict(email="special@maxmu.de", photo="image/jpeg")}),
    "rcmcarddav/rcmcarddav__VCard4-DataUriPhoto.vcf": (1, {0: dict(email="bbb@example.org", photo="image/jpeg")}),
    "rcmcarddav/rcmcarddav__goldencomp.vcf": (1, {0: dict(fn="The Golden Company", org="The Golden Company",
                                                          email="golden.company@example.com")}),
    "roundcube/roundcube__apple.vcf": (1, {0: dict(org="Apple Computer AG", country="Switzerland")}),
    "roundcube/roundcube__photo.vcf": (1, {0: dict(last="Müller", first="Jörg", photo="image/jpeg")}),
    "symbian/symbian__cntvcardlf.vcf": (1, {0: dict(country="Sverige", note_has="hämtade från")}),
    "symbian/symbian__email1.vcf": (1, {0: dict(last="conflict", phone="456745766", mobile="56765767",
                                                fax="23453245", email="emailfield1@test.com",
                                                extra=("email", "", "Emailfield2@test.com"))}),
    "symbian/symbian__pbapexport_exportintraprop30.vcf": (1, {0: dict(bday=date(2006, 9, 28), photo=None)}),
    "symbian/symbian__t_vexporttypewithgif.vcf": (1, {0: dict(fn="Rickard Troedsson", org="Symbianfoundation",
                                                              units=["AB"], photo="image/gif",
                                                              mobile="+442079460094")}),
    "syncevolution/syncevolution__Google-Gmail.vcf": (1, {0: dict(fn="Mr. John 1 Doe Sr.", phone="business 1",
                                                                  mobile="mobile")}),
    "syncevolution/syncevolution__carddav.vcf": (17, {4: dict(fn="colon"), 8: dict(fn="Umlaut Ä Ö Ü ß", last="Ü"),
                                                      11: dict(fn="Mr. John 1 Doe Sr.", org="at company",
                                                               phone="business 1", mobile="mobile",
                                                               fax="work fax", photo="image/png"),
                                                      14: dict(first="First ; special ;", last="Last")}),
    "syncevolution/syncevolution__eds_contact.vcf": (17, {}),
    "syncevolution/syncevolution__yahoo_contact.vcf": (8, {}),
    "thunderbird/thunderbird__basic_vcard_addressbook.vcf": (2, {0: dict(fn="John Doe"), 1: dict(fn="Jane Doe")}),
    "thunderbird/thunderbird__emptylines_vcard_addressbook.vcf": (2, {1: dict(email="jane.doe@genericemail.invalid")}),
    "virginity/virginity__apple.vcf": (1, {0: dict(org="Apple Computer Benelux BV", country="Netherlands")}),
    "virginity/virginity__cecilia.vcf": (1, {0: dict(fn="Cecilia Jansen", last="Jansen", mobile="+31655555555")}),
    "virginity/virginity__johnsmith21.vcf": (1, {0: dict(last="Smith", phone="+1 (919) 555-1234",
                                                         mobile="+1 (919) 554-6758", fax="+1 (919) 555-9876",
                                                         photo=None)}),
    "virginity/virginity__zeus21.vcf": (1, {0: dict(fn="Ζεύς Carreño Quiñones", last="Carreño Quiñones",
                                                    org="Maria-Jose Inc.")}),
    "vobject/vobject__vcard40_full.vcf": (1, {0: dict(fn="Dr. John Q. Public, III", nicknames=["Johnny", "JQP"],
                                                      gender="M", country="U.S.A.")}),
    "vobject/vobject__vcard40_multilang.vcf": (1, {0: dict(last="Yamada", first="Taro")}),
    "vobject/vobject__vcard40_org.vcf": (1, {0: dict(fn="ABC Marketing", org="ABC, Inc.",
                                                     units=["North American Division", "Marketing"],
                                                     country="U.S.A.")}),
}


def check(card, expected: dict) -> None:
    primary = card.primary()
    simple = {"fn": card.full_name, "last": card.last_name, "first": card.first_name, "org": card.org,
              "units": card.org_units, "title": card.title, "email": primary.email, "phone": primary.phone,
              "mobile": primary.mobile, "fax": primary.fax, "photo": card.photo_mime, "bday": card.birthday,
              "gender": card.gender, "nicknames": card.nicknames, "categories": card.categories}
    for key, value in expected.items():
        if key in simple:
            assert simple[key] == value, key
        elif key == "phones":
            assert {p.value: set(p.types) for p in card.phones if p.value in value} == value
        elif key == "email_types":
            assert card.emails[0].types == value
        elif key == "country":
            assert primary.address is not None and primary.address.country == value
        elif key == "note_has":
            assert value in (card.note or "")
        elif key == "extra":
            kind, label, text = value
            assert any(e.kind == kind and (e.label or "") == label and e.value == text for e in primary.extras)
        else:
            raise AssertionError(f"unknown expectation {key}")
    if expected.get("photo"):
        assert card.photo and len(card.photo) > 20


@pytest.mark.parametrize("row", MANIFEST, ids=[row["file"] for row in MANIFEST])
def test_sample_file(row):
    result = parse_vcards((SAMPLES / row["file"]).read_bytes())
    assert not result.errors, result.errors
    count, cards = EXPECTED.get(row["file"], (None, {}))
    if count is not None:
        assert len(result.cards) == count
    for index, expected in cards.items():
        check(result.cards[index], expected)


def test_every_sample_file_has_expectations():
    assert set(EXPECTED) >= {row["file"] for row in MANIFEST} - {
        # IM-only samples: covered by test_im_samples below.
        "rcmcarddav/rcmcarddav__IM-GoogleContacts.vcf", "rcmcarddav/rcmcarddav__IM-KAddressbook.vcf",
        "rcmcarddav/rcmcarddav__IM-Nextcloud.vcf", "rcmcarddav/rcmcarddav__IM-Owncloud.vcf",
        "rcmcarddav/rcmcarddav__IM-eMClient.vcf", "rcmcarddav/rcmcarddav__IM-iOS.vcf",
        "rcmcarddav/rcmcarddav__XAbLabelAppleBuiltin.vcf", "vobject/vobject__radicale-1587.vcf",
        "vobject/vobject__vcard40_group.vcf",
    }


@pytest.mark.parametrize("name", ["GoogleContacts", "KAddressbook", "Nextcloud", "Owncloud", "eMClient", "iOS"])
def test_im_samples(name):
    """Instant-messaging addresses are kept as extras (IMPP or X-AIM, X-JABBER...), never dropped."""
    card = parse_vcards((SAMPLES / "rcmcarddav" / f"rcmcarddav__IM-{name}.vcf").read_bytes()).cards[0]
    assert card.ims
    assert [e for e in card.primary().extras if e.kind == "impp"]


def test_apple_builtin_labels_and_group_card():
    apple = parse_vcards((SAMPLES / "rcmcarddav" / "rcmcarddav__XAbLabelAppleBuiltin.vcf").read_bytes()).cards[0]
    assert apple.emails[0].value == "special@maxmu.de"
    group = parse_vcards((SAMPLES / "vobject" / "vobject__vcard40_group.vcf").read_bytes()).cards[0]
    assert group.kind == "group" and group.full_name == "The Doe Family"
