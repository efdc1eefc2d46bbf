"""The import preview: one row per card (new, possible duplicate with its match, or error) with the choices it
offers, one account choice per company (ORG); and the user's choices read back onto it (ImportChoices). Duplicates
and accounts are looked up anew on each display, since the base moves between upload and commit."""
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
from .vcard_batch import batch_content, chunks
from .vcard_plan import CardPlan
from .vcard_matching import Match, find_matches

CHOICES = ("create", "update", "skip")


@dataclass
class ImportChoices:
    """What the user chose on the preview, as posted: no form field names beyond the route that reads them."""

    cards: dict[int, str] = field(default_factory=dict)  # card index -> "create", "update" or "skip"
    # card index -> (contact id, its version when the preview showed it): the contact an "update" is meant for
    contacts: dict[int, tuple[int, int]] = field(default_factory=dict)
    accounts: dict[int, str] = field(default_factory=dict)  # group index -> account id (as text) or "new"
    typed_accounts: dict[int, str] = field(default_factory=dict)  # group index -> name typed as "another account"
    for_all: dict[str, str] = field(default_factory=dict)  # row status ("new", "duplicate") -> choice for all


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


@dataclass
class Preview:
    """The whole preview page: files, rows, account groups, and what to tell the user."""

    token: str
    files: list[dict]
    rows: list[Row]
    groups: list[Group]
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
        """Rows by status."""
        return Counter(row.status for row in self.rows)

    @property
    def warnings(self) -> int:
        """How many cards come with remarks."""
        return sum(1 for row in self.rows if row.card.warnings)

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
        if (warnings := self.warnings) and self.from_sheet:
            text += ngettext(" ; %(count)d ligne avec remarques", " ; %(count)d lignes avec remarques", warnings,
                             count=warnings)
        elif warnings:
            text += ngettext(" ; %(count)d fiche avec remarques", " ; %(count)d fiches avec remarques", warnings,
                             count=warnings)
        return text

    @property
    def has_errors(self) -> bool:
        """Some choice cannot be applied as made."""
        return any(row.error for row in self.rows) or any(group.error for group in self.groups)

    @property
    def choices_for_all(self) -> list[tuple[str, str, list[tuple[str, str]]]]:
        """(status, label, choices) of the "one choice for several cards" lists, where there are several cards."""
        counts, labels = self.counts, choice_labels()
        lists = [("new", _("Fiches nouvelles (%(count)d)", count=counts["new"]), ("create", "skip")),
                 ("duplicate", _("Doublons possibles (%(count)d)", count=counts["duplicate"]),
                  ("update", "create", "skip"))]
        return [(status, label, [(value, labels[value]) for value in values])
                for status, label, values in lists if counts[status] > 1]


def choice_labels() -> dict[str, str]:
    """The French label of each choice a row may offer."""
    return {"create": _("Créer"), "update": _("Mettre à jour le contact existant"), "skip": _("Ignorer")}


def build_preview(batch: ImportBatch, user: User, chosen: ImportChoices | None = None,
                  find_duplicates: bool = True) -> Preview:
    """One row per card (new, possible duplicate with its match, or error) and one account choice per ORG, with
    the user's choices when given.

    The commit reads the choices without looking for duplicates again (`find_duplicates=False`): "update" is then
    offered to every card, and the contact named by the choices is checked instead."""
    files, plans = batch_content(batch)
    groups = _groups(plans, user, chosen)
    matches = find_matches(plans, user, {g.key: g.existing_ids[0] for g in groups if g.existing_ids}) \
        if find_duplicates else {}
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
        _offer(row, may_update and (not find_duplicates or bool(match and match.contact_id and match.visible)),
               chosen, labels)
        rows.append(row)
    return Preview(batch.token, files, rows, groups)


def _groups(plans: list[CardPlan], user: User, chosen: ImportChoices | None) -> list[Group]:
    """One group per folded ORG (the one without ORG last), with the visible accounts of that name, "create it"
    when the user may, and the account chosen."""
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
        group.value = group.options[0][0] if group.options else ""
        if chosen is not None:
            group.value = chosen.accounts.get(index, "")
            group.other = chosen.typed_accounts.get(index, "")
    return ordered


def _offer(row: Row, may_update: bool, chosen: ImportChoices | None, labels: dict[str, str]) -> None:
    """The row's choices (update only for a contact the user may change) and the one selected: the user's, else
    create a new card, update a UID match, skip another duplicate."""
    row.choices = [(value, labels[value]) for value in (CHOICES if may_update else ("create", "skip"))]
    match = row.match
    row.choice = "create" if match is None else ("update" if match.by == "uid" and may_update else "skip")
    if chosen is not None:
        row.choice = chosen.cards.get(row.card.index, "skip")
        if row.choice not in dict(row.choices):
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


def choose_for_all(batch: ImportBatch, user: User, chosen: ImportChoices) -> Preview:
    """The preview as the user left it, where one choice replaces every new card's ("new") or every possible
    duplicate's ("duplicate"); a card that does not offer that choice keeps its own, and the notice says so."""
    preview = build_preview(batch, user, chosen)
    changed = kept = 0
    for row in preview.rows:
        wanted = chosen.for_all.get(row.status, "") if row.status != "error" else ""
        if not wanted:
            continue
        if wanted in dict(row.choices):
            changed += 1
            row.choice, row.error = wanted, None
        else:
            kept += 1
    preview.notice = ngettext("Choix appliqué à %(count)d fiche.", "Choix appliqué à %(count)d fiches.", changed,
                              count=changed)
    if kept:
        preview.notice += " " + ngettext(
            "%(count)d fiche ne le permet pas (contact existant auquel vous n'avez pas accès) : son choix est gardé.",
            "%(count)d fiches ne le permettent pas (contact existant auquel vous n'avez pas accès) : leur choix est "
            "gardé.", kept, count=kept)
    return preview
