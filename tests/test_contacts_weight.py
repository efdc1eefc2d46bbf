"""The list's weight (issue 13): the HTML a row costs, the SQL statements a page costs. Sizes and counts are
deterministic, so they are what the tests hold; times are for the benchmarks (bench/)."""
import re

import pytest
from sqlalchemy import select

from webapp.extensions import db
from webapp.models import User
from webapp.services.demo_data import load_demo_data
from webapp.unit_of_work import unit_of_work

from .conftest import HX

ROW = re.compile(r'<tr id="contact-\d+".*?</tr>', re.S)
ALL = "/contacts?active=all&archived=include&per_page=50"


@pytest.fixture
def demo(app, client, login_as):
    """The demo data (realistic names, companies, phones, deals) and its administrator logged in."""
    with app.app_context():
        with unit_of_work():
            load_demo_data(80, seed=7)
        admin = db.session.scalar(select(User).where(User.email == "admin@example.com"))
        from webapp.services.sessions import start_session
        start_session(admin)
        db.session.commit()
        db.session.expunge(admin)
    return login_as(admin)


def test_a_row_weighs_at_most_1_2_kb(client, demo):
    for headers in ({}, {**HX, "HX-Target": "results"}):
        html = client.get(ALL, headers=headers).text
        rows = ROW.findall(html)
        assert len(rows) == 50
        assert sum(len(row.encode()) for row in rows) / len(rows) <= 1200
        # Said once for the table, not once per cell: the editor's and the menu's URLs, and no inline SVG.
        assert html.count("/cells/") == 1 and html.count("data-menu-url") == 1 and "<svg" not in html


def test_the_row_keeps_its_links_without_javascript(client, demo):
    html = client.get(ALL).text
    row = ROW.findall(html)[0]
    contact_id = re.search(r'id="contact-(\d+)"', row).group(1)
    assert f'href="/contacts/{contact_id}"' in row  # Nom, Visualiser and the menu's fallback: the record
    assert f'href="/contacts/{contact_id}/edit"' in row  # Mettre à jour: the edit form
    assert re.findall(r'<td data-field="([a-z_]+)"', row) == [
        "last_name", "first_name", "function", "phone", "mobile", "fax", "owner_id"]
