"""Opportunities, proposals made from them, deals made from proposals: the dialogs and pages, the amounts in
euros, the counters in the list and on the record, the contact's affaires page; rights, scope, CSRF."""
import json
import re
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from webapp.extensions import db
from webapp.form_fields import local_today
from webapp.models import AuditEntry, Deal, Opportunity, Proposal
from webapp.rights import CONTACTS_LIST, DEALS
from webapp.services import deals as service

from .conftest import HX, strip_tags
from .record_support import HOSTILE, make_world, role_without

DIALOG = {**HX, "HX-Target": "dialog-slot"}
RESULTS = {**HX, "HX-Target": "results"}


@pytest.fixture
def world(make, login_as):
    return make_world(make, login_as)


def opportunity_form(csrf, world, **values):
    data = {"csrf_token": csrf["token"], "title": "Refonte du SI", "amount": "12 500,50",
            "owner_id": str(world.seller.id), "expected_date": "2025-03-31", "stage": "qualification"}
    data.update(values)
    return data


def opportunity_and_proposal(app, client_account, contact) -> tuple[int, int]:
    """An opportunity "Piste" and a proposal "Offre" made from it, for the contact; their ids."""
    with app.app_context():
        opportunity = Opportunity(title="Piste", client_id=client_account.id, contact_id=contact.id)
        db.session.add(opportunity)
        db.session.flush()
        proposal = Proposal(title="Offre", client_id=client_account.id, contact_id=contact.id,
                            opportunity_id=opportunity.id)
        db.session.add(proposal)
        db.session.commit()
        return opportunity.id, proposal.id


def rows(app, model):
    with app.app_context():
        return db.session.scalars(select(model).order_by(model.id)).all()


def test_opportunity_dialog_and_page(client, world):
    dialog = client.get(f"/contacts/{world.blou.id}/opportunities/new", headers=DIALOG)
    assert dialog.status_code == 200 and dialog.text.lstrip().startswith("<dialog")
    assert "Ajouter une opportunité · BLOU Hélène" in dialog.text
    page = client.get(f"/contacts/{world.blou.id}/opportunities/new")
    assert page.status_code == 200 and "<html" in page.text
    text = strip_tags(page.text)
    for label in ("Intitulé", "Montant (€)", "Suivi par", "Date prévue", "Étape", "Qualification", "Négociation"):
        assert label in text


def test_an_opportunity_changes_the_counters_at_once(client, app, csrf, world):
    before = strip_tags(client.get("/contacts?q=blou", headers=RESULTS).text)
    assert "0 opportunité 0 proposition 0 affaire" in before
    response = client.post(f"/contacts/{world.blou.id}/opportunities/new", data=opportunity_form(csrf, world),
                           headers=DIALOG)
    assert response.status_code == 200 and response.text == ""
    triggered = json.loads(response.headers["HX-Trigger"])
    assert triggered["contacts-changed"] is True
    assert triggered["toast-shown"]["message"] == "L'opportunité « Refonte du SI » a été ajoutée."
    [opportunity] = rows(app, Opportunity)
    assert (opportunity.client_id, opportunity.contact_id, opportunity.owner_id) == (world.aprool.id, world.blou.id,
                                                                                      world.seller.id)
    assert opportunity.amount == Decimal("12500.50") and opportunity.expected_date == date(2025, 3, 31)
    assert "1 opportunité 0 proposition 0 affaire" in strip_tags(client.get("/contacts?q=blou", headers=RESULTS).text)
    assert "1 opportunité · 0 proposition · 0 affaire" in strip_tags(client.get(f"/contacts/{world.blou.id}").text)
    with app.app_context():
        entry = db.session.scalars(select(AuditEntry).where(AuditEntry.record_type == "opportunity")).one()
        assert json.loads(entry.new_value)["amount"] == "12500.50"


def test_opportunity_without_javascript_redirects_to_the_record(client, csrf, world):
    response = client.post(f"/contacts/{world.blou.id}/opportunities/new", data=opportunity_form(csrf, world))
    assert response.status_code == 302 and response.headers["Location"] == f"/contacts/{world.blou.id}"


@pytest.mark.parametrize("amount, stored", [("1234.5", Decimal("1234.50")), ("1 000 000", Decimal("1000000.00")),
                                            ("0", Decimal("0.00")), ("", None), ("99,999 €", Decimal("100.00"))])
def test_amounts_typed_the_french_or_english_way(client, app, csrf, world, amount, stored):
    response = client.post(f"/contacts/{world.blou.id}/opportunities/new",
                           data=opportunity_form(csrf, world, amount=amount), headers=DIALOG)
    assert response.status_code == 200
    assert rows(app, Opportunity)[0].amount == stored


@pytest.mark.parametrize("amount", ["-1", "abc", "NaN", "Infinity", "1e30", "1" * 40])
def test_bad_amounts_are_refused_in_french(client, app, csrf, world, amount):
    response = client.post(f"/contacts/{world.blou.id}/opportunities/new",
                           data=opportunity_form(csrf, world, amount=amount),
                           headers={**HX, "HX-Target": "opportunity-form"})
    assert response.status_code == 422 and response.text.lstrip().startswith('<form id="opportunity-form"')
    text = strip_tags(response.text)
    assert "Montant invalide" in text or "Entre 0 et 999 999 999 999,99 €." in text
    assert f'value="{amount}"' in response.text  # kept as typed
    assert rows(app, Opportunity) == []


def test_other_invalid_values(client, app, csrf, world):
    response = client.post(f"/contacts/{world.blou.id}/opportunities/new",
                           data=opportunity_form(csrf, world, title="", expected_date="31/02/2025", stage="won-ish"))
    assert response.status_code == 422
    text = strip_tags(response.text)
    assert "Saisissez l'intitulé." in text and "Date invalide" in text and "choix valide" in text


def test_proposal_from_an_opportunity_then_a_deal_from_the_proposal(client, app, csrf, world):
    client.post(f"/contacts/{world.blou.id}/opportunities/new", data=opportunity_form(csrf, world), headers=DIALOG)
    [opportunity] = rows(app, Opportunity)
    affaires = client.get(f"/contacts/{world.blou.id}/deals")
    assert affaires.status_code == 200 and "<html" in affaires.text
    assert "Refonte du SI" in affaires.text and "12\u202f500,50\u00a0€" in affaires.text
    assert f'href="/opportunities/{opportunity.id}/proposals/new' in affaires.text

    form_page = client.get(f"/opportunities/{opportunity.id}/proposals/new", headers=DIALOG)
    assert 'value="Refonte du SI"' in form_page.text and 'value="12500.50"' in form_page.text
    response = client.post(f"/opportunities/{opportunity.id}/proposals/new",
                           data={"csrf_token": csrf["token"], "title": "Proposition SI", "amount": "12000",
                                 "owner_id": "", "sent_date": "2025-04-02", "status": "sent"}, headers=DIALOG)
    assert response.status_code == 200 and json.loads(response.headers["HX-Trigger"])["contacts-changed"]
    [proposal] = rows(app, Proposal)
    assert (proposal.opportunity_id, proposal.contact_id, proposal.client_id) == (opportunity.id, world.blou.id,
                                                                                   world.aprool.id)
    assert rows(app, Opportunity)[0].stage == "proposal"

    plain = client.post(f"/proposals/{proposal.id}/deals/new",
                        data={"csrf_token": csrf["token"], "title": "Mission SI", "amount": "12000", "owner_id": "",
                              "signed_date": "2025-05-01", "status": "won"})
    assert plain.status_code == 302 and plain.headers["Location"] == f"/contacts/{world.blou.id}/deals"
    [deal] = rows(app, Deal)
    assert deal.proposal_id == proposal.id and deal.amount == Decimal("12000.00")
    assert rows(app, Proposal)[0].status == "accepted"
    assert "1 opportunité 1 proposition 1 affaire" in strip_tags(client.get("/contacts?q=blou", headers=RESULTS).text)
    lists = client.get(f"/contacts/{world.blou.id}/deals", headers={**HX, "HX-Target": "deals-lists"})
    assert lists.text.lstrip().startswith('<div id="deals-lists"') and "<html" not in lists.text
    assert "Mission SI" in lists.text and "Signée" in lists.text and "Acceptée" in lists.text
    with app.app_context():
        changes = {(e.record_type, e.field, e.old_value, e.new_value)
                   for e in db.session.scalars(select(AuditEntry).where(AuditEntry.action == "update"))}
    assert ("opportunity", "stage", "qualification", "proposal") in changes
    assert ("proposal", "status", "sent", "accepted") in changes


def test_proposal_and_deal_screens_as_page_and_dialog(client, app, world):
    opportunity_id, proposal_id = opportunity_and_proposal(app, world.aprool, world.blou)
    urls = f"/opportunities/{opportunity_id}/proposals/new", f"/proposals/{proposal_id}/deals/new"
    for url, title in zip(urls, ("Faire une proposition · Piste", "Créer une affaire · Offre"), strict=True):
        page = client.get(url)
        assert page.status_code == 200 and "<html" in page.text and title in page.text
        dialog = client.get(url, headers=DIALOG)
        assert dialog.text.lstrip().startswith("<dialog") and title in dialog.text
        assert "HX-Request" in dialog.headers["Vary"]


def test_service_refuses_what_a_form_would_not_send(app, world):
    with app.app_context():
        from webapp.models import Contact

        contact = db.session.get(Contact, world.blou.id)
        with pytest.raises(ValueError):
            service.create_opportunity(contact, {"title": "x", "amount": Decimal("-1")}, None)
        with pytest.raises(ValueError):
            service.create_opportunity(contact, {"title": "x", "client_id": 1}, None)
        with pytest.raises(ValueError):
            service.create_opportunity(contact, {"title": "x", "stage": "bogus"}, None)
        db.session.rollback()


def test_rights(client, app, make, login_as, csrf, world):
    ids = opportunity_and_proposal(app, world.aprool, world.blou)
    from .test_tasks import load_entity

    login_as(make.user("SANS Affaires", role=role_without(app, "Commercial", DEALS),
                       entities=[load_entity(app, "Est")]))
    token = {"csrf_token": csrf["token"]}
    for url in (f"/contacts/{world.blou.id}/opportunities/new", f"/opportunities/{ids[0]}/proposals/new",
                f"/proposals/{ids[1]}/deals/new"):
        assert client.get(url).status_code == 403, url
        assert client.post(url, data=token).status_code == 403, url
    affaires = client.get(f"/contacts/{world.blou.id}/deals")
    assert affaires.status_code == 200 and "Faire une proposition" not in affaires.text
    assert "Ajouter une opportunité" not in client.get(f"/contacts/{world.blou.id}").text
    login_as(make.user("SANS Liste", role=role_without(app, "Commercial", CONTACTS_LIST), entities=[]))
    assert client.get(f"/contacts/{world.blou.id}/deals").status_code == 403


def test_scope(client, app, csrf, world):
    ids = opportunity_and_proposal(app, world.outside, world.hidden)
    for url in (f"/contacts/{world.hidden.id}/opportunities/new", f"/opportunities/{ids[0]}/proposals/new",
                f"/proposals/{ids[1]}/deals/new", f"/contacts/{world.hidden.id}/deals",
                "/opportunities/999999/proposals/new"):
        assert client.get(url).status_code == 404, url
        assert client.post(url, data={"csrf_token": csrf["token"], "title": "x"}).status_code in (404, 405), url
    assert len(rows(app, Proposal)) == 1 and rows(app, Deal) == []


def test_csrf(client, app, world, csrf):
    data = opportunity_form(csrf, world)
    del data["csrf_token"]
    assert client.post(f"/contacts/{world.blou.id}/opportunities/new", data=data).status_code == 400
    assert rows(app, Opportunity) == []


@pytest.mark.parametrize("title", HOSTILE + ["x" * 10_000, "nul\x00"])
def test_hostile_titles_are_escaped(client, app, csrf, world, title):
    response = client.post(f"/contacts/{world.blou.id}/opportunities/new",
                           data=opportunity_form(csrf, world, title=title), headers=DIALOG)
    if "\u202e" in title or "\x00" in title or len(title) > 200:
        assert response.status_code == 422  # control characters, bidirectional overrides, too long: said so
        assert rows(app, Opportunity) == []
        return
    assert response.status_code == 200
    page = client.get(f"/contacts/{world.blou.id}/deals").text
    assert "<script>alert(1)</script>" not in page and 'href="javascript:' not in page
    assert json.loads(response.headers["HX-Trigger"])["toast-shown"]["message"].endswith("a été ajoutée.")


def test_a_proposal_gives_one_deal_which_wins_its_opportunity(client, app, csrf, world):
    opportunity_id, proposal_id = opportunity_and_proposal(app, world.aprool, world.blou)
    form = client.get(f"/proposals/{proposal_id}/deals/new", headers=DIALOG)
    with app.app_context():
        today = local_today().isoformat()
    assert re.search(rf'<input[^>]*name="signed_date"[^>]*value="{today}"', form.text)
    data = {"csrf_token": csrf["token"], "title": "Mission SI", "amount": "12000", "owner_id": "",
            "signed_date": "2025-05-01", "status": "won"}
    assert client.post(f"/proposals/{proposal_id}/deals/new", data=data, headers=DIALOG).status_code == 200
    assert rows(app, Opportunity)[0].stage == "won"
    with app.app_context():
        changes = {(e.record_type, e.field, e.new_value)
                   for e in db.session.scalars(select(AuditEntry).where(AuditEntry.action == "update"))}
    assert ("opportunity", "stage", "won") in changes

    page = client.get(f"/contacts/{world.blou.id}/deals")
    assert f'id="make-deal-{proposal_id}"' not in page.text and "Affaire créée" in page.text
    again = client.post(f"/proposals/{proposal_id}/deals/new", data={**data, "title": "Encore"}, headers=DIALOG)
    assert again.status_code == 409 and "déjà son affaire « Mission SI »" in again.text.replace("&#34;", '"')
    assert client.get(f"/proposals/{proposal_id}/deals/new").status_code == 409
    assert [deal.title for deal in rows(app, Deal)] == ["Mission SI"]


def test_the_service_refuses_a_second_deal(app, world):
    _opportunity_id, proposal_id = opportunity_and_proposal(app, world.aprool, world.blou)
    with app.app_context():
        proposal = db.session.get(Proposal, proposal_id)
        service.create_deal(proposal, {"title": "Une"}, None)
        with pytest.raises(service.DealExistsError):
            service.create_deal(proposal, {"title": "Deux"}, None)
        db.session.rollback()
