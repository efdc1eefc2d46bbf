"""The one safe return URL: a path on this site from a `next`/`back` field or the Referer, never elsewhere."""
import pytest

from webapp.return_urls import local_url, referrer_url

DEFAULT = "/contacts"
HOSTILE = [
    None, "", "https://evil.example/", "http://localhost/contacts", "//evil.example", "///evil.example",
    "/\\evil.example", "\\\\evil.example", "/contacts\\..\\admin", "javascript:alert(1)", "data:text/html,x",
    "mailto:x@example.com", "contacts", "evil.example/contacts", "/contacts\r\nSet-Cookie: x=1", "/contacts\x00",
    "/contacts\t", "/contacts\x7f", "/" + "a" * 2001,
]


@pytest.mark.parametrize("value", HOSTILE)
def test_anything_but_a_local_path_gives_the_default(value):
    assert local_url(value, DEFAULT) == DEFAULT


@pytest.mark.parametrize("value", ["/contacts", "/contacts?q=Dupont&sort=-last_name&page=3", "/contacts/12",
                                   "/tasks/3/edit?next=%2Fcontacts%2F12", "/contacts#results", "/contacts?q=%C3%A9"])
def test_a_local_path_is_kept_as_given(value):
    assert local_url(value, DEFAULT) == value


@pytest.mark.parametrize("value, expected", [
    ("/contacts", "/contacts"), ("/contacts?q=Dupont&page=2", "/contacts?q=Dupont&page=2"),
    ("/contacts/12", DEFAULT), ("/contactsX?q=1", DEFAULT), ("/admin/users", DEFAULT),
    ("/contacts/../admin/users", DEFAULT), ("//evil.example/contacts", DEFAULT),
])
def test_under_keeps_only_that_page(value, expected):
    assert local_url(value, DEFAULT, under="/contacts") == expected


@pytest.mark.parametrize("referrer, expected", [
    ("http://localhost/contacts?q=Dupont&sort=-company", "/contacts?q=Dupont&sort=-company"),
    ("https://localhost/contacts", "/contacts"),
    ("http://evil.example/contacts?q=Dupont", DEFAULT),       # another host
    ("http://localhost.evil.example/contacts", DEFAULT),
    ("ftp://localhost/contacts", DEFAULT),                      # not a web page
    ("http://localhost/admin/users", DEFAULT),                  # not the page asked for
    ("/contacts?q=Dupont", DEFAULT),                            # not an absolute URL
    (None, DEFAULT),
])
def test_the_referrer_counts_only_from_this_site(app, referrer, expected):
    headers = {"Referer": referrer} if referrer else {}
    with app.test_request_context("/contacts/1", headers=headers):
        assert referrer_url(DEFAULT, under="/contacts") == expected
