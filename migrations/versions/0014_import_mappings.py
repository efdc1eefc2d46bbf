"""The spreadsheet import: the table read from an uploaded file kept beside its cards (import_batch.sheet), and the
mappings users saved (import_mapping): each column's target field, proposed again for a file with the same headers.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-04 17:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("import_batch", schema=None) as batch_op:
        batch_op.add_column(sa.Column("sheet", sa.LargeBinary(), nullable=True))
    op.create_table(
        "import_mapping",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("headers_key", sa.String(length=64), nullable=False),
        sa.Column("targets", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], name=op.f("fk_import_mapping_user_id_user"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_mapping")),
        sa.UniqueConstraint("user_id", "headers_key", name=op.f("uq_import_mapping_user_id_headers_key")),
    )
    op.create_index(op.f("ix_import_mapping_user_id"), "import_mapping", ["user_id"])


def downgrade():
    op.drop_table("import_mapping")
    with op.batch_alter_table("import_batch", schema=None) as batch_op:
        batch_op.drop_column("sheet")
