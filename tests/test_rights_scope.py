"""Rights gate screens (403 page or fragment); entities scope what a user sees (404 outside)."""
import re

import pytest

from webapp.extensions import db
from webapp.models import Contact, Role, User
from webapp.rights import CONTACTS_LIST, DEFAULT_ROLES, RIGHTS
from webapp.scope import get_contact_or_404, visible_client_ids

from .conftest import HX


def test_every_default_role_right_is_a_named_right():
    for codes in DEFAULT_ROLES.values():
        assert codes <= set(RIGHTS)
    assert str(RIGHTS[CONTACTS_LIST]) == "Comptes & Contacts - Liste des contacts clients"


def test_without_the_list_right_the_page_is_403(client, login_as, make):
    login_as(make.user(role=None))
    response = client.get("/contacts")
    assert response.status_code == 403
    assert "Accès refusé" in response.text and "<html" in response.text


def test_without_the_list_right_an_htmx_request_gets_a_fragment(client, login_as, make):
    login_as(make.user(role=None))
    response = client.get("/contacts", headers=HX)
    assert response.status_code == 403
    assert "<html" not in response.text and "toast" in response.text
    assert response.headers["HX-Retarget"] == "#toasts"


def test_navigation_hides_what_the_user_cannot_use(client, login_as, make):
    login_as(make.user(role=None))
    page = client.get("/contacts")
    assert page.status_code == 403
    assert 'href="/contacts"' not in page.text


def test_roles_have_sensible_rights(app):
    with app.app_context():
        roles = {role.name: role.right_codes for role in db.session.scalars(db.select(Role))}
    assert "contacts.delete" not in roles["Commercial"]
    assert "entities.all" in roles["Responsable commercial"]
    assert roles["Administrateur"] == set(RIGHTS)


def test_entity_scope_hides_other_entities_contacts(app, make):
    east, west = make.entity("Est"), make.entity("Ouest")
    seller = make.user(entities=[east])
    mine = make.contact(make.client_account("Alpha", entities=[east]))
    theirs = make.contact(make.client_account("Beta", entities=[west]))
    with app.app_context():
        user = db.session.get(User, seller.id)
        assert get_contact_or_404(user, mine.id).id == mine.id
        with pytest.raises(Exception) as raised:
            get_contact_or_404(user, theirs.id)
        assert getattr(raised.value, "code", None) == 404
        visible = set(db.session.scalars(db.select(Contact.id).where(Contact.client_id.in_(visible_client_ids(user)))))
        assert visible == {mine.id}


def test_all_entities_right_sees_everything(app, make):
    west = make.entity("Ouest")
    boss = make.user(role="Responsable commercial")
    theirs = make.contact(make.client_account("Beta", entities=[west]))
    with app.app_context():
        assert get_contact_or_404(db.session.get(User, boss.id), theirs.id).id == theirs.id


def test_contacts_count_only_counts_visible_contacts(client, login_as, make):
    east, west = make.entity("Est"), make.entity("Ouest")
    make.contact(make.client_account("Alpha", entities=[east]))
    make.contact(make.client_account("Beta", entities=[west]), last_name="Autre")
    login_as(make.user(entities=[east]))
    badge = re.search(r'id="contacts-count"[^>]*>([^<]*)<', client.get("/contacts").text).group(1)
    assert badge.strip() == "1"


def test_csrf_missing_on_a_write_gets_400(client, login_as, make):
    login_as(make.user())
    response = client.post("/logout")
    assert response.status_code == 400
    assert "formulaire est périmé" in response.text
    assert client.get("/contacts").status_code == 200  # still logged in
