"""The parameter screens (Commercial > Ecrans de paramètres): one generic set of views for every list."""
from flask import abort, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select

from .. import rights
from ..access import requires
from ..extensions import db
from ..form_fields import parse_id
from ..htmx import is_partial, render, render_block, toast
from ..services import parameters as service
from . import bp
from .screens import SCREENS, Screen


@bp.get("")
@requires(rights.PARAMETERS)
def index():
    """List the parameter screens with how many values each holds."""
    counts = {slug: db.session.scalar(select(func.count()).select_from(screen.kind.model))
              for slug, screen in SCREENS.items()}
    return render_template("parameters/index.html", screens=SCREENS.values(), counts=counts)


@bp.get("/<slug>")
@requires(rights.PARAMETERS)
def list_items(slug: str):
    """Show a list's values, filtered by the search; htmx asks for the values only."""
    screen = _screen(slug)
    block = "items" if request.headers.get("HX-Target") == "items" else None
    return render("parameters/list.html", block, form=screen.make_form(formdata=None),
                  **_context(screen, focus_id=parse_id(request.args.get("focus"))))


@bp.post("/<slug>")
@requires(rights.PARAMETERS)
def create(slug: str):
    """Add a value at the end of the list."""
    screen = _screen(slug)
    form = screen.make_form()
    if form.validate_on_submit() and (item := _apply(form, service.create_item, screen.kind, form.values(),
                                                     current_user.id)):
        message = (_("« %(label)s » a été ajoutée.", label=item.label) if screen.kind.feminine
                   else _("« %(label)s » a été ajouté.", label=item.label))
        if not is_partial():
            flash(message, "success")
            return redirect(url_for(".list_items", slug=slug))
        response = make_response(render_template("partials/parameters/_added.html", focus_new=True,
                                                 form=screen.make_form(formdata=None), **_context(screen)))
        return toast(response, message)
    if is_partial():
        return render_template("partials/parameters/_add_form.html", form=form, **_context(screen)), 422
    return render_template("parameters/list.html", form=form, **_context(screen)), 422


@bp.get("/<slug>/<id:item_id>/edit")
@requires(rights.PARAMETERS)
def edit(slug: str, item_id: int):
    """Show a value's editor: in place in the list for htmx, as a page otherwise."""
    screen, item = _screen_item(slug, item_id)
    return render("parameters/edit.html", "editor", form=screen.make_form(item), inline=is_partial(),
                  **_context(screen, item=item))


@bp.post("/<slug>/<id:item_id>/edit")
@requires(rights.PARAMETERS)
def update(slug: str, item_id: int):
    """Rename a value (and change its parent, category or provider)."""
    screen, item = _screen_item(slug, item_id)
    form = screen.make_form(item)
    via = "inline" if is_partial() else "form"
    if form.validate_on_submit() and _apply(form, service.update_item, screen.kind, item, form.values(),
                                            current_user.id, via) is not None:
        message = (_("« %(label)s » a été enregistrée.", label=item.label) if screen.kind.feminine
                   else _("« %(label)s » a été enregistré.", label=item.label))
        return _done(screen, message, item.id, focus_edit=True)
    return render("parameters/edit.html", "editor", form=form, inline=is_partial(),
                  **_context(screen, item=item)), 422


@bp.post("/<slug>/<id:item_id>/move")
@requires(rights.PARAMETERS)
def move(slug: str, item_id: int):
    """Move a value one place up or down."""
    screen, item = _screen_item(slug, item_id)
    direction = request.form.get("direction")
    if direction not in ("up", "down"):
        abort(400)
    service.move_item(screen.kind, item, direction, current_user.id)
    return _done(screen, None, item.id)


@bp.post("/<slug>/<id:item_id>/deactivate")
@requires(rights.PARAMETERS)
def deactivate(slug: str, item_id: int):
    """Hide a value from the pickers; records that use it keep it."""
    screen, item = _screen_item(slug, item_id)
    service.set_active(screen.kind, item, False, current_user.id)
    message = (_("« %(label)s » est désactivée : elle n'est plus proposée, les fiches qui l'utilisent la gardent.",
                 label=item.label) if screen.kind.feminine else
               _("« %(label)s » est désactivé : il n'est plus proposé, les fiches qui l'utilisent le gardent.",
                 label=item.label))
    return _done(screen, message, item.id)


@bp.post("/<slug>/<id:item_id>/activate")
@requires(rights.PARAMETERS)
def activate(slug: str, item_id: int):
    """Offer a deactivated value again."""
    screen, item = _screen_item(slug, item_id)
    service.set_active(screen.kind, item, True, current_user.id)
    message = (_("« %(label)s » est de nouveau proposée.", label=item.label) if screen.kind.feminine
               else _("« %(label)s » est de nouveau proposé.", label=item.label))
    return _done(screen, message, item.id)


@bp.route("/<slug>/<id:item_id>/delete", methods=["GET", "POST"])
@requires(rights.PARAMETERS)
def delete(slug: str, item_id: int):
    """Delete a value no record uses, once confirmed (an in-page dialog, or a page without JavaScript); otherwise
    say where it is used."""
    screen, item = _screen_item(slug, item_id)
    if request.method == "GET":
        template = "partials/parameters/_delete_dialog.html" if is_partial() else "parameters/delete.html"
        return render_template(template, screen=screen, item=item,
                               refusal=service.deletion_refusal(screen.kind, item))
    label = item.label
    try:
        service.delete_item(screen.kind, item, current_user.id)
    except service.InUseError as error:
        return _closing_dialog(_done(screen, error.message, item_id, refused=True))
    message = (_("« %(label)s » a été supprimée.", label=label) if screen.kind.feminine
               else _("« %(label)s » a été supprimé.", label=label))
    return _closing_dialog(_done(screen, message))


def _closing_dialog(response):
    """For htmx, the answer to a confirmed delete also empties the dialog slot (out of band): the dialog closes."""
    if is_partial():
        response.set_data(response.get_data(as_text=True) + '<div id="dialog-slot" hx-swap-oob="true"></div>')
    return response


def _screen(slug: str) -> Screen:
    screen = SCREENS.get(slug)
    if screen is None:
        abort(404)
    return screen


def _screen_item(slug: str, item_id: int):
    screen = _screen(slug)
    item = db.session.get(screen.kind.model, item_id)
    if item is None:
        abort(404)
    return screen, item


def _context(screen: Screen, focus_id: int | None = None, refused: dict | None = None, **extra) -> dict:
    """What the list templates need: the values as a tree (flat lists have one level), their uses, the search."""
    search = (request.values.get("q") or "").strip()[:120]
    items = service.list_items(screen.kind, search)
    usage = service.usage_counts(screen.kind, [item.id for item in items])
    return dict(screen=screen, screens=SCREENS, search=search, groups=service.children_by_parent(items),
                usage={item_id: service.describe_usage(pairs) for item_id, pairs in usage.items()},
                focus_id=focus_id, refused=refused or {}, **extra)


def _apply(form, action, *args):
    """Run a service call; a value it refuses becomes an error beside the field concerned (None returned)."""
    try:
        return action(*args)
    except service.ParameterError as error:
        getattr(form, error.field, form.label).errors.append(error.message)
        return None


def _done(screen: Screen, message: str | None, item_id: int | None = None, refused: bool = False,
          focus_edit: bool = False):
    """After a change: back to the list for a page, the list's values (in #items) for htmx.

    The button pressed keeps its id across the swap, so htmx gives it the focus back; an editor does not
    survive its save, so `focus_edit` puts the focus on the value's edit button instead."""
    if not is_partial():
        if message:
            flash(message, "error" if refused else "success")
        anchor = f"item-{item_id}" if item_id else None
        return redirect(url_for(".list_items", slug=screen.slug, _anchor=anchor))
    context = _context(screen, focus_id=item_id if focus_edit else None,
                       refused={item_id: message} if refused else None)
    body = render_block("parameters/list.html", "items", **context)
    # An editor posts to itself; its success replaces the whole list, where the value may have moved.
    response = make_response(body, 409 if refused else 200, {"HX-Retarget": "#items", "HX-Reswap": "innerHTML"})
    return toast(response, message) if message and not refused else response
