"""Uploaded bank files waiting between preview and confirmation.

Revision ID: a76f260bd9cc
Revises: bdc292833b0b
Create Date: 2026-11-22 04:23:08.974417

"""
from alembic import op
import sqlalchemy as sa

import contest.database


# revision identifiers, used by Alembic.
revision = 'a76f260bd9cc'
down_revision = 'bdc292833b0b'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('pending_imports',
    sa.Column('token', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('bank_name', sa.String(length=200), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.Column('created_at', contest.database.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_pending_imports_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('token', name=op.f('pk_pending_imports'))
    )


def downgrade():
    op.drop_table('pending_imports')
