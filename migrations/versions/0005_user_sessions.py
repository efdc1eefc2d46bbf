"""Sessions kept server-side (user_session), so that they really end.

A session was the signed cookie alone, checked against user.session_version: logout could not end a copy of the
cookie taken before it, and nothing bounded how long a session polled every few seconds lived. Each login now
makes a user_session row (the SHA-256 of the random key the cookie carries, the user, when it started, when it
was last seen, when it ended); every request's user loader reads it, so logout, a new password, a deactivation
or an administrator end it on every app server, and the idle and absolute limits are checked against it.
user.session_version, which did that job for password changes and deactivations only, is dropped: a plain
ALTER TABLE on SQLite (recreate="never"), a copy of the user table would cascade into every table pointing at it.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03 22:45:00
"""
import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "user_session",
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("user_agent", sa.String(length=255), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], name=op.f("fk_user_session_user_id_user"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("key_hash", name=op.f("pk_user_session")),
    )
    with op.batch_alter_table("user_session", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_user_session_user_id"), ["user_id"], unique=False)
    with op.batch_alter_table("user", schema=None, recreate="never") as batch_op:
        batch_op.drop_column("session_version")


def downgrade():
    with op.batch_alter_table("user", schema=None, recreate="never") as batch_op:
        batch_op.add_column(sa.Column("session_version", sa.Integer(), server_default="1", nullable=False))
    with op.batch_alter_table("user_session", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_user_session_user_id"))
    op.drop_table("user_session")
