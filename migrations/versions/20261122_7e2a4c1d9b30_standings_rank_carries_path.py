"""Standings: the rank index carries the agency path, so a large agency's top page is an index-only
scan from the top of the round's board.

Revision ID: 7e2a4c1d9b30
Revises: 5b1f0c9e7d21
Create Date: 2026-11-22 10:20:00.000000

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '7e2a4c1d9b30'
down_revision = '5b1f0c9e7d21'
branch_labels = None
depends_on = None

COLUMNS = ['round_id', sa.text('score DESC'), 'duration_ms', 'submitted_at', 'user_id']


def upgrade():
    with op.batch_alter_table('standings', schema=None) as batch_op:
        batch_op.drop_index('ix_standings_rank')
        batch_op.create_index('ix_standings_rank', COLUMNS, unique=False, postgresql_include=['agency_path'])


def downgrade():
    with op.batch_alter_table('standings', schema=None) as batch_op:
        batch_op.drop_index('ix_standings_rank')
        batch_op.create_index('ix_standings_rank', COLUMNS, unique=False)
