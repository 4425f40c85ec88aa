"""Live events (hội thi sân khấu hóa): teams, judges, segments, runs, answers, buzzes, stakes, the marks
ledger; signoffs and result snapshots may sign a live event's final table instead of a round's winners.

Revision ID: e81cea18955b
Revises: c16a9e2f4b70
Create Date: 2026-12-03 21:39:59.165891

"""
from alembic import op
import sqlalchemy as sa

import contest.database


# revision identifiers, used by Alembic.
revision = 'e81cea18955b'
down_revision = 'c16a9e2f4b70'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('live_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=8), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('venue', sa.String(length=200), nullable=False),
    sa.Column('mode', sa.String(length=12), nullable=False),
    sa.Column('bank_id', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', contest.database.UTCDateTime(), nullable=False),
    sa.Column('results_published_at', contest.database.UTCDateTime(), nullable=True),
    sa.CheckConstraint("mode IN ('teams', 'individuals')", name=op.f('ck_live_events_mode')),
    sa.ForeignKeyConstraint(['bank_id'], ['question_banks.id'], name=op.f('fk_live_events_bank_id_question_banks')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_live_events_created_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_live_events')),
    sa.UniqueConstraint('code', name=op.f('uq_live_events_code'))
    )
    op.create_table('live_event_judges',
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['live_events.id'], name=op.f('fk_live_event_judges_event_id_live_events'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_live_event_judges_user_id_users')),
    sa.PrimaryKeyConstraint('event_id', 'user_id', name=op.f('pk_live_event_judges'))
    )
    op.create_table('live_segments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('seconds', sa.Integer(), nullable=False),
    sa.Column('points', sa.Integer(), nullable=False),
    sa.Column('settings', sa.JSON(), nullable=False),
    sa.CheckConstraint("kind IN ('all_answer', 'speed', 'buzzer', 'star')", name=op.f('ck_live_segments_kind')),
    sa.CheckConstraint('seconds > 0 AND points >= 0', name=op.f('ck_live_segments_timing')),
    sa.ForeignKeyConstraint(['event_id'], ['live_events.id'], name=op.f('fk_live_segments_event_id_live_events'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_live_segments'))
    )
    with op.batch_alter_table('live_segments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_live_segments_event_id'), ['event_id'], unique=False)

    op.create_table('live_teams',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=True),
    sa.Column('members', sa.Text(), nullable=False),
    sa.Column('pin', sa.String(length=6), nullable=False),
    sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'], name=op.f('fk_live_teams_agency_id_agencies')),
    sa.ForeignKeyConstraint(['event_id'], ['live_events.id'], name=op.f('fk_live_teams_event_id_live_events'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_live_teams')),
    sa.UniqueConstraint('event_id', 'name', name=op.f('uq_live_teams_event_id_name'))
    )
    with op.batch_alter_table('live_teams', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_live_teams_event_id'), ['event_id'], unique=False)

    op.create_table('live_questions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('segment_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['question_id'], ['questions.id'], name=op.f('fk_live_questions_question_id_questions')),
    sa.ForeignKeyConstraint(['segment_id'], ['live_segments.id'], name=op.f('fk_live_questions_segment_id_live_segments'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_live_questions')),
    sa.UniqueConstraint('segment_id', 'question_id', name=op.f('uq_live_questions_segment_id_question_id'))
    )
    with op.batch_alter_table('live_questions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_live_questions_segment_id'), ['segment_id'], unique=False)

    op.create_table('live_runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('is_rehearsal', sa.Boolean(), nullable=False),
    sa.Column('started_at', contest.database.UTCDateTime(), nullable=False),
    sa.Column('ended_at', contest.database.UTCDateTime(), nullable=True),
    sa.Column('started_by_id', sa.Integer(), nullable=True),
    sa.Column('phase', sa.String(length=12), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=True),
    sa.Column('opened_at', contest.database.UTCDateTime(), nullable=True),
    sa.Column('locks_at', contest.database.UTCDateTime(), nullable=True),
    sa.Column('remaining_ms', sa.Integer(), nullable=True),
    sa.Column('buzz_team_id', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint("phase IN ('lobby', 'staking', 'open', 'paused', 'locked', 'revealed', 'scoreboard', 'finished')", name=op.f('ck_live_runs_phase')),
    sa.ForeignKeyConstraint(['buzz_team_id'], ['live_teams.id'], name=op.f('fk_live_runs_buzz_team_id_live_teams')),
    sa.ForeignKeyConstraint(['event_id'], ['live_events.id'], name=op.f('fk_live_runs_event_id_live_events'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['question_id'], ['live_questions.id'], name=op.f('fk_live_runs_question_id_live_questions')),
    sa.ForeignKeyConstraint(['started_by_id'], ['users.id'], name=op.f('fk_live_runs_started_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_live_runs'))
    )
    with op.batch_alter_table('live_runs', schema=None) as batch_op:
        batch_op.create_index('uq_live_runs_active', ['event_id'], unique=True, sqlite_where=sa.text('ended_at IS NULL'), postgresql_where=sa.text('ended_at IS NULL'))
        batch_op.create_index('uq_live_runs_real', ['event_id'], unique=True, sqlite_where=sa.text('is_rehearsal = 0'), postgresql_where=sa.text('NOT is_rehearsal'))

    op.create_table('live_answers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('choice', sa.SmallInteger(), nullable=False),
    sa.Column('device', sa.String(length=16), nullable=False),
    sa.Column('received_at', contest.database.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['question_id'], ['live_questions.id'], name=op.f('fk_live_answers_question_id_live_questions')),
    sa.ForeignKeyConstraint(['run_id'], ['live_runs.id'], name=op.f('fk_live_answers_run_id_live_runs'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['team_id'], ['live_teams.id'], name=op.f('fk_live_answers_team_id_live_teams')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_live_answers')),
    sa.UniqueConstraint('run_id', 'question_id', 'team_id', name=op.f('uq_live_answers_run_id_question_id_team_id'))
    )
    op.create_table('live_buzzes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('pressed_at', contest.database.UTCDateTime(), nullable=False),
    sa.Column('is_correct', sa.Boolean(), nullable=True),
    sa.ForeignKeyConstraint(['question_id'], ['live_questions.id'], name=op.f('fk_live_buzzes_question_id_live_questions')),
    sa.ForeignKeyConstraint(['run_id'], ['live_runs.id'], name=op.f('fk_live_buzzes_run_id_live_runs'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['team_id'], ['live_teams.id'], name=op.f('fk_live_buzzes_team_id_live_teams')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_live_buzzes')),
    sa.UniqueConstraint('run_id', 'question_id', 'team_id', name=op.f('uq_live_buzzes_run_id_question_id_team_id'))
    )
    op.create_table('live_marks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('points', sa.Integer(), nullable=False),
    sa.Column('is_correct', sa.Boolean(), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('created_at', contest.database.UTCDateTime(), nullable=False),
    sa.CheckConstraint("kind IN ('auto', 'host', 'correction')", name=op.f('ck_live_marks_kind')),
    sa.ForeignKeyConstraint(['question_id'], ['live_questions.id'], name=op.f('fk_live_marks_question_id_live_questions')),
    sa.ForeignKeyConstraint(['run_id'], ['live_runs.id'], name=op.f('fk_live_marks_run_id_live_runs'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['team_id'], ['live_teams.id'], name=op.f('fk_live_marks_team_id_live_teams')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_live_marks_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_live_marks'))
    )
    with op.batch_alter_table('live_marks', schema=None) as batch_op:
        batch_op.create_index('ix_live_marks_run_team', ['run_id', 'team_id'], unique=False)

    op.create_table('live_stakes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('staked_at', contest.database.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['question_id'], ['live_questions.id'], name=op.f('fk_live_stakes_question_id_live_questions')),
    sa.ForeignKeyConstraint(['run_id'], ['live_runs.id'], name=op.f('fk_live_stakes_run_id_live_runs'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['team_id'], ['live_teams.id'], name=op.f('fk_live_stakes_team_id_live_teams')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_live_stakes')),
    sa.UniqueConstraint('run_id', 'question_id', 'team_id', name=op.f('uq_live_stakes_run_id_question_id_team_id'))
    )
    with op.batch_alter_table('result_snapshots', schema=None) as batch_op:
        batch_op.add_column(sa.Column('live_event_id', sa.Integer(), nullable=True))
        batch_op.alter_column('round_id',
               existing_type=sa.INTEGER(),
               nullable=True)
        batch_op.create_unique_constraint(batch_op.f('uq_result_snapshots_live_event_id'), ['live_event_id'])
        batch_op.create_foreign_key(batch_op.f('fk_result_snapshots_live_event_id_live_events'), 'live_events', ['live_event_id'], ['id'], ondelete='CASCADE')
        batch_op.create_check_constraint(batch_op.f('ck_result_snapshots_one_subject'),
                                         '(round_id IS NULL) <> (live_event_id IS NULL)')

    with op.batch_alter_table('signoffs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('live_event_id', sa.Integer(), nullable=True))
        batch_op.alter_column('round_id',
               existing_type=sa.INTEGER(),
               nullable=True)
        batch_op.create_unique_constraint(batch_op.f('uq_signoffs_live_event_id_judge_id_checksum'), ['live_event_id', 'judge_id', 'checksum'])
        batch_op.create_foreign_key(batch_op.f('fk_signoffs_live_event_id_live_events'), 'live_events', ['live_event_id'], ['id'], ondelete='CASCADE')
        batch_op.create_check_constraint(batch_op.f('ck_signoffs_one_subject'), '(round_id IS NULL) <> (live_event_id IS NULL)')



def downgrade():
    op.execute("DELETE FROM signoffs WHERE live_event_id IS NOT NULL")
    op.execute("DELETE FROM result_snapshots WHERE live_event_id IS NOT NULL")
    with op.batch_alter_table('signoffs', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_signoffs_one_subject'), type_='check')
        batch_op.drop_constraint(batch_op.f('fk_signoffs_live_event_id_live_events'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('uq_signoffs_live_event_id_judge_id_checksum'), type_='unique')
        batch_op.alter_column('round_id',
               existing_type=sa.INTEGER(),
               nullable=False)
        batch_op.drop_column('live_event_id')

    with op.batch_alter_table('result_snapshots', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_result_snapshots_one_subject'), type_='check')
        batch_op.drop_constraint(batch_op.f('fk_result_snapshots_live_event_id_live_events'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('uq_result_snapshots_live_event_id'), type_='unique')
        batch_op.alter_column('round_id',
               existing_type=sa.INTEGER(),
               nullable=False)
        batch_op.drop_column('live_event_id')

    op.drop_table('live_stakes')
    with op.batch_alter_table('live_marks', schema=None) as batch_op:
        batch_op.drop_index('ix_live_marks_run_team')

    op.drop_table('live_marks')
    op.drop_table('live_buzzes')
    op.drop_table('live_answers')
    with op.batch_alter_table('live_runs', schema=None) as batch_op:
        batch_op.drop_index('uq_live_runs_real', sqlite_where=sa.text('is_rehearsal = 0'), postgresql_where=sa.text('NOT is_rehearsal'))
        batch_op.drop_index('uq_live_runs_active', sqlite_where=sa.text('ended_at IS NULL'), postgresql_where=sa.text('ended_at IS NULL'))

    op.drop_table('live_runs')
    with op.batch_alter_table('live_questions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_live_questions_segment_id'))

    op.drop_table('live_questions')
    with op.batch_alter_table('live_teams', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_live_teams_event_id'))

    op.drop_table('live_teams')
    with op.batch_alter_table('live_segments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_live_segments_event_id'))

    op.drop_table('live_segments')
    op.drop_table('live_event_judges')
    op.drop_table('live_events')
