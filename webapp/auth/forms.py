"""Login form; the account page's form for a new app password."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, Length

from ..form_fields import strip


class LoginForm(FlaskForm):
    email = EmailField(_l("Adresse e-mail"), validators=[DataRequired(_l("Saisissez votre adresse e-mail.")),
                                                          Length(max=254)])
    password = PasswordField(_l("Mot de passe"), validators=[DataRequired(_l("Saisissez votre mot de passe.")),
                                                              Length(max=500)])


class AppPasswordForm(FlaskForm):
    """A new app password: the name of the device it is for. The service checks the name (one rule, one place)."""

    label = StringField(_l("Nom de l'appareil"), filters=[strip])
