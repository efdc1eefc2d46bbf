"""Field rules shared by every channel that writes a contact (form, inline cell, imports, the contact service):
one place says what is valid. No Flask here: a rule answers with a Problem, problem_messages words it in French."""
import re
from dataclasses import dataclass, field
from functools import lru_cache
from urllib.parse import urlsplit

from email_validator import EmailNotValidError, validate_email

from .phones import contact_region, to_e164

# Ids are INTEGER columns: PostgreSQL refuses a bigger number ("integer out of range"), SQLite's driver a number
# past 2^63 (OverflowError), so no id outside this range may reach a query.
MAX_ID = 2**31 - 1


def parse_id(value) -> int | None:
    """An id typed or sent as text ("42"), or None when it is not one (empty, letters, -1, 1.5, past MAX_ID)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value if 0 < value <= MAX_ID else None
    # isdigit() alone accepts "²", which int() refuses; the length check keeps int() off 10,000-digit strings.
    text = value.strip() if isinstance(value, str) else ""
    if not (text.isascii() and text.isdigit() and len(text) <= len(str(MAX_ID))):
        return None
    number = int(text)
    return number if 0 < number <= MAX_ID else None


# Lengths match the columns, so SQLite (which would store more) and PostgreSQL (which would refuse) agree.
MAX_LENGTHS = {"last_name": 100, "first_name": 100, "function": 150, "email": 254, "phone": 40, "mobile": 40,
               "fax": 40, "street": 200, "street2": 200, "postal_code": 20, "city": 100, "notes": 10_000,
               "url": 500}
# The contact columns that may not be empty (Client, Nom, Prénom, Fonction).
REQUIRED = ("client_id", "last_name", "first_name", "function")
LINK_KINDS = ("linkedin", "x", "website", "facebook", "instagram", "github", "other")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_LINE_BREAKS = re.compile(r"[\r\n\t]+")


@dataclass(frozen=True)
class Problem:
    """What is wrong with one field: a code ("required", "too_long"...) and the values its message needs."""

    field: str
    code: str
    params: dict = field(default_factory=dict, hash=False)


def clean_line(value: str | None) -> str:
    """One line of text as typed, without control characters (NUL included) or surrounding spaces."""
    if value and value.isprintable():  # no control character to take out (the common case, a tenth as long)
        return value.strip()
    return _CONTROL.sub("", _LINE_BREAKS.sub(" ", value or "")).strip()


def clean_multiline(value: str | None) -> str:
    """Several lines of text (notes), without control characters other than line breaks and tabs."""
    return _CONTROL.sub("", (value or "").replace("\r\n", "\n").replace("\r", "\n")).strip()


def required_problem(name: str, value) -> Problem | None:
    """A "required" problem when a required field is empty."""
    if name in REQUIRED and value in (None, ""):
        return Problem(name, "required")
    return None


def length_problem(name: str, value: str, limit: int | None = None) -> Problem | None:
    """A "too_long" problem when the text does not fit its column."""
    limit = limit or MAX_LENGTHS.get(name)
    if limit and value and len(value) > limit:
        return Problem(name, "too_long", {"limit": limit, "count": len(value)})
    return None


def email_problem(value: str | None, name: str = "email") -> Problem | None:
    """None when the address is well formed (no DNS look-up: nothing leaves here)."""
    if not value:
        return None
    if len(value) > MAX_LENGTHS["email"]:
        return length_problem(name, value, MAX_LENGTHS["email"])
    local, _at, domain = value.rpartition("@")
    if _plain_local(local) and domain.isascii():
        valid = _domain_valid(domain.lower())  # the same verdict as the whole address, once per company domain
    else:
        valid = _address_valid(value)
    return None if valid else Problem(name, "email_invalid")


# A plain local part (RFC 5322 dot-atom, of ASCII atext and, as RFC 6531 allows, Unicode letters: "noël.durand"),
# which email_validator accepts as it is: for such an address only the domain remains to check, and an import of
# 5,000 contacts has a few hundred domains (most of its checking time saved). Anything else (quotes, combining
# marks, symbols, display names) goes to email_validator whole; tests/test_field_rules.py checks both agree.
_DOT_ATOM = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*\Z")
_ATEXT = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!#$%&'*+/=?^_`{|}~-")


def _plain_local(local: str) -> bool:
    """A local part email_validator accepts without further checks (at most 64 bytes)."""
    if local.isascii():
        return len(local) <= 64 and _DOT_ATOM.match(local) is not None
    return len(local.encode("utf-8")) <= 64 and all(
        part and all(ch in _ATEXT or ch.isalpha() for ch in part) for part in local.split("."))


@lru_cache(maxsize=4096)
def _domain_valid(domain: str) -> bool:
    """Whether email_validator accepts an address at this domain."""
    return _address_valid(f"x@{domain}")


def _address_valid(value: str) -> bool:
    """Whether email_validator accepts the whole address."""
    try:
        validate_email(value, check_deliverability=False)
    except EmailNotValidError:
        return False
    return True


def phone_problem(name: str, value: str | None, country: str | None = None) -> Problem | None:
    """A warning (not an error) for a number phonenumbers cannot read: it is kept as typed."""
    if not value or to_e164(value, contact_region(country)):
        return None
    return Problem(name, "phone_unreadable")


def url_problem(value: str | None, name: str = "url") -> Problem | None:
    """Only http and https links with a host (no javascript:, data: or file: links)."""
    if not value:
        return None
    if len(value) > MAX_LENGTHS["url"]:
        return length_problem(name, value, MAX_LENGTHS["url"])
    parts = urlsplit(value)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc or " " in value:
        return Problem(name, "url_invalid")
    return None
