"""Login checks and user accounts: password hashing, failure throttling, session invalidation."""
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import and_, case, delete, func, literal, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from werkzeug.security import check_password_hash, generate_password_hash

from ..extensions import db
from ..models import LoginThrottle, User
from ..models.types import utcnow
from ..unit_of_work import commit
from .sessions import end_sessions

# Compared against when the e-mail is unknown, so both failures take the same time.
_DUMMY_HASH = generate_password_hash("not-a-password", method="scrypt")


@dataclass
class LoginResult:
    user: User | None = None
    locked_until: datetime | None = None


def hash_password(password: str) -> str:
    return generate_password_hash(password, method="scrypt")


def authenticate(email: str, password: str) -> LoginResult:
    """The user for these credentials; counts tries per typed e-mail and locks it for a while after too many.

    The try is counted before the password is checked, in one atomic statement, so that parallel requests can
    never check more passwords than LOGIN_MAX_FAILURES before the lock."""
    key = login_key(email)
    if key is None:
        return LoginResult()
    tries, locked_until = count_login_try(key)
    if tries > current_app.config["LOGIN_MAX_FAILURES"]:
        return LoginResult(locked_until=locked_until)
    user = db.session.scalars(select(User).where(func.lower(User.email) == key)).first()
    stored = user.password_hash if user and user.password_hash else _DUMMY_HASH
    password_ok = check_password_hash(stored, password)
    if user and user.password_hash and password_ok and user.active:
        clear_login_tries(key)
        return LoginResult(user=user)
    return LoginResult(locked_until=locked_until)


def login_key(email: str) -> str | None:
    """The throttle's key for a typed login (the e-mail, lowercased); None when no account can have it."""
    key = email.strip().lower()[:254]
    # No account has such an e-mail, and PostgreSQL refuses NUL in the throttle's key.
    return key if key.isprintable() else None


def login_locked_until(key: str) -> datetime | None:
    """When the lock on this login ends, if it is locked now (a read: nothing is counted)."""
    locked_until = db.session.scalar(select(LoginThrottle.locked_until).where(LoginThrottle.key == key))
    return locked_until if locked_until is not None and locked_until > utcnow() else None


def clear_login_tries(key: str) -> bool:
    """Forget the tries counted for this login: the right credentials were given. False when there were none
    (nothing written: a phone's sync signs in at each request)."""
    if db.session.scalar(select(LoginThrottle.key).where(LoginThrottle.key == key)) is None:
        return False
    db.session.execute(delete(LoginThrottle).where(LoginThrottle.key == key))
    return True


def count_login_try(key: str) -> tuple[int, datetime | None]:
    """Count one more login try for this key and return the tries so far and the lock's end, if any. A login is
    refused once the tries exceed LOGIN_MAX_FAILURES. Shared by every way in (the login form, CardDAV's app
    passwords): guessing through one locks the other.

    An upsert (INSERT ... ON CONFLICT DO UPDATE ... RETURNING, on SQLite and PostgreSQL alike) so that parallel
    tries neither collide on the key nor read the same count. The try that reaches the limit sets the lock; once
    the lock has passed, counting starts again."""
    config = current_app.config
    now = utcnow()
    limit = config["LOGIN_MAX_FAILURES"]
    table = LoginThrottle.__table__
    lock_end = literal(now + timedelta(seconds=config["LOGIN_LOCK_SECONDS"]), table.c.locked_until.type)
    insert = sqlite_insert if db.session.get_bind().dialect.name == "sqlite" else postgresql_insert
    lock_passed = and_(table.c.locked_until.is_not(None), table.c.locked_until <= now)
    tries = case((lock_passed, 1), else_=table.c.failures + 1)
    statement = insert(table).values(key=key, failures=1, locked_until=lock_end if limit <= 1 else None)
    statement = statement.on_conflict_do_update(index_elements=[table.c.key], set_={
        "failures": tries,
        "locked_until": case((and_(table.c.locked_until.is_not(None), ~lock_passed), table.c.locked_until),
                             (tries >= limit, lock_end), else_=None),
    }).returning(table.c.failures, table.c.locked_until)
    tries, locked_until = db.session.execute(statement).one()
    # Kept whatever the answer: the request's unit of work rolls back a 422 or a 429, which would forget the try.
    commit()
    return tries, locked_until


def set_password(user: User, password: str, keep_session: str | None = None) -> None:
    """Change a password and end every session of the user but `keep_session` (theirs, when they change it)."""
    user.password_hash = hash_password(password)
    end_sessions(user.id, keep=keep_session)


def deactivate(user: User) -> None:
    """Deactivate a user and end all their sessions."""
    user.active = False
    end_sessions(user.id)
