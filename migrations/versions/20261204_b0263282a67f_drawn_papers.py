"""Papers drawn ahead of a round's opening (contest.attempts.ahead), claimed by starts on PostgreSQL.

Revision ID: b0263282a67f
Revises: 04e2ca504a1f
Create Date: 2026-12-04 02:25:22.848427

"""
from alembic import op
import sqlalchemy as sa

import contest.database


# revision identifiers, used by Alembic.
revision = 'b0263282a67f'
down_revision = '04e2ca504a1f'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('drawn_papers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('bank_id', sa.Integer(), nullable=False),
    sa.Column('recipe', sa.String(length=32), nullable=False),
    sa.Column('seed', sa.BigInteger(), nullable=False),
    sa.Column('items', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['bank_id'], ['question_banks.id'], name=op.f('fk_drawn_papers_bank_id_question_banks'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['round_id'], ['rounds.id'], name=op.f('fk_drawn_papers_round_id_rounds'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_drawn_papers'))
    )
    with op.batch_alter_table('drawn_papers', schema=None) as batch_op:
        batch_op.create_index('ix_drawn_papers_round_recipe', ['round_id', 'recipe', 'id'], unique=False)



def downgrade():
    with op.batch_alter_table('drawn_papers', schema=None) as batch_op:
        batch_op.drop_index('ix_drawn_papers_round_recipe')

    op.drop_table('drawn_papers')
