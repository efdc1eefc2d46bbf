"""User administration: the users, their roles and entities, and the matrix of rights per role."""
from flask import abort, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from .. import rights
from ..access import requires
from ..dialogs import form_response, saved
from ..extensions import db
from ..htmx import is_partial, render, toast
from ..models import User
from ..rights import RIGHTS
from ..services import users as service
from . import bp
from .forms import PasswordForm, RightsForm, RoleForm, UserForm


@bp.get("/users")
@requires(rights.USERS)
def users():
    """List the users, filtered by the search; htmx asks for the table only."""
    block = "results" if request.headers.get("HX-Target") == "users-results" else None
    return render("admin/users.html", block, **_users_context())


@bp.route("/users/new", methods=["GET", "POST"])
@requires(rights.USERS)
def new_user():
    """Create a user: in a dialog for htmx, as a page otherwise."""
    form = UserForm()
    if form.validate_on_submit() and (user := _apply(form, service.create_user, form.values(), current_user)):
        message = _("L'utilisateur %(name)s a été créé.", name=user.display_name)
        body = render_template("partials/admin/_user_created.html", **_users_context()) if is_partial() else ""
        return saved(message, url_for(".users"), None, body)
    return _form_response("partials/admin/_user_form.html", _("Nouvel utilisateur"), form,
                          url_for(".new_user"), user=None)


@bp.route("/users/<id:user_id>/edit", methods=["GET", "POST"])
@requires(rights.USERS)
def edit_user(user_id: int):
    """Edit a user's names, e-mail, language, roles, entities and active flag."""
    user = _user(user_id)
    form = UserForm(user=user)
    if form.validate_on_submit() and _apply(form, service.update_user, user, form.values(), current_user) is not None:
        message = _("L'utilisateur %(name)s a été enregistré.", name=user.display_name)
        body = render_template("partials/admin/_user_updated.html", user=user) if is_partial() else ""
        return saved(message, url_for(".users"), None, body)
    return _form_response("partials/admin/_user_form.html", _("Modifier %(name)s", name=user.display_name), form,
                          url_for(".edit_user", user_id=user.id), user=user)


@bp.route("/users/<id:user_id>/password", methods=["GET", "POST"])
@requires(rights.USERS)
def user_password(user_id: int):
    """Give a user a new password; their current sessions end."""
    user = _user(user_id)
    form = PasswordForm()
    if form.validate_on_submit() and _apply(form, service.set_user_password, user, form.password.data,
                                            current_user):
        return saved(_("Le mot de passe de %(name)s a été changé.", name=user.display_name), url_for(".users"), None)
    return _form_response("partials/admin/_password_form.html",
                          _("Nouveau mot de passe pour %(name)s", name=user.display_name), form,
                          url_for(".user_password", user_id=user.id), user=user)


@bp.post("/users/<id:user_id>/deactivate")
@requires(rights.USERS)
def deactivate_user(user_id: int):
    """Deactivate a user: all their sessions end."""
    return _toggle(_user(user_id), False)


@bp.post("/users/<id:user_id>/activate")
@requires(rights.USERS)
def activate_user(user_id: int):
    """Let a deactivated user log in again."""
    return _toggle(_user(user_id), True)


@bp.post("/users/<id:user_id>/sessions/end")
@requires(rights.USERS)
def end_sessions(user_id: int):
    """End every session of a user, on every app server: their browsers are back on the login page."""
    user = _user(user_id)
    ended = service.end_user_sessions(user, current_user)
    message = ngettext("%(num)d session de %(name)s a été fermée.", "%(num)d sessions de %(name)s ont été fermées.",
                       ended, name=user.display_name)
    if not is_partial():
        flash(message, "success")
        return redirect(url_for(".users"))
    return toast(make_response("", 200), message)


@bp.get("/roles")
@requires(rights.USERS)
def roles():
    """Show the matrix of rights per role."""
    return render_template("admin/roles.html", **_roles_context())


@bp.post("/roles")
@requires(rights.USERS)
def save_roles():
    """Save the matrix of rights; refuse when the user would lose their own administration right."""
    form = RightsForm()
    roles = service.all_roles()
    matrix = form.matrix(roles, request.form)
    error = None
    if form.validate_on_submit():
        try:
            service.save_rights(matrix, current_user)
        except service.UserError as refused:
            error = refused.message
        else:
            message = _("Les droits ont été enregistrés ; ils s'appliquent dès la prochaine action de chacun.")
            if not is_partial():
                flash(message, "success")
                return redirect(url_for(".roles"))
            return toast(make_response(render_template("partials/admin/_rights_form.html",
                                                       **_roles_context())), message)
    context = _roles_context(form=form, matrix=matrix, error=error)
    if is_partial():
        return render_template("partials/admin/_rights_form.html", **context), 422
    return render_template("admin/roles.html", **context), 422


@bp.post("/roles/new")
@requires(rights.USERS)
def new_role():
    """Add a role, without rights until they are ticked in the matrix."""
    role_form = RoleForm()
    if role_form.validate_on_submit() and _apply(role_form, service.create_role, role_form.name.data,
                                                 current_user):
        flash(_("Le rôle « %(name)s » a été créé.", name=role_form.name.data), "success")
        return redirect(url_for(".roles"))
    return render_template("admin/roles.html", **_roles_context(role_form=role_form)), 422


def _user(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    return user


def _users_context() -> dict:
    search = (request.values.get("q") or "").strip()[:120]
    return {"users": service.search_users(search), "search": search}


def _roles_context(form=None, matrix=None, error=None, role_form=None) -> dict:
    roles = service.all_roles()
    return {"roles": roles, "rights": RIGHTS, "form": form or RightsForm(formdata=None),
            "matrix": matrix if matrix is not None else {role.id: role.right_codes for role in roles},
            "error": error, "role_form": role_form or RoleForm(formdata=None)}


def _apply(form, action, *args):
    """Run a service call; a change it refuses becomes an error beside the field concerned (None returned)."""
    try:
        return action(*args)
    except service.UserError as error:
        field = getattr(form, error.field, None) if error.field else None
        (field.errors if field is not None else form.form_errors).append(error.message)
        return None


def _form_response(template: str, title: str, form, action: str, **context):
    """A user form as a dialog, alone after errors, or as a page; cancelling goes back to the users."""
    return form_response(template, title, form, url_for("admin.users"), action=action, **context)


def _toggle(user: User, active: bool):
    """Deactivate or reactivate from the list: the user's status cell for htmx, the list for a page."""
    error = None
    try:
        service.set_user_active(user, active, current_user)
    except service.UserError as refused:
        error = refused.message
    if active:
        message = _("%(name)s peut de nouveau se connecter.", name=user.display_name)
    else:
        message = _("%(name)s est désactivé et sera déconnecté à sa prochaine action.", name=user.display_name)
    if not is_partial():
        flash(error or message, "error" if error else "success")
        return redirect(url_for(".users"))
    body = render_template("partials/admin/_user_status.html", user=user, error=error)
    response = make_response(body, 409 if error else 200)
    return response if error else toast(response, message)
