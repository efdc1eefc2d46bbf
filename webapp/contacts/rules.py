"""Field rules shared by the contact form, editing in place and the vCard import: one place says what is valid."""
import re
from functools import lru_cache
from urllib.parse import urlsplit

from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..services.phones import to_e164

# Lengths match the columns, so SQLite (which would store more) and PostgreSQL (which would refuse) agree.
MAX_LENGTHS = {"last_name": 100, "first_name": 100, "function": 150, "email": 254, "phone": 40, "mobile": 40,
               "fax": 40, "street": 200, "street2": 200, "postal_code": 20, "city": 100, "notes": 10_000,
               "url": 500}
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_LINE_BREAKS = re.compile(r"[\r\n\t]+")
LINK_KINDS = {"linkedin": "LinkedIn", "x": "X (Twitter)", "website": _l("Site web"), "facebook": "Facebook",
              "instagram": "Instagram", "github": "GitHub", "other": _l("Autre")}


def clean_line(value: str | None) -> str:
    """One line of text as typed, without control characters (NUL included) or surrounding spaces."""
    return _CONTROL.sub("", _LINE_BREAKS.sub(" ", value or "")).strip()


def clean_multiline(value: str | None) -> str:
    """Several lines of text (notes), without control characters other than line breaks and tabs."""
    return _CONTROL.sub("", (value or "").replace("\r\n", "\n").replace("\r", "\n")).strip()


def length_error(name: str, value: str) -> str | None:
    limit = MAX_LENGTHS.get(name)
    if limit and len(value) > limit:
        return _("%(limit)d caractères au plus (%(count)d saisis).", limit=limit, count=len(value))
    return None


def email_error(value: str) -> str | None:
    """None when the address is well formed; a French message otherwise (no DNS look-up: nothing leaves here)."""
    if not value:
        return None
    if len(value) > MAX_LENGTHS["email"]:
        return length_error("email", value)
    local, _at, domain = value.rpartition("@")
    if len(local) <= 64 and _DOT_ATOM.match(local) and domain.isascii():
        valid = _domain_valid(domain.lower())  # the same verdict as the whole address, once per company domain
    else:
        valid = _address_valid(value)
    return None if valid else _("Adresse e-mail invalide (exemple : prenom.nom@societe.fr).")


# A plain ASCII local part (RFC 5322 dot-atom), which email_validator accepts as it is: for such an address only
# the domain remains to check, and an import of 5,000 contacts has a few hundred domains (a third of its checking
# time saved). Anything else (quotes, Unicode, display names) goes to email_validator whole.
_DOT_ATOM = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*\Z")


@lru_cache(maxsize=4096)
def _domain_valid(domain: str) -> bool:
    return _address_valid(f"x@{domain}")


def _address_valid(value: str) -> bool:
    try:
        validate_email(value, check_deliverability=False)
    except EmailNotValidError:
        return False
    return True


def phone_warning(value: str, country: str | None = None) -> str | None:
    """A warning (not an error) for a number phonenumbers cannot read: it is kept as typed."""
    if not value or to_e164(value, country if country and len(country) == 2 else "FR"):
        return None
    return _("Numéro non reconnu : il est conservé tel quel, mais la recherche par numéro pourrait le manquer.")


def url_error(value: str) -> str | None:
    """Only http and https links with a host (no javascript:, data: or file: links)."""
    if not value:
        return None
    if len(value) > MAX_LENGTHS["url"]:
        return length_error("url", value)
    parts = urlsplit(value)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc or " " in value:
        return _("Le lien doit commencer par http:// ou https:// (exemple : https://www.linkedin.com/in/nom).")
    return None
