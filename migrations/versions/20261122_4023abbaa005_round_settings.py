"""Round settings (counting rule, quotas, prediction, review policy), their change log, save revisions.

Revision ID: 4023abbaa005
Revises: a76f260bd9cc
Create Date: 2026-11-22 04:36:29.205529

"""
from alembic import op
import sqlalchemy as sa

import contest.database


# revision identifiers, used by Alembic.
revision = '4023abbaa005'
down_revision = 'a76f260bd9cc'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('round_changes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('field', sa.String(length=50), nullable=False),
    sa.Column('old_value', sa.String(length=200), nullable=False),
    sa.Column('new_value', sa.String(length=200), nullable=False),
    sa.Column('changed_at', contest.database.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['round_id'], ['rounds.id'], name=op.f('fk_round_changes_round_id_rounds'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_round_changes_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_round_changes'))
    )
    with op.batch_alter_table('round_changes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_round_changes_round_id'), ['round_id'], unique=False)

    with op.batch_alter_table('attempt_items', schema=None) as batch_op:
        batch_op.add_column(sa.Column('revision', sa.BigInteger(), nullable=False, server_default='0'))

    with op.batch_alter_table('attempts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('prediction', sa.BigInteger(), nullable=True))

    with op.batch_alter_table('contests', schema=None) as batch_op:
        batch_op.add_column(sa.Column('eligible_agency_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_contests_eligible_agency_id_agencies'), 'agencies', ['eligible_agency_id'], ['id'])

    with op.batch_alter_table('question_banks', schema=None) as batch_op:
        batch_op.add_column(sa.Column('revision', sa.Integer(), nullable=False, server_default='0'))

    with op.batch_alter_table('rounds', schema=None) as batch_op:
        batch_op.add_column(sa.Column('counting_rule', sa.String(length=10), nullable=False, server_default='best'))
        batch_op.add_column(sa.Column('quotas', sa.JSON(), nullable=False, server_default='[]'))
        batch_op.add_column(sa.Column('prediction_kind', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('prediction_prompt', sa.String(length=500), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('is_all_required', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('review_policy', sa.String(length=20), nullable=False, server_default='after_close'))
        # Autogenerate does not see check constraints: written by hand, named as the models name them.
        batch_op.create_check_constraint('counting_rule', "counting_rule IN ('best', 'first', 'last')")
        batch_op.create_check_constraint('review_policy', "review_policy IN ('score_only', 'after_close', 'immediate')")
        batch_op.create_check_constraint('prediction_kind', "prediction_kind IS NULL OR prediction_kind IN ('perfect_papers', 'entries')")

    with op.batch_alter_table('standings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('prediction', sa.BigInteger(), nullable=True))



def downgrade():
    with op.batch_alter_table('standings', schema=None) as batch_op:
        batch_op.drop_column('prediction')

    with op.batch_alter_table('rounds', schema=None) as batch_op:
        batch_op.drop_constraint('prediction_kind', type_='check')
        batch_op.drop_constraint('review_policy', type_='check')
        batch_op.drop_constraint('counting_rule', type_='check')
        batch_op.drop_column('review_policy')
        batch_op.drop_column('is_all_required')
        batch_op.drop_column('prediction_prompt')
        batch_op.drop_column('prediction_kind')
        batch_op.drop_column('quotas')
        batch_op.drop_column('counting_rule')

    with op.batch_alter_table('question_banks', schema=None) as batch_op:
        batch_op.drop_column('revision')

    with op.batch_alter_table('contests', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_contests_eligible_agency_id_agencies'), type_='foreignkey')
        batch_op.drop_column('eligible_agency_id')

    with op.batch_alter_table('attempts', schema=None) as batch_op:
        batch_op.drop_column('prediction')

    with op.batch_alter_table('attempt_items', schema=None) as batch_op:
        batch_op.drop_column('revision')

    with op.batch_alter_table('round_changes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_round_changes_round_id'))

    op.drop_table('round_changes')
