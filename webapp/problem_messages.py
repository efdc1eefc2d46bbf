"""The French words for the field rules' problems and the link kinds: the one place rules meet flask_babel."""
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from . import rules
from .rules import Problem

LINK_LABELS = {"linkedin": "LinkedIn", "x": "X (Twitter)", "website": _l("Site web"), "facebook": "Facebook",
               "instagram": "Instagram", "github": "GitHub", "other": _l("Autre")}


def message(problem: Problem) -> str:
    """The sentence shown to the user for a problem, in the request's language."""
    params = problem.params
    match problem.code:
        case "required":
            return _("Ce champ est obligatoire.")
        case "too_long":
            return _("%(limit)d caractères au plus (%(count)d saisis).", limit=params["limit"], count=params["count"])
        case "email_invalid":
            return _("Adresse e-mail invalide (exemple : prenom.nom@societe.fr).")
        case "email_taken":
            return _("Cette adresse e-mail est déjà celle d'un autre contact.")
        case "url_invalid":
            return _("Le lien doit commencer par http:// ou https:// (exemple : https://www.linkedin.com/in/nom).")
        case "phone_unreadable":
            return _("Numéro non reconnu : il est conservé tel quel, mais la recherche par numéro pourrait le "
                     "manquer.")
        case "phone_unconfirmed":
            return _("Numéro non reconnu (exemple : 01 42 68 53 00 ou +33 1 42 68 53 00). Corrigez-le, ou "
                     "enregistrez-le tel quel.")
        case "client_unknown":
            return _("Ce compte client n'existe pas ou ne vous est pas accessible.")
        case "owner_unknown":
            return _("Choisissez un commercial de la liste.")
        case "same_name":
            return _("Un contact du même nom existe déjà chez ce client :")
    # "stale" has no sentence here: each channel says who saved in between (see contacts/saving.changes_since).
    raise ValueError(f"no message for {problem.code!r}")


def _worded(problem: Problem | None) -> str | None:
    """The problem's message, None without a problem."""
    return message(problem) if problem else None


def length_error(name: str, value: str) -> str | None:
    """The message of rules.length_problem, for channels that show one message per value."""
    return _worded(rules.length_problem(name, value))


def email_error(value: str | None) -> str | None:
    """The message of rules.email_problem."""
    return _worded(rules.email_problem(value))


def phone_warning(value: str | None, country: str | None = None) -> str | None:
    """The message of rules.phone_problem."""
    return _worded(rules.phone_problem("phone", value, country))


def url_error(value: str | None) -> str | None:
    """The message of rules.url_problem."""
    return _worded(rules.url_problem(value))
