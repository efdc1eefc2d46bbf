"""The list's weight (issue 13): the HTML a row costs, the SQL statements a page costs. Sizes and counts are
deterministic, so they are what the tests hold; times are for the benchmarks (bench/)."""
import re
from contextlib import contextmanager

import pytest
from sqlalchemy import event, select

from webapp.extensions import db
from webapp.models import Client, Sector, Skill, User
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


@contextmanager
def statements(app):
    """The SQL statements the app sends meanwhile."""
    sent: list[str] = []

    def note(_conn, _cursor, statement, *_args):
        sent.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", note)
    try:
        yield sent
    finally:
        event.remove(engine, "before_cursor_execute", note)


def test_the_full_page_runs_at_most_5_statements(app, client, demo):
    with app.app_context():
        sector = db.session.scalar(select(Sector.id).limit(1))
        account = db.session.scalar(select(Client.id).order_by(Client.id).limit(1))
        skill = db.session.scalar(select(Skill.id).limit(1))
        owner = db.session.scalar(select(User.id).where(User.email != "admin@example.com").limit(1))
    filtered = f"{ALL}&q=a&sector={sector}&client={account}&skill={skill}&assigned={owner}&assigned=none"
    for url in (ALL, filtered):
        client.get(url)  # the session's "last seen" write is not the page's
        with statements(app) as sent:
            html = client.get(url).text
        assert len(sent) <= (3 if url == ALL else 5), sent
        if url == ALL:  # nothing checked: each filter reads its choices when it opens, not with the page
            assert 'name="skill"' not in html and 'name="sector"' not in html
            assert 'hx-get="/contacts/pickers/skill"' in html and 'hx-get="/contacts/pickers/sector"' in html
        else:
            assert 'name="sector"' in html and 'name="skill"' in html and 'name="assigned"' in html
    # The filters are still offered, the chosen ones checked, in the one statement that reads them.
    assert re.search(rf'name="sector" value="{sector}"\s+checked', html)
    assert re.search(rf'name="client" value="{account}"[^>]*checked', html)
    assert re.search(rf'name="assigned" value="{owner}"[^>]*checked', html)


def test_the_results_fragment_runs_3_or_4_statements(app, client, demo):
    with app.app_context():
        sector = db.session.scalar(select(Sector.id).limit(1))
    for url, expected in ((ALL, 3), (f"{ALL}&sector={sector}", 4)):
        client.get(url, headers={**HX, "HX-Target": "results"})
        with statements(app) as sent:
            client.get(url, headers={**HX, "HX-Target": "results"})
        assert len(sent) == expected, sent
