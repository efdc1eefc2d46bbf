"""vCard fidelity (issue 15), cards refused that a salesperson wants: a card with no N and no FN is named after its
NICKNAME, else its e-mail's local part, else its company, and the preview says so; an Apple card shown as a
company but naming a person is a person's card."""
import pytest

from .test_vcard_import import admin, card, entity, open_preview, row_html, vcf  # noqa: F401 - admin, entity: fixtures
from .test_vcard_mapping import plans


@pytest.fixture
def _context(app):
    with app.test_request_context():
        yield


def named(*lines):
    (only,) = plans(card(*lines))
    return only


@pytest.mark.usefixtures("_context")
@pytest.mark.parametrize("lines, name, source", [
    (("EMAIL:jean.dupont@acme.fr",), "DUPONT Jean", "adresse e-mail"),
    (("EMAIL;TYPE=INTERNET:marie-claire_martin@acme.fr", "TEL:01 02 03 04 05"), "MARTIN Marie-Claire",
     "adresse e-mail"),
    (("NICKNAME:Jeannot,JD", "EMAIL:jean.dupont@acme.fr"), "JEANNOT", "surnom"),
    (("ORG:Boulangeries Paul", "TEL;TYPE=WORK:01 02 03 04 05", "NOTE:Livraison le mardi"), "BOULANGERIES PAUL",
     "société"),
    (("EMAIL:1234@acme.fr", "ORG:Acme"), "ACME", "société"),
])
def test_a_card_without_n_or_fn_takes_a_name_and_says_where_from(lines, name, source):
    p = named(*lines)
    assert p.error is None
    assert p.name == name
    assert p.warnings[0].startswith("Fiche sans nom : nom") and source in p.warnings[0]


@pytest.mark.usefixtures("_context")
def test_a_card_with_a_name_says_nothing_about_it():
    p = named("N:Dupont;Jean", "EMAIL:autre.nom@acme.fr", "NICKNAME:JD")
    assert p.name == "DUPONT Jean" and not any("Fiche sans nom" in w for w in p.warnings)
    assert named("FN:Jean Dupont", "EMAIL:autre.nom@acme.fr").name == "DUPONT Jean"


@pytest.mark.usefixtures("_context")
def test_a_card_with_only_a_photo_is_still_refused():
    p = named("PHOTO;ENCODING=b;TYPE=PNG:iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLvAAAAAElF"
              "TkSuQmCC")
    assert p.error == "Fiche sans nom : non importée."


@pytest.mark.usefixtures("_context")
def test_an_apple_card_shown_as_company_that_names_a_person_is_a_person():
    person = named("N:Martin;Paul;;;", "FN:Paul Martin", "ORG:Acme", "X-ABShowAs:COMPANY")
    assert person.error is None and person.name == "MARTIN Paul" and person.org == "Acme"
    company = named("N:;;;;", "FN:Acme", "ORG:Acme", "X-ABShowAs:COMPANY")
    assert company.error == "Fiche d'une société ou d'un groupe, pas d'une personne : non importée."


def test_the_preview_says_where_the_name_came_from(client, admin, csrf):
    data = vcf(card("EMAIL:jean.dupont@acme.fr", "ORG:Acme"), card("N:Martin;Paul", "ORG:Acme"))
    _url, html, _form = open_preview(client, csrf, ("a.vcf", data))
    first, second = row_html(html, 0), row_html(html, 1)
    assert "DUPONT Jean" in first and "nom déduit de l&#39;adresse e-mail" in first
    assert "Fiche sans nom" not in second
