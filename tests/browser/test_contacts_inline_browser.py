"""Editing the list in place with the mouse and the keyboard (issue 13): a click on another cell saves and opens
it, Tab and Shift+Tab move (saving), Enter saves, Esc cancels, the arrows move between cells; an unreadable phone
is refused in the cell unless the user saves it as typed."""
import re

from playwright.sync_api import expect
from sqlalchemy import select

from webapp.extensions import db
from webapp.models import Contact


def _desk(make):
    east = make.entity("Est")
    user = make.user("COTILLON Marion", entities=[east])
    aprool = make.client_account("APROOL", entities=[east])
    for last, first, function in (("BRIE", "Alexandre", "Consultant"), ("DAROIN", "Elise", "Chef de projet"),
                                  ("FAURE", "Paul", "Acheteur")):
        make.contact(aprool, last, first, function=function)
    return user


def _cell(page, n, field):
    return page.locator("#contacts-rows tr").nth(n).locator(f"td[data-field={field}]")


def _editor(page, label):
    return page.get_by_label(re.compile("^" + label))


def test_click_tab_enter_escape_and_arrows(page, make, browser_login, app):
    browser_login(page, _desk(make))
    page.set_viewport_size({"width": 1440, "height": 900})
    _cell(page, 0, "function").click()
    _editor(page, "Fonction — BRIE").fill("Directeur conseil")
    # A click on a cell of another row saves this one and opens that one.
    _cell(page, 1, "first_name").click()
    expect(_editor(page, "Prénom — DAROIN")).to_be_focused()
    expect(_cell(page, 0, "function")).to_have_text("Directeur conseil")
    # Tab saves (here: nothing changed) and opens the next editable cell; Shift+Tab the previous one.
    page.keyboard.press("Tab")
    expect(_editor(page, "Fonction — DAROIN")).to_be_focused()
    _editor(page, "Fonction — DAROIN").fill("Cheffe de projet")
    page.keyboard.press("Shift+Tab")
    expect(_editor(page, "Prénom — DAROIN")).to_be_focused()
    expect(_cell(page, 1, "function")).to_have_text("Cheffe de projet")
    page.screenshot(path="/tmp/weight-inline-1440.png")
    # Esc cancels and leaves the focus on the cell; the arrows then move between cells, Enter opens one.
    _editor(page, "Prénom — DAROIN").fill("Ignored")
    page.keyboard.press("Escape")
    expect(_cell(page, 1, "first_name")).to_be_focused()
    expect(_cell(page, 1, "first_name")).to_have_text("Elise")
    page.keyboard.press("ArrowRight")
    expect(_cell(page, 1, "function")).to_be_focused()
    page.keyboard.press("ArrowDown")
    expect(_cell(page, 2, "function")).to_be_focused()
    page.keyboard.press("ArrowUp")
    page.keyboard.press("ArrowUp")
    page.keyboard.press("ArrowLeft")
    expect(_cell(page, 0, "first_name")).to_be_focused()
    page.keyboard.press("Enter")
    _editor(page, "Prénom — BRIE").fill("Alex")
    page.keyboard.press("Enter")
    expect(_cell(page, 0, "first_name")).to_have_text("Alex")
    expect(_cell(page, 0, "first_name")).to_be_focused()
    with app.app_context():
        saved = dict(db.session.execute(select(Contact.last_name, Contact.function)).all())
        assert saved == {"BRIE": "Directeur conseil", "DAROIN": "Cheffe de projet", "FAURE": "Acheteur"}
        assert db.session.scalar(select(Contact.first_name).where(Contact.last_name == "DAROIN")) == "Elise"


def test_an_unreadable_phone_waits_for_save_as_typed(page, make, browser_login, app):
    browser_login(page, _desk(make))
    _cell(page, 0, "phone").click()
    _editor(page, "Téléphone — BRIE").fill("12ab")
    page.keyboard.press("Enter")
    cell = page.locator("#contacts-rows tr").first.locator("td.cell-editing")
    expect(cell.get_by_role("alert")).to_contain_text("Numéro non reconnu")
    expect(_editor(page, "Téléphone — BRIE")).to_have_value("12ab")
    expect(_editor(page, "Téléphone — BRIE")).to_be_focused()  # the refused value is where the user is typing
    with app.app_context():
        assert db.session.scalar(select(Contact.phone).where(Contact.last_name == "BRIE")) is None
    page.keyboard.press("Tab")  # the button that saves it as typed is in the way, before the next cell
    expect(cell.get_by_role("button", name="Enregistrer tel quel")).to_be_focused()
    page.keyboard.press("Enter")
    expect(_cell(page, 0, "phone")).to_have_text("12ab")
    with app.app_context():
        assert db.session.scalar(select(Contact.phone).where(Contact.last_name == "BRIE")) == "12ab"
