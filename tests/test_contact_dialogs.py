"""The record's dialogs Environnement / compétences and Abonnements aux listes de diffusion, and the row menu's
entries with their reasons when disabled; rights, scope, CSRF, hostile input."""
import json
from html import unescape
import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from webapp.extensions import db
from webapp.models import AuditEntry, Contact, MailingListSubscription, Skill
from webapp.rights import CONTACTS_EDIT, MAILING_LISTS

from .conftest import HX, strip_tags
from .record_support import add_mailing_list, make_world, role_without, subscribe

DIALOG = {**HX, "HX-Target": "dialog-slot"}


@pytest.fixture
def world(make, login_as):
    return make_world(make, login_as)


def skill_ids(app, *labels):
    with app.app_context():
        found = dict(db.session.execute(select(Skill.label, Skill.id).where(Skill.label.in_(labels))).all())
        return [found[label] for label in labels]


def contact_skills(app, contact_id):
    with app.app_context():
        return sorted(skill.label for skill in db.session.get(Contact, contact_id).skills)


def subscriptions(app, contact_id):
    with app.app_context():
        return sorted((s.mailing_list.label, s.status, s.since) for s in db.session.scalars(
            select(MailingListSubscription).where(MailingListSubscription.contact_id == contact_id)))


# --- Environnement / compétences ----------------------------------------------------------------------------------

def test_skills_dialog_groups_by_category_with_a_search_box(client, app, world):
    dialog = client.get(f"/contacts/{world.blou.id}/skills", headers=DIALOG)
    assert dialog.status_code == 200 and dialog.text.lstrip().startswith("<dialog")
    assert "Environnement / compétences · BLOU Hélène" in dialog.text
    legends = re.findall(r"<legend>([^<]+)</legend>", dialog.text)
    assert legends[:3] == ["Langages", "Données", "Cloud &amp; Infrastructure"]
    assert 'data-skill-search hidden' in dialog.text and 'data-filter-checkboxes="#skill-groups"' in dialog.text
    assert "<script" not in dialog.text and "style=" not in dialog.text
    page = client.get(f"/contacts/{world.blou.id}/skills")
    assert page.status_code == 200 and "<html" in page.text and "Python" in page.text


def test_saving_skills_audits_them_and_feeds_the_list_filter(client, app, csrf, world):
    python, sap = skill_ids(app, "Python", "SAP")
    response = client.post(f"/contacts/{world.blou.id}/skills",
                           data={"csrf_token": csrf["token"], "skill_ids": [str(python), str(sap)]}, headers=DIALOG)
    assert response.status_code == 200 and response.text == ""
    triggered = json.loads(response.headers["HX-Trigger"])
    assert triggered["contacts-changed"] is True and "compétences" in triggered["toast-shown"]["message"]
    assert contact_skills(app, world.blou.id) == ["Python", "SAP"]
    with app.app_context():
        entry = db.session.scalars(select(AuditEntry).where(AuditEntry.field == "skills")).one()
        assert (entry.old_value, entry.new_value, entry.record_id) == (None, "Python, SAP", world.blou.id)
    listed = client.get(f"/contacts?skill={sap}", headers={**HX, "HX-Target": "results"}).text
    assert "BLOU" in listed
    reopened = client.get(f"/contacts/{world.blou.id}/skills").text
    assert re.search(rf'value="{python}"\s+checked', reopened)
    record = strip_tags(client.get(f"/contacts/{world.blou.id}").text)
    assert "Environnement / compétences Python SAP" in record
    # untick one, without JavaScript
    plain = client.post(f"/contacts/{world.blou.id}/skills",
                        data={"csrf_token": csrf["token"], "skill_ids": [str(sap)]})
    assert plain.status_code == 302 and plain.headers["Location"] == f"/contacts/{world.blou.id}"
    assert contact_skills(app, world.blou.id) == ["SAP"]


def test_saving_the_same_skills_changes_nothing(client, app, csrf, world):
    response = client.post(f"/contacts/{world.blou.id}/skills", data={"csrf_token": csrf["token"]}, headers=DIALOG)
    assert response.status_code == 200
    triggered = json.loads(response.headers["HX-Trigger"])
    assert "contacts-changed" not in triggered and triggered["toast-shown"]["message"] == "Aucun changement."
    with app.app_context():
        assert db.session.scalars(select(AuditEntry)).all() == []


def test_inactive_skills_stay_only_where_they_are_used(client, app, csrf, world, make):
    cobol, = skill_ids(app, "COBOL")
    other = make.contact(world.aprool, "DAU", "Lucie")
    client.post(f"/contacts/{other.id}/skills", data={"csrf_token": csrf["token"], "skill_ids": [str(cobol)]})
    with app.app_context():
        db.session.get(Skill, cobol).active = False
        db.session.commit()
    assert f'value="{cobol}"' not in client.get(f"/contacts/{world.blou.id}/skills").text
    kept = client.get(f"/contacts/{other.id}/skills").text
    assert re.search(rf'value="{cobol}"\s+checked', kept) and "inactif" in kept
    refused = client.post(f"/contacts/{world.blou.id}/skills",
                          data={"csrf_token": csrf["token"], "skill_ids": [str(cobol)]})
    assert refused.status_code == 422 and "Ce choix n'est plus proposé." in unescape(strip_tags(refused.text))


@pytest.mark.parametrize("value", ["999999", "abc", "<script>", "1\x00"])
def test_forged_skill_ids_are_refused(client, csrf, world, value):
    response = client.post(f"/contacts/{world.blou.id}/skills",
                           data={"csrf_token": csrf["token"], "skill_ids": [value]},
                           headers={**HX, "HX-Target": "skills-form"})
    assert response.status_code == 422 and response.text.lstrip().startswith('<form id="skills-form"')
    assert "Ce choix n&#39;est plus proposé. Rechargez la page." in response.text


# --- Abonnements aux listes de diffusion --------------------------------------------------------------------------

def test_subscriptions_dialog_lists_active_lists_and_defaults_to_today(client, app, world):
    newsletter = add_mailing_list(app, "Newsletter")
    add_mailing_list(app, "Ancienne", active=False)
    subscribe(app, world.blou.id, newsletter)
    dialog = client.get(f"/contacts/{world.blou.id}/subscriptions", headers=DIALOG)
    assert dialog.status_code == 200 and dialog.text.lstrip().startswith("<dialog")
    text = strip_tags(dialog.text)
    assert "Mailjet - Newsletter — abonné depuis le 11/04/2019" in text and "Ancienne" not in text
    assert "Adresse utilisée : helene.blou@aprool.com" in text
    today = datetime.now(ZoneInfo("Europe/Paris")).date().isoformat()
    assert f'value="{today}"' in dialog.text
    assert re.search(rf'value="{newsletter}" checked', dialog.text)
    assert "<html" in client.get(f"/contacts/{world.blou.id}/subscriptions").text


def test_subscribe_and_unsubscribe_from_a_date(client, app, csrf, world):
    news, offers = add_mailing_list(app, "Newsletter"), add_mailing_list(app, "Offres")
    subscribe(app, world.blou.id, news)
    response = client.post(f"/contacts/{world.blou.id}/subscriptions", headers=DIALOG,
                           data={"csrf_token": csrf["token"], "list_ids": [str(news), str(offers)],
                                 "since": "2025-01-06"})
    assert response.status_code == 200 and json.loads(response.headers["HX-Trigger"])["contacts-changed"] is True
    assert subscriptions(app, world.blou.id) == [("Newsletter", "subscribed", date(2019, 4, 11)),
                                                 ("Offres", "subscribed", date(2025, 1, 6))]
    record = strip_tags(client.get(f"/contacts/{world.blou.id}").text)
    assert "Mailjet - Newsletter · Depuis le 11/04/2019" in record
    assert "Mailjet - Offres · Depuis le 06/01/2025" in record
    plain = client.post(f"/contacts/{world.blou.id}/subscriptions",
                        data={"csrf_token": csrf["token"], "list_ids": [str(offers)], "since": "2025-02-01"})
    assert plain.status_code == 302
    assert subscriptions(app, world.blou.id) == [("Newsletter", "unsubscribed", date(2025, 2, 1)),
                                                 ("Offres", "subscribed", date(2025, 1, 6))]
    record = strip_tags(client.get(f"/contacts/{world.blou.id}").text)
    assert "Mailjet - Newsletter · Désabonné depuis le 01/02/2025" in record
    with app.app_context():
        trail = db.session.scalars(select(AuditEntry).where(AuditEntry.field == "mailing_lists")
                                   .order_by(AuditEntry.id)).all()
    assert len(trail) == 2 and "Mailjet - Offres (abonné depuis le 06/01/2025)" in trail[0].new_value
    assert "Mailjet - Newsletter (désabonné depuis le 01/02/2025)" in trail[1].new_value


def test_subscriptions_need_a_date_and_offered_lists(client, app, csrf, world):
    news = add_mailing_list(app, "Newsletter")
    hidden = add_mailing_list(app, "Inactive", active=False)
    for data in ({"list_ids": [str(news)], "since": ""}, {"list_ids": [str(news)], "since": "2025-13-45"},
                 {"list_ids": [str(hidden)], "since": "2025-01-01"}):
        response = client.post(f"/contacts/{world.blou.id}/subscriptions", data={"csrf_token": csrf["token"], **data})
        assert response.status_code == 422, data
        assert re.search(r"Saisissez la date|Date invalide|plus proposé", strip_tags(response.text))
    assert subscriptions(app, world.blou.id) == []


def test_no_email_no_subscriptions(client, app, make, csrf, world):
    news = add_mailing_list(app, "Newsletter")
    bare = make.contact(world.aprool, "NEIGE", "Julia")
    message = "NEIGE Julia n'a aucune adresse e-mail"
    dialog = client.get(f"/contacts/{bare.id}/subscriptions", headers=DIALOG)
    assert dialog.status_code == 409 and dialog.text.lstrip().startswith("<dialog") and message in dialog.text
    page = client.get(f"/contacts/{bare.id}/subscriptions")
    assert page.status_code == 409 and "<html" in page.text and message in page.text
    post = client.post(f"/contacts/{bare.id}/subscriptions",
                       data={"csrf_token": csrf["token"], "list_ids": [str(news)], "since": "2025-01-01"})
    assert post.status_code == 409 and subscriptions(app, bare.id) == []


# --- the row menu and the record menu ------------------------------------------------------------------------------

def test_row_menu_disables_subscriptions_without_an_email(client, make, world):
    bare = make.contact(world.aprool, "NEIGE", "Julia")
    menu = strip_tags(client.get(f"/contacts/{bare.id}/menu", headers=HX).text)
    assert "Abonnements aux listes de diffusion — aucune adresse e-mail" in menu
    with_email = client.get(f"/contacts/{world.blou.id}/menu", headers=HX).text
    assert f'hx-get="/contacts/{world.blou.id}/subscriptions"' in with_email
    assert f'hx-get="/contacts/{world.blou.id}/skills"' in with_email
    assert f'hx-get="/contacts/{world.blou.id}/opportunities/new"' in with_email
    record = strip_tags(client.get(f"/contacts/{bare.id}").text)
    assert "Liste de diffusion — aucune adresse e-mail" in record


def test_row_menu_follows_the_rights(client, app, make, login_as, world):
    from .test_tasks import load_entity

    login_as(make.user("SANS Listes", role=role_without(app, "Commercial", MAILING_LISTS),
                       entities=[load_entity(app, "Est")]))
    menu = client.get(f"/contacts/{world.blou.id}/menu", headers=HX).text
    assert "Abonnements aux listes de diffusion" not in menu and "Environnement de compétences" in menu


# --- rights, scope, CSRF ------------------------------------------------------------------------------------------

def test_rights_scope_and_csrf(client, app, make, login_as, csrf, world):
    news = add_mailing_list(app, "Newsletter")
    for url in (f"/contacts/{world.hidden.id}/skills", f"/contacts/{world.hidden.id}/subscriptions"):
        assert client.get(url).status_code == 404
        assert client.post(url, data={"csrf_token": csrf["token"]}).status_code == 404
    assert client.post(f"/contacts/{world.blou.id}/skills", data={"skill_ids": "1"}).status_code == 400
    assert client.post(f"/contacts/{world.blou.id}/subscriptions",
                       data={"list_ids": str(news), "since": "2025-01-01"}).status_code == 400
    assert contact_skills(app, world.blou.id) == [] and subscriptions(app, world.blou.id) == []
    from .test_tasks import load_entity

    east = load_entity(app, "Est")
    login_as(make.user("SANS Edition", role=role_without(app, "Commercial", CONTACTS_EDIT), entities=[east]))
    assert client.get(f"/contacts/{world.blou.id}/skills").status_code == 403
    assert client.post(f"/contacts/{world.blou.id}/skills", data={"csrf_token": csrf["token"]}).status_code == 403
    assert "Environnement / compétences ·" not in client.get(f"/contacts/{world.blou.id}").text
    login_as(make.user("SANS Listes", role=role_without(app, "Commercial", MAILING_LISTS), entities=[east]))
    assert client.get(f"/contacts/{world.blou.id}/subscriptions").status_code == 403
    refused = client.post(f"/contacts/{world.blou.id}/subscriptions", data={"csrf_token": csrf["token"]})
    assert refused.status_code == 403


def test_skills_leave_the_contact_version_alone(client, app, csrf, world):
    """An open contact form must not get a conflict because someone ticked a skill."""
    with app.app_context():
        before = db.session.get(Contact, world.blou.id).version
    client.post(f"/contacts/{world.blou.id}/skills",
                data={"csrf_token": csrf["token"], "skill_ids": skill_ids(app, "Go")})
    with app.app_context():
        assert db.session.get(Contact, world.blou.id).version == before
