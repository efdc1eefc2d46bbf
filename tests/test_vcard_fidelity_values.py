"""vCard fidelity (issue 15), values that came out wrong: empty and bare parameters, countries in any language or
long form, a TEL with a type and a label, an escaped comma in CATEGORIES, birthdays written in other forms."""
import io

import pytest
from sqlalchemy import select

from webapp.countries import DATA_FILE, country_code
from webapp.extensions import db
from webapp.models import Contact
from webapp.services.vcard_export import write_vcf

from .test_vcard_import import admin, card, commit, entity, open_preview, vcf  # noqa: F401 - admin, entity: fixtures
from .test_vcard_mapping import extras, plan


@pytest.fixture
def _context(app):
    with app.test_request_context():
        yield


# ------------------------------------------------------------------------------------------ parameters

@pytest.mark.usefixtures("_context")
def test_a_property_with_an_empty_parameter_is_read_not_dropped():
    p = plan("ADR;HOME;PREF;:;;12 rue de la Paix;Paris;;75002;France",
             "LABEL;HOME;PREF;ENCODING=QUOTED-PRINTABLE:12 rue de la Paix=0D=0A75002 Paris",
             "TEL;;WORK;VOICE;:01 42 68 53 00", version="2.1")
    assert (p.values["street"], p.values["city"], p.values["postal_code"], p.values["country"]) == \
        ("12 rue de la Paix", "Paris", "75002", "FR")
    assert p.values["phone"] == "01 42 68 53 00"
    assert not any("illisible" in w for w in p.warnings)
    assert not extras(p, "adr")  # the LABEL repeats the address that was read


@pytest.mark.usefixtures("_context")
def test_bare_parameters_are_types():
    p = plan("TEL;CELL;VOICE:06 12 34 56 78", "TEL;HOME;FAX:01 02 03 04 05", "EMAIL;INTERNET;PREF:a@b.fr",
             version="2.1")
    assert (p.values["mobile"], p.values["fax"], p.values["email"]) == ("06 12 34 56 78", "01 02 03 04 05", "a@b.fr")


# ------------------------------------------------------------------------------------------ countries

@pytest.mark.parametrize("name, code", [
    ("United States of America", "US"), ("Niemcy", "DE"), ("U.S.A.", "US"), ("USA", "US"), ("Deutschland", "DE"),
    ("République fédérale d'Allemagne", "DE"), ("Federal Republic of Germany", "DE"), ("Polska", "PL"),
    ("Россия", "RU"), ("日本", "JP"), ("Brasil", "BR"), ("Schweiz", "CH"), ("Royaume-Uni", "GB"), ("UK", "GB"),
    ("États-Unis", "US"), ("be", "BE"), ("DEU", "DE"), ("Atlantis", None), ("", None)])
def test_countries_in_every_language_and_long_form(name, code):
    assert country_code(name) == code


@pytest.mark.usefixtures("_context")
def test_a_long_country_name_fills_the_country_column():
    p = plan("ADR;TYPE=WORK:;;123 Main St;Austin;TX;12345;United States of America")
    assert p.values["country"] == "US"
    assert not [e for e in p.extras if e[1] == "Pays"]
    assert not any("Pays" in w for w in p.warnings)


def test_the_country_table_is_what_babel_and_pycountry_give():
    import importlib.util
    from pathlib import Path

    spec = importlib.util.spec_from_file_location(
        "country_names", Path(__file__).resolve().parents[1] / "scripts" / "country_names.py")
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    assert script.serialize(script.build()) == DATA_FILE.read_bytes(), \
        "run .venv/bin/python scripts/country_names.py after upgrading Babel or pycountry"


# ------------------------------------------------------------------------------------------ phones

@pytest.mark.usefixtures("_context")
def test_a_tel_with_a_type_and_a_label_keeps_both():
    p = plan("item1.TEL;TYPE=HOME:01 44 55 66 77", "item1.X-ABLabel:Maison de campagne",
             "item2.TEL;TYPE=CELL:06 11 22 33 44", "item2.X-ABLabel:Perso",
             "item3.TEL;TYPE=HOME:01 44 55 66 78", "item3.X-ABLabel:_$!<Home>!$_")
    assert p.values["mobile"] == "06 11 22 33 44"  # the type decides the column, whatever the label
    assert extras(p, "tel") == [["tel", "Maison de campagne (Domicile)", "01 44 55 66 77"],
                                ["tel", "Home", "01 44 55 66 78"]]


# ------------------------------------------------------------------------------------------ categories

@pytest.mark.usefixtures("_context")
def test_an_escaped_comma_stays_inside_its_category():
    p = plan(r"CATEGORIES:Client\, grand compte,VIP")
    assert p.values["categories"] == r"Client\, grand compte, VIP"


def test_categories_come_back_as_they_went_in(client, app, admin, csrf):
    data = vcf(card("N:Dupont;Jean", "ORG:Acme", r"CATEGORIES:Client\, grand compte,VIP"))
    url, _html, form = open_preview(client, csrf, ("a.vcf", data))
    commit(client, url, form.fields)
    with app.app_context():
        contact_id = db.session.scalars(select(Contact.id).where(Contact.last_name == "Dupont")).one()
        out = io.BytesIO()
        write_vcf([contact_id], "3.0", out)
    assert "CATEGORIES:Client\\, grand compte,VIP\r\n" in out.getvalue().decode()


# ------------------------------------------------------------------------------------------ birthdays

@pytest.mark.usefixtures("_context")
@pytest.mark.parametrize("written, expected", [
    ("Tue, 22 Dec 2009", "2009-12-22"), ("2009-12-22T00:00:00Z", "2009-12-22"), ("22 décembre 2009", "2009-12-22"),
    ("December 22, 2009", "2009-12-22"), ("22.12.2009", "2009-12-22"), ("12/22/2009", "2009-12-22"),
    ("2009/12/22", "2009-12-22"), ("20091222", "2009-12-22")])
def test_unambiguous_birthdays_are_dates(written, expected):
    p = plan("BDAY:" + written)
    assert p.values["birthday"] == expected
    assert not extras(p, "birthday")


@pytest.mark.usefixtures("_context")
@pytest.mark.parametrize("written", ["--1222", "05/06/2009", "Noël 2009", "1604-12-22"])
def test_other_birthdays_are_kept_as_text_with_their_label(written):
    p = plan("BDAY:" + written)
    assert p.values["birthday"] is None
    assert extras(p, "birthday") == [["birthday", "Anniversaire", written]]
    labelled = plan("item1.BDAY:" + written, "item1.X-ABLabel:Fête")
    assert extras(labelled, "birthday") == [["birthday", "Fête", written]]
