"""The translation catalogs and the English interface.

The catalogs: every msgid of the English catalog is translated, keeps its %(name)s placeholders (a missing or
renamed one crashes the page) and follows English typography; the French catalog's plural entries keep theirs too.
The screens: with `Accept-Language: en` and no language chosen by the user, the main pages show English and none
of the catalog's French strings; without the header, French stays the default."""
import html
import re
from datetime import date
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from sqlalchemy import select

from webapp.extensions import db
from webapp.models import (Deal, Department, Entity, MailingList, Opportunity, Origin, RevenueRange, Role, Sector,
                           SizeBand, Skill, SkillCategory, TaskType)

from .conftest import HX, strip_tags

TRANSLATIONS = Path(__file__).resolve().parent.parent / "translations"
EN_PO = TRANSLATIONS / "en" / "LC_MESSAGES" / "messages.po"
FR_PO = TRANSLATIONS / "fr" / "LC_MESSAGES" / "messages.po"
POT = TRANSLATIONS / "messages.pot"
PLACEHOLDER = re.compile(r"%\((\w+)\)[sdifr]")
EN = {"Accept-Language": "en"}
RESULTS = {**HX, "HX-Target": "results"}

# The product's terms: one English word each, wherever they appear.
GLOSSARY = {
    "Contacts clients": "Client contacts", "Société": "Company", "Client affecté à": "Account owner",
    "Affecté à": "Assigned to", "Affaires": "Deals", "Fiche du compte": "Account record",
    "Fiche Contact Client": "Client contact record", "Listes de diffusion": "Mailing lists",
    "Environnement / Compétences": "Environment / Skills", "Entités": "Entities",
    "Taille / effectif": "Size / headcount", "Fourchette de CA": "Revenue range",
    "Secteur d'activité": "Industry", "Origine commerciale": "Lead source",
    "Service dans l'organigramme": "Department", "A quitté l'entreprise": "Left the company",
    "Non affecté": "Unassigned", "Tâches commerciales": "Sales tasks", "Suivi par": "Followed by",
    "Ecrans de paramètres": "Settings", "Actions de masse": "Bulk actions",
    ("%(num)d opportunité", "%(num)d opportunités"): ("%(num)d opportunity", "%(num)d opportunities"),
    ("%(num)d proposition", "%(num)d propositions"): ("%(num)d proposal", "%(num)d proposals"),
    ("%(num)d affaire", "%(num)d affaires"): ("%(num)d deal", "%(num)d deals"),
}


def _catalog(path: Path, locale: str):
    with path.open("rb") as handle:
        return read_po(handle, locale=locale)


def _entries(catalog):
    return [message for message in catalog if message.id]


def _forms(message) -> list[tuple[str, str]]:
    """(source, translation) pairs: one for a plain entry, one per plural form (singular, then plural)."""
    if not message.pluralizable:
        return [(message.id, message.string)]
    singular, plural = message.id
    return [(singular if index == 0 else plural, text) for index, text in enumerate(message.string)]


def _placeholders(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text or ""))


@pytest.fixture(scope="module")
def english():
    return _catalog(EN_PO, "en")


def test_english_catalog_is_complete(english):
    entries = _entries(english)
    assert len(entries) > 500
    untranslated = [m.id for m in entries if not (all(m.string) if m.pluralizable else m.string)]
    assert untranslated == []
    assert [m.id for m in entries if m.fuzzy] == []
    assert all(len(m.string) == 2 for m in entries if m.pluralizable)  # English: singular and plural
    template = {m.id if isinstance(m.id, str) else tuple(m.id) for m in _entries(_catalog(POT, None))}
    assert template == {m.id if isinstance(m.id, str) else tuple(m.id) for m in entries}


def test_english_translations_keep_every_placeholder(english):
    wrong = [(source, text) for m in _entries(english) for source, text in _forms(m)
             if _placeholders(source) != _placeholders(text)]
    assert wrong == []


def test_french_plurals_keep_every_placeholder():
    plurals = [m for m in _entries(_catalog(FR_PO, "fr")) if m.pluralizable]
    assert plurals and all(all(m.string) for m in plurals)
    wrong = [(source, text) for m in plurals for source, text in _forms(m)
             if _placeholders(source) != _placeholders(text)]
    assert wrong == []


def test_english_typography_and_markup(english):
    for message in _entries(english):
        for source, text in _forms(message):
            assert not re.search(r"\s[:?!;]", text), text  # "Name:", not "Name :"
            assert "«" not in text and "»" not in text, text  # “quoted”
            assert re.findall(r"&\w+;|<[^>]+>", source) == re.findall(r"&\w+;|<[^>]+>", text), text
            # Pieces glued to a sentence keep their joint: " and 3 others", "; 2 kept".
            if source.startswith(" ; "):
                assert text.startswith("; "), text
            elif source.startswith(" "):
                assert text.startswith(" "), text


def test_english_glossary(english):
    for source, expected in GLOSSARY.items():
        message = english.get(source)
        assert message is not None, source
        assert (tuple(message.string) if message.pluralizable else message.string) == expected


# The screens -------------------------------------------------------------------------------------------------


def _visible(page: str) -> str:
    """The text a user reads or hears: the text nodes, and the labels, titles and placeholders."""
    attributes = re.findall(r'\b(?:aria-label|title|placeholder|alt|hx-confirm)="([^"]*)"', page)
    return html.unescape(strip_tags(page) + " " + " ".join(attributes))


@pytest.fixture(scope="module")
def french_strings(english):
    """Patterns for the catalog's French strings that English says differently, to find any left on a page.
    Strings with placeholders are cut at them; pieces of fewer than 3 letters are left out."""
    patterns = set()
    for message in _entries(english):
        for source, text in _forms(message):
            if source.strip() == text.strip():
                continue
            for piece in PLACEHOLDER.split(source)[::2]:
                piece = piece.strip(" .:;,?()«»—…")
                if len(re.sub(r"\W", "", piece)) >= 3 and piece not in text:
                    patterns.add(piece)
    return [re.compile(r"(?<!\w)" + re.escape(piece) + r"(?!\w)") for piece in sorted(patterns, key=len)]


def _french_left(text: str, patterns, allowed=()) -> list[str]:
    for word in allowed:  # the test's own data, which may spell a French word
        text = text.replace(word, " ")
    found = [pattern.pattern for pattern in patterns if pattern.search(text)]
    if re.search(r"\w [:?!;] ", text):
        found.append("French spacing: " + re.search(r".{0,30}\w [:?!;] .{0,30}", text).group(0))
    return found


@pytest.fixture
def desk(make, login_as, app):
    """An administrator (every right) with no language of their own, an account, two contacts, an opportunity
    and a deal; "data": the labels of the reference lists and roles, which the seed keeps in French (data, not
    interface)."""
    entity = make.entity("North")
    admin = make.user("WALKER Anna", role="Administrateur", entities=[entity])
    login_as(admin)
    owner = make.user("BAKER John", entities=[entity])
    account = make.client_account("ACME", entities=[entity], owner=owner)
    smith = make.contact(account, "SMITH", "Kate", function="Buyer", owner_id=owner.id, email="kate@acme.test")
    jones = make.contact(account, "JONES", "Tom", function="Engineer")
    with app.app_context():
        db.session.add(Deal(title="Audit", client_id=account.id, contact_id=smith.id, owner_id=owner.id,
                            signed_date=date(2025, 3, 1)))
        db.session.add(Opportunity(title="Migration", client_id=account.id, contact_id=jones.id))
        db.session.commit()
        data = [label for model in (Department, Entity, MailingList, Origin, RevenueRange, Sector, SizeBand, Skill,
                                    SkillCategory, TaskType) for label in db.session.scalars(select(model.label))]
        data += db.session.scalars(select(Role.name))
    return {"admin": admin, "owner": owner, "account": account, "smith": smith, "jones": jones,
            "data": tuple(sorted(data, key=len, reverse=True))}


# The test's names: data, not interface.
NAMES = ("WALKER Anna", "BAKER John", "ACME", "SMITH", "JONES", "Kate", "Tom", "Buyer", "Engineer", "North")


def _get(client, url, headers=None):
    response = client.get(url, headers={**EN, **(headers or {})})
    assert response.status_code == 200, (url, response.status_code)
    return response.text


def test_login_page_in_english(client, french_strings):
    page = _get(client, "/login")
    text = _visible(page)
    assert '<html lang="en">' in page
    assert "Sign in" in text and "Password" in text
    assert _french_left(text, french_strings) == []


def test_contacts_page_and_results_in_english(client, desk, french_strings):
    page = _get(client, "/contacts")
    assert '<html lang="en">' in page
    text = _visible(page)
    headers = re.sub(r"\s*[▲▼]", "", strip_tags(page))
    assert ("Company Account owner Last name First name Job title Phone Mobile Fax Assigned to Deals"
            in headers)
    assert "Client contacts" in text and "Bulk actions" in text and "Sign out" in text
    assert _french_left(text, french_strings, NAMES + desk["data"]) == []

    results = _get(client, "/contacts", RESULTS)
    assert "<html" not in results
    text = _visible(results)
    assert "0 opportunities 0 proposals 1 deal" in text  # SMITH
    assert "1 opportunity 0 proposals 0 deals" in text  # JONES
    assert "Company" in text and "Account owner" in text and "Last name" in text
    assert 'aria-label="Update SMITH' in results and 'aria-label="View SMITH' in results
    assert 'aria-label="More actions for SMITH' in results
    assert _french_left(text, french_strings, NAMES + desk["data"]) == []


def test_contact_form_dialog_in_english(client, desk, french_strings):
    dialog = _get(client, "/contacts/new", HX)
    assert "<html" not in dialog
    text = _visible(dialog)
    for label in ("Last name", "First name", "Job title", "Email", "Phone", "Assigned to", "Save", "Cancel",
                  "— Choose a client —", "Unassigned", "Germany"):
        assert label in text, label
    assert "Allemagne" not in text
    assert _french_left(text, french_strings, NAMES + desk["data"]) == []


def test_record_page_in_english(client, desk, french_strings):
    page = _get(client, f"/contacts/{desk['smith'].id}")
    text = _visible(page)
    assert "<html" in page and "SMITH" in text
    for label in ("Key information", "Sales follow-up", "Mailing list subscriptions", "Sales tasks", "History",
                  "0 opportunities", "0 proposals", "1 deal"):
        assert label in text, label
    assert _french_left(text, french_strings, NAMES + desk["data"]) == []


def test_parameters_page_in_english(client, desk, french_strings):
    page = _get(client, "/parameters")
    text = _visible(page)
    for label in ("Settings", "Entities", "Industries", "Lead sources", "Mailing lists"):
        assert label in text, label
    assert re.search(r"\d+ values?\b", text)
    assert _french_left(text, french_strings, NAMES + desk["data"]) == []


def test_users_page_in_english(client, desk, french_strings):
    page = _get(client, "/admin/users")
    text = _visible(page)
    for label in ("Users", "New user", "Roles and permissions", "Active"):
        assert label in text, label
    assert _french_left(text, french_strings, NAMES + desk["data"]) == []


def test_french_stays_the_default(client, desk):
    page = client.get("/contacts").text
    assert '<html lang="fr">' in page
    headers = re.sub(r"\s*[▲▼]", "", strip_tags(page))
    assert "Société Client affecté à Nom Prénom Fonction Téléphone Mobile Fax Affecté à Affaires" in headers
    results = strip_tags(client.get("/contacts", headers=RESULTS).text)
    assert "0 opportunité 0 proposition 1 affaire" in results
    assert "1 opportunité 0 proposition 0 affaire" in results
    dialog = strip_tags(client.get("/contacts/new", headers=HX).text)
    assert "Prénom" in dialog and "— Choisir un client —" in dialog and "Enregistrer" in dialog


def test_unknown_language_falls_back_to_french(client):
    page = client.get("/login", headers={"Accept-Language": "de-DE,de;q=0.9"}).text
    assert '<html lang="fr">' in page and "Se connecter" in page
