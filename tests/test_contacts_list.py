"""The contacts list over HTTP: full page and results fragment, counts out of band, plurals, pickers."""
import re

import pytest
from sqlalchemy import select

from webapp.extensions import db
from webapp.formatting import deals_summary
from webapp.models import Deal, Opportunity, Proposal, Sector, Skill
from webapp.phones import to_e164

from .conftest import HX, strip_tags

RESULTS = {**HX, "HX-Target": "results"}


@pytest.fixture
def seller(make, login_as):
    east = make.entity("Est")
    user = make.user("COTILLON Marion", entities=[east])
    login_as(user)
    aprool = make.client_account("APROOL", entities=[east], owner=make.user("BERTRAND Nicolas", entities=[east]))
    blou = make.contact(aprool, "BLOU", "Hélène", function="Chef de projet", phone="01.20.35.99.65",
                        phone_e164=to_e164("01.20.35.99.65"), mobile="01010101")
    brie = make.contact(aprool, "BRIE", "Alexandre", function="Consultant", owner_id=user.id)
    other = make.client_account("Ailleurs", entities=[make.entity("Ouest")])
    make.contact(other, "Invisible", "Ivan")
    return {"user": user, "aprool": aprool, "blou": blou, "brie": brie}


def _badge(html):
    return re.search(r'id="contacts-count"[^>]*>([^<]*)<', html).group(1).strip()


def test_full_page_has_title_count_columns_and_rows(client, seller):
    response = client.get("/contacts")
    assert response.status_code == 200 and "<html" in response.text
    text = strip_tags(response.text)
    assert _badge(response.text) == "2"
    headers = re.sub(r"\s*[▲▼]", "", text)
    assert "Société Client affecté à Nom Prénom Fonction Téléphone Mobile Fax Affecté à Affaires" in headers
    assert "APROOL BERTRAND Nicolas BLOU Hélène Chef de projet 01 20 35 99 65 01010101" in text
    assert "Invisible" not in text
    assert f'href="/contacts/{seller["blou"].id}"' in response.text
    assert f'href="/clients/{seller["aprool"].id}"' in response.text
    assert "HX-Request" in response.headers["Vary"]


def test_results_fragment_has_rows_and_out_of_band_count(client, seller):
    response = client.get("/contacts?q=helene", headers=RESULTS)
    assert response.status_code == 200
    assert "<html" not in response.text and 'id="filters"' not in response.text
    assert "BLOU" in response.text and "BRIE" not in response.text
    assert re.search(r'id="contacts-count" hx-swap-oob="true"[^>]*>\s*1\s*<', response.text)
    assert 'id="sort-field" hx-swap-oob="true"' in response.text
    assert re.search(r'<option value="company" selected>', response.text)  # the order the results follow
    assert "HX-Request" in response.headers["Vary"]


def test_same_url_without_htmx_gives_the_whole_screen(client, seller):
    response = client.get("/contacts?q=helene")
    assert "<html" in response.text and 'value="helene"' in response.text and "BRIE" not in response.text


def test_history_restore_and_boosted_requests_get_the_page(client, seller):
    for header in ({"HX-History-Restore-Request": "true"}, {"HX-Boosted": "true"}):
        assert "<html" in client.get("/contacts", headers={**RESULTS, **header}).text


def test_affaires_column_reads_like_the_seed(client, seller, app):
    with app.app_context():
        for _ in range(6):
            db.session.add(Deal(title="Mission", client_id=seller["aprool"].id, contact_id=seller["brie"].id))
        db.session.add(Deal(title="Mission", client_id=seller["aprool"].id, contact_id=seller["blou"].id))
        db.session.add(Opportunity(title="Piste", client_id=seller["aprool"].id, contact_id=seller["blou"].id))
        db.session.add(Proposal(title="Offre", client_id=seller["aprool"].id, contact_id=seller["blou"].id))
        db.session.commit()
    text = strip_tags(client.get("/contacts", headers=RESULTS).text)
    assert "1 opportunité 1 proposition 1 affaire" in text
    assert "0 opportunité 0 proposition 6 affaires" in text


@pytest.mark.parametrize("counts,expected", [
    ((0, 0, 0), "0 opportunité 0 proposition 0 affaire"), ((0, 0, 1), "0 opportunité 0 proposition 1 affaire"),
    ((2, 3, 6), "2 opportunités 3 propositions 6 affaires"),
])
def test_french_plurals(app, counts, expected):
    with app.test_request_context():
        assert deals_summary(*counts) == expected


def test_chips_and_clear_filters(client, seller, app):
    with app.app_context():
        banque = db.session.scalar(db.select(Sector.id).where(Sector.label == "Banque"))
    response = client.get(f"/contacts?q=chef&sector={banque}&assigned=none", headers=RESULTS)
    text = strip_tags(response.text)
    assert "« chef »" in text and "Banque" in text and "Non affecté" in text and "Effacer les filtres" in text
    assert "Aucun contact ne correspond" in text  # APROOL has no sector


def test_empty_result_says_so_and_offers_to_clear(client, seller):
    response = client.get("/contacts?q=nobody-at-all", headers=RESULTS)
    assert "Aucun contact ne correspond à ces critères." in response.text
    assert 'href="/contacts?q="' in response.text


@pytest.mark.parametrize("query", ["sort=unknown", "page=abc", "per_page=1000000000", "sector=xyz",
                                   "q=" + "x" * 10_000, "assigned=-1&client=1e9", "page=99999999999999999999",
                                   "q=%00%27%22<script>", "sort=-"])
def test_hostile_parameters_never_fail(client, seller, query):
    for headers in ({}, RESULTS):
        response = client.get(f"/contacts?{query}", headers=headers)
        assert response.status_code == 200
        assert "<script>" not in response.text.split("</head>")[-1].replace("&lt;script&gt;", "")


def test_sort_links_toggle_and_mark_the_column(client, seller):
    response = client.get("/contacts?sort=last_name", headers=RESULTS)
    assert 'aria-sort="ascending"' in response.text
    assert 'href="/contacts?sort=-last_name"' in response.text
    names = re.findall(r'href="/contacts/\d+">([A-Z]+)<', client.get("/contacts?sort=-last_name", headers=RESULTS).text)
    assert names == ["BRIE", "BLOU"]


def test_pickers_search_and_keep_the_checked_ones(client, seller, app):
    with app.app_context():
        java = db.session.scalar(db.select(Skill.id).where(Skill.label == "Java"))
    response = client.get(f"/contacts/pickers/skill?term=pyth&skill={java}", headers=HX)
    assert response.status_code == 200 and "<html" not in response.text
    assert re.search(rf'value="{java}"[^>]*checked', response.text) and "Python" in response.text
    assert "SAP" not in response.text
    clients = client.get("/contacts/pickers/client?term=aill", headers=HX).text
    assert "Ailleurs" not in clients  # another entity's account is not offered
    assert "APROOL" in client.get("/contacts/pickers/client?term=apr", headers=HX).text
    owners = client.get("/contacts/pickers/assigned?term=bert", headers=HX).text
    assert "BERTRAND Nicolas" in owners and "Non affecté" in owners
    assert client.get("/contacts/pickers/password", headers=HX).status_code == 404


def test_the_list_needs_its_right(client, make, login_as):
    login_as(make.user(role=None))
    assert client.get("/contacts").status_code == 403
    assert client.get("/contacts/pickers/client", headers=HX).status_code == 403


def test_record_of_another_entity_is_404(client, seller, app, make):
    other = make.contact(make.client_account("Secret", entities=[make.entity("Nord")]), "Caché", "Carl")
    assert client.get(f"/contacts/{other.id}").status_code == 404
    assert client.get(f"/clients/{other.client_id}").status_code == 404
    assert client.get(f"/contacts/{seller['blou'].id}").status_code == 200


def test_entity_filter_offers_only_the_users_entities(client, seller):
    assert 'name="entity"' not in client.get("/contacts").text  # nothing checked: read when the filter opens
    html = client.get("/contacts/pickers/entity", headers=HX).text
    assert len(re.findall(r'name="entity" value="\d+"', html)) == 1 and "Ouest" not in html  # another agency's
    [est] = re.findall(r'name="entity" value="(\d+)"', html)
    page = client.get(f"/contacts?entity={est}").text  # checked: the page shows the filter open, its box checked
    assert re.search(rf'<details class="filter" open>.*?name="entity" value="{est}"\s+checked', page, re.S)


def test_a_short_filter_reads_its_choices_when_it_opens(client, seller, app):
    with app.app_context():
        sectors = list(db.session.scalars(select(Sector).where(Sector.active.is_(True))))
    html = client.get("/contacts/pickers/sector?sector=" + str(sectors[0].id), headers=HX).text
    assert len(re.findall(r'name="sector" value="\d+"', html)) == len(sectors)
    assert re.search(rf'name="sector" value="{sectors[0].id}"[^>]*checked', html)
    assert client.get("/contacts/pickers/sector").status_code == 200  # without htmx too


# --- the declared columns drive the screen ---------------------------------------------------------------------------

def _header_links(html):
    """(label, sort href) of each sortable header, in screen order."""
    head = html.split("<thead>")[1].split("</thead>")[0]
    return [(re.sub(r"\s*<span.*", "", label).strip(), href)
            for href, label in re.findall(r'<th scope="col" class="col-[a-z_]+" aria-sort="[a-z]+">\s*<a href="([^"]+)"[^>]*>(.*?)</a>',
                                          head, re.S)]


def test_every_declared_column_heads_the_table_once_in_order_with_its_sort_link(client, seller):
    from webapp.queries import COLUMNS

    links = _header_links(client.get("/contacts?sort=-phone", headers=RESULTS).text)
    assert [label for label, _href in links] == [str(column.label) for column in COLUMNS]
    # ascending on a first click (Société, the default order, needs no parameter); the current one flips
    expected = {column.key: f"/contacts?sort={column.key}" for column in COLUMNS} | {"company": "/contacts?q="}
    assert [href for _label, href in links] == [expected[column.key] for column in COLUMNS]


def test_a_changed_declaration_changes_header_and_cells(client, seller, app, monkeypatch):
    from webapp import queries

    kept = tuple(column for column in reversed(queries.COLUMNS) if column.key not in ("fax", "function"))
    monkeypatch.setattr(queries.ContactQuery, "columns", kept)
    monkeypatch.setitem(app.jinja_env.globals, "contact_columns", kept)
    html = client.get("/contacts?sort=last_name", headers=RESULTS).text
    assert [label for label, _href in _header_links(html)] == [str(column.label) for column in kept]
    row = re.search(rf'<tr id="contact-{seller["blou"].id}".*?</tr>', html, re.S).group(0)
    cells = re.findall(r"<td\b", row)
    assert len(cells) == len(kept) + 2  # the selection box and the actions menu around the declared columns
    text = strip_tags(row)
    assert "Chef de projet" not in text and text.index("BLOU") < text.index("APROOL")


def test_only_editable_columns_open_an_editor(client, seller):
    from webapp.queries import COLUMNS, INLINE_FIELDS

    html = client.get("/contacts", headers=RESULTS).text
    row = re.search(rf'<tr id="contact-{seller["blou"].id}".*?</tr>', html, re.S).group(0)
    editable = re.findall(r'<td data-field="([a-z_]+)"', row)
    assert 'data-cell-url="/contacts/{id}/cells/{field}"' in html
    assert editable == [column.edit_field for column in COLUMNS if column.editable] == list(INLINE_FIELDS)
    for column in COLUMNS:
        if not column.editable:
            assert client.get(f"/contacts/{seller['blou'].id}/cells/{column.key}", headers=HX).status_code == 404
    assert "company" not in INLINE_FIELDS and "deals" not in INLINE_FIELDS


def test_per_page_choices_come_from_the_query(client, seller):
    from webapp.queries import PER_PAGE_CHOICES

    html = client.get("/contacts").text
    select = re.search(r'<select id="per_page".*?</select>', html, re.S).group(0)
    assert re.findall(r'<option value="(\d+)"', select) == [str(n) for n in PER_PAGE_CHOICES]
