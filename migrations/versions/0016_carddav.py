"""CardDAV address books: app passwords (one per device, only a SHA-256 of the secret stored), the names clients
gave the cards they created, and the snapshot of each address book behind each sync token given to a client.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-04 23:40:00
"""
import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "app_password",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=80), nullable=False),
        sa.Column("secret_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], name=op.f("fk_app_password_user_id_user"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_app_password")),
        sa.UniqueConstraint("secret_hash", name=op.f("uq_app_password_secret_hash")),
    )
    op.create_index(op.f("ix_app_password_user_id"), "app_password", ["user_id"])
    op.create_table(
        "carddav_name",
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.ForeignKeyConstraint(["contact_id"], ["contact.id"], name=op.f("fk_carddav_name_contact_id_contact"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("contact_id", name=op.f("pk_carddav_name")),
        sa.UniqueConstraint("name", name=op.f("uq_carddav_name_name")),
    )
    op.create_table(
        "carddav_snapshot",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("book", sa.String(length=40), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("members", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], name=op.f("fk_carddav_snapshot_user_id_user"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_carddav_snapshot")),
    )
    op.create_index("ix_carddav_snapshot_user_book", "carddav_snapshot", ["user_id", "book", "id"])


def downgrade():
    op.drop_index("ix_carddav_snapshot_user_book", table_name="carddav_snapshot")
    op.drop_table("carddav_snapshot")
    op.drop_table("carddav_name")
    op.drop_index(op.f("ix_app_password_user_id"), table_name="app_password")
    op.drop_table("app_password")
