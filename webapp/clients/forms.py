"""The client account form (Fiche du compte), for creating and editing."""
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import BooleanField, SelectChoice, SelectField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, Length, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from ..countries import country_choices
from ..extensions import db
from ..form_fields import CreateKey, id_value, optional_id, plain_text, reference_choices, strip, user_choices
from ..models import Client, Entity, Origin, RevenueRange, Sector, SizeBand, User
from ..rights import ALL_ENTITIES
from ..services.clients import siren_valid


class CheckboxesField(SelectMultipleField):
    """Several ids picked by ticking boxes."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _length(limit: int):
    return Length(max=limit, message=_l("%(max)d caractères au plus."))


def _siren(form, field) -> None:
    if field.data and not siren_valid(field.data):
        raise ValidationError(_("SIREN invalide : 9 chiffres dont le dernier est une clé de contrôle "
                                 "(exemple : 552 100 554)."))


class ClientForm(CreateKey, FlaskForm):
    """An account: name, SIREN, address, who follows it, its entities and its classification."""

    name = StringField(_l("Société"), filters=[strip], validators=[
        DataRequired(_l("Saisissez le nom de la société.")), _length(200), plain_text])
    confirm_duplicate = BooleanField(_l("C'est bien un autre compte que celui qui porte déjà ce nom"))
    siren = StringField(_l("SIREN"), filters=[strip], validators=[Optional(), _length(11), _siren])
    street = StringField(_l("Adresse"), filters=[strip], validators=[Optional(), _length(200), plain_text])
    street2 = StringField(_l("Complément d'adresse"), filters=[strip], validators=[Optional(), _length(200),
                                                                                  plain_text])
    postal_code = StringField(_l("Code postal"), filters=[strip], validators=[Optional(), _length(20), plain_text])
    city = StringField(_l("Ville"), filters=[strip], validators=[Optional(), _length(100), plain_text])
    country = SelectField(_l("Pays"), default="FR")
    owner_id = SelectField(_l("Client affecté à"), coerce=optional_id)
    entity_ids = CheckboxesField(_l("Entités"), coerce=id_value)
    size_band_id = SelectField(_l("Taille / effectif"), coerce=optional_id)
    revenue_range_id = SelectField(_l("Fourchette de CA"), coerce=optional_id)
    sector_id = SelectField(_l("Secteur d'activité"), coerce=optional_id)
    origin_id = SelectField(_l("Origine commerciale"), coerce=optional_id)

    def __init__(self, *args, user: User, client: Client | None = None, **kwargs):
        super().__init__(*args, obj=client, **kwargs)
        self.user, self.client = user, client
        # A user without ALL_ENTITIES places accounts in their own entities only; the account's other entities
        # (set by someone who sees them) are kept as they are.
        entities = db.session.scalars(select(Entity).where(Entity.active.is_(True)).order_by(Entity.position,
                                                                                              Entity.label)).all()
        if not user.can(ALL_ENTITIES):
            mine = {entity.id for entity in user.entities}
            entities = [entity for entity in entities if entity.id in mine]
        self.allowed_entities = {entity.id for entity in entities}
        if not self.is_submitted():
            self.entity_ids.data = ([e.id for e in client.entities if e.id in self.allowed_entities] if client
                                    else sorted(self.allowed_entities)[:1])
            self.country.data = client.country if client else "FR"
        self.entity_ids.choices = [SelectChoice(entity.id, entity.label) for entity in entities]
        self.country.choices = [SelectChoice("", str(_l("— Aucun —")))] + [
            SelectChoice(code, name) for code, name in country_choices(str(get_locale() or "fr"))]
        self.owner_id.choices = user_choices(client.owner_id if client else None, str(_l("Non affecté")))
        for field, model in ((self.size_band_id, SizeBand), (self.revenue_range_id, RevenueRange),
                             (self.sector_id, Sector), (self.origin_id, Origin)):
            field.choices = reference_choices(model, getattr(client, field.short_name) if client else None,
                                              str(_l("— Non renseigné —")))

    def validate_entity_ids(self, field) -> None:
        if not field.data and not self.kept_entities():
            raise ValidationError(_("Choisissez au moins une entité : sans entité, personne ne verrait ce compte."))

    def kept_entities(self) -> list[int]:
        """The account's entities this user cannot see in the form, kept through the save."""
        if self.client is None:
            return []
        return [entity.id for entity in self.client.entities if entity.id not in self.allowed_entities]

    def values(self) -> dict:
        """The account's columns as typed (SIREN without its spaces, empty texts as None)."""
        values = {name: getattr(self, name).data for name in ("name", "street", "street2", "postal_code", "city",
                                                                "owner_id", "size_band_id", "revenue_range_id",
                                                                "sector_id", "origin_id")}
        values.update({key: value or None for key, value in values.items() if key != "name"})
        values["siren"] = "".join((self.siren.data or "").split()) or None
        values["country"] = self.country.data or None
        return values

    def entity_values(self) -> list[int]:
        return sorted(set(self.entity_ids.data or []) | set(self.kept_entities()))
