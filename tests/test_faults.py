"""Faults and load: a busy or unreachable database answers 503 (never a 500, never a bare page), and imports
and exports are limited per user with counters in Redis that hold across app servers."""
import html
import http.cookiejar
import io
import os
import re
import shutil
import sqlite3
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
import redis
import sqlalchemy
from alembic import command
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import exc, func, select, text
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from webapp import config as config_module
from webapp import create_app
from webapp.errors import database_unavailable
from webapp.extensions import db
from webapp.models import AuditEntry, Contact, ImportBatch, LoginThrottle
from webapp.queries import ContactQuery
from webapp.services.reference_data import load_reference_data
from webapp.unit_of_work import unit_of_work

from . import live_server
from .conftest import HX, IN_CI, IS_PG, PASSWORD, Factory
from .live_server import free_port

SECURITY_HEADERS = ("Content-Security-Policy", "X-Content-Type-Options")


def _assert_unavailable(response, htmx=False):
    """A 503 that says to try again, with Retry-After and the headers every response carries."""
    assert response.status_code == 503
    assert int(response.headers["Retry-After"]) > 0
    assert all(name in response.headers for name in SECURITY_HEADERS)
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "Réessayez" in response.text
    if htmx:
        assert response.headers["HX-Retarget"] == "#toasts" and "<html" not in response.text
    else:
        assert "<html" in response.text and "Internal Server Error" not in response.text


# ------------------------------------------------------------------------------ any database: the error path

@pytest.fixture
def desk(make, login_as):
    east = make.entity("Est")
    user = login_as(make.user("COTILLON Marion", entities=[east]))
    contact = make.contact(make.client_account("APROOL", entities=[east]), "Blou", "Hélène", phone="01 20 35 99 65")
    return {"user": user, "contact": contact, "entity": east}


def _failing_queries(monkeypatch, error):
    """Every statement the app runs from now on raises `error`, as a database gone away would."""

    def execute(*args, **kwargs):
        raise error

    monkeypatch.setattr(db.session, "execute", execute)
    monkeypatch.setattr(db.session, "scalars", execute)
    monkeypatch.setattr(db.session, "scalar", execute)
    monkeypatch.setattr(db.session, "get", execute)


LOST = exc.OperationalError("SELECT 1", {}, Exception("server closed the connection unexpectedly"),
                            connection_invalidated=True)


@pytest.mark.parametrize("htmx", [False, True])
def test_a_lost_database_answers_503_before_the_user_is_loaded(client, desk, monkeypatch, htmx):
    _failing_queries(monkeypatch, LOST)
    # The user loader is the first to query: the error page cannot load the user again.
    response = client.get("/contacts", headers=HX if htmx else {})
    _assert_unavailable(response, htmx)
    assert response.headers["Cache-Control"] == "no-store"  # a logged-in session, even unverified


def test_the_error_page_keeps_the_user_already_loaded(client, desk, monkeypatch):
    def page_of_rows(*args, **kwargs):
        raise LOST  # the user was loaded while the database answered; the list's query finds it gone

    monkeypatch.setattr(ContactQuery, "page_of_rows", page_of_rows)
    response = client.get("/contacts")
    _assert_unavailable(response)
    assert "COTILLON Marion" in response.text and "Se connecter" not in response.text


def test_an_error_page_that_finds_the_database_gone_becomes_a_503(client, desk, monkeypatch):
    _failing_queries(monkeypatch, LOST)
    # No view queries a 404; its page asks who is logged in, and the loader finds the database gone.
    response = client.get("/no/such/page")
    _assert_unavailable(response)


def test_a_query_mistake_is_still_an_error_not_a_503():
    mistake = exc.OperationalError("SELECT nope", {}, sqlite3.OperationalError("no such column: nope"))
    assert not database_unavailable(mistake)
    busy = exc.OperationalError("UPDATE", {}, sqlite3.OperationalError("database is locked"))
    assert database_unavailable(busy)


# ------------------------------------------------------------------------------ SQLite: another writer's lock

@pytest.fixture
def exclusive_lock(app):
    """Another connection holds BEGIN EXCLUSIVE on the test database, as a long write elsewhere would."""
    path = urllib.parse.unquote(urllib.parse.urlsplit(app.config["SQLALCHEMY_DATABASE_URI"]).path[1:])
    holder = sqlite3.connect(path, isolation_level=None, timeout=1)
    holder.execute("BEGIN EXCLUSIVE")
    yield holder
    holder.execute("ROLLBACK")
    holder.close()


def _timed(call):
    """The call's result and how many seconds it took."""
    started = time.monotonic()
    response = call()
    return response, time.monotonic() - started


sqlite_only = pytest.mark.skipif(IS_PG, reason="SQLite's write lock (PostgreSQL: see the cluster test)")


@sqlite_only
def test_an_inline_save_under_another_writers_lock_answers_503_and_writes_nothing(app, client, csrf, desk,
                                                                                   exclusive_lock):
    contact = desk["contact"]
    response, seconds = _timed(lambda: client.post(
        f"/contacts/{contact.id}/cells/function", data={"value": "Directrice", "version": str(contact.version)},
        headers={**HX, "X-CSRFToken": csrf["token"]}))
    _assert_unavailable(response, htmx=True)
    busy = app.config["SQLITE_BUSY_TIMEOUT_MS"] / 1000
    assert busy <= 3 and seconds < busy + 3  # the short wait, not 10 s
    with app.app_context():  # read while the lock is still held: WAL lets readers in
        assert db.session.get(Contact, contact.id).function in (None, "")
        assert db.session.scalar(select(func.count()).select_from(AuditEntry)) == 0


@sqlite_only
def test_a_failed_login_under_the_lock_answers_503_and_counts_nothing(app, client, desk, csrf, exclusive_lock):
    with client.session_transaction() as session:
        session.pop("_user_id")  # someone not logged in yet
    response, seconds = _timed(lambda: client.post("/login", data={
        "email": desk["user"].email, "password": "wrong-password", "csrf_token": csrf["token"]}))
    _assert_unavailable(response)
    assert seconds < app.config["SQLITE_BUSY_TIMEOUT_MS"] / 1000 + 3
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(LoginThrottle)) == 0


@sqlite_only
def test_reads_go_on_under_another_writers_lock(client, desk, exclusive_lock):
    # WAL: BEGIN EXCLUSIVE blocks writers only; the list, its fragment and the record keep answering at once.
    for path, headers in (("/contacts", {}), ("/contacts", {**HX, "HX-Target": "results"}),
                          (f"/contacts/{desk['contact'].id}", {})):
        response, seconds = _timed(lambda: client.get(path, headers=headers))
        assert response.status_code == 200 and seconds < 1.5
        assert "Blou" in response.text or "BLOU" in response.text


@sqlite_only
def test_healthz_answers_during_the_lock(client, exclusive_lock):
    response, seconds = _timed(lambda: client.get("/healthz"))
    assert response.status_code == 200 and seconds < 1.5


# ------------------------------------------------------------------------------ PostgreSQL: a row lock held

pg_only = pytest.mark.skipif(not IS_PG, reason="PostgreSQL's row locks (SQLite: see the exclusive lock above)")


@pytest.fixture
def row_lock(app, desk):
    """Another PostgreSQL connection holds the contact's row with SELECT ... FOR UPDATE, as a stuck transaction
    elsewhere would; it lets go after 20 s at the latest (so that a request waiting without limit ends too)."""
    engine = sqlalchemy.create_engine(app.config["SQLALCHEMY_DATABASE_URI"])
    holder = engine.connect()
    holder.execute(text("SELECT id FROM contact WHERE id = :id FOR UPDATE"), {"id": desk["contact"].id})
    release = threading.Timer(20, holder.rollback)
    release.start()
    yield holder
    release.cancel()
    holder.rollback()
    holder.close()
    engine.dispose()


@pg_only
def test_a_save_waiting_for_a_row_lock_answers_503_and_writes_nothing(app, client, csrf, desk, row_lock):
    contact = desk["contact"]
    cell = client.post(f"/contacts/{contact.id}/cells/function",
                       data={"value": "Directrice", "version": str(contact.version)},
                       headers={**HX, "X-CSRFToken": csrf["token"]})
    _assert_unavailable(cell, htmx=True)
    form = client.post(f"/contacts/{contact.id}/edit", data={
        "client_id": contact.client_id, "last_name": "Blou", "first_name": "Hélène", "function": "Directrice",
        "country": "FR", "version": str(contact.version), "csrf_token": csrf["token"]})
    _assert_unavailable(form)
    with app.app_context():  # read while the lock is still held: nothing half-written
        assert db.session.get(Contact, contact.id).function in (None, "")
        assert db.session.scalar(select(func.count()).select_from(AuditEntry)) == 0
    row_lock.rollback()  # the other transaction ends: the same save goes through
    again = client.post(f"/contacts/{contact.id}/cells/function",
                        data={"value": "Directrice", "version": str(contact.version)},
                        headers={**HX, "X-CSRFToken": csrf["token"]})
    assert again.status_code == 200
    with app.app_context():
        assert db.session.get(Contact, contact.id).function == "Directrice"


@pg_only
def test_only_requests_have_a_lock_timeout(app):
    """Requests wait PG_LOCK_TIMEOUT_MS at most; migrations and CLI commands (no request) are not limited."""
    with app.app_context():
        assert db.session.scalar(text("SHOW lock_timeout")) == "0"
        db.session.remove()
    with app.test_request_context("/"):
        assert db.session.scalar(text("SHOW lock_timeout")) == f"{app.config['PG_LOCK_TIMEOUT_MS'] // 1000}s"
        db.session.remove()
    with app.app_context():
        assert db.session.scalar(text("SHOW lock_timeout")) == "0"
        db.session.remove()


# ------------------------------------------------------------------------------ rate limits, two app servers

@pytest.fixture
def redis_client(app):
    """The Redis the limits count in, with this test process's keys removed before and after."""
    connection = redis.Redis.from_url(app.config["RATELIMIT_STORAGE_URI"], socket_connect_timeout=1)
    try:
        connection.ping()
    except redis.RedisError as error:
        message = f"Redis is not reachable at {app.config['RATELIMIT_STORAGE_URI']}: {error}"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    pattern = f"*{app.config['RATELIMIT_KEY_PREFIX']}*"

    def clean():
        for key in list(connection.scan_iter(match=pattern, count=500))[:10_000]:
            connection.delete(key)

    clean()
    yield connection
    clean()
    connection.close()


@pytest.fixture
def two_servers(app, redis_client):
    """Two app instances on the same database and the same Redis, with low limits, as two app servers."""
    servers = []
    for _n in range(2):
        config = config_module.TestConfig()
        config.SQLALCHEMY_DATABASE_URI = app.config["SQLALCHEMY_DATABASE_URI"]
        config.IMPORT_RATE_LIMIT = "3/minute;5/hour"
        config.EXPORT_RATE_LIMIT = config.CONTACT_EXPORT_RATE_LIMIT = "2/minute"
        servers.append(create_app(config))
    yield servers
    for server in servers:
        with server.app_context():
            db.engine.dispose()


def _client_of(server, app, user):
    """A test client of `server` logged in as `user`, with a CSRF token (all servers share the secret key)."""
    client = server.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True
        session["csrf_token"] = "t" * 40
    client.token = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt="wtf-csrf-token").dumps("t" * 40)
    return client


CARD = b"BEGIN:VCARD\r\nVERSION:3.0\r\nN:Dupont;Jean\r\nFN:Jean Dupont\r\nORG:APROOL\r\nEND:VCARD\r\n"


def _upload(client, headers=None):
    values = MultiDict([("csrf_token", client.token), ("files", FileStorage(io.BytesIO(CARD), filename="a.vcf"))])
    boundary, body = encode_multipart(values)
    return client.post("/contacts/import", data=body, content_type=f"multipart/form-data; boundary={boundary}",
                       headers=headers or {})


def test_imports_beyond_the_limit_answer_429_across_app_servers(app, two_servers, desk, redis_client):
    first, second = (_client_of(server, app, desk["user"]) for server in two_servers)
    answers = [_upload(client).status_code for client in (first, second, first)]
    assert answers == [303, 303, 303]
    refused = _upload(second)  # the 4th import in the minute, on the other server
    assert refused.status_code == 429 and "<html" in refused.text
    assert "Trop d'imports" in html.unescape(refused.text) and "réessayez" in refused.text
    assert 0 < int(refused.headers["Retry-After"]) <= 60
    assert refused.headers["X-Content-Type-Options"] == "nosniff"
    toast = _upload(first, headers=HX)
    assert toast.status_code == 429 and toast.headers["HX-Retarget"] == "#toasts"
    assert "Trop d'imports" in html.unescape(toast.text) and "<html" not in toast.text
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ImportBatch)) == 3  # nothing kept beyond
    # The counters are Redis keys, not one process's memory.
    assert list(redis_client.scan_iter(match=f"*{app.config['RATELIMIT_KEY_PREFIX']}*user:{desk['user'].id}*"))


def test_import_confirmations_beyond_the_limit_answer_429(app, two_servers, desk, redis_client):
    first, second = (_client_of(server, app, desk["user"]) for server in two_servers)
    preview = _upload(first).headers["Location"]
    # Moving between the preview's pages is never counted; "Importer" is, apart from the uploads, across app
    # servers (here refused each time, the card's choice being one it does not offer); cancelling never is.
    assert [client.post(preview, data={"csrf_token": first.token, "action": "show:page=1"}).status_code
            for client in (first, second, first, second)] == [303] * 4
    refusable = {"csrf_token": first.token, "action": "commit", "c0": "update"}
    assert [client.post(preview, data=refusable).status_code for client in (first, second, first)] == [422] * 3
    refused = second.post(preview, data={"csrf_token": first.token})  # "Importer", the 4th in the minute
    assert refused.status_code == 429 and "Trop d'imports" in html.unescape(refused.text)
    assert 0 < int(refused.headers["Retry-After"]) <= 60
    toast = first.post(preview, data={"csrf_token": first.token}, headers=HX)
    assert toast.status_code == 429 and toast.headers["HX-Retarget"] == "#toasts"
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Contact)) == 1  # the desk's own: nothing imported
    assert first.post(preview, data={"csrf_token": first.token, "action": "cancel"}).status_code == 303
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ImportBatch)) == 0


def test_limits_count_per_user(app, two_servers, desk, make, redis_client):
    first = _client_of(two_servers[0], app, desk["user"])
    colleague = _client_of(two_servers[1], app, make.user("BERTRAND Nicolas", entities=[desk["entity"]]))
    assert [_upload(first).status_code for _n in range(4)] == [303, 303, 303, 429]
    assert _upload(colleague).status_code == 303


def test_exports_beyond_the_limit_answer_429(app, two_servers, desk, redis_client):
    first, second = (_client_of(server, app, desk["user"]) for server in two_servers)
    path = f"/contacts/{desk['contact'].id}/vcard"
    assert [first.get(path).status_code, second.get(path).status_code] == [200, 200]
    refused = first.get(path)
    assert refused.status_code == 429 and "Trop d'exports" in html.unescape(refused.text)
    bulk = {"ids": str(desk["contact"].id), "csrf_token": first.token}
    assert [first.post("/contacts/bulk/export", data=bulk).status_code for _n in range(3)] == [200, 200, 429]


# ------------------------------------------------------------------------------ PostgreSQL: stopped, then back

def _postgres_bin(name: str) -> Path | None:
    """The newest installed PostgreSQL's tool of that name, if any."""
    found = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"))
    return found[-1] if found else None


def _as_postgres(*command: str, timeout: int = 60) -> None:
    """Run a PostgreSQL tool as the postgres OS user (the server refuses to run as root)."""
    prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    subprocess.run(prefix + [str(part) for part in command], check=True, capture_output=True, timeout=timeout)


class Cluster:
    """A private PostgreSQL cluster in a temporary directory, on a free port, that a test stops and starts."""

    def __init__(self, initdb: Path):
        self.pg_ctl = initdb.with_name("pg_ctl")
        self.directory = Path(tempfile.mkdtemp(prefix="crm-faults-pg-"))
        self.data = self.directory / "data"
        self.port = free_port()
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"
        if os.geteuid() == 0:
            shutil.chown(self.directory, "postgres")
        _as_postgres(initdb, "-D", self.data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync")

    def start(self) -> None:
        _as_postgres(self.pg_ctl, "-D", self.data, "-l", self.directory / "server.log", "-w", "-t", "30", "-o",
                     f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1 -c fsync=off", "start")

    def stop(self, mode: str = "fast") -> None:
        _as_postgres(self.pg_ctl, "-D", self.data, "-m", mode, "-w", "-t", "30", "stop")

    def remove(self) -> None:
        if (self.data / "postmaster.pid").exists():
            self.stop("immediate")
        shutil.rmtree(self.directory, ignore_errors=True)


@pytest.fixture(scope="module")
def cluster():
    """A running private cluster; skipped (outside CI) where PostgreSQL's initdb is not installed."""
    initdb = _postgres_bin("initdb")
    if initdb is None:
        message = "PostgreSQL's initdb is not installed (/usr/lib/postgresql/*/bin): the cluster test needs it"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    server = Cluster(initdb)
    try:
        server.start()
        yield server
    finally:
        server.remove()


@pytest.fixture(scope="module")
def cluster_app(cluster):
    """The app on the private cluster, its schema made by the migrations."""
    config = config_module.TestConfig()
    config.SQLALCHEMY_DATABASE_URI = cluster.url
    cluster_app = create_app(config)
    with cluster_app.app_context():
        command.upgrade(cluster_app.extensions["migrate"].migrate.get_config(), "head")
        with unit_of_work():
            load_reference_data()
    yield cluster_app
    with cluster_app.app_context():
        db.engine.dispose()


def test_postgresql_stopped_answers_503_then_recovers_without_a_restart_of_the_app(cluster, cluster_app):
    make = Factory(cluster_app)
    east = make.entity("Est")
    user = make.user("COTILLON Marion", entities=[east])
    contact = make.contact(make.client_account("APROOL", entities=[east]), "Blou", "Hélène")
    client = _client_of(cluster_app, cluster_app, user)
    save = dict(path=f"/contacts/{contact.id}/cells/function",
                data={"value": "Directrice", "version": str(contact.version)},
                headers={**HX, "X-CSRFToken": client.token})
    assert client.get("/contacts").status_code == 200  # the pool holds connections that are about to die

    cluster.stop()
    _assert_unavailable(client.get("/contacts"))
    _assert_unavailable(client.get("/contacts", headers={**HX, "HX-Target": "results"}), htmx=True)
    _assert_unavailable(client.post(save["path"], data=save["data"], headers=save["headers"]), htmx=True)
    health = client.get("/healthz")
    assert health.status_code == 503 and health.headers["X-Content-Type-Options"] == "nosniff"
    assert health.json == {"status": "unavailable"} and int(health.headers["Retry-After"]) > 0

    cluster.start()
    assert client.get("/healthz").status_code == 200
    assert client.get("/contacts").status_code == 200
    saved = client.post(save["path"], data=save["data"], headers=save["headers"])
    assert saved.status_code == 200 and "Directrice" in saved.text
    with cluster_app.app_context():
        assert db.session.get(Contact, contact.id).function == "Directrice"
        assert db.session.scalar(select(func.count()).select_from(AuditEntry)) == 1  # the one save, not two


def test_postgresql_restarting_under_requests(cluster, cluster_app):
    """Requests during a restart answer 200 or 503, never 500; afterwards every one succeeds."""
    user = Factory(cluster_app).user("BERTRAND Nicolas", role="Administrateur", email="admin@example.com")
    client = _client_of(cluster_app, cluster_app, user)
    cluster.stop("immediate")  # a crash: the server's connections vanish without a goodbye
    statuses = {client.get("/contacts").status_code for _n in range(3)}
    cluster.start()
    statuses |= {client.get("/contacts").status_code for _n in range(3)}
    assert 503 in statuses and statuses <= {200, 503} and client.get("/contacts").status_code == 200


class Browser:
    """Plain HTTP with a cookie jar against a real server: what a user's browser sends, no test client."""

    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def request(self, path: str, data: dict | None = None, headers: dict | None = None):
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(self.base + path, data=body, headers=headers or {})
        try:
            with self.opener.open(request, timeout=20) as response:
                return response.status, response.headers, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.headers, error.read().decode()


@pytest.fixture
def gunicorn(cluster, cluster_app, tmp_path):
    """The app under gunicorn (as `make serve` runs it) on the private cluster; its address."""
    with live_server.gunicorn(cluster.url, tmp_path, env={"RATELIMIT_STORAGE_URI": "memory://"}) as port:
        yield f"http://127.0.0.1:{port}"


def test_gunicorn_answers_503_with_its_headers_while_postgresql_is_down(cluster, cluster_app, gunicorn):
    """The defect as first seen: a logged-in user got gunicorn's bare "Internal Server Error" (no toast, no CSP)."""
    Factory(cluster_app).user("MARTIN Claire", role="Administrateur", email="claire@example.com")
    browser = Browser(gunicorn)
    status, _headers, page = browser.request("/login")
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    status, _headers, page = browser.request("/login", {"csrf_token": token, "email": "claire@example.com",
                                                        "password": PASSWORD})
    assert status == 200 and "MARTIN Claire" in page  # logged in, on the list

    cluster.stop()
    try:
        for headers, marker in (({}, "<html"), ({**HX, "HX-Target": "results"}, 'class="toast toast-error"')):
            status, answer_headers, body = browser.request("/contacts", headers=headers)
            assert status == 503 and marker in body and "Réessayez" in body
            assert "default-src 'self'" in answer_headers["Content-Security-Policy"]
            assert answer_headers["X-Content-Type-Options"] == "nosniff" and answer_headers["Retry-After"]
        assert browser.request("/healthz")[0] == 503
    finally:
        cluster.start()
    assert browser.request("/healthz")[0] == 200
    status, _headers, page = browser.request("/contacts")
    assert status == 200 and "MARTIN Claire" in page  # the same session, the same workers, reconnected
