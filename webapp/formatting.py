"""Jinja filters for what the screens show: phone numbers, dates, plurals."""
import phonenumbers
from flask import Flask
from flask_babel import format_date, format_datetime, get_locale, ngettext


def national_phone(raw: str | None, e164: str | None = None) -> str:
    """A phone number in national format when it parses ("01 20 35 99 65"), as typed otherwise."""
    if not raw:
        return ""
    if not e164:
        return raw
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return raw
    fmt = phonenumbers.PhoneNumberFormat.NATIONAL if number.country_code == 33 else \
        phonenumbers.PhoneNumberFormat.INTERNATIONAL
    return phonenumbers.format_number(number, fmt)


def deals_summary(opportunities: int, proposals: int, deals: int) -> str:
    """The seed's Affaires column: "0 opportunité 0 proposition 6 affaires" (French plural: 0 and 1 are singular)."""
    return " ".join((
        ngettext("%(num)d opportunité", "%(num)d opportunités", opportunities),
        ngettext("%(num)d proposition", "%(num)d propositions", proposals),
        ngettext("%(num)d affaire", "%(num)d affaires", deals),
    ))


def init_filters(app: Flask) -> None:
    app.jinja_env.filters["national_phone"] = national_phone
    app.jinja_env.filters["date_fr"] = lambda value: format_date(value, "dd/MM/yyyy") if value else ""
    app.jinja_env.filters["datetime_fr"] = (
        lambda value: format_datetime(value, "dd/MM/yyyy 'à' HH:mm") if value else ""
    )
    app.jinja_env.globals["deals_summary"] = deals_summary
    app.jinja_env.globals["current_locale"] = lambda: str(get_locale() or "fr")
