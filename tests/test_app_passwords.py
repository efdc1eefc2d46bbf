"""App passwords (what a phone signs in to CardDAV with) and the Mon compte page that manages them: the service
without HTTP, then the page as a plain request and as htmx."""
import hashlib
import re
from datetime import timedelta
from urllib.parse import quote

import pytest
from sqlalchemy import select

from webapp.extensions import db
from webapp.models import AppPassword, AuditEntry, LoginThrottle, User
from webapp.services import app_passwords
from webapp.unit_of_work import unit_of_work

from .conftest import HX, PASSWORD, strip_tags

SECRET_SHAPE = re.compile(r"^[a-z2-7]{4}(-[a-z2-7]{4}){7}$")


def _create(app, user, label="iPhone de Marion") -> tuple[int, str]:
    """A password created in a unit of work, as a request would: its id and clear secret."""
    with app.app_context(), unit_of_work():
        password, secret = app_passwords.create(db.session.get(User, user.id), label)
        db.session.flush()
        return password.id, secret


def _auth(app, login, secret):
    with app.app_context(), unit_of_work():
        result = app_passwords.sign_in(login, secret)
        return (result.user.id if result.user else None), result.locked_until


def _row(app, password_id) -> AppPassword:
    with app.app_context():
        password = db.session.get(AppPassword, password_id)
        db.session.expunge(password)
        return password


def _secret_of(html: str) -> str | None:
    found = re.search(r'id="app-secret"[^>]*>([^<]+)<', html)
    return found.group(1) if found else None


# ---------------------------------------------------------------------------------------------- the service

def test_a_created_secret_signs_its_user_in_and_only_its_hash_is_kept(app, make):
    marion = make.user("COTILLON Marion", email="Marion.Cotillon@example.com")
    password_id, secret = _create(app, marion, "  iPhone de Marion  ")
    assert SECRET_SHAPE.match(secret)  # 160 random bits, lowercase base32 in groups of 4
    row = _row(app, password_id)
    assert row.label == "iPhone de Marion"
    assert row.secret_hash == hashlib.sha256(secret.encode()).hexdigest()
    with app.app_context():
        assert app_passwords.authenticate("marion.cotillon@EXAMPLE.com", secret).id == marion.id
        assert [p.id for p in app_passwords.active_for(db.session.get(User, marion.id))] == [password_id]
        # typed on a phone: upper case, spaces instead of dashes, no dashes at all
        assert app_passwords.authenticate(marion.email, secret.upper().replace("-", " ")).id == marion.id
        assert app_passwords.authenticate(marion.email, secret.replace("-", "")).id == marion.id
        audit = db.session.scalars(select(AuditEntry).where(AuditEntry.record_type == "app_password")).one()
        assert (audit.action, audit.via, audit.user_id) == ("create", "form", marion.id)
        assert secret not in audit.new_value and row.secret_hash not in audit.new_value
        assert "iPhone de Marion" in audit.new_value


def test_two_passwords_are_different_and_listed_newest_first(app, make):
    marion = make.user()
    first_id, first = _create(app, marion, "iPhone")
    second_id, second = _create(app, marion, "iPad")
    assert first != second
    with app.app_context():
        assert [p.label for p in app_passwords.active_for(db.session.get(User, marion.id))] == ["iPad", "iPhone"]


def test_the_secret_works_only_for_its_own_user(app, make):
    marion, paul = make.user(email="marion@example.com"), make.user(email="paul@example.com")
    _id, secret = _create(app, marion)
    assert _auth(app, "paul@example.com", secret) == (None, None)
    assert _auth(app, "nobody@example.com", secret) == (None, None)
    assert _auth(app, "marion@example.com", secret)[0] == marion.id
    assert paul.id != marion.id


def test_the_login_password_does_not_work_through_carddav(app, make):
    marion = make.user()
    _create(app, marion)
    assert _auth(app, marion.email, PASSWORD) == (None, None)
    assert _auth(app, marion.email, "") == (None, None)


def test_a_revoked_password_fails_and_leaves_the_list(app, make):
    marion = make.user()
    password_id, secret = _create(app, marion)
    kept_id, kept = _create(app, marion, "iPad")
    with app.app_context(), unit_of_work():
        assert app_passwords.revoke(db.session.get(User, marion.id), password_id) is True
    with app.app_context(), unit_of_work():
        assert app_passwords.revoke(db.session.get(User, marion.id), password_id) is False  # already revoked
    assert _row(app, password_id).revoked_at is not None
    assert _auth(app, marion.email, secret) == (None, None)
    assert _auth(app, marion.email, kept)[0] == marion.id
    with app.app_context():
        assert [p.id for p in app_passwords.active_for(db.session.get(User, marion.id))] == [kept_id]
        revoked = db.session.scalars(select(AuditEntry).where(AuditEntry.record_type == "app_password",
                                                              AuditEntry.action == "update")).one()
        assert (revoked.record_id, revoked.field, revoked.via) == (password_id, "revoked_at", "form")


@pytest.mark.parametrize("change", ["inactive", "no login password"])
def test_an_inactive_user_or_one_without_a_login_password_fails(app, make, change):
    marion = make.user()
    _id, secret = _create(app, marion)
    with app.app_context(), unit_of_work():
        user = db.session.get(User, marion.id)
        if change == "inactive":
            user.active = False
        else:
            user.password_hash = None
    assert _auth(app, marion.email, secret) == (None, None)


def test_another_user_cannot_revoke_your_password(app, make):
    marion, paul = make.user(), make.user()
    password_id, secret = _create(app, marion)
    with app.app_context(), unit_of_work():
        assert app_passwords.revoke(db.session.get(User, paul.id), password_id) is False
    assert _row(app, password_id).revoked_at is None
    assert _auth(app, marion.email, secret)[0] == marion.id


@pytest.mark.parametrize("label, message", [("", "Saisissez le nom de l'appareil."),
                                            ("   ", "Saisissez le nom de l'appareil."),
                                            ("x" * 81, "80 caractères au plus."),
                                            ("iPhone\x00", "caractères de contrôle")])
def test_a_label_is_required_and_80_characters_at_most(app, make, label, message):
    marion = make.user()
    with app.app_context():
        with pytest.raises(app_passwords.AppPasswordError) as refused:
            app_passwords.create(db.session.get(User, marion.id), label)
        assert isinstance(refused.value, ValueError) and message in refused.value.message
        db.session.rollback()
    assert _create(app, marion, "x" * 80)[0]


def test_wrong_secrets_lock_the_login_form_too_and_then_even_the_right_secret(app, client, csrf, make):
    marion = make.user(email="marion@example.com")
    _id, secret = _create(app, marion)
    limit = app.config["LOGIN_MAX_FAILURES"]
    for _attempt in range(limit - 1):
        assert _auth(app, "MARION@example.com", "aaaa-bbbb") == (None, None)
    user_id, locked_until = _auth(app, "marion@example.com", "aaaa-bbbb")
    assert user_id is None and locked_until is not None
    # the same throttle, the same key: the login form is locked for this e-mail, with the right password
    response = client.post("/login", data={"email": "marion@example.com", "password": PASSWORD,
                                           "csrf_token": csrf["token"]})
    assert response.status_code == 429 and "Trop de tentatives" in response.text
    # and CardDAV with the right secret waits as well, saying until when
    assert _auth(app, "marion@example.com", secret) == (None, locked_until)


def test_login_form_failures_lock_carddav(app, client, csrf, make):
    marion = make.user(email="marion@example.com")
    _id, secret = _create(app, marion)
    for _attempt in range(app.config["LOGIN_MAX_FAILURES"]):
        client.post("/login", data={"email": "marion@example.com", "password": "wrong",
                                    "csrf_token": csrf["token"]})
    user_id, locked_until = _auth(app, "marion@example.com", secret)
    assert user_id is None and locked_until is not None


def test_a_success_clears_the_failures_like_the_login(app, make):
    marion = make.user(email="marion@example.com")
    _id, secret = _create(app, marion)
    for _attempt in range(app.config["LOGIN_MAX_FAILURES"] - 1):
        _auth(app, marion.email, "wrong")
    assert _auth(app, marion.email, secret)[0] == marion.id
    with app.app_context():
        assert db.session.get(LoginThrottle, "marion@example.com") is None
    # a whole new allowance of tries: one more failure does not lock
    assert _auth(app, marion.email, "wrong") == (None, None)


def test_success_notes_the_last_use_at_most_once_a_minute_and_writes_no_throttle(app, make):
    marion = make.user()
    password_id, secret = _create(app, marion)
    assert _row(app, password_id).last_used_at is None
    assert _auth(app, marion.email, secret)[0] == marion.id
    first = _row(app, password_id).last_used_at
    assert first is not None
    assert _auth(app, marion.email, secret)[0] == marion.id
    assert _row(app, password_id).last_used_at == first  # a sync's next request writes nothing
    with app.app_context():
        assert db.session.scalars(select(LoginThrottle)).all() == []
        with unit_of_work():
            db.session.get(AppPassword, password_id).last_used_at = first - timedelta(minutes=2)
    assert _auth(app, marion.email, secret)[0] == marion.id
    assert _row(app, password_id).last_used_at > first


def test_hostile_logins_and_secrets_fail_without_an_error(app, make):
    marion = make.user()
    _create(app, marion)
    for login, secret in [("\x00", "x"), (marion.email, "\x00"), (marion.email, "\udcff"), ("x" * 10_000, "y"),
                          (marion.email, "a" * 100_000)]:
        assert _auth(app, login, secret)[0] is None


# ---------------------------------------------------------------------------------------------- the page

@pytest.fixture
def marion(make, login_as):
    return login_as(make.user("COTILLON Marion", email="marion@example.com"))


def _post_create(client, csrf, label="iPhone de Marion", headers=None):
    return client.post("/account/app-passwords", data={"label": label, "csrf_token": csrf["token"]},
                       headers=headers or {})


def test_account_page_shows_the_user_and_what_to_type_in_the_phone(client, marion, app):
    _id, _secret = _create(app, marion, "Pixel de Marion")
    response = client.get("/account")
    assert response.status_code == 200
    text = strip_tags(response.text)
    assert "Mon compte" in text and "COTILLON Marion" in text and "marion@example.com" in text
    assert "Carnet d'adresses sur téléphone (CardDAV)" in text
    assert "http://localhost/.well-known/carddav" in text
    assert "Pixel de Marion" in text and "Jamais utilisé" in text and "Créé le" in text
    assert 'placeholder="iPhone de Marion"' in response.text
    assert "Créer un mot de passe d'application" in text
    assert 'id="app-secret"' not in response.text
    assert 'href="/account"' in response.text  # the header's link


def test_account_page_is_only_for_a_logged_in_user(client):
    response = client.get("/account")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert client.get("/account", headers=HX).status_code == 401


def test_account_section_as_an_htmx_fragment(client, marion):
    response = client.get("/account", headers=HX | {"HX-Target": "carddav"})
    assert response.status_code == 200
    assert response.text.lstrip().startswith("<section id=\"carddav\"")
    assert "<html" not in response.text and "Identité" not in response.text
    assert "HX-Request" in response.headers["Vary"]


def test_creation_shows_the_secret_once_with_its_qr_code_never_cached(client, marion, csrf, app):
    response = _post_create(client, csrf)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    secret = _secret_of(response.text)
    assert secret and SECRET_SHAPE.match(secret)
    text = strip_tags(response.text)
    assert "il ne sera plus jamais affiché" in text and "sur cet appareil seulement" in text
    assert "<svg" in response.text and 'class="qr-code"' in response.text
    assert "/app-passwords/" not in response.text.split('id="app-secret"')[1].split("</svg>")[0]  # inline, no URL
    # the secret works, for this user
    with app.app_context():
        assert app_passwords.authenticate("marion@example.com", secret).id == marion.id
    # the next GET lists the device but never shows the secret again
    again = client.get("/account")
    assert secret not in again.text and 'id="app-secret"' not in again.text and "<svg" not in again.text
    assert "iPhone de Marion" in again.text


def test_the_qr_code_holds_the_setup_url_with_the_credentials_percent_encoded(client, make, login_as, csrf,
                                                                             monkeypatch):
    login_as(make.user(email="marion+crm@example.com"))
    made = []
    from webapp.auth import account_routes
    monkeypatch.setattr(account_routes, "_qr_svg", lambda payload: made.append(payload) or "<svg></svg>")
    response = _post_create(client, csrf)
    secret = _secret_of(response.text)
    assert made == [f"http://{quote('marion+crm@example.com', safe='')}:{secret}@localhost/.well-known/carddav"]
    assert "marion%2Bcrm%40example.com" in made[0]


def test_creation_with_htmx_swaps_the_section(client, marion, csrf):
    response = _post_create(client, csrf, headers=HX | {"HX-Target": "carddav"})
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    assert response.text.lstrip().startswith("<section id=\"carddav\"")
    assert "<html" not in response.text
    assert _secret_of(response.text) and "<svg" in response.text
    # the form comes back empty for another device
    assert 'value="iPhone de Marion"' not in response.text


@pytest.mark.parametrize("headers", [{}, HX | {"HX-Target": "carddav"}], ids=["page", "htmx"])
def test_an_empty_label_is_refused_beside_the_field(client, marion, csrf, headers):
    response = _post_create(client, csrf, "   ", headers)
    assert response.status_code == 422
    assert re.search(r'class="field-error" id="label-error">Saisissez le nom de l(&#39;|\')appareil.<', response.text)
    assert 'id="app-secret"' not in response.text
    long = _post_create(client, csrf, "x" * 81, headers)
    assert long.status_code == 422 and "80 caractères au plus." in long.text
    assert 'value="' + "x" * 81 + '"' in long.text  # what was typed is kept
    assert ("<html" in response.text) == (not headers)
    with client.application.app_context():
        assert db.session.scalars(select(AppPassword)).all() == []


def test_creation_and_revocation_need_the_csrf_token(client, marion, app):
    assert client.post("/account/app-passwords", data={"label": "iPhone"}).status_code == 400
    password_id, _secret = _create(app, marion)
    assert client.post(f"/account/app-passwords/{password_id}/revoke").status_code == 400
    with app.app_context():
        assert db.session.scalars(select(AppPassword)).one().revoked_at is None


def test_revocation_asks_then_revokes_and_comes_back_to_the_account(client, marion, csrf, app):
    password_id, secret = _create(app, marion)
    url = f"/account/app-passwords/{password_id}/revoke"
    question = client.get(url)
    assert question.status_code == 200 and "<html" in question.text
    assert "Révoquer le mot de passe « iPhone de Marion » ?" in question.text
    response = client.post(url, data={"csrf_token": csrf["token"]})
    assert response.status_code == 302 and response.headers["Location"].endswith("/account")
    page = client.get("/account")
    assert "est révoqué" in page.text and "iPhone de Marion" not in strip_tags(page.text).split("est révoqué")[1]
    with app.app_context():
        assert app_passwords.authenticate(marion.email, secret) is None
    assert client.get(url).status_code == 404  # revoked already


def test_revocation_with_htmx_is_a_dialog_then_the_section_and_a_toast(client, marion, csrf, app):
    password_id, _secret = _create(app, marion)
    url = f"/account/app-passwords/{password_id}/revoke"
    dialog = client.get(url, headers=HX | {"HX-Target": "dialog-slot"})
    assert dialog.status_code == 200
    assert "<dialog" in dialog.text and "<html" not in dialog.text and 'hx-target="#carddav"' in dialog.text
    response = client.post(url, data={"csrf_token": csrf["token"]}, headers=HX | {"HX-Target": "carddav"})
    assert response.status_code == 200
    assert response.text.lstrip().startswith("<section id=\"carddav\"")
    assert '<div id="dialog-slot" hx-swap-oob="true"></div>' in response.text
    assert "Aucun appareil" in response.text
    assert "toast-shown" in response.headers["HX-Trigger"] and "HX-Request" in response.headers["Vary"]


def test_another_user_cannot_see_nor_revoke_your_password(client, make, login_as, csrf, app):
    marion = make.user(email="marion@example.com")
    password_id, secret = _create(app, marion, "Pixel 8 de Marion")
    login_as(make.user(email="paul@example.com"))
    url = f"/account/app-passwords/{password_id}/revoke"
    assert client.get(url).status_code == 404
    assert client.post(url, data={"csrf_token": csrf["token"]}).status_code == 404
    assert client.post(url, data={"csrf_token": csrf["token"]}, headers=HX).status_code == 404
    assert "Pixel 8 de Marion" not in client.get("/account").text
    with app.app_context():
        assert app_passwords.authenticate("marion@example.com", secret).id == marion.id


def test_markup_in_a_label_is_shown_as_text(client, marion, csrf):
    response = _post_create(client, csrf, "<b>iPhone</b>")
    assert response.status_code == 200
    assert "&lt;b&gt;iPhone&lt;/b&gt;" in response.text and "<b>iPhone</b>" not in response.text


def test_the_page_in_english(client, make, login_as):
    login_as(make.user(email="en@example.com"))
    with client.application.app_context(), unit_of_work():
        db.session.scalars(select(User).where(User.email == "en@example.com")).one().language = "en"
    text = strip_tags(client.get("/account").text)
    assert "My account" in text and "Carnet d'adresses" not in text


def test_behind_a_trusted_proxy_the_server_address_is_the_one_the_user_typed(app, make, login_as, client):
    from webapp import create_app
    from webapp.config import TestConfig

    user = make.user(email="marion@example.com")
    forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "crm.example.fr"}
    login_as(user)
    assert "https://crm.example.fr" not in client.get("/account", headers=forwarded).text  # no proxy trusted
    config = TestConfig()
    config.SQLALCHEMY_DATABASE_URI, config.PROXY_COUNT = app.config["SQLALCHEMY_DATABASE_URI"], 1
    proxied = create_app(config)
    try:
        browser = proxied.test_client()
        with browser.session_transaction() as session:
            session["_user_id"], session["_fresh"] = user.get_id(), True
        page = browser.get("/account", headers=forwarded).text
        assert "https://crm.example.fr/.well-known/carddav" in page
    finally:
        with proxied.app_context():
            db.engine.dispose()
