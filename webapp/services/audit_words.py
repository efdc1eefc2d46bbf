"""The audit trail in words: names for the people, accounts and services an entry holds by id, labels for codes
(country, gender, yes/no, subscription status), the channel of each change, in the interface's language.

The trail stores what was written (ids, codes); this module only reads it. Every id of a trail is resolved in one
statement, and an account the user may not see is never named."""
import json
import re
from dataclasses import dataclass
from datetime import date, datetime

from babel.dates import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import literal, null, select, union_all

from ..countries import country_name
from ..extensions import db
from ..field_labels import field_label
from ..models import AuditEntry, Client, Department, User
from ..problem_messages import LINK_LABELS
from ..scope import client_visible

VIA_LABELS = {"form": _l("Formulaire"), "inline": _l("Modification en ligne"), "import": _l("Import"),
              "vcard": _l("Import vCard"), "csv": _l("Import CSV"), "bulk": _l("Action de masse"),
              "cli": _l("Ligne de commande"), "system": _l("Système"), "export": _l("Export"),
              "merge": _l("Fusion de contacts"), "carddav": _l("CardDAV")}
ACTION_LABELS = {"create": _l("Création"), "update": _l("Modification"), "delete": _l("Suppression"),
                 "export": _l("Export"), "merge": _l("Fusion"), "unmerge": _l("Fusion annulée")}
GENDER_LABELS = {"M": _l("Homme"), "F": _l("Femme")}
# Words the services write into the trail in French (audit._text, photos, subscriptions), as the user reads them.
STORED_WORDS = {"oui": _l("Oui"), "non": _l("Non"), "nouvelle photo": _l("nouvelle photo"),
                "subscribed": _l("abonné"), "unsubscribed": _l("désabonné")}
MAILING_LIST_FIELD = "Liste de diffusion "
# One subscription as contact_extras._describe writes it: "Mailjet - Clients (abonné depuis le 11/04/2019)".
SUBSCRIPTION = re.compile(r"^(?P<list>.+) \((?P<state>abonné|désabonné) depuis le (?P<day>\d\d)/(?P<month>\d\d)/"
                          r"(?P<year>\d{4})\)$")
# The fields that hold an id, and what they name; "client" and "owner" are names already (the CSV import's).
ID_FIELDS = {"client_id": "client", "owner_id": "user", "department_id": "department"}


@dataclass
class TrailLine:
    """One row of the trail, ready to show."""

    at: datetime
    who: str
    via: str
    action: str
    field: str
    old: str
    new: str
    snapshot: list[tuple[str, str]]


def trail_in_words(entries: list[AuditEntry], user: User, locale: str = "fr") -> list[TrailLine]:
    """The entries as the record's history shows them to `user`, in `locale`."""
    parsed = [(entry, _snapshot_values(entry)) for entry in entries]
    wanted: dict[str, set[int]] = {"client": set(), "user": set(), "department": set()}
    for entry, values in parsed:
        if entry.user_id:
            wanted["user"].add(entry.user_id)
        pairs = values.items() if values is not None else [(entry.field, entry.old_value), (entry.field, entry.new_value)]
        for name, value in pairs:
            if name in ID_FIELDS and (number := _as_id(value)):
                wanted[ID_FIELDS[name]].add(number)
    names = _names(wanted, user)
    lines = []
    for entry, values in parsed:
        def words(name, value):
            return _value_in_words(name, value, names, locale)

        who = names.get(("user", entry.user_id), "") if entry.user_id else ""
        lines.append(TrailLine(
            at=entry.at, who=who or _("Système"), via=str(VIA_LABELS.get(entry.via, entry.via)),
            action=str(ACTION_LABELS.get(entry.action, entry.action)), field=_field_label(entry.field),
            old="" if values is not None else words(entry.field, entry.old_value),
            new="" if values is not None else words(entry.field, entry.new_value),
            snapshot=[] if values is None else [(_field_label(name) if name else "", words(name, value))
                                                for name, value in values.items()]))
    return lines


def value_in_words(name: str | None, value, user: User, locale: str = "fr") -> str:
    """One value of a contact field, as stored or as the trail wrote it, in the words the trail uses (a conflict's
    "what it holds now")."""
    if isinstance(value, bool):
        value = "oui" if value else "non"
    elif isinstance(value, (date, datetime)):
        value = value.isoformat()
    wanted: dict[str, set[int]] = {"client": set(), "user": set(), "department": set()}
    if name in ID_FIELDS and (number := _as_id(value)):
        wanted[ID_FIELDS[name]].add(number)
    return _value_in_words(name, value, _names(wanted, user), locale)


def _snapshot_values(entry: AuditEntry) -> dict | None:
    """A creation's or deletion's JSON snapshot as {field: value}; text that is not JSON is one unlabelled value."""
    if entry.action not in ("create", "delete", "merge", "unmerge"):
        return None
    raw = entry.old_value if entry.action == "delete" else entry.new_value
    if raw is None:
        return {}
    try:
        values = json.loads(raw)
    except ValueError:
        return {"": raw}
    return values if isinstance(values, dict) else {"": raw}


def _as_id(value) -> int | None:
    text = str(value or "").strip()
    return int(text) if text.isdigit() and len(text) < 10 else None


def _names(wanted: dict[str, set[int]], user: User) -> dict[tuple[str, int], str | None]:
    """{(kind, id): name} for every id of the trail, in one statement; None for an account the user may not see."""
    parts = []
    if wanted["client"]:
        parts.append(select(literal("client").label("kind"), Client.id, Client.name.label("a"), null().label("b"),
                            client_visible(user).label("visible")).where(Client.id.in_(wanted["client"])))
    if wanted["user"]:
        parts.append(select(literal("user"), User.id, User.last_name, User.first_name, literal(True))
                     .where(User.id.in_(wanted["user"])))
    if wanted["department"]:
        parts.append(select(literal("department"), Department.id, Department.label, null(), literal(True))
                     .where(Department.id.in_(wanted["department"])))
    if not parts:
        return {}
    names = {}
    for kind, id_, first, second, visible in db.session.execute(union_all(*parts) if len(parts) > 1 else parts[0]):
        if kind == "user":
            names[(kind, id_)] = f"{(first or '').upper()} {second or ''}".strip()
        else:
            names[(kind, id_)] = first if visible else None
    return names


def _field_label(name: str | None) -> str:
    if name and name.startswith(MAILING_LIST_FIELD):
        return _("Liste de diffusion %(name)s", name=name[len(MAILING_LIST_FIELD):])
    return field_label(name)


def _value_in_words(name: str | None, value, names: dict, locale: str) -> str:
    """One stored value as the user reads it: a name for an id, a label for a code, a date in the user's way."""
    if value is None or value == "":
        return ""
    value = str(value)
    if name in ID_FIELDS:
        kind = ID_FIELDS[name]
        number = _as_id(value)
        if number is None:
            return value
        if (kind, number) not in names:
            return {"client": _("(compte supprimé)"), "user": _("(utilisateur supprimé)"),
                    "department": _("(service supprimé)")}[kind]
        return names[(kind, number)] or _("(compte non visible)")
    if name == "country":
        return country_name(value, locale) if len(value) == 2 else value
    if name == "gender":
        return str(GENDER_LABELS.get(value, value))
    if name == "birthday":
        try:
            return format_date(date.fromisoformat(value), "short", locale=locale)
        except ValueError:
            return value
    if name == "mailing_lists":
        return "; ".join(_subscription_in_words(part, locale) for part in value.split("; "))
    if name == "links":
        return " | ".join(_link_in_words(part) for part in value.split(" | "))
    if value in STORED_WORDS:
        return str(STORED_WORDS[value])
    return value


def _subscription_in_words(part: str, locale: str) -> str:
    match = SUBSCRIPTION.match(part)
    if not match:
        return part
    since = date(int(match["year"]), int(match["month"]), int(match["day"]))
    state = _("abonné") if match["state"] == "abonné" else _("désabonné")
    return _("%(list)s (%(state)s depuis le %(date)s)", list=match["list"], state=state,
             date=format_date(since, "short", locale=locale))


def _link_in_words(part: str) -> str:
    kind, sep, url = part.partition(": ")
    return _("%(label)s : %(value)s", label=LINK_LABELS[kind], value=url) if sep and kind in LINK_LABELS else part
