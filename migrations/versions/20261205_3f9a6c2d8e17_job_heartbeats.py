"""Jobs' heartbeats: a job whose worker died is run again, or failed after JOB_MAX_TRIES.

Revision ID: 3f9a6c2d8e17
Revises: 7d3b9e1c5a20
Create Date: 2026-12-05 00:00:00

"""
from alembic import op
import sqlalchemy as sa

import contest.database


# revision identifiers, used by Alembic.
revision = '3f9a6c2d8e17'
down_revision = '7d3b9e1c5a20'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('heartbeat_at', contest.database.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('tries', sa.Integer(), server_default='0', nullable=False))


def downgrade():
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.drop_column('tries')
        batch_op.drop_column('heartbeat_at')
