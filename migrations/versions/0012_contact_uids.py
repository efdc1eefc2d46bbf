"""Every contact has its vCard UID: the contacts stored without one get a random urn:uuid now, since a contact gets
one when it is created from this revision on, so that exporting a contact (a GET) only reads.

Data only, by batches of 2,000 read in id order; the contact's version and audit trail are left alone (the UID is
no edit of the user's, as the export that used to give it wrote none either).

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-04 14:40:00
"""
import uuid

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

BATCH = 2000


def upgrade():
    bind = op.get_bind()
    contact = sa.table("contact", sa.column("id", sa.Integer), sa.column("vcard_uid", sa.String))
    read = sa.select(contact.c.id).where(contact.c.vcard_uid.is_(None)).order_by(contact.c.id).limit(BATCH)
    # "AND vcard_uid IS NULL": nothing else writes during a migration, but a UID given meanwhile would stay.
    write = (contact.update().where(contact.c.id == sa.bindparam("b_id"), contact.c.vcard_uid.is_(None))
             .values(vcard_uid=sa.bindparam("b_uid")))
    last_id = 0
    while True:
        ids = bind.execute(read.where(contact.c.id > last_id)).scalars().all()
        if not ids:
            return
        bind.execute(write, [{"b_id": contact_id, "b_uid": f"urn:uuid:{uuid.uuid4()}"} for contact_id in ids])
        last_id = ids[-1]


def downgrade():
    """Nothing to undo: a UID is harmless, and the code before this revision kept the UIDs it found."""
