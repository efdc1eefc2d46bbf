"""vCard uploads kept between their preview and their commit (import_batch).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28 16:24:43.911010
"""
import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "import_batch",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("card_count", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], name=op.f("fk_import_batch_user_id_user"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_batch")),
        sa.UniqueConstraint("token", name=op.f("uq_import_batch_token")),
    )
    with op.batch_alter_table("import_batch", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_import_batch_created_at"), ["created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_import_batch_user_id"), ["user_id"], unique=False)


def downgrade():
    with op.batch_alter_table("import_batch", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_import_batch_user_id"))
        batch_op.drop_index(batch_op.f("ix_import_batch_created_at"))
    op.drop_table("import_batch")
