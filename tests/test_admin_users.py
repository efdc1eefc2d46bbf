"""User administration: users (create, edit, deactivate, password), the matrix of rights per role, the rule that
nobody removes their own administration right; rights, CSRF, hostile values; pages and htmx fragments."""
import json
from html import unescape

import pytest
from sqlalchemy import select

from .conftest import HOSTILE_SEARCHES, HX, PASSWORD, strip_tags
from webapp.extensions import db
from webapp.models import AuditEntry, Entity, Role, User
from webapp.rights import PARAMETERS, RIGHTS, USERS
from webapp.services import users as service

NEW_PASSWORD = "a-brand-new-secret-42"


@pytest.fixture
def admin(make, login_as):
    """A logged-in administrator."""
    return login_as(make.user("ADMIN Alice", role="Administrateur", email="alice@example.com"))


def role_id(app, name):
    with app.app_context():
        return db.session.scalars(select(Role.id).where(Role.name == name)).one()


def load(app, user_id):
    """A user with roles and entities, detached."""
    with app.app_context():
        user = db.session.get(User, user_id)
        user.roles, user.entities  # noqa: B018 - loaded before leaving the session
        db.session.expunge(user)
        return user


def audit(app, record_type, record_id=None):
    with app.app_context():
        query = select(AuditEntry).where(AuditEntry.record_type == record_type).order_by(AuditEntry.id)
        if record_id is not None:
            query = query.where(AuditEntry.record_id == record_id)
        return [(entry.action, entry.field, entry.old_value, entry.new_value, entry.user_id)
                for entry in db.session.scalars(query)]


def user_form(csrf, **values):
    data = {"csrf_token": csrf["token"], "last_name": "Durand", "first_name": "Paul", "email": "paul@example.com",
            "language": "", "active": "y"}
    data.update(values)
    return {key: value for key, value in data.items() if value is not None}


def matrix_form(app, csrf, **overrides):
    """The matrix as saved roles hold it, with some roles' rights replaced."""
    data = {"csrf_token": csrf["token"]}
    with app.app_context():
        for role in db.session.scalars(select(Role)):
            data[f"rights-{role.id}"] = sorted(overrides.get(role.name, role.right_codes))
    return data


def other_client(app, user):
    """A second browser, logged in as `user`."""
    browser = app.test_client()
    with browser.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True
    return browser


# --- the list ---------------------------------------------------------------------------------------------------

def test_list_as_page_and_fragment(client, admin, make):
    make.user("DURAND Élodie", email="elodie@example.com")
    make.user("MARTIN Bob", email="bob@corp.fr")
    page = client.get("/admin/users")
    assert page.status_code == 200 and "<html" in page.text
    text = strip_tags(page.text)
    assert "DURAND Élodie" in text and "MARTIN Bob" in text and "ADMIN Alice" in text
    fragment = client.get("/admin/users?q=elodie", headers=HX | {"HX-Target": "users-results"})
    assert fragment.status_code == 200 and "<html" not in fragment.text
    assert "DURAND Élodie" in fragment.text and "MARTIN Bob" not in fragment.text
    assert "HX-Request" in fragment.headers["Vary"]
    by_email = client.get("/admin/users?q=CORP.FR", headers=HX | {"HX-Target": "users-results"})
    assert "MARTIN Bob" in by_email.text and "DURAND" not in by_email.text
    nobody = client.get("/admin/users?q=100%25", headers=HX | {"HX-Target": "users-results"})
    assert "Aucun utilisateur ne correspond à « 100% »" in nobody.text


@pytest.mark.parametrize("search", HOSTILE_SEARCHES)
def test_hostile_searches_answer_without_error(client, admin, search):
    response = client.get("/admin/users", query_string={"q": search}, headers=HX | {"HX-Target": "users-results"})
    assert response.status_code == 200
    assert "<script>" not in response.text


def test_own_row_has_no_deactivate_button(client, admin, make):
    other = make.user("MARTIN Bob")
    page = client.get("/admin/users").text
    assert f'id="user-{other.id}-toggle"' in page
    assert f'id="user-{admin.id}-toggle"' not in page


# --- create -----------------------------------------------------------------------------------------------------

def test_new_user_form_as_page_and_dialog(client, admin):
    page = client.get("/admin/users/new")
    assert page.status_code == 200 and "<html" in page.text and 'id="user-form"' in page.text
    assert "hx-post" not in page.text.split('id="user-form"')[1].split(">")[0]
    dialog = client.get("/admin/users/new", headers=HX | {"HX-Target": "dialog-slot"})
    assert dialog.status_code == 200 and dialog.text.lstrip().startswith("<dialog")
    assert "data-close-dialog" in dialog.text and 'hx-post="/admin/users/new"' in dialog.text


def test_create_user_as_page_then_they_log_in(client, admin, app, make, csrf):
    paris = make.entity("Paris")
    response = client.post("/admin/users/new", data=user_form(
        csrf, role_ids=[str(role_id(app, "Commercial"))], entity_ids=[str(paris.id)], language="en",
        password=NEW_PASSWORD, password_confirm=NEW_PASSWORD))
    assert response.status_code == 302 and response.headers["Location"].endswith("/admin/users")
    with app.app_context():
        user = db.session.scalars(select(User).where(User.email == "paul@example.com")).one()
        assert user.display_name == "DURAND Paul" and user.language == "en" and user.active
        assert [r.name for r in user.roles] == ["Commercial"] and [e.label for e in user.entities] == ["Paris"]
        user_id = user.id
    created = audit(app, "user", user_id)
    assert created[0][0] == "create" and created[0][4] == admin.id
    snapshot = json.loads(created[0][3])
    assert snapshot["roles"] == "Commercial" and snapshot["password"] == "***"
    assert NEW_PASSWORD not in created[0][3]
    fresh = app.test_client()
    fresh.get("/login")
    with fresh.session_transaction() as session:
        session["csrf_token"] = "t" * 40
    login = fresh.post("/login", data={"email": "PAUL@example.com", "password": NEW_PASSWORD,
                                       "csrf_token": csrf["token"]})
    assert login.status_code == 302 and "/login" not in login.headers["Location"]


def test_create_user_with_htmx_closes_the_dialog_and_adds_the_row(client, admin, app, csrf):
    response = client.post("/admin/users/new", headers=HX | {"HX-Target": "user-form"},
                           data=user_form(csrf, role_ids=[str(role_id(app, "Commercial"))]))
    assert response.status_code == 200
    assert response.headers["HX-Retarget"] == "#dialog-slot" and response.headers["HX-Reswap"] == "innerHTML"
    assert 'id="users-results"' in response.text and 'hx-swap-oob="true"' in response.text
    assert "DURAND Paul" in response.text
    assert "DURAND Paul" in json.loads(response.headers["HX-Trigger"])["toast-shown"]["message"]
    with app.app_context():
        user = db.session.scalars(select(User).where(User.email == "paul@example.com")).one()
        assert user.password_hash is None and not user.is_active  # no password: cannot log in yet


@pytest.mark.parametrize("values,message", [
    ({"last_name": ""}, "Saisissez le nom."),
    ({"email": "not-an-address"}, "Cette adresse e-mail n'est pas valide."),
    ({"email": "ALICE@example.com"}, "déjà utilisée"),
    ({"password": "short", "password_confirm": "short"}, "Entre 12 et 500 caractères."),
    ({"password": NEW_PASSWORD, "password_confirm": "other-password-123"}, "Les deux mots de passe diffèrent."),
    ({"last_name": "x" * 10_000}, "100 caractères au plus."),
    ({"last_name": "nul\x00"}, "caractères de contrôle"),
    ({"email": "nul\x00@example.com"}, "Cette adresse e-mail n'est pas valide."),
    ({"first_name": "\u202eevil"}, "caractères de contrôle"),
    ({"role_ids": ["999999"]}, "choix valide"),
])
def test_create_refuses_invalid_values_with_a_message(client, admin, app, csrf, values, message):
    data = user_form(csrf, **values)
    fragment = client.post("/admin/users/new", headers=HX | {"HX-Target": "user-form"}, data=data)
    assert fragment.status_code == 422
    assert fragment.text.lstrip().startswith('<form id="user-form"') and message in fragment.text
    assert 'aria-invalid="true"' in fragment.text or 'role="alert"' in fragment.text
    page = client.post("/admin/users/new", data=data)
    assert page.status_code == 422 and "<html" in page.text and message in page.text
    with app.app_context():
        assert db.session.scalar(select(User).where(User.email == "paul@example.com")) is None


def test_invalid_form_keeps_the_values_typed(client, admin, app, csrf):
    response = client.post("/admin/users/new", headers=HX, data=user_form(
        csrf, email="bad", first_name="Zoé", role_ids=[str(role_id(app, "Commercial"))], password="abc"))
    assert 'value="Zoé"' in response.text and 'value="bad"' in response.text
    assert 'checked id="role_ids-' in response.text
    assert 'value="abc"' not in response.text  # passwords are never sent back


def test_markup_in_names_is_shown_literally(client, admin, app, csrf):
    client.post("/admin/users/new", data=user_form(csrf, last_name="<script>alert(1)</script>"))
    page = client.get("/admin/users").text
    assert "&lt;SCRIPT&gt;ALERT(1)&lt;/SCRIPT&gt;" in page and "<script>alert" not in page.lower()


# --- edit -------------------------------------------------------------------------------------------------------

def test_edit_form_as_page_and_dialog(client, admin, make):
    bob = make.user("MARTIN Bob", email="bob@example.com")
    page = client.get(f"/admin/users/{bob.id}/edit")
    assert page.status_code == 200 and "<html" in page.text and 'value="bob@example.com"' in page.text
    dialog = client.get(f"/admin/users/{bob.id}/edit", headers=HX | {"HX-Target": "dialog-slot"})
    assert dialog.text.lstrip().startswith("<dialog") and "Modifier MARTIN Bob" in dialog.text
    assert 'name="password"' not in dialog.text  # passwords have their own screen
    assert client.get("/admin/users/999999/edit").status_code == 404


def test_edit_user_as_page(client, admin, app, make, csrf):
    lyon, paris = make.entity("Lyon"), make.entity("Paris")
    bob = make.user("MARTIN Bob", email="bob@example.com", entities=[lyon])
    response = client.post(f"/admin/users/{bob.id}/edit", data=user_form(
        csrf, last_name="Martin-Dupuis", first_name="Bob", email="bob.md@example.com", language="fr",
        role_ids=[str(role_id(app, "Responsable commercial"))], entity_ids=[str(paris.id)]))
    assert response.status_code == 302
    user = load(app, bob.id)
    assert user.display_name == "MARTIN-DUPUIS Bob" and user.email == "bob.md@example.com" and user.language == "fr"
    assert [r.name for r in user.roles] == ["Responsable commercial"] and [e.label for e in user.entities] == ["Paris"]
    changes = {entry[1]: (entry[2], entry[3]) for entry in audit(app, "user", bob.id) if entry[0] == "update"}
    assert changes["email"] == ("bob@example.com", "bob.md@example.com")
    assert changes["roles"] == ("Commercial", "Responsable commercial")
    assert changes["entities"] == ("Lyon", "Paris")
    assert "active" not in changes


def test_edit_user_with_htmx_updates_the_row_cells_out_of_band(client, admin, app, make, csrf):
    bob = make.user("MARTIN Bob", email="bob@example.com")
    response = client.post(f"/admin/users/{bob.id}/edit", headers=HX | {"HX-Target": "user-form"},
                           data=user_form(csrf, last_name="Martin", first_name="Robert", email="bob@example.com",
                                          role_ids=[str(role_id(app, "Commercial"))]))
    assert response.status_code == 200 and response.headers["HX-Retarget"] == "#dialog-slot"
    assert f'<td id="user-{bob.id}-name" hx-swap-oob="true">MARTIN Robert' in response.text
    assert f'id="user-{bob.id}-status"' in response.text
    assert f'id="user-{bob.id}-edit"' not in response.text  # the opener stays in place for the focus
    assert "toast-shown" in response.headers["HX-Trigger"]


def test_deactivated_entity_not_offered_unless_already_set(client, admin, app, make):
    old, gone = make.entity("Ancienne"), make.entity("Fermée")
    with app.app_context():
        for entity_id in (old.id, gone.id):
            db.session.get(Entity, entity_id).active = False
        db.session.commit()
    bob = make.user("MARTIN Bob", entities=[old])
    form = client.get(f"/admin/users/{bob.id}/edit").text
    assert "Ancienne" in form and "Fermée" not in form
    assert "Ancienne" not in client.get("/admin/users/new").text


# --- deactivate, logged out at the next request -----------------------------------------------------------------

def test_deactivated_user_is_logged_out_at_next_request(client, admin, app, make, csrf):
    bob = make.user("MARTIN Bob")
    bob_browser = other_client(app, bob)
    assert bob_browser.get("/contacts").status_code == 200
    response = client.post(f"/admin/users/{bob.id}/deactivate", data={"csrf_token": csrf["token"]})
    assert response.status_code == 302
    after = bob_browser.get("/contacts")
    assert after.status_code == 302 and "/login" in after.headers["Location"]
    htmx = bob_browser.get("/contacts", headers=HX)
    assert htmx.status_code == 401 and "/login" in htmx.headers["HX-Redirect"]
    assert ("update", "active", "oui", "non", admin.id) in audit(app, "user", bob.id)
    # and cannot log in again
    login = app.test_client()
    with login.session_transaction() as session:
        session["csrf_token"] = "t" * 40
    refused = login.post("/login", data={"email": bob.email, "password": PASSWORD, "csrf_token": csrf["token"]})
    assert refused.status_code == 422


def test_deactivate_with_htmx_returns_the_status_cell(client, admin, app, make, csrf):
    bob = make.user("MARTIN Bob")
    response = client.post(f"/admin/users/{bob.id}/deactivate", headers=HX | {"HX-Target": f"user-{bob.id}-status"},
                           data={"csrf_token": csrf["token"]})
    assert response.status_code == 200 and response.text.lstrip().startswith(f'<td id="user-{bob.id}-status"')
    assert "Inactif" in response.text and f'id="user-{bob.id}-toggle"' in response.text and "Réactiver" in response.text
    assert "déconnecté" in json.loads(response.headers["HX-Trigger"])["toast-shown"]["message"]
    response = client.post(f"/admin/users/{bob.id}/activate", headers=HX, data={"csrf_token": csrf["token"]})
    assert "Actif" in response.text and load(app, bob.id).active


def test_deactivating_by_the_edit_form_ends_sessions_too(client, admin, app, make, csrf):
    bob = make.user("MARTIN Bob", email="bob@example.com")
    bob_browser = other_client(app, bob)
    client.post(f"/admin/users/{bob.id}/edit", data=user_form(
        csrf, last_name="Martin", first_name="Bob", email="bob@example.com", active=None,
        role_ids=[str(role_id(app, "Commercial"))]))
    assert not load(app, bob.id).active
    assert "/login" in bob_browser.get("/contacts").headers["Location"]


def test_nobody_deactivates_themselves(client, admin, app, csrf):
    response = client.post(f"/admin/users/{admin.id}/deactivate", headers=HX, data={"csrf_token": csrf["token"]})
    assert response.status_code == 409 and "votre propre compte" in response.text
    page = client.post(f"/admin/users/{admin.id}/deactivate", data={"csrf_token": csrf["token"]})
    assert page.status_code == 302
    edit = client.post(f"/admin/users/{admin.id}/edit", headers=HX, data=user_form(
        csrf, last_name="Admin", first_name="Alice", email="alice@example.com", active=None,
        role_ids=[str(role_id(app, "Administrateur"))]))
    assert edit.status_code == 422 and "votre propre compte" in edit.text
    assert load(app, admin.id).active
    assert client.get("/admin/users").status_code == 200


# --- passwords --------------------------------------------------------------------------------------------------

def test_password_form_as_page_and_dialog(client, admin, make):
    bob = make.user("MARTIN Bob")
    assert "<html" in client.get(f"/admin/users/{bob.id}/password").text
    dialog = client.get(f"/admin/users/{bob.id}/password", headers=HX | {"HX-Target": "dialog-slot"})
    assert dialog.text.lstrip().startswith("<dialog") and 'autocomplete="new-password"' in dialog.text


@pytest.mark.parametrize("password,confirm,message", [
    ("", "", "Saisissez le nouveau mot de passe."),
    ("eleven-char", "eleven-char", "Entre 12 et 500 caractères."),
    (NEW_PASSWORD, NEW_PASSWORD + "x", "Les deux mots de passe diffèrent."),
    ("x" * 10_000, "x" * 10_000, "Entre 12 et 500 caractères."),
    ("twelve-chars\x00", "twelve-chars\x00", "caractère non autorisé"),
])
def test_password_refused_with_a_message(client, admin, app, make, csrf, password, confirm, message):
    bob = make.user("MARTIN Bob")
    response = client.post(f"/admin/users/{bob.id}/password", headers=HX | {"HX-Target": "password-form"},
                           data={"csrf_token": csrf["token"], "password": password, "password_confirm": confirm})
    assert response.status_code == 422 and message in response.text
    assert other_client(app, bob).get("/contacts").status_code == 200  # Bob's session goes on


def test_new_password_ends_old_sessions_and_works(client, admin, app, make, csrf):
    bob = make.user("MARTIN Bob")
    bob_browser = other_client(app, bob)
    response = client.post(f"/admin/users/{bob.id}/password", headers=HX | {"HX-Target": "password-form"},
                           data={"csrf_token": csrf["token"], "password": NEW_PASSWORD,
                                 "password_confirm": NEW_PASSWORD})
    assert response.status_code == 200 and response.text == ""
    assert response.headers["HX-Retarget"] == "#dialog-slot"
    assert "/login" in bob_browser.get("/contacts").headers["Location"]
    login = app.test_client()
    with login.session_transaction() as session:
        session["csrf_token"] = "t" * 40
    assert login.post("/login", data={"email": bob.email, "password": NEW_PASSWORD,
                                      "csrf_token": csrf["token"]}).status_code == 302
    entry = [e for e in audit(app, "user", bob.id) if e[1] == "password"][0]
    assert NEW_PASSWORD not in (entry[2] or "") + entry[3]
    page = client.post(f"/admin/users/{bob.id}/password", data={"csrf_token": csrf["token"],
                                                               "password": NEW_PASSWORD + "!",
                                                               "password_confirm": NEW_PASSWORD + "!"})
    assert page.status_code == 302


# --- own administration right -----------------------------------------------------------------------------------

def test_cannot_remove_own_admin_right_by_editing_own_roles(client, admin, app, csrf):
    response = client.post(f"/admin/users/{admin.id}/edit", headers=HX, data=user_form(
        csrf, last_name="Admin", first_name="Alice", email="alice@example.com",
        role_ids=[str(role_id(app, "Commercial"))]))
    assert response.status_code == 422
    assert "Vous ne pouvez pas retirer votre propre droit d'administration." in unescape(response.text)
    assert [r.name for r in load(app, admin.id).roles] == ["Administrateur"]
    # keeping a role that grants it is fine
    ok = client.post(f"/admin/users/{admin.id}/edit", data=user_form(
        csrf, last_name="Admin", first_name="Alice", email="alice@example.com",
        role_ids=[str(role_id(app, "Commercial")), str(role_id(app, "Administrateur"))]))
    assert ok.status_code == 302


def test_cannot_remove_own_admin_right_through_the_matrix(client, admin, app, csrf):
    data = matrix_form(app, csrf, Administrateur=set(RIGHTS) - {USERS})
    response = client.post("/admin/roles", headers=HX | {"HX-Target": "rights-form"}, data=data)
    assert response.status_code == 422
    assert "Vous ne pouvez pas retirer votre propre droit d'administration." in unescape(response.text)
    # the values submitted stay ticked as they were sent
    assert f'name="rights-{role_id(app, "Administrateur")}" value="{USERS}"' in response.text
    admin_box = response.text.split(f'name="rights-{role_id(app, "Administrateur")}" value="{USERS}"')[1]
    assert "checked" not in admin_box.split(">")[0]
    with app.app_context():
        assert USERS in db.session.get(Role, role_id(app, "Administrateur")).right_codes
    page = client.post("/admin/roles", data=data)
    assert page.status_code == 422 and "<html" in page.text


def test_another_admin_can_remove_my_admin_role_right(client, admin, app, make, csrf):
    """The rule protects the user saving, not the role: removing USERS from a role one does not hold is fine."""
    with app.app_context():
        role = db.session.get(Role, role_id(app, "Responsable commercial"))
        assert USERS not in role.right_codes
    data = matrix_form(app, csrf, **{"Responsable commercial": {PARAMETERS, USERS}})
    assert client.post("/admin/roles", data=data).status_code == 302
    data = matrix_form(app, csrf, **{"Responsable commercial": {PARAMETERS}})
    assert client.post("/admin/roles", data=data).status_code == 302


# --- the matrix -------------------------------------------------------------------------------------------------

def test_matrix_page(client, admin):
    page = client.get("/admin/roles")
    assert page.status_code == 200
    text = strip_tags(page.text)
    for label in RIGHTS.values():
        assert str(label) in text
    for name in ("Administrateur", "Commercial", "Responsable commercial"):
        assert name in text


def test_matrix_change_applies_at_the_next_request(client, admin, app, make, csrf):
    seller = make.user("VENTE Victor", role="Commercial")
    seller_browser = other_client(app, seller)
    assert seller_browser.get("/parameters").status_code == 403
    data = matrix_form(app, csrf, Commercial=load_codes(app, "Commercial") | {PARAMETERS, "not.a.right"})
    response = client.post("/admin/roles", headers=HX | {"HX-Target": "rights-form"}, data=data)
    assert response.status_code == 200 and response.text.lstrip().startswith('<form id="rights-form"')
    assert "toast-shown" in response.headers["HX-Trigger"]
    assert seller_browser.get("/parameters").status_code == 200
    assert "not.a.right" not in load_codes(app, "Commercial")
    entries = audit(app, "role", role_id(app, "Commercial"))
    assert entries and entries[-1][1] == "rights" and PARAMETERS in entries[-1][3]
    data = matrix_form(app, csrf, Commercial=load_codes(app, "Commercial") - {PARAMETERS})
    assert client.post("/admin/roles", data=data).status_code == 302
    assert seller_browser.get("/parameters").status_code == 403


def load_codes(app, name):
    with app.app_context():
        return set(db.session.get(Role, role_id(app, name)).right_codes)


def test_new_role(client, admin, app, csrf):
    response = client.post("/admin/roles/new", data={"csrf_token": csrf["token"], "name": "Assistante"})
    assert response.status_code == 302
    assert "Assistante" in strip_tags(client.get("/admin/roles").text)
    duplicate = client.post("/admin/roles/new", data={"csrf_token": csrf["token"], "name": "assistante"})
    assert duplicate.status_code == 422 and "existe déjà" in duplicate.text
    too_long = client.post("/admin/roles/new", data={"csrf_token": csrf["token"], "name": "r" * 10_000})
    assert too_long.status_code == 422 and "80 caractères au plus." in too_long.text
    assert audit(app, "role")[0][0] == "create"


# --- rights and CSRF --------------------------------------------------------------------------------------------

ROUTES = [
    ("get", "/admin/users"), ("get", "/admin/users/new"), ("post", "/admin/users/new"),
    ("get", "/admin/users/{id}/edit"), ("post", "/admin/users/{id}/edit"), ("get", "/admin/users/{id}/password"),
    ("post", "/admin/users/{id}/password"), ("post", "/admin/users/{id}/deactivate"),
    ("post", "/admin/users/{id}/activate"), ("get", "/admin/roles"), ("post", "/admin/roles"),
    ("post", "/admin/roles/new"),
]


@pytest.mark.parametrize("method,url", ROUTES)
def test_every_route_needs_the_users_right(client, make, login_as, app, csrf, method, url):
    login_as(make.user("CHEF Carla", role="Responsable commercial"))  # every right but USERS
    target = make.user("MARTIN Bob")
    response = getattr(client, method)(url.format(id=target.id), data=user_form(
        csrf, password=NEW_PASSWORD, password_confirm=NEW_PASSWORD, name="Pirates",
        **{f"rights-{role_id(app, 'Responsable commercial')}": USERS}))
    assert response.status_code == 403
    assert load(app, target.id).active and USERS not in load_codes(app, "Responsable commercial")


@pytest.mark.parametrize("method,url", ROUTES)
def test_every_route_needs_a_login(client, make, method, url):
    target = make.user("MARTIN Bob")
    response = getattr(client, method)(url.format(id=target.id))
    assert response.status_code in (302, 400)
    if response.status_code == 302:
        assert "/login" in response.headers["Location"]


def test_navigation_link_only_with_the_right(client, admin, make, login_as):
    assert 'href="/admin/users"' in client.get("/parameters").text
    login_as(make.user("CHEF Carla", role="Responsable commercial"))
    assert 'href="/admin/users"' not in client.get("/parameters").text


@pytest.mark.parametrize("url", ["/admin/users/new", "/admin/users/{id}/edit", "/admin/users/{id}/password",
                                 "/admin/users/{id}/deactivate", "/admin/roles", "/admin/roles/new"])
def test_posts_without_csrf_token_are_refused(client, admin, app, make, url):
    bob = make.user("MARTIN Bob")
    response = client.post(url.format(id=bob.id), data={"last_name": "X", "email": "x@example.com",
                                                        "password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD,
                                                        "name": "Sans jeton"})
    assert response.status_code == 400
    assert load(app, bob.id).active and other_client(app, bob).get("/contacts").status_code == 200
    assert "Sans jeton" not in strip_tags(client.get("/admin/roles").text)


# --- the service, without a request -----------------------------------------------------------------------------

def test_service_refuses_own_admin_right_and_keeps_the_matrix(app, make):
    alice = make.user("ADMIN Alice", role="Administrateur")
    with app.test_request_context():
        acting = db.session.get(User, alice.id)
        admin_role = db.session.get(Role, role_id(app, "Administrateur"))
        with pytest.raises(service.UserError, match="propre droit"):
            service.save_rights({admin_role.id: {PARAMETERS}}, acting)
        assert USERS in admin_role.right_codes
        assert service.save_rights({r.id: r.right_codes for r in service.all_roles()}, acting) == 0


def test_service_search_escapes_wildcards(app, make):
    make.user("MARTIN Bob", email="bob_1@example.com")
    make.user("MARTIN Bobby", email="bobx1@example.com")
    with app.app_context():
        assert [u.email for u in service.search_users("bob_1")] == ["bob_1@example.com"]
