"""The right "Exporter la liste" (CSV and Excel export of the contacts list), given to every role that holds
"Exporter en VCF" today: rights are rows of role_right, so a database made before this revision gets it here
(`crm init` only seeds roles that do not exist yet).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04 14:00:00
"""
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade():
    op.execute(
        'INSERT INTO role_right (role_id, "right") '
        "SELECT role_id, 'contacts.export_list' FROM role_right WHERE \"right\" = 'contacts.export' "
        "AND role_id NOT IN (SELECT role_id FROM role_right WHERE \"right\" = 'contacts.export_list')")


def downgrade():
    op.execute("DELETE FROM role_right WHERE \"right\" = 'contacts.export_list'")
