"""Saved views of the contacts list (saved_view, saved_view_entity): named query strings, private or shared
with the entities of their owner.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04 10:10:00
"""
import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "saved_view",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("query", sa.String(length=2000), nullable=False),
        sa.Column("shared", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["owner_id"], ["user.id"], name=op.f("fk_saved_view_owner_id_user"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_saved_view")),
        sa.UniqueConstraint("owner_id", "name", name=op.f("uq_saved_view_owner_id_name")),
    )
    op.create_index(op.f("ix_saved_view_owner_id"), "saved_view", ["owner_id"])
    op.create_table(
        "saved_view_entity",
        sa.Column("view_id", sa.Integer(), nullable=False),
        sa.Column("entity_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["view_id"], ["saved_view.id"], name=op.f("fk_saved_view_entity_view_id_saved_view"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["entity_id"], ["entity.id"], name=op.f("fk_saved_view_entity_entity_id_entity"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("view_id", "entity_id", name=op.f("pk_saved_view_entity")),
    )
    op.create_index(op.f("ix_saved_view_entity_entity_id"), "saved_view_entity", ["entity_id"])


def downgrade():
    op.drop_table("saved_view_entity")
    op.drop_table("saved_view")
