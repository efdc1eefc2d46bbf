"""Forms of the user administration: a user, a new password, a role, the matrix of rights."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectChoice, SelectField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from ..form_fields import id_value, plain_text, strip
from ..rights import RIGHTS
from ..services.users import MIN_PASSWORD_LENGTH, all_entities, all_roles

LANGUAGES = [SelectChoice("", _l("Celle du navigateur")), SelectChoice("fr", "Français"), SelectChoice("en", "English")]


class CheckboxesField(SelectMultipleField):
    """Several ids picked by ticking boxes."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _no_nul(form, field) -> None:
    # A password may hold any printable character, but NUL cannot be stored nor typed on purpose.
    if "\x00" in (field.data or ""):
        raise ValidationError(_l("Ce mot de passe contient un caractère non autorisé."))


class UserForm(FlaskForm):
    """A user's identity, language, access (roles, entities) and, when created, an optional first password."""

    last_name = StringField(_l("Nom"), filters=[strip], validators=[
        DataRequired(_l("Saisissez le nom.")), Length(max=100, message=_l("100 caractères au plus.")), plain_text])
    first_name = StringField(_l("Prénom"), filters=[strip], validators=[
        Optional(), Length(max=100, message=_l("100 caractères au plus.")), plain_text])
    email = EmailField(_l("Adresse e-mail"), filters=[strip], validators=[
        DataRequired(_l("Saisissez l'adresse e-mail.")), Length(max=254, message=_l("254 caractères au plus.")),
        Email(_l("Cette adresse e-mail n'est pas valide."))])
    language = SelectField(_l("Langue"), choices=LANGUAGES, default="")
    active = BooleanField(_l("Actif (peut se connecter)"), default=True)
    role_ids = CheckboxesField(_l("Rôles"), coerce=id_value)
    entity_ids = CheckboxesField(_l("Entités"), coerce=id_value)
    password = PasswordField(_l("Mot de passe"), validators=[
        Optional(), Length(min=MIN_PASSWORD_LENGTH, max=500,
                           message=_l("Entre %(min)d et %(max)d caractères.")), _no_nul])
    password_confirm = PasswordField(_l("Confirmer le mot de passe"), validators=[
        EqualTo("password", _l("Les deux mots de passe diffèrent."))])

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, obj=user, **kwargs)
        if user is not None and not self.is_submitted():
            self.role_ids.data = [role.id for role in user.roles]
            self.entity_ids.data = [entity.id for entity in user.entities]
            self.language.data = user.language or ""
        self.role_ids.choices = [SelectChoice(role.id, role.name) for role in all_roles()]
        # A deactivated entity is not offered any more, unless the user already belongs to it.
        kept = {entity.id for entity in user.entities} if user is not None else set()
        self.entity_ids.choices = [SelectChoice(entity.id, entity.label) for entity in all_entities()
                                   if entity.active or entity.id in kept]
        if user is not None:
            # Passwords of existing users are set on their own screen.
            del self.password
            del self.password_confirm
        else:
            del self.active

    def values(self) -> dict:
        return {field.short_name: field.data for field in self if field.short_name != "csrf_token"}


class PasswordForm(FlaskForm):
    """A new password for a user, typed twice."""

    password = PasswordField(_l("Nouveau mot de passe"), validators=[
        DataRequired(_l("Saisissez le nouveau mot de passe.")),
        Length(min=MIN_PASSWORD_LENGTH, max=500, message=_l("Entre %(min)d et %(max)d caractères.")), _no_nul])
    password_confirm = PasswordField(_l("Confirmer le mot de passe"), validators=[
        DataRequired(_l("Saisissez le mot de passe une seconde fois.")),
        EqualTo("password", _l("Les deux mots de passe diffèrent."))])


class RoleForm(FlaskForm):
    """A new role."""

    name = StringField(_l("Nom du rôle"), filters=[strip], validators=[
        DataRequired(_l("Saisissez le nom du rôle.")), Length(max=80, message=_l("80 caractères au plus.")),
        plain_text])


class RightsForm(FlaskForm):
    """The matrix of rights × roles: one checkbox named rights-<role id> per right, its value the right's code."""

    def matrix(self, roles, formdata) -> dict[int, set[str]]:
        """The rights ticked for each role; codes that are not rights are ignored."""
        return {role.id: {code for code in formdata.getlist(f"rights-{role.id}") if code in RIGHTS}
                for role in roles}
