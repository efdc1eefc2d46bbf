"""Real CardDAV clients against the app under gunicorn: vdirsyncer (discovery, sync both ways, conflicts) and
khard on the folder vdirsyncer keeps (list, edit, create), as a salesperson's laptop would use them."""
import re
import shutil
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from sqlalchemy import insert, select

from webapp.extensions import db
from webapp.models import AppPassword, AuditEntry, Client, Contact, Entity, User
from webapp.rights import CONTACTS_EDIT
from webapp.services import app_passwords
from webapp.services.contacts import new_uid, update_contact

from . import live_server
from .record_support import role_without

BIN = Path(sys.executable).parent
SEEDED = 2000


def _tool(name: str) -> str:
    path = BIN / name
    if not path.exists():
        pytest.skip(f"{name} is not installed (make install installs it)")
    return str(path)


@pytest.fixture
def server(app, tmp_path):
    with live_server.gunicorn(app.config["SQLALCHEMY_DATABASE_URI"], tmp_path) as port:
        yield port


def _seed(app, make):
    east, west = make.entity("Est"), make.entity("Ouest")
    seller = make.user("COTILLON Marion", entities=[east], email="marion@example.com")
    aprool = make.client_account("APROOL", entities=[east])
    with app.app_context():
        rows = []
        for number in range(SEEDED):
            contact = Contact(client_id=aprool.id, last_name=f"Nom{number:04d}", first_name="Prénom",
                              function="Acheteur", owner_id=seller.id, vcard_uid=new_uid(),
                              email=f"contact{number}@aprool.fr")
            contact.refresh_keys(company_name="APROOL")
            rows.append({column.key: getattr(contact, column.key) for column in Contact.__table__.columns
                         if getattr(contact, column.key) is not None})
        db.session.execute(insert(Contact), [{"left_company": False, "is_dpo": False, "is_rssi": False,
                                              "version": 1, **row} for row in rows])
        _row, secret = app_passwords.create(db.session.get(User, seller.id), "Portable")
        db.session.commit()
    return SimpleNamespace(seller=seller, aprool=aprool, east=east, west=west, secret=secret)


def _run(*arguments: str, stdin: str = "") -> subprocess.CompletedProcess:
    """Run a client; its questions get `stdin`, then end of file."""
    return subprocess.run(arguments, input=stdin, capture_output=True, text=True, timeout=300)


def _said(done: subprocess.CompletedProcess) -> str:
    """The end of what a client printed, for a failure's message."""
    return (done.stdout + done.stderr)[-3000:]


def vdirsyncer(laptop, *arguments: str) -> subprocess.CompletedProcess:
    return _run(_tool("vdirsyncer"), "-c", str(laptop.config), *arguments)


def khard(laptop, *arguments: str, stdin: str = "") -> subprocess.CompletedProcess:
    return _run(_tool("khard"), "-c", str(laptop.khard), *arguments, stdin=stdin)


def _synced(laptop, *arguments: str) -> None:
    done = vdirsyncer(laptop, "sync", *arguments)
    assert done.returncode == 0, _said(done)


def _card_file(laptop, needle: str) -> Path:
    return next(path for path in laptop.folder.glob("*.vcf") if needle in path.read_text())


def test_discover_then_sync_both_ways_with_vdirsyncer_and_khard(app, make, tmp_path, server):
    world = _seed(app, make)
    laptop = live_server.carddav_client(tmp_path, server, world.seller.email, world.secret)
    discovered = vdirsyncer(laptop, "discover", "crm")
    assert discovered.returncode == 0, _said(discovered)
    _synced(laptop)
    assert len(list(laptop.folder.glob("*.vcf"))) == SEEDED
    listed = khard(laptop, "list", "Nom0007")
    assert listed.returncode == 0 and "Nom0007" in listed.stdout and "contact7@aprool.fr" in listed.stdout

    # An edit in the CRM reaches the laptop at the next sync.
    with app.app_context():
        contact = db.session.scalars(select(Contact).where(Contact.last_name == "Nom0001")).one()
        update_contact(contact, {"function": "Directeur achats"}, contact.version, world.seller.id, "form")
        db.session.commit()
    _synced(laptop)
    assert "TITLE:Directeur achats" in _card_file(laptop, "Nom0001").read_text()

    # An edit on the laptop (khard) reaches the CRM, through the contact service.
    shown = khard(laptop, "show", "--format", "yaml", "Nom0002")
    assert shown.returncode == 0, shown.stderr
    edited, typed = re.subn(r"^(\s+cell\s*:).*$", r"\1 06 12 34 56 78", shown.stdout, count=1, flags=re.M)
    assert typed == 1, shown.stdout
    (tmp_path / "edited.yaml").write_text(edited)
    done = khard(laptop, "edit", "-i", str(tmp_path / "edited.yaml"), "Nom0002", stdin="yes\n")
    assert done.returncode == 0, _said(done)
    _synced(laptop)
    with app.app_context():
        contact = db.session.scalars(select(Contact).where(Contact.last_name == "Nom0002")).one()
        assert contact.mobile == "06 12 34 56 78" and contact.function == "Acheteur"
        assert db.session.scalars(select(AuditEntry.via).where(AuditEntry.record_id == contact.id,
                                                               AuditEntry.field == "mobile")).one() == "carddav"

    # A contact created with khard becomes a contact of the account ORG names, assigned to the user.
    template = ("First name : Léa\nLast name : Durand\nOrganisation : APROOL\nTitle : Juriste\n"
                "Email :\n    work : lea.durand@aprool.fr\n")
    (tmp_path / "new.yaml").write_text(template)
    created = khard(laptop, "new", "-a", "mine", "-i", str(tmp_path / "new.yaml"), stdin="yes\n")
    assert created.returncode == 0, _said(created)
    _synced(laptop)
    with app.app_context():
        lea = db.session.scalars(select(Contact).where(Contact.last_name == "Durand")).one()
        assert (lea.client_id, lea.owner_id, lea.email) == (world.aprool.id, world.seller.id, "lea.durand@aprool.fr")
    _synced(laptop)  # and stays one card: nothing more to do
    assert len(list(laptop.folder.glob("*.vcf"))) == SEEDED + 1

    # A contact whose account leaves the user's entities leaves the laptop.
    with app.app_context():
        other = Client(owner_id=None)
        other.set_name("AILLEURS")
        other.entities = [db.session.get(Entity, world.west.id)]
        db.session.add(other)
        db.session.flush()
        moved = db.session.scalars(select(Contact).where(Contact.last_name == "Nom0003")).one()
        update_contact(moved, {"client_id": other.id}, moved.version, None, "form")
        db.session.commit()
    _synced(laptop)
    assert not any("Nom0003" in path.read_text() for path in laptop.folder.glob("*.vcf"))


def test_both_sides_changed_the_crm_wins_and_a_stale_upload_is_refused(app, make, tmp_path, server):
    world = _seed(app, make)
    laptop = live_server.carddav_client(tmp_path, server, world.seller.email, world.secret)
    assert vdirsyncer(laptop, "discover", "crm").returncode == 0
    _synced(laptop)
    path = _card_file(laptop, "Nom0005")
    path.write_text(path.read_text().replace("TITLE:Acheteur", "TITLE:Sur le portable"))
    with app.app_context():
        contact = db.session.scalars(select(Contact).where(Contact.last_name == "Nom0005")).one()
        update_contact(contact, {"function": "Dans le CRM"}, contact.version, world.seller.id, "form")
        db.session.commit()
    _synced(laptop)  # conflict_resolution "a wins": the server's copy
    assert "TITLE:Dans le CRM" in _card_file(laptop, "Nom0005").read_text()
    with app.app_context():
        assert db.session.scalars(select(Contact.function).where(Contact.last_name == "Nom0005")).one() == "Dans le CRM"

    # Without a rule, vdirsyncer reports the conflict and writes nothing; the CRM keeps its value.
    bare = live_server.carddav_client(tmp_path / "bare", server, world.seller.email, world.secret, resolution="null")
    assert vdirsyncer(bare, "discover", "crm").returncode == 0
    _synced(bare)
    path = _card_file(bare, "Nom0006")
    path.write_text(path.read_text().replace("TITLE:Acheteur", "TITLE:Portable"))
    with app.app_context():
        contact = db.session.scalars(select(Contact).where(Contact.last_name == "Nom0006")).one()
        update_contact(contact, {"function": "CRM"}, contact.version, world.seller.id, "form")
        db.session.commit()
    conflicted = vdirsyncer(bare, "sync")
    assert conflicted.returncode != 0 and "onflict" in conflicted.stdout + conflicted.stderr
    with app.app_context():
        assert db.session.scalars(select(Contact.function).where(Contact.last_name == "Nom0006")).one() == "CRM"


def test_a_revoked_password_and_a_read_only_user_are_refused(app, make, tmp_path, server):
    world = _seed(app, make)
    reader = make.user("LECTEUR Luc", role=role_without(app, "Commercial", CONTACTS_EDIT), entities=[world.east],
                       email="luc@example.com")
    with app.app_context():
        db.session.execute(Contact.__table__.update().where(Contact.last_name == "Nom0009").values(owner_id=reader.id))
        _row, secret = app_passwords.create(db.session.get(User, reader.id), "Tablette")
        db.session.commit()
    laptop = live_server.carddav_client(tmp_path, server, reader.email, secret)
    assert vdirsyncer(laptop, "discover", "crm").returncode == 0
    _synced(laptop)
    path = _card_file(laptop, "Nom0009")
    path.write_text(path.read_text().replace("TITLE:Acheteur", "TITLE:Pirate"))
    refused = vdirsyncer(laptop, "sync")
    assert refused.returncode != 0 and "403" in refused.stdout + refused.stderr
    with app.app_context():
        assert db.session.scalars(select(Contact.function).where(Contact.last_name == "Nom0009")).one() == "Acheteur"
        row = db.session.scalars(select(AppPassword).where(
            AppPassword.user_id == reader.id)).one()
        assert row.last_used_at is not None
        app_passwords.revoke(db.session.get(User, reader.id), row.id)
        db.session.commit()
    revoked = vdirsyncer(laptop, "sync")
    assert revoked.returncode != 0 and "401" in revoked.stdout + revoked.stderr
    shutil.rmtree(tmp_path / "status", ignore_errors=True)
