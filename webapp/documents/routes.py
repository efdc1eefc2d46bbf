"""The documents screen and the records' documents sections: search, file (several files at once), classify,
download (an attachment, never rendered), delete."""
from flask import (Response, abort, current_app, flash, make_response, redirect, render_template, request,
                   stream_with_context, url_for)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from ..access import requires
from ..extensions import csrf, db
from ..form_fields import parse_id
from ..formatting import plural
from ..htmx import is_partial, render, toast, trigger
from ..models import DocumentCategory
from ..return_urls import local_url
from ..rights import DOCUMENTS_FILE, DOCUMENTS_VIEW
from ..scope import get_client_or_404, get_contact_or_404
from ..services import documents
from ..services.document_storage import STORAGE
from ..services.filenames import content_disposition
from ..unit_of_work import commit
from . import bp


def _limits() -> documents.Limits:
    return documents.Limits(current_app.config["DOCUMENT_MAX_BYTES"], current_app.config["DOCUMENT_QUOTA_BYTES"])


def _categories() -> list[DocumentCategory]:
    return list(db.session.scalars(select(DocumentCategory).where(DocumentCategory.active.is_(True))
                                   .order_by(DocumentCategory.position, DocumentCategory.id)))


def _search_context() -> dict:
    args = request.args
    query = args.get("q", "")[:200]
    page = parse_id(args.get("page", "1")) or 1
    category_id = parse_id(args.get("category", ""))
    result = documents.search(current_user, query, page, category_id=category_id)
    texts = documents.texts_of(result.documents)
    terms = documents.query_terms(query)
    return {"query": query, "result": result, "page": page, "category_id": category_id,
            "snippets": {d.id: documents.snippet(texts.get(d.id, ""), terms) for d in result.documents},
            "categories": _categories()}


@bp.get("/documents")
@requires(DOCUMENTS_VIEW)
def index():
    """Recherchez dans vos fichiers: every word typed found in a document's name, category, tags, people, account
    or text; the newest first; htmx asks for the results only."""
    block = "results" if request.headers.get("HX-Target") == "document-results" else None
    return render("documents/index.html", block, **_search_context())


def _optional_id(name: str) -> int | None:
    """A record id the form sent, or None when left empty; DocumentRefused when it is not an id."""
    typed = request.form.get(name, "").strip()
    if typed and (number := parse_id(typed)) is not None:
        return number
    if typed:
        raise documents.DocumentRefused(_("Ce choix n'existe pas : rechargez la page."))
    return None


def _links_from_form() -> tuple[list[int], int | None]:
    """The contacts and the account chosen; DocumentRefused when one is not an id."""
    typed = [value.strip() for value in request.form.getlist("contact_id") if value.strip()]
    contact_ids = [parse_id(value) for value in typed]
    if None in contact_ids:
        raise documents.DocumentRefused(_("Ce choix n'existe pas : rechargez la page."))
    return contact_ids, _optional_id("client_id")


@bp.before_request
def _upload_bound():
    """An upload of documents may carry DOCUMENT_MAX_FILES files of DOCUMENT_MAX_BYTES (spooled to disk by
    Werkzeug, never held in memory); every other request keeps MAX_UPLOAD_MB. The bound must be set before the
    body is read, so the upload is exempt from the app-wide CSRF check, which reads it, and checked here after."""
    if request.endpoint == "documents.upload":
        config = current_app.config
        request.max_content_length = config["DOCUMENT_MAX_BYTES"] * config["DOCUMENT_MAX_FILES"] + 1024 * 1024
        request.max_form_parts = config["DOCUMENT_MAX_FILES"] * 2 + 20
        csrf.protect()


@csrf.exempt
@bp.post("/documents")
@requires(DOCUMENTS_FILE)
def upload():
    """File the files sent (several at once): each found by content, read for its text, versioned by name; what
    is refused is said file by file, the others are filed."""
    files = [f for f in request.files.getlist("files") if f and f.filename]
    next_url = local_url(request.form.get("next"), url_for(".index"))
    if not files:
        return _answer(next_url, [], [_("Choisissez au moins un fichier.")])
    if len(files) > current_app.config["DOCUMENT_MAX_FILES"]:
        return _answer(next_url, [], [_("%(num)d fichiers au plus à la fois.", num=current_app.config["DOCUMENT_MAX_FILES"])])
    try:
        contact_ids, client_id = _links_from_form()
        category_id = _optional_id("category_id")
    except documents.DocumentRefused as error:
        return _answer(next_url, [], [error.message])
    filed, refused = [], []
    for upload_file in files:
        try:  # every refusal comes before the file's first write: the others are filed, the refused one not at all
            filed.append(documents.file_upload(current_user, upload_file.filename, upload_file.stream, _limits(),
                                               contact_ids, client_id, category_id, request.form.get("tags", "")))
        except documents.DocumentRefused as error:
            refused.append(error.message)
    return _answer(next_url, filed, refused)


def _answer(next_url: str, filed: list, refused: list[str]):
    message = plural("%(num)s fichier classé", "%(num)s fichiers classés", len(filed))
    if not is_partial():
        if filed:
            flash(message, "success")
        for problem in refused:
            flash(problem, "error")
        return redirect(next_url)
    body = render_template("partials/documents/_filed.html", filed=filed, refused=refused,
                           categories=_categories())
    response = make_response(body, 200 if filed else 422)
    if filed:
        trigger(response, "documents-changed")
        toast(response, message)
    return response


@bp.route("/documents/<id:document_id>/classify", methods=["GET", "POST"])
@requires(DOCUMENTS_FILE)
def classify(document_id: int):
    """Choose a document's contacts, account, category and tags (proposed from its name and its text)."""
    document = documents.get_visible(current_user, document_id) or abort(404)
    error = None
    if request.method == "POST":
        try:
            contact_ids, client_id = _links_from_form()
            documents.classify(current_user, document, contact_ids, client_id, _optional_id("category_id"),
                               request.form.get("tags", ""))
        except documents.DocumentRefused as refused:
            error = refused.message
        else:
            flash(_("« %(name)s » est classé.", name=document.name), "success")
            return redirect(local_url(request.form.get("next"), url_for(".index")))
    context = {"document": document, "error": error, "categories": _categories(),
               "choices": documents.link_choices(current_user, document),
               "next_url": local_url(request.values.get("next"), url_for(".index"))}
    return render_template("documents/classify.html", **context), 422 if error else 200


@bp.get("/documents/<id:document_id>/download")
@requires(DOCUMENTS_VIEW)
def download(document_id: int):
    """The document (or one of its versions) as an attachment, streamed a chunk at a time; audited."""
    document = documents.get_visible(current_user, document_id) or abort(404)
    number = parse_id(request.args.get("version", "")) if "version" in request.args else None
    if "version" in request.args and number is None:
        abort(404)
    version = documents.version_of(document, number) or abort(404)
    documents.record_download(current_user, document, version)
    commit()  # the download is audited even if the transfer is cut
    response = Response(stream_with_context(STORAGE.read(version.id)), mimetype=version.mime)
    response.headers["Content-Disposition"] = content_disposition(version.name)
    response.headers["Content-Length"] = str(version.size)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@bp.route("/documents/<id:document_id>/delete", methods=["GET", "POST"])
@requires(DOCUMENTS_FILE)
def delete(document_id: int):
    """Delete a document and its versions, once confirmed."""
    document = documents.get_visible(current_user, document_id) or abort(404)
    if request.method == "GET":
        return render_template("documents/delete.html", document=document)
    name = document.name
    documents.delete_document(current_user, document)
    flash(_("« %(name)s » est supprimé.", name=name), "success")
    return redirect(local_url(request.form.get("next"), url_for(".index")))


@bp.get("/documents/section")
@requires(DOCUMENTS_VIEW)
def section():
    """A contact's or an account's documents, for its record (loaded by htmx, or as a page)."""
    contact_id, client_id = parse_id(request.args.get("contact", "")), parse_id(request.args.get("client", ""))
    if contact_id:
        owner = get_contact_or_404(current_user, contact_id)
        result = documents.search(current_user, contact_id=owner.id)
    elif client_id:
        owner = get_client_or_404(current_user, client_id)
        result = documents.search(current_user, client_id=owner.id)
    else:
        abort(404)
    context = {"result": result, "contact": owner if contact_id else None, "client": owner if client_id else None,
               "categories": _categories(), "snippets": {}}
    if not is_partial():
        return render_template("documents/section_page.html", **context)
    return render_template("partials/documents/_section.html", **context)

