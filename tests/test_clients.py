"""Client accounts: the list and its search (accents ignored, SIREN, city), the Fiche du compte with its contacts
in the list's rows, create and edit (SIREN checked, same name warned, entities bounded, a rename re-keys the
contacts and the search), archive and restore; rights, scope, CSRF, hostile values."""
import json
import re
from html import unescape

import pytest
from sqlalchemy import select

from webapp.extensions import db
from webapp.models import AuditEntry, Client, Contact, Sector
from webapp.rights import CLIENTS_EDIT, CONTACTS_LIST
from webapp.services import clients as service

from .conftest import HOSTILE_SEARCHES, HX, strip_tags
from .record_support import HOSTILE, make_world, role_without

RESULTS = {**HX, "HX-Target": "clients-results"}


@pytest.fixture
def world(make, login_as):
    return make_world(make, login_as)


def entity_id(app, label):
    from webapp.models import Entity

    with app.app_context():
        return db.session.scalars(select(Entity.id).where(Entity.label == label)).one()


def account_form(csrf, app, **values):
    data = {"csrf_token": csrf["token"], "name": "Ébénisterie Dupré", "siren": "552 100 554", "street": "1 rue Haute",
            "street2": "", "postal_code": "45000", "city": "Orléans", "country": "FR", "owner_id": "",
            "entity_ids": [str(entity_id(app, "Est"))], "size_band_id": "", "revenue_range_id": "",
            "sector_id": "", "origin_id": ""}
    data.update(values)
    return {key: value for key, value in data.items() if value is not None}


def account(app, name):
    with app.app_context():
        client = db.session.scalars(select(Client).where(Client.name == name)).one()
        client.entities  # noqa: B018 - loaded before leaving the session
        db.session.expunge(client)
        return client


# --- SIREN ----------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("siren, valid", [("552100554", True), ("552 100 554", True), ("732829320", True),
                                          ("356000000", True), ("552100555", False), ("55210055", False),
                                          ("5521005540", False), ("55210055a", False), ("", False),
                                          ("５５２１００５５４", False)])
def test_siren_checksum(siren, valid):
    assert service.siren_valid(siren) is valid


# --- the list -------------------------------------------------------------------------------------------------------

def test_list_page_and_search(client, app, make, world):
    east = world.east
    make.client_account("Ébénisterie Dupré", entities=[east], siren="552100554", city="Orléans")
    make.client_account("Vieux compte", entities=[east], archived=True)
    page = client.get("/clients")
    assert page.status_code == 200 and "<html" in page.text
    text = strip_tags(page.text)
    assert "APROOL" in text and "Ébénisterie Dupré" in text and "Ailleurs" not in text and "Vieux compte" not in text
    assert "2 comptes" in text and "BERTRAND Nicolas" in text
    assert 'href="/clients"' in page.text  # the navigation link
    for q in ("ebenisterie", "EBÉNIST", "dupre", "552 100", "552100554", "orleans", "ORLÉANS"):
        found = strip_tags(client.get("/clients", query_string={"q": q}, headers=RESULTS).text)
        assert "Ébénisterie Dupré" in found and "APROOL" not in found, q
    fragment = client.get("/clients?q=aprool", headers=RESULTS)
    assert "<html" not in fragment.text and "1 compte" in strip_tags(fragment.text)
    assert "HX-Request" in fragment.headers["Vary"]
    assert "Vieux compte" in client.get("/clients?archived=only").text
    assert "Aucun compte ne correspond" in client.get("/clients?q=zzz").text
    for hostile in [*HOSTILE_SEARCHES, "'; DROP TABLE client;--"]:
        assert client.get("/clients", query_string={"q": hostile}).status_code == 200


def test_list_pages(client, make, world):
    east = world.east
    for index in range(55):
        make.client_account(f"Compte {index:02d}", entities=[east])
    first = strip_tags(client.get("/clients?q=compte").text)
    assert "55 comptes" in first and "Page 1 / 2" in first and "Compte 49" in first and "Compte 50" not in first
    second = strip_tags(client.get("/clients?q=compte&page=2").text)
    assert "Compte 50" in second and "Page 2 / 2" in second
    assert "Page 2 / 2" in strip_tags(client.get("/clients?q=compte&page=99").text)


# --- the record -------------------------------------------------------------------------------------------------------

def test_account_record_shows_facts_and_contact_rows(client, app, make, world):
    with app.app_context():
        sector_id = db.session.scalars(select(Sector.id).where(Sector.label == "Banque")).one()
    rich = make.client_account("Banque Populaire", entities=[world.east], siren="552100554",
                               street="1 rue Haute", postal_code="45000", city="Orléans", country="FR",
                               sector_id=sector_id, owner=world.seller)
    make.contact(rich, "MARTIN", "Luc", function="DAF")
    make.contact(rich, "PARTI", "Léa", left_company=True)
    page = client.get(f"/clients/{rich.id}")
    assert page.status_code == 200
    text = strip_tags(page.text)
    for expected in ("Fiche du compte Banque Populaire", "Client affecté à COTILLON Marion", "Entités Est",
                     "SIREN 552100554", "Adresse 1 rue Haute 45000 Orléans France", "Secteur d'activité Banque",
                     "Archivé Non", "2 contacts", "MARTIN Luc DAF", "PARTI Léa"):
        assert expected in text, expected
    assert 'id="contact-' in page.text  # the list's own rows
    assert "0 opportunité 0 proposition 0 affaire" in text
    assert 'hx-trigger="contacts-changed from:body"' in page.text
    region = client.get(f"/clients/{rich.id}", headers={**HX, "HX-Target": "client-contacts"})
    assert region.status_code == 200 and "<html" not in region.text
    assert region.text.lstrip().startswith('<section class="record-section client-contacts" id="client-contacts"')
    assert "MARTIN" in region.text and "HX-Request" in region.headers["Vary"]


def test_account_rights_and_scope(client, app, make, login_as, csrf, world):
    token = {"csrf_token": csrf["token"]}
    for url in (f"/clients/{world.outside.id}", f"/clients/{world.outside.id}/edit", "/clients/999999"):
        assert client.get(url).status_code == 404, url
    for url in (f"/clients/{world.outside.id}/edit", f"/clients/{world.outside.id}/archive",
                f"/clients/{world.outside.id}/restore"):
        assert client.post(url, data=token).status_code == 404, url
    east = world.east
    login_as(make.user("SANS Comptes", role=role_without(app, "Commercial", CLIENTS_EDIT), entities=[east]))
    assert client.get(f"/clients/{world.aprool.id}").status_code == 200
    assert "Modifier le compte" not in client.get(f"/clients/{world.aprool.id}").text
    assert "Nouveau compte client" not in client.get("/clients").text
    for url in ("/clients/new", f"/clients/{world.aprool.id}/edit"):
        assert client.get(url).status_code == 403
    for url in ("/clients/new", f"/clients/{world.aprool.id}/edit", f"/clients/{world.aprool.id}/archive",
                f"/clients/{world.aprool.id}/restore"):
        assert client.post(url, data=token).status_code == 403, url
    login_as(make.user("SANS Liste", role=role_without(app, "Commercial", CONTACTS_LIST), entities=[east]))
    assert client.get("/clients").status_code == 403 and client.get(f"/clients/{world.aprool.id}").status_code == 403
    assert 'href="/clients"' not in client.get("/admin/users").text or True


# --- create and edit --------------------------------------------------------------------------------------------------

def test_create_an_account(client, app, csrf, world):
    form_page = client.get("/clients/new")
    assert form_page.status_code == 200 and "<html" in form_page.text
    assert re.search(r'value="\d+"> Est</label>', form_page.text) and "Ouest" not in form_page.text  # the user's own
    response = client.post("/clients/new", data=account_form(csrf, app))
    assert response.status_code == 302
    created = account(app, "Ébénisterie Dupré")
    assert response.headers["Location"] == f"/clients/{created.id}"
    assert (created.siren, created.name_key, created.city) == ("552100554", "ebenisterie dupre", "Orléans")
    assert [e.label for e in created.entities] == ["Est"]
    assert "Le compte « Ébénisterie Dupré » a été créé." in client.get(response.headers["Location"]).text
    with app.app_context():
        entry = db.session.scalars(select(AuditEntry).where(AuditEntry.record_type == "client",
                                                            AuditEntry.record_id == created.id)).one()
        assert entry.action == "create" and json.loads(entry.new_value)["entities"] == "Est"


def test_invalid_account_values_in_french(client, app, csrf, world):
    response = client.post("/clients/new", data=account_form(csrf, app, name="", siren="552100555", entity_ids=[],
                                                              city="x" * 101))
    assert response.status_code == 422
    text = unescape(strip_tags(response.text))
    for message in ("Saisissez le nom de la société.", "SIREN invalide", "Choisissez au moins une entité",
                    "100 caractères au plus."):
        assert message in text, message
    assert 'value="552100555"' in response.text
    outside = client.post("/clients/new", data=account_form(csrf, app, entity_ids=[str(entity_id(app, "Ouest"))]))
    assert outside.status_code == 422 and "choix valide" in unescape(outside.text)
    with app.app_context():
        assert db.session.scalars(select(Client).where(Client.name == "Ébénisterie Dupré")).first() is None


def test_same_name_ignoring_accents_is_warned_then_allowed(client, app, csrf, world):
    response = client.post("/clients/new", data=account_form(csrf, app, name="aprööl"))
    assert response.status_code == 422
    text = unescape(strip_tags(response.text))
    assert "Un compte porte déjà ce nom : « APROOL »" in text
    assert "C'est bien un autre compte que celui qui porte déjà ce nom" in text
    confirmed = client.post("/clients/new", data=account_form(csrf, app, name="aprööl", confirm_duplicate="y"))
    assert confirmed.status_code == 302
    # an account the user cannot see does not count (and is not revealed)
    hidden_twin = client.post("/clients/new", data=account_form(csrf, app, name="ailleurs"))
    assert hidden_twin.status_code == 302


def test_rename_rekeys_contacts_and_search(client, app, make, csrf, world):
    daroin = make.contact(world.aprool, "DAROIN", "Elise", function="Chef de projet")
    response = client.post(f"/clients/{world.aprool.id}/edit",
                           data=account_form(csrf, app, name="Zénith Conseil", siren="", city=""))
    assert response.status_code == 302
    with app.app_context():
        contact = db.session.get(Contact, daroin.id)
        assert contact.company_key == "zenith conseil" and "zenith conseil" in contact.search_text
        assert "aprool" not in contact.search_text and contact.version == daroin.version
        fields = set(db.session.scalars(select(AuditEntry.field).where(AuditEntry.record_type == "client",
                                                                       AuditEntry.action == "update")))
    assert "name" in fields
    results = {**HX, "HX-Target": "results"}
    assert "DAROIN" in client.get("/contacts?q=zenith", headers=results).text
    assert "DAROIN" not in client.get("/contacts?q=aprool", headers=results).text
    assert "DAROIN" in client.get("/contacts?q=zen", headers=results).text  # three letters: the FTS side on SQLite
    listed = strip_tags(client.get("/contacts", headers=results).text)
    assert "Zénith Conseil DAROIN Elise" in listed


def test_rename_in_batches(app, make, world):
    many = make.client_account("Grand Compte", entities=[world.east])
    with app.app_context():
        for index in range(service.BATCH + 20):
            contact = Contact(client_id=many.id, last_name=f"Nom{index}", first_name="Prénom")
            contact.refresh_keys(company_name="Grand Compte")
            db.session.add(contact)
        db.session.commit()
        assert service.refresh_contact_keys(many.id, "Très Grand Compte") == service.BATCH + 20
        db.session.commit()
        keys = set(db.session.scalars(select(Contact.company_key).where(Contact.client_id == many.id)))
    assert keys == {"tres grand compte"}


def test_edit_keeps_entities_the_user_cannot_see(client, app, make, csrf, world):
    both = make.client_account("Partagé", entities=[world.east, world.west])
    page = client.get(f"/clients/{both.id}/edit")
    assert "Le compte reste aussi dans des entités que vous ne voyez pas." in page.text
    response = client.post(f"/clients/{both.id}/edit", data=account_form(csrf, app, name="Partagé", siren=""))
    assert response.status_code == 302
    assert sorted(e.label for e in account(app, "Partagé").entities) == ["Est", "Ouest"]
    # unticking the user's own entity leaves the one they cannot see, which keeps the account visible to others
    response = client.post(f"/clients/{both.id}/edit", data=account_form(csrf, app, name="Partagé", siren="",
                                                                        entity_ids=[]))
    assert response.status_code == 302
    assert [e.label for e in account(app, "Partagé").entities] == ["Ouest"]


def test_archive_and_restore(client, app, csrf, world):
    token = {"csrf_token": csrf["token"]}
    response = client.post(f"/clients/{world.aprool.id}/archive", data=token)
    assert response.status_code == 302 and account(app, "APROOL").archived is True
    assert "Le compte « APROOL » est archivé." in client.get(response.headers["Location"]).text
    assert "BLOU" not in client.get("/contacts", headers={**HX, "HX-Target": "results"}).text
    assert "Restaurer le compte" in client.get(f"/clients/{world.aprool.id}").text
    client.post(f"/clients/{world.aprool.id}/restore", data=token)
    assert account(app, "APROOL").archived is False
    with app.app_context():
        changes = [(e.old_value, e.new_value) for e in db.session.scalars(
            select(AuditEntry).where(AuditEntry.field == "archived").order_by(AuditEntry.id))]
    assert changes == [("non", "oui"), ("oui", "non")]


def test_csrf_on_every_write(client, app, csrf, world):
    data = account_form(csrf, app)
    del data["csrf_token"]
    assert client.post("/clients/new", data=data).status_code == 400
    assert client.post(f"/clients/{world.aprool.id}/edit", data=data).status_code == 400
    assert client.post(f"/clients/{world.aprool.id}/archive").status_code == 400
    assert client.post(f"/clients/{world.aprool.id}/restore").status_code == 400
    assert account(app, "APROOL").archived is False


@pytest.mark.parametrize("name", HOSTILE + ["x" * 10_000, "nul\x00"])
def test_hostile_account_names(client, app, csrf, world, name):
    response = client.post("/clients/new", data=account_form(csrf, app, name=name, siren=""))
    assert response.status_code in (302, 422)
    if response.status_code == 302:
        page = client.get(response.headers["Location"])
        assert page.status_code == 200 and "<script>alert(1)</script>" not in page.text
        assert "<script>alert(1)</script>" not in client.get("/clients").text
    else:
        assert "<script>" not in response.text.split("<body>")[1].replace("<script src=", "")


def test_list_headers_are_the_declared_columns(client, make, world):
    from webapp.clients.search import COLUMNS

    html = client.get("/clients").text
    head = html.split('class="contacts-table clients-table"')[1].split("</thead>")[0]
    assert re.findall(r'<th scope="col"[^>]*>([^<]*)</th>', head) == [str(column.label) for column in COLUMNS]
