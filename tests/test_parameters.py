"""Parameter screens: add, rename, reorder, deactivate, delete when unused, refuse when used, on every list;
rights, CSRF, hostile values; each htmx endpoint as a page and as a fragment."""
import json
from datetime import date

import pytest
from sqlalchemy import insert, select

from .conftest import HOSTILE_SEARCHES, HX, strip_tags
from webapp.extensions import db
from webapp.models import (AuditEntry, Client, Department, Entity, MailingList, MailingListSubscription, Origin,
                           RevenueRange, Role, RoleRight, Sector, SizeBand, Skill, SkillCategory, Task, TaskType,
                           contact_skills)
from webapp.rights import PARAMETERS
from webapp.services import parameters as service
from webapp.unit_of_work import unit_of_work

MODELS = {
    "entities": Entity, "sectors": Sector, "size-bands": SizeBand, "revenue-ranges": RevenueRange, "origins": Origin,
    "departments": Department, "skills": Skill, "skill-categories": SkillCategory, "mailing-lists": MailingList,
    "task-types": TaskType,
}
RECORD_TYPES = {
    "entities": "entity", "sectors": "sector", "size-bands": "size_band", "revenue-ranges": "revenue_range",
    "origins": "origin", "departments": "department", "skills": "skill", "skill-categories": "skill_category",
    "mailing-lists": "mailing_list", "task-types": "task_type",
}
SLUGS = list(MODELS)
# Lists whose values are feminine (une entité, une taille...): their messages agree ("a été ajoutée").
FEMININE = {"entities", "size-bands", "revenue-ranges", "origins", "skills", "skill-categories", "mailing-lists"}


@pytest.fixture
def admin(make, login_as):
    """A logged-in user holding every right."""
    return login_as(make.user("ADMIN Alice", role="Administrateur"))


def form(csrf, prefix=None, **values):
    """Form data with the CSRF token; fields named as the prefixed form renders them."""
    data = {"csrf_token": csrf["token"]}
    data.update({f"{prefix}-{key}" if prefix else key: value for key, value in values.items()})
    return data


def extra_values(slug):
    """What a screen needs besides the label."""
    return {"provider": "Mailjet", "external_id": "123"} if slug == "mailing-lists" else {}


def add(app, slug, label, **values):
    """A value made through the service, as the add form would; returns its id."""
    with app.app_context(), unit_of_work():
        kind = service.KINDS[RECORD_TYPES[slug]]
        return service.create_item(kind, {"label": label, **extra_values(slug), **values}, None).id


def rows(app, model):
    """(label, position, active) of every value, in list order."""
    with app.app_context():
        return [(item.label, item.position, item.active)
                for item in db.session.scalars(select(model).order_by(model.position, model.id))]


def labels(app, model):
    return [label for label, _position, _active in rows(app, model)]


def audit(app, record_type, action=None):
    with app.app_context():
        query = select(AuditEntry).where(AuditEntry.record_type == record_type).order_by(AuditEntry.id)
        if action:
            query = query.where(AuditEntry.action == action)
        return [(entry.action, entry.field, entry.old_value, entry.new_value, entry.user_id)
                for entry in db.session.scalars(query)]


def use(app, make, slug, item_id):
    """Make records use the value; returns the words the refusal must say."""
    if slug in ("sectors", "size-bands", "revenue-ranges", "origins"):
        column = {"sectors": "sector_id", "size-bands": "size_band_id", "revenue-ranges": "revenue_range_id",
                  "origins": "origin_id"}[slug]
        make.client_account(**{column: item_id})
        make.client_account(**{column: item_id})
        return "2 comptes clients"
    if slug == "entities":
        with app.app_context():
            entity = db.session.get(Entity, item_id)
            db.session.expunge(entity)
        make.client_account(entities=[entity])
        make.user("DURAND Paul", entities=[entity])
        return "1 compte client et 1 utilisateur"
    account = make.client_account()
    contact = make.contact(account, **({"department_id": item_id} if slug == "departments" else {}))
    with app.app_context():
        if slug == "skills":
            db.session.execute(insert(contact_skills).values(contact_id=contact.id, skill_id=item_id))
        elif slug == "skill-categories":
            db.session.add(Skill(label="Rust", position=99, category_id=item_id))
        elif slug == "mailing-lists":
            db.session.add(MailingListSubscription(contact_id=contact.id, mailing_list_id=item_id,
                                                   since=date(2024, 1, 1)))
        elif slug == "task-types":
            db.session.add(Task(contact_id=contact.id, name="Rappeler", task_type_id=item_id))
        db.session.commit()
    return {"departments": "1 contact", "skills": "1 contact", "skill-categories": "1 compétence",
            "mailing-lists": "1 abonnement", "task-types": "1 tâche"}[slug]


# --- the index and the list pages -------------------------------------------------------------------------------

def test_index_lists_every_screen_with_its_count(client, admin):
    response = client.get("/parameters")
    assert response.status_code == 200
    text = strip_tags(response.text)
    for title in ("Entités", "Secteurs d'activité", "Tailles / effectifs", "Fourchettes de CA",
                  "Origines commerciales", "Organigramme type des sociétés tiers", "Environnement / Compétences",
                  "Listes de diffusion", "Types de tâches"):
        assert title in text
    assert "15 valeurs" in text  # the preloaded sectors
    for slug in SLUGS:
        assert f'href="/parameters/{slug}"' in response.text


@pytest.mark.parametrize("slug", SLUGS)
def test_list_page_and_fragment(client, admin, app, slug):
    add(app, slug, "Valeur témoin")
    page = client.get(f"/parameters/{slug}")
    assert page.status_code == 200
    assert "<html" in page.text and 'id="items"' in page.text and 'id="add-form"' in page.text
    assert "Valeur témoin" in page.text
    fragment = client.get(f"/parameters/{slug}", headers=HX | {"HX-Target": "items"})
    assert fragment.status_code == 200
    assert "<html" not in fragment.text and 'id="add-form"' not in fragment.text
    assert "Valeur témoin" in fragment.text
    assert "HX-Request" in fragment.headers["Vary"]


def test_preloaded_insee_size_bands(client, admin, app):
    text = strip_tags(client.get("/parameters/size-bands").text)
    for band in ("1-9", "10-49", "50-249", "250-999", "1000+"):
        assert band in text


def test_search_ignores_case_and_accents_and_keeps_url(client, admin):
    page = client.get("/parameters/sectors?q=energie")
    text = strip_tags(page.text)
    assert "Énergie" in text and "Banque" not in text
    assert 'value="energie"' in page.text
    fragment = client.get("/parameters/sectors?q=BANQ", headers=HX | {"HX-Target": "items"})
    assert "Banque" in fragment.text and "Énergie" not in fragment.text
    nothing = client.get("/parameters/sectors?q=zzz", headers=HX | {"HX-Target": "items"})
    assert "Aucune valeur ne correspond à « zzz »" in nothing.text


@pytest.mark.parametrize("search", HOSTILE_SEARCHES)
def test_hostile_searches_answer_without_error(client, admin, search):
    response = client.get("/parameters/sectors", query_string={"q": search}, headers=HX | {"HX-Target": "items"})
    assert response.status_code == 200
    assert "<script>" not in response.text


def test_unknown_screen_and_value_answer_404(client, admin, csrf):
    assert client.get("/parameters/nope").status_code == 404
    assert client.get("/parameters/sectors/999999/edit").status_code == 404
    assert client.post("/parameters/sectors/999999/delete", data=form(csrf)).status_code == 404


# --- add --------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("slug", SLUGS)
def test_add_as_page(client, admin, app, csrf, slug):
    model = MODELS[slug]
    before = rows(app, model)
    response = client.post(f"/parameters/{slug}", data=form(csrf, "new", label="  Nouvelle valeur ",
                                                             **extra_values(slug)))
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/parameters/{slug}")
    after = rows(app, model)
    last_position = max((position for _label, position, _active in before), default=-1)
    assert after == before + [("Nouvelle valeur", last_position + 1, True)]
    entries = audit(app, RECORD_TYPES[slug], "create")
    assert len(entries) == 1 and entries[0][4] == admin.id
    assert json.loads(entries[0][3])["label"] == "Nouvelle valeur"
    added = "a été ajoutée." if slug in FEMININE else "a été ajouté."
    assert f"« Nouvelle valeur » {added}" in client.get(f"/parameters/{slug}").text.replace("&#34;", '"')


@pytest.mark.parametrize("slug", SLUGS)
def test_add_with_htmx_returns_blank_form_and_the_list_out_of_band(client, admin, app, csrf, slug):
    response = client.post(f"/parameters/{slug}", headers=HX | {"HX-Target": "add-form"},
                           data=form(csrf, "new", label="Ajout htmx", **extra_values(slug)))
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<form id="add-form"')
    assert 'value="Ajout htmx"' not in response.text  # the add form comes back empty
    assert 'id="items"' in response.text and 'hx-swap-oob="true"' in response.text
    assert "Ajout htmx" in response.text
    event = json.loads(response.headers["HX-Trigger"])["toast-shown"]
    assert "Ajout htmx" in event["message"] and event["level"] == "success"
    assert "Ajout htmx" in labels(app, MODELS[slug])


def test_new_value_goes_last(client, admin, app, csrf):
    client.post("/parameters/origins", data=form(csrf, "new", label="Zéro"))
    assert labels(app, Origin)[-1] == "Zéro"


@pytest.mark.parametrize("label", ["", "   ", "x" * 121, "x" * 10_000, "nul\x00byte", "\u202egnp.exe", "tab\there"])
def test_add_refuses_invalid_labels_with_a_message_and_keeps_the_value(client, admin, app, csrf, label):
    before = labels(app, Sector)
    page = client.post("/parameters/sectors", data=form(csrf, "new", label=label))
    assert page.status_code == 422
    assert "<html" in page.text and 'class="field-error"' in page.text
    fragment = client.post("/parameters/sectors", headers=HX, data=form(csrf, "new", label=label))
    assert fragment.status_code == 422
    assert fragment.text.lstrip().startswith('<form id="add-form"')
    assert 'aria-invalid="true"' in fragment.text
    assert labels(app, Sector) == before


def test_add_long_label_message_in_french(client, admin, csrf):
    response = client.post("/parameters/sectors", headers=HX, data=form(csrf, "new", label="x" * 10_000))
    assert "120 caractères au plus." in response.text
    response = client.post("/parameters/sectors", headers=HX, data=form(csrf, "new", label="a\x00b"))
    assert "caractères de contrôle non autorisés" in response.text


def test_markup_is_stored_and_shown_literally(client, admin, app, csrf):
    client.post("/parameters/sectors", data=form(csrf, "new", label="<script>alert(1)</script>"))
    assert "<script>alert(1)</script>" in labels(app, Sector)
    page = client.get("/parameters/sectors")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
    assert "<script>alert(1)" not in page.text


def test_duplicate_label_refused_ignoring_case_and_accents(client, admin, app, csrf):
    response = client.post("/parameters/sectors", headers=HX, data=form(csrf, "new", label="ENERGIE"))
    assert response.status_code == 422
    assert "existe déjà" in response.text and 'value="ENERGIE"' in response.text
    assert labels(app, Sector).count("Énergie") == 1


# --- rename -----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("slug", SLUGS)
def test_rename_as_page(client, admin, app, csrf, slug):
    item_id = add(app, slug, "Ancien nom")
    page = client.get(f"/parameters/{slug}/{item_id}/edit")
    assert page.status_code == 200 and "<html" in page.text and 'value="Ancien nom"' in page.text
    assert "hx-post" not in page.text.split('class="param-row param-editor"')[1].split(">")[0]
    response = client.post(f"/parameters/{slug}/{item_id}/edit",
                           data=form(csrf, f"item-{item_id}", label="Nouveau nom", **extra_values(slug)))
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/parameters/{slug}#item-{item_id}")
    assert "Nouveau nom" in labels(app, MODELS[slug]) and "Ancien nom" not in labels(app, MODELS[slug])
    assert ("update", "label", "Ancien nom", "Nouveau nom", admin.id) in audit(app, RECORD_TYPES[slug])


@pytest.mark.parametrize("slug", SLUGS)
def test_rename_in_place_with_htmx(client, admin, app, csrf, slug):
    item_id = add(app, slug, "Ancien nom")
    editor = client.get(f"/parameters/{slug}/{item_id}/edit", headers=HX | {"HX-Target": f"item-{item_id}"})
    assert editor.status_code == 200 and "<html" not in editor.text
    assert editor.text.lstrip().startswith("<form") and f'id="item-{item_id}"' in editor.text
    assert f'name="item-{item_id}-label"' in editor.text and "autofocus" in editor.text
    response = client.post(f"/parameters/{slug}/{item_id}/edit", headers=HX | {"HX-Target": f"item-{item_id}"},
                           data=form(csrf, f"item-{item_id}", label="Nouveau nom", **extra_values(slug)))
    assert response.status_code == 200
    assert response.headers["HX-Retarget"] == "#items"
    assert "Nouveau nom" in response.text and "<html" not in response.text
    assert f'id="item-{item_id}-edit"' in response.text
    assert "toast-shown" in response.headers["HX-Trigger"]
    entries = audit(app, RECORD_TYPES[slug], "update")
    assert entries == [("update", "label", "Ancien nom", "Nouveau nom", admin.id)]


def test_rename_invalid_keeps_the_value_in_the_editor(client, admin, app, csrf):
    item_id = add(app, "sectors", "Ancien nom")
    response = client.post(f"/parameters/sectors/{item_id}/edit", headers=HX,
                           data=form(csrf, f"item-{item_id}", label="Banque"))
    assert response.status_code == 422
    assert 'value="Banque"' in response.text and "existe déjà" in response.text
    page = client.post(f"/parameters/sectors/{item_id}/edit", data=form(csrf, f"item-{item_id}", label="y" * 500))
    assert page.status_code == 422 and "<html" in page.text and "120 caractères au plus." in page.text
    assert "Ancien nom" in labels(app, Sector)


def test_cancel_returns_the_list_with_focus_on_the_value(client, admin, app):
    item_id = add(app, "sectors", "Témoin")
    response = client.get(f"/parameters/sectors?focus={item_id}", headers=HX | {"HX-Target": "items"})
    assert f'id="item-{item_id}-edit"' in response.text
    edit_link = response.text.split(f'id="item-{item_id}-edit"')[1].split(">")[0]
    assert "autofocus" in edit_link


# --- reorder ----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("slug", SLUGS)
def test_reorder_up_and_down(client, admin, app, csrf, slug):
    add(app, slug, "Premier")
    second = add(app, slug, "Second")
    order = labels(app, MODELS[slug])
    assert order.index("Premier") + 1 == order.index("Second")
    response = client.post(f"/parameters/{slug}/{second}/move", data=form(csrf, direction="up"))
    assert response.status_code == 302
    order = labels(app, MODELS[slug])
    assert order.index("Second") + 1 == order.index("Premier")
    assert any(entry[1] == "position" for entry in audit(app, RECORD_TYPES[slug], "update"))
    response = client.post(f"/parameters/{slug}/{second}/move", headers=HX | {"HX-Target": "items"},
                           data=form(csrf, direction="down"))
    assert response.status_code == 200 and "<html" not in response.text
    assert response.text.index("Premier") < response.text.index("Second")
    order = labels(app, MODELS[slug])
    assert order.index("Premier") + 1 == order.index("Second")


def test_move_beyond_the_ends_changes_nothing(client, admin, app, csrf):
    order = labels(app, Origin)
    with app.app_context():
        first_id = db.session.scalars(select(Origin.id).order_by(Origin.position, Origin.id)).first()
    response = client.post(f"/parameters/origins/{first_id}/move", headers=HX, data=form(csrf, direction="up"))
    assert response.status_code == 200
    assert labels(app, Origin) == order
    assert client.post(f"/parameters/origins/{first_id}/move", data=form(csrf, direction="sideways")).status_code == 400


def test_reorder_renumbers_ties(client, admin, app, csrf):
    with app.app_context():
        for origin in db.session.scalars(select(Origin)):
            origin.position = 0  # as an import could leave them
        db.session.commit()
        ids = db.session.scalars(select(Origin.id).order_by(Origin.position, Origin.id)).all()
    client.post(f"/parameters/origins/{ids[2]}/move", data=form(csrf, direction="up"))
    positions = [position for _label, position, _active in rows(app, Origin)]
    assert positions == list(range(len(ids)))
    with app.app_context():
        assert db.session.scalars(select(Origin.id).order_by(Origin.position)).all()[1] == ids[2]


# --- deactivate -------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("slug", SLUGS)
def test_deactivate_and_reactivate(client, admin, app, csrf, slug):
    item_id = add(app, slug, "Éphémère")
    response = client.post(f"/parameters/{slug}/{item_id}/deactivate", data=form(csrf))
    assert response.status_code == 302
    assert ("Éphémère", rows(app, MODELS[slug])[-1][1], False) in rows(app, MODELS[slug])
    assert ("update", "active", "oui", "non", admin.id) in audit(app, RECORD_TYPES[slug])
    response = client.post(f"/parameters/{slug}/{item_id}/activate", headers=HX | {"HX-Target": "items"},
                           data=form(csrf))
    assert response.status_code == 200 and "<html" not in response.text
    assert "Désactiver<span" in response.text.split(f'id="item-{item_id}-active"')[1][:200]
    assert "de nouveau proposé" in json.loads(response.headers["HX-Trigger"])["toast-shown"]["message"]
    assert all(active for label, _p, active in rows(app, MODELS[slug]) if label == "Éphémère")


def test_deactivated_value_is_kept_on_records_and_marked(client, admin, app, make, csrf):
    with app.app_context():
        bank = db.session.scalars(select(Sector).where(Sector.label == "Banque")).one().id
    account = make.client_account(sector_id=bank)
    client.post(f"/parameters/sectors/{bank}/deactivate", data=form(csrf))
    with app.app_context():
        assert db.session.get(Client, account.id).sector_id == bank
    row = client.get("/parameters/sectors").text.split(f'id="item-{bank}"')[1].split('class="param-actions"')[0]
    assert "Inactif" in row and "Utilisé par 1 compte client" in strip_tags(row)


def test_inactive_category_is_not_offered_but_kept_on_its_skills(client, admin, app, csrf):
    with app.app_context():
        cloud = db.session.scalars(select(SkillCategory).where(SkillCategory.label == "Méthodes")).one()
        itil = db.session.scalars(select(Skill).where(Skill.label == "ITIL")).one()
        cloud_id, itil_id = cloud.id, itil.id
    client.post(f"/parameters/skill-categories/{cloud_id}/deactivate", data=form(csrf))
    add_form = client.get("/parameters/skills").text.split('id="add-form"')[1].split("</form>")[0]
    assert "Méthodes" not in add_form and "Langages" in add_form
    editor = client.get(f"/parameters/skills/{itil_id}/edit", headers=HX).text
    assert f'<option selected value="{cloud_id}">Méthodes</option>' in editor


# --- delete -----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("slug", SLUGS)
def test_delete_unused(client, admin, app, csrf, slug):
    page_id = add(app, slug, "À supprimer")
    fragment_id = add(app, slug, "Aussi à supprimer")
    response = client.post(f"/parameters/{slug}/{page_id}/delete", data=form(csrf))
    assert response.status_code == 302
    response = client.post(f"/parameters/{slug}/{fragment_id}/delete", headers=HX | {"HX-Target": "items"},
                           data=form(csrf))
    assert response.status_code == 200 and "<html" not in response.text
    assert "Aussi à supprimer" not in response.text.split("toast")[0]
    assert "a été supprimé" in json.loads(response.headers["HX-Trigger"])["toast-shown"]["message"]
    assert not {"À supprimer", "Aussi à supprimer"} & set(labels(app, MODELS[slug]))
    deleted = audit(app, RECORD_TYPES[slug], "delete")
    assert len(deleted) == 2 and all(entry[4] == admin.id for entry in deleted)
    assert json.loads(deleted[0][2])["label"] == "À supprimer"


def test_delete_asks_first_in_a_dialog_or_on_a_page(client, admin, app, csrf):
    item_id = add(app, "skills", "Fortran 77")
    listing = client.get("/parameters/skills").text
    row = listing.split(f'id="item-{item_id}"')[1].split('class="param-row')[0]
    assert "hx-confirm" not in listing and f'href="/parameters/skills/{item_id}/delete"' in row
    dialog = client.get(f"/parameters/skills/{item_id}/delete", headers=HX | {"HX-Target": "dialog-slot"})
    assert dialog.status_code == 200 and dialog.text.lstrip().startswith("<dialog")
    assert "Supprimer définitivement « Fortran 77 »" in dialog.text and 'hx-post="/parameters/skills/' in dialog.text
    page = client.get(f"/parameters/skills/{item_id}/delete")  # without JavaScript: a confirmation page
    assert page.status_code == 200 and "<html" in page.text and "hx-post" not in page.text.split("<main")[1]
    assert f'action="/parameters/skills/{item_id}/delete"' in page.text and "Fortran 77" in labels(app, Skill)
    done = client.post(f"/parameters/skills/{item_id}/delete", headers=HX | {"HX-Target": "items"}, data=form(csrf))
    assert done.status_code == 200 and '<div id="dialog-slot" hx-swap-oob="true"></div>' in done.text
    assert json.loads(done.headers["HX-Trigger"])["toast-shown"]["message"] == "« Fortran 77 » a été supprimée."
    assert "Fortran 77" not in labels(app, Skill)


def test_the_delete_dialog_says_at_once_why_a_used_value_stays(client, admin, app, make, csrf):
    item_id = add(app, "sectors", "Utilisé")
    where = use(app, make, "sectors", item_id)
    for headers in (HX | {"HX-Target": "dialog-slot"}, {}):
        response = client.get(f"/parameters/sectors/{item_id}/delete", headers=headers)
        text = strip_tags(response.text)
        assert f"Impossible de supprimer « Utilisé » : utilisé par {where}. Désactivez-le plutôt." in text
        assert 'id="confirm-delete"' not in response.text
    assert client.get("/parameters/sectors/999999/delete").status_code == 404


@pytest.mark.parametrize("slug", SLUGS)
def test_delete_refused_when_used_says_where(client, admin, app, make, csrf, slug):
    item_id = add(app, slug, "Utilisée")
    where = use(app, make, slug, item_id)
    response = client.post(f"/parameters/{slug}/{item_id}/delete", headers=HX | {"HX-Target": "items"},
                           data=form(csrf))
    assert response.status_code == 409
    assert "<html" not in response.text
    row = response.text.split(f'id="item-{item_id}"')[1].split('class="param-row')[0]
    assert 'role="alert"' in row
    used = "utilisée" if slug in FEMININE else "utilisé"
    assert f"Impossible de supprimer « Utilisée » : {used} par {where}." in strip_tags(row)
    page = client.post(f"/parameters/{slug}/{item_id}/delete", data=form(csrf))
    assert page.status_code == 302
    assert f"{used} par {where}" in strip_tags(client.get(page.headers["Location"]).text)
    assert "Utilisée" in labels(app, MODELS[slug])
    assert audit(app, RECORD_TYPES[slug], "delete") == []


def test_usage_is_shown_on_each_row(client, admin, app, make):
    item_id = add(app, "sectors", "Compté")
    use(app, make, "sectors", item_id)
    row = client.get("/parameters/sectors").text.split(f'id="item-{item_id}"')[1].split('class="param-actions"')[0]
    assert "Utilisé par 2 comptes clients" in strip_tags(row)


# --- departments as a tree --------------------------------------------------------------------------------------

def department_id(app, label):
    with app.app_context():
        return db.session.scalars(select(Department.id).where(Department.label == label)).one()


def test_departments_show_as_a_tree(client, admin, app):
    page = client.get("/parameters/departments").text
    dsi = page.index('<span class="param-label">DSI</span>')
    nested = page.index('<ol class="param-list">', dsi)
    assert nested < page.index('<span class="param-label">Data</span>') < page.index(
        '<span class="param-label">Achats</span>')


def test_add_a_department_under_a_parent(client, admin, app, csrf):
    dsi = department_id(app, "DSI")
    client.post("/parameters/departments", data=form(csrf, "new", label="Support", parent_id=str(dsi)))
    with app.app_context():
        support = db.session.scalars(select(Department).where(Department.label == "Support")).one()
        siblings = db.session.scalars(select(Department).where(Department.parent_id == dsi)
                                      .order_by(Department.position)).all()
        assert support.parent_id == dsi and siblings[-1].id == support.id


def test_department_cannot_go_under_itself_or_a_child(client, admin, app, csrf):
    dsi, data = department_id(app, "DSI"), department_id(app, "Data")
    editor = client.get(f"/parameters/departments/{dsi}/edit", headers=HX).text
    assert f'value="{data}"' not in editor and f'value="{dsi}"' not in editor.split("parent_id")[1]
    response = client.post(f"/parameters/departments/{dsi}/edit", headers=HX,
                           data=form(csrf, f"item-{dsi}", label="DSI", parent_id=str(data)))
    assert response.status_code == 422
    with app.test_request_context():  # messages are translated for the request's language
        assert db.session.get(Department, dsi).parent_id is None
        with pytest.raises(service.ParameterError, match="lui-même"):
            service.update_item(service.KINDS["department"], db.session.get(Department, dsi),
                                {"label": "DSI", "parent_id": data}, None)


def test_department_moves_among_its_siblings_and_reparents_last(client, admin, app, csrf):
    dsi, data, infra = department_id(app, "DSI"), department_id(app, "Data"), department_id(app, "Infrastructure")
    client.post(f"/parameters/departments/{data}/move", data=form(csrf, direction="up"))
    with app.app_context():
        children = db.session.scalars(select(Department.label).where(Department.parent_id == dsi)
                                      .order_by(Department.position)).all()
    assert children == ["Infrastructure", "Data", "Études et développement"]
    # the first child cannot move out of its parent by moving up
    client.post(f"/parameters/departments/{infra}/move", data=form(csrf, direction="up"))
    with app.app_context():
        assert db.session.get(Department, infra).parent_id == dsi
    achats = department_id(app, "Achats")
    client.post(f"/parameters/departments/{data}/edit", data=form(csrf, f"item-{data}", label="Data",
                                                                  parent_id=str(achats)))
    with app.app_context():
        assert db.session.get(Department, data).parent_id == achats
    assert ("update", "parent_id", str(dsi), str(achats), admin.id) in audit(app, "department")


def test_department_with_children_cannot_be_deleted(client, admin, app, csrf):
    dsi = department_id(app, "DSI")
    response = client.post(f"/parameters/departments/{dsi}/delete", headers=HX, data=form(csrf))
    assert response.status_code == 409 and "3 services rattachés" in response.text


def test_department_search_is_flat_and_names_the_parent(client, admin):
    text = strip_tags(client.get("/parameters/departments?q=data").text)
    assert "Data" in text and "dans DSI" in text


def test_same_department_name_allowed_under_different_parents(client, admin, app, csrf):
    achats, dsi = department_id(app, "Achats"), department_id(app, "DSI")
    assert client.post("/parameters/departments", data=form(csrf, "new", label="Support",
                                                            parent_id=str(achats))).status_code == 302
    assert client.post("/parameters/departments", data=form(csrf, "new", label="Support",
                                                            parent_id=str(dsi))).status_code == 302
    response = client.post("/parameters/departments", headers=HX,
                           data=form(csrf, "new", label="support", parent_id=str(dsi)))
    assert response.status_code == 422


def test_unknown_parent_is_refused(client, admin, csrf):
    response = client.post("/parameters/departments", headers=HX,
                           data=form(csrf, "new", label="Fantôme", parent_id="999999"))
    assert response.status_code == 422 and 'aria-invalid="true"' in response.text
    response = client.post("/parameters/departments", headers=HX,
                           data=form(csrf, "new", label="Fantôme", parent_id="abc"))
    assert response.status_code == 422


# --- skills, mailing lists --------------------------------------------------------------------------------------

def test_skill_with_its_category(client, admin, app, csrf):
    with app.app_context():
        cloud = db.session.scalars(select(SkillCategory.id).where(SkillCategory.label == "Cloud & Infrastructure")).one()
    client.post("/parameters/skills", data=form(csrf, "new", label="OpenStack", category_id=str(cloud)))
    with app.app_context():
        skill = db.session.scalars(select(Skill).where(Skill.label == "OpenStack")).one()
        assert skill.category_id == cloud
        skill_id = skill.id
    row = client.get("/parameters/skills").text.split(f'id="item-{skill_id}"')[1].split('class="param-actions"')[0]
    assert "Cloud &amp; Infrastructure" in row
    assert 'href="/parameters/skill-categories"' in client.get("/parameters/skills").text


def test_mailing_list_provider_and_external_id(client, admin, app, csrf):
    response = client.post("/parameters/mailing-lists", headers=HX,
                           data=form(csrf, "new", label="Newsletter", provider="", external_id="x" * 121))
    assert response.status_code == 422
    assert "Indiquez le fournisseur." in response.text and "120 caractères au plus." in response.text
    client.post("/parameters/mailing-lists", data=form(csrf, "new", label="Newsletter", provider="Mailjet",
                                                       external_id="10234"))
    client.post("/parameters/mailing-lists", data=form(csrf, "new", label="Newsletter", provider="Brevo",
                                                       external_id=""))
    with app.app_context():
        lists = db.session.scalars(select(MailingList).order_by(MailingList.id)).all()
        assert [(m.provider, m.label, m.external_id) for m in lists] == [
            ("Mailjet", "Newsletter", "10234"), ("Brevo", "Newsletter", None)]
    text = strip_tags(client.get("/parameters/mailing-lists").text)
    assert "Mailjet · id 10234" in text
    duplicate = client.post("/parameters/mailing-lists", headers=HX,
                            data=form(csrf, "new", label="newsletter", provider="Mailjet"))
    assert duplicate.status_code == 422


# --- rights and CSRF --------------------------------------------------------------------------------------------

ROUTES = [
    ("get", "/parameters"), ("get", "/parameters/sectors"), ("post", "/parameters/sectors"),
    ("get", "/parameters/sectors/{id}/edit"), ("post", "/parameters/sectors/{id}/edit"),
    ("post", "/parameters/sectors/{id}/move"), ("post", "/parameters/sectors/{id}/deactivate"),
    ("post", "/parameters/sectors/{id}/activate"), ("post", "/parameters/sectors/{id}/delete"),
]


def sector_id(app):
    with app.app_context():
        return db.session.scalars(select(Sector.id)).first()


@pytest.mark.parametrize("method,url", ROUTES)
def test_every_route_needs_the_parameters_right(client, make, login_as, app, csrf, method, url):
    login_as(make.user("VENTE Victor", role="Commercial"))
    url = url.format(id=sector_id(app))
    response = getattr(client, method)(url, data=form(csrf, "new", label="Interdit", direction="up"))
    assert response.status_code == 403
    assert "Interdit" not in labels(app, Sector)


@pytest.mark.parametrize("method,url", ROUTES)
def test_every_route_needs_a_login(client, app, method, url):
    response = getattr(client, method)(url.format(id=sector_id(app)))
    assert response.status_code in (302, 400)  # a POST without a session fails the CSRF check first
    if response.status_code == 302:
        assert "/login" in response.headers["Location"]


def test_parameters_right_alone_is_enough(client, make, login_as, app, csrf):
    with app.app_context():
        role = Role(name="Paramétreur", rights=[RoleRight(right=PARAMETERS)])
        db.session.add(role)
        db.session.commit()
    user = make.user("PARAM Pierre", role="Paramétreur")
    login_as(user)
    assert client.get("/parameters/sectors").status_code == 200
    assert client.post("/parameters/sectors", data=form(csrf, "new", label="Permis")).status_code == 302
    assert 'href="/parameters"' in client.get("/parameters").text  # the navigation offers the screens


def test_navigation_link_hidden_without_the_right(client, make, login_as):
    login_as(make.user("VENTE Victor", role="Commercial"))
    assert 'href="/parameters"' not in client.get("/contacts").text


@pytest.mark.parametrize("url", ["/parameters/sectors", "/parameters/sectors/{id}/edit", "/parameters/sectors/{id}/move",
                                 "/parameters/sectors/{id}/deactivate", "/parameters/sectors/{id}/delete"])
def test_posts_without_csrf_token_are_refused(client, admin, app, url):
    before = rows(app, Sector)
    response = client.post(url.format(id=sector_id(app)), data={"new-label": "Sans jeton", "direction": "down"})
    assert response.status_code == 400
    htmx = client.post(url.format(id=sector_id(app)), headers=HX, data={"new-label": "Sans jeton"})
    assert htmx.status_code == 400 and htmx.headers["HX-Retarget"] == "#toasts"
    assert rows(app, Sector) == before


def test_csrf_header_is_accepted_for_htmx(client, admin, app, csrf):
    response = client.post("/parameters/sectors", headers=HX | {"X-CSRFToken": csrf["token"]},
                           data={"new-label": "Par en-tête"})
    assert response.status_code == 200
    assert "Par en-tête" in labels(app, Sector)


# --- the service, without a request -----------------------------------------------------------------------------

def test_describe_usage_joins_in_french(app):
    with app.test_request_context():
        kind = service.KINDS["entity"]
        clients, users = kind.usages
        assert service.describe_usage([(clients, 12), (users, 3)]) == "12 comptes clients et 3 utilisateurs"
        assert service.describe_usage([(clients, 1)]) == "1 compte client"
        assert service.describe_usage([(clients, 0), (users, 2)]) == "2 utilisateurs"


def test_service_delete_message_names_the_uses(app, make):
    with app.app_context():
        sector = db.session.scalars(select(Sector).where(Sector.label == "Banque")).one()
        sector_id_ = sector.id
    for _ in range(12):
        make.client_account(sector_id=sector_id_)
    with app.test_request_context():
        with pytest.raises(service.InUseError) as refused:
            service.delete_item(service.KINDS["sector"], db.session.get(Sector, sector_id_), None)
        assert refused.value.message.startswith("Impossible de supprimer « Banque » : utilisé par 12 comptes clients")


def test_service_tree_order(app):
    with app.app_context():
        ordered = service.tree_order(service.list_items(service.KINDS["department"]))
        names = [(item.label, depth) for item, depth in ordered]
        assert names[:5] == [("Direction générale", 0), ("DSI", 0), ("Infrastructure", 1),
                             ("Études et développement", 1), ("Data", 1)]
