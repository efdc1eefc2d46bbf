"""addressbook-query's filters (RFC 6352 section 10.5) on the cards as the export writes them: prop-filter on
UID, FN, N, NICKNAME, EMAIL, TEL, ORG, TITLE, NOTE, CATEGORIES, with text-match (equals, contains, starts-with,
ends-with; the caseless collations fold case, i;octet compares as is), is-not-defined, negate-condition, and
anyof / allof at both levels. A property the CRM never writes is "not defined"."""
from xml.etree.ElementTree import Element

from ..services.vcard_write import ExportCard
from .dav_xml import CARD, qname


def _values(card: ExportCard, name: str) -> list[str]:
    values = {
        "UID": [card.uid or ""],
        "FN": [card.full_name],
        "N": [f"{card.last_name};{card.first_name}"],
        "EMAIL": list(card.emails),
        "TEL": [number for number, _kind in card.phones],
        "ORG": [card.org] if card.org else [],
        "TITLE": [card.title] if card.title else [],
        "NOTE": [card.note] if card.note else [],
        "CATEGORIES": list(card.categories),
    }.get(name.upper(), [])
    return [value for value in values if value]


def _text_match(match: Element, value: str) -> bool:
    wanted = match.text or ""
    if match.get("collation", "i;unicode-casemap") != "i;octet":
        wanted, value = wanted.casefold(), value.casefold()
    kind = match.get("match-type", "contains")
    found = {"equals": value == wanted, "starts-with": value.startswith(wanted),
             "ends-with": value.endswith(wanted)}.get(kind, wanted in value)
    return found != (match.get("negate-condition") == "yes")


def _prop_matches(card: ExportCard, prop_filter: Element) -> bool:
    values = _values(card, prop_filter.get("name", ""))
    if prop_filter.find(qname(CARD, "is-not-defined")) is not None:
        return not values
    tests = prop_filter.findall(qname(CARD, "text-match"))
    if not tests:
        return bool(values)
    combine = all if prop_filter.get("test") == "allof" else any
    return any(combine(_text_match(test, value) for test in tests) for value in values)


def card_matches(card: ExportCard, filters: Element) -> bool:
    """Whether the card passes the query's <card:filter> (no prop-filter: every card)."""
    prop_filters = filters.findall(qname(CARD, "prop-filter"))
    if not prop_filters:
        return True
    combine = all if filters.get("test") == "allof" else any
    return combine(_prop_matches(card, prop_filter) for prop_filter in prop_filters)
