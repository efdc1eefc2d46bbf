"""The filter panel folds away and opens again, remembered per user: a plain form post without JavaScript, read
with the user (no statement of its own); its button carries the number of active filters."""
import re

from sqlalchemy import event

from webapp.extensions import db
from webapp.services import preferences

from .conftest import HX

URL = "/account/preferences/contacts.filters_folded"


def _seller(make):
    east = make.entity("Est")
    seller = make.user("COTILLON Marion", entities=[east])
    aprool = make.client_account("APROOL", entities=[east])
    make.contact(aprool, "BLOU", "Hélène", function="Chef de projet")
    return seller


def _layout_classes(html: str) -> list[str]:
    return re.search(r'<div class="([^"]*)" id="list-layout">', html).group(1).split()


def _fold_form(html: str) -> str:
    return re.search(r'<form id="filters-fold".*?</form>', html, re.S).group(0)


def test_folding_without_javascript_is_a_form_post_remembered_for_the_user(client, make, login_as, csrf):
    other = make.user("DURAND Paul")
    login_as(_seller(make))
    page = client.get("/contacts?q=blou").get_data(as_text=True)
    assert "filters-folded" not in _layout_classes(page)
    form = _fold_form(page)
    assert 'action="/account/preferences/contacts.filters_folded"' in form
    assert 'name="value" value="true"' in form and 'aria-expanded="true"' in form
    assert 'name="next" value="/contacts?q=blou"' in form

    response = client.post(URL, data={"value": "true", "next": "/contacts?q=blou", "csrf_token": csrf["token"]})
    assert response.status_code == 302 and response.headers["Location"].endswith("/contacts?q=blou")
    page = client.get("/contacts?q=blou").get_data(as_text=True)
    assert "filters-folded" in _layout_classes(page)
    form = _fold_form(page)
    assert 'name="value" value="false"' in form and 'aria-expanded="false"' in form
    assert re.search(r'<input[^>]*name="q"[^>]*value="blou"', page)  # the folded filters still carry the search

    client.post(URL, data={"value": "false", "csrf_token": csrf["token"]}, headers=HX)
    assert "filters-folded" not in _layout_classes(client.get("/contacts").get_data(as_text=True))

    login_as(other)  # someone else's choice is not this user's
    client.post(URL, data={"value": "true", "csrf_token": csrf["token"]}, headers=HX)
    login_as(make.user("MARTIN Claire"))
    assert "filters-folded" not in _layout_classes(client.get("/contacts").get_data(as_text=True))


def test_the_button_counts_the_active_filters_and_the_results_update_it(client, make, login_as):
    login_as(_seller(make))
    page = client.get("/contacts").get_data(as_text=True)
    assert re.search(r'<span class="filter-count" id="filters-count"></span>', page)
    page = client.get("/contacts?q=blou&active=all").get_data(as_text=True)
    assert re.search(r'id="filters-count">2<span class="visually-hidden"> filtres actifs</span>', page)
    fragment = client.get("/contacts?q=blou", headers={**HX, "HX-Target": "results"}).get_data(as_text=True)
    assert re.search(r'id="filters-count" hx-swap-oob="true">1<span class="visually-hidden"> filtre actif</span>',
                     fragment)


def test_the_preference_comes_with_the_user_in_the_same_statement(app, client, make, login_as, csrf):
    """Reading the folded state adds no statement to the page: it is loaded with the user and the session."""
    seller = login_as(_seller(make))

    def statements_of_the_page():
        seen = []

        def count(_connection, _cursor, statement, *_args):
            seen.append(statement)

        with app.app_context():
            event.listen(db.engine, "before_cursor_execute", count)
        try:
            assert client.get("/contacts").status_code == 200
        finally:
            with app.app_context():
                event.remove(db.engine, "before_cursor_execute", count)
        return seen

    before = statements_of_the_page()
    client.post(URL, data={"value": "true", "csrf_token": csrf["token"]}, headers=HX)
    after = statements_of_the_page()
    assert len(after) == len(before)
    assert not any("FROM user_preference" in s and "user_session" not in s for s in after)
    with app.app_context():
        assert preferences.get(seller.id, "contacts.filters_folded") is True
