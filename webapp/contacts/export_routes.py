"""Exporter: the contacts list (or a selection of it) as a CSV or Excel file, with the columns shown or every field."""
import tempfile
from urllib.parse import parse_qsl, urlencode, urlsplit

from flask import Response, render_template, request, stream_with_context
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.datastructures import MultiDict

from .. import limits, rights
from ..access import requires
from ..errors import render_error
from ..form_fields import local_today, local_zone, parse_id
from ..htmx import is_partial
from ..queries import ContactQuery
from ..services import bulk
from ..services import spreadsheet_export as export
from ..services.filenames import content_disposition
from . import bp
from .columns import hidden_columns


@bp.get("/contacts/export")
@requires(rights.CONTACTS_EXPORT_LIST)
def export_dialog():
    """The dialog (or page) choosing the format and the columns of the list's export, with how many rows it holds."""
    query = ContactQuery.from_args(request.args)
    selection = bulk.resolve(current_user, query=query)
    form = MultiDict({"select_across": "1", "query": urlencode(query.params()), "back": query.url()})
    template = "partials/contacts/_bulk_dialog.html" if is_partial() else "contacts/bulk_confirm.html"
    return render_template(template, action="spreadsheet", selection=selection, form=form, back_url=query.url())


@bp.post("/contacts/export")
@requires(rights.CONTACTS_EXPORT_LIST)
@limits.exports
def export_list():
    """The export itself: a CSV streamed as it is read, or an .xlsx made in a temporary file; audited."""
    form = request.form
    file_format = form.get("format") if form.get("format") in export.FORMATS else "csv"
    columns = form.get("columns") if form.get("columns") in export.COLUMN_CHOICES else "visible"
    query, ids = _source(form)
    if ids is not None and not ids:
        return render_error(422, _("Aucun contact à exporter."))
    selection = bulk.resolve(current_user, ids=ids) if ids is not None else bulk.resolve(current_user, query=query)
    if file_format == "xlsx" and selection.count > export.XLSX_MAX_ROWS:
        return render_error(422, _("Excel ne prend que %(max)s lignes : exportez en CSV.", max=export.XLSX_MAX_ROWS))
    described = "ids=" + ",".join(map(str, ids)) if ids is not None else urlencode(query.params())
    export.record_export(current_user.id, described, selection.count, file_format, columns)
    tz = local_zone()
    plan = export.plan(columns, hidden_columns(current_user), tz)
    statement = query.export_statement(current_user, ids=ids, extra_columns=plan.extra_columns)
    name = f"contacts-{local_today().isoformat()}"
    if file_format == "xlsx":
        return _xlsx(plan, statement, f"{name}.xlsx")
    return _csv(plan, statement, export.DELIMITERS[file_format], f"{name}.csv")


def _source(form) -> tuple[ContactQuery, list[int] | None]:
    """The list's state and, for checked rows, their ids (None for the list or "every contact matching")."""
    if form.get("select_across") == "1" or "ids" not in form:
        return ContactQuery.from_args(MultiDict(parse_qsl(form.get("query", "")))), None
    back = urlsplit(form.get("back", ""))  # the list as the bulk bar showed it: its order
    query = ContactQuery.from_args(MultiDict(parse_qsl(back.query)))
    return query, [number for value in form.getlist("ids") if (number := parse_id(value))]


def _csv(plan: export.ExportPlan, statement, delimiter: str, name: str):
    """Stream the CSV as its rows are read (the request's context stays until the last one)."""
    response = Response(stream_with_context(export.iter_csv(plan, export.rows(statement, plan), delimiter)),
                        mimetype="text/csv")
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    response.headers["Content-Disposition"] = content_disposition(name)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def _xlsx(plan: export.ExportPlan, statement, name: str):
    """Write the workbook into a temporary file (gone once closed), then send it a chunk at a time."""
    out = tempfile.TemporaryFile(suffix=".xlsx")
    try:
        export.write_xlsx(plan, export.rows(statement, plan), out)
        size = out.tell()
        out.seek(0)
    except BaseException:
        out.close()
        raise
    response = Response(_chunks(out), mimetype=export.XLSX_MIME)
    response.call_on_close(out.close)  # a download cut short never reaches the end of _chunks
    response.headers["Content-Length"] = str(size)
    response.headers["Content-Disposition"] = content_disposition(name)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def _chunks(out, size: int = 256 * 1024):
    """The file's bytes, then the file closed (and so deleted)."""
    with out:
        while chunk := out.read(size):
            yield chunk
