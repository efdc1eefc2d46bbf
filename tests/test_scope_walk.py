"""A salesperson of one entity walks every picker, chip and option list with another entity's ids: no name leaks.

Salespeople themselves are a shared directory (any of them may be given a contact of any entity, as the forms'
"Affecté à" and the bulk reassignment already allow), so their names are not secrets here; accounts and
contacts outside the user's entities are."""
import re

import pytest

from .conftest import HX
from .test_vcard_import import upload

SECRETS = ("ZORGLUB", "Quasimodo", "Esmeralda")


@pytest.fixture
def world(make, login_as):
    """Two entities; the logged-in Commercial sees only the east one, where one account and contact live."""
    east, west = make.entity("Est"), make.entity("Ouest")
    seller = make.user("MARTIN Claire", entities=[east])
    colleague = make.user("WESTMAN Ulysse", entities=[west])
    mine = make.client_account("Alpha Conseil", entities=[east])
    theirs = make.client_account("ZORGLUB Industries", entities=[west], owner=colleague)
    my_contact = make.contact(mine, last_name="Dupont", first_name="Jean", email="jean@alpha.fr")
    their_contact = make.contact(theirs, last_name="Quasimodo", first_name="Esmeralda", owner_id=colleague.id,
                                 email="esmeralda@zorglub.fr")
    login_as(seller)
    return dict(M=my_contact.id, MA=mine.id, T=theirs.id, TC=their_contact.id, U=colleague.id, W=west.id)


# Every GET that lists accounts, contacts or salespeople by name, with the other entity's ids slipped in.
WALK = [
    "/contacts?client={T}",
    "/contacts?client={T}&client={MA}&assigned={U}&entity={W}",
    "/contacts?q=zorg&client={T}",
    "/contacts/pickers/client?client={T}",
    "/contacts/pickers/client?client={T}&term=zorg",
    "/contacts/pickers/client?client={T}&client={MA}&term=",
    "/contacts/pickers/assigned?client={T}&assigned={U}",
    "/contacts/pickers/skill?client={T}",
    "/contacts/pickers/entity?entity={W}&client={T}",
    "/contacts/pickers/sector?client={T}",
    "/contacts/client-options?client_id={T}",
    "/contacts/client-options?client_id={T}&client_search=zorg",
    "/contacts/new?client={T}",
    "/contacts/{M}/edit?client_id={T}",
    "/contacts/{M}/duplicate",
    "/contacts/{M}",
    "/contacts/{M}/row",
    "/contacts/{M}/menu",
    "/contacts/{M}/cells/owner",
    "/contacts/{M}/skills",
    "/contacts/{M}/subscriptions",
    "/contacts/{M}/deals",
    "/contacts/{M}/tasks/new",
    "/contacts/{M}/opportunities/new",
    "/contacts/import/clients?term=zorg",
    "/contacts/import/clients?client-other-1=ZORGLUB",
    "/contacts/import",
    "/clients?q=zorg",
    "/clients",
    "/clients/new",
    "/clients/{MA}/edit",
    "/clients/{MA}?client={T}",
    "/contacts/{TC}",
    "/contacts/{TC}/edit",
    "/contacts/{TC}/row",
    "/contacts/{TC}/cells/owner",
    "/contacts/{TC}/vcard",
    "/clients/{T}",
    "/clients/{T}/edit",
    "/contacts/views?client={T}",
    "/contacts/views/new?client={T}&client={MA}",
]


def assert_no_secret(response):
    assert response.status_code < 500
    text = response.get_data(as_text=True)
    for secret in SECRETS:
        assert secret.lower() not in text.lower(), f"{secret} shown"
    for name, value in response.headers.items():
        assert "zorglub" not in value.lower(), f"{name} names the account"


@pytest.mark.parametrize("path", WALK)
@pytest.mark.parametrize("headers", [{}, HX, {**HX, "HX-Target": "results"}], ids=["page", "htmx", "results"])
def test_no_other_entity_name_anywhere(client, world, path, headers):
    assert_no_secret(client.get(path.format(**world), headers=headers))


def test_bulk_dialogs_name_nothing_of_another_entity(client, world, csrf):
    for action in ("reassign", "mailing-lists", "export"):
        for form in ({"select_across": "1", "query": f"client={world['T']}"}, {"ids": [str(world["TC"])]}):
            for headers in ({}, HX):
                assert_no_secret(client.post(f"/contacts/bulk/{action}/confirm", headers={**headers, **csrf},
                                             data={**form, "csrf_token": csrf["token"]}))


# A CSRF token holds the second it was signed at: two answers a second apart differ by it alone.
TOKEN = re.compile(r"[\w-]{10,}\.[\w-]{6}\.[\w-]{20,}")


def _same_page(first, second) -> bool:
    return TOKEN.sub("TOKEN", first.get_data(as_text=True)) == TOKEN.sub("TOKEN", second.get_data(as_text=True))


def _results(client, query):
    response = client.get(f"/contacts?{query}", headers={**HX, "HX-Target": "results"})
    assert response.status_code == 200
    return response


@pytest.mark.parametrize("kind", ["client", "assigned", "skill"])
def test_a_hidden_account_id_is_dropped_like_an_unknown_id(client, world, kind):
    hidden = _results(client, f"{kind}=999999&client={world['T']}")
    unknown = _results(client, f"{kind}=999999&client=999998")
    assert _same_page(hidden, unknown)
    assert hidden.headers["HX-Push-Url"] == unknown.headers["HX-Push-Url"] == "/contacts?q="
    # Dropped, not kept as a filter giving nothing: the user's own contacts show, with a notice.
    assert "dupont" in hidden.get_data(as_text=True).lower()
    assert re.search(r'class="notice"[^>]*>[^<]*retir', hidden.get_data(as_text=True))


def test_a_hidden_account_beside_a_visible_one_keeps_only_the_visible_chip(client, world):
    page = client.get(f"/contacts?client={world['T']}&client={world['MA']}")
    assert page.status_code == 200
    assert "Alpha Conseil" in page.text and "ZORGLUB" not in page.text


def test_the_client_picker_checks_only_visible_accounts(client, world):
    answer = client.get(f"/contacts/pickers/client?client={world['T']}&client={world['MA']}", headers=HX)
    checked = re.findall(r'value="(\d+)"[^>]*checked', answer.text)
    assert checked == [str(world["MA"])]


def test_the_vcard_preview_offers_no_account_of_another_entity(client, world, csrf):
    card = (b"BEGIN:VCARD\r\nVERSION:3.0\r\nN:Martin;Paul;;;\r\nFN:Paul Martin\r\nORG:Zorglub Industries\r\n"
            b"EMAIL:paul@zorglub.fr\r\nEND:VCARD\r\n"
            # The other entity's contact, by e-mail: a possible duplicate that must not be named.
            b"BEGIN:VCARD\r\nVERSION:3.0\r\nN:Autre;Nom;;;\r\nFN:Nom Autre\r\nEMAIL:esmeralda@zorglub.fr\r\n"
            b"END:VCARD\r\n")
    uploaded = upload(client, csrf, ("cards.vcf", card))
    assert uploaded.status_code in (302, 303)
    preview = client.get(uploaded.headers["Location"])
    assert preview.status_code == 200
    # The card spells the account "Zorglub Industries"; only a match against the stored account would show
    # its own spelling, or its id as a choice.
    assert "ZORGLUB Industries" not in preview.text
    assert f'value="{world["T"]}"' not in preview.text
    assert "quasimodo" not in preview.text.lower() and "pas accès" in preview.text


@pytest.mark.parametrize("headers", [{}, HX], ids=["page", "htmx"])
def test_the_contact_form_sent_with_another_entity_account_names_nothing(client, world, csrf, headers):
    values = {"csrf_token": csrf["token"], "client_id": str(world["T"]), "last_name": "Neuf", "first_name": "Paul",
              "function": "Achats", "email": "esmeralda@zorglub.fr"}
    for path in ("/contacts/new", f"/contacts/{world['M']}/edit"):
        answer = client.post(path, headers={**headers, "X-CSRFToken": csrf["token"]},
                             data={**values, "version": "1"})
        assert answer.status_code == 422
        assert "ce compte client n'existe pas" in answer.get_data(as_text=True).lower().replace("&#39;", "'")
        assert_no_secret_but_typed(answer)


def assert_no_secret_but_typed(response):
    """No secret in the answer, once the e-mail the user typed (echoed back in the form) is left out."""
    text = response.get_data(as_text=True).replace("esmeralda@zorglub.fr", "")
    for secret in SECRETS:
        assert secret.lower() not in text.lower(), f"{secret} shown"
