"""The contact form, shared by the dialog and the full page; field rules come from webapp/rules.py."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (BooleanField, EmailField, FieldList, Form, FormField, HiddenField, SelectField, StringField,
                     TextAreaField)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from .. import rules
from ..form_fields import CreateKey, optional_id
from ..problem_messages import LINK_LABELS, message


def as_choices(pairs) -> list[SelectChoice]:
    """(value, label) pairs as WTForms choices."""
    return [SelectChoice(value, label) for value, label in pairs]


def _line(value):
    return rules.clean_line(value) if isinstance(value, str) else value


class LinkForm(Form):
    """One social profile or web link."""

    kind = SelectField(_l("Type"), choices=as_choices(LINK_LABELS.items()), default="linkedin")
    url = StringField(_l("Lien"), filters=[_line], validators=[Optional()])

    def validate_url(self, field):
        if problem := rules.url_problem(field.data):
            raise ValidationError(message(problem))


class ContactForm(CreateKey, FlaskForm):
    """Ajout ou modification d'un contact client."""

    client_id = SelectField(_l("Client"), coerce=optional_id, validate_choice=False,
                            validators=[DataRequired(_l("Choisissez le compte client du contact."))])
    client_search = StringField(_l("Rechercher un client"), filters=[_line], validators=[Length(max=100)])
    gender = SelectField(_l("Genre"), choices=as_choices([("", "—"), ("M", _l("Homme")), ("F", _l("Femme"))]),
                         default="")
    last_name = StringField(_l("Nom"), filters=[_line], validators=[
        DataRequired(_l("Saisissez le nom.")), Length(max=rules.MAX_LENGTHS["last_name"])])
    first_name = StringField(_l("Prénom"), filters=[_line], validators=[
        DataRequired(_l("Saisissez le prénom.")), Length(max=rules.MAX_LENGTHS["first_name"])])
    department_id = SelectField(_l("Service dans l'organigramme"), coerce=optional_id)
    function = StringField(_l("Fonction"), filters=[_line], validators=[
        DataRequired(_l("Saisissez la fonction.")), Length(max=rules.MAX_LENGTHS["function"])])
    is_dpo = BooleanField(_l("DPO ?"))
    is_rssi = BooleanField(_l("RSSI ?"))
    left_company = BooleanField(_l("A quitté l'entreprise"))
    owner_id = SelectField(_l("Affecté à"), coerce=optional_id, validate_choice=False)
    email = EmailField(_l("Email"), filters=[_line])
    phone = StringField(_l("Téléphone"), filters=[_line], validators=[Length(max=rules.MAX_LENGTHS["phone"])])
    mobile = StringField(_l("Mobile"), filters=[_line], validators=[Length(max=rules.MAX_LENGTHS["mobile"])])
    fax = StringField(_l("Fax"), filters=[_line], validators=[Length(max=rules.MAX_LENGTHS["fax"])])
    street = StringField(_l("Adresse"), filters=[_line], validators=[Length(max=rules.MAX_LENGTHS["street"])])
    street2 = StringField(_l("Complément d'adresse"), filters=[_line],
                          validators=[Length(max=rules.MAX_LENGTHS["street2"])])
    postal_code = StringField(_l("Code postal"), filters=[_line],
                              validators=[Length(max=rules.MAX_LENGTHS["postal_code"])])
    city = StringField(_l("Ville"), filters=[_line], validators=[Length(max=rules.MAX_LENGTHS["city"])])
    country = SelectField(_l("Pays"), validate_choice=False, default="FR")
    links = FieldList(FormField(LinkForm), label=_l("Réseaux sociaux"), min_entries=3, max_entries=10)
    photo = FileField(_l("Photo"))
    remove_photo = BooleanField(_l("Retirer la photo"))
    notes = TextAreaField(_l("Notes"), filters=[lambda v: rules.clean_multiline(v) if isinstance(v, str) else v],
                          validators=[Length(max=rules.MAX_LENGTHS["notes"])])
    version = HiddenField()
    duplicate_of = HiddenField()  # "Dupliquer le contact": the contact whose other values the new one takes
    confirm_same_name = BooleanField(_l("Je confirme qu'il s'agit d'une autre personne"))

    def validate_email(self, field):
        if problem := rules.email_problem(field.data):
            raise ValidationError(message(problem))

    def validate_country(self, field):
        if field.data and field.data not in {choice.value for choice in field.choices}:
            raise ValidationError(_l("Choisissez un pays de la liste."))

    def values(self) -> dict:
        """The contact columns this form writes (and nothing else)."""
        names = ("client_id", "gender", "last_name", "first_name", "department_id", "function", "is_dpo", "is_rssi",
                 "left_company", "owner_id", "email", "phone", "mobile", "fax", "street", "street2", "postal_code",
                 "city", "country", "notes")
        values = {name: getattr(self, name).data for name in names}
        for name, value in values.items():
            if value == "":
                values[name] = None
        values["email"] = values["email"].lower() if values["email"] else None
        return values

    def link_values(self):
        from ..services.contacts import LinkValue

        return [LinkValue(kind=entry.form.kind.data, url=entry.form.url.data)
                for entry in self.links if entry.form.url.data]

    def phone_warnings(self) -> dict[str, str]:
        """Numbers kept as typed because they could not be read."""
        return {name: message(problem) for name in ("phone", "mobile", "fax")
                if (problem := rules.phone_problem(name, getattr(self, name).data, self.country.data))}
