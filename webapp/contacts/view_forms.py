"""Forms of the saved views: save the list's current filters and sort under a name, rename a view."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, StringField
from wtforms.validators import DataRequired, Length

from .. import rules
from ..services.saved_views import MAX_NAME


def _line(value):
    return rules.clean_line(value) if isinstance(value, str) else value


class SaveViewForm(FlaskForm):
    """Enregistrer la vue: a name, shared or not; `query` carries the list's state it was opened from."""

    name = StringField(_l("Nom de la vue"), filters=[_line], validators=[
        DataRequired(_l("Donnez un nom à la vue.")), Length(max=MAX_NAME, message=_l("%(max)d caractères au plus."))])
    shared = BooleanField(_l("Partager avec les utilisateurs de mes entités"))
    query = HiddenField()


class RenameViewForm(FlaskForm):
    name = StringField(_l("Nouveau nom"), filters=[_line], validators=[
        DataRequired(_l("Donnez un nom à la vue.")), Length(max=MAX_NAME, message=_l("%(max)d caractères au plus."))])
