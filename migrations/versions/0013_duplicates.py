"""Duplicate contacts: each contact's duplicate keys (duplicate_key, with how many contacts share each key), the
pairs said not to be duplicates, the UIDs of merged contacts kept as aliases of the survivor, each merge's undo
record, and the right "Fusionner des contacts" (given to the roles that may delete contacts).

The keys of the contacts stored before are computed here by batches of 2,000 read in id order, with the function
the app writes them with (models/contact_keys.duplicate_keys), then counted in one statement.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-04 17:00:00
"""
import sqlalchemy as sa
from alembic import op

from webapp.models.contact_keys import duplicate_keys

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

BATCH = 2000


def upgrade():
    op.create_table(
        "duplicate_key",
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("key", sa.String(length=300), nullable=False),
        sa.Column("group_size", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["contact_id"], ["contact.id"], name=op.f("fk_duplicate_key_contact_id_contact"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("contact_id", "kind", "key", name=op.f("pk_duplicate_key")),
    )
    op.create_table(
        "duplicate_dismissal",
        sa.Column("low_id", sa.Integer(), nullable=False),
        sa.Column("high_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["low_id"], ["contact.id"], name=op.f("fk_duplicate_dismissal_low_id_contact"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["high_id"], ["contact.id"], name=op.f("fk_duplicate_dismissal_high_id_contact"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], name=op.f("fk_duplicate_dismissal_user_id_user"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("low_id", "high_id", name=op.f("pk_duplicate_dismissal")),
    )
    op.create_index(op.f("ix_duplicate_dismissal_high_id"), "duplicate_dismissal", ["high_id"])
    op.create_table(
        "contact_merge",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("survivor_id", sa.Integer(), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("merged_ids", sa.String(length=200), nullable=False),
        sa.Column("snapshot", sa.Text(), nullable=False),
        sa.Column("undone_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["survivor_id"], ["contact.id"], name=op.f("fk_contact_merge_survivor_id_contact"),
                                ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], name=op.f("fk_contact_merge_user_id_user"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contact_merge")),
    )
    op.create_index(op.f("ix_contact_merge_survivor_id"), "contact_merge", ["survivor_id"])
    op.create_table(
        "contact_uid_alias",
        sa.Column("uid", sa.String(length=255), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("merge_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["contact_id"], ["contact.id"], name=op.f("fk_contact_uid_alias_contact_id_contact"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["merge_id"], ["contact_merge.id"],
                                name=op.f("fk_contact_uid_alias_merge_id_contact_merge"), ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("uid", name=op.f("pk_contact_uid_alias")),
    )
    op.create_index(op.f("ix_contact_uid_alias_contact_id"), "contact_uid_alias", ["contact_id"])
    op.create_index(op.f("ix_contact_uid_alias_merge_id"), "contact_uid_alias", ["merge_id"])
    _fill_keys()
    op.create_index("ix_duplicate_key_key", "duplicate_key", ["kind", "key"])
    op.execute("UPDATE duplicate_key SET group_size = shared.n FROM (SELECT kind, key, count(*) AS n "
               "FROM duplicate_key GROUP BY kind, key HAVING count(*) > 1) AS shared "
               "WHERE duplicate_key.kind = shared.kind AND duplicate_key.key = shared.key")
    op.create_index("ix_duplicate_key_shared", "duplicate_key",
                    ["group_size", "kind", "key", "contact_id", "client_id"],
                    sqlite_where=sa.text("group_size > 1"), postgresql_where=sa.text("group_size > 1"))
    op.execute(
        'INSERT INTO role_right (role_id, "right") '
        "SELECT role_id, 'contacts.merge' FROM role_right WHERE \"right\" = 'contacts.delete' "
        "AND role_id NOT IN (SELECT role_id FROM role_right WHERE \"right\" = 'contacts.merge')")


def _fill_keys():
    bind = op.get_bind()
    contact = sa.table("contact", *(sa.column(name, sa.String) for name in (
        "last_name", "first_name", "email", "phone_e164", "mobile_e164")),
        sa.column("id", sa.Integer), sa.column("client_id", sa.Integer))
    keys = sa.table("duplicate_key", sa.column("contact_id", sa.Integer), sa.column("kind", sa.String),
                    sa.column("key", sa.String), sa.column("group_size", sa.Integer),
                    sa.column("client_id", sa.Integer))
    read = sa.select(contact).order_by(contact.c.id).limit(BATCH)
    last_id = 0
    while True:
        rows = bind.execute(read.where(contact.c.id > last_id)).all()
        if not rows:
            return
        new = [{"contact_id": row.id, "kind": kind, "key": key, "group_size": 1, "client_id": row.client_id}
               for row in rows for kind, key in duplicate_keys(row._mapping, row.client_id)]
        if new:
            bind.execute(keys.insert(), new)
        last_id = rows[-1].id


def downgrade():
    op.execute("DELETE FROM role_right WHERE \"right\" = 'contacts.merge'")
    op.drop_table("contact_uid_alias")
    op.drop_table("contact_merge")
    op.drop_table("duplicate_dismissal")
    op.drop_table("duplicate_key")
