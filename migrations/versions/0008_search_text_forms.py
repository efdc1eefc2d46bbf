"""Search text in every form a search may type: recompute contact.search_text for the rows already stored.

Phones gain their national digits ("+33 1 42 68 53 00" is found by "01 42 68 53 00" and "0142685300"); names,
companies, functions and e-mails lose their apostrophes and hyphens, and names and companies gain their words run
together ("D'ARCY" is found by "darcy" and "D’Arcy", "Marie-Hélène" by "mariehelene" and "marie helene"). Data
only: the column and its indexes (FTS5 trigram kept by triggers on SQLite, pg_trgm on PostgreSQL) stay; a row is
written only when its text changes, by batches of 2,000 read in id order.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04 09:50:00
"""
import sqlalchemy as sa
from alembic import op

from webapp.models.contact_keys import KEY_SOURCES, derived_columns

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

BATCH = 2000


def upgrade():
    bind = op.get_bind()
    contact = sa.table("contact", sa.column("id", sa.Integer), sa.column("client_id", sa.Integer),
                       sa.column("search_text", sa.Text), *(sa.column(name, sa.String) for name in KEY_SOURCES))
    client = sa.table("client", sa.column("id", sa.Integer), sa.column("name", sa.String))
    read = (sa.select(contact.c.id, contact.c.search_text, client.c.name.label("company"),
                      *(contact.c[name] for name in KEY_SOURCES))
            .select_from(contact.join(client, client.c.id == contact.c.client_id)))
    write = contact.update().where(contact.c.id == sa.bindparam("b_id")).values(search_text=sa.bindparam("b_text"))
    last_id = 0
    while True:
        rows = bind.execute(read.where(contact.c.id > last_id).order_by(contact.c.id).limit(BATCH)).all()
        if not rows:
            return
        changed = []
        for row in rows:
            text = derived_columns(row._mapping, row.company or "")["search_text"]
            if text != row.search_text:
                changed.append({"b_id": row.id, "b_text": text})
        if changed:
            bind.execute(write, changed)
        last_id = rows[-1].id


def downgrade():
    """Nothing to undo: the richer text only finds more, and the code before this revision rewrites a row's
    text whenever the row is saved."""
