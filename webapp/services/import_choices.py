"""What the user chose and corrected on an import's preview, kept in its batch (import_batch.choices) so that the
preview can be paged: create, update or skip per card and the contact an update is for, the account per company,
and the name, e-mail and company typed in the preview's row editor, checked with the contact form's rules."""
import json
from dataclasses import dataclass, field

from sqlalchemy import update
from sqlalchemy.orm.attributes import set_committed_value

from .. import rules
from ..extensions import db
from ..models import ImportBatch
from ..problem_messages import message
from .vcard_mapping import ORG_LENGTH, refused_email_warning
from .vcard_plan import CardPlan

CHOICES = ("create", "update", "skip")
EDITED_FIELDS = ("last_name", "first_name", "email", "org")


@dataclass
class ImportChoices:
    """The user's choices: those saved in the batch, or those one request posts (merged into the saved ones)."""

    cards: dict[int, str] = field(default_factory=dict)  # card index -> "create", "update" or "skip"
    # card index -> (contact id, its version when the preview showed it): the contact an "update" is meant for
    contacts: dict[int, tuple[int, int]] = field(default_factory=dict)
    accounts: dict[str, str] = field(default_factory=dict)  # company key (folded ORG) -> account id or "new"
    typed_accounts: dict[str, str] = field(default_factory=dict)  # company key -> name typed as "another account"
    edits: dict[int, dict[str, str]] = field(default_factory=dict)  # card index -> corrected fields

    def merge(self, posted: "ImportChoices") -> None:
        """Take what a request posted over what was saved; an update's contact goes with its card's choice."""
        for index, choice in posted.cards.items():
            self.cards[index] = choice
            self.contacts.pop(index, None)
        self.contacts.update(posted.contacts)
        self.accounts.update(posted.accounts)
        for key, typed in posted.typed_accounts.items():
            if typed:
                self.typed_accounts[key] = typed
            else:
                self.typed_accounts.pop(key, None)
        self.edits.update(posted.edits)


def load_choices(batch: ImportBatch) -> ImportChoices:
    """The choices saved in the batch (none yet: every card keeps its default)."""
    if not batch.choices:
        return ImportChoices()
    saved = json.loads(batch.choices)
    return ImportChoices(cards={int(k): v for k, v in saved["cards"].items()},
                         contacts={int(k): tuple(v) for k, v in saved["contacts"].items()},
                         accounts=saved["accounts"], typed_accounts=saved["typed_accounts"],
                         edits={int(k): v for k, v in saved["edits"].items()})


def save_choices(batch: ImportBatch, chosen: ImportChoices) -> None:
    """Keep the choices in the batch (the request's unit of work commits). A plain UPDATE: when another request
    (a second click on "Importer") committed the batch meanwhile, it changes nothing, and the commit that follows
    finds the batch gone."""
    saved = json.dumps({"cards": chosen.cards, "contacts": chosen.contacts, "accounts": chosen.accounts,
                        "typed_accounts": chosen.typed_accounts, "edits": chosen.edits}, ensure_ascii=False)
    db.session.execute(update(ImportBatch).where(ImportBatch.id == batch.id).values(choices=saved)
                       .execution_options(synchronize_session=False))
    set_committed_value(batch, "choices", saved)


def check_edit(typed: dict[str, str]) -> tuple[dict[str, str], dict[str, str]]:
    """(the corrected fields cleaned, {field: message}) with the contact form's rules: a last name, lengths, a well
    formed e-mail; the first name may stay empty, as in any imported card."""
    values = {name: rules.clean_line(typed.get(name)) for name in EDITED_FIELDS}
    values["email"] = values["email"].replace(" ", "")
    errors = {}
    for name in ("last_name", "first_name", "email"):
        problem = (rules.required_problem(name, values[name]) if name == "last_name" else None) \
            or rules.length_problem(name, values[name])
        if problem is None and name == "email":
            problem = rules.email_problem(values[name])
        if problem:
            errors[name] = message(problem)
    if problem := rules.length_problem("org", values["org"], ORG_LENGTH):
        errors["org"] = message(problem)
    return values, errors


def apply_edit(plan: CardPlan, edit: dict[str, str]) -> None:
    """The card as corrected in the preview: its name, e-mail and company; a card refused only for want of a name
    becomes importable once it has one."""
    values = plan.values
    values["last_name"], values["first_name"] = edit["last_name"], edit["first_name"]
    values["email"] = edit["email"] or None
    plan.org = edit["org"] or None
    plan.name = f"{edit['last_name'].upper()} {edit['first_name']}".strip()
    plan.edited = True
    if edit["email"]:  # the refused e-mail's remark no longer holds
        prefix = refused_email_warning("\0", "").split("\0")[0]
        plan.warnings = [warning for warning in plan.warnings if not warning.startswith(prefix)]
    if plan.nameless and edit["last_name"]:
        plan.error = None
