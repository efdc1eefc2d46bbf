"""The import preview is paged: the user's choices (create, update or skip per card, the account per company) and
the corrections typed in the preview are kept in the import batch between pages (import_batch.choices).

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-04 21:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("import_batch", schema=None) as batch_op:
        batch_op.add_column(sa.Column("choices", sa.Text(), nullable=True))


def downgrade():
    with op.batch_alter_table("import_batch", schema=None) as batch_op:
        batch_op.drop_column("choices")
