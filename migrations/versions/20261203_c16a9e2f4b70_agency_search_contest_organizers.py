"""Agencies: a folded name for the agency picker; contests: who organizes them, for the home page;
pending uploads: their kind (a question bank or the agency list).

Revision ID: c16a9e2f4b70
Revises: 3764cb6aa5ba
Create Date: 2026-12-03 09:00:00

"""
from alembic import op
import sqlalchemy as sa

from questions.text import fold


# revision identifiers, used by Alembic.
revision = 'c16a9e2f4b70'
down_revision = '3764cb6aa5ba'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('agencies', schema=None) as batch_op:
        batch_op.add_column(sa.Column('search_name', sa.String(length=255), server_default='', nullable=False))
    with op.batch_alter_table('contests', schema=None) as batch_op:
        batch_op.add_column(sa.Column('organizers', sa.Text(), server_default='', nullable=False))
    with op.batch_alter_table('pending_imports', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kind', sa.String(length=20), server_default='questions', nullable=False))
    # Existing agencies, folded as the model's validator does (a province has thousands at most).
    agencies = sa.table('agencies', sa.column('id', sa.Integer), sa.column('name', sa.String),
                        sa.column('search_name', sa.String))
    connection = op.get_bind()
    rows = connection.execute(sa.select(agencies.c.id, agencies.c.name)).all()
    if rows:
        connection.execute(agencies.update().where(agencies.c.id == sa.bindparam('b_id')),
                           [{'b_id': row.id, 'search_name': fold(row.name or '')} for row in rows])


def downgrade():
    with op.batch_alter_table('pending_imports', schema=None) as batch_op:
        batch_op.drop_column('kind')
    with op.batch_alter_table('contests', schema=None) as batch_op:
        batch_op.drop_column('organizers')
    with op.batch_alter_table('agencies', schema=None) as batch_op:
        batch_op.drop_column('search_name')
