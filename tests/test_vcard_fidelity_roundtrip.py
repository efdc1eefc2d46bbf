"""vCard fidelity (issue 15), the strict round trip: every file of ../shared/vcf-samples/ imported, exported (3.0
and 4.0), imported again by UID with "mettre à jour": no field of any contact changes, no contact is added."""
import io

import pytest
from sqlalchemy import func, select

from webapp.extensions import db
from webapp.models import Contact
from webapp.services.vcard_export import write_vcf

from .test_vcard_export_app import snapshot
from .test_vcard_import import SAMPLE_FILES, SAMPLES, card, commit, open_preview, vcf

# Cards the corpus has few of: a labelled phone without type, an empty label, a home-only address beside a work
# one, extra e-mails, a LABEL without ADR (kept as an extra address, written back marked as one).
CRAFTED = vcf(
    card("N:Label;Seul", "ORG:Acme", "item1.TEL:01 44 55 66 77",
         "item1.X-ABLabel:Ligne directe", "item2.TEL:01 44 55 66 78", "item2.X-ABLabel:"),
    card("N:Deux;Adresses", "ORG:Acme", "ADR;TYPE=HOME:;;2 rue Y;Lyon;;69001;France",
         "ADR;TYPE=WORK:;;3 rue Z;Paris;;75002;France", "EMAIL:a@acme.fr", "EMAIL;TYPE=HOME:a@perso.fr",
         "TEL;TYPE=HOME:04 11 22 33 44"),
    card("N:Maison;Seule", "ORG:Acme", "ADR;TYPE=HOME:;;4 rue W;Nantes;;44000;France", "TEL:02 40 00 00 00"),
    card("N:Etiquette;Seule", "ORG:Acme", "LABEL;TYPE=WORK:12 rue de la Paix\\n75002 Paris\\, France",
         "TEL;TYPE=CELL:06 11 22 33 44"))


@pytest.fixture
def entity(make):
    return make.entity("Paris")


@pytest.fixture
def admin(make, login_as, entity):
    make.client_account("Divers", entities=[entity])
    return login_as(make.user("ADMIN Alice", role="Administrateur", entities=[entity]))


def _choices(form) -> dict:
    """The preview's defaults, with an account typed for the cards without ORG."""
    fields = dict(form.fields)
    for name in list(fields):
        if name.startswith("client-other-") and not fields[name] and "client-" + name[13:] not in fields:
            fields[name] = "Divers"
    return fields


def _import(client, csrf, name: str, data: bytes) -> None:
    url, _html, form = open_preview(client, csrf, (name, data))
    assert commit(client, url, _choices(form)).status_code == 303


@pytest.mark.parametrize("version", ["3.0", "4.0"])
@pytest.mark.parametrize("name", [n for n in SAMPLE_FILES if n.endswith(".vcf")] + ["crafted"])
def test_export_then_import_by_uid_changes_nothing(client, app, admin, csrf, name, version):
    _import(client, csrf, name, CRAFTED if name == "crafted" else (SAMPLES / name).read_bytes())
    with app.app_context():
        ids = list(db.session.scalars(select(Contact.id).order_by(Contact.id)))
        out = io.BytesIO()
        write_vcf(ids, version, out)
    before = {contact_id: snapshot(app, contact_id) for contact_id in ids}
    if ids:
        _import(client, csrf, "export.vcf", out.getvalue())
    changed = {}
    for contact_id in ids:
        after = snapshot(app, contact_id)
        diff = {k: (before[contact_id][k], after[k]) for k in after if after[k] != before[contact_id][k]}
        if diff:
            changed[contact_id] = diff
    assert changed == {}
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Contact)) == len(ids)
