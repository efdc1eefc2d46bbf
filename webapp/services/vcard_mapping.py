"""A read card mapped to the CRM's values (CardPlan), through the same field rules as the contact form: lengths,
e-mail and link checks, phones in E.164, photo checks. Done once, at upload: the warnings are in the preview and
the files are never read again."""
import base64
import hashlib
import re
from functools import lru_cache

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..countries import country_code
from ..field_labels import field_label
from ..phones import e164 as phone_e164
from ..problem_messages import email_error, length_error, phone_warning, url_error
from ..rules import LINK_KINDS, MAX_LENGTHS, clean_line, clean_multiline
from .photos import PhotoError, process_photo
from .vcard_cards import Address, ParsedCard, Primary
from .vcard_decode import VCardFileError
from .vcard_plan import CardPlan
from .vcard_read import parse_vcards
from .vcard_syntax import escape_text

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


def read_upload(files: list[tuple[str, bytes]], max_bytes: int, max_cards: int, photo_max_bytes: int,
                photo_max_pixels: int) -> tuple[list[dict], list[CardPlan]]:
    """Read uploaded .vcf files into card plans; UploadError (with a message naming the file) past any bound."""
    files = [(name, data) for name, data in files if name or data]
    if not files:
        raise UploadError(_("Choisissez au moins un fichier .vcf."))
    if sum(len(data) for _name, data in files) > max_bytes:
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
            plan = CardPlan(index=len(plans), file=file_index, number=number, error=errors.get(number))
            if plan.error is None:
                map_card(plan, cards[number], photo_max_bytes, photo_max_pixels)
            plans.append(plan)
        summary.append({"name": label, "cards": count, "errors": len(errors)})
    return summary, plans


def clean_account_name(typed: str) -> str:
    """An account name typed on the preview, as one clean line of reasonable length."""
    return clean_line(typed)[:ORG_LENGTH + 20]


def _size(n: int) -> str:
    """A size in megabytes, as the messages write it."""
    return f"{n / (1024 * 1024):g} Mo"


def map_card(plan: CardPlan, card: ParsedCard, photo_max_bytes: int, photo_max_pixels: int,
             nameless_error: str | None = None) -> None:
    """Fill `plan` with the card's values on the contact's columns, links, extras and photo, or with why the card
    is not imported (a card without a name keeps its values: a name typed in the preview imports it)."""
    warnings = list(dict.fromkeys(card.warnings))
    first, last = _identity(plan, card)
    if card.kind != "individual":
        plan.error = _("Fiche d'une société ou d'un groupe, pas d'une personne : non importée.")
        return
    if not last:
        plan.error = nameless_error or _("Fiche sans nom : non importée.")
        plan.nameless = True
    if card.name_source:
        warnings.insert(0, _NAME_SOURCES[card.name_source]())
    primary = card.primary()
    extras = [[e.kind, e.label, e.value] for e in primary.extras]
    for label, value in ((_l("Autres prénoms"), card.additional_names), (_l("Civilité"), card.name_prefix),
                         (_l("Suffixe"), card.name_suffix)):
        if clean_line(value):
            extras.append(["other", str(label), clean_line(value)])
    values: dict = {"last_name": _fit("last_name", last, warnings), "first_name": _fit("first_name", first, warnings)}
    values["gender"] = card.gender if card.gender in ("M", "F") else None
    values["function"] = _fit("function", clean_line(card.title), warnings) or None
    values["email"] = _email(primary.email, warnings)
    if values["email"] is None and clean_line(primary.email):
        plan.refused_email = clean_line(primary.email)
    values.update(_address(primary.address, warnings, extras))
    plan.e164 = _phones(primary, values, warnings, extras)
    values.update(_other_values(card, warnings))
    plan.values = values
    plan.links = _links(primary, warnings)
    plan.extras = _extras(extras)
    plan.photo = _photo(card, photo_max_bytes, photo_max_pixels, warnings)
    plan.warnings = list(dict.fromkeys(warnings))


# Where the name of a card without N or FN came from, as the preview says it.
_NAME_SOURCES = {
    "nickname": lambda: _("Fiche sans nom : nom repris du surnom (NICKNAME)."),
    "email": lambda: _("Fiche sans nom : nom déduit de l'adresse e-mail."),
    "org": lambda: _("Fiche sans nom : nom repris de la société (ORG)."),
}


def _identity(plan: CardPlan, card: ParsedCard) -> tuple[str, str]:
    """The plan's account, units, name and ignored properties; (first, last) names, cleaned."""
    first, last = clean_line(card.first_name), clean_line(card.last_name)
    if not last and first:
        last, first = first, ""  # the list sorts and shows by Nom
    plan.org = clean_line(card.org)[:ORG_LENGTH] or None
    plan.units = [u for u in (clean_line(unit) for unit in card.org_units) if u]
    plan.name = f"{last.upper()} {first}".strip() or clean_line(card.full_name) or (plan.org or "")
    plan.ignored = list(card.ignored)
    return first, last


def refused_email_warning(email: str, problem: str) -> str:
    """What the preview says of an e-mail the form would refuse (and a correction of the e-mail then drops)."""
    return _("E-mail « %(value)s » non importé : %(problem)s", value=email, problem=problem)


def _fit(name: str, value: str, warnings: list[str], limit: int | None = None) -> str:
    """The value cut to its column's length; the cut is reported."""
    limit = limit or MAX_LENGTHS.get(name)
    if limit and len(value) > limit:
        message = length_error(name, value) if name in MAX_LENGTHS else _("%(limit)d caractères au plus.",
                                                                          limit=limit)
        warnings.append(_("%(field)s : %(message)s Valeur tronquée.", field=field_label(name), message=message))
        return value[:limit].rstrip()
    return value


def _email(value: str | None, warnings: list[str]) -> str | None:
    """The e-mail, unless the form would refuse it (then reported)."""
    email = clean_line(value)
    if email and (problem := email_error(email)):
        warnings.append(refused_email_warning(email, problem))
        return None
    return email or None


def _address(address: Address | None, warnings: list[str], extras: list) -> dict:
    """Street, complement, postal code, city and country code; the region, and a country not recognised, become
    extras."""
    if not address:
        return {"country": None}
    street_lines = [clean_line(line) for line in address.street.split("\n") if clean_line(line)]
    street2 = [*street_lines[1:], clean_line(address.extended), clean_line(address.po_box)]
    values = {"street": _fit("street", street_lines[0] if street_lines else "", warnings) or None,
              "street2": _fit("street2", ", ".join(p for p in street2 if p), warnings) or None,
              "postal_code": _fit("postal_code", clean_line(address.postal_code), warnings) or None,
              "city": _fit("city", clean_line(address.city), warnings) or None, "country": None}
    if clean_line(address.region):
        extras.append(["other", _("Région"), clean_line(address.region)])
    if clean_line(address.country):
        values["country"] = country_code(address.country)
        if values["country"] is None:
            warnings.append(_("Pays « %(value)s » non reconnu : gardé dans les informations complémentaires.",
                              value=clean_line(address.country)))
            extras.append(["other", _("Pays"), clean_line(address.country)])
    return values


def _phones(primary: Primary, values: dict, warnings: list[str], extras: list) -> dict:
    """Phone, mobile and fax into `values`; their E.164 forms returned. A number too long for its column is kept
    as an extra."""
    e164 = {}
    country = values["country"]
    for name in ("phone", "mobile", "fax"):
        number = clean_line(getattr(primary, name))
        if len(number) > MAX_LENGTHS[name]:
            warnings.append(_("%(field)s trop long pour sa colonne : gardé dans les informations complémentaires.",
                              field=field_label(name)))
            extras.append(["tel", str(field_label(name)), number])
            number = ""
        values[name] = number or None
        # The region rule of services.contacts._normalise; the commit writes these E.164 forms as they are.
        e164[name] = normalised = _e164(number, country or "FR") if number else None
        if number and normalised is None and (problem := phone_warning(number, country)):
            warnings.append(_("%(field)s « %(value)s » : %(problem)s", field=field_label(name), value=number,
                              problem=problem))
    return e164


@lru_cache(maxsize=20_000)
def _e164(number: str, region: str) -> str | None:
    """phones.e164, remembered: a file repeats its switchboard numbers, and phonenumbers takes 0.1 ms a number
    (a French number typed nationally skips it)."""
    return phone_e164(number, region)


def _other_values(card: ParsedCard, warnings: list[str]) -> dict:
    """Notes, vCard role, categories, birthday (ISO text) and UID."""
    notes = _fit("notes", clean_multiline(card.note), warnings)
    # Stored as CATEGORIES writes them: a comma inside a category ("Client, grand compte") stays escaped.
    categories = ", ".join(escape_text(c) for c in (clean_line(c) for c in card.categories) if c)
    uid = clean_line(card.uid)
    if len(uid) > UID_LENGTH:
        warnings.append(_("UID de plus de %(n)d caractères : non importé.", n=UID_LENGTH))
        uid = ""
    return {"notes": notes or None, "vcard_role": clean_line(card.role)[:SHORT_TEXT] or None,
            "categories": categories[:CATEGORIES_LENGTH] or None,
            "birthday": card.birthday.isoformat() if card.birthday else None, "vcard_uid": uid or None}


_BARE_HOST = re.compile(r"^[\w.-]+\.[a-z]{2,}(/|$)", re.I)


def _links(primary: Primary, warnings: list[str]) -> list:
    """[kind, url] of each web address the form would accept, once each; a kind the CRM lacks is "other"."""
    links, seen = [], set()
    for link in primary.links:
        url = clean_line(link.url)
        if url and "://" not in url and _BARE_HOST.match(url):
            url = "https://" + url  # "www.acme.fr", as phones write it
        if problem := url_error(url):
            warnings.append(_("Lien « %(value)s » ignoré : %(problem)s", value=url[:80], problem=problem))
            continue
        if url not in seen:
            seen.add(url)
            links.append([link.kind if link.kind in LINK_KINDS else "other", url])
    return links


def _extras(extras: list) -> list:
    """[kind, label, value] of each non-empty extra, cut to ContactExtra's lengths."""
    kind_max, label_max, value_max = EXTRA_LIMITS
    kept = []
    for kind, label, value in extras:
        value = clean_multiline(value)
        if value:
            kept.append([kind[:kind_max], clean_line(label)[:label_max] or None, value[:value_max]])
    return kept


def _photo(card: ParsedCard, max_bytes: int, max_pixels: int, warnings: list[str]) -> dict | None:
    """The photo processed as the contact form would (base64, JSON-able), with the sha256 of the file's bytes."""
    if not card.photo:
        return None
    try:
        photo = process_photo(card.photo, max_bytes=max_bytes, max_pixels=max_pixels)
    except PhotoError as error:
        warnings.append(_("Photo refusée : %(reason)s Le contact sera importé sans photo.", reason=str(error)))
        return None
    return {"data": _b64(photo.data), "thumbnail": _b64(photo.thumbnail), "mime": photo.mime, "width": photo.width,
            "height": photo.height, "sha": hashlib.sha256(card.photo).hexdigest()}


def _b64(data: bytes) -> str:
    """Bytes as base64 text."""
    return base64.b64encode(data).decode("ascii")
