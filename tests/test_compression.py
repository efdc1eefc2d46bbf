"""Responses compressed when the browser accepts it (Flask-Compress, issue 13): pages, fragments, CSS and JS."""
import gzip

import brotli
import pytest

from .conftest import HX


@pytest.fixture
def seller(make, login_as):
    east = make.entity("Est")
    user = login_as(make.user("COTILLON Marion", entities=[east]))
    account = make.client_account("APROOL", entities=[east])
    for n in range(30):
        make.contact(account, f"Blou{n}", "Hélène", function="Chef de projet", phone="01 20 35 99 65")
    return user


def _vary(response) -> set[str]:
    return {part.strip() for value in response.headers.getlist("Vary") for part in value.split(",")}


def test_the_list_page_comes_in_brotli_then_gzip(client, seller):
    plain = client.get("/contacts")
    assert "Content-Encoding" not in plain.headers and "BLOU29" in plain.text
    assert {"Accept-Encoding", "HX-Request"} <= _vary(plain)
    in_brotli = client.get("/contacts", headers={"Accept-Encoding": "gzip, deflate, br"})
    assert in_brotli.headers["Content-Encoding"] == "br"
    assert {"Accept-Encoding", "HX-Request"} <= _vary(in_brotli)
    assert len(in_brotli.data) < len(plain.data) / 4
    assert "BLOU29" in brotli.decompress(in_brotli.data).decode()
    in_gzip = client.get("/contacts", headers={"Accept-Encoding": "gzip"})
    assert in_gzip.headers["Content-Encoding"] == "gzip" and "BLOU29" in gzip.decompress(in_gzip.data).decode()


def test_the_results_fragment_is_compressed_too(client, seller):
    response = client.get("/contacts", headers={**HX, "HX-Target": "results", "Accept-Encoding": "br"})
    assert response.headers["Content-Encoding"] == "br" and {"Accept-Encoding", "HX-Request"} <= _vary(response)
    assert "BLOU29" in brotli.decompress(response.data).decode()


@pytest.mark.parametrize("path", ["/static/app.css", "/static/app.js", "/static/cells.js"])
def test_css_and_js_are_compressed(client, path):
    plain = client.get(path)
    response = client.get(path, headers={"Accept-Encoding": "gzip, deflate, br"})
    assert response.headers["Content-Encoding"] == "br" and "Accept-Encoding" in _vary(response)
    assert brotli.decompress(response.data) == plain.data
    in_gzip = client.get(path, headers={"Accept-Encoding": "gzip"})
    assert in_gzip.headers["Content-Encoding"] == "gzip" and gzip.decompress(in_gzip.data) == plain.data
    for each in (plain, response, in_gzip):
        each.close()


def test_a_request_from_another_site_is_not_compressed(client, seller):
    """BREACH: a page reflecting a search beside the CSRF token is not compressed for another site's request."""
    response = client.get("/contacts?q=token", headers={"Accept-Encoding": "br", "Sec-Fetch-Site": "cross-site"})
    assert "Content-Encoding" not in response.headers and "Accept-Encoding" in _vary(response)
    same_site = client.get("/contacts?q=token", headers={"Accept-Encoding": "br", "Sec-Fetch-Site": "same-origin"})
    assert same_site.headers["Content-Encoding"] == "br"
