"""Sessions that really end: logout, a new password, a deactivation and an administrator end every copy of a
session; idle and absolute limits are checked on the server; parallel wrong passwords through a real server
(gunicorn, 2 workers) never answer 500 and never check more passwords than the limit."""
import hashlib
import json
import re
import threading
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlencode

import pytest
from sqlalchemy import event, select, update

from webapp import config as config_module
from webapp import create_app
from webapp.extensions import db
from webapp.models import AuditEntry, LoginThrottle, User, UserSession
from webapp.models.types import utcnow
from webapp.services import accounts, sessions

from . import live_server
from .conftest import HX, PASSWORD
from .live_server import request

ROOT = Path(__file__).resolve().parent.parent
NEW_PASSWORD = "a-brand-new-secret-42"
RESULTS = {**HX, "HX-Target": "results"}  # the list's results fragment, which a polling page asks for
CSRF_INPUT = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def browser(app, user=None):
    """A new browser; logged in through the login form when `user` is given."""
    client = app.test_client()
    if user is not None:
        token = CSRF_INPUT.search(client.get("/login").text).group(1)
        response = client.post("/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token})
        assert response.status_code == 302, response.text
    return client


def csrf_token(client) -> str:
    """The CSRF token a page of this browser's session carries."""
    return CSRF_INPUT.search(client.get("/parameters").text).group(1)


def session_key(client) -> str:
    with client.session_transaction() as session:
        return session["_user_id"]


def copy_of(app, client):
    """Another browser holding a copy of this browser's session cookie, as an attacker would have stolen it."""
    thief = app.test_client()
    thief.set_cookie("session", client.get_cookie("session").value)
    return thief


def assert_logged_out(client):
    """The page sends to the login; an htmx fragment answers 401 with HX-Redirect to it."""
    page = client.get("/contacts")
    assert page.status_code == 302 and "/login" in page.headers["Location"]
    fragment = client.get("/contacts", headers=RESULTS)
    assert fragment.status_code == 401 and fragment.headers["HX-Redirect"].startswith("/login")
    assert "BERTRAND" not in fragment.text


def assert_logged_in(client):
    assert client.get("/contacts").status_code == 200
    assert client.get("/contacts", headers=RESULTS).status_code == 200


def set_session(app, key: str, **values) -> None:
    """Move a session's timestamps, as time passing would."""
    with app.app_context():
        db.session.execute(update(UserSession).where(UserSession.key_hash == hashlib.sha256(key.encode())
                                                     .hexdigest()).values(**values))
        db.session.commit()


def session_row(app, key: str) -> UserSession:
    with app.app_context():
        row = db.session.get(UserSession, hashlib.sha256(key.encode()).hexdigest())
        db.session.expunge(row)
        return row


@pytest.fixture
def admin(make):
    return make.user("ADMIN Alice", role="Administrateur", email="alice@example.com")


@pytest.fixture
def bob(make):
    return make.user("BERTRAND Bob", role="Commercial", email="bob@example.com")


# --- logout --------------------------------------------------------------------------------------------------

def test_a_cookie_copied_before_logout_opens_nothing_after(app, bob):
    desk = browser(app, bob)
    token = csrf_token(desk)
    stolen = copy_of(app, desk)  # taken from a page already shown, so it holds the form's CSRF secret too
    assert_logged_in(stolen)
    assert desk.post("/logout", data={"csrf_token": token}).status_code == 302
    assert_logged_out(desk)
    assert_logged_out(stolen)
    # Writes too: the copy still carries a valid CSRF token, but no session any more.
    language = stolen.post("/account/language", data={"language": "en", "csrf_token": token})
    assert language.status_code == 302 and "/login" in language.headers["Location"]
    with app.app_context():
        assert db.session.get(User, bob.id).language is None


# Pages anyone may open: the login, the health check, the redirect to the list, static files.
PUBLIC = {"static", "auth.login", "health.healthz", "contacts.home", "carddav.well_known"}


def test_after_logout_a_copied_cookie_opens_no_url_at_all(app, bob):
    desk = browser(app, bob)
    stolen = copy_of(app, desk)
    desk.post("/logout", data={"csrf_token": csrf_token(desk)})
    # An id, or a number (int converter), is 1; any other argument "client".
    urls = [re.sub(r"<(?:(\w+):)?(\w+)>", lambda m: "1" if m.group(1) == "int" or m.group(2).endswith("_id")
                   else "client", rule.rule)
            for rule in app.url_map.iter_rules() if "GET" in rule.methods and rule.endpoint not in PUBLIC]
    assert len(urls) > 30
    for url in urls:
        if url.startswith("/dav/"):  # the address books never take the session cookie: an app password or 401
            assert stolen.get(url).status_code == 401, url
            continue
        page, fragment = stolen.get(url), stolen.get(url, headers=HX)
        assert page.status_code == 302 and "/login" in page.headers["Location"], url
        assert fragment.status_code == 401 and fragment.headers["HX-Redirect"].startswith("/login"), url


def test_a_logout_on_one_app_server_ends_the_session_on_the_other(app, bob):
    """Two app servers on one database: the copy of the cookie, used on the other server, opens nothing after."""
    config = config_module.TestConfig()
    config.SQLALCHEMY_DATABASE_URI = app.config["SQLALCHEMY_DATABASE_URI"]
    config.SECRET_KEY = app.config["SECRET_KEY"]
    other = create_app(config)
    try:
        desk = browser(app, bob)
        stolen = copy_of(other, desk)
        assert_logged_in(stolen)
        assert desk.post("/logout", data={"csrf_token": csrf_token(desk)}).status_code == 302
        assert_logged_out(stolen)
    finally:
        with other.app_context():
            db.engine.dispose()


def test_logout_ends_only_that_browser(app, bob):
    desk, laptop = browser(app, bob), browser(app, bob)
    desk.post("/logout", data={"csrf_token": csrf_token(desk)})
    assert_logged_out(desk)
    assert_logged_in(laptop)


def test_the_cookie_carries_a_random_key_and_the_database_only_its_hash(app, bob):
    desk = browser(app, bob)
    key = session_key(desk)
    assert len(key) >= 40 and not key.startswith(f"{bob.id}:")
    with app.app_context():
        stored = db.session.scalars(select(UserSession.key_hash).where(UserSession.user_id == bob.id)).all()
    assert hashlib.sha256(key.encode()).hexdigest() in stored and key not in stored
    row = session_row(app, key)
    assert row.ended_at is None and row.user_agent.startswith("Werkzeug")


def test_the_user_and_the_session_are_read_in_one_statement(app, bob):
    desk = browser(app, bob)
    statements = []

    def count(_connection, _cursor, statement, *_args):
        statements.append(statement)

    with app.test_request_context():
        event.listen(db.engine, "before_cursor_execute", count)
        try:
            user = sessions.session_user(session_key(desk))
            assert user.id == bob.id and user.can("contacts.list") and user.entities == []
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
    assert len(statements) == 1 and "user_session" in statements[0]


def test_a_cookie_of_the_former_shape_opens_nothing(app, bob, client):
    with client.session_transaction() as session:
        session["_user_id"] = f"{bob.id}:1"  # user id and session version, as before server-side sessions
    assert_logged_out(client)


# --- password, deactivation, administrator ------------------------------------------------------------------

def test_a_new_password_ends_the_users_sessions(app, admin, bob):
    office, bob_desk, bob_phone = browser(app, admin), browser(app, bob), browser(app, bob)
    response = office.post(f"/admin/users/{bob.id}/password",
                           data={"csrf_token": csrf_token(office), "password": NEW_PASSWORD,
                                 "password_confirm": NEW_PASSWORD})
    assert response.status_code == 302
    assert_logged_out(bob_desk)
    assert_logged_out(bob_phone)
    assert_logged_in(office)


def test_changing_ones_own_password_keeps_this_browser_and_ends_the_others(app, admin):
    office, home = browser(app, admin), browser(app, admin)
    stolen = copy_of(app, home)
    response = office.post(f"/admin/users/{admin.id}/password", headers=HX | {"HX-Target": "password-form"},
                           data={"csrf_token": csrf_token(office), "password": NEW_PASSWORD,
                                 "password_confirm": NEW_PASSWORD})
    assert response.status_code == 200
    assert_logged_in(office)
    assert_logged_out(home)
    assert_logged_out(stolen)


def test_deactivation_ends_every_session(app, admin, bob):
    office, bob_desk, bob_phone = browser(app, admin), browser(app, bob), browser(app, bob)
    response = office.post(f"/admin/users/{bob.id}/deactivate", headers=HX,
                           data={"csrf_token": csrf_token(office)})
    assert response.status_code == 200
    assert_logged_out(bob_desk)
    assert_logged_out(bob_phone)
    # Reactivated, Bob logs in again; the sessions ended before stay ended.
    office.post(f"/admin/users/{bob.id}/activate", headers=HX, data={"csrf_token": csrf_token(office)})
    assert_logged_in(browser(app, bob))
    assert_logged_out(bob_desk)


def test_the_administrator_ends_a_users_sessions(app, admin, bob):
    office, bob_desk, bob_phone = browser(app, admin), browser(app, bob), browser(app, bob)
    page = office.get("/admin/users")
    assert f'id="user-{bob.id}-end-sessions"' in page.text and "Mettre fin aux sessions" in page.text
    response = office.post(f"/admin/users/{bob.id}/sessions/end", headers=HX,
                           data={"csrf_token": csrf_token(office)})
    assert response.status_code == 200 and response.text == ""
    toast = json.loads(response.headers["HX-Trigger"])["toast-shown"]
    # Three live sessions: the factory's (a login of its own) and the two browsers'.
    assert toast["message"] == "3 sessions de BERTRAND Bob ont été fermées."
    assert_logged_out(bob_desk)
    assert_logged_out(bob_phone)
    assert_logged_in(office)
    with app.app_context():
        entry = db.session.scalars(select(AuditEntry).where(AuditEntry.record_type == "user",
                                                            AuditEntry.record_id == bob.id)).one()
    assert (entry.field, entry.old_value, entry.new_value, entry.user_id) == ("sessions", "3", "0", admin.id)
    assert_logged_in(browser(app, bob))  # Bob can log in again
    again = office.post(f"/admin/users/{bob.id}/sessions/end", data={"csrf_token": csrf_token(office)})
    assert again.status_code == 302 and again.headers["Location"].endswith("/admin/users")
    assert "1 session de BERTRAND Bob a été fermée." in office.get("/admin/users").text


def test_ending_sessions_needs_the_right_and_the_csrf_token(app, admin, bob, make):
    bob_desk = browser(app, bob)
    chief = browser(app, make.user("CHEF Carla", role="Responsable commercial"))
    refused = chief.post(f"/admin/users/{bob.id}/sessions/end", data={"csrf_token": csrf_token(chief)})
    assert refused.status_code == 403
    office = browser(app, admin)
    assert office.post(f"/admin/users/{bob.id}/sessions/end").status_code == 400
    assert office.post("/admin/users/999999/sessions/end", data={"csrf_token": csrf_token(office)}).status_code == 404
    assert_logged_in(bob_desk)


def test_an_administrator_ending_their_own_sessions_keeps_this_browser(app, admin):
    office, home = browser(app, admin), browser(app, admin)
    response = office.post(f"/admin/users/{admin.id}/sessions/end", headers=HX,
                           data={"csrf_token": csrf_token(office)})
    assert response.status_code == 200
    assert_logged_in(office)
    assert_logged_out(home)


# --- idle and absolute limits ---------------------------------------------------------------------------------

def test_an_idle_session_ends(app, bob):
    desk = browser(app, bob)
    idle = app.config["SESSION_IDLE_MINUTES"]
    set_session(app, session_key(desk), last_seen_at=utcnow() - timedelta(minutes=idle - 1))
    assert_logged_in(desk)  # seen again: its idle time starts over
    set_session(app, session_key(desk), last_seen_at=utcnow() - timedelta(minutes=idle, seconds=1))
    assert_logged_out(desk)


def test_last_seen_is_written_at_most_once_a_minute(app, bob):
    desk = browser(app, bob)
    key = session_key(desk)
    recent = utcnow() - timedelta(seconds=30)
    set_session(app, key, last_seen_at=recent)
    assert_logged_in(desk)
    assert session_row(app, key).last_seen_at == recent
    set_session(app, key, last_seen_at=utcnow() - timedelta(seconds=61))
    assert_logged_in(desk)
    assert utcnow() - session_row(app, key).last_seen_at < timedelta(seconds=5)


def test_a_session_polled_every_20_seconds_ends_at_the_absolute_limit(app, bob, monkeypatch):
    now = [utcnow()]
    monkeypatch.setattr(sessions, "utcnow", lambda: now[0])
    desk = browser(app, bob)
    started = now[0]
    limit = started + timedelta(hours=app.config["SESSION_MAX_HOURS"])
    # Kept busy up to 40 s before the limit (a poll every 20 s, in steps the idle limit allows), then polled on.
    step = timedelta(minutes=app.config["SESSION_IDLE_MINUTES"] - 5)
    while now[0] + step < limit - timedelta(seconds=40):
        now[0] += step
        assert desk.get("/contacts", headers=RESULTS).status_code == 200
    now[0] = limit - timedelta(seconds=40)
    answers = []
    for _poll in range(6):  # bounded: the limit falls within the first three polls
        answers.append((now[0] - started, desk.get("/contacts", headers=RESULTS).status_code))
        now[0] += timedelta(seconds=20)
    max_age = timedelta(hours=app.config["SESSION_MAX_HOURS"])
    assert [status for age, status in answers if age < max_age] == [200, 200]
    assert {status for age, status in answers if age >= max_age} == {401}
    assert desk.get("/contacts").status_code == 302


def test_the_limits_come_from_the_configuration(app, bob, monkeypatch):
    desk = browser(app, bob)
    monkeypatch.setitem(app.config, "SESSION_MAX_HOURS", 1)
    set_session(app, session_key(desk), created_at=utcnow() - timedelta(minutes=59))
    assert_logged_in(desk)
    set_session(app, session_key(desk), created_at=utcnow() - timedelta(minutes=61))
    assert_logged_out(desk)


def test_a_new_login_forgets_the_users_sessions_that_are_over(app, bob):
    desk, laptop = browser(app, bob), browser(app, bob)
    desk.post("/logout", data={"csrf_token": csrf_token(desk)})
    set_session(app, session_key(laptop), created_at=utcnow() - timedelta(hours=13))
    browser(app, bob)
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(UserSession)
                                 .where(UserSession.user_id == bob.id)) == 2  # the factory's and the new one


# --- the login throttle ---------------------------------------------------------------------------------------

def test_no_password_is_checked_beyond_the_limit(app, bob, monkeypatch):
    checks = []
    real_check = accounts.check_password_hash
    monkeypatch.setattr(accounts, "check_password_hash", lambda *args: checks.append(1) or real_check(*args))
    limit = app.config["LOGIN_MAX_FAILURES"]
    with app.test_request_context():
        results = [accounts.authenticate(bob.email, "wrong") for _try in range(limit + 3)]
        assert accounts.authenticate(bob.email, PASSWORD).user is None  # locked: even the right one waits
    assert len(checks) == limit
    assert [r.locked_until is None for r in results] == [True] * (limit - 1) + [False] * 4


def test_the_lock_passes_and_counting_starts_again(app, bob, monkeypatch):
    now = [utcnow()]
    monkeypatch.setattr(accounts, "utcnow", lambda: now[0])
    limit = app.config["LOGIN_MAX_FAILURES"]
    with app.test_request_context():
        for _try in range(limit):
            locked = accounts.authenticate(bob.email.upper(), "wrong")
        assert locked.locked_until == now[0] + timedelta(seconds=app.config["LOGIN_LOCK_SECONDS"])
        now[0] = locked.locked_until + timedelta(seconds=1)
        assert accounts.authenticate(bob.email, "wrong").locked_until is None  # the first try of a new count
        assert accounts.authenticate(bob.email, PASSWORD).user is not None
        db.session.commit()
        assert db.session.get(LoginThrottle, bob.email) is None  # a success forgets the tries


def test_a_try_is_kept_when_the_request_rolls_back(app, bob):
    """The request's unit of work rolls back a 422 or a 429: the try must already be committed."""
    with app.test_request_context():
        accounts.authenticate(bob.email, "wrong")
        db.session.rollback()
        assert db.session.get(LoginThrottle, bob.email).failures == 1


def test_a_nul_in_the_login_is_refused_like_a_wrong_password(client):
    token = CSRF_INPUT.search(client.get("/login").text).group(1)
    response = client.post("/login", data={"email": "a\x00b@example.com", "password": "x", "csrf_token": token})
    assert response.status_code == 422 and "Adresse e-mail ou mot de passe incorrect." in response.text


GUNICORN_CONFIG = '''
def post_fork(server, worker):
    """Count every password check of this worker in a file the test reads."""
    import webapp.services.accounts as accounts

    real_check = accounts.check_password_hash

    def counted(*args):
        with open({counter!r}, "a") as out:
            out.write("check\\n")
        return real_check(*args)

    accounts.check_password_hash = counted
'''


@pytest.fixture
def gunicorn(app, tmp_path):
    """The app under gunicorn (2 workers, 8 threads each) on the test database; yields (port, checks file)."""
    counter = tmp_path / "password-checks"
    with live_server.gunicorn(app.config["SQLALCHEMY_DATABASE_URI"], tmp_path, "--threads", "8",
                              config=GUNICORN_CONFIG.format(counter=str(counter))) as port:
        yield port, counter


def test_thirty_parallel_wrong_passwords_through_gunicorn(app, bob, gunicorn):
    port, counter = gunicorn
    attempts, limit = 30, app.config["LOGIN_MAX_FAILURES"]
    forms = []
    for _browser in range(attempts):  # each its own browser: a session cookie and the CSRF token of its form
        status, cookie, html = request(port, "GET", "/login")
        assert status == 200
        forms.append((cookie.split(";")[0], CSRF_INPUT.search(html).group(1)))
    barrier, statuses = threading.Barrier(attempts), []

    def wrong_password(cookie, token):
        barrier.wait(timeout=30)
        body = urlencode({"email": bob.email, "password": "wrong password", "csrf_token": token})
        try:
            statuses.append(request(port, "POST", "/login", body, cookie)[0])
        except OSError as error:
            statuses.append(repr(error))

    threads = [threading.Thread(target=wrong_password, args=form) for form in forms]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=90)
    assert not any(thread.is_alive() for thread in threads)
    assert sorted(statuses, key=str) == sorted([422] * (limit - 1) + [429] * (attempts - limit + 1), key=str)
    assert counter.read_text().count("check") == limit
    # Locked now, for the right password too, and still no check.
    status, cookie, html = request(port, "GET", "/login")
    body = urlencode({"email": bob.email, "password": PASSWORD, "csrf_token": CSRF_INPUT.search(html).group(1)})
    assert request(port, "POST", "/login", body, cookie.split(";")[0])[0] == 429
    assert counter.read_text().count("check") == limit
