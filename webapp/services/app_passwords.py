"""App passwords: what a phone types instead of the login password to sync the address book (CardDAV).

One per device, shown once at its creation, kept as the SHA-256 of its secret (a random secret of 160 bits needs
no slow hash: nobody can try enough of them for scrypt's cost to matter), revocable on its own. A wrong one counts
against the same login throttle as the login form, under the same key (the e-mail), so guessing through CardDAV
locks the login form too, and the other way round. create and revoke only flush (the request's unit of work
commits); a sign-in commits what it noted itself, like the login throttle, so that a sync request answering an
error (a 404, a 412) keeps it."""
import base64
import hashlib
import hmac
import secrets
import unicodedata
from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy import func, select

from ..extensions import db
from ..models import AppPassword, User
from ..models.types import utcnow
from ..unit_of_work import commit
from .accounts import LoginResult, clear_login_tries, count_login_try, login_key, login_locked_until
from .audit import record_changes, record_created

MAX_LABEL_LENGTH = 80
SECRET_BYTES = 20  # 160 bits: 32 base32 letters, 8 groups of 4
MAX_SECRET_LENGTH = 200  # what a phone sends beyond this is no secret of ours, and is not hashed
# last_used_at moves at most once a minute per password: a sync is many requests, each would be a write.
USED_EVERY = timedelta(minutes=1)


class AppPasswordError(ValueError):
    """A label refused; `message` is the French sentence to show beside the field."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8", "replace")).hexdigest()


def _new_secret() -> str:
    """Lowercase base32 letters and digits 2-7 in groups of 4 ("abcd-efgh-..."): easy to read and type on a phone."""
    letters = base64.b32encode(secrets.token_bytes(SECRET_BYTES)).decode().lower()
    return "-".join(letters[i:i + 4] for i in range(0, len(letters), 4))


def _canonical(typed: str) -> str:
    """The secret as created, from what a phone sent: spaces and dashes anywhere, any case."""
    letters = "".join(ch for ch in typed.lower() if ch not in " -\t")
    return "-".join(letters[i:i + 4] for i in range(0, len(letters), 4))


def create(user: User, label: str) -> tuple[AppPassword, str]:
    """Create a password for one of the user's devices; returns it and its secret, which is never shown again."""
    label = (label or "").strip()
    if not label:
        raise AppPasswordError(_("Saisissez le nom de l'appareil."))
    if len(label) > MAX_LABEL_LENGTH:
        raise AppPasswordError(_("%(num)d caractères au plus.", num=MAX_LABEL_LENGTH))
    if any(unicodedata.category(ch) == "Cc" for ch in label):
        raise AppPasswordError(_("Ce texte contient des caractères de contrôle non autorisés."))
    secret = _new_secret()
    password = AppPassword(user_id=user.id, label=label, secret_hash=_digest(secret), created_at=utcnow())
    db.session.add(password)
    db.session.flush()
    # The audit says which device got a password, never the secret nor its hash.
    record_created("app_password", password.id, {"user_id": user.id, "label": label}, via="form", user_id=user.id)
    return password, secret


def revoke(user: User, password_id: int) -> bool:
    """Revoke one of the user's own passwords: the device stops syncing. False when it is not theirs, or already
    revoked."""
    password = db.session.get(AppPassword, password_id)
    if password is None or password.user_id != user.id or password.revoked_at is not None:
        return False
    password.revoked_at = utcnow()
    record_changes("app_password", password.id, {"revoked_at": (None, password.revoked_at)}, "form", user.id)
    db.session.flush()
    return True


def active_for(user: User) -> list[AppPassword]:
    """The user's passwords still valid, newest first."""
    return list(db.session.scalars(
        select(AppPassword).where(AppPassword.user_id == user.id, AppPassword.revoked_at.is_(None))
        .order_by(AppPassword.created_at.desc(), AppPassword.id.desc())))


def get_active(user: User, password_id: int) -> AppPassword | None:
    """One of the user's valid passwords (to confirm its revocation), None when not theirs or revoked."""
    password = db.session.get(AppPassword, password_id)
    if password is None or password.user_id != user.id or password.revoked_at is not None:
        return None
    return password


def sign_in(login: str, secret: str) -> LoginResult:
    """Check a CardDAV request's credentials (HTTP Basic: the e-mail, any case, and an app password); returns an
    `accounts.LoginResult`: the user, or no user (answer 401) and, when the login is locked, the lock's end (for a
    Retry-After).

    The login password never works here, nor a revoked password, nor one of a deactivated user or of a user
    without a login password. While the login is locked (by the login form or by CardDAV) even the right secret
    is refused. A wrong secret counts one try against the login's throttle (LOGIN_MAX_FAILURES,
    LOGIN_LOCK_SECONDS), kept whatever the request answers. A right one is checked before anything is counted: a
    sync is many requests, some in parallel, which must neither write the throttle each time nor add up to a
    lock; guessing a 160-bit secret is hopeless anyway, the throttle protects the login it shares. A success
    clears the tries, like the login form's, and notes the use (at most once a minute)."""
    key = login_key(login)
    if key is None:
        return LoginResult()
    locked_until = login_locked_until(key)
    if locked_until is not None:
        return LoginResult(locked_until=locked_until)
    digest = _digest(_canonical(secret)) if len(secret) <= MAX_SECRET_LENGTH else ""
    rows = db.session.execute(
        select(AppPassword, User).join(User, User.id == AppPassword.user_id)
        .where(func.lower(User.email) == key, AppPassword.revoked_at.is_(None))).all()
    found = None
    for password, user in rows:  # every one compared in constant time: the answer's delay tells nothing
        if hmac.compare_digest(password.secret_hash, digest):
            found = password, user
    if found is None or not found[1].active or found[1].password_hash is None:
        _tries, locked_until = count_login_try(key)
        return LoginResult(locked_until=locked_until)
    password, user = found
    wrote = clear_login_tries(key)
    now = utcnow()
    if password.last_used_at is None or now - password.last_used_at >= USED_EVERY:
        password.last_used_at = now
        wrote = True
    if wrote:
        # Kept whatever the request answers: a 404 or a 412 is ordinary in a sync, and must not undo the success.
        commit()
    return LoginResult(user=user)


def authenticate(login: str, secret: str) -> User | None:
    """The user a CardDAV request signs in as with an app password, or None (answer 401). `sign_in` gives the
    lock's end too, for a Retry-After."""
    return sign_in(login, secret).user

