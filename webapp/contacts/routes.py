"""The contacts list: the page, its results fragment and its filter pickers."""
from flask import abort, make_response, redirect, request, url_for
from flask_login import current_user

from .. import rights
from ..access import requires
from ..htmx import is_partial, render
from ..queries import ContactQuery, visible_columns
from ..return_urls import local_url, referrer_url
from ..scope import get_contact_or_404
from ..services import preferences, saved_views
from . import bp, pickers
from .columns import hidden_columns
from .view_routes import switcher_context, view_url


@bp.get("/")
def home():
    """The app opens on the contacts list."""
    return redirect(url_for("contacts.index"))


@bp.get("/contacts")
@requires(rights.CONTACTS_LIST)
def index():
    """List the client contacts the user may see, filtered, sorted and paged as the URL says."""
    if not request.args and not is_partial() and (state := saved_views.default_state(current_user)) is not None:
        return redirect(view_url(state))  # the bare list opens the user's default view
    query = ContactQuery.from_args(request.args)
    query.columns = visible_columns(query.columns, hidden_columns(current_user))  # the user's column headers
    result = query.page_of_rows(current_user)
    context = dict(query=query, result=result, chips=query.chips())
    if is_partial() and request.headers.get("HX-Target") == "results":
        response = make_response(render("contacts/index.html", "results", **context))
        response.headers["HX-Push-Url"] = query.url(page=query.page)  # the short, canonical form of the state
        return response
    return render("contacts/index.html", filters=pickers.filter_options(query, current_user),
                  filters_folded=preferences.of(current_user, "contacts.filters_folded", False),
                  **switcher_context(query), **context)


@bp.get("/contacts/pickers/<kind>")
@requires(rights.CONTACTS_LIST)
def picker(kind):
    """Options of a filter, asked for when it opens: a searchable one's (clients, salespeople, skills) checked ones
    first, then matches; a short one's (entities, sizes, revenues, sectors, origins) all."""
    query = ContactQuery.from_args(request.args)
    if kind in pickers.SEARCHABLE:
        options = pickers.search(kind, request.args.get("term", ""), query, current_user)
    elif kind in pickers.REFERENCE_FILTERS:
        options = pickers.choices(kind, query, current_user)
    else:
        abort(404)
    return render("partials/contacts/_picker_options.html", kind=kind, options=options)


@bp.get("/contacts/<id:contact_id>")
@requires(rights.CONTACTS_LIST)
def show(contact_id):
    """The contact's record: key facts, follow-up, subscriptions, tasks, trail; htmx asks for the sections only."""
    from .record import record_context  # issue 7's read side, kept out of the imports

    contact = get_contact_or_404(current_user, contact_id)
    # ?back= when the link carried it, else the list page the record was opened from (Referer), else the list.
    list_url = url_for("contacts.index")
    back = request.args.get("back")
    back_url = local_url(back, list_url, under=list_url) if back else referrer_url(list_url, under=list_url)
    block = "sections" if request.headers.get("HX-Target") == "record-sections" else None
    return render("contacts/show.html", block, contact=contact, back_url=back_url,
                  **record_context(contact, current_user, request.args, "" if back_url == list_url else back_url))

