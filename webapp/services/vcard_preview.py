"""The import preview: one row per card (new, possible duplicate with its match, or error) with the choices it
offers, one account choice per company (ORG), the user's saved choices and corrections applied (see
import_choices), and the page of rows shown (100 a page, filtered by status). Duplicates and accounts are looked up
anew on each display, since the base moves between upload and commit."""
from collections import Counter
from dataclasses import dataclass, field

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select

from ..extensions import db
from ..models import Client, ImportBatch, User
from ..rights import CLIENTS_EDIT, CONTACTS_EDIT
from ..scope import client_visible
from ..text import fold
from .import_choices import CHOICES, ImportChoices, apply_edit, load_choices
from .vcard_batch import batch_content, chunks
from .vcard_plan import CardPlan
from .vcard_matching import Match, find_matches

PAGE_SIZE = 100  # cards a page
GROUPS_PAGE_SIZE = 20  # companies a page: the cards, below them, stay within reach
# The status filters of the cards, in the order of their tabs ("" is every card).
STATUSES = ("", "new", "duplicate", "error", "warnings", "review")


@dataclass
class Group:
    """The cards sharing one ORG (or none): they all go to the account chosen here."""

    index: int
    key: str
    org: str | None
    cards: int = 0
    options: list[tuple[str, str]] = field(default_factory=list)  # (value, label): existing accounts, "new"
    value: str = ""
    other: str = ""  # an account typed in the "another account" box
    error: str | None = None

    @property
    def existing_ids(self) -> list[int]:
        """The ids of the existing accounts offered."""
        return [int(value) for value, _label in self.options if value.isdigit()]


@dataclass
class Row:
    """One card in the preview: its status, its match, the choices it offers and the one made."""

    card: CardPlan
    group: int
    status: str  # new, duplicate, error
    match: Match | None = None
    choices: list[tuple[str, str]] = field(default_factory=list)
    choice: str = "skip"
    error: str | None = None

    @property
    def contact(self) -> tuple[int, int] | None:
        """(id, version) of the existing contact an update of this card would be for."""
        match = self.match
        return (match.contact_id, match.version) if match and match.contact_id and match.visible else None


@dataclass
class Preview:
    """The whole preview: files, rows, account groups, the page shown, and what to tell the user."""

    token: str
    files: list[dict]
    rows: list[Row]
    groups: list[Group]
    chosen: ImportChoices
    status: str = ""  # the status filter ("" for every card)
    page: int = 1
    groups_page: int = 1
    message: str | None = None  # what stops the import, shown as an alert
    notice: str | None = None  # what the last action did

    @property
    def from_sheet(self) -> bool:
        """Rows of a spreadsheet (numbered by line), not cards of .vcf files."""
        return any(f.get("kind") == "sheet" for f in self.files)

    @property
    def via(self) -> str:
        """The audit channel the commit writes under: "vcard", or "import" for a spreadsheet."""
        return "import" if self.from_sheet else "vcard"

    @property
    def counts(self) -> Counter:
        """Rows by status, with those that come with remarks and those to review."""
        counts = Counter(row.status for row in self.rows)
        counts["warnings"] = sum(1 for row in self.rows if row.card.warnings)
        counts["review"] = sum(1 for row in self.rows if self._to_review(row))
        counts[""] = len(self.rows)
        return counts

    def _to_review(self, row: Row) -> bool:
        """A row whose choice cannot be applied as made (its own, or its company's account)."""
        return bool(row.error or (row.group >= 0 and self.groups[row.group].error and row.choice != "skip"))

    def filtered(self) -> list[Row]:
        """The rows of the status filter."""
        match self.status:
            case "":
                return self.rows
            case "warnings":
                return [row for row in self.rows if row.card.warnings]
            case "review":
                return [row for row in self.rows if self._to_review(row)]
        return [row for row in self.rows if row.status == self.status]

    @property
    def page_count(self) -> int:
        """Pages of the filter's rows (one at least)."""
        return max(1, -(-len(self.filtered()) // PAGE_SIZE))

    @property
    def page_rows(self) -> list[Row]:
        """The rows shown: the page of the filter."""
        start = (min(self.page, self.page_count) - 1) * PAGE_SIZE
        return self.filtered()[start:start + PAGE_SIZE]

    @property
    def groups_page_count(self) -> int:
        """Pages of the companies (one at least)."""
        return max(1, -(-len(self.groups) // GROUPS_PAGE_SIZE))

    @property
    def page_groups(self) -> list[Group]:
        """The companies shown, those whose account is to review first."""
        ordered = sorted(self.groups, key=lambda group: group.error is None)
        start = (min(self.groups_page, self.groups_page_count) - 1) * GROUPS_PAGE_SIZE
        return ordered[start:start + GROUPS_PAGE_SIZE]

    @property
    def rows_range(self) -> tuple[int, int]:
        """(first, last) position of the rows shown in the filter's rows, from 1 (0, 0 for none)."""
        start = (min(self.page, self.page_count) - 1) * PAGE_SIZE
        return (start + 1, start + len(self.page_rows)) if self.page_rows else (0, 0)

    @property
    def groups_range(self) -> tuple[int, int]:
        """(first, last) position of the companies shown, from 1."""
        start = (min(self.groups_page, self.groups_page_count) - 1) * GROUPS_PAGE_SIZE
        return start + 1, start + len(self.page_groups)

    def row_of(self, index: int) -> Row | None:
        """The row of a card, by its index in the upload."""
        return self.rows[index] if 0 <= index < len(self.rows) else None

    def summary(self) -> str:
        """ "12 fiches lues : 9 nouvelles, 2 doublons possibles, 1 erreur ; 3 fiches avec remarques" (lignes for a
        spreadsheet)"""
        counts = self.counts
        cards, new, duplicates, errors = len(self.rows), counts["new"], counts["duplicate"], counts["error"]
        read = (ngettext("%(count)d ligne lue", "%(count)d lignes lues", cards, count=cards) if self.from_sheet
                else ngettext("%(count)d fiche lue", "%(count)d fiches lues", cards, count=cards))
        text = _("%(cards)s : %(new)s, %(duplicates)s, %(errors)s", cards=read,
                 new=ngettext("%(count)d nouvelle", "%(count)d nouvelles", new, count=new),
                 duplicates=ngettext("%(count)d doublon possible", "%(count)d doublons possibles", duplicates,
                                     count=duplicates),
                 errors=ngettext("%(count)d erreur", "%(count)d erreurs", errors, count=errors))
        if (warnings := counts["warnings"]) and self.from_sheet:
            text += ngettext(" ; %(count)d ligne avec remarques", " ; %(count)d lignes avec remarques", warnings,
                             count=warnings)
        elif warnings:
            text += ngettext(" ; %(count)d fiche avec remarques", " ; %(count)d fiches avec remarques", warnings,
                             count=warnings)
        return text

    @property
    def status_tabs(self) -> list[tuple[str, str, int]]:
        """(status, label, count) of the filters worth showing: every card, then each status that has cards."""
        counts, labels = self.counts, status_labels()
        return [(status, labels[status], counts[status]) for status in STATUSES
                if status == "" or counts[status] or status == self.status]

    @property
    def has_errors(self) -> bool:
        """Some choice cannot be applied as made."""
        return any(row.error for row in self.rows) or any(group.error for group in self.groups)

    @property
    def bulk_choices(self) -> list[tuple[str, str]]:
        """(choice, label) of the buttons that set one choice for every card of the filter."""
        rows = self.filtered()
        offered = {value for row in rows if row.status != "error" for value, _label in row.choices}
        labels = {"create": _("Tout créer"), "update": _("Tout mettre à jour"), "skip": _("Tout ignorer")}
        return [(value, labels[value]) for value in ("create", "update", "skip")
                if value in offered and (value != "update" or any(row.contact for row in rows))]


def status_labels() -> dict[str, str]:
    """The label of each status filter."""
    return {"": _("Toutes"), "new": _("Nouvelles"), "duplicate": _("Doublons possibles"), "error": _("Erreurs"),
            "warnings": _("Avec remarques"), "review": _("À revoir")}


def choice_labels() -> dict[str, str]:
    """The French label of each choice a row may offer."""
    return {"create": _("Créer"), "update": _("Mettre à jour le contact existant"), "skip": _("Ignorer")}


def build_preview(batch: ImportBatch, user: User, chosen: ImportChoices | None = None, status: str = "",
                  page: int = 1, groups_page: int = 1) -> Preview:
    """One row per card (new, possible duplicate with its match, or error) and one account choice per ORG, with
    the choices and corrections saved in the batch (or `chosen`); the page of the status filter to show."""
    files, plans = batch_content(batch)
    chosen = load_choices(batch) if chosen is None else chosen
    for index, edit in chosen.edits.items():
        if 0 <= index < len(plans) and (plans[index].error is None or plans[index].nameless):
            apply_edit(plans[index], edit)
    groups = _groups(plans, user, chosen)
    matches = find_matches(plans, user, {g.key: g.existing_ids[0] for g in groups if g.existing_ids})
    group_of = {group.key: group.index for group in groups}
    may_update = user.can(CONTACTS_EDIT)
    labels = choice_labels()  # once: three gettext calls a row cost a second on 10,000 rows
    rows = []
    for plan in plans:
        if plan.error:
            rows.append(Row(plan, -1, "error"))
            continue
        match = matches.get(plan.index)
        row = Row(plan, group_of[fold(plan.org)], "duplicate" if match else "new", match)
        _offer(row, may_update and row.contact is not None, chosen, labels)
        rows.append(row)
    return Preview(batch.token, files, rows, groups, chosen, status if status in STATUSES else "", max(page, 1),
                   max(groups_page, 1))


def _groups(plans: list[CardPlan], user: User, chosen: ImportChoices) -> list[Group]:
    """One group per folded ORG (the one without ORG last), with the visible accounts of that name, "create it"
    when the user may, and the account chosen (the first offered unless the user chose)."""
    groups: dict[str, Group] = {}
    for plan in plans:
        if not plan.error:
            key = fold(plan.org)
            groups.setdefault(key, Group(index=0, key=key, org=plan.org)).cards += 1
    ordered = sorted(groups.values(), key=lambda g: (g.key == "", g.key))
    existing = _visible_clients_by_key(user, {g.key for g in ordered if g.key})
    may_create_client = user.can(CLIENTS_EDIT)
    for index, group in enumerate(ordered):
        group.index = index
        for id_, name, archived in existing.get(group.key, []):
            label = _("Compte existant : %(name)s", name=name)
            group.options.append((str(id_), label + (" " + _("(archivé)") if archived else "")))
        if group.key and may_create_client:
            group.options.append(("new", _("Créer le compte « %(name)s »", name=group.org)))
        group.value = chosen.accounts.get(group.key, group.options[0][0] if group.options else "")
        group.other = chosen.typed_accounts.get(group.key, "")
    return ordered


def _offer(row: Row, may_update: bool, chosen: ImportChoices, labels: dict[str, str]) -> None:
    """The row's choices (update only for a contact the user may change) and the one selected: the user's, else
    create a new card, update a UID match, skip another duplicate."""
    row.choices = [(value, labels[value]) for value in (CHOICES if may_update else ("create", "skip"))]
    match = row.match
    row.choice = "create" if match is None else ("update" if match.by == "uid" and may_update else "skip")
    if (made := chosen.cards.get(row.card.index)) is not None:
        row.choice = made
        if made not in dict(row.choices):
            row.error = _("Ce choix n'est plus possible pour cette fiche : vérifiez-le.")
            row.choice = "skip"


def _visible_clients_by_key(user: User, keys: set[str]) -> dict[str, list[tuple[int, str, bool]]]:
    """Visible accounts whose folded name is one of `keys`: {key: [(id, name, archived)]}, active ones first."""
    found: dict[str, list] = {}
    for chunk in chunks(sorted(keys)):
        rows = db.session.execute(select(Client.id, Client.name, Client.name_key, Client.archived)
                                  .where(Client.name_key.in_(chunk), client_visible(user))
                                  .order_by(Client.archived, Client.id))
        for id_, name, key, archived in rows:
            found.setdefault(key, []).append((id_, name, archived))
    return found


def choose_for_filter(preview: Preview, choice: str) -> str:
    """One choice for every card of the preview's filter, on every page, kept in `preview.chosen` (an update for
    the contact shown now); a card that does not offer it keeps its own. What was done, in words."""
    changed = kept = 0
    for row in preview.filtered():
        if row.status == "error":
            continue
        if choice in dict(row.choices) and (choice != "update" or row.contact):
            changed += 1
            row.choice, row.error = choice, None
            preview.chosen.cards[row.card.index] = choice
            preview.chosen.contacts.pop(row.card.index, None)
            if choice == "update":
                preview.chosen.contacts[row.card.index] = row.contact
        else:
            kept += 1
    notice = ngettext("Choix appliqué à %(count)d fiche.", "Choix appliqué à %(count)d fiches.", changed,
                      count=changed)
    if kept:
        notice += " " + ngettext(
            "%(count)d fiche ne le permet pas (sans contact existant que vous pouvez modifier) : son choix est "
            "gardé.",
            "%(count)d fiches ne le permettent pas (sans contact existant que vous pouvez modifier) : leur choix est "
            "gardé.", kept, count=kept)
    return notice
