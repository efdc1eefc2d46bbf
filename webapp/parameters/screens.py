"""The parameter screens: which list each one edits, its words, and its form."""
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from ..services.parameters import KINDS, Kind
from .forms import DepartmentForm, LabelForm, MailingListForm, SkillForm


@dataclass(frozen=True)
class Screen:
    slug: str  # the URL segment: /parameters/<slug>
    kind: Kind
    title: str
    description: str
    form_class: type[LabelForm] = LabelForm
    label_text: str = _l("Libellé")
    related: tuple[str, ...] = ()  # slugs of screens linked from this one

    @property
    def is_tree(self) -> bool:
        return self.kind.order_within == "parent_id"

    def make_form(self, item=None, **kwargs) -> LabelForm:
        """The add form (item None, fields prefixed "new-") or an item's editor (prefixed "item-<id>-")."""
        prefix = f"item-{item.id}" if item is not None else "new"
        form = self.form_class(obj=item, prefix=prefix, **kwargs)
        form.label.label.text = self.label_text
        form.set_choices(item)
        return form


SCREENS: dict[str, Screen] = {screen.slug: screen for screen in (
    Screen("entities", KINDS["entity"], _l("Entités"),
           _l("Les entités de la société ; les comptes clients et les utilisateurs leur sont rattachés.")),
    Screen("sectors", KINDS["sector"], _l("Secteurs d'activité"),
           _l("Le secteur d'activité d'un compte client.")),
    Screen("size-bands", KINDS["size_band"], _l("Tailles / effectifs"),
           _l("Les tranches d'effectif (INSEE) d'un compte client."), label_text=_l("Tranche")),
    Screen("revenue-ranges", KINDS["revenue_range"], _l("Fourchettes de CA"),
           _l("La fourchette de chiffre d'affaires d'un compte client."), label_text=_l("Fourchette")),
    Screen("origins", KINDS["origin"], _l("Origines commerciales"),
           _l("Comment le compte client est arrivé.")),
    Screen("departments", KINDS["department"], _l("Organigramme type des sociétés tiers"),
           _l("Les services proposés pour le champ « Service dans l'organigramme » d'un contact ; "
              "un service peut être rattaché à un autre."),
           form_class=DepartmentForm, label_text=_l("Service")),
    Screen("skills", KINDS["skill"], _l("Environnement / Compétences"),
           _l("L'environnement technique et les compétences d'un contact, classés par catégorie."),
           form_class=SkillForm, label_text=_l("Compétence"), related=("skill-categories",)),
    Screen("skill-categories", KINDS["skill_category"], _l("Catégories de compétences"),
           _l("Les rubriques qui regroupent les compétences (Langages, Cloud…)."),
           label_text=_l("Catégorie"), related=("skills",)),
    Screen("mailing-lists", KINDS["mailing_list"], _l("Listes de diffusion"),
           _l("Les listes auxquelles un contact peut être abonné, chez un fournisseur d'e-mailing."),
           form_class=MailingListForm, label_text=_l("Nom de la liste")),
    Screen("task-types", KINDS["task_type"], _l("Types de tâches"),
           _l("Le type d'une tâche commerciale (Rendez-vous, Appel…).")),
    Screen("document-categories", KINDS["document_category"], _l("Catégories de documents"),
           _l("La catégorie d'un document classé (Contrat, CV, Proposition…).")),
)}
