"""Jinja filters for what the screens show, in the interface's language (Babel): numbers, amounts, dates, plurals,
phone numbers."""
from flask import Flask, g, url_for
from flask_babel import (format_currency, format_date, format_datetime, format_decimal, format_time, get_locale,
                         get_translations, gettext, ngettext)

from . import phones
from .field_labels import field_label
from .services.spreadsheet_export import deals_text


def national_phone(raw: str | None, e164: str | None = None) -> str:
    """A phone number in national format when it parses ("01 20 35 99 65"), as typed otherwise."""
    return phones.display(raw, e164)


def deals_summary(opportunities: int, proposals: int, deals: int) -> str:
    """The seed's Affaires column: "0 opportunité 0 proposition 6 affaires" (French plural: 0 and 1 are singular).

    Remembered per request: a page repeats the same few combinations."""
    cache = g.setdefault("_deals_summaries", {})
    key = (opportunities, proposals, deals)
    if key not in cache:
        cache[key] = deals_text(opportunities, proposals, deals)
    return cache[key]


def record_url(endpoint: str, record_id: int, **values) -> str:
    """url_for(endpoint, <id>, **values) for a record, built once per request and then filled in: a page of
    contacts asks for hundreds of them."""
    prefixes = g.setdefault("_record_url_prefixes", {})
    key = (endpoint, tuple(sorted(values.items())))
    if key not in prefixes:
        param = "client_id" if endpoint.startswith("clients.") else "contact_id"
        prefixes[key] = url_for(endpoint, **{param: 987654321}, **values).split("987654321")
    before, after = prefixes[key]
    return f"{before}{int(record_id)}{after}"


def _translations():
    """The request's translations, looked up once: Flask-Babel finds them anew on every call, and a page of
    contacts calls gettext a thousand times."""
    translations = g.get("_translations")
    if translations is None:
        translations = g._translations = get_translations()
    return translations


def _template_gettext(message, **variables):
    text = _translations().ugettext(message)
    return text % variables if variables else text


def _template_ngettext(singular, plural, num, **variables):
    variables.setdefault("num", num)
    return _translations().ungettext(singular, plural, num) % variables


def url_pattern(endpoint: str, **placeholders: str) -> str:
    """A URL with `{name}` where each named value goes ("/contacts/{id}/cells/{field}"), for a table to say once
    what its rows would otherwise repeat; `id` stands for the record's id."""
    values = {("client_id" if endpoint.startswith("clients.") else "contact_id"): 987654321}
    values.update({name: f"placeholder{index}x" for index, name in enumerate(placeholders)})
    url = url_for(endpoint, **values).replace("987654321", "{id}")
    for index, name in enumerate(placeholders):
        url = url.replace(f"placeholder{index}x", "{" + name + "}")
    return url


def list_row_labels() -> dict:
    """What every row of the list repeats, worked out once per page; `*_name` take the contact's name."""
    from flask_babel import gettext as _
    from flask_login import current_user

    return {"can_edit": current_user.can("contacts.edit"), "edit_hint": _("Cliquer ou Entrée pour modifier"),
            "archived": _("archivé"), "inactive": _("inactif"), "menu_loading": _("Ouvrir la fiche du contact"),
            "select": _("Sélectionner"),
            "view_name": _("Visualiser %(name)s", name="%(name)s"),
            "update_name": _("Mettre à jour %(name)s", name="%(name)s"),
            "more_name": _("Plus d'actions pour %(name)s", name="%(name)s"),
            "cell_url": url_pattern("contacts.edit_cell", field="field"),
            "menu_url": url_pattern("contacts.row_menu"), "email": _("E-mail")}


def number(value) -> str:
    """A count or a number with the language's grouping: "1 630" in French, "1,630" in English."""
    return "" if value is None else format_decimal(value)


def money(value, currency: str = "EUR") -> str:
    """An amount: "48 000,00 €" in French, "€48,000.00" in English."""
    return "" if value is None else format_currency(value, currency)


def _numeric_date_pattern() -> str:
    """The language's numeric date with a four-digit year: "dd/MM/y" in French, "M/d/y" in English."""
    locale = get_locale()
    skeleton = locale.datetime_skeletons.get("yMd") if locale else None
    return skeleton.pattern if skeleton is not None else "dd/MM/y"


def local_date(value) -> str:
    """A date as the language writes it: "10/08/2022" in French, "8/10/2022" in English (in the users' zone)."""
    return format_date(value, _numeric_date_pattern()) if value else ""


def local_datetime(value) -> str:
    """"10/08/2022 à 11:15" in French, "8/10/2022 at 11:15 AM" in English (in the users' zone)."""
    if not value:
        return ""
    return gettext("%(date)s à %(time)s", date=format_datetime(value, _numeric_date_pattern()),
                   time=format_time(value, "short"))


def plural(singular: str, plural_form: str, num: int, **variables) -> str:
    """ngettext with the count written with the language's grouping ("1 630 contacts"): the strings say `%(num)s`."""
    text = _translations().ungettext(singular, plural_form, num)
    return text % {"num": number(num), **variables}


def init_filters(app: Flask) -> None:
    # Same behaviour as Flask-Babel's callables (new-style: autoescaped, %-formatted), without its per-call cost.
    app.jinja_env.install_gettext_callables(_template_gettext, _template_ngettext, newstyle=True)
    app.jinja_env.filters["national_phone"] = national_phone
    app.jinja_env.filters.update(number=number, money=money, date=local_date, datetime=local_datetime)
    # The former names, kept for templates written before the filters above.
    app.jinja_env.filters.update(count=number, date_fr=local_date, datetime_fr=local_datetime)
    app.jinja_env.globals["plural"] = plural
    app.jinja_env.globals["deals_summary"] = deals_summary
    app.jinja_env.globals["record_url"] = record_url
    app.jinja_env.globals["field_label"] = field_label
    app.jinja_env.globals["list_row_labels"] = list_row_labels
    # Row menus offer an action once its screen exists (screens arrive one issue at a time).
    app.jinja_env.globals["has_endpoint"] = lambda endpoint: endpoint in app.view_functions
    app.jinja_env.globals["current_locale"] = lambda: str(get_locale() or "fr")
