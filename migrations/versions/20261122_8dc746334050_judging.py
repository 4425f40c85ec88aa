"""Judging: contest standings, prediction tie-break, frozen boards, prizes, sign-offs, snapshots, audit log.

Revision ID: 8dc746334050
Revises: 4023abbaa005
Create Date: 2026-11-22 04:46:16.167487

"""
from alembic import op
import sqlalchemy as sa

import contest.database


# revision identifiers, used by Alembic.
revision = '8dc746334050'
down_revision = '4023abbaa005'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('audit_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=60), nullable=False),
    sa.Column('target_type', sa.String(length=40), nullable=False),
    sa.Column('target_id', sa.Integer(), nullable=True),
    sa.Column('details', sa.JSON(), nullable=False),
    sa.Column('created_at', contest.database.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_audit_log_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_log'))
    )
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_log_created_at'), ['created_at'], unique=False)
        batch_op.create_index('ix_audit_log_target', ['target_type', 'target_id'], unique=False)

    op.create_table('contest_standings',
    sa.Column('contest_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=True),
    sa.Column('agency_path', sa.String(length=255), nullable=False),
    sa.Column('score', sa.Integer(), nullable=False),
    sa.Column('max_score', sa.Integer(), nullable=False),
    sa.Column('duration_ms', sa.BigInteger(), nullable=False),
    sa.Column('submitted_at', contest.database.UTCDateTime(), nullable=False),
    sa.Column('rounds_taken', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'], name=op.f('fk_contest_standings_agency_id_agencies')),
    sa.ForeignKeyConstraint(['contest_id'], ['contests.id'], name=op.f('fk_contest_standings_contest_id_contests')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_contest_standings_user_id_users')),
    sa.PrimaryKeyConstraint('contest_id', 'user_id', name=op.f('pk_contest_standings'))
    )
    with op.batch_alter_table('contest_standings', schema=None) as batch_op:
        # Autogenerate cannot see indexes with a sort direction: the boards' orders, by hand.
        batch_op.create_index('ix_contest_standings_rank', ['contest_id', sa.text('score DESC'), 'duration_ms', 'submitted_at', 'user_id'], unique=False)
        batch_op.create_index('ix_contest_standings_path', ['contest_id', 'agency_path'], unique=False, postgresql_ops={'agency_path': 'text_pattern_ops'})

    op.create_table('exclusions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('judge_id', sa.Integer(), nullable=False),
    sa.Column('created_at', contest.database.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['judge_id'], ['users.id'], name=op.f('fk_exclusions_judge_id_users')),
    sa.ForeignKeyConstraint(['round_id'], ['rounds.id'], name=op.f('fk_exclusions_round_id_rounds'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_exclusions_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_exclusions')),
    sa.UniqueConstraint('round_id', 'user_id', name=op.f('uq_exclusions_round_id_user_id'))
    )
    op.create_table('prize_rules',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('stream', sa.String(length=50), nullable=False, server_default='CBCCVC'),
    sa.Column('rank_order', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=60), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.Column('points', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['round_id'], ['rounds.id'], name=op.f('fk_prize_rules_round_id_rounds'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_prize_rules')),
    sa.UniqueConstraint('round_id', 'stream', 'rank_order', name=op.f('uq_prize_rules_round_id_stream_rank_order'))
    )
    with op.batch_alter_table('prize_rules', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_prize_rules_round_id'), ['round_id'], unique=False)

    op.create_table('result_snapshots',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('payload', sa.Text(), nullable=False),
    sa.Column('checksum', sa.String(length=64), nullable=False),
    sa.Column('created_at', contest.database.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['round_id'], ['rounds.id'], name=op.f('fk_result_snapshots_round_id_rounds')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_result_snapshots')),
    sa.UniqueConstraint('round_id', name=op.f('uq_result_snapshots_round_id'))
    )
    op.create_table('signoffs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('judge_id', sa.Integer(), nullable=False),
    sa.Column('checksum', sa.String(length=64), nullable=False),
    sa.Column('created_at', contest.database.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['judge_id'], ['users.id'], name=op.f('fk_signoffs_judge_id_users')),
    sa.ForeignKeyConstraint(['round_id'], ['rounds.id'], name=op.f('fk_signoffs_round_id_rounds'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_signoffs')),
    sa.UniqueConstraint('round_id', 'judge_id', name=op.f('uq_signoffs_round_id_judge_id'))
    )
    with op.batch_alter_table('agencies', schema=None) as batch_op:
        batch_op.add_column(sa.Column('group_name', sa.String(length=100), nullable=False, server_default=''))

    with op.batch_alter_table('attempts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('client_ip', sa.String(length=45), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('device_id', sa.String(length=64), nullable=False, server_default=''))

    with op.batch_alter_table('contests', schema=None) as batch_op:
        batch_op.add_column(sa.Column('streams', sa.JSON(), nullable=False, server_default='["CBCCVC"]'))
        batch_op.add_column(sa.Column('overall_rule', sa.String(length=10), nullable=False, server_default='sum'))
        batch_op.add_column(sa.Column('name_mask', sa.String(length=10), nullable=False, server_default='initials'))
        batch_op.add_column(sa.Column('agency_min_rate', sa.Float(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('agency_formula', sa.String(length=20), nullable=False, server_default='rate_and_score'))
        batch_op.add_column(sa.Column('agency_rate_weight', sa.Float(), nullable=False, server_default='0.5'))
        batch_op.add_column(sa.Column('is_one_prize_per_person', sa.Boolean(), nullable=False, server_default=sa.true()))

    with op.batch_alter_table('rounds', schema=None) as batch_op:
        batch_op.add_column(sa.Column('stream_banks', sa.JSON(), nullable=False, server_default='{}'))
        batch_op.add_column(sa.Column('freeze_at', contest.database.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('published_at', contest.database.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('prediction_truth', sa.BigInteger(), nullable=True))

    with op.batch_alter_table('standings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('prediction_error', sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column('frozen_score', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('frozen_duration_ms', sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column('frozen_submitted_at', contest.database.UTCDateTime(), nullable=True))
        batch_op.create_index('ix_standings_final_rank', ['round_id', sa.text('score DESC'), 'prediction_error', 'duration_ms', 'submitted_at', 'user_id'], unique=False)

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('stream', sa.String(length=50), nullable=False, server_default='CBCCVC'))



def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('stream')

    with op.batch_alter_table('standings', schema=None) as batch_op:
        batch_op.drop_index('ix_standings_final_rank')
        batch_op.drop_column('frozen_submitted_at')
        batch_op.drop_column('frozen_duration_ms')
        batch_op.drop_column('frozen_score')
        batch_op.drop_column('prediction_error')

    with op.batch_alter_table('rounds', schema=None) as batch_op:
        batch_op.drop_column('prediction_truth')
        batch_op.drop_column('published_at')
        batch_op.drop_column('freeze_at')
        batch_op.drop_column('stream_banks')

    with op.batch_alter_table('contests', schema=None) as batch_op:
        batch_op.drop_column('is_one_prize_per_person')
        batch_op.drop_column('agency_rate_weight')
        batch_op.drop_column('agency_formula')
        batch_op.drop_column('agency_min_rate')
        batch_op.drop_column('name_mask')
        batch_op.drop_column('overall_rule')
        batch_op.drop_column('streams')

    with op.batch_alter_table('attempts', schema=None) as batch_op:
        batch_op.drop_column('device_id')
        batch_op.drop_column('client_ip')

    with op.batch_alter_table('agencies', schema=None) as batch_op:
        batch_op.drop_column('group_name')

    op.drop_table('signoffs')
    op.drop_table('result_snapshots')
    with op.batch_alter_table('prize_rules', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_prize_rules_round_id'))

    op.drop_table('prize_rules')
    op.drop_table('exclusions')
    with op.batch_alter_table('contest_standings', schema=None) as batch_op:
        batch_op.drop_index('ix_contest_standings_rank')
        batch_op.drop_index('ix_contest_standings_path', postgresql_ops={'agency_path': 'text_pattern_ops'})

    op.drop_table('contest_standings')
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_log_target')
        batch_op.drop_index(batch_op.f('ix_audit_log_created_at'))

    op.drop_table('audit_log')
