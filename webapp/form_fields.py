"""Pieces the blueprints' forms share: text cleaners, ids (fields, parameters, URL parts), choice lists, dates,
the create forms' idempotency key."""
import secrets
import unicodedata
from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from wtforms import DateField, HiddenField, SelectChoice
from werkzeug.routing import BaseConverter
from werkzeug.routing import ValidationError as NotThisRoute
from wtforms.validators import ValidationError

from .extensions import db
from .models import User
from .rules import parse_id

# Bidirectional overrides and isolates reorder what is displayed around them ("\u202egnp.exe" shows as "exe.png").
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def plain_text(form, field) -> None:
    """Refuse control characters (NUL, line breaks, tabs) and bidirectional overrides in a one-line value."""
    if any(unicodedata.category(ch) == "Cc" or ch in _BIDI_CONTROLS for ch in field.data or ""):
        raise ValidationError(_l("Ce texte contient des caractères de contrôle non autorisés."))


def strip(value):
    """Surrounding spaces never count."""
    return value.strip() if isinstance(value, str) else value


def id_value(value) -> int:
    """A ticked box's id; anything else is refused (the field's 422), "+1" and " 1" included."""
    number = parse_id(value)
    if number is None or str(value) != str(number):
        raise ValueError(f"not an id: {value!r}")
    return number


def optional_id(value) -> int | None:
    """A select's value: an id, or None for the empty choice; anything else is refused (the field's 422)."""
    if value in (None, "", "None"):
        return None
    number = parse_id(value)
    if number is None:
        raise ValueError(f"not an id: {value!r}")  # SelectField answers its own "could not coerce" message
    return number


class IdConverter(BaseConverter):
    """`<id:name>` in a route: a record id within rules.MAX_ID, so a longer number answers 404 instead of a 500."""

    regex = r"[1-9][0-9]{0,9}"

    def to_python(self, value: str) -> int:
        number = parse_id(value)
        if number is None:
            raise NotThisRoute()
        return number

    def to_url(self, value) -> str:
        return str(int(value))


def local_zone() -> ZoneInfo:
    """The zone dates are typed and shown in (Europe/Paris unless configured otherwise)."""
    return ZoneInfo(current_app.config.get("BABEL_DEFAULT_TIMEZONE") or "Europe/Paris")


def local_today() -> date:
    """Today where the users are (a date typed or defaulted on a form)."""
    return datetime.now(local_zone()).date()


def user_choices(current_id: int | None, empty: str | None = None) -> list[SelectChoice]:
    """Active users by name (plus the one already chosen, even inactive), optionally after an empty choice."""
    users = db.session.scalars(select(User).where((User.active.is_(True)) | (User.id == current_id))
                               .order_by(User.name_key)).all()
    choices = [SelectChoice("", empty)] if empty is not None else []
    return choices + [SelectChoice(user.id, user.display_name) for user in users]


def reference_choices(model, current_id: int | None, empty: str) -> list[SelectChoice]:
    """The active values of a parameter list in their order (plus the one already chosen, even inactive)."""
    items = db.session.scalars(select(model).where((model.active.is_(True)) | (model.id == current_id))
                               .order_by(model.position, model.label)).all()
    return [SelectChoice("", empty)] + [SelectChoice(item.id, item.label) for item in items]


class LocalDateField(DateField):
    """A date from <input type="date">, with a French message when it cannot be read."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError as error:
            raise ValueError(str(_l("Date invalide (exemple : 11/04/2019)."))) from error


class CreateKey:
    """Mixin of every form that creates a record: a random key per rendered form, so that a second submit of that
    form (a double click the button's guard missed, a retry after a network error) answers with the first one's
    record instead of creating another (see dialogs.repeat_of and dialogs.remember)."""

    idempotency_key = HiddenField(default=lambda: secrets.token_urlsafe(24))


class StartedWith(HiddenField):
    """The ids a dialog's ticked boxes showed when it was rendered ("3,7"), sent back with the choice so that the
    save applies only what the user changed (a three-way merge). None when missing or not a list of ids: the save
    then takes the ticked boxes as they are."""

    def _value(self) -> str:
        return ",".join(str(number) for number in self.data) if isinstance(self.data, list) else ""

    def process_formdata(self, valuelist):
        self.data = None
        if valuelist:
            numbers = [parse_id(part) for part in str(valuelist[0]).split(",") if part]
            self.data = None if None in numbers else numbers
