"""Mass actions on selected contacts (actions de masse): each opens a confirmation dialog, then runs on the server."""
from datetime import datetime
from urllib.parse import parse_qsl

from flask import Response, abort, current_app, make_response, render_template, request, stream_with_context, url_for
from flask_babel import gettext as _
from flask_login import current_user
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from .. import limits, problem_messages, rights
from ..access import requires
from ..dialogs import saved
from ..errors import render_error
from ..extensions import db
from ..form_fields import local_today, parse_id
from ..formatting import plural
from ..htmx import is_partial, toast, trigger
from ..models import MailingList
from ..queries import ContactQuery
from ..return_urls import local_url
from ..rules import Problem
from ..services import bulk
from ..services.contacts import owner_problem
from ..services.filenames import content_disposition
from ..services.vcard_export import iter_vcf, iter_zip
from . import bp
from .choices import owner_choices

ACTIONS = {"reassign": rights.CONTACTS_BULK_ASSIGN, "mailing-lists": rights.MAILING_LISTS,
           "export": rights.CONTACTS_EXPORT, "spreadsheet": rights.CONTACTS_EXPORT_LIST,
           "delete": rights.CONTACTS_DELETE}
UNDO_SECONDS = 600


def _selection() -> bulk.Selection:
    """The selection sent by the bulk form: checked ids, or every contact matching the list's filters."""
    form = request.form
    if form.get("select_across") == "1":
        query = ContactQuery.from_args(MultiDict(parse_qsl(form.get("query", ""))))
        return bulk.resolve(current_user, query=query)
    ids = [number for value in form.getlist("ids") if (number := parse_id(value))]
    return bulk.resolve(current_user, ids=ids)


@bp.post("/contacts/bulk/<action>/confirm")
@requires(rights.CONTACTS_LIST)
def bulk_confirm(action):
    """The dialog (or page) asking what to do with the selection, and saying how many contacts it holds."""
    if action not in ACTIONS:
        abort(404)
    if not current_user.can(ACTIONS[action]):
        abort(403)
    selection = _selection()
    context = dict(action=action, selection=selection, form=request.form, owners=owner_choices(), back_url=_list_url(),
                   mailing_lists=db.session.scalars(select(MailingList).where(MailingList.active.is_(True))
                                                    .order_by(MailingList.position, MailingList.label)).all())
    template = "partials/contacts/_bulk_dialog.html" if is_partial() else "contacts/bulk_confirm.html"
    return render_template(template, **context)


@bp.post("/contacts/bulk/reassign")
@requires(rights.CONTACTS_BULK_ASSIGN)
def bulk_reassign():
    """Modifier l'affectation: every selected contact to one salesperson (or none), all or nothing."""
    selection = _selection()
    raw = request.form.get("owner_id", "")
    owner_id = parse_id(raw)
    if raw and (owner_id is None or owner_problem(owner_id)):
        return render_error(422, problem_messages.message(Problem("owner_id", "owner_unknown")))
    result = bulk.reassign(current_user, selection, owner_id)
    message = plural("%(num)s contact réaffecté", "%(num)s contacts réaffectés", result.changed)
    message += _skipped(selection)
    token = _undo_signer().dumps({"at": result.at.isoformat(), "owner": owner_id})
    return _done(message, undo=url_for("contacts.bulk_undo", token=token) if result.changed else None)


@bp.post("/contacts/bulk/undo/<token>")
@requires(rights.CONTACTS_BULK_ASSIGN)
def bulk_undo(token):
    """Annuler: the contacts of a reassignment get their previous owner back (if nobody changed it since)."""
    try:
        data = _undo_signer().loads(token, max_age=UNDO_SECONDS)
    except BadSignature:
        return render_error(409, _("Cette réaffectation ne peut plus être annulée."))
    restored = bulk.undo_reassign(current_user, datetime.fromisoformat(data["at"]), data["owner"])
    return _done(plural("Affectation précédente rétablie pour %(num)s contact",
                        "Affectation précédente rétablie pour %(num)s contacts", restored))


@bp.post("/contacts/bulk/mailing-lists")
@requires(rights.MAILING_LISTS)
def bulk_mailing_lists():
    """Gérer les listes de diffusion: subscribe or unsubscribe the selection, all or nothing."""
    selection = _selection()
    list_ids = [number for value in request.form.getlist("lists") if (number := parse_id(value))]
    if not list_ids:
        return render_error(422, _("Choisissez au moins une liste de diffusion."))
    subscribe = request.form.get("mode") != "unsubscribe"
    result = bulk.change_subscriptions(current_user, selection, list_ids, subscribe, request.form.get("force") == "1",
                                       since=local_today())
    if subscribe:
        message = plural("%(num)s abonnement ajouté", "%(num)s abonnements ajoutés", result.changed)
    else:
        message = plural("%(num)s désabonnement", "%(num)s désabonnements", result.changed)
    if result.kept_unsubscribed:
        message += " ; " + plural("%(num)s désabonnement antérieur conservé (cochez « forcer » pour réabonner)",
                                  "%(num)s désabonnements antérieurs conservés (cochez « forcer » pour réabonner)",
                                  result.kept_unsubscribed)
    if result.without_email_count:
        names = ", ".join(result.without_email)
        more = result.without_email_count - len(result.without_email)
        message += _(" ; ignorés faute d'e-mail : %(names)s", names=names) + (_(" et %(n)d autres", n=more) if more
                                                                                else "")
    return _done(message + _skipped(selection))


@bp.post("/contacts/bulk/delete")
@requires(rights.CONTACTS_DELETE)
def bulk_delete():
    """Supprimer: only the contacts that may be deleted go; the answer names each kept one and why."""
    result = bulk.delete_unused(current_user, _selection())
    message = deletion_summary(result.deleted, result.kept_count)
    if not result.kept_count:
        return _done(message)
    response = make_response(render_template(
        "partials/contacts/_bulk_delete_report.html" if is_partial() else "contacts/bulk_delete_report.html",
        result=result, summary=message, back_url=_list_url()))
    toast(response, message)
    return trigger(response, "contacts-changed")


@bp.post("/contacts/bulk/export")
@requires(rights.CONTACTS_EXPORT)
@limits.exports
def bulk_export():
    """Exporter en VCF: one multi-contact .vcf or a .zip of one .vcf per contact, streamed as it is made."""
    selection = _selection()
    version = "4.0" if request.form.get("version") == "4.0" else "3.0"
    ids = list(db.session.scalars(selection.ids.order_by(None)))
    as_zip = request.form.get("format") == "zip"
    stamp = local_today().isoformat()
    name = f"contacts-{stamp}.zip" if as_zip else f"contacts-{stamp}.vcf"
    body = iter_zip(ids, version) if as_zip else iter_vcf(ids, version)
    response = Response(stream_with_context(body), mimetype="application/zip" if as_zip else "text/vcard")
    response.headers["Content-Disposition"] = content_disposition(name)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def deletion_summary(deleted: int, kept: int) -> str:
    """"2 contacts supprimés, 1 conservé": the bulk delete's toast and report."""
    return ", ".join((plural("%(num)s contact supprimé", "%(num)s contacts supprimés", deleted),
                      plural("%(num)s conservé", "%(num)s conservés", kept)))


def _undo_signer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"bulk-undo-{current_user.id}")


def _skipped(selection: bulk.Selection) -> str:
    if not selection.out_of_scope:
        return ""
    return " ; " + plural("%(num)s contact hors de vos entités ignoré", "%(num)s contacts hors de vos entités ignorés",
                          selection.out_of_scope)


def _done(message: str, undo: str | None = None):
    """Close the dialog, refresh the list and say what happened (with an undo button when given)."""
    return saved(message, _list_url(), undo=undo)


def _list_url() -> str:
    """The list as the bulk form showed it (filters, order, page), where a plain request returns; else the list."""
    list_url = url_for("contacts.index")
    return local_url(request.form.get("back"), list_url, under=list_url)
