"""Forms of an opportunity, a proposal made from it and a deal made from a proposal."""
import re
from decimal import Decimal, InvalidOperation

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DecimalField, SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from ..form_fields import CreateKey, LocalDateField, optional_id, plain_text, strip, user_choices

STAGES = [("qualification", _l("Qualification")), ("needs", _l("Analyse des besoins")),
          ("proposal", _l("Proposition")), ("negotiation", _l("Négociation")), ("won", _l("Gagnée")),
          ("lost", _l("Perdue"))]
PROPOSAL_STATUSES = [("draft", _l("Brouillon")), ("sent", _l("Envoyée")), ("accepted", _l("Acceptée")),
                     ("refused", _l("Refusée"))]
DEAL_STATUSES = [("won", _l("Signée")), ("in_progress", _l("En cours")), ("delivered", _l("Livrée")),
                 ("cancelled", _l("Annulée"))]
MAX_AMOUNT = Decimal("999999999999.99")  # Numeric(14, 2)
_SPACES = re.compile(r"[\s\u00a0\u202f']")


class EuroField(DecimalField):
    """An amount in euros typed the French way ("12 500,50 €") or the English way ("12500.50")."""

    def process_formdata(self, valuelist):
        self.data = None
        if not valuelist or not valuelist[0].strip():
            return
        text = _SPACES.sub("", valuelist[0]).replace("€", "").replace(",", ".")
        try:
            value = Decimal(text)
        except (InvalidOperation, ValueError):
            value = None
        if value is None or not value.is_finite():
            raise ValueError(str(_l("Montant invalide (exemple : 12 500,50).")))
        if abs(value) > MAX_AMOUNT:  # before rounding: quantize fails on numbers past Decimal's precision
            raise ValueError(str(_l("Entre 0 et 999 999 999 999,99 €.")))
        self.data = value.quantize(Decimal("0.01"))


class _DealForm(CreateKey, FlaskForm):
    """What opportunities, proposals and deals share."""

    title = StringField(_l("Intitulé"), filters=[strip], validators=[
        DataRequired(_l("Saisissez l'intitulé.")), Length(max=200, message=_l("200 caractères au plus.")),
        plain_text])
    amount = EuroField(_l("Montant (€)"), places=2, validators=[
        Optional(), NumberRange(min=0, max=MAX_AMOUNT, message=_l("Entre 0 et 999 999 999 999,99 €."))])
    owner_id = SelectField(_l("Suivi par"), coerce=optional_id)

    def __init__(self, *args, owner_id: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_submitted() and owner_id is not None and self.owner_id.data is None:
            self.owner_id.data = owner_id
        self.owner_id.choices = user_choices(self.owner_id.data if isinstance(self.owner_id.data, int) else None,
                                             str(_l("— Personne —")))

    def values(self) -> dict:
        return {field.short_name: field.data for field in self
                if field.short_name not in ("csrf_token", "idempotency_key")}


class OpportunityForm(_DealForm):
    """Ajouter une opportunité: title, amount, expected date, stage, owner."""

    expected_date = LocalDateField(_l("Date prévue"), validators=[Optional()])
    stage = SelectField(_l("Étape"), choices=[SelectChoice(v, label) for v, label in STAGES], default="qualification")


class ProposalForm(_DealForm):
    """A proposal made from an opportunity."""

    sent_date = LocalDateField(_l("Date d'envoi"), validators=[Optional()])
    status = SelectField(_l("Statut"), choices=[SelectChoice(v, label) for v, label in PROPOSAL_STATUSES],
                         default="draft")


class DealForm(_DealForm):
    """A deal made from a proposal."""

    signed_date = LocalDateField(_l("Date de signature"), validators=[Optional()])
    status = SelectField(_l("Statut"), choices=[SelectChoice(v, label) for v, label in DEAL_STATUSES], default="won")
