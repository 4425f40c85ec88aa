"""Login throttles: failed log-ins counted per account and address, shared by every instance.

Revision ID: a1692a795f52
Revises: 5b1f0c9e7d21
Create Date: 2026-11-30 05:44:31.741962

"""
from alembic import op
import sqlalchemy as sa

import contest.database


# revision identifiers, used by Alembic.
revision = 'a1692a795f52'
down_revision = '5b1f0c9e7d21'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('login_throttles',
    sa.Column('key', sa.String(length=320), nullable=False),
    sa.Column('window_started_at', contest.database.UTCDateTime(), nullable=False),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_login_throttles'))
    )
    with op.batch_alter_table('login_throttles', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_login_throttles_window_started_at'), ['window_started_at'], unique=False)



def downgrade():
    with op.batch_alter_table('login_throttles', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_login_throttles_window_started_at'))

    op.drop_table('login_throttles')
