"""Configuration read from the environment; TestConfig for the test suite."""
import os
import secrets
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
INSTANCE = Path(os.environ.get("INSTANCE_PATH", ROOT / "instance"))


def _int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


def _secret_key() -> str:
    """SECRET_KEY from the environment, else one generated once into instance/secret_key."""
    if key := os.environ.get("SECRET_KEY"):
        return key
    path = INSTANCE / "secret_key"
    if not path.exists():
        INSTANCE.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


class Config:
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL", f"sqlite:///{INSTANCE / 'crm.sqlite3'}")
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    # Above the largest file an import takes (SHEET_MAX_MB), with room for the form around it.
    MAX_CONTENT_LENGTH = _int("MAX_UPLOAD_MB", 21) * 1024 * 1024
    VCF_MAX_BYTES = _int("VCF_MAX_MB", 10) * 1024 * 1024
    VCF_MAX_CARDS = _int("VCF_MAX_CARDS", 5000)
    # A spreadsheet (.csv, .xlsx, .xls, .ods) dropped on the contacts list: past either bound it is refused whole.
    SHEET_MAX_BYTES = _int("SHEET_MAX_MB", 20) * 1024 * 1024
    SHEET_MAX_ROWS = _int("SHEET_MAX_ROWS", 50_000)
    # Memory a workbook's reading may take (in a child process): a small file can name cells far apart.
    SHEET_MAX_MEMORY = _int("SHEET_MAX_MEMORY_MB", 1024) * 1024 * 1024
    PHOTO_MAX_BYTES = 5 * 1024 * 1024
    PHOTO_MAX_PIXELS = 25_000_000
    ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024
    # CardDAV: "Tous mes contacts" holds at most this many contacts (the newest the user sees); one card sent by a
    # phone is at most this big (a photo at PHOTO_MAX_BYTES, in base64, fits).
    # Documents: one file at most DOCUMENT_MAX_MB, DOCUMENT_MAX_FILES per upload (the upload's request may be that
    # large, whatever MAX_UPLOAD_MB says), every version a user filed at most DOCUMENT_QUOTA_MB together.
    DOCUMENT_MAX_BYTES = _int("DOCUMENT_MAX_MB", 25) * 1024 * 1024
    DOCUMENT_MAX_FILES = _int("DOCUMENT_MAX_FILES", 10)
    DOCUMENT_QUOTA_BYTES = _int("DOCUMENT_QUOTA_MB", 2048) * 1024 * 1024
    CARDDAV_BOOK_MAX = _int("CARDDAV_BOOK_MAX", 20_000)
    # Reverse proxies in front of the app whose X-Forwarded-For/-Proto/-Host headers are believed (0: none, the
    # default: a client could otherwise claim any host or scheme): the addresses the app writes out (the CardDAV
    # server address on Mon compte, its QR code) then use the scheme and host the user typed.
    PROXY_COUNT = _int("PROXY_COUNT", 0)
    CARDDAV_CARD_MAX_BYTES = _int("CARDDAV_CARD_MAX_MB", 8) * 1024 * 1024
    # Both limits are checked on the server against the session's row (webapp/services/sessions.py); the cookie
    # only needs to live as long as the longest session.
    SESSION_IDLE_MINUTES = _int("SESSION_IDLE_MINUTES", 60)
    SESSION_MAX_HOURS = _int("SESSION_MAX_HOURS", 12)
    PERMANENT_SESSION_LIFETIME = timedelta(hours=SESSION_MAX_HOURS)
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = os.environ.get("SESSION_COOKIE_SECURE", "0") == "1"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session
    BABEL_DEFAULT_LOCALE = "fr"
    BABEL_DEFAULT_TIMEZONE = os.environ.get("CRM_TIMEZONE", "Europe/Paris")
    LANGUAGES = ("fr", "en")
    LOGIN_MAX_FAILURES = _int("LOGIN_MAX_FAILURES", 5)
    LOGIN_LOCK_SECONDS = _int("LOGIN_LOCK_SECONDS", 300)
    # How long an interactive request waits for another connection's SQLite write lock before answering 503.
    SQLITE_BUSY_TIMEOUT_MS = _int("SQLITE_BUSY_TIMEOUT_MS", 3000)
    # How long a request waits for a row or table lock another PostgreSQL transaction holds before answering 503
    # (migrations and CLI commands, outside any request, wait as long as they must).
    PG_LOCK_TIMEOUT_MS = _int("PG_LOCK_TIMEOUT_MS", 3000)
    # Imports and exports per user (Flask-Limiter's notation); the counters live in RATELIMIT_STORAGE_URI, which
    # must be Redis as soon as there is more than one app server (memory:// counts per process).
    IMPORT_RATE_LIMIT = os.environ.get("IMPORT_RATE_LIMIT", "10/minute;60/hour")
    EXPORT_RATE_LIMIT = os.environ.get("EXPORT_RATE_LIMIT", "10/minute;60/hour")
    CONTACT_EXPORT_RATE_LIMIT = os.environ.get("CONTACT_EXPORT_RATE_LIMIT", "60/minute;600/hour")
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI") or os.environ.get("REDIS_URL") or "memory://"
    RATELIMIT_STORAGE_OPTIONS = {"socket_connect_timeout": 1, "socket_timeout": 1}  # Redis down: no hanging
    RATELIMIT_KEY_PREFIX = "crm"
    RATELIMIT_STRATEGY = "moving-window"
    RATELIMIT_HEADERS_ENABLED = True  # Retry-After on a 429
    RATELIMIT_SWALLOW_ERRORS = True  # Redis unreachable: imports and exports go on, unlimited, and it is logged
    RATELIMIT_ENABLED = True
    TESTING = False

    def __init__(self):
        self.SECRET_KEY = _secret_key()


class TestConfig(Config):
    TESTING = True
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL", "sqlite://")
    WTF_CSRF_ENABLED = True
    # A real Redis, as in production; keys of this test process only, so parallel runs never share counters.
    RATELIMIT_STORAGE_URI = os.environ.get("TEST_RATELIMIT_STORAGE_URI", "redis://127.0.0.1:6379/0")
    RATELIMIT_KEY_PREFIX = f"crm-test-{os.getpid()}"
    # Tests import and export far more often than people do; tests/test_faults.py sets low limits of its own.
    IMPORT_RATE_LIMIT = EXPORT_RATE_LIMIT = CONTACT_EXPORT_RATE_LIMIT = "10000/minute"

    def __init__(self):
        self.SECRET_KEY = "test-secret-key-not-for-production"
