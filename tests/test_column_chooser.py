"""The contacts list's column chooser: hidden columns are remembered for the user (a plain form post without
JavaScript) and not rendered at all: header, cells, a row redrawn alone, an account's contacts."""
import json
import re

from webapp.queries import COLUMN_KEYS
from webapp.services import preferences

from .conftest import HX

URL = "/account/preferences/contacts.hidden_columns"


def _seller(make):
    east = make.entity("Est")
    seller = make.user("COTILLON Marion", role="Responsable commercial", entities=[east])
    aprool = make.client_account("APROOL", entities=[east])
    contact = make.contact(aprool, "BLOU", "Hélène", function="Chef de projet", fax="01 42 68 53 01",
                           mobile="06 12 34 56 78")
    return seller, aprool, contact


def _headers(html: str) -> list[str]:
    head = html.split("<thead>")[1].split("</thead>")[0]
    return re.findall(r'<th scope="col" class="col-([a-z_]+)"', head)


def _chooser(html: str) -> str:
    return re.search(r'<form class="menu column-menu".*?</form>', html, re.S).group(0)


def test_hiding_a_column_without_javascript_is_a_form_post_remembered_for_the_user(client, make, login_as, csrf):
    seller, aprool, contact = _seller(make)
    login_as(seller)
    page = client.get("/contacts?q=blou").get_data(as_text=True)
    assert _headers(page) == list(COLUMN_KEYS)
    form = _chooser(page)
    assert f'action="{URL}"' in form and 'name="next" value="/contacts?q=blou"' in form
    fax = re.search(r'<button type="submit" name="value" value="([^"]*)"[^>]*data-column="fax"[^>]*>', form)
    assert json.loads(fax.group(1).replace("&#34;", '"')) == ["fax"] and 'aria-pressed="true"' in fax.group(0)

    response = client.post(URL, data={"value": '["fax", "mobile"]', "next": "/contacts?q=blou",
                                      "csrf_token": csrf["token"]})
    assert response.status_code == 302 and response.headers["Location"].endswith("/contacts?q=blou")
    page = client.get("/contacts?q=blou").get_data(as_text=True)
    assert _headers(page) == [key for key in COLUMN_KEYS if key not in ("fax", "mobile")]
    for absent in ('data-field="fax"', "01 42 68 53 01", 'data-field="mobile"'):
        assert absent not in page, page[page.find(absent) - 300:page.find(absent) + 100]
    assert re.search(r'data-column="fax"\s+aria-pressed="false"', _chooser(page))
    # The same columns in the results fragment, a row redrawn alone and the account's contacts.
    fragment = client.get("/contacts", headers={**HX, "HX-Target": "results"}).get_data(as_text=True)
    assert "col-fax" not in fragment and 'data-field="fax"' not in fragment
    row = client.get(f"/contacts/{contact.id}/cells/function", headers=HX).get_data(as_text=True)
    assert 'data-field="last_name"' in row and 'data-field="fax"' not in row and 'data-field="mobile"' not in row
    account = client.get(f"/clients/{aprool.id}").get_data(as_text=True)
    assert "col-fax" not in account and "col-last_name" in account

    login_as(make.user("MARTIN Claire", role="Responsable commercial"))  # someone else's choice is not this user's
    assert _headers(client.get("/contacts").get_data(as_text=True)) == list(COLUMN_KEYS)


def test_showing_it_again_with_htmx_answers_204(client, make, login_as, csrf):
    seller, _aprool, _contact = _seller(make)
    login_as(seller)
    client.post(URL, data={"value": '["fax"]', "csrf_token": csrf["token"]}, headers=HX)
    assert "fax" not in _headers(client.get("/contacts").get_data(as_text=True))
    response = client.post(URL, data={"value": "[]", "csrf_token": csrf["token"]}, headers=HX)
    assert response.status_code == 204
    assert _headers(client.get("/contacts").get_data(as_text=True)) == list(COLUMN_KEYS)


def test_unknown_columns_and_hiding_them_all_are_refused_with_a_message(app, client, make, login_as, csrf):
    seller, _aprool, _contact = _seller(make)
    login_as(seller)
    for value in ('["nope"]', '"fax"', "[1]", json.dumps(list(COLUMN_KEYS)), "{}"):
        response = client.post(URL, data={"value": value, "csrf_token": csrf["token"]}, headers=HX)
        assert response.status_code == 422 and "ne peut pas être enregistré" in response.get_data(as_text=True)
    assert _headers(client.get("/contacts").get_data(as_text=True)) == list(COLUMN_KEYS)
    # The last column shown cannot be hidden from the chooser either.
    client.post(URL, data={"value": json.dumps(list(COLUMN_KEYS[1:])), "csrf_token": csrf["token"]}, headers=HX)
    page = client.get("/contacts").get_data(as_text=True)
    assert _headers(page) == ["company"]
    assert re.search(r'data-column="company"\s+aria-pressed="true" disabled', _chooser(page))
    with app.app_context():
        assert preferences.get(seller.id, "contacts.hidden_columns") == list(COLUMN_KEYS[1:])


def test_the_checker_keeps_the_declared_order_and_drops_repeats():
    checker = preferences.PREFERENCES["contacts.hidden_columns"]
    assert checker(["fax", "company", "fax"]) == ["company", "fax"]
    assert checker([]) == []
    assert checker(["fax", None]) is None and checker("fax") is None
