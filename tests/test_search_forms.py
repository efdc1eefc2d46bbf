"""The list's search finds a phone in any form it is dialled, and a name whatever its apostrophes, hyphens and
inner spaces (issue 13, "Search"); the same on SQLite and PostgreSQL, and for the rows stored before 0008."""
import html

import pytest
from alembic import command
from sqlalchemy import update

from webapp.extensions import db
from webapp.models import Contact

from .conftest import HX, strip_tags

RESULTS = {**HX, "HX-Target": "results"}
PHONE_FORMS = ["0142685300", "01 42 68 53 00", "+33142685300", "+33 1 42 68 53 00", "01.42.68.53.00",
               "+33 (0)1 42 68 53 00", "0033 1 42 68 53 00", "42 68 53"]
NAME_FORMS = ["darcy", "d'arcy", "D’Arcy", "D'ARCY", "mariehelene", "marie helene", "Marie-Hélène", "MARIE HELENE"]


@pytest.fixture
def people(make, login_as):
    login_as(make.user("ADMIN Alice", role="Administrateur"))
    account = make.client_account("L'Oréal")
    return {
        # Stored in its international form, shown "01 42 68 53 00" by the list.
        "darcy": make.contact(account, "D'ARCY", "Marie-Hélène", function="Chef de projet", phone="+33 1 42 68 53 00"),
        # The typographic apostrophe and a space instead of a hyphen, stored that way.
        "typo": make.contact(account, "D’Arcy", "Marie Hélène", mobile="06 25 34 12 57"),
        "other": make.contact(account, "DARROW", "Hélène", phone="01 42 68 99 99"),
    }


def _found(client, q) -> set[str]:
    response = client.get("/contacts", query_string={"q": q}, headers=RESULTS)
    assert response.status_code == 200
    text = html.unescape(strip_tags(response.text)).upper()  # the list may show last names in capitals
    return {name for name in ("D'ARCY", "D’Arcy", "DARROW") if name.upper() in text}


@pytest.mark.parametrize("q", PHONE_FORMS)
def test_a_number_stored_internationally_is_found_in_every_form_it_is_typed(client, people, q):
    assert _found(client, q) == {"D'ARCY"}


@pytest.mark.parametrize("q", ["06 25 34 12 57", "0625341257", "+33625341257", "+33 6 25 34 12 57"])
def test_a_number_stored_nationally_is_found_in_its_international_forms_too(client, people, q):
    assert _found(client, q) == {"D’Arcy"}


@pytest.mark.parametrize("q", NAME_FORMS)
def test_apostrophes_hyphens_and_inner_spaces_of_names_are_ignored(client, people, q):
    assert _found(client, q) == {"D'ARCY", "D’Arcy"}


@pytest.mark.parametrize("q", ["loreal", "l'oréal", "L’Oréal darcy"])
def test_the_company_name_is_found_without_its_apostrophe(client, people, q):
    assert {"D'ARCY", "D’Arcy"} <= _found(client, q)


def test_a_search_still_needs_every_word(client, people):
    assert _found(client, "darcy 0142689999") == set()
    assert _found(client, "helene 0142689999") == {"DARROW"}
    assert _found(client, "darcx") == set()


def test_the_migration_recomputes_the_search_text_of_stored_contacts(app, client, people):
    with app.app_context():
        config = app.extensions["migrate"].migrate.get_config()
        command.downgrade(config, "0007")
        # What the search text held before 0008: typed and E.164 digits, the apostrophes and hyphens kept.
        db.session.execute(update(Contact).where(Contact.id == people["darcy"].id)
                           .values(search_text="d'arcy marie-helene l'oreal chef de projet 33142685300"))
        db.session.commit()
    assert _found(client, "0142685300") == set()
    with app.app_context():
        command.upgrade(config, "head")
    assert _found(client, "0142685300") == {"D'ARCY"}
    assert _found(client, "mariehelene") == {"D'ARCY", "D’Arcy"}
