"""Remembered screen choices: kept per user, only in the shape their key declares, written with CSRF like any POST."""
import pytest

from webapp.services import preferences

from .conftest import HX

URL = "/account/preferences/contacts.filters_folded"


def test_a_choice_is_remembered_for_its_user_only(app, client, make, login_as, csrf):
    seller, other = make.user(), make.user("DURAND Paul")
    login_as(seller)
    response = client.post(URL, data={"value": "true", "csrf_token": csrf["token"]}, headers=HX)
    assert response.status_code == 204
    with app.app_context():
        assert preferences.get(seller.id, "contacts.filters_folded", False) is True
        assert preferences.get(other.id, "contacts.filters_folded", False) is False


@pytest.mark.parametrize("key, value", [("contacts.filters_folded", "\"oui\""), ("contacts.filters_folded", "{"),
                                        ("unknown.key", "true"), ("contacts.filters_folded", "")])
def test_an_unknown_key_or_a_value_of_the_wrong_shape_is_refused(app, client, make, login_as, csrf, key, value):
    seller = login_as(make.user())
    response = client.post(f"/account/preferences/{key}", data={"value": value, "csrf_token": csrf["token"]},
                           headers=HX)
    assert response.status_code == 422
    assert "ne peut pas être enregistré" in response.get_data(as_text=True)
    with app.app_context():
        assert preferences.get(seller.id, key, "absent") == "absent"


def test_a_plain_form_goes_back_to_the_page_it_came_from(client, make, login_as, csrf):
    login_as(make.user())
    response = client.post(URL, data={"value": "false", "next": "/contacts?q=x", "csrf_token": csrf["token"]})
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/contacts?q=x")


def test_without_the_csrf_token_nothing_is_written(app, client, make, login_as):
    seller = login_as(make.user())
    assert client.post(URL, data={"value": "true"}, headers=HX).status_code == 400
    with app.app_context():
        assert preferences.get(seller.id, "contacts.filters_folded") is None
