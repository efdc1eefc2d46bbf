"""A salesperson logs in and reaches the contacts screen, with no console error and no CSP violation."""
import re


def test_login_reaches_contacts_screen(page, make, browser_login, axe_violations):
    entity = make.entity("Île-de-France")
    user = make.user("BERTRAND Nicolas", role="Commercial", entities=[entity])
    browser_login(page, user)
    assert re.search(r"/contacts$", page.url)
    assert page.get_by_role("heading", name=re.compile("Contacts clients")).is_visible()
    assert page.get_by_role("banner").get_by_text("BERTRAND Nicolas").is_visible()
    assert axe_violations(page) == []


def test_wrong_password_is_said_on_the_form(page, make):
    user = make.user("BERTRAND Nicolas")
    page.goto("/login")
    page.get_by_label("Adresse e-mail").fill(user.email)
    page.get_by_label("Mot de passe").fill("not the password")
    page.get_by_role("button", name="Se connecter").click()
    assert page.get_by_role("alert").inner_text() == "Adresse e-mail ou mot de passe incorrect."
    assert page.get_by_label("Adresse e-mail").input_value() == user.email
