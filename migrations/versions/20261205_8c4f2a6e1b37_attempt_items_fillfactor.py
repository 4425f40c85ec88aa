"""attempt_items pages filled to 80 % on PostgreSQL, so answer saves and the submission's marking are HOT updates.

Revision ID: 8c4f2a6e1b37
Revises: 3f9a6c2d8e17
Create Date: 2026-12-05 06:30:00

Pages written before the change keep their fill until they are rewritten; new papers get the room.
"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '8c4f2a6e1b37'
down_revision = '3f9a6c2d8e17'
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE attempt_items SET (fillfactor = 80)")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE attempt_items RESET (fillfactor)")
