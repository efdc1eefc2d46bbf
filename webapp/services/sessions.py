"""Server-side sessions: a row per login, read by every request, ended by logout, a new password, a deactivation
or an administrator, and bounded by an idle and an absolute limit checked against the row, not the cookie."""
import hashlib
import secrets
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.orm import joinedload

from ..extensions import db
from ..models import Role, User, UserSession
from ..models.types import utcnow

# last_seen_at moves at most once a minute per session: the idle limit counts in minutes, and a write on every
# request (a list polled every 20 s, a picker at each key typed) would turn every read into a write.
SEEN_EVERY = timedelta(minutes=1)


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def _limits(now: datetime) -> tuple[datetime, datetime]:
    """The oldest last_seen_at and created_at a live session may have now."""
    config = current_app.config
    return (now - timedelta(minutes=config["SESSION_IDLE_MINUTES"]),
            now - timedelta(hours=config["SESSION_MAX_HOURS"]))


def _live(now: datetime):
    """The condition a session meets while it lasts: not ended, neither idle too long nor too old."""
    seen_after, created_after = _limits(now)
    return (UserSession.ended_at.is_(None), UserSession.last_seen_at > seen_after,
            UserSession.created_at > created_after)


def start_session(user: User, user_agent: str = "") -> str:
    """Open a session for a user who just logged in and return its key, for the cookie; the user's sessions that
    are over are deleted, so the table holds about one row per browser in use."""
    now = utcnow()
    seen_after, created_after = _limits(now)
    db.session.execute(delete(UserSession).where(
        UserSession.user_id == user.id,
        or_(UserSession.ended_at.is_not(None), UserSession.last_seen_at <= seen_after,
            UserSession.created_at <= created_after)))
    key = secrets.token_urlsafe(32)
    # A header may hold anything; PostgreSQL refuses NUL, and a label needs no control character.
    agent = "".join(ch for ch in user_agent if ch.isprintable())[:255]
    db.session.add(UserSession(key_hash=_hash(key), user_id=user.id, created_at=now, last_seen_at=now,
                               user_agent=agent))
    db.session.flush()
    user.session_key = key
    return key


def session_user(key: str) -> User | None:
    """The user of a live session, with roles, rights, entities and screen preferences, in one statement; None
    when the session ended, lasted too long or sat idle too long, or when the user may no longer log in."""
    now = utcnow()
    row = db.session.execute(
        select(User, UserSession.last_seen_at)
        .join(UserSession, UserSession.user_id == User.id)
        .where(UserSession.key_hash == _hash(key), *_live(now), User.active.is_(True),
               User.password_hash.is_not(None))
        .options(joinedload(User.roles).joinedload(Role.rights), joinedload(User.entities),
                 joinedload(User.preferences))
    ).unique().first()
    if row is None:
        return None
    user, last_seen_at = row
    if now - last_seen_at >= SEEN_EVERY:
        # Its own short transaction: the request's session must neither commit the view's work early nor expire
        # the user just loaded, and a session is seen even when the request answers an error (rolled back).
        with db.engine.begin() as connection:
            connection.execute(update(UserSession).where(UserSession.key_hash == _hash(key))
                               .values(last_seen_at=now))
    user.session_key = key
    return user


def end_session(key: str) -> None:
    """End one session (logout): every copy of its cookie stops working."""
    db.session.execute(update(UserSession).where(UserSession.key_hash == _hash(key), UserSession.ended_at.is_(None))
                       .values(ended_at=utcnow()))


def end_sessions(user_id: int | None, keep: str | None = None) -> None:
    """End every session of a user, except the one whose key is `keep` (the browser that changed the password)."""
    if user_id is None:  # a user not saved yet has no session
        return
    query = update(UserSession).where(UserSession.user_id == user_id, UserSession.ended_at.is_(None))
    if keep:
        query = query.where(UserSession.key_hash != _hash(keep))
    db.session.execute(query.values(ended_at=utcnow()))


def live_session_count(user_id: int) -> int:
    """How many sessions of a user are live now."""
    return db.session.scalar(select(func.count()).select_from(UserSession)
                             .where(UserSession.user_id == user_id, *_live(utcnow())))
