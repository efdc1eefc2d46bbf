"""One contact per e-mail, enforced by the database: a unique index on contact.email_key (the folded e-mail).

The form checked the e-mail before writing, so two simultaneous creates with the same address both passed the
check and both wrote. The plain index on email_key becomes a unique one (NULLs, contacts without an e-mail, stay
allowed on both databases). A database upgraded with duplicates already in it must not fail: every contact but the
oldest of an address loses its key (its e-mail text is kept, so nothing a user typed is lost); the next save of
such a contact recomputes the key and is refused as "e-mail already used" until the duplicate is resolved.

Idempotency keys (idempotency_key): a create form carries a random key; the first request with it writes the row
(user, key), a repeat (a double submit, a retry after a network error) finds it and answers with the record the
first one made. In the database, so that it holds across app servers; rows older than a day are purged.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03 23:55:00
"""
import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "idempotency_key",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("record_type", sa.String(length=40), nullable=True),
        sa.Column("record_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], name=op.f("fk_idempotency_key_user_id_user"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("user_id", "key", name=op.f("pk_idempotency_key")),
    )
    with op.batch_alter_table("idempotency_key", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_idempotency_key_created_at"), ["created_at"], unique=False)
    op.execute("UPDATE contact SET email_key = NULL WHERE email_key IS NOT NULL AND id > "
               "(SELECT MIN(other.id) FROM contact AS other WHERE other.email_key = contact.email_key)")
    with op.batch_alter_table("contact", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_contact_email_key"))
        batch_op.create_index(batch_op.f("ix_contact_email_key"), ["email_key"], unique=True)


def downgrade():
    with op.batch_alter_table("contact", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_contact_email_key"))
        batch_op.create_index(batch_op.f("ix_contact_email_key"), ["email_key"], unique=False)
    op.execute("UPDATE contact SET email_key = LOWER(email) WHERE email_key IS NULL AND email IS NOT NULL")
    with op.batch_alter_table("idempotency_key", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_idempotency_key_created_at"))
    op.drop_table("idempotency_key")
