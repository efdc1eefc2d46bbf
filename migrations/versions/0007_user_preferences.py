"""A user's remembered screen choices (user_preference): folded filter panel, visible columns, default view.

One row per user and key, the value as JSON text; the keys and what each may hold are declared in
services/preferences.py, so a new choice needs no schema change.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04 04:50:00
"""
import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "user_preference",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=60), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], name=op.f("fk_user_preference_user_id_user"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("user_id", "key", name=op.f("pk_user_preference")),
    )


def downgrade():
    op.drop_table("user_preference")
