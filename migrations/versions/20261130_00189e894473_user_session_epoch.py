"""Users: a session epoch, moved by a password change or reset so older sessions stop naming the user.

Revision ID: 00189e894473
Revises: 20662dbf7b54
Create Date: 2026-11-30 06:08:46.583942

"""
from alembic import op
import sqlalchemy as sa



# revision identifiers, used by Alembic.
revision = '00189e894473'
down_revision = '20662dbf7b54'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_epoch', sa.Integer(), server_default='0', nullable=False))



def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('session_epoch')

