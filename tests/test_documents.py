"""Documents: filing files on contacts and accounts (several at once, refused ones named), their type by content,
their text searched (accents ignored, the passage marked), versions by name, the quota and the size bound, rights
and entity scoping, downloads as attachments, the audit."""
import io
import json
import re
import zipfile
from types import SimpleNamespace

import pytest
from docx import Document as DocxDocument
from sqlalchemy import select

from webapp.extensions import db
from webapp.models import AuditEntry, Document, DocumentChunk, DocumentVersion
from webapp.rights import DOCUMENTS_FILE, DOCUMENTS_VIEW
from webapp.services import document_storage

from .conftest import HX
from .record_support import role_without


def _docx(*paragraphs: str) -> bytes:
    document = DocxDocument()
    for paragraph in paragraphs:
        document.add_paragraph(paragraph)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _pdf(text: str) -> bytes:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.multi_cell(0, 8, text)
    return bytes(pdf.output())


@pytest.fixture
def world(make, login_as):
    east, west = make.entity("Est"), make.entity("Ouest")
    seller = make.user("COTILLON Marion", entities=[east], email="marion@example.com")
    other = make.user("BOLESE Géraldine", entities=[west], email="geraldine@example.com")
    aprool = make.client_account("APROOL", entities=[east])
    far = make.client_account("LOINTAIN", entities=[west])
    helene = make.contact(aprool, "Blou", "Hélène", email="helene.blou@aprool.fr", function="Acheteuse")
    sam = make.contact(far, "Secret", "Sam", function="DG")
    login_as(seller)
    return SimpleNamespace(seller=seller, other=other, aprool=aprool, far=far, helene=helene, sam=sam, east=east)


def upload(client, csrf, files, headers=None, **fields):
    data = {"csrf_token": csrf["token"], "files": [(io.BytesIO(content), name) for name, content in files], **fields}
    response = client.post("/documents", data=data, content_type="multipart/form-data", headers=headers or {})
    response.request.environ["wsgi.input"].close()  # the test client's body spooled to a file past 500 KB
    return response


def test_files_filed_on_a_contact_are_found_by_their_text_with_accents_ignored(client, csrf, world):
    files = [("NDA APROOL.docx", _docx("Accord de confidentialité signé par Hélène Blou.", "Durée : trois ans.")),
             ("proposition.pdf", _pdf("Proposition commerciale pour la refonte du système de paie."))]
    response = upload(client, csrf, files, HX, contact_id=world.helene.id)
    assert response.status_code == 200
    assert json.loads(response.headers["HX-Trigger"])["toast-shown"]["message"] == "2 fichiers classés"
    found = client.get("/documents?q=confidentialite", headers={**HX, "HX-Target": "document-results"}).text
    assert "NDA APROOL.docx" in found and "proposition.pdf" not in found
    assert re.search(r"<mark>confidentialité</mark>", found)  # the passage, the word marked as typed in the file
    paie = client.get("/documents?q=REFONTE+paie").text
    assert "proposition.pdf" in paie and "NDA APROOL.docx" not in paie
    by_person = client.get("/documents?q=helene").text  # the linked contact's name is searched too
    assert "proposition.pdf" in by_person and "NDA APROOL.docx" in by_person
    section = client.get(f"/documents/section?contact={world.helene.id}", headers=HX).text
    assert section.count('class="document-row"') == 2


def test_the_same_name_on_the_same_contact_is_a_new_version(app, client, csrf, world):
    upload(client, csrf, [("CR réunion.txt", "Première version : budget 10 k€".encode())], contact_id=world.helene.id)
    response = upload(client, csrf, [("CR réunion.txt", "Seconde version : budget 25 k€".encode())], HX,
                      contact_id=world.helene.id)
    assert "nouvelle version (2)" in response.text
    with app.app_context():
        document = db.session.scalars(select(Document)).one()
        assert document.version_count == 2
        numbers = sorted(db.session.scalars(select(DocumentVersion.number)))
        assert numbers == [1, 2]
    assert "CR réunion.txt" in client.get("/documents?q=seconde").text
    assert "CR réunion.txt" not in client.get("/documents?q=premiere").text  # the search reads the newest
    old = client.get(f"/documents/{document.id}/download?version=1")
    assert old.data == "Première version : budget 10 k€".encode()


def test_a_download_is_an_attachment_with_a_safe_name_never_rendered(app, client, csrf, world):
    upload(client, csrf, [('piège"<script>.html', b"<html><script>alert(1)</script></html>")],
           client_id=world.aprool.id)
    with app.app_context():
        document = db.session.scalars(select(Document)).one()
        assert document.kind == "other" and document.mime == "application/octet-stream"
    response = client.get(f"/documents/{document.id}/download")
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert '"' not in response.headers["Content-Disposition"].split("filename=")[1].split(";")[0].strip('"')
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response.headers["Content-Security-Policy"]
    assert response.data == b"<html><script>alert(1)</script></html>"
    with app.app_context():
        assert db.session.scalars(select(AuditEntry.action).where(AuditEntry.record_type == "document")).all() == [
            "create", "download"]


def test_an_html_file_named_pdf_is_not_taken_for_a_pdf(app, client, csrf, world):
    upload(client, csrf, [("facture.pdf", b"<!doctype html><html><body>pay here</body></html>")],
           client_id=world.aprool.id)
    with app.app_context():
        assert db.session.scalars(select(Document.kind)).one() == "other"


def test_a_large_file_is_stored_in_chunks_and_streamed_back(app, client, csrf, world):
    content = (b"Ligne de texte du rapport annuel. " * 100_000)[:3_300_000]
    upload(client, csrf, [("rapport.txt", content)], client_id=world.aprool.id)
    with app.app_context():
        version = db.session.scalars(select(DocumentVersion)).one()
        chunks = db.session.scalars(select(DocumentChunk.position).where(DocumentChunk.version_id == version.id)).all()
        assert len(chunks) == -(-len(content) // document_storage.CHUNK_BYTES) and version.size == len(content)
        document_id = version.document_id
    response = client.get(f"/documents/{document_id}/download")
    assert response.is_streamed and response.data == content


def test_refused_files_are_named_and_the_others_filed(app, client, csrf, world):
    app.config["DOCUMENT_MAX_BYTES"] = 1000
    try:
        response = upload(client, csrf, [("gros.txt", b"x" * 1001), ("vide.txt", b""), ("petit.txt", b"ok")], HX,
                          client_id=world.aprool.id)
    finally:
        app.config["DOCUMENT_MAX_BYTES"] = 25 * 1024 * 1024
    assert response.status_code == 200
    assert "« gros.txt » dépasse" in response.text and "« vide.txt » est vide" in response.text
    with app.app_context():
        assert db.session.scalars(select(Document.name)).all() == ["petit.txt"]


def test_the_quota_refuses_what_would_pass_it(app, client, csrf, world):
    app.config["DOCUMENT_QUOTA_BYTES"] = 10
    try:
        assert upload(client, csrf, [("a.txt", b"12345678")], client_id=world.aprool.id).status_code == 302
        response = upload(client, csrf, [("b.txt", b"12345")], HX, client_id=world.aprool.id)
    finally:
        app.config["DOCUMENT_QUOTA_BYTES"] = 2048 * 1024 * 1024
    assert response.status_code == 422 and "votre espace" in response.text


def test_documents_of_another_entity_are_out_of_reach(app, client, csrf, world, make, login_as):
    login_as(world.other)
    upload(client, csrf, [("secret.txt", b"Plan de rachat confidentiel")], contact_id=world.sam.id)
    with app.app_context():
        document_id = db.session.scalars(select(Document.id)).one()
    login_as(world.seller)
    assert "secret.txt" not in client.get("/documents?q=rachat").text
    assert client.get(f"/documents/{document_id}/download").status_code == 404
    assert client.get(f"/documents/{document_id}/classify").status_code == 404
    assert client.post(f"/documents/{document_id}/delete", data={"csrf_token": csrf["token"]}).status_code == 404
    refused = upload(client, csrf, [("x.txt", b"x")], HX, contact_id=world.sam.id)  # filing on a hidden contact
    assert refused.status_code == 422 and "visible" in refused.text


def test_an_unclassified_file_is_proposed_the_contact_its_text_names(app, client, csrf, world, login_as):
    response = upload(client, csrf, [("carte.txt", b"Helene Blou - helene.blou@aprool.fr - 06 00 00 00 00")], HX)
    assert "à classer" in response.text and "1 contact proposé" in response.text
    with app.app_context():
        document_id = db.session.scalars(select(Document.id)).one()
    form = client.get(f"/documents/{document_id}/classify").text
    assert re.search(rf'name="contact_id" value="{world.helene.id}" checked', form)
    with app.app_context():
        from webapp.models import DocumentCategory
        card = db.session.scalars(select(DocumentCategory.id).where(DocumentCategory.label == "Carte de visite")).one()
    done = client.post(f"/documents/{document_id}/classify", data={
        "csrf_token": csrf["token"], "contact_id": world.helene.id, "client_id": world.aprool.id,
        "category_id": card, "tags": "salon, 2026"})
    assert done.status_code == 302
    found = client.get("/documents?q=salon").text
    assert "carte.txt" in found and "Carte de visite" in found
    login_as(world.other)  # not hers to see, now that it is filed on an account of another entity
    assert "carte.txt" not in client.get("/documents").text


def test_filing_needs_its_right_and_reading_its_own(app, client, csrf, world, make, login_as):
    reader = make.user("LECTEUR Luc", role=role_without(app, "Commercial", DOCUMENTS_FILE), entities=[world.east])
    login_as(reader)
    assert upload(client, csrf, [("a.txt", b"a")], client_id=world.aprool.id).status_code == 403
    assert client.get("/documents").status_code == 200
    blind = make.user("AVEUGLE Paul", role=role_without(app, "Commercial", DOCUMENTS_VIEW), entities=[world.east])
    login_as(blind)
    assert client.get("/documents").status_code == 403
    assert client.get(f"/documents/section?contact={world.helene.id}").status_code == 403
    contact_page = client.get(f"/contacts/{world.helene.id}").text
    assert "record-documents" not in contact_page  # the section is not offered either


def test_a_zip_bomb_named_docx_is_filed_without_its_text(app, client, csrf, world):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("word/document.xml", "w", force_zip64=True) as member:
            zeros = b"\0" * (1024 * 1024)
            for _ in range(600):
                member.write(zeros)
    response = upload(client, csrf, [("contrat.docx", out.getvalue())], HX, client_id=world.aprool.id)
    assert response.status_code == 200 and "décompressé" in response.text


def test_tags_typed_with_control_characters_are_kept_clean(app, client, csrf, world):
    upload(client, csrf, [("a.txt", b"texte")], client_id=world.aprool.id, tags="sa\x00lon, \u202e2026, salon")
    with app.app_context():
        assert db.session.scalars(select(Document.tags)).one() == "salon, \u202e2026"  # NUL out, "salon" once
