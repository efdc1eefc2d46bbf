"""The audit trail tells a vCard import from a CSV one: "vcard" and "csv" channels beside the others.

Until this revision the vCard import wrote "import" (and the CSV import "cli", like the other commands): the
rows already written as "import" all came from a vCard import and are named so. Data only: via stays a
String(10), its values are checked by the services (models.AUDIT_CHANNELS).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04 10:10:00
"""
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade():
    op.execute("UPDATE audit_entry SET via = 'vcard' WHERE via = 'import'")


def downgrade():
    op.execute("UPDATE audit_entry SET via = 'import' WHERE via = 'vcard'")
    op.execute("UPDATE audit_entry SET via = 'cli' WHERE via = 'csv'")
