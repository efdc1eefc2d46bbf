"""The contacts list's column chooser: the columns a user hides are remembered (preference
`contacts.hidden_columns`) and never rendered, in the list, a row redrawn alone, or an account's contacts."""
import json
from dataclasses import dataclass

from flask import current_app, has_request_context
from flask_login import current_user

from ..listing import Column
from ..queries import COLUMNS, visible_columns
from ..services import preferences
from . import bp

HIDDEN_COLUMNS = "contacts.hidden_columns"


@dataclass(frozen=True)
class ColumnChoice:
    """One entry of the chooser: a button whose value is the hidden list once this column is switched."""

    column: Column
    shown: bool
    value: str  # JSON, what POST /account/preferences/contacts.hidden_columns takes
    last_shown: bool  # the only column left: it cannot be hidden


def hidden_columns(user) -> list[str]:
    """The keys of the columns the user hides (read with the user: no statement of its own)."""
    if not getattr(user, "is_authenticated", False):
        return []
    return preferences.of(user, HIDDEN_COLUMNS, [])


def column_choices(user) -> list[ColumnChoice]:
    """Every declared column with whether it shows and the value that switches it."""
    hidden = hidden_columns(user)
    shown_count = len(COLUMNS) - len(hidden)
    choices = []
    for column in COLUMNS:
        shown = column.key not in hidden
        switched = [key for key in hidden if key != column.key] if not shown else hidden + [column.key]
        choices.append(ColumnChoice(column, shown, json.dumps(switched), shown and shown_count == 1))
    return choices


@bp.app_context_processor
def shown_columns():
    """Every template sees the user's columns as `contact_columns`, and the chooser's entries on demand."""
    if not has_request_context():
        return {}
    declared = current_app.jinja_env.globals["contact_columns"]  # queries.COLUMNS
    return {"contact_columns": visible_columns(declared, hidden_columns(current_user)),
            "column_choices": lambda: column_choices(current_user)}
