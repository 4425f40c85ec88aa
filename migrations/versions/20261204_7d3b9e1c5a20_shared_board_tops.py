"""Board tops shared by every worker and instance (contest.leaderboards.shared): a cache table, UNLOGGED
on PostgreSQL.

Revision ID: 7d3b9e1c5a20
Revises: b0263282a67f
Create Date: 2026-12-04 13:00:00

"""
from alembic import op
import sqlalchemy as sa

import contest.database


# revision identifiers, used by Alembic.
revision = '7d3b9e1c5a20'
down_revision = 'b0263282a67f'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('shared_board_tops',
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('expires_at', contest.database.UTCDateTime(), nullable=False),
    sa.Column('payload', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_shared_board_tops'))
    )
    with op.batch_alter_table('shared_board_tops', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_shared_board_tops_expires_at'), ['expires_at'], unique=False)
    if op.get_bind().dialect.name == "postgresql":
        # A cache: no WAL for its writes; after a crash it is empty and the next board rebuilds it.
        op.execute("ALTER TABLE shared_board_tops SET UNLOGGED")


def downgrade():
    with op.batch_alter_table('shared_board_tops', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_shared_board_tops_expires_at'))

    op.drop_table('shared_board_tops')
