"""Editing in place from the list: the row comes back re-rendered, errors and conflicts stay in the cell."""
import json
import re

import pytest

from webapp.extensions import db
from webapp.models import AuditEntry, Contact

from .conftest import HX, strip_tags


@pytest.fixture
def row(make, login_as):
    east = make.entity("Est")
    user = login_as(make.user("COTILLON Marion", entities=[east]))
    contact = make.contact(make.client_account("APROOL", entities=[east]), "Blou", "Hélène",
                           function="Chef de projet", phone="01 20 35 99 65")
    return {"user": user, "contact": contact, "colleague": make.user("BERTRAND Nicolas", entities=[east])}


def _save(client, csrf, contact, field, value, version=None):
    return client.post(f"/contacts/{contact.id}/cells/{field}",
                       data={"value": value, "version": str(version or contact.version)},
                       headers={**HX, "X-CSRFToken": csrf["token"]})


def test_the_list_marks_the_editable_cells(client, row):
    html = client.get("/contacts", headers={**HX, "HX-Target": "results"}).text
    fields = re.findall(r'<td data-field="([a-z_]+)"', html)
    assert fields == ["last_name", "first_name", "function", "phone", "mobile", "fax", "owner_id"]
    # One URL pattern on the table, filled by static/cells.js with the row's id and the cell's field.
    assert 'data-cell-url="/contacts/{id}/cells/{field}"' in html


def test_opening_a_cell_gives_the_row_with_an_editor(client, row):
    response = client.get(f"/contacts/{row['contact'].id}/cells/function", headers=HX)
    assert response.text.lstrip().startswith("<tr") and 'class="cell-editor"' in response.text
    assert 'name="value" value="Chef de projet"' in response.text and "autofocus" in response.text


def test_saving_a_cell_rerenders_the_row_and_audits_it(client, csrf, row, app):
    response = _save(client, csrf, row["contact"], "function", "  Directrice  ")
    assert response.status_code == 200 and response.text.lstrip().startswith("<tr")
    assert "Directrice" in strip_tags(response.text) and "cell-editor" not in response.text
    assert json.loads(response.headers["HX-Trigger-After-Settle"])["cell-saved"] == {
        "id": row["contact"].id, "field": "function"}
    with app.app_context():
        entry = db.session.scalars(db.select(AuditEntry)).one()
        assert (entry.via, entry.field, entry.old_value, entry.new_value) == (
            "inline", "function", "Chef de projet", "Directrice")


def test_phone_in_place_is_normalised_for_search(client, csrf, row, app):
    _save(client, csrf, row["contact"], "mobile", "06.25.34.12.57")
    with app.app_context():
        contact = db.session.get(Contact, row["contact"].id)
        assert contact.mobile_e164 == "+33625341257" and "0625341257" in contact.search_text


def test_assigning_in_place(client, csrf, row):
    response = _save(client, csrf, row["contact"], "owner_id", str(row["colleague"].id))
    assert "BERTRAND Nicolas" in strip_tags(response.text)
    bad = _save(client, csrf, row["contact"], "owner_id", "999999", version=row["contact"].version + 1)
    assert bad.status_code == 422 and "Choisissez un commercial" in bad.text


def test_an_error_stays_in_the_cell_with_what_was_typed(client, csrf, row, app):
    response = _save(client, csrf, row["contact"], "last_name", "   ")
    assert response.status_code == 422
    assert "Ce champ est obligatoire." in response.text and 'aria-invalid="true"' in response.text
    too_long = _save(client, csrf, row["contact"], "function", "x" * 151)
    assert too_long.status_code == 422 and "150 caractères au plus" in too_long.text
    with app.app_context():
        assert db.session.get(Contact, row["contact"].id).function == "Chef de projet"


def test_a_conflict_in_place_says_who_and_what(client, csrf, row, app):
    _save(client, csrf, row["contact"], "function", "DSI")
    stale = _save(client, csrf, row["contact"], "function", "DAF")
    assert stale.status_code == 409
    assert "Modifié entre-temps par COTILLON Marion" in stale.text and "« DSI »" in stale.text
    assert 'value="DAF"' in stale.text


def test_escape_gives_back_the_row(client, row):
    response = client.get(f"/contacts/{row['contact'].id}/row", headers=HX)
    assert "Chef de projet" in response.text and "cell-editor" not in response.text


def test_unknown_field_is_404_and_only_the_field_is_written(client, csrf, row, app):
    assert client.get(f"/contacts/{row['contact'].id}/cells/email", headers=HX).status_code == 404
    assert _save(client, csrf, row["contact"], "client_id", "1").status_code == 404


def test_a_cell_submitted_without_htmx_saves_and_goes_back_to_the_list(client, csrf, row, app):
    response = client.post(f"/contacts/{row['contact'].id}/cells/function",
                           data={"value": "DAF", "version": str(row["contact"].version), "csrf_token": csrf["token"]},
                           headers={"Referer": "http://localhost/contacts?q=blou"})
    assert response.status_code == 302 and response.headers["Location"] == "/contacts?q=blou"
    with app.app_context():
        assert db.session.get(Contact, row["contact"].id).function == "DAF"
    assert "Fonction enregistrée." in client.get("/contacts?q=blou").text


def test_fragment_urls_opened_as_pages_lead_to_the_record(client, row):
    for url in ("row", "cells/function", "menu"):
        response = client.get(f"/contacts/{row['contact'].id}/{url}")
        assert response.status_code == 302 and response.headers["Location"].endswith(f"/contacts/{row['contact'].id}")


def test_an_unreadable_phone_is_refused_in_place_unless_confirmed(client, csrf, row, app):
    contact = row["contact"]
    refused = _save(client, csrf, contact, "phone", "12ab")
    assert refused.status_code == 422
    text = strip_tags(refused.text)
    assert "Numéro non reconnu" in text and 'value="12ab"' in refused.text  # what was typed stays
    assert 'name="as_typed"' in refused.text and "Enregistrer tel quel" in text
    with app.app_context():
        assert db.session.get(Contact, contact.id).phone == "01 20 35 99 65"
    confirmed = client.post(f"/contacts/{contact.id}/cells/phone",
                            data={"value": "12ab", "version": str(contact.version), "as_typed": "1"},
                            headers={**HX, "X-CSRFToken": csrf["token"]})
    assert confirmed.status_code == 200 and "12ab" in strip_tags(confirmed.text)
    with app.app_context():
        assert db.session.get(Contact, contact.id).phone == "12ab"
    readable = _save(client, csrf, contact, "mobile", "06 12 34 56 78", version=contact.version + 1)
    assert readable.status_code == 200 and "06 12 34 56 78" in strip_tags(readable.text)
