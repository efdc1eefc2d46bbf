"""vCard import: the files are read once into a stored batch, the preview matches it against the CRM, one commit.

Upload: every file goes through parse_vcards and every card is turned into the CRM's values at once (field rules,
lengths, e-mail and link checks, photo checks), so the warnings are in the preview and the files are never read
again: the result is kept in import_batch, where any app server finds it. Preview: duplicates and accounts are
looked up anew on each display and at the commit, since the base moves in between. Commit: one transaction;
updates go through update_contact and its version check, creations are written as batches of Core inserts with
the same derived columns and the same audit row as create_contact (one create_contact per card costs 0.8 ms of
ORM work, 4 s for a 5,000-card file: twice the whole budget; test_vcard_import checks both stay alike).
"""
import base64
import hashlib
import json
import re
import secrets
import zlib
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from datetime import date, timedelta
from types import SimpleNamespace

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import delete, func, insert, select, text
from sqlalchemy.orm import selectinload

from ..contacts.rules import (LINK_KINDS, MAX_LENGTHS, clean_line, clean_multiline, email_error, length_error,
                              phone_warning, url_error)
from ..countries import country_code
from ..extensions import db
from ..formatting import field_label
from ..models import (Client, Contact, ContactExtra, ContactLink, ContactPhoto, Department, ImportBatch, User,
                      client_entities)
from ..models.types import utcnow
from ..rights import CLIENTS_EDIT, CONTACTS_EDIT
from ..scope import client_visible, contact_visible
from ..text import fold
from .audit import _text as audit_text  # record_created's rendering of values
from .audit import bulk_rows, record_changes, record_created
from .contacts import FIELDS, KEEP, LinkValue, StaleContactError, update_contact
from .phones import to_e164
from .photos import PhotoError, ProcessedPhoto, process_photo
from .vcard_cards import ParsedCard
from .vcard_decode import VCardFileError
from .vcard_read import parse_vcards

BATCH_LIFETIME = timedelta(days=1)
WRITE_BATCH = 500  # contacts per INSERT round, and ids per IN (...) list
EXTRA_LIMITS = (20, 100, 500)  # ContactExtra kind, label, value
ORG_LENGTH = 200  # Client.name
SHORT_TEXT = 150  # Contact.vcard_role
CATEGORIES_LENGTH = 500
UID_LENGTH = 255


class UploadError(Exception):
    """The upload is refused as a whole; `message` is shown to the user, nothing is kept."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


# ------------------------------------------------------------------------------------------------ upload

@dataclass
class CardPlan:
    """One card of the upload as the CRM would store it (JSON-able: kept in import_batch between requests)."""

    index: int  # 0-based, over every file of the upload
    file: int
    number: int  # 1-based inside its file, as the user counts cards
    name: str = ""
    error: str | None = None
    org: str | None = None
    units: list[str] = field(default_factory=list)
    values: dict = field(default_factory=dict)  # Contact columns among FIELDS; birthday as ISO text
    e164: dict = field(default_factory=dict)  # phone / mobile / fax
    links: list = field(default_factory=list)  # [kind, url]
    extras: list = field(default_factory=list)  # [kind, label, value]
    photo: dict | None = None  # processed photo, base64, and the sha256 of the file's own bytes
    warnings: list[str] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)

    @property
    def email(self) -> str | None:
        return self.values.get("email")

    @property
    def phone(self) -> str | None:
        return self.values.get("phone") or self.values.get("mobile")


def read_upload(files: list[tuple[str, bytes]], max_bytes: int, max_cards: int, photo_max_bytes: int,
                photo_max_pixels: int) -> tuple[list[dict], list[CardPlan]]:
    """Read uploaded .vcf files into card plans; UploadError (with a message naming the file) past any bound."""
    files = [(name, data) for name, data in files if name or data]
    if not files:
        raise UploadError(_("Choisissez au moins un fichier .vcf."))
    total = sum(len(data) for _name, data in files)
    if total > max_bytes:
        raise UploadError(_("L'envoi dépasse la taille maximale (%(size)s au total) : importez les fichiers en "
                            "plusieurs fois.", size=_size(max_bytes)))
    summary, plans = [], []
    for file_index, (name, data) in enumerate(files):
        label = name or _("fichier %(n)d", n=file_index + 1)
        try:
            result = parse_vcards(data, max_cards=max_cards, max_bytes=max_bytes, max_photo=photo_max_bytes)
        except VCardFileError as error:
            raise UploadError(f"{label} : {error.message}") from None
        count = len(result.cards) + len(result.errors)
        if len(plans) + count > max_cards:
            raise UploadError(_("L'import dépasse %(max)d fiches au total : importez les fichiers en plusieurs "
                                "fois.", max=max_cards))
        errors = {e.number: e.reason for e in result.errors}
        cards = {card.number: card for card in result.cards}
        for number in sorted({*errors, *cards}):
            plan = CardPlan(index=len(plans), file=file_index, number=number)
            if number in errors:
                plan.error = errors[number]
            else:
                _fill(plan, cards[number], photo_max_bytes, photo_max_pixels)
            plans.append(plan)
        summary.append({"name": label, "cards": count, "errors": len(errors)})
    return summary, plans


def _size(n: int) -> str:
    return f"{n / (1024 * 1024):g} Mo"


def _fit(name: str, value: str, warnings: list[str], limit: int | None = None) -> str:
    """The value cut to its column's length; the cut is reported."""
    limit = limit or MAX_LENGTHS.get(name)
    if limit and len(value) > limit:
        message = length_error(name, value) if name in MAX_LENGTHS else _("%(limit)d caractères au plus.",
                                                                          limit=limit)
        warnings.append(_("%(field)s : %(message)s Valeur tronquée.", field=field_label(name), message=message))
        return value[:limit].rstrip()
    return value


def _fill(plan: CardPlan, card: ParsedCard, photo_max_bytes: int, photo_max_pixels: int) -> None:
    """Map a parsed card on the contact's columns, through the same field rules as the contact form."""
    warnings = list(dict.fromkeys(card.warnings))
    first, last = clean_line(card.first_name), clean_line(card.last_name)
    if not last and first:
        last, first = first, ""  # the list sorts and shows by Nom
    org = clean_line(card.org)[:ORG_LENGTH] or None
    plan.org = org
    plan.units = [u for u in (clean_line(unit) for unit in card.org_units) if u]
    plan.name = f"{last.upper()} {first}".strip() or clean_line(card.full_name) or (org or "")
    plan.ignored = list(card.ignored)
    if card.kind != "individual":
        plan.error = _("Fiche d'une société ou d'un groupe, pas d'une personne : non importée.")
        return
    if not last:
        plan.error = _("Fiche sans nom : non importée.")
        return
    primary = card.primary()
    extras = [[e.kind, e.label, e.value] for e in primary.extras]
    for label, value in ((_l("Autres prénoms"), card.additional_names), (_l("Civilité"), card.name_prefix),
                         (_l("Suffixe"), card.name_suffix)):
        if clean_line(value):
            extras.append(["other", str(label), clean_line(value)])
    values: dict = {"last_name": _fit("last_name", last, warnings), "first_name": _fit("first_name", first, warnings)}
    values["gender"] = card.gender if card.gender in ("M", "F") else None
    values["function"] = _fit("function", clean_line(card.title), warnings) or None

    email = clean_line(primary.email)
    if email and (problem := email_error(email)):
        warnings.append(_("E-mail « %(value)s » non importé : %(problem)s", value=email, problem=problem))
        email = ""
    values["email"] = email or None

    country = None
    address = primary.address
    if address:
        street_lines = [clean_line(line) for line in address.street.split("\n") if clean_line(line)]
        street2 = [*street_lines[1:], clean_line(address.extended), clean_line(address.po_box)]
        values["street"] = _fit("street", street_lines[0] if street_lines else "", warnings) or None
        values["street2"] = _fit("street2", ", ".join(p for p in street2 if p), warnings) or None
        values["postal_code"] = _fit("postal_code", clean_line(address.postal_code), warnings) or None
        values["city"] = _fit("city", clean_line(address.city), warnings) or None
        if clean_line(address.region):
            extras.append(["other", _("Région"), clean_line(address.region)])
        if clean_line(address.country):
            country = country_code(address.country)
            if country is None:
                warnings.append(_("Pays « %(value)s » non reconnu : gardé dans les informations complémentaires.",
                                  value=clean_line(address.country)))
                extras.append(["other", _("Pays"), clean_line(address.country)])
    values["country"] = country

    for name in ("phone", "mobile", "fax"):
        number = clean_line(getattr(primary, name))
        if len(number) > MAX_LENGTHS[name]:
            warnings.append(_("%(field)s trop long pour sa colonne : gardé dans les informations complémentaires.",
                              field=field_label(name)))
            extras.append(["tel", str(field_label(name)), number])
            number = ""
        values[name] = number or None
        # The region rule of services.contacts._normalise; the commit writes these E.164 forms as they are.
        plan.e164[name] = e164 = _e164(number, country or "FR") if number else None
        if number and e164 is None and (problem := phone_warning(number, country)):
            warnings.append(_("%(field)s « %(value)s » : %(problem)s", field=field_label(name), value=number,
                              problem=problem))

    note = clean_multiline(card.note)
    values["notes"] = _fit("notes", note, warnings) or None
    values["vcard_role"] = clean_line(card.role)[:SHORT_TEXT] or None
    categories = ", ".join(c for c in (clean_line(c) for c in card.categories) if c)
    values["categories"] = categories[:CATEGORIES_LENGTH] or None
    values["birthday"] = card.birthday.isoformat() if card.birthday else None
    uid = clean_line(card.uid)
    if len(uid) > UID_LENGTH:
        warnings.append(_("UID de plus de %(n)d caractères : non importé.", n=UID_LENGTH))
        uid = ""
    values["vcard_uid"] = uid or None
    plan.values = values

    seen = set()
    for link in primary.links:
        url = clean_line(link.url)
        if url and "://" not in url and re.match(r"^[\w.-]+\.[a-z]{2,}(/|$)", url, re.I):
            url = "https://" + url  # "www.acme.fr", as phones write it
        if problem := url_error(url):
            warnings.append(_("Lien « %(value)s » ignoré : %(problem)s", value=url[:80], problem=problem))
            continue
        if url not in seen:
            seen.add(url)
            plan.links.append([link.kind if link.kind in LINK_KINDS else "other", url])

    kind_max, label_max, value_max = EXTRA_LIMITS
    for kind, label, value in extras:
        value = clean_multiline(value)
        if value:
            plan.extras.append([kind[:kind_max], clean_line(label)[:label_max] or None, value[:value_max]])

    if card.photo:
        try:
            photo = process_photo(card.photo, max_bytes=photo_max_bytes, max_pixels=photo_max_pixels)
        except PhotoError as error:
            warnings.append(_("Photo refusée : %(reason)s Le contact sera importé sans photo.", reason=str(error)))
        else:
            plan.photo = {"data": _b64(photo.data), "thumbnail": _b64(photo.thumbnail), "mime": photo.mime,
                          "width": photo.width, "height": photo.height,
                          "sha": hashlib.sha256(card.photo).hexdigest()}
    plan.warnings = list(dict.fromkeys(warnings))


@lru_cache(maxsize=20_000)
def _e164(number: str, region: str) -> str | None:
    """to_e164, remembered: a file repeats its switchboard numbers, and phonenumbers takes 0.1 ms a number."""
    return to_e164(number, region)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def store_batch(user: User, files: list[dict], plans: list[CardPlan]) -> ImportBatch:
    """Keep the read cards for the preview and the commit; batches older than a day are dropped on the way."""
    db.session.execute(delete(ImportBatch).where(ImportBatch.created_at < utcnow() - BATCH_LIFETIME))
    # vars(), not asdict(): the fields hold only JSON values, and asdict's deep copy costs a tenth of the import.
    payload = json.dumps({"files": files, "cards": [vars(plan) for plan in plans]}, ensure_ascii=False)
    batch = ImportBatch(token=secrets.token_urlsafe(24), user_id=user.id, card_count=len(plans),
                        data=zlib.compress(payload.encode("utf-8"), 1))
    db.session.add(batch)
    db.session.commit()
    return batch


def load_batch(token: str, user: User) -> ImportBatch | None:
    """The user's own batch for this token, unless it is done or expired."""
    if not re.fullmatch(r"[A-Za-z0-9_-]{16,64}", token or ""):
        return None
    return db.session.scalars(select(ImportBatch).where(
        ImportBatch.token == token, ImportBatch.user_id == user.id,
        ImportBatch.created_at >= utcnow() - BATCH_LIFETIME)).first()


def batch_content(batch: ImportBatch) -> tuple[list[dict], list[CardPlan]]:
    """The files and card plans kept in a batch."""
    payload = json.loads(zlib.decompress(batch.data))
    return payload["files"], [CardPlan(**card) for card in payload["cards"]]


def cancel_batch(batch: ImportBatch) -> None:
    """Drop an upload the user does not want to import."""
    db.session.execute(delete(ImportBatch).where(ImportBatch.id == batch.id))
    db.session.commit()


# ------------------------------------------------------------------------------------------------ preview

@dataclass
class Match:
    """An existing contact a card may be (by uid, email, phone or name), or an earlier card of the same upload."""

    by: str
    contact_id: int | None = None
    version: int = 0
    name: str = ""
    client_name: str = ""
    visible: bool = False
    card_index: int | None = None  # a duplicate inside the upload

    @property
    def reason(self) -> str:
        return {"uid": _("même UID"), "email": _("même e-mail"), "phone": _("même téléphone"),
                "name": _("même nom chez ce client")}[self.by]


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
        return [int(value) for value, _label in self.options if value.isdigit()]


@dataclass
class Row:
    card: CardPlan
    group: int
    status: str  # new, duplicate, error
    match: Match | None = None
    choices: list[tuple[str, str]] = field(default_factory=list)
    choice: str = "skip"
    error: str | None = None


@dataclass
class Preview:
    token: str
    files: list[dict]
    rows: list[Row]
    groups: list[Group]
    message: str | None = None  # what stops the import, shown as an alert
    notice: str | None = None  # what the last action did

    @property
    def counts(self) -> Counter:
        return Counter(row.status for row in self.rows)

    @property
    def warnings(self) -> int:
        return sum(1 for row in self.rows if row.card.warnings)

    def summary(self) -> str:
        """ "12 fiches lues : 9 nouvelles, 2 doublons possibles, 1 erreur ; 3 fiches avec remarques" """
        counts = self.counts
        cards, new, duplicates, errors = len(self.rows), counts["new"], counts["duplicate"], counts["error"]
        text = _("%(cards)s : %(new)s, %(duplicates)s, %(errors)s",
                 cards=ngettext("%(count)d fiche lue", "%(count)d fiches lues", cards, count=cards),
                 new=ngettext("%(count)d nouvelle", "%(count)d nouvelles", new, count=new),
                 duplicates=ngettext("%(count)d doublon possible", "%(count)d doublons possibles", duplicates,
                                     count=duplicates),
                 errors=ngettext("%(count)d erreur", "%(count)d erreurs", errors, count=errors))
        if warnings := self.warnings:
            text += ngettext(" ; %(count)d fiche avec remarques", " ; %(count)d fiches avec remarques", warnings,
                             count=warnings)
        return text

    @property
    def has_errors(self) -> bool:
        return any(row.error for row in self.rows) or any(group.error for group in self.groups)

    @property
    def choices_for_all(self) -> list[tuple[str, str, list[tuple[str, str]]]]:
        """(status, label, choices) of the "one choice for several cards" lists, where there are several cards."""
        counts, labels = self.counts, _choice_labels()
        lists = [("new", _("Fiches nouvelles (%(count)d)", count=counts["new"]), ("create", "skip")),
                 ("duplicate", _("Doublons possibles (%(count)d)", count=counts["duplicate"]),
                  ("update", "create", "skip"))]
        return [(status, label, [(value, labels[value]) for value in values])
                for status, label, values in lists if counts[status] > 1]


def _choice_labels() -> dict[str, str]:
    return {"create": _("Créer"), "update": _("Mettre à jour le contact existant"), "skip": _("Ignorer")}


def _chunks(items: list, size: int = WRITE_BATCH):
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _visible_clients_by_key(user: User, keys: set[str]) -> dict[str, list[tuple[int, str, bool]]]:
    """Visible accounts whose folded name is one of `keys`: {key: [(id, name, archived)]}, active ones first."""
    found: dict[str, list] = {}
    for chunk in _chunks(sorted(keys)):
        rows = db.session.execute(select(Client.id, Client.name, Client.name_key, Client.archived)
                                  .where(Client.name_key.in_(chunk), client_visible(user))
                                  .order_by(Client.archived, Client.id))
        for id_, name, key, archived in rows:
            found.setdefault(key, []).append((id_, name, archived))
    return found


def build_preview(batch: ImportBatch, user: User, submitted: Mapping[str, str] | None = None,
                  find_matches: bool = True) -> Preview:
    """One row per card (new, possible duplicate with its match, or error) and one account choice per ORG.

    The commit reads the choices without looking for duplicates again (`find_matches=False`): "update" is then
    offered to every card, and the contact named by the form is checked instead."""
    files, plans = batch_content(batch)
    may_create_client = user.can(CLIENTS_EDIT)
    may_update = user.can(CONTACTS_EDIT)

    groups: dict[str, Group] = {}
    for plan in plans:
        if plan.error:
            continue
        key = fold(plan.org)
        group = groups.get(key)
        if group is None:
            group = groups[key] = Group(index=0, key=key, org=plan.org)
        group.cards += 1
    ordered = sorted(groups.values(), key=lambda g: (g.key == "", g.key))
    existing = _visible_clients_by_key(user, {g.key for g in ordered if g.key})
    for index, group in enumerate(ordered):
        group.index = index
        for id_, name, archived in existing.get(group.key, []):
            label = _("Compte existant : %(name)s", name=name)
            group.options.append((str(id_), label + (" " + _("(archivé)") if archived else "")))
        if group.key and may_create_client:
            group.options.append(("new", _("Créer le compte « %(name)s »", name=group.org)))
        group.value = group.options[0][0] if group.options else ""
        if submitted is not None:
            group.value = submitted.get(f"client-{index}", "")
            group.other = clean_line(submitted.get(f"client-other-{index}", ""))[:ORG_LENGTH + 20]

    matches = _find_matches(plans, user, {g.key: g.existing_ids[0] for g in ordered if g.existing_ids}) \
        if find_matches else {}
    rows = []
    create, update, skip = _choice_labels().items()
    for plan in plans:
        if plan.error:
            rows.append(Row(plan, -1, "error"))
            continue
        match = matches.get(plan.index)
        row = Row(plan, groups[fold(plan.org)].index, "duplicate" if match else "new", match)
        if may_update and (not find_matches or (match and match.contact_id and match.visible)):
            row.choices = [create, update, skip]
        else:
            row.choices = [create, skip]
        row.choice = "create" if match is None else ("update" if match.by == "uid" and len(row.choices) == 3
                                                     else "skip")
        if submitted is not None:
            row.choice = submitted.get(f"c{plan.index}", "skip")
            if row.choice not in dict(row.choices):
                row.error = _("Ce choix n'est plus possible pour cette fiche : vérifiez-le.")
                row.choice = "skip"
        rows.append(row)
    return Preview(batch.token, files, rows, ordered)


def choose_for_all(batch: ImportBatch, user: User, form: Mapping[str, str]) -> Preview:
    """The preview as the user left it, where one choice replaces every new card's ("all-new") or every possible
    duplicate's ("all-duplicate"); a card that does not offer that choice keeps its own, and the notice says so."""
    preview = build_preview(batch, user, submitted=form)
    changed = kept = 0
    for row in preview.rows:
        wanted = form.get(f"all-{row.status}", "") if row.status != "error" else ""
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


_MATCH_COLUMNS = (Contact.id, Contact.version, Contact.last_name, Contact.first_name, Client.name,
                  Contact.vcard_uid, Contact.email_key, Contact.phone_e164, Contact.mobile_e164, Contact.client_id,
                  Contact.last_name_key, Contact.first_name_key)


def _find_matches(plans: list[CardPlan], user: User, client_of_group: dict[str, int]) -> dict[int, Match]:
    """The first match of each card: UID, then e-mail, then phone (E.164), then same name at the same account;
    an earlier card of the upload with the same UID or e-mail counts too. A few IN queries, never one per card."""
    cards = [p for p in plans if not p.error]
    visible = client_visible(user, Contact.client_id).label("visible")

    def fetch(condition_column, values):
        found = []
        for chunk in _chunks(sorted(values)):
            found += db.session.execute(select(*_MATCH_COLUMNS, visible).join(Client, Client.id == Contact.client_id)
                                        .where(condition_column.in_(chunk)).order_by(Contact.id)).all()
        return found

    def best(rows):
        """Prefer a contact the user may see."""
        return min(rows, key=lambda r: (not r.visible, r.id))

    def as_match(by, row) -> Match:
        return Match(by, row.id, row.version, f"{row.last_name.upper()} {row.first_name}".strip(), row.name,
                     bool(row.visible))

    by_uid, by_email, by_phone = {}, {}, {}
    uids = {p.values["vcard_uid"] for p in cards if p.values.get("vcard_uid")}
    for row in fetch(Contact.vcard_uid, uids):
        by_uid.setdefault(row.vcard_uid, []).append(row)
    emails = {fold(p.email) for p in cards if p.email}
    for row in fetch(Contact.email_key, emails):
        by_email.setdefault(row.email_key, []).append(row)
    numbers = {n for p in cards for n in (p.e164.get("phone"), p.e164.get("mobile")) if n}
    for column in (Contact.phone_e164, Contact.mobile_e164):
        for row in fetch(column, numbers):
            for number in {row.phone_e164, row.mobile_e164} & numbers:
                by_phone.setdefault(number, {})[row.id] = row
    by_name: dict[tuple, list] = {}
    wanted = {(client_of_group[fold(p.org)], fold(p.values["last_name"]), fold(p.values["first_name"]))
              for p in cards if fold(p.org) in client_of_group}
    for chunk in _chunks(sorted(wanted)):
        rows = db.session.execute(select(*_MATCH_COLUMNS, visible).join(Client, Client.id == Contact.client_id)
                                  .where(Contact.client_id.in_(sorted({c for c, _l, _f in chunk})),
                                         Contact.last_name_key.in_(sorted({last for _c, last, _f in chunk}))))
        for row in rows:
            key = (row.client_id, row.last_name_key, row.first_name_key)
            if key in wanted:
                by_name.setdefault(key, []).append(row)

    matches: dict[int, Match] = {}
    first_uid: dict[str, int] = {}
    first_email: dict[str, int] = {}
    for plan in cards:
        uid, email = plan.values.get("vcard_uid"), fold(plan.email)
        numbers = [n for n in (plan.e164.get("phone"), plan.e164.get("mobile")) if n]
        name_key = (client_of_group.get(fold(plan.org)), fold(plan.values["last_name"]),
                    fold(plan.values["first_name"]))
        if uid and uid in by_uid:
            matches[plan.index] = as_match("uid", best(by_uid[uid]))
        elif email and email in by_email:
            matches[plan.index] = as_match("email", best(by_email[email]))
        elif any(n in by_phone for n in numbers):
            matches[plan.index] = as_match("phone", best([r for n in numbers for r in by_phone.get(n, {}).values()]))
        elif name_key in by_name:
            matches[plan.index] = as_match("name", best(by_name[name_key]))
        elif uid and uid in first_uid:
            matches[plan.index] = Match("uid", card_index=first_uid[uid])
        elif email and email in first_email:
            matches[plan.index] = Match("email", card_index=first_email[email])
        if uid:
            first_uid.setdefault(uid, plan.index)
        if email:
            first_email.setdefault(email, plan.index)
    return matches


# ------------------------------------------------------------------------------------------------ commit

class ImportInvalid(Exception):
    """The choices cannot be applied as sent; the preview carries the messages. Nothing was written."""

    def __init__(self, preview: Preview):
        super().__init__(preview.message)
        self.preview = preview


class ImportConflict(ImportInvalid):
    """A contact to update was saved by someone since the preview. Nothing was written."""


class BatchGone(Exception):
    """The batch was committed or cancelled meanwhile (a second click, another tab)."""


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    errors: int = 0
    clients: int = 0

    def summary(self) -> str:
        """ "12 créés, 3 mis à jour, 2 ignorés, 1 erreur" """
        # ngettext with the catalog's plural rule: French says "0 créé", English "0 created".
        updated = ngettext("%(count)d mis à jour", "%(count)d mis à jour", self.updated + self.unchanged,
                           count=self.updated + self.unchanged)
        if self.unchanged:
            updated += " " + ngettext("(dont %(count)d sans changement)", "(dont %(count)d sans changement)",
                                      self.unchanged, count=self.unchanged)
        parts = [ngettext("%(count)d créé", "%(count)d créés", self.created, count=self.created), updated,
                 ngettext("%(count)d ignoré", "%(count)d ignorés", self.skipped, count=self.skipped),
                 ngettext("%(count)d erreur", "%(count)d erreurs", self.errors, count=self.errors)]
        if self.clients:
            parts.append(ngettext("%(count)d compte client créé", "%(count)d comptes clients créés", self.clients,
                                  count=self.clients))
        return ", ".join(parts)


def commit_import(batch: ImportBatch, user: User, form: Mapping[str, str]) -> ImportReport:
    """Apply the preview's choices in one transaction: everything is written, or nothing (ImportInvalid,
    ImportConflict, BatchGone)."""
    preview = build_preview(batch, user, submitted=form, find_matches=False)
    targets = _resolve_groups(preview, user)
    updates = _check_updates(preview, form, user)
    if preview.has_errors:
        raise ImportInvalid(_invalid_preview(batch, user, form))
    stale = _stale(updates)
    if stale:
        raise ImportConflict(_conflict_preview(batch, user, form, stale))
    report = ImportReport(skipped=sum(1 for r in preview.rows if r.status != "error" and r.choice == "skip"),
                          errors=sum(1 for r in preview.rows if r.status == "error"))
    try:
        # The batch goes first: a second click (or tab) waits on this row, then finds nothing to import.
        if db.session.execute(delete(ImportBatch).where(ImportBatch.id == batch.id)).rowcount != 1:
            raise BatchGone()
        clients = _create_clients(preview, targets, user, report)
        departments = {fold(label): id_ for id_, label in db.session.execute(
            select(Department.id, Department.label).where(Department.active.is_(True)).order_by(Department.position))}
        creations = [row for row in preview.rows if row.status != "error" and row.choice == "create"]
        _create_contacts(creations, clients, departments, user, report)
        _update_contacts(updates, clients, departments, user, report)
        db.session.commit()
    except StaleContactError as error:
        db.session.rollback()
        raise ImportConflict(_conflict_preview(batch, user, form, [error.contact_id])) from None
    except BatchGone:
        db.session.rollback()
        raise
    return report


def _invalid_preview(batch: ImportBatch, user: User, form: Mapping[str, str]) -> Preview:
    """The whole preview again (matches included), with the user's choices and what is wrong with them."""
    preview = build_preview(batch, user, submitted=form)
    _resolve_groups(preview, user)
    _check_updates(preview, form, user)
    preview.message = _("Certains choix sont à revoir : rien n'a été importé.")
    return preview


def _resolve_groups(preview: Preview, user: User) -> dict[int, int | str]:
    """Each group's account: an id, or "new"; errors go on the groups that cards to create need."""
    needed = {row.group for row in preview.rows if row.choice == "create"}
    used = needed | {row.group for row in preview.rows if row.choice == "update"}
    targets: dict[int, int | str] = {}
    for group in preview.groups:
        if group.index not in used:
            continue
        value = group.value
        if group.other:  # a name typed in the "another account" box wins over the list
            found = _client_by_name(group.other, user)
            if isinstance(found, int):
                targets[group.index] = found
            else:
                group.error = found
        elif value.isdigit():
            if db.session.scalar(select(Client.id).where(Client.id == int(value), client_visible(user))):
                targets[group.index] = int(value)
            else:
                group.error = _("Ce compte n'existe pas ou ne vous est pas accessible.")
        elif value == "new" and group.key and user.can(CLIENTS_EDIT):
            targets[group.index] = "new"
        elif group.index in needed:
            group.error = (_("Choisissez un compte pour ces fiches, ou ignorez-les.") if group.key else
                           _("Ces fiches n'indiquent pas de société : saisissez le compte où les créer, ou "
                             "ignorez-les."))
    return targets


def _client_by_name(text: str, user: User) -> int | str:
    """A visible account from a typed name ("Acme", or "Acme (n° 12)" as the suggestions write it); else why not."""
    numbered = re.search(r"\(n° (\d+)\)\s*$", text)
    query = select(Client.id).where(client_visible(user)).limit(2)
    if numbered:
        ids = db.session.scalars(query.where(Client.id == int(numbered.group(1)))).all()
    else:
        ids = db.session.scalars(query.where(Client.name_key == fold(text))).all()
    if len(ids) == 1:
        return ids[0]
    if ids:
        return _("Plusieurs comptes portent ce nom : choisissez-le parmi les suggestions.")
    return _("Aucun compte accessible ne porte ce nom.")


def _check_updates(preview: Preview, form: Mapping[str, str], user: User) -> list[tuple[Row, int, int]]:
    """(row, contact id, version read at preview time) of each card to update, as the form sent them; the
    contact must still be one the user sees."""
    sent = []
    for row in preview.rows:
        if row.choice != "update":
            continue
        found = re.fullmatch(r"(\d+):(\d+)", form.get(f"m{row.card.index}", ""))
        if not found:
            row.error = _("Le contact correspondant a changé depuis l'aperçu : vérifiez ce choix.")
            continue
        sent.append((row, int(found.group(1)), int(found.group(2))))
    visible = set()
    for chunk in _chunks(sent):
        visible.update(db.session.scalars(select(Contact.id).where(
            Contact.id.in_([contact_id for _r, contact_id, _v in chunk]), contact_visible(user))))
    for row, contact_id, _version in sent:
        if contact_id not in visible:
            row.error = _("Le contact à mettre à jour n'existe plus ou ne vous est pas accessible.")
    return [update for update in sent if update[1] in visible]


def _stale(updates: list[tuple[Row, int, int]]) -> list[int]:
    """Contacts saved by someone since the preview read them."""
    stale = []
    for chunk in _chunks(updates):
        current = dict(db.session.execute(select(Contact.id, Contact.version)
                                          .where(Contact.id.in_([contact_id for _r, contact_id, _v in chunk]))).all())
        stale += [contact_id for _row, contact_id, version in chunk if current.get(contact_id) != version]
    return stale


def _conflict_preview(batch: ImportBatch, user: User, form: Mapping[str, str], stale: list[int]) -> Preview:
    """The preview again, with fresh versions and the user's choices, saying which contacts moved."""
    batch = db.session.get(ImportBatch, batch.id) or batch
    preview = build_preview(batch, user, submitted=form)
    names = db.session.scalars(select(Contact.last_name + " " + Contact.first_name)
                               .where(Contact.id.in_(stale[:5]))).all()
    preview.message = _("Entre l'aperçu et l'import, quelqu'un a modifié %(names)s : rien n'a été importé. "
                        "Vérifiez l'aperçu mis à jour, puis importez à nouveau.",
                        names=", ".join(names) or _("un contact"))
    return preview


def _create_clients(preview: Preview, targets: dict, user: User, report: ImportReport) -> dict[int, int]:
    """The accounts chosen or to be created, by group; new ones get the user's entities and are audited."""
    clients: dict[int, int] = {}
    entity_ids = [entity.id for entity in user.entities]
    for group in preview.groups:
        target = targets.get(group.index)
        if target == "new":
            account = Client(owner_id=user.id)
            account.set_name(group.org)
            db.session.add(account)
            db.session.flush()
            if entity_ids:
                db.session.execute(insert(client_entities), [{"client_id": account.id, "entity_id": entity_id}
                                                             for entity_id in entity_ids])
            record_created("client", account.id, {"name": account.name, "owner_id": user.id}, "import", user.id)
            clients[group.index] = account.id
            report.clients += 1
        elif target is not None:
            clients[group.index] = target
    return clients


def _department(plan: CardPlan, departments: dict[str, int]) -> int | None:
    for unit in plan.units:
        if (found := departments.get(fold(unit))) is not None:
            return found
    return None


def _values(plan: CardPlan) -> dict:
    values = {name: value for name, value in plan.values.items() if name in FIELDS}
    if values.get("birthday"):
        values["birthday"] = date.fromisoformat(values["birthday"])
    return values


def _photo(plan: CardPlan) -> ProcessedPhoto | None:
    if not plan.photo:
        return None
    p = plan.photo
    return ProcessedPhoto(data=base64.b64decode(p["data"]), thumbnail=base64.b64decode(p["thumbnail"]),
                          mime=p["mime"], width=p["width"], height=p["height"])


# Every column an imported contact row carries (Core inserts need the same keys on every row).
_ROW_DEFAULTS = {**{name: None for name in FIELDS}, "is_dpo": False, "is_rssi": False, "left_company": False,
                 "phone_e164": None, "mobile_e164": None, "fax_e164": None, "email_key": None, "company_key": "",
                 "last_name_key": "", "first_name_key": "", "search_text": "", "version": 1}


def _create_contacts(rows: list[Row], clients: dict[int, int], departments: dict[str, int], user: User,
                     report: ImportReport) -> None:
    """Insert the new contacts WRITE_BATCH at a time, with their links, photos and extras; one audit row each,
    the same as create_contact writes."""
    names = dict(db.session.execute(select(Client.id, Client.name)
                                    .where(Client.id.in_(sorted(set(clients.values()))))).all())
    now = utcnow()
    for chunk in _chunks(rows):
        ids = _reserve_contact_ids(len(chunk))
        records, links, photos, extras, audit = [], [], [], [], []
        for contact_id, row in zip(ids, chunk):
            plan = row.card
            values = _values(plan)
            values.update(client_id=clients[row.group], department_id=_department(plan, departments),
                          owner_id=user.id)
            record = {**_ROW_DEFAULTS, **values, "id": contact_id, "created_at": now, "updated_at": now,
                      "created_by_id": user.id, "updated_by_id": user.id}
            # The derived columns of services.contacts._normalise: the E.164 forms (computed at upload with its
            # region rule), then the model's own keys.
            for name in ("phone", "mobile", "fax"):
                record[f"{name}_e164"] = plan.e164.get(name)
            namespace = SimpleNamespace(**record)
            Contact.refresh_keys(namespace, company_name=names.get(values["client_id"], ""))
            records.append(vars(namespace))
            links += [{"contact_id": contact_id, "kind": kind, "url": url, "position": i}
                      for i, (kind, url) in enumerate(plan.links)]
            extras += [{"contact_id": contact_id, "kind": kind, "label": label, "value": value, "position": i}
                       for i, (kind, label, value) in enumerate(plan.extras)]
            photo = _photo(plan)
            if photo:
                photos.append({"contact_id": contact_id, "mime": photo.mime, "data": photo.data,
                               "thumbnail": photo.thumbnail, "width": photo.width, "height": photo.height,
                               "updated_at": now})
            # record_created's row, written with the others in one INSERT.
            snapshot = {**values, "links": " | ".join(f"{kind}: {url}" for kind, url in plan.links),
                        "photo": "oui" if photo else None, "extras": _extras_text(plan.extras) or None}
            audit.append({"at": now, "user_id": user.id, "via": "import", "action": "create",
                          "record_type": "contact", "record_id": contact_id, "field": None, "old_value": None,
                          "new_value": json.dumps({k: audit_text(v) for k, v in snapshot.items()
                                                   if v not in (None, "", [], False)}, ensure_ascii=False)})
        for table, table_rows in ((Contact.__table__, records), (ContactLink.__table__, links),
                                  (ContactExtra.__table__, extras), (ContactPhoto.__table__, photos)):
            if table_rows:
                db.session.execute(insert(table), table_rows)
        bulk_rows(audit)
        report.created += len(ids)


def _reserve_contact_ids(n: int) -> list[int]:
    """Ids for n new contacts, so rows, links, photos and audit go in as plain batches (with RETURNING in order,
    SQLite would insert one row at a time). PostgreSQL: from the id sequence. SQLite: after the largest, which
    no one else can take meanwhile: the commit's first write (the batch's deletion) holds the database's lock."""
    if db.session.get_bind().dialect.name == "postgresql":
        return list(db.session.scalars(text(
            "SELECT nextval(pg_get_serial_sequence('contact', 'id')) FROM generate_series(1, :n)"), {"n": n}))
    start = (db.session.scalar(select(func.max(Contact.id))) or 0) + 1
    return list(range(start, start + n))


def _same_photo(stored: ContactPhoto | None, photo: dict) -> bool:
    """The card's photo is the stored one: our own export (same bytes), or the same file imported again (the
    re-encoding gives the same bytes)."""
    if stored is None:
        return False
    return hashlib.sha256(stored.data).hexdigest() == photo["sha"] or base64.b64encode(stored.data).decode(
        "ascii") == photo["data"]


def _extras_text(extras) -> str:
    return " | ".join(f"{kind}{' (' + label + ')' if label else ''}: {value}" for kind, label, value in extras)


def _update_contacts(updates: list[tuple[Row, int, int]], clients: dict[int, int], departments: dict[str, int],
                     user: User, report: ImportReport) -> None:
    """Apply each card's non-empty values to its contact through update_contact (version checked); links and
    extras the contact lacks are added, nothing is removed; a photo identical to the stored one is kept."""
    for chunk in _chunks(updates):
        contacts = {c.id: c for c in db.session.scalars(
            select(Contact).where(Contact.id.in_([contact_id for _r, contact_id, _v in chunk]))
            .options(selectinload(Contact.links), selectinload(Contact.extras), selectinload(Contact.photo),
                     selectinload(Contact.client), selectinload(Contact.department)))}
        for row, contact_id, version in chunk:
            contact = contacts.get(contact_id)
            if contact is None:
                raise StaleContactError(contact_id)
            plan = row.card
            values = {name: value for name, value in _values(plan).items() if value not in (None, "")}
            if contact.vcard_uid:
                values.pop("vcard_uid", None)  # the UID it is known by elsewhere stays
            target = clients.get(row.group)
            if target and plan.org and fold(plan.org) != contact.client.name_key:
                values["client_id"] = target
            units = {fold(unit) for unit in plan.units}
            department = _department(plan, departments)
            # Two services may share a label: the one the contact is in already is kept.
            if department is not None and not (contact.department and fold(contact.department.label) in units):
                values["department_id"] = department
            known = {link.url for link in contact.links}
            added = [LinkValue(kind, url) for kind, url in plan.links if url not in known]
            links = [LinkValue(link.kind, link.url) for link in contact.links] + added if added else KEEP
            photo = KEEP
            if plan.photo and not _same_photo(contact.photo, plan.photo):
                photo = _photo(plan)
            changes = update_contact(contact, values, version, user.id, "import", links=links, photo=photo)
            had = {(extra.kind, extra.value) for extra in contact.extras}
            new_extras = [extra for extra in plan.extras if (extra[0], extra[2]) not in had]
            if new_extras:
                old_text = _extras_text([(e.kind, e.label, e.value) for e in contact.extras]) or None
                start = len(contact.extras)
                for offset, (kind, label, value) in enumerate(new_extras):
                    contact.extras.append(ContactExtra(kind=kind, label=label, value=value, position=start + offset))
                record_changes("contact", contact.id, {"extras": (old_text, _extras_text(
                    [(e.kind, e.label, e.value) for e in contact.extras]))}, "import", user.id)
            if changes.fields or new_extras:
                report.updated += 1
            else:
                report.unchanged += 1
        db.session.flush()
