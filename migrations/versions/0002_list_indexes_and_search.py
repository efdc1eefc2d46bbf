"""List indexes and substring search: FTS5 trigram on SQLite, pg_trgm on PostgreSQL.

The list's filters ride at the end of its order indexes; the count reads a narrow index. Search looks for each
folded word inside contact.search_text: SQLite answers from an FTS5 trigram table kept by triggers, PostgreSQL
from a GIN trigram index. Any later migration that makes Alembic copy the contact table on SQLite (batch mode)
drops these triggers and must create them again.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28 16:05:38.246917
"""
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

SQLITE_FTS = [
    "CREATE VIRTUAL TABLE contact_fts USING fts5(search_text, content='contact', content_rowid='id', "
    "tokenize='trigram')",
    """CREATE TRIGGER contact_fts_after_insert AFTER INSERT ON contact BEGIN
         INSERT INTO contact_fts(rowid, search_text) VALUES (new.id, new.search_text);
       END""",
    """CREATE TRIGGER contact_fts_after_delete AFTER DELETE ON contact BEGIN
         INSERT INTO contact_fts(contact_fts, rowid, search_text) VALUES ('delete', old.id, old.search_text);
       END""",
    """CREATE TRIGGER contact_fts_after_update AFTER UPDATE OF search_text ON contact BEGIN
         INSERT INTO contact_fts(contact_fts, rowid, search_text) VALUES ('delete', old.id, old.search_text);
         INSERT INTO contact_fts(rowid, search_text) VALUES (new.id, new.search_text);
       END""",
    "INSERT INTO contact_fts(contact_fts) VALUES ('rebuild')",
]


def upgrade():
    with op.batch_alter_table("contact", schema=None) as batch_op:
        batch_op.drop_index("ix_contact_left_company")
        batch_op.drop_index("ix_contact_owner_id")
        batch_op.drop_index("ix_contact_default_order")
        batch_op.create_index("ix_contact_default_order", ["company_key", "last_name_key", "first_name_key", "id",
                                                           "left_company", "client_id", "owner_id"], unique=False)
        batch_op.drop_index("ix_contact_last_name_order")
        batch_op.create_index("ix_contact_last_name_order", ["last_name_key", "first_name_key", "id",
                                                             "left_company", "client_id", "owner_id"], unique=False)
        batch_op.create_index("ix_contact_active_client", ["left_company", "client_id", "owner_id"], unique=False)
        batch_op.create_index("ix_contact_owner", ["owner_id", "left_company", "client_id"], unique=False)

    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for statement in SQLITE_FTS:
            op.execute(statement)
    elif dialect == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        op.execute("CREATE INDEX ix_contact_search_trgm ON contact USING gin (search_text gin_trgm_ops)")


def downgrade():
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for trigger in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER IF EXISTS contact_fts_after_{trigger}")
        op.execute("DROP TABLE IF EXISTS contact_fts")
    elif dialect == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_contact_search_trgm")

    with op.batch_alter_table("contact", schema=None) as batch_op:
        batch_op.drop_index("ix_contact_owner")
        batch_op.drop_index("ix_contact_active_client")
        batch_op.drop_index("ix_contact_last_name_order")
        batch_op.create_index("ix_contact_last_name_order", ["last_name_key", "first_name_key", "id"], unique=False)
        batch_op.drop_index("ix_contact_default_order")
        batch_op.create_index("ix_contact_default_order", ["company_key", "last_name_key", "first_name_key", "id"],
                              unique=False)
        batch_op.create_index("ix_contact_owner_id", ["owner_id"], unique=False)
        batch_op.create_index("ix_contact_left_company", ["left_company", "company_key"], unique=False)
