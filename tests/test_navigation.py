"""The navigation marks the section the screen belongs to; the header's breadcrumb follows the screen."""
import re

import pytest
from sqlalchemy import select

from webapp.extensions import db
from webapp.models import Sector

from .conftest import strip_tags


@pytest.fixture
def world(make, login_as):
    east = make.entity("Est")
    admin = login_as(make.user("ROYER Sébastien", role="Administrateur", entities=[east]))
    aprool = make.client_account("APROOL", entities=[east])
    blou = make.contact(aprool, "BLOU", "Hélène", function="Chef de projet")
    return {"admin": admin, "aprool": aprool, "blou": blou}


def _current_links(html: str) -> list[str]:
    """The labels of the navigation links marked as the current section."""
    return [strip_tags(label).strip() for label in
            re.findall(r'<a class="app-link"[^>]*aria-current="page"[^>]*>(.*?)</a>', html)]


def _breadcrumb(html: str) -> list[str]:
    """The header breadcrumb's steps, as read."""
    trail = re.search(r'<ol class="breadcrumb".*?</ol>', html, re.S).group(0)
    return [" ".join(strip_tags(item).split()).replace("&#39;", "'")
            for item in re.findall(r"<li>(.*?)</li>", trail, re.S)]


def _current_crumb(html: str) -> str:
    trail = re.search(r'<ol class="breadcrumb".*?</ol>', html, re.S).group(0)
    return strip_tags(re.search(r'<span aria-current="page">(.*?)</span>', trail, re.S).group(1)).replace("&#39;", "'")


def _sector_id(app) -> int:
    with app.app_context():
        return db.session.scalars(select(Sector.id).limit(1)).first()


def test_each_screen_marks_its_section_and_shows_where_it_is(client, app, world):
    blou, aprool = world["blou"], world["aprool"]
    sector = _sector_id(app)
    screens = [
        ("/contacts", "Contacts clients", ["Commercial", "Comptes & Contacts", "Contacts clients"]),
        (f"/contacts/{blou.id}", "Contacts clients",
         ["Commercial", "Comptes & Contacts", "Contacts clients", "BLOU Hélène"]),
        (f"/contacts/{blou.id}/deals", "Contacts clients",
         ["Commercial", "Comptes & Contacts", "Contacts clients", "BLOU Hélène", "Affaires"]),
        (f"/contacts/{blou.id}/edit", "Contacts clients",
         ["Commercial", "Comptes & Contacts", "Contacts clients", "Modification de BLOU Hélène"]),
        ("/clients", "Comptes clients", ["Commercial", "Comptes & Contacts", "Comptes clients"]),
        (f"/clients/{aprool.id}", "Comptes clients", ["Commercial", "Comptes & Contacts", "Comptes clients", "APROOL"]),
        ("/parameters", "Ecrans de paramètres", ["Commercial", "Comptes & Contacts", "Ecrans de paramètres"]),
        ("/parameters/sectors", "Ecrans de paramètres",
         ["Commercial", "Comptes & Contacts", "Ecrans de paramètres", "Secteurs d'activité"]),
        ("/admin/users", "Utilisateurs", ["Commercial", "Comptes & Contacts", "Utilisateurs"]),
    ]
    if sector:
        screens.append((f"/parameters/sectors/{sector}/edit", "Ecrans de paramètres",
                        ["Commercial", "Comptes & Contacts", "Ecrans de paramètres", "Secteurs d'activité"]))
    for url, section, trail in screens:
        page = client.get(url)
        assert page.status_code == 200, url
        assert _current_links(page.text) == [section], url
        assert _breadcrumb(page.text)[:len(trail)] == trail, url
        assert _current_crumb(page.text) == _breadcrumb(page.text)[-1], url


def test_the_steps_before_the_screen_are_links(client, world):
    page = client.get(f"/contacts/{world['blou'].id}/deals").text
    trail = re.search(r'<ol class="breadcrumb".*?</ol>', page, re.S).group(0)
    assert '<a href="/contacts">Contacts clients</a>' in trail
    assert f'<a href="/contacts/{world["blou"].id}">BLOU Hélène</a>' in trail
    assert '<span aria-current="page">Affaires</span>' in trail


def test_the_english_interface_speaks_english(client, world):
    page = client.get(f"/contacts/{world['blou'].id}", headers={"Accept-Language": "en"}).text
    assert _breadcrumb(page)[:3] == ["Sales", "Accounts & Contacts", "Client contacts"]


def test_names_in_the_breadcrumb_are_escaped(client, make, world):
    hostile = make.contact(world["aprool"], "<b>X</b>", "Y")
    page = client.get(f"/contacts/{hostile.id}").text
    trail = re.search(r'<ol class="breadcrumb".*?</ol>', page, re.S).group(0)
    assert "<b>X</b>" not in trail
