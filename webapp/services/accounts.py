"""Login checks and user accounts: password hashing, failure throttling, session invalidation."""
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import func, select
from werkzeug.security import check_password_hash, generate_password_hash

from ..extensions import db
from ..models import LoginThrottle, User
from ..models.types import utcnow

# Compared against when the e-mail is unknown, so both failures take the same time.
_DUMMY_HASH = generate_password_hash("not-a-password", method="scrypt")


@dataclass
class LoginResult:
    user: User | None = None
    locked_until: datetime | None = None


def hash_password(password: str) -> str:
    return generate_password_hash(password, method="scrypt")


def authenticate(email: str, password: str) -> LoginResult:
    """The user for these credentials; counts failures per typed e-mail and locks it for a while after too many."""
    key = email.strip().lower()[:254]
    now = utcnow()
    throttle = db.session.get(LoginThrottle, key)
    if throttle and throttle.locked_until and throttle.locked_until > now:
        return LoginResult(locked_until=throttle.locked_until)
    user = db.session.scalars(select(User).where(func.lower(User.email) == key)).first()
    stored = user.password_hash if user and user.password_hash else _DUMMY_HASH
    password_ok = check_password_hash(stored, password)
    if user and user.password_hash and password_ok and user.active:
        if throttle:
            db.session.delete(throttle)
        return LoginResult(user=user)
    throttle = throttle or LoginThrottle(key=key, failures=0)
    throttle.failures += 1
    result = LoginResult()
    if throttle.failures >= current_app.config["LOGIN_MAX_FAILURES"]:
        throttle.locked_until = now + timedelta(seconds=current_app.config["LOGIN_LOCK_SECONDS"])
        throttle.failures = 0
        result.locked_until = throttle.locked_until
    db.session.add(throttle)
    return result


def set_password(user: User, password: str) -> None:
    """Change a password and end every session opened with the old one."""
    user.password_hash = hash_password(password)
    user.session_version = (user.session_version or 0) + 1


def deactivate(user: User) -> None:
    """Deactivate a user: their sessions stop at their next request."""
    user.active = False
    user.session_version = (user.session_version or 0) + 1
