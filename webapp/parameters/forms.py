"""Forms of the parameter screens: a label, plus a parent, a category or a provider where the list has one."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional

from ..form_fields import optional_id, plain_text, strip
from ..models import Department
from ..services.parameters import KINDS, list_items, tree_order


class LabelForm(FlaskForm):
    """A value of a list that only has a label."""

    label = StringField(_l("Libellé"), filters=[strip], validators=[
        DataRequired(_l("Saisissez un libellé.")),
        Length(max=120, message=_l("120 caractères au plus.")),
        plain_text,
    ])

    def set_choices(self, item=None) -> None:
        """Fill the pickers; `item` is the value being edited (None when adding)."""

    def values(self) -> dict:
        """The submitted values by column name, without the CSRF token."""
        return {field.short_name: field.data for field in self if field.short_name != "csrf_token"}


class DepartmentForm(LabelForm):
    """A service of the organigramme type, possibly inside another."""

    parent_id = SelectField(_l("Rattaché à"), coerce=optional_id)

    def set_choices(self, item=None) -> None:
        departments = tree_order(list_items(KINDS["department"]))
        excluded = _subtree_ids(departments, item.id) if item is not None else set()
        current = item.parent_id if item is not None else None
        self.parent_id.choices = [SelectChoice("", _l("— Premier niveau —"))] + [
            SelectChoice(department.id, "\u2003" * depth + department.label)
            for department, depth in departments
            if department.id not in excluded and (department.active or department.id == current)
        ]


class SkillForm(LabelForm):
    """A skill (Environnement / Compétences) in a category."""

    category_id = SelectField(_l("Catégorie"), coerce=optional_id)

    def set_choices(self, item=None) -> None:
        current = item.category_id if item is not None else None
        self.category_id.choices = [SelectChoice("", _l("— Sans catégorie —"))] + [
            SelectChoice(category.id, category.label)
            for category in list_items(KINDS["skill_category"])
            if category.active or category.id == current
        ]


class MailingListForm(LabelForm):
    """A mailing list held by an e-mailing provider."""

    provider = StringField(_l("Fournisseur"), default="Mailjet", filters=[strip], validators=[
        DataRequired(_l("Indiquez le fournisseur.")),
        Length(max=60, message=_l("60 caractères au plus.")),
        plain_text,
    ])
    external_id = StringField(_l("Identifiant externe"), filters=[strip], validators=[
        Optional(),
        Length(max=120, message=_l("120 caractères au plus.")),
        plain_text,
    ])


def _subtree_ids(ordered: list[tuple[Department, int]], root_id: int) -> set[int]:
    """The department and everything under it: it cannot become its own parent."""
    ids = {root_id}
    for department, _depth in ordered:
        if department.parent_id in ids:
            ids.add(department.id)
    return ids

