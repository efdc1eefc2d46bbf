"""Saved views of the contacts list (issue 13): built-in views, views saved from the filters and sort, private or
shared with the owner's entities, their counts, the default view the bare list opens, rename and delete by the
owner only, CSRF, escaping; on SQLite and PostgreSQL."""
import json
import re
from html import unescape

import pytest
from sqlalchemy import select

from webapp.extensions import db
from webapp.models import SavedView
from webapp.services import saved_views
from webapp.unit_of_work import unit_of_work

from .conftest import HX, strip_tags

MENU = {**HX, "HX-Target": "view-menu"}


@pytest.fixture
def office(make, login_as):
    """Two entities; Marion (east) owns contacts, one contact has no owner; Ulysse works in the west."""
    east, west = make.entity("Est"), make.entity("Ouest")
    marion = make.user("COTILLON Marion", entities=[east])
    colleague = make.user("BOLESE Géraldine", entities=[east])
    ulysse = make.user("WESTMAN Ulysse", entities=[west])
    aprool = make.client_account("APROOL", entities=[east])
    make.contact(aprool, "BRIE", "Alexandre", function="DSI", owner_id=marion.id)
    make.contact(aprool, "BLOU", "Hélène", function="Acheteuse", owner_id=marion.id)
    make.contact(aprool, "DURAND", "Paul", function="DAF")
    make.contact(aprool, "MARTIN", "Lucie", function="DSI", owner_id=colleague.id)
    login_as(marion)
    return dict(east=east, west=west, marion=marion, colleague=colleague, ulysse=ulysse, aprool=aprool)


def _save(client, csrf, name, query, shared=False, htmx=True):
    data = {"name": name, "query": query, "csrf_token": csrf["token"]}
    if shared:
        data["shared"] = "y"
    return client.post("/contacts/views/new", data=data, headers=HX if htmx else {})


def _views(app):
    with app.app_context():
        return db.session.scalars(select(SavedView).order_by(SavedView.id)).all()


def test_the_switcher_names_the_current_view_and_lists_the_built_in_ones(client, office):
    page = client.get("/contacts?q=").text
    switcher = re.search(r'<details class="row-menu view-switcher".*?</details>', page, re.S).group(0)
    assert 'id="view-name"' in switcher and "Tous les contacts" in strip_tags(switcher).split("▼")[0]
    for label in ("Tous les contacts", "Mes contacts", "Non affectés", "Enregistrer la vue actuelle…",
                  "Gérer les vues"):
        assert label in strip_tags(switcher), label
    assert f'href="/contacts?assigned={office["marion"].id}"' in switcher
    assert 'href="/contacts?assigned=none"' in switcher and 'href="/contacts?q="' in switcher
    mine = client.get(f"/contacts?assigned={office['marion'].id}").text
    assert strip_tags(re.search(r'<span id="view-name"[^>]*>(.*?)</span>', mine).group(1)) == "Mes contacts"
    assert 'hx-trigger="toggle once from:#view-switcher, view-needed once"' in mine  # counts load on opening
    other = client.get("/contacts?q=dsi").text
    assert re.search(r'<span id="view-name"[^>]*>\s*Vue non enregistrée', other)


def test_the_counts_load_with_the_menu_in_one_counting_statement(client, office, app):
    from sqlalchemy import event

    statements = []
    with app.app_context():
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            menu = client.get("/contacts/views?q=", headers=MENU)
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
    assert menu.status_code == 200 and "<html" not in menu.text
    counts = dict(re.findall(r'<span class="view-name">([^<]+)</span>.*?<span class="view-count">([^<]+)</span>',
                             menu.text, re.S))
    assert counts == {"Tous les contacts": "4", "Mes contacts": "2", "Non affectés": "1"}
    assert sum("count(" in sql.lower() for sql in statements) == 1
    assert menu.headers["Vary"] and "HX-Request" in menu.headers["Vary"]


def test_save_a_view_from_the_filters_and_sort_then_open_it(client, csrf, office, app):
    form = client.get("/contacts/views/new?q=dsi&sort=-last_name&page=3&per_page=20", headers={
        **HX, "HX-Target": "dialog-slot"})
    assert form.status_code == 200 and form.text.lstrip().startswith("<dialog")
    assert 'name="query"' in form.text and "Partager avec les utilisateurs de mes entités" in form.text
    query = unescape(re.search(r'name="query" type="hidden" value="([^"]*)"', form.text).group(1))
    saved = _save(client, csrf, "Les DSI", query)
    assert saved.status_code == 200 and saved.headers["HX-Redirect"] == "/contacts?q=dsi&sort=-last_name"
    [view] = _views(app)
    assert (view.name, view.query, view.shared, view.owner_id) == ("Les DSI", "q=dsi&sort=-last_name", False,
                                                                    office["marion"].id)
    page = client.get(saved.headers["HX-Redirect"]).text
    assert "Vue « Les DSI » enregistrée." in unescape(page)
    # The page reads no saved view: the menu (with the name of the view the URL shows) loads at once.
    assert re.search(r'id="view-menu" hx-get="/contacts/views\?q=dsi&amp;sort=-last_name"\s+hx-trigger="load', page)
    menu = client.get("/contacts/views?q=dsi&sort=-last_name", headers=MENU).text
    assert re.search(r'aria-current="true">\s*<span class="view-name">Les DSI</span>', menu)
    assert re.search(r'Les DSI</span>\s*<span class="view-count">2</span>', menu)


def test_bad_names_are_refused_where_the_user_looks_and_nothing_is_lost(client, csrf, office, app):
    for name, message in (("   ", "Donnez un nom à la vue."), ("x" * 81, "80 caractères au plus")):
        response = _save(client, csrf, name, "q=dsi")
        assert response.status_code == 422 and message in unescape(response.text), name
        assert 'value="q=dsi"' in response.text
    assert _save(client, csrf, "Les DSI", "q=dsi").status_code == 200
    again = _save(client, csrf, " Les DSI ", "q=acheteuse")
    assert again.status_code == 422 and "Vous avez déjà une vue de ce nom." in unescape(again.text)
    assert [v.name for v in _views(app)] == ["Les DSI"]


def test_a_name_is_escaped_everywhere_it_shows(client, csrf, office):
    assert _save(client, csrf, '<img src=x onerror=alert(1)> & "co"', "q=dsi").status_code == 200
    for url, headers in (("/contacts?q=dsi", {}), ("/contacts/views?q=dsi", MENU), ("/contacts/views", {})):
        html = client.get(url, headers=headers).text
        assert "<img src=x" not in html and "&lt;img src=x onerror=alert(1)&gt; &amp; &#34;co&#34;" in html, url


def test_a_shared_view_is_seen_only_by_users_of_its_entities(client, csrf, office, login_as, app):
    assert _save(client, csrf, "Partagée DSI", "q=dsi", shared=True).status_code == 200
    assert _save(client, csrf, "Privée", "q=daf").status_code == 200
    shared, private = _views(app)
    login_as(office["colleague"])  # same entity
    menu = client.get("/contacts/views?q=", headers=MENU).text
    assert "Partagée DSI" in menu and "Partagée par COTILLON Marion" in menu and "Privée" not in menu
    assert client.get(f"/contacts?{shared.query}").status_code == 200
    login_as(office["ulysse"])  # another entity
    for url, headers in (("/contacts/views?q=", MENU), ("/contacts/views", {}), ("/contacts?q=", {})):
        html = client.get(url, headers=headers).text
        assert "Partagée DSI" not in html and "Privée" not in html, url
    with app.app_context():
        user = db.session.get(type(office["ulysse"]), office["ulysse"].id)
        assert saved_views.visible_view(user, shared.id) is None and saved_views.visible_view(user, private.id) is None


def test_only_the_owner_renames_or_deletes(client, csrf, office, login_as, app):
    assert _save(client, csrf, "Partagée DSI", "q=dsi", shared=True).status_code == 200
    [view] = _views(app)
    login_as(office["colleague"])
    token = {"csrf_token": csrf["token"]}
    assert client.post(f"/contacts/views/{view.id}/rename", data={**token, "name": "Piratée"}).status_code == 404
    assert client.post(f"/contacts/views/{view.id}/delete", data=token).status_code == 404
    assert "Renommer" not in client.get("/contacts/views").text
    login_as(office["marion"])
    renamed = client.post(f"/contacts/views/{view.id}/rename", data={**token, "name": "DSI de l'Est"})
    assert renamed.status_code == 303 and renamed.headers["Location"] == "/contacts/views"
    assert _views(app)[0].name == "DSI de l'Est"
    empty = client.post(f"/contacts/views/{view.id}/rename", data={**token, "name": ""})
    assert empty.status_code == 422 and "Donnez un nom à la vue." in unescape(empty.text)
    assert client.post(f"/contacts/views/{view.id}/delete", data=token).status_code == 303
    assert _views(app) == []


def test_writes_without_a_csrf_token_are_refused(client, csrf, office, app):
    assert client.post("/contacts/views/new", data={"name": "Sans jeton", "query": "q=dsi"}).status_code == 400
    assert _save(client, csrf, "Avec jeton", "q=dsi").status_code == 200
    [view] = _views(app)
    assert client.post(f"/contacts/views/{view.id}/rename", data={"name": "x"}).status_code == 400
    assert client.post(f"/contacts/views/{view.id}/delete").status_code == 400
    assert client.post("/account/preferences/contacts.default_view", data={"value": '"mine"'}).status_code == 400
    assert [v.name for v in _views(app)] == ["Avec jeton"]


def test_the_bare_list_opens_the_default_view_and_all_stays_reachable(client, csrf, office, app):
    assert client.get("/contacts").status_code == 200  # no choice yet: Tous les contacts, as before
    chosen = client.post("/account/preferences/contacts.default_view",
                         data={"value": '"mine"', "next": "/contacts/views", "csrf_token": csrf["token"]})
    assert chosen.status_code == 302
    bare = client.get("/contacts")
    assert bare.status_code == 302 and bare.headers["Location"] == f"/contacts?assigned={office['marion'].id}"
    everything = client.get("/contacts?q=")
    assert everything.status_code == 200 and "DURAND" in everything.text and "MARTIN" in everything.text
    assert 'href="/contacts?q="' in client.get("/contacts?assigned=none").text  # a chip's "Effacer les filtres"
    assert _save(client, csrf, "Sans affectation", "assigned=none&sort=function").status_code == 200
    [view] = _views(app)
    client.post("/account/preferences/contacts.default_view",
                data={"value": json.dumps(f"view:{view.id}"), "csrf_token": csrf["token"]})
    assert client.get("/contacts").headers["Location"] == "/contacts?assigned=none&sort=function"
    page = client.get("/contacts/views").text
    assert re.search(r'Sans affectation</a></th>.*?Vue par défaut', page, re.S)
    client.post(f"/contacts/views/{view.id}/delete", data={"csrf_token": csrf["token"]})
    assert client.get("/contacts").status_code == 200  # the default is gone: Tous les contacts
    refused = client.post("/account/preferences/contacts.default_view",
                          data={"value": '"view:abc"', "csrf_token": csrf["token"]})
    assert refused.status_code == 422


def test_a_view_keeps_no_id_the_user_may_not_see(client, csrf, office, make, app):
    hidden = make.client_account("ZORGLUB", entities=[office["west"]])
    assert _save(client, csrf, "Mélange", f"client={hidden.id}&client={office['aprool'].id}&q=dsi").status_code == 200
    [view] = _views(app)
    assert view.query == f"q=dsi&client={office['aprool'].id}"
    assert "ZORGLUB" not in client.get("/contacts/views").text


def test_shared_without_any_entity_is_refused(client, csrf, make, login_as):
    login_as(make.user("SANS Entité", role="Responsable commercial"))
    response = _save(client, csrf, "Pour tous", "q=dsi", shared=True)
    assert response.status_code == 422 and "aucune entité" in unescape(response.text)


def test_the_service_counts_each_view(app, office):
    with app.app_context(), unit_of_work():
        marion = db.session.get(type(office["marion"]), office["marion"].id)
        saved_views.save_view(marion, "DSI", "q=dsi", shared=False)
        views = saved_views.views_for(marion)
        assert [v.key for v in views][:3] == ["all", "mine", "unassigned"]
        counts = saved_views.counts(marion, views)
        assert [counts[v.key] for v in views] == [(4, False), (2, False), (1, False), (2, False)]


def test_deleting_a_view_asks_first(client, csrf, office, login_as, app):
    assert _save(client, csrf, "Prospects de Lyon", "q=lyon", shared=True).status_code == 200
    [view] = _views(app)
    for headers in ({}, {**HX, "HX-Target": "dialog-slot"}):
        asked = client.get(f"/contacts/views/{view.id}/delete", headers=headers)
        assert asked.status_code == 200
        assert "Supprimer la vue « Prospects de Lyon » ?" in unescape(asked.text)
        assert "ne la verront plus" in asked.text  # it is shared: the colleagues lose it too
        assert ('<dialog class="dialog" aria-labelledby="view-delete-title"' in asked.text) == bool(headers)
    assert len(_views(app)) == 1  # asking deleted nothing
    login_as(office["colleague"])
    assert client.get(f"/contacts/views/{view.id}/delete").status_code == 404  # not hers to delete
    login_as(office["marion"])
    page = client.get("/contacts/views").text
    assert f'href="/contacts/views/{view.id}/delete"' in page and f'action="/contacts/views/{view.id}/delete"' not in page
    assert client.post(f"/contacts/views/{view.id}/delete", data={"csrf_token": csrf["token"]}).status_code == 303
    assert _views(app) == []
