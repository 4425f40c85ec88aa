"""Users: a folded search text (name, e-mail, phone, CCCD) for the organizers' account search.

Revision ID: 20662dbf7b54
Revises: a1692a795f52
Create Date: 2026-11-30 06:03:11.905577

"""
from alembic import op
import sqlalchemy as sa

from questions.text import fold


# revision identifiers, used by Alembic.
revision = '20662dbf7b54'
down_revision = 'a1692a795f52'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('search_text', sa.Text(), server_default='', nullable=False))
    # Existing accounts, folded as contest.accounts.services.search_text_of does (in batches).
    users = sa.table('users', sa.column('id', sa.Integer), sa.column('full_name', sa.String),
                     sa.column('email', sa.String), sa.column('phone', sa.String),
                     sa.column('citizen_id', sa.String), sa.column('search_text', sa.Text))
    connection = op.get_bind()
    last = 0
    while True:
        rows = connection.execute(sa.select(users.c.id, users.c.full_name, users.c.email, users.c.phone,
                                            users.c.citizen_id).where(users.c.id > last)
                                  .order_by(users.c.id).limit(5000)).all()
        if not rows:
            break
        connection.execute(users.update().where(users.c.id == sa.bindparam('b_id')),
                           [{'b_id': row.id, 'search_text': fold(' '.join(part for part in row[1:] if part))}
                            for row in rows])
        last = rows[-1].id



def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('search_text')

