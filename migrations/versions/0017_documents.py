"""Documents ("Classez ici vos fichiers"): documents filed against contacts and/or an account, their versions, the
versions' bytes in chunks, the categories (a parameter list), and the search: an FTS5 table kept by triggers on
SQLite, a generated tsvector with a GIN index on PostgreSQL, both over document.search_text (folded: accents and
case already removed, so both databases find the same words). The rights "Consulter les documents" and "Classer
des documents" go to the roles that may see, and edit, contacts.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-05 00:05:00
"""
import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

SQLITE_FTS = [
    "CREATE VIRTUAL TABLE document_fts USING fts5(search_text, content='document', content_rowid='id', "
    "tokenize='unicode61 remove_diacritics 2')",
    """CREATE TRIGGER document_fts_after_insert AFTER INSERT ON document BEGIN
         INSERT INTO document_fts(rowid, search_text) VALUES (new.id, new.search_text);
       END""",
    """CREATE TRIGGER document_fts_after_delete AFTER DELETE ON document BEGIN
         INSERT INTO document_fts(document_fts, rowid, search_text) VALUES ('delete', old.id, old.search_text);
       END""",
    """CREATE TRIGGER document_fts_after_update AFTER UPDATE OF search_text ON document BEGIN
         INSERT INTO document_fts(document_fts, rowid, search_text) VALUES ('delete', old.id, old.search_text);
         INSERT INTO document_fts(rowid, search_text) VALUES (new.id, new.search_text);
       END""",
]


def upgrade():
    op.create_table(
        "document_category",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=120), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_document_category")),
        sa.UniqueConstraint("label", name=op.f("uq_document_category_label")),
    )
    op.create_table(
        "document",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("name_key", sa.String(length=255), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=True),
        sa.Column("category_id", sa.Integer(), nullable=True),
        sa.Column("tags", sa.String(length=500), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("mime", sa.String(length=100), nullable=False),
        sa.Column("text_problem", sa.String(length=300), nullable=True),
        sa.Column("version_count", sa.Integer(), nullable=False),
        sa.Column("search_text", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["category_id"], ["document_category.id"],
                                name=op.f("fk_document_category_id_document_category")),
        sa.ForeignKeyConstraint(["client_id"], ["client.id"], name=op.f("fk_document_client_id_client"),
                                ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["created_by_id"], ["user.id"], name=op.f("fk_document_created_by_id_user"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_document")),
    )
    op.create_index(op.f("ix_document_client_id"), "document", ["client_id"])
    op.create_index(op.f("ix_document_name_key"), "document", ["name_key"])
    op.create_index("ix_document_updated", "document", ["updated_at", "id"])
    op.create_table(
        "document_contact",
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["contact_id"], ["contact.id"], name=op.f("fk_document_contact_contact_id_contact"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["document_id"], ["document.id"],
                                name=op.f("fk_document_contact_document_id_document"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("document_id", "contact_id", name=op.f("pk_document_contact")),
    )
    op.create_index(op.f("ix_document_contact_contact_id"), "document_contact", ["contact_id"])
    op.create_table(
        "document_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("mime", sa.String(length=100), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("text_problem", sa.String(length=300), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["created_by_id"], ["user.id"], name=op.f("fk_document_version_created_by_id_user"),
                                ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["document_id"], ["document.id"],
                                name=op.f("fk_document_version_document_id_document"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_document_version")),
    )
    op.create_index("ix_document_version_document", "document_version", ["document_id", "number"], unique=True)
    op.create_index(op.f("ix_document_version_created_by_id"), "document_version", ["created_by_id"])
    op.create_table(
        "document_chunk",
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(["version_id"], ["document_version.id"],
                                name=op.f("fk_document_chunk_version_id_document_version"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("version_id", "position", name=op.f("pk_document_chunk")),
    )
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for statement in SQLITE_FTS:
            op.execute(statement)
    elif dialect == "postgresql":
        op.execute("ALTER TABLE document ADD COLUMN search_vector tsvector "
                   "GENERATED ALWAYS AS (to_tsvector('simple', search_text)) STORED")
        op.execute("CREATE INDEX ix_document_search_vector ON document USING gin (search_vector)")
    for right, source in (("documents.view", "contacts.list"), ("documents.file", "contacts.edit")):
        op.execute(
            'INSERT INTO role_right (role_id, "right") '
            f"SELECT role_id, '{right}' FROM role_right WHERE \"right\" = '{source}' "
            f"AND role_id NOT IN (SELECT role_id FROM role_right WHERE \"right\" = '{right}')")


def downgrade():
    op.execute("DELETE FROM role_right WHERE \"right\" IN ('documents.view', 'documents.file')")
    if op.get_bind().dialect.name == "sqlite":
        for trigger in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER IF EXISTS document_fts_after_{trigger}")
        op.execute("DROP TABLE IF EXISTS document_fts")
    op.drop_table("document_chunk")
    op.drop_index(op.f("ix_document_version_created_by_id"), table_name="document_version")
    op.drop_index("ix_document_version_document", table_name="document_version")
    op.drop_table("document_version")
    op.drop_index(op.f("ix_document_contact_contact_id"), table_name="document_contact")
    op.drop_table("document_contact")
    op.drop_index("ix_document_updated", table_name="document")
    op.drop_index(op.f("ix_document_name_key"), table_name="document")
    op.drop_index(op.f("ix_document_client_id"), table_name="document")
    op.drop_table("document")
    op.drop_table("document_category")
