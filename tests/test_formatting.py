"""Numbers, amounts and dates in the interface's language (Babel); plurals and toasts that agree."""
import json
import re
from datetime import date
from decimal import Decimal

import pytest

from webapp.extensions import db
from webapp.formatting import local_date, money, number, plural
from webapp.models import Contact, Deal

from .conftest import HX

NNBSP = "\u202f"  # French groups thousands with a narrow no-break space
EN = {"Accept-Language": "en"}


@pytest.fixture
def world(make, login_as):
    east = make.entity("Est")
    seller = login_as(make.user("COTILLON Marion", entities=[east]))
    aprool = make.client_account("APROOL", entities=[east])
    blou = make.contact(aprool, "BLOU", "Hélène", function="Chef de projet")
    return {"seller": seller, "aprool": aprool, "blou": blou}


def _text(html: str) -> str:
    # Not conftest.strip_tags: it turns the no-break spaces this module is about into plain ones.
    return re.sub(r"[ \t\r\n]+", " ", re.sub(r"<[^>]+>", " ", html).replace("&#39;", "'"))


def test_the_filters_follow_the_language(app):
    for language, expected in (("fr", ("1\u202f630", "48\u202f000,00\u00a0€", "01/05/2025", "1\u202f630 contacts",
                                       "1 contact", "0 contact")),
                               ("en", ("1,630", "€48,000.00", "5/1/2025", "1,630 contacts", "1 contact",
                                       "0 contacts"))):
        with app.test_request_context(headers={"Accept-Language": language}):
            assert (number(1630), money(Decimal("48000")), local_date(date(2025, 5, 1)),
                    plural("%(num)s contact", "%(num)s contacts", 1630), plural("%(num)s contact", "%(num)s contacts", 1),
                    plural("%(num)s contact", "%(num)s contacts", 0)) == expected, language
            assert (number(None), money(None), local_date(None)) == ("", "", "")


def test_the_list_counts_with_grouping_in_both_languages(client, app, world):
    with app.app_context():
        for n in range(1029):
            contact = Contact(client_id=world["aprool"].id, last_name=f"Nom{n:04d}", first_name="Jean")
            contact.refresh_keys(company_name="APROOL")
            db.session.add(contact)
        db.session.commit()
    page = client.get("/contacts?per_page=50&page=21")
    assert f"Contacts 1{NNBSP}001 à 1{NNBSP}030 sur 1{NNBSP}030" in _text(page.text)
    assert f">1{NNBSP}030</span>" in page.text  # the count badge
    english = client.get("/contacts?per_page=50&page=21", headers=EN)
    assert "1,001" in _text(english.text) and "1,030" in _text(english.text)
    assert "1 001" not in _text(english.text)


def test_amounts_and_dates_of_the_affaires_in_both_languages(client, app, world):
    with app.app_context():
        db.session.add(Deal(title="Mission SI", amount=Decimal("48000"), signed_date=date(2025, 5, 1),
                            client_id=world["aprool"].id, contact_id=world["blou"].id))
        db.session.commit()
    french = _text(client.get(f"/contacts/{world['blou'].id}/deals").text)
    assert f"48{NNBSP}000,00\u00a0€" in french and "01/05/2025" in french
    english = _text(client.get(f"/contacts/{world['blou'].id}/deals", headers=EN).text)
    assert "€48,000.00" in english and "5/1/2025" in english and "48 000" not in english.replace(NNBSP, " ")


@pytest.mark.parametrize(("field", "value", "message"), [
    ("function", "Directrice", "Fonction enregistrée."),
    ("last_name", "Bleu", "Nom enregistré."),
])
def test_a_saved_cell_says_so_in_agreement(client, csrf, world, field, value, message):
    response = client.post(f"/contacts/{world['blou'].id}/cells/{field}",
                           data={"value": value, "version": str(world["blou"].version)},
                           headers={**HX, "X-CSRFToken": csrf["token"]})
    assert response.status_code == 200
    assert json.loads(response.headers["HX-Trigger"])["toast-shown"]["message"] == message


def test_parameter_messages_agree_with_what_the_list_holds(client, make, login_as, csrf):
    login_as(make.user("ROYER Sébastien", role="Administrateur"))
    for slug, expected in (("skills", "« Rust » a été ajoutée."), ("sectors", "« Rust » a été ajouté.")):
        response = client.post(f"/parameters/{slug}", data={"csrf_token": csrf["token"], "new-label": "Rust"},
                               headers={**HX, "HX-Target": "items"})
        assert json.loads(response.headers["HX-Trigger"])["toast-shown"]["message"] == expected, slug


def test_the_vcard_bar_writes_its_limit_in_the_language(client, world):
    french = _text(client.get("/contacts").text)
    english = _text(client.get("/contacts", headers=EN).text)
    assert f"5{NNBSP}000 fiches" in french and "5,000" in english
