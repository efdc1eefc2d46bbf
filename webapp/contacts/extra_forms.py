"""Forms of the record's dialogs Environnement / compétences and Abonnements aux listes de diffusion."""
from datetime import datetime
from itertools import groupby

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from wtforms import SelectChoice, SelectMultipleField
from wtforms.validators import InputRequired, ValidationError

from ..extensions import db
from ..form_fields import LocalDateField, StartedWith, id_value, local_zone
from ..models import Contact, MailingList, Skill


class IdsField(SelectMultipleField):
    """Ids ticked among the offered ones; an id that is not offered is refused with a French message."""

    def pre_validate(self, form):
        offered = {choice.value for choice in self.choices}
        if any(value not in offered for value in self.data or []):
            raise ValidationError(_("Ce choix n'est plus proposé. Rechargez la page."))

    def process_formdata(self, valuelist):
        try:
            self.data = [id_value(value) for value in valuelist]
        except ValueError as error:
            raise ValueError(str(_l("Ce choix n'est plus proposé. Rechargez la page."))) from error


class SkillsForm(FlaskForm):
    """The contact's skills among the active ones (those it already has stay offered)."""

    skill_ids = IdsField(_l("Environnement / compétences"), coerce=id_value)
    before = StartedWith()  # the skills ticked when the dialog opened

    def __init__(self, *args, contact: Contact, **kwargs):
        super().__init__(*args, **kwargs)
        current = [skill.id for skill in contact.skills]
        if not self.is_submitted():
            self.skill_ids.data = self.before.data = current
        skills = db.session.scalars(select(Skill).where((Skill.active.is_(True)) | (Skill.id.in_(current)))
                                    .options(selectinload(Skill.category))).all()
        # Grouped by category in the parameter screen's order; skills without a category come last.
        skills = sorted(skills, key=lambda s: (s.category is None, s.category.position if s.category else 0,
                                               s.category.label if s.category else "", s.position, s.label))
        self.groups = [(category, list(items)) for category, items in groupby(skills, key=lambda s: s.category)]
        self.skill_ids.choices = [SelectChoice(skill.id, skill.label) for skill in skills]


class SubscriptionsForm(FlaskForm):
    """The mailing lists the contact is subscribed to, and the date a change takes effect."""

    list_ids = IdsField(_l("Listes de diffusion"), coerce=id_value)
    since = LocalDateField(_l("Depuis le"), validators=[InputRequired(_l("Saisissez la date."))])
    before = StartedWith()  # the lists subscribed to when the dialog opened

    def __init__(self, *args, contact: Contact, **kwargs):
        super().__init__(*args, **kwargs)
        subscribed = {item.mailing_list_id: item for item in contact.subscriptions}
        if not self.is_submitted():
            self.list_ids.data = [list_id for list_id, item in subscribed.items() if item.status == "subscribed"]
            self.before.data = list(self.list_ids.data)
            self.since.data = datetime.now(local_zone()).date()
        lists = db.session.scalars(select(MailingList).where((MailingList.active.is_(True))
                                                             | (MailingList.id.in_(list(subscribed))))
                                   .order_by(MailingList.position, MailingList.provider, MailingList.label)).all()
        self.lists = [(item, subscribed.get(item.id)) for item in lists]
        self.list_ids.choices = [SelectChoice(item.id, item.full_label) for item in lists]
