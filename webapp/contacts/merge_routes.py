"""Fusionner des contacts: the side-by-side screen, the merge, and "Annuler la fusion"."""
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from .. import rights
from ..access import requires
from ..errors import render_error
from ..htmx import is_partial
from ..field_labels import field_label
from ..rules import parse_id
from ..services import merge
from ..services.contacts import usage_of
from . import bp
from .saving import readable as words


def _ids(source) -> list[int]:
    return [number for value in source.getlist("ids") if (number := parse_id(value))]


@bp.get("/contacts/merge")
@requires(rights.CONTACTS_MERGE)
def merge_form():
    """The contacts side by side, field by field, each field's value to keep chosen (most recent by default)."""
    try:
        contacts = merge.load(current_user, _ids(request.args))
    except merge.MergeRefused as refused:
        return _refused(refused)
    return _screen(contacts)


@bp.post("/contacts/bulk/merge")
@requires(rights.CONTACTS_MERGE)
def bulk_merge():
    """Fusionner… from the list's selection bar: the side-by-side screen of the 2 to 5 checked contacts."""
    ids = list(dict.fromkeys(_ids(request.form)))
    if request.form.get("select_across") == "1" or not merge.MIN_CONTACTS <= len(ids) <= merge.MAX_CONTACTS:
        return _refused(merge.MergeRefused("count"))
    url = url_for("contacts.merge_form", ids=ids)
    if is_partial():
        return "", 200, {"HX-Redirect": url}
    return redirect(url, 303)


@bp.post("/contacts/merge")
@requires(rights.CONTACTS_MERGE)
def merge_submit():
    """Merge the contacts into the one kept, all or nothing; 409 with what changed when one was saved since."""
    form = request.form
    ids = _ids(form)
    if len(ids) != len(form.getlist("ids")):
        return _refused(merge.MergeRefused("count"))
    versions = {contact_id: parse_id(form.get(f"version-{contact_id}")) for contact_id in ids}
    choices = {name: parse_id(form[f"pick-{name}"]) for name in merge.MERGE_FIELDS if f"pick-{name}" in form}
    survivor = parse_id(form.get("survivor"))
    if survivor not in ids or any(choice not in ids for choice in choices.values()):
        return render_error(422, _("Choisissez, pour chaque champ, la valeur d'un des contacts fusionnés."))
    try:
        result = merge.merge_contacts(current_user, ids, survivor, choices, versions)
    except merge.MergeConflict as conflict:
        try:
            contacts = merge.load(current_user, ids)
        except merge.MergeRefused:
            return render_error(409, _("Un des contacts a été supprimé ou fusionné entre-temps."))
        return _screen(contacts, conflict=conflict, status=409)
    except merge.MergeRefused as refused:
        return _refused(refused)
    flash(_("%(n)d contacts fusionnés dans %(name)s.", n=len(ids), name=result.survivor.display_name), "success")
    return redirect(url_for("contacts.show", contact_id=result.survivor.id))


@bp.post("/contacts/merges/<id:merge_id>/undo")
@requires(rights.CONTACTS_MERGE)
def merge_undo(merge_id):
    """Annuler la fusion: every contact back as it was before the merge (within 10 minutes)."""
    try:
        survivor = merge.undo_merge(current_user, merge_id)
    except merge.UndoRefused as refused:
        message = (_("La fiche a été modifiée depuis la fusion : elle ne peut plus être annulée.")
                   if str(refused) == "changed" else _("Cette fusion ne peut plus être annulée."))
        return render_error(409, message)
    flash(_("Fusion annulée : les contacts sont rétablis."), "success")
    return redirect(url_for("contacts.show", contact_id=survivor.id))


def _refused(refused: merge.MergeRefused):
    if str(refused) == "unknown":
        return render_error(404)
    return render_error(422, _("Choisissez de %(low)d à %(high)d contacts à fusionner.", low=merge.MIN_CONTACTS,
                               high=merge.MAX_CONTACTS))


def _screen(contacts, conflict: merge.MergeConflict | None = None, status: int = 200):
    """The side-by-side page: one row per field, one column per contact, a radio in each non-empty cell."""
    defaults = merge.default_choices(contacts)
    picked = {name: number for name in merge.MERGE_FIELDS if (number := parse_id(request.form.get(f"pick-{name}")))
              and number in {contact.id for contact in contacts}} if request.method == "POST" else {}
    rows = []
    for name in merge.MERGE_FIELDS:
        cells = []
        for contact in contacts:
            if name == "photo":
                shown = _("Photo") if contact.photo is not None else ""
            else:
                shown = words(name, getattr(contact, name), current_user)
            cells.append((contact.id, shown))
        if not any(shown for _id, shown in cells):
            continue  # a field none of them fills: nothing to choose
        differs = len({shown for _id, shown in cells}) > 1
        rows.append({"name": name, "label": field_label(name), "cells": cells, "differs": differs,
                     "choice": picked.get(name, defaults[name])})
    conflicts = [(name, [(field_label(field), words(field, value, current_user)) for field, value in fields])
                 for name, fields in conflict.changes] if conflict else []
    survivor = parse_id(request.form.get("survivor")) if request.method == "POST" else None
    return render_template("contacts/merge.html", contacts=contacts, rows=rows, conflicts=conflicts,
                           usage=usage_of([contact.id for contact in contacts]),
                           survivor=survivor if survivor in {c.id for c in contacts} else contacts[0].id), status
