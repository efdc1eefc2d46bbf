"""The CardDAV address books (RFC 6352): the CRM's contacts on phones and in address book programs, both ways.

Our own small WebDAV layer rather than a server library: Radicale's storage plugins see collections of files
with ETags hashed from their text, under its own locks and sync-token cache, so the scoping of the list, the
contact's version as the ETag (a stale one answers 412 before anything is written) and every write through the
contact service would have to be rebuilt beneath it. What CardDAV clients need is small: discovery, PROPFIND,
three REPORTs, GET, PUT, DELETE; defusedxml reads the bodies."""
from flask import Blueprint

from ..extensions import csrf

bp = Blueprint("carddav", __name__)
# Clients sign in with HTTP Basic and an app password on every request, never with the session cookie: a page
# of another site cannot make the browser send an app password, so the cookie's CSRF token has nothing to guard.
csrf.exempt(bp)

from . import routes  # noqa: E402,F401  (discovery, the collections and the cards)
