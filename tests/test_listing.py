"""The three lists whose state lives in the URL (contacts, accounts, a contact's tasks) share webapp.listing: the
same fallback for an unknown sort and a bad page number, the same last page for a page past the end, the same
sort links."""
import re
from datetime import UTC, datetime, timedelta

import pytest
from werkzeug.datastructures import MultiDict

from webapp.clients.search import ClientSearch
from webapp.contacts.record import TaskTable
from webapp.listing import read_page
from webapp.queries import ContactQuery

from .conftest import strip_tags
from .record_support import add_task, make_world


@pytest.fixture
def world(make, login_as):
    return make_world(make, login_as)


def _lists():
    """Each list with its parameter names, built from a URL's arguments."""
    return [(lambda args: ContactQuery.from_args(MultiDict(args)), "sort", "page"),
            (lambda args: ClientSearch.from_args(MultiDict(args)), "sort", "page"),
            (lambda args: TaskTable.from_args(1, MultiDict(args)), "tsort", "tpage")]


@pytest.mark.parametrize("value", ["0", "-3", "abc", "", "1" * 12, "²", "２"])
def test_a_bad_page_number_is_the_first_page(value):
    assert read_page(value) == 1


@pytest.mark.parametrize("index", range(3))
def test_unknown_sort_and_bad_page_fall_back_the_same_way(app, index):
    build, sort_arg, page_arg = _lists()[index]
    with app.test_request_context():
        listing = build({sort_arg: "-evil", page_arg: "-2"})
        assert listing.page == 1
        if listing.sorts:  # the accounts list has one order and reads no sort
            assert listing.sort_param == type(listing).default_sort
        assert sort_arg not in dict(listing.params()) and page_arg not in dict(listing.params())
        assert dict(listing.params(**{page_arg: 3}))[page_arg] == "3"


@pytest.mark.parametrize("index", [0, 2])
def test_sort_links_flip_the_current_order_and_go_back_to_page_one(app, index):
    build, sort_arg, page_arg = _lists()[index]
    with app.test_request_context():
        listing = build({sort_arg: "name" if index else "last_name", page_arg: "4"})
        key = listing.sort
        flipped = dict(listing.params(**{sort_arg: f"-{key}"}))
        assert listing.sort_url(key).endswith(f"{sort_arg}=-{key}") and page_arg not in flipped
        assert listing.aria_sort(key) == "ascending" and listing.aria_sort("other") == "none"
        headers = listing.headers()
        assert [h.column.key for h in headers] == [c.key for c in type(listing).columns]
        assert all((h.sort_url is None) == (not h.column.sortable) for h in headers)


def test_a_page_past_the_end_shows_the_last_page_on_all_three_lists(client, make, app, world):
    for index in range(21):
        make.contact(world.aprool, f"PERSONNE{index:02d}", "Jean")
        make.client_account(f"Compte {index:02d}", entities=[world.east])
        add_task(app, world.blou.id, name=f"Tâche {index:02d}", due=datetime(2024, 1, 1, tzinfo=UTC) +
                 timedelta(days=index))
    for index in range(21, 51):
        make.client_account(f"Compte {index:02d}", entities=[world.east])
    contacts = strip_tags(client.get("/contacts?per_page=20&page=999").text)
    assert "Page 2 / 2" in contacts and "Contacts 21 à 22 sur 22" in contacts
    accounts = strip_tags(client.get("/clients?page=999").text)
    assert "Page 2 / 2" in accounts and "Compte 50" in accounts
    tasks = strip_tags(client.get(f"/contacts/{world.blou.id}?tper=20&tpage=999").text)
    assert "21 éléments - 2/2 - 20" in tasks and re.findall(r"Tâche \d\d", tasks) == ["Tâche 00"]
