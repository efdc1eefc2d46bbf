"""Views of the contacts list: the switcher's entries with their counts, saving the current filters and sort as
a named view, and the page where users rename, delete and choose their default view."""
from urllib.parse import parse_qsl, urlencode

from flask import abort, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.datastructures import MultiDict

from .. import rights
from ..access import requires
from ..dialogs import form_response
from ..htmx import is_partial
from ..queries import ContactQuery
from ..services import saved_views
from ..services.saved_views import ViewProblem
from . import bp
from .view_forms import RenameViewForm, SaveViewForm

PROBLEMS = {
    "name_required": lambda: _("Donnez un nom à la vue."),
    "name_too_long": lambda: _("%(max)d caractères au plus.", max=saved_views.MAX_NAME),
    "name_taken": lambda: _("Vous avez déjà une vue de ce nom."),
    "too_many": lambda: _("Vous avez déjà %(max)d vues : supprimez-en une d'abord.", max=saved_views.MAX_VIEWS),
    "no_entity": lambda: _("Vous n'appartenez à aucune entité : cette vue ne peut pas être partagée."),
}


def view_url(state: str) -> str:
    """A view's URL; "Tous les contacts" is `?q=`, since the bare list opens the user's default view."""
    return url_for("contacts.index") + "?" + (state or "q=")


def switcher_context(query: ContactQuery) -> dict:
    """What the list page's view switcher shows before it loads its menu: the built-in views (no statement)."""
    return dict(view_entries=saved_views.built_in(current_user), view_state=saved_views.state_of(query),
                view_url=view_url)


def _context(state: str) -> dict:
    entries = saved_views.views_for(current_user)
    return dict(entries=entries, totals=saved_views.counts(current_user, entries), current=state,
                default=saved_views.default_key(current_user), view_url=view_url)


@bp.get("/contacts/views")
@requires(rights.CONTACTS_LIST)
def views():
    """The switcher's entries with their counts (htmx, when it opens), or the page that manages the views."""
    state = saved_views.state_of(ContactQuery.from_args(request.args))
    if is_partial() and request.headers.get("HX-Target") == "view-menu":
        return render_template("partials/contacts/_view_menu.html", **_context(state))
    return render_template("contacts/views.html", rename_form=RenameViewForm(), **_context(state))


@bp.route("/contacts/views/new", methods=["GET", "POST"])
@requires(rights.CONTACTS_LIST)
def save_view():
    """Enregistrer la vue: the list's current filters and sort under a name, private or shared."""
    form = SaveViewForm()
    if request.method == "GET":
        form.query.data = urlencode(list(request.args.items(multi=True)))
    elif form.validate():
        try:
            view = saved_views.save_view(current_user, form.name.data, form.query.data or "", form.shared.data)
        except ViewProblem as problem:
            (form.shared if problem.code == "no_entity" else form.name).errors.append(PROBLEMS[problem.code]())
        else:
            return _go(view_url(view.query), _("Vue « %(name)s » enregistrée.", name=view.name))
    back = view_url(saved_views.state_of(ContactQuery.from_args(MultiDict(parse_qsl(form.query.data or "")))))
    return form_response("partials/contacts/_view_form.html", _("Enregistrer la vue"), form, back)


@bp.post("/contacts/views/<id:view_id>/rename")
@requires(rights.CONTACTS_LIST)
def rename_view(view_id):
    """Rename one of the user's own views (someone else's view answers 404)."""
    form = RenameViewForm()
    if saved_views.own_view(current_user, view_id) is None:
        abort(404)
    if form.validate():
        try:
            view = saved_views.rename_view(current_user, view_id, form.name.data)
        except ViewProblem as problem:
            form.name.errors.append(PROBLEMS[problem.code]())
        else:
            return _go(url_for("contacts.views"), _("Vue renommée en « %(name)s ».", name=view.name))
    context = _context("")
    return render_template("contacts/views.html", rename_form=form, renaming=view_id, **context), 422


@bp.route("/contacts/views/<id:view_id>/delete", methods=["GET", "POST"])
@requires(rights.CONTACTS_LIST)
def delete_view(view_id):
    """Delete one of the user's own views after a confirmation (someone else's view answers 404)."""
    view = saved_views.own_view(current_user, view_id)
    if view is None:
        abort(404)
    if request.method == "GET":
        template = "partials/contacts/_view_delete_dialog.html" if is_partial() else "contacts/view_delete.html"
        return render_template(template, view=view)
    name = view.name
    saved_views.delete_view(current_user, view_id)
    return _go(url_for("contacts.views"), _("Vue « %(name)s » supprimée.", name=name))


def _go(url: str, message: str):
    """After a write: the page at `url` with the message (htmx follows with a full load, the URL being a view)."""
    flash(message, "success")
    if is_partial():
        response = make_response("", 200)
        response.headers["HX-Redirect"] = url
        return response
    return redirect(url, 303)
