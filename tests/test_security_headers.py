"""Security headers on every response, and error pages without tracebacks."""
import re

import pytest
from flask import abort

from webapp import config as config_module
from webapp import create_app

from .conftest import HX


def test_csp_and_headers_on_the_login_page(client):
    headers = client.get("/login").headers
    csp = headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "object-src 'none'" in csp
    assert "base-uri 'none'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert "HX-Request" in headers["Vary"]


def test_authenticated_pages_are_not_cached(client, login_as, make):
    login_as(make.user())
    assert client.get("/contacts").headers["Cache-Control"] == "no-store"


def test_pages_have_no_inline_script_or_style(client, login_as, make):
    login_as(make.user())
    html = client.get("/contacts").text
    assert "<script>" not in html and "<style" not in html and " style=" not in html
    assert not re.search(r"\son[a-z]+=", html) and "hx-on" not in html


@pytest.fixture(scope="module")
def failing_app():
    """An app of its own with routes that fail on purpose (the shared one is already serving)."""
    config = config_module.TestConfig()
    config.SQLALCHEMY_DATABASE_URI = "sqlite://"
    app = create_app(config)
    app.config["PROPAGATE_EXCEPTIONS"] = False  # behave as in production, not as under TESTING

    @app.get("/_test/boom")
    def boom():
        raise RuntimeError("secret detail")

    @app.get("/_test/abort/<int:code>")
    def abort_with(code):
        abort(code)

    return app


def test_500_shows_a_page_without_traceback(failing_app):
    client = failing_app.test_client()
    response = client.get("/_test/boom")
    assert response.status_code == 500
    assert "Erreur interne" in response.text
    assert "secret detail" not in response.text and "Traceback" not in response.text


@pytest.mark.parametrize("code,words", [(400, "Requête invalide"), (403, "Accès refusé"), (404, "Introuvable"),
                                        (405, "Méthode non autorisée"), (413, "Fichier trop volumineux"),
                                        (422, "Données invalides")])
def test_error_pages(failing_app, code, words):
    response = failing_app.test_client().get(f"/_test/abort/{code}")
    assert response.status_code == code and words in response.text and "<html" in response.text


def test_error_fragment_for_htmx(failing_app):
    response = failing_app.test_client().get("/_test/abort/404", headers=HX)
    assert response.status_code == 404 and "<html" not in response.text
    assert response.headers["HX-Retarget"] == "#toasts"


def test_unknown_url_is_a_404_page(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404 and "Introuvable" in response.text


def test_wrong_method_is_405(client):
    assert client.delete("/login").status_code == 405
