"""Login, logout, failure throttling and deactivated users."""
from webapp.extensions import db
from webapp.models import User
from webapp.services.accounts import deactivate, set_password

from .conftest import HX, PASSWORD, strip_tags


def _login(client, csrf, email, password):
    return client.post("/login", data={"email": email, "password": password, "csrf_token": csrf["token"]})


def test_login_page_renders_form(client):
    response = client.get("/login")
    assert response.status_code == 200
    assert 'name="email"' in response.text and 'name="password"' in response.text


def test_login_then_contacts_then_logout(client, csrf, make):
    user = make.user("BERTRAND Nicolas")
    response = _login(client, csrf, user.email.upper(), PASSWORD)
    assert response.status_code == 302 and response.headers["Location"].endswith("/contacts")
    page = client.get("/contacts")
    assert page.status_code == 200 and "BERTRAND Nicolas" in page.text
    token = page.text.split('name="csrf_token" value="')[1].split('"')[0]
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    assert client.get("/contacts").status_code == 302


def test_login_renews_the_session(client, csrf, make):
    user = make.user()
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
    _login(client, csrf, user.email, PASSWORD)
    with client.session_transaction() as session:
        assert "planted" not in session
        assert session["_user_id"] not in (None, user.get_id())  # a session of its own, not one opened before
    assert client.get("/contacts").status_code == 200


def test_unknown_user_and_wrong_password_get_the_same_message(client, csrf, make):
    user = make.user()
    unknown = _login(client, csrf, "nobody@example.com", PASSWORD)
    wrong = _login(client, csrf, user.email, "wrong password")
    assert unknown.status_code == wrong.status_code == 422
    message = "Adresse e-mail ou mot de passe incorrect."
    assert message in unknown.text and message in wrong.text
    assert 'value="nobody@example.com"' in unknown.text  # what was typed is kept


def test_repeated_failures_lock_the_login_for_a_while(client, csrf, make, app):
    user = make.user()
    for _attempt in range(app.config["LOGIN_MAX_FAILURES"] - 1):
        assert _login(client, csrf, user.email, "wrong").status_code == 422
    locked = _login(client, csrf, user.email, "wrong")
    assert locked.status_code == 429 and "Trop de tentatives" in locked.text
    still_locked = _login(client, csrf, user.email, PASSWORD)  # even the right password waits
    assert still_locked.status_code == 429
    with client.session_transaction() as session:
        assert "_user_id" not in session


def test_lock_applies_to_unknown_emails_too(client, csrf, app):
    for _attempt in range(app.config["LOGIN_MAX_FAILURES"]):
        response = _login(client, csrf, "ghost@example.com", "wrong")
    assert response.status_code == 429


def test_user_without_password_cannot_log_in(client, csrf, make):
    user = make.user(password=None)
    assert _login(client, csrf, user.email, "").status_code == 422


def test_deactivated_user_is_logged_out_at_next_request(client, login_as, make, app):
    user = make.user()
    login_as(user)
    assert client.get("/contacts").status_code == 200
    with app.app_context():
        deactivate(db.session.get(User, user.id))
        db.session.commit()
    response = client.get("/contacts")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_password_change_ends_other_sessions(client, login_as, make, app):
    user = make.user()
    login_as(user)
    with app.app_context():
        set_password(db.session.get(User, user.id), "another-long-password")
        db.session.commit()
    assert client.get("/contacts").status_code == 302


def test_expired_session_on_htmx_request_redirects_with_hx_redirect(client):
    response = client.get("/contacts", headers=HX)
    assert response.status_code == 401
    assert response.headers["HX-Redirect"].startswith("/login")


def test_next_parameter_only_goes_to_this_site(client, csrf, make):
    user = make.user()
    response = client.post("/login?next=//evil.example/x",
                           data={"email": user.email, "password": PASSWORD, "csrf_token": csrf["token"]})
    assert response.headers["Location"].endswith("/contacts")


def test_session_cookie_flags(client, csrf, make):
    user = make.user()
    response = _login(client, csrf, user.email, PASSWORD)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_login_form_errors_are_beside_fields(client, csrf):
    response = client.post("/login", data={"email": "", "password": "", "csrf_token": csrf["token"]})
    assert response.status_code == 422
    text = strip_tags(response.text)
    assert "Saisissez votre adresse e-mail." in text and "Saisissez votre mot de passe." in text


def test_the_user_chooses_the_language_and_it_wins_over_the_browser(client, csrf, login_as, make, app):
    user = login_as(make.user())
    assert client.get("/contacts", headers={"Accept-Language": "en"}).status_code == 200
    response = client.post("/account/language", data={"language": "fr", "next": "/contacts?q=x",
                                                        "csrf_token": csrf["token"]})
    assert response.status_code == 302 and response.headers["Location"].endswith("/contacts?q=x")
    with app.app_context():
        assert db.session.get(User, user.id).language == "fr"
    page = client.get("/contacts", headers={"Accept-Language": "en"})
    assert '<html lang="fr">' in page.text
    client.post("/account/language", data={"language": "xx", "next": "//evil.example", "csrf_token": csrf["token"]})
    with app.app_context():
        assert db.session.get(User, user.id).language == "fr"


def test_without_a_choice_the_browser_language_is_used(client, login_as, make):
    login_as(make.user())
    assert '<html lang="en">' in client.get("/contacts", headers={"Accept-Language": "en-GB,en;q=0.9"}).text
    assert '<html lang="fr">' in client.get("/contacts", headers={"Accept-Language": "de"}).text
