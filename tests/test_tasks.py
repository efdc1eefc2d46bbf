"""Tasks of a contact: the dialog and its page twin, Paris time stored as UTC, validation kept in French,
closing, attachments (upload, download headers, size bound, removal); rights, scope, CSRF, hostile values."""
import io
import json
import re
from datetime import UTC, datetime
from urllib.parse import unquote

import pytest
from sqlalchemy import select

from webapp.extensions import db
from webapp.models import AuditEntry, Task, TaskAttachment, TaskType, User
from webapp.rights import CONTACTS_LIST, TASKS
from webapp.services import tasks as service

from .conftest import HX, strip_tags
from .record_support import add_task, make_world, role_without, task_type_id

DIALOG = {**HX, "HX-Target": "dialog-slot"}


@pytest.fixture
def world(make, login_as):
    return make_world(make, login_as)


def form(csrf, app, world, **values):
    data = {"csrf_token": csrf["token"], "priority": "3", "due_at": "2022-08-10T11:15",
            "task_type_id": str(task_type_id(app)), "name": "Rendez-vous physique",
            "assignee_id": str(world.seller.id), "description": "Premier rendez-vous", "status": "todo"}
    data.update(values)
    return {key: value for key, value in data.items() if value is not None}


def tasks_of(app, contact_id):
    with app.app_context():
        return db.session.scalars(select(Task).where(Task.contact_id == contact_id).order_by(Task.id)).all()


def events(response) -> dict:
    return json.loads(response.headers.get("HX-Trigger", "{}"))


# --- the form: dialog and page ----------------------------------------------------------------------------------

def test_new_task_as_page_and_as_dialog(client, world):
    page = client.get(f"/contacts/{world.blou.id}/tasks/new")
    assert page.status_code == 200 and "<html" in page.text and "record-dialog" not in page.text
    text = strip_tags(page.text)
    for label in ("Nom de la tâche", "Date et heure", "Type", "Priorité", "Suivi par", "Statut",
                  "Description / compte-rendu", "Attachement(s)"):
        assert label in text
    assert 'type="datetime-local"' in page.text and 'enctype="multipart/form-data"' in page.text
    assert f'<option selected value="{world.seller.id}">COTILLON Marion</option>' in page.text
    for option in ("Basse", "Normale", "Haute", "Non démarrée", "En cours", "Terminée", "Annulée", "Rendez-vous"):
        assert f">{option}</option>" in page.text
    dialog = client.get(f"/contacts/{world.blou.id}/tasks/new", headers=DIALOG)
    assert dialog.status_code == 200 and dialog.text.lstrip().startswith("<dialog")
    assert "Ajouter une tâche · BLOU Hélène" in dialog.text and "<html" not in dialog.text
    assert 'hx-post="/contacts/' in dialog.text and "HX-Request" in dialog.headers["Vary"]


def test_inactive_types_and_users_are_not_offered(client, app, make, world):
    make.user("PARTI Paul", active=False, entities=[])
    with app.app_context():
        db.session.scalars(select(TaskType).where(TaskType.label == "Relance")).one().active = False
        db.session.commit()
    page = client.get(f"/contacts/{world.blou.id}/tasks/new").text
    assert ">Relance<" not in page and "PARTI Paul" not in page and ">Appel<" in page


def test_create_from_a_dialog_closes_it_and_tells_the_page(client, app, csrf, world):
    response = client.post(f"/contacts/{world.blou.id}/tasks/new", data=form(csrf, app, world), headers=DIALOG)
    assert response.status_code == 200 and response.text == ""
    assert response.headers["HX-Retarget"] == "#dialog-slot" and response.headers["HX-Reswap"] == "innerHTML"
    triggered = events(response)
    assert triggered["contacts-changed"] is True
    assert triggered["toast-shown"]["message"] == "La tâche « Rendez-vous physique » a été ajoutée."
    assert response.headers["HX-Trigger"].isascii()
    [task] = tasks_of(app, world.blou.id)
    # typed in Paris time (summer, UTC+2), stored in UTC
    assert task.due_at == datetime(2022, 8, 10, 9, 15, tzinfo=UTC)
    assert (task.priority, task.name, task.status, task.assignee_id) == (3, "Rendez-vous physique", "todo",
                                                                         world.seller.id)
    with app.app_context():
        entry = db.session.scalars(select(AuditEntry).where(AuditEntry.record_type == "task")).one()
        assert entry.action == "create" and entry.via == "form" and entry.user_id == world.seller.id
        assert json.loads(entry.new_value)["name"] == "Rendez-vous physique"
    text = strip_tags(client.get(f"/contacts/{world.blou.id}").text)
    assert "Haute 10/08/2022 à 11:15 Rendez-vous Rendez-vous physique COTILLON Marion Premier rendez-vous" in text


def test_winter_time_is_one_hour_ahead(client, app, csrf, world):
    client.post(f"/contacts/{world.blou.id}/tasks/new", data=form(csrf, app, world, due_at="2024-01-15T00:30"),
                headers=DIALOG)
    assert tasks_of(app, world.blou.id)[0].due_at == datetime(2024, 1, 14, 23, 30, tzinfo=UTC)


def test_create_without_javascript_redirects(client, app, csrf, world):
    response = client.post(f"/contacts/{world.blou.id}/tasks/new", data=form(csrf, app, world))
    assert response.status_code == 302 and response.headers["Location"] == f"/contacts/{world.blou.id}"
    back = client.post(f"/contacts/{world.blou.id}/tasks/new?next=/contacts%3Fq%3Dblou", data=form(csrf, app, world))
    assert back.headers["Location"] == "/contacts?q=blou"
    evil = client.post(f"/contacts/{world.blou.id}/tasks/new?next=https://evil.example/", data=form(csrf, app, world))
    assert evil.headers["Location"] == f"/contacts/{world.blou.id}"
    assert "La tâche « Rendez-vous physique » a été ajoutée." in client.get(evil.headers["Location"]).text


def test_invalid_values_come_back_with_french_messages(client, app, csrf, world):
    bad = form(csrf, app, world, name="", due_at="demain", assignee_id="", description="x" * 10_001,
               priority="9", status="perdue")
    page = client.post(f"/contacts/{world.blou.id}/tasks/new", data=bad)
    assert page.status_code == 422 and "<html" in page.text
    text = strip_tags(page.text)
    for message in ("Saisissez le nom de la tâche.", "Date et heure invalides", "Choisissez qui suit la tâche.",
                    "10 000 caractères au plus."):
        assert message in text, message
    assert 'aria-invalid="true"' in page.text
    fragment = client.post(f"/contacts/{world.blou.id}/tasks/new", data=form(csrf, app, world, name=""),
                           headers={**HX, "HX-Target": "task-form-wrap"})
    assert fragment.status_code == 422 and fragment.text.lstrip().startswith('<div id="task-form-wrap">')
    assert 'value="Premier rendez-vous"' not in fragment.text and "Premier rendez-vous</textarea>" in fragment.text
    assert 'value="2022-08-10T11:15"' in fragment.text  # what was typed is kept
    assert tasks_of(app, world.blou.id) == []


def test_edit_shows_paris_time_and_saves_changes(client, app, csrf, world):
    task_id = add_task(app, world.blou.id, assignee_id=world.seller.id)
    page = client.get(f"/tasks/{task_id}/edit")
    assert page.status_code == 200 and 'value="2022-08-10T11:15"' in page.text
    dialog = client.get(f"/tasks/{task_id}/edit", headers=DIALOG)
    assert dialog.text.lstrip().startswith("<dialog") and "Aucun attachement" in dialog.text
    response = client.post(f"/tasks/{task_id}/edit", data=form(csrf, app, world, status="in_progress",
                                                               description="Compte-rendu"), headers=DIALOG)
    assert response.status_code == 200 and events(response)["contacts-changed"] is True
    task = tasks_of(app, world.blou.id)[0]
    assert task.status == "in_progress" and task.description == "Compte-rendu" and task.priority == 3
    with app.app_context():
        fields = set(db.session.scalars(select(AuditEntry.field).where(AuditEntry.record_type == "task",
                                                                       AuditEntry.action == "update")))
    assert {"status", "description", "priority"} <= fields and "due_at" not in fields


def test_close_a_task(client, app, csrf, world):
    task_id = add_task(app, world.blou.id)
    record = client.get(f"/contacts/{world.blou.id}").text
    assert f'hx-post="/tasks/{task_id}/close"' in record
    response = client.post(f"/tasks/{task_id}/close", data={"csrf_token": csrf["token"]}, headers=HX)
    assert response.status_code == 200 and response.text == ""
    assert events(response)["contacts-changed"] is True and "terminée" in events(response)["toast-shown"]["message"]
    assert tasks_of(app, world.blou.id)[0].status == "done"
    after = client.get(f"/contacts/{world.blou.id}").text
    assert f'hx-post="/tasks/{task_id}/close"' not in after and "Terminée" in strip_tags(after)
    plain = client.post(f"/tasks/{task_id}/close", data={"csrf_token": csrf["token"]})
    assert plain.status_code == 302 and plain.headers["Location"] == f"/contacts/{world.blou.id}"


# --- attachments --------------------------------------------------------------------------------------------------

def upload(csrf, app, world, files, **values):
    data = form(csrf, app, world, **values)
    data["attachments"] = [(io.BytesIO(content), name) for name, content in files]
    return data


def test_attachments_upload_and_download_under_a_safe_name(client, app, csrf, world):
    files = [("compte-rendu.pdf", b"%PDF-1.4 report"), ("page.html", b"<script>alert(1)</script>"),
             ("../../etc/passwd", b"root"), ("\u202egnp.exe", b"MZ"), ("Été 2024 🌞.docx", b"PK")]
    response = client.post(f"/contacts/{world.blou.id}/tasks/new", data=upload(csrf, app, world, files),
                           headers=DIALOG, content_type="multipart/form-data")
    assert response.status_code == 200
    with app.app_context():
        stored = {a.filename: a for a in db.session.scalars(select(TaskAttachment).order_by(TaskAttachment.id))}
    assert list(stored) == ["compte-rendu.pdf", "page.html", "passwd", "gnp.exe", "Été 2024 🌞.docx"]
    record = client.get(f"/contacts/{world.blou.id}")
    assert "compte-rendu.pdf" in record.text and "Aucun attachement" not in record.text

    pdf = client.get(f"/tasks/attachments/{stored['compte-rendu.pdf'].id}")
    assert pdf.status_code == 200 and pdf.data == b"%PDF-1.4 report"
    assert pdf.headers["Content-Type"] == "application/pdf"
    assert pdf.headers["Content-Disposition"].startswith("attachment; ")
    assert "filename*=UTF-8''compte-rendu.pdf" in pdf.headers["Content-Disposition"]
    assert pdf.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in pdf.headers["Content-Security-Policy"]

    html = client.get(f"/tasks/attachments/{stored['page.html'].id}")
    assert html.headers["Content-Type"] == "application/octet-stream"
    assert html.headers["Content-Disposition"].startswith("attachment;")
    accented = client.get(f"/tasks/attachments/{stored['Été 2024 🌞.docx'].id}")
    disposition = accented.headers["Content-Disposition"]
    assert disposition.isascii() and unquote(disposition.split("filename*=UTF-8''")[1]) == "Été 2024 🌞.docx"


def test_an_attachment_over_the_limit_is_refused_clearly(client, app, csrf, world, monkeypatch):
    monkeypatch.setitem(app.config, "ATTACHMENT_MAX_BYTES", 1000)
    response = client.post(f"/contacts/{world.blou.id}/tasks/new",
                           data=upload(csrf, app, world, [("gros.pdf", b"x" * 1001)]), headers=DIALOG,
                           content_type="multipart/form-data")
    assert response.status_code == 422
    assert "Le fichier « gros.pdf » dépasse 0,00 Mo." in strip_tags(response.text)
    assert "Choisissez à nouveau vos fichiers" in strip_tags(response.text)
    assert tasks_of(app, world.blou.id) == []
    hostile = client.post(f"/contacts/{world.blou.id}/tasks/new",
                          data=upload(csrf, app, world, [("<img src=x onerror=alert(1)>.txt", b"")]),
                          content_type="multipart/form-data")
    assert hostile.status_code == 422 and "<img src=x" not in hostile.text and "&lt;img src=x" in hostile.text
    empty = client.post(f"/contacts/{world.blou.id}/tasks/new", data=upload(csrf, app, world, [("vide.txt", b"")]),
                        content_type="multipart/form-data")
    assert empty.status_code == 422 and "Le fichier « vide.txt » est vide." in strip_tags(empty.text)


def test_a_request_over_the_upload_limit_gets_a_clear_413(client, app, csrf, world, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 2000)
    response = client.post(f"/contacts/{world.blou.id}/tasks/new",
                           data=upload(csrf, app, world, [("a.pdf", b"x" * 3000)]), headers=DIALOG,
                           content_type="multipart/form-data")
    assert response.status_code == 413 and "L'envoi dépasse la taille autorisée." in response.text


def test_ten_megabytes_is_the_default_limit(app):
    assert app.config["ATTACHMENT_MAX_BYTES"] == 10 * 1024 * 1024


def test_add_files_while_editing_and_remove_one(client, app, csrf, world):
    task_id = add_task(app, world.blou.id, files=[("ancien.pdf", b"%PDF old")])
    response = client.post(f"/tasks/{task_id}/edit", data=upload(csrf, app, world, [("nouveau.txt", b"hello")]),
                           headers=DIALOG, content_type="multipart/form-data")
    assert response.status_code == 200
    with app.app_context():
        items = db.session.scalars(select(TaskAttachment).order_by(TaskAttachment.id)).all()
        assert [(a.filename, a.mime) for a in items] == [("ancien.pdf", "application/pdf"),
                                                         ("nouveau.txt", "text/plain")]
        first = items[0].id
    editor = client.get(f"/tasks/{task_id}/edit").text
    assert "ancien.pdf" in editor and f'action="/tasks/attachments/{first}/delete' in editor
    removed = client.post(f"/tasks/attachments/{first}/delete", data={"csrf_token": csrf["token"]}, headers=HX)
    assert removed.status_code == 200 and removed.text.lstrip().startswith(f'<section id="task-attachments-{task_id}"')
    assert "ancien.pdf" not in removed.text and "nouveau.txt" in removed.text
    assert events(removed)["contacts-changed"] is True
    assert client.get(f"/tasks/attachments/{first}").status_code == 404
    with app.app_context():
        trail = db.session.scalars(select(AuditEntry).where(AuditEntry.record_type == "task",
                                                            AuditEntry.field == "attachments")).all()
        assert ("ancien.pdf", None) in [(e.old_value, e.new_value) for e in trail]
    second = service_attachment_id(app, "nouveau.txt")
    plain = client.post(f"/tasks/attachments/{second}/delete", data={"csrf_token": csrf["token"]})
    assert plain.status_code == 302 and plain.headers["Location"] == f"/tasks/{task_id}/edit"
    assert "Aucun attachement" in client.get(plain.headers["Location"]).text


def service_attachment_id(app, name):
    with app.app_context():
        return db.session.scalars(select(TaskAttachment.id).where(TaskAttachment.filename == name)).one()


def test_attachment_names_and_types():
    assert service.attachment_name("C:\\Users\\moi\\rapport final.PDF") == "rapport final.pdf"
    assert service.attachment_name("evil\x00name.svg") == "evil name.svg"
    assert service.attachment_name("...") == "fichier"
    assert service.attachment_name("CON.txt") == "_CON.txt"
    assert service.attachment_mime("a.svg") == "application/octet-stream"
    assert service.attachment_mime("a.HTML") == "application/octet-stream"
    assert service.attachment_mime("a.jpeg") == "image/jpeg"
    assert service.attachment_mime("sans extension") == "application/octet-stream"


# --- rights, scope, CSRF, hostile values --------------------------------------------------------------------------

def test_without_the_tasks_right_every_write_is_403(client, app, make, login_as, csrf, world):
    task_id = add_task(app, world.blou.id, files=[("a.pdf", b"%PDF")])
    attachment_id = service_attachment_id(app, "a.pdf")
    login_as(make.user("SANS Tâches", role=role_without(app, "Commercial", TASKS),
                       entities=[e for e in [load_entity(app, "Est")]]))
    token = {"csrf_token": csrf["token"]}
    assert client.get(f"/contacts/{world.blou.id}/tasks/new").status_code == 403
    assert client.post(f"/contacts/{world.blou.id}/tasks/new", data=token).status_code == 403
    assert client.get(f"/tasks/{task_id}/edit").status_code == 403
    assert client.post(f"/tasks/{task_id}/close", data=token).status_code == 403
    assert client.post(f"/tasks/attachments/{attachment_id}/delete", data=token).status_code == 403
    assert client.get(f"/tasks/attachments/{attachment_id}").status_code == 200  # reading needs the list right
    record = client.get(f"/contacts/{world.blou.id}").text
    assert "Ajouter une tâche" not in record and "/close" not in record
    login_as(make.user("SANS Liste", role=role_without(app, "Commercial", CONTACTS_LIST), entities=[]))
    assert client.get(f"/tasks/attachments/{attachment_id}").status_code == 403


def load_entity(app, label):
    from webapp.models import Entity

    with app.app_context():
        entity = db.session.scalars(select(Entity).where(Entity.label == label)).one()
        db.session.expunge(entity)
        return entity


def test_another_entitys_tasks_and_files_are_404(client, app, csrf, world):
    task_id = add_task(app, world.hidden.id, files=[("secret.pdf", b"%PDF")])
    attachment_id = service_attachment_id(app, "secret.pdf")
    token = {"csrf_token": csrf["token"]}
    assert client.get(f"/contacts/{world.hidden.id}/tasks/new").status_code == 404
    assert client.post(f"/contacts/{world.hidden.id}/tasks/new", data=form(csrf, app, world)).status_code == 404
    assert client.get(f"/tasks/{task_id}/edit").status_code == 404
    assert client.post(f"/tasks/{task_id}/edit", data=form(csrf, app, world)).status_code == 404
    assert client.post(f"/tasks/{task_id}/close", data=token).status_code == 404
    assert client.get(f"/tasks/attachments/{attachment_id}").status_code == 404
    assert client.post(f"/tasks/attachments/{attachment_id}/delete", data=token).status_code == 404
    assert client.get("/tasks/999999/edit").status_code == 404
    assert tasks_of(app, world.hidden.id)[0].status == "todo"


def test_writes_without_csrf_token_are_400(client, app, csrf, world):
    task_id = add_task(app, world.blou.id, files=[("a.pdf", b"%PDF")])
    data = form(csrf, app, world)
    del data["csrf_token"]
    assert client.post(f"/contacts/{world.blou.id}/tasks/new", data=data).status_code == 400
    assert client.post(f"/tasks/{task_id}/edit", data=data).status_code == 400
    assert client.post(f"/tasks/{task_id}/close").status_code == 400
    assert client.post(f"/tasks/attachments/{service_attachment_id(app, 'a.pdf')}/delete").status_code == 400
    htmx = client.post(f"/tasks/{task_id}/close", headers=HX)
    assert htmx.status_code == 400 and htmx.headers["HX-Retarget"] == "#toasts"
    assert len(tasks_of(app, world.blou.id)) == 1 and tasks_of(app, world.blou.id)[0].status == "todo"


@pytest.mark.parametrize("name, stored", [
    ("<script>alert(1)</script>", "<script>alert(1)</script>"),
    ("😀 Déjeuner d'affaires ✓", "😀 Déjeuner d'affaires ✓"),
    ("javascript:alert(1)", "javascript:alert(1)"),
])
def test_hostile_names_are_stored_as_typed_and_shown_escaped(client, app, csrf, world, name, stored):
    response = client.post(f"/contacts/{world.blou.id}/tasks/new",
                           data=form(csrf, app, world, name=name, description=f"{name}\x00 suite\r\nligne 2"),
                           headers=DIALOG)
    assert response.status_code == 200
    task = tasks_of(app, world.blou.id)[0]
    assert task.name == stored and task.description == f"{name} suite\nligne 2"
    record = client.get(f"/contacts/{world.blou.id}").text
    assert "<script>alert(1)</script>" not in record


@pytest.mark.parametrize("name", ["nul\x00byte", "\u202egnp.exe", "x" * 201])
def test_refused_names_get_a_message_not_a_500(client, app, csrf, world, name):
    response = client.post(f"/contacts/{world.blou.id}/tasks/new", data=form(csrf, app, world, name=name))
    assert response.status_code == 422 and tasks_of(app, world.blou.id) == []
    assert "caractères" in strip_tags(response.text)


def test_forged_choices_are_refused(client, app, csrf, world, make):
    with app.app_context():
        inactive_user = User(last_name="PARTI", first_name="Paul", active=False)
        db.session.add(inactive_user)
        db.session.commit()
        inactive_id = inactive_user.id
    for values in ({"assignee_id": str(inactive_id)}, {"assignee_id": "abc"}, {"task_type_id": "999999"},
                   {"priority": "x"}):
        response = client.post(f"/contacts/{world.blou.id}/tasks/new", data=form(csrf, app, world, **values))
        assert response.status_code == 422, values
    assert tasks_of(app, world.blou.id) == []


def test_the_row_menu_offers_a_task(client, world):
    menu = client.get(f"/contacts/{world.blou.id}/menu", headers=HX).text
    assert f'hx-get="/contacts/{world.blou.id}/tasks/new"' in menu and "Ajouter une tâche" in menu


def test_task_table_headers_are_the_declared_columns_with_sort_links_on_the_sortable_ones(client, app, world):
    from webapp.contacts.record import TASK_COLUMNS

    add_task(app, world.blou.id)
    html = client.get(f"/contacts/{world.blou.id}").text
    head = html.split('class="contacts-table tasks-table"')[1].split("</thead>")[0]
    labels = [strip_tags(label).replace("▼", "").strip() for label in re.findall(r"<th scope=\"col\"[^>]*>(.*?)</th>",
                                                                                 head, re.S)]
    assert labels[:len(TASK_COLUMNS)] == [str(column.label) for column in TASK_COLUMNS]
    assert re.findall(r'id="task-sort-([a-z_]+)"', head) == [c.key for c in TASK_COLUMNS if c.sortable]
