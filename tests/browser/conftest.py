"""Browser fixtures: the app served from a thread on the test database, and Debian's Chromium driven by
Playwright. Without Chromium the browser tests skip with a message; under CI they fail instead."""
import os
import re
import threading
from pathlib import Path

import pytest
from playwright.sync_api import expect
from werkzeug.serving import make_server

from ..conftest import IN_CI, PASSWORD

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--no-first-run", "--disable-quic"]
# Answers the app gives on purpose (validation, conflicts) that Chromium logs as failed loads.
EXPECTED_CONSOLE = re.compile(r"Failed to load resource: the server responded with a status of (409|422)")
# As long as a page's own waits (page.set_default_timeout below): the server is a thread of the test process,
# which a busy machine slows down; a retrying assertion never passes sooner for it, it only fails later.
expect.set_options(timeout=10_000)


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/browser/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        message = f"Chromium not found at {CHROMIUM}: install it with `apt-get install -y chromium`"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS, headless=True)
        yield browser
        browser.close()


def _read_whole(app):
    """The app with each response body read (and closed) before werkzeug's server writes it: when the browser
    drops a connection mid-response (a page left while a script loads), the development server skips closing the
    body, and the static file left open fails the test with a ResourceWarning that is no defect of the app."""
    def wsgi(environ, start_response):
        body = app(environ, start_response)
        try:
            return [b"".join(body)]
        finally:
            if hasattr(body, "close"):
                body.close()
    return wsgi


@pytest.fixture(scope="module")
def live_server(app):
    """The app served on 127.0.0.1 on a free port, in a thread, for the whole module."""
    server = make_server("127.0.0.1", 0, _read_whole(app), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture
def page(browser, live_server):
    """A fresh browser context and page; the test fails on any console error or CSP violation."""
    context = browser.new_context(base_url=live_server, locale="fr-FR", accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(10_000)
    problems: list[str] = []
    page.on("console", lambda msg: msg.type == "error" and not EXPECTED_CONSOLE.search(msg.text)
            and problems.append(f"console: {msg.text}"))
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.problems = problems
    yield page
    context.close()
    assert not problems, "the browser reported errors:\n" + "\n".join(problems)


@pytest.fixture
def browser_login():
    """Log a user in through the real login form."""

    def _login(page, user, password=PASSWORD):
        page.goto("/login")
        page.get_by_label("Adresse e-mail").fill(user.email)
        page.get_by_label("Mot de passe").fill(password)
        page.get_by_role("button", name="Se connecter").click()
        page.wait_for_url(re.compile(r"/contacts"))
        return page

    return _login


@pytest.fixture
def axe_violations():
    """The serious and critical accessibility violations axe finds on the page, as readable lines."""
    from axe_playwright_python.sync_playwright import Axe

    def _run(page) -> list[str]:
        results = Axe().run(page)
        return [f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
                for v in results.response["violations"] if v["impact"] in ("serious", "critical")]

    return _run
