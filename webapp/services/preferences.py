"""A user's remembered screen choices: read with a default, written only in the shape its key declares.

Each key names a checker that takes the raw value (decoded JSON) and returns the value to keep, or None when it
is not acceptable; an unknown key or a refused value writes nothing. Blueprints add their keys to PREFERENCES.
"""
import json
import re
from collections.abc import Callable
from typing import Any

from sqlalchemy import select

from ..extensions import db
from ..models import User, UserPreference
from ..queries import COLUMN_KEYS

MAX_VALUE_CHARS = 4000  # a list of column keys or a view name; nothing a screen remembers is longer


def _boolean(value: Any) -> bool | None:
    return value if isinstance(value, bool) else None


def _hidden_columns(value: Any) -> list[str] | None:
    """Keys of the contacts list's declared columns, in their order; at least one column must stay shown."""
    if not isinstance(value, list) or not all(isinstance(key, str) for key in value):
        return None
    if set(value) - set(COLUMN_KEYS) or len(set(value)) >= len(COLUMN_KEYS):
        return None
    return [key for key in COLUMN_KEYS if key in value]


_VIEW_KEY = re.compile(r"(all|mine|unassigned|view:[1-9][0-9]{0,9})")


def _view_key(value: Any) -> str | None:
    """A view of the contacts list: a built-in one or "view:<id>" (services.saved_views resolves it)."""
    return value if isinstance(value, str) and _VIEW_KEY.fullmatch(value) else None


def _record_id(value: Any) -> int | None:
    """A record's id (the reader checks that the user may still see it)."""
    return value if isinstance(value, int) and not isinstance(value, bool) and 0 < value < 2**31 else None


PREFERENCES: dict[str, Callable[[Any], Any]] = {
    "carddav.default_client": _record_id,  # the account of a card created on a phone without a known ORG
    "contacts.default_view": _view_key,
    "contacts.filters_folded": _boolean,
    "contacts.hidden_columns": _hidden_columns,
}


def get(user_id: int, key: str, default: Any = None) -> Any:
    """The remembered value of one key for one user, or the default when there is none (or it no longer fits)."""
    stored = db.session.scalar(select(UserPreference.value).where(UserPreference.user_id == user_id,
                                                                  UserPreference.key == key))
    return _decode(key, stored, default)


def of(user: User, key: str, default: Any = None) -> Any:
    """Like get(), from the preferences loaded with the user (sessions.session_user): no statement of its own."""
    stored = next((p.value for p in user.preferences if p.key == key), None)
    return _decode(key, stored, default)


def _decode(key: str, stored: str | None, default: Any) -> Any:
    if stored is None or key not in PREFERENCES:
        return default
    try:
        value = PREFERENCES[key](json.loads(stored))
    except ValueError:
        return default
    return default if value is None else value


def put(user_id: int, key: str, value: Any) -> bool:
    """Remember one value; False (nothing written) for an unknown key or a value its key refuses."""
    checker = PREFERENCES.get(key)
    kept = checker(value) if checker else None
    if kept is None:
        return False
    text = json.dumps(kept, ensure_ascii=False)
    if len(text) > MAX_VALUE_CHARS:
        return False
    row = db.session.get(UserPreference, (user_id, key))
    if row is None:
        db.session.add(UserPreference(user_id=user_id, key=key, value=text))
    else:
        row.value = text
    db.session.flush()
    return True


def forget(user_id: int, key: str) -> None:
    """Forget one value: the key's default applies again."""
    row = db.session.get(UserPreference, (user_id, key))
    if row is not None:
        db.session.delete(row)
        db.session.flush()
