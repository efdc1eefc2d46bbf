"""Fixtures after flaskr: app, client, factories, login_as. The database is chosen by TEST_DATABASE_URL:
SQLite (a file per test module) by default, PostgreSQL when it names one. Each module gets a fresh schema
made by the migrations; each test starts from empty tables holding only the reference lists."""
import io
import os
import re
import subprocess
import sys
import time
from itertools import count
from pathlib import Path

import pytest
from alembic import command
from PIL import Image
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.engine import make_url

from webapp import create_app
from webapp import config as config_module
from webapp.extensions import db as _db
from webapp.models import Client, Contact, Entity, Role, User
from webapp.services.accounts import hash_password
from webapp.services.reference_data import load_reference_data
from webapp.services.sessions import start_session
from webapp.unit_of_work import unit_of_work

from .contacts_csv import write_contacts_csv

def pytest_configure(config):
    """Compile the translation catalogs when a bare `pytest` runs before `make` did (French plurals need them)."""
    root = Path(__file__).resolve().parent.parent
    for po in root.glob("translations/*/LC_MESSAGES/messages.po"):
        mo = po.with_suffix(".mo")
        if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
            subprocess.run([str(Path(sys.executable).with_name("pybabel")), "compile", "-d",
                            str(root / "translations")], check=True, capture_output=True)
            break


PG_URL = os.environ.get("TEST_DATABASE_URL", "")
IS_PG = PG_URL.startswith("postgresql")
IN_CI = os.environ.get("CI") == "true"
PASSWORD = "correct-horse-battery"


def _ensure_pg_database(url: str) -> None:
    """Create the test database when missing; without a server, fail under CI and skip elsewhere."""
    parsed = make_url(url)
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            exists = conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": parsed.database})
            if not exists:
                conn.execute(text(f'CREATE DATABASE "{parsed.database}"'))
    except Exception as error:  # noqa: BLE001 - any connection failure means "no PostgreSQL here"
        message = f"PostgreSQL is not reachable at {parsed.render_as_string(hide_password=True)}: {error}"
        if IN_CI:
            pytest.exit(message, returncode=3)
        pytest.skip(message, allow_module_level=True)
    finally:
        admin.dispose()


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    """An app on a fresh schema built by the migrations, one per test module."""
    config = config_module.TestConfig()
    if IS_PG:
        _ensure_pg_database(PG_URL)
        config.SQLALCHEMY_DATABASE_URI = PG_URL
        engine = create_engine(PG_URL)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    else:
        config.SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"
    app = create_app(config)
    with app.app_context():
        command.upgrade(app.extensions["migrate"].migrate.get_config(), "head")
    yield app
    with app.app_context():
        _db.engine.dispose()


@pytest.fixture(autouse=True)
def _clean_tables(request):
    """Empty every table after a test and put the reference lists back, so tests never see each other's rows."""
    if "app" not in request.fixturenames:
        yield
        return
    app = request.getfixturevalue("app")
    with app.app_context(), unit_of_work():
        load_reference_data()
    yield
    with app.app_context():
        _db.session.remove()
        tables = [t.name for t in reversed(_db.metadata.sorted_tables)]
        if IS_PG:
            _truncate(tables)
            return
        with _db.engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA foreign_keys=OFF")  # self-references (departments) in any order
            for table in tables:
                conn.execute(text(f'DELETE FROM "{table}"'))
            conn.commit()
            conn.exec_driver_sql("PRAGMA foreign_keys=ON")
            conn.commit()


def _truncate(tables: list[str]) -> None:
    """TRUNCATE every table (PostgreSQL). A browser test's last request may still be running on the live server
    when the test ends; if its locks and the TRUNCATE's deadlock, PostgreSQL cancels one: try again."""
    for attempt in range(5):
        try:
            with _db.engine.begin() as conn:
                conn.execute(text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE"))
            return
        except OperationalError as error:
            if "deadlock detected" not in str(error) or attempt == 4:
                raise
            time.sleep(0.2)


@pytest.fixture(scope="session")
def contacts_csv(tmp_path_factory) -> Path:
    """A 1,000-contact file in the import's CSV format, written once per run (the suite needs nothing beside it)."""
    return write_contacts_csv(tmp_path_factory.mktemp("csv") / "contacts-1000.csv")


@pytest.fixture
def client(app):
    return app.test_client()


class Factory:
    """Makes rows in the database and returns them detached, with their columns loaded."""

    def __init__(self, app):
        self.app = app
        self._seq = count(1)

    def _save(self, obj, build=None):
        """Add, commit and detach `obj`; `build(obj)` runs first inside the same app context."""
        with self.app.app_context():
            if build:
                build(obj)
            _db.session.add(obj)
            _db.session.commit()
            _db.session.refresh(obj)
            _db.session.expunge(obj)
        return obj

    def entity(self, label=None) -> Entity:
        return self._save(Entity(label=label or f"Entité {next(self._seq)}"))

    def user(self, name="MARTIN Claire", role="Commercial", entities=(), email=None, password=PASSWORD,
             active=True) -> User:
        last, _sep, first = name.partition(" ")
        user = User(email=email or f"user{next(self._seq)}@example.com",
                    password_hash=hash_password(password) if password else None, active=active)
        user.set_names(last, first)

        def build(user):
            if role:
                user.roles = [_db.session.scalars(_db.select(Role).where(Role.name == role)).one()]
            user.entities = [_db.session.get(Entity, e.id) for e in entities]

        user = self._save(user, build)
        if password:
            # A server-side session, as a login would open: user.get_id() is its key, what login_as puts in the
            # cookie.
            with self.app.app_context():
                start_session(user)
                _db.session.commit()
        return user

    def client_account(self, name=None, entities=(), owner=None, **values) -> Client:
        account = Client(owner_id=owner.id if owner else None, **values)
        account.set_name(name or f"Société {next(self._seq)}")

        def build(account):
            account.entities = [_db.session.get(Entity, e.id) for e in entities]

        return self._save(account, build)

    def contact(self, client, last_name="Dupont", first_name="Jean", **values) -> Contact:
        contact = Contact(client_id=client.id, last_name=last_name, first_name=first_name, **values)
        contact.refresh_keys(company_name=client.name)
        return self._save(contact)


@pytest.fixture
def make(app):
    return Factory(app)


@pytest.fixture
def login_as(client):
    """Log a user in through the session cookie, as the login form would."""

    def _login(user: User):
        with client.session_transaction() as session:
            session["_user_id"] = user.get_id()
            session["_fresh"] = True
        return user

    return _login


@pytest.fixture
def csrf(app, client):
    """Headers and form field carrying a valid CSRF token for this test client's session."""
    raw = "t" * 40
    with client.session_transaction() as session:
        session["csrf_token"] = raw
    token = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt="wtf-csrf-token").dumps(raw)
    return {"X-CSRFToken": token, "token": token}


HX = {"HX-Request": "true"}
# What a search box must take without an error: NUL, a right-to-left override, 10,000 characters, markup, LIKE
# wildcards and a backslash.
HOSTILE_SEARCHES = ["\x00", "a\x00b", "\u202e", "x" * 10_000, "<script>", "%_\\"]


def strip_tags(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def image_bytes(fmt: str = "JPEG", size: tuple[int, int] = (64, 48), color=(200, 30, 90), mode: str = "RGB",
                **save) -> bytes:
    """A small image file of one colour, as a photo upload or a vCard's PHOTO would carry it."""
    out = io.BytesIO()
    Image.new(mode, size, color).save(out, fmt, **save)
    return out.getvalue()
