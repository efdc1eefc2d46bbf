"""Mass actions: reassign with undo, mailing lists, export, delete only what may be deleted; scope and rights."""
import io
import json
import re
import zipfile
from datetime import date
from html import unescape
from urllib.parse import urlencode

import pytest
from werkzeug.datastructures import MultiDict

from webapp.extensions import db
from webapp.models import AuditEntry, Contact, MailingList, MailingListSubscription, Opportunity, Task

from .conftest import HX, strip_tags


@pytest.fixture
def team(make, login_as):
    """A manager of one entity (all rights but other entities), six contacts, and a contact of another entity."""
    east = make.entity("Est")
    manager = make.user("ROYER Sébastien", role="Administrateur", entities=[east])
    from webapp.models import Role, RoleRight, User

    with make.app.app_context():  # every right except "see all entities"
        role = Role(name="Chef d'agence", rights=[RoleRight(right=r.right) for r in db.session.scalars(
            db.select(RoleRight).join(Role).where(Role.name == "Administrateur")) if r.right != "entities.all"])
        db.session.add(role)
        user = db.session.get(User, manager.id)
        user.roles = [role]
        db.session.commit()
    login_as(manager)
    seller = make.user("COTILLON Marion", entities=[east])
    aprool = make.client_account("APROOL", entities=[east])
    contacts = [make.contact(aprool, name, "Test", email=f"{name.lower()}@aprool.com" if name != "Sansmail" else None,
                             owner_id=seller.id if name in ("Alpha", "Beta") else None)
                for name in ("Alpha", "Beta", "Gamma", "Delta", "Epsilon", "Sansmail")]
    hidden = make.contact(make.client_account("Secret", entities=[make.entity("Ouest")]), "Cache", "Carl")
    return {"manager": manager, "seller": seller, "aprool": aprool, "contacts": contacts, "hidden": hidden,
            "other": make.user("BERTRAND Nicolas", entities=[east])}


def _post(client, csrf, url, data):
    return client.post(url, data=MultiDict(data), headers={**HX, "X-CSRFToken": csrf["token"]})


def _ids(*contacts):
    return [("ids", str(c.id)) for c in contacts]


def _owners(app):
    with app.app_context():
        return dict(db.session.execute(db.select(Contact.last_name, Contact.owner_id)).all())


def test_confirmation_dialog_counts_and_reports_out_of_scope(client, csrf, team):
    response = _post(client, csrf, "/contacts/bulk/reassign/confirm", _ids(*team["contacts"][:3], team["hidden"]))
    text = strip_tags(response.text)
    assert response.status_code == 200 and "<dialog" in response.text
    assert "3 contacts sélectionnés" in text and "1 contact hors de vos entités sera ignoré." in text


def test_reassign_all_at_once_with_undo(client, csrf, team, app):
    chosen = team["contacts"][:3]
    response = _post(client, csrf, "/contacts/bulk/reassign",
                     [*_ids(*chosen, team["hidden"]), ("owner_id", str(team["other"].id))])
    assert response.status_code == 200
    events = json.loads(response.headers["HX-Trigger"])
    assert events["toast-shown"]["message"].startswith("3 contacts réaffectés")
    assert "1 contact hors de vos entités ignoré" in events["toast-shown"]["message"]
    assert "contacts-changed" in events
    owners = _owners(app)
    assert {owners["Alpha"], owners["Beta"], owners["Gamma"]} == {team["other"].id}
    assert owners["Cache"] is None  # never touched
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(AuditEntry).where(
            AuditEntry.via == "bulk", AuditEntry.field == "owner_id")) == 3
        assert db.session.scalar(db.select(Contact.version).where(Contact.last_name == "Alpha")) == 2
    undo = events["toast-shown"]["undo"]
    restored = _post(client, csrf, undo, {})
    assert "rétablie pour 3 contacts" in json.loads(restored.headers["HX-Trigger"])["toast-shown"]["message"]
    owners = _owners(app)
    assert owners["Alpha"] == owners["Beta"] == team["seller"].id and owners["Gamma"] is None


def test_undo_leaves_contacts_changed_since(client, csrf, team, app):
    alpha = team["contacts"][0]
    response = _post(client, csrf, "/contacts/bulk/reassign", [*_ids(alpha), ("owner_id", str(team["other"].id))])
    undo = json.loads(response.headers["HX-Trigger"])["toast-shown"]["undo"]
    _post(client, csrf, "/contacts/bulk/reassign", [*_ids(alpha), ("owner_id", "")])  # someone changed it again
    assert "0 contact" in json.loads(_post(client, csrf, undo, {}).headers["HX-Trigger"])["toast-shown"]["message"]
    assert _owners(app)["Alpha"] is None


def test_forged_undo_token_is_refused(client, csrf, team):
    assert _post(client, csrf, "/contacts/bulk/undo/forged.token", {}).status_code == 409


def test_select_across_reapplies_the_filters(client, csrf, team, app):
    query = urlencode({"q": "ma", "assigned": "none"})  # unassigned and "ma" in their names: Gamma, Sansmail
    response = _post(client, csrf, "/contacts/bulk/reassign",
                     {"select_across": "1", "query": query, "owner_id": str(team["other"].id)})
    assert response.status_code == 200
    owners = _owners(app)
    assert [name for name, owner in sorted(owners.items()) if owner == team["other"].id] == ["Gamma", "Sansmail"]
    assert owners["Cache"] is None


def test_mailing_lists_skip_contacts_without_email_and_respect_unsubscriptions(client, csrf, team, app):
    with app.app_context():
        newsletter = MailingList(provider="Mailjet", label="Lettre", position=0)
        db.session.add(newsletter)
        db.session.flush()
        db.session.add(MailingListSubscription(contact_id=team["contacts"][0].id, mailing_list_id=newsletter.id,
                                               status="subscribed", since=date(2019, 4, 11)))
        db.session.add(MailingListSubscription(contact_id=team["contacts"][1].id, mailing_list_id=newsletter.id,
                                               status="unsubscribed", since=date(2020, 1, 1)))
        db.session.commit()
        list_id = newsletter.id
    data = [*_ids(*team["contacts"]), ("lists", str(list_id)), ("mode", "subscribe")]
    message = json.loads(_post(client, csrf, "/contacts/bulk/mailing-lists", data).headers["HX-Trigger"])[
        "toast-shown"]["message"]
    assert message.startswith("3 abonnements ajoutés")
    assert "1 désabonnement antérieur conservé" in message and "SANSMAIL Test" in message
    with app.app_context():
        rows = {c.last_name: (s.status, s.since) for s, c in db.session.execute(
            db.select(MailingListSubscription, Contact).join(Contact))}
    assert rows["Alpha"] == ("subscribed", date(2019, 4, 11))  # keeps its "since" date
    assert rows["Beta"][0] == "unsubscribed" and "Sansmail" not in rows
    _post(client, csrf, "/contacts/bulk/mailing-lists", [*data, ("force", "1")])
    with app.app_context():
        assert db.session.scalar(db.select(MailingListSubscription.status).join(Contact)
                                 .where(Contact.last_name == "Beta")) == "subscribed"
        assert db.session.scalar(db.select(db.func.count()).select_from(AuditEntry).where(
            AuditEntry.via == "bulk", AuditEntry.field.like("Liste de diffusion%"))) == 4


def test_mailing_lists_need_a_list(client, csrf, team):
    assert _post(client, csrf, "/contacts/bulk/mailing-lists", _ids(team["contacts"][0])).status_code == 422


def test_delete_only_what_may_be_deleted_and_say_why(client, csrf, team, app):
    alpha, beta = team["contacts"][:2]
    with app.app_context():
        db.session.add_all([Task(contact_id=alpha.id, name="Appel"), Task(contact_id=alpha.id, name="RDV"),
                            Opportunity(title="Piste", client_id=alpha.client_id, contact_id=alpha.id),
                            Opportunity(title="Piste", client_id=beta.client_id, contact_id=beta.id)])
        db.session.commit()
    # The row menu gives the reason the bulk report will give, before trying.
    menu = strip_tags(client.get(f"/contacts/{alpha.id}/menu", headers=HX).text)
    assert "Supprimer le contact — déjà utilisé (2 tâches, 1 opportunité)" in " ".join(menu.split())
    response = _post(client, csrf, "/contacts/bulk/delete", _ids(*team["contacts"][:4], team["hidden"]))
    text = strip_tags(response.text)
    assert "2 contacts supprimés, 2 conservés." in text
    assert "ALPHA Test — 2 tâches, 1 opportunité" in text and "BETA Test — 1 opportunité" in text
    assert set(_owners(app)) == {"Alpha", "Beta", "Epsilon", "Sansmail", "Cache"}
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(AuditEntry).where(
            AuditEntry.action == "delete", AuditEntry.via == "bulk")) == 2


def test_export_as_one_file_or_a_zip(client, csrf, team):
    data = [*_ids(*team["contacts"][:3], team["hidden"]), ("format", "vcf")]
    response = client.post("/contacts/bulk/export", data=MultiDict(data), headers={"X-CSRFToken": csrf["token"]})
    assert response.status_code == 200 and response.mimetype == "text/vcard"
    body = response.get_data(as_text=True)
    assert body.count("BEGIN:VCARD") == 3 and "Cache" not in body
    assert "filename*=UTF-8''" in response.headers["Content-Disposition"]
    zipped = client.post("/contacts/bulk/export", data=MultiDict([*data[:-1], ("format", "zip")]),
                         headers={"X-CSRFToken": csrf["token"]})
    with zipfile.ZipFile(io.BytesIO(zipped.get_data())) as archive:
        names = archive.namelist()
        assert len(names) == 3 and all(name.endswith(".vcf") for name in names)
        assert "FN:" in archive.read(names[0]).decode()


def test_each_action_checks_its_right(client, csrf, make, login_as, team):
    login_as(make.user("PETIT Paul", role="Commercial", entities=[make.entity("Est2")]))
    for action in ("reassign", "delete"):
        assert _post(client, csrf, f"/contacts/bulk/{action}", _ids(team["contacts"][0])).status_code == 403
        assert _post(client, csrf, f"/contacts/bulk/{action}/confirm", _ids(team["contacts"][0])).status_code == 403
    assert _post(client, csrf, "/contacts/bulk/unknown/confirm", {}).status_code == 404


def test_bulk_writes_need_the_csrf_token(client, team):
    assert client.post("/contacts/bulk/delete", data=MultiDict(_ids(team["contacts"][0]))).status_code == 400


def test_without_javascript_the_confirmation_is_a_page(client, csrf, team):
    response = client.post("/contacts/bulk/delete/confirm", data=MultiDict(_ids(team["contacts"][0])),
                           headers={"X-CSRFToken": csrf["token"]})
    assert "<html" in response.text and "Supprimer 1 contact ?" in strip_tags(response.text)
    done = client.post("/contacts/bulk/delete", data=MultiDict(_ids(team["contacts"][2])),
                       headers={"X-CSRFToken": csrf["token"]})
    assert done.status_code == 302


def test_without_javascript_an_action_returns_to_the_list_with_its_filters(client, csrf, team, make):
    for number in range(20):  # a second page of 20
        make.contact(team["aprool"], f"Zed{number:02d}", "Test")
    list_url = "/contacts?" + urlencode({"q": "Test", "sort": "-last_name", "page": 2, "per_page": 20})
    back = re.search(r'name="back" value="([^"]+)"', client.get(list_url).text).group(1)
    assert unescape(back) == list_url  # the toolbar carries the list as shown
    headers = {"X-CSRFToken": csrf["token"]}
    data = [*_ids(team["contacts"][0]), ("back", unescape(back))]
    page = client.post("/contacts/bulk/reassign/confirm", data=MultiDict(data), headers=headers).text
    assert f'name="back" value="{back}"' in page and f'href="{back}"' in page  # kept on the confirmation page
    done = client.post("/contacts/bulk/reassign", data=MultiDict([*data, ("owner_id", "")]), headers=headers)
    assert done.status_code == 302 and done.headers["Location"] == list_url
    for hostile in ("https://evil.example/contacts", "//evil.example/contacts", "/admin/users"):
        done = client.post("/contacts/bulk/reassign", headers=headers,
                           data=MultiDict([*_ids(team["contacts"][0]), ("back", hostile), ("owner_id", "")]))
        assert done.headers["Location"] == "/contacts"


def test_the_list_offers_checkboxes_and_the_toolbar(client, team):
    html = client.get("/contacts").text
    assert html.count('class="row-select"') == 6 and 'id="select-page"' in html
    assert 'id="bulk-form"' in html and "Modifier l'affectation" in strip_tags(html).replace("&#39;", "'")
