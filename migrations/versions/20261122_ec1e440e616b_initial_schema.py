"""Initial schema: agencies, accounts, legal documents, banks, contests, rounds, attempts, standings.

Revision ID: ec1e440e616b
Revises: 
Create Date: 2026-11-22 03:54:59.942940

"""
from alembic import op
import sqlalchemy as sa

import contest.database


# revision identifiers, used by Alembic.
revision = 'ec1e440e616b'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('agencies',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=50), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('level', sa.SmallInteger(), nullable=False),
    sa.Column('headcount', sa.Integer(), nullable=False),
    sa.Column('path', sa.String(length=255), nullable=False),
    sa.CheckConstraint('headcount >= 0', name=op.f('ck_agencies_headcount_not_negative')),
    sa.ForeignKeyConstraint(['parent_id'], ['agencies.id'], name=op.f('fk_agencies_parent_id_agencies')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agencies')),
    sa.UniqueConstraint('code', name=op.f('uq_agencies_code'))
    )
    with op.batch_alter_table('agencies', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_agencies_parent_id'), ['parent_id'], unique=False)
        batch_op.create_index('ix_agencies_path', ['path'], unique=False, postgresql_ops={'path': 'text_pattern_ops'})

    op.create_table('contests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=100), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('rules_text', sa.Text(), nullable=False),
    sa.Column('created_at', contest.database.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contests')),
    sa.UniqueConstraint('slug', name=op.f('uq_contests_slug'))
    )
    op.create_table('legal_documents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=60), nullable=False),
    sa.Column('kind', sa.String(length=60), nullable=False),
    sa.Column('title', sa.String(length=500), nullable=False),
    sa.Column('issuer', sa.String(length=200), nullable=False),
    sa.Column('issued_on', sa.Date(), nullable=True),
    sa.Column('effective_on', sa.Date(), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('replaced_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("status IN ('in_force', 'amended', 'replaced')", name=op.f('ck_legal_documents_status')),
    sa.ForeignKeyConstraint(['replaced_by_id'], ['legal_documents.id'], name=op.f('fk_legal_documents_replaced_by_id_legal_documents')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_legal_documents')),
    sa.UniqueConstraint('number', name=op.f('uq_legal_documents_number'))
    )
    op.create_table('question_banks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('created_at', contest.database.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_question_banks')),
    sa.UniqueConstraint('name', name=op.f('uq_question_banks_name'))
    )
    op.create_table('questions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('bank_id', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('choices', sa.JSON(), nullable=False),
    sa.Column('correct', sa.JSON(), nullable=False),
    sa.Column('topic', sa.String(length=200), nullable=False),
    sa.Column('difficulty', sa.String(length=10), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=True),
    sa.Column('article', sa.String(length=10), nullable=False),
    sa.Column('clause', sa.String(length=100), nullable=False),
    sa.Column('citation', sa.String(length=300), nullable=False),
    sa.Column('explanation', sa.Text(), nullable=False),
    sa.Column('audience', sa.String(length=50), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('fingerprint', sa.String(length=64), nullable=False),
    sa.Column('created_at', contest.database.UTCDateTime(), nullable=False),
    sa.CheckConstraint("difficulty IN ('easy', 'medium', 'hard')", name=op.f('ck_questions_difficulty')),
    sa.CheckConstraint("status IN ('draft', 'approved', 'retired')", name=op.f('ck_questions_status')),
    sa.ForeignKeyConstraint(['bank_id'], ['question_banks.id'], name=op.f('fk_questions_bank_id_question_banks')),
    sa.ForeignKeyConstraint(['document_id'], ['legal_documents.id'], name=op.f('fk_questions_document_id_legal_documents')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_questions')),
    sa.UniqueConstraint('bank_id', 'fingerprint', name=op.f('uq_questions_bank_id_fingerprint'))
    )
    with op.batch_alter_table('questions', schema=None) as batch_op:
        batch_op.create_index('ix_questions_bank_status', ['bank_id', 'status'], unique=False)
        batch_op.create_index(batch_op.f('ix_questions_document_id'), ['document_id'], unique=False)

    op.create_table('rounds',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('contest_id', sa.Integer(), nullable=False),
    sa.Column('bank_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('opens_at', contest.database.UTCDateTime(), nullable=False),
    sa.Column('closes_at', contest.database.UTCDateTime(), nullable=False),
    sa.Column('time_limit_seconds', sa.Integer(), nullable=False),
    sa.Column('question_count', sa.Integer(), nullable=False),
    sa.Column('attempts_allowed', sa.Integer(), nullable=True),
    sa.Column('created_at', contest.database.UTCDateTime(), nullable=False),
    sa.CheckConstraint('attempts_allowed IS NULL OR attempts_allowed > 0', name=op.f('ck_rounds_attempts_positive')),
    sa.CheckConstraint('closes_at > opens_at', name=op.f('ck_rounds_window_not_empty')),
    sa.CheckConstraint('question_count > 0', name=op.f('ck_rounds_question_count_positive')),
    sa.CheckConstraint('time_limit_seconds > 0', name=op.f('ck_rounds_time_limit_positive')),
    sa.ForeignKeyConstraint(['bank_id'], ['question_banks.id'], name=op.f('fk_rounds_bank_id_question_banks')),
    sa.ForeignKeyConstraint(['contest_id'], ['contests.id'], name=op.f('fk_rounds_contest_id_contests')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rounds'))
    )
    with op.batch_alter_table('rounds', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rounds_contest_id'), ['contest_id'], unique=False)

    op.create_table('users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('full_name', sa.String(length=150), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('phone', sa.String(length=20), nullable=True),
    sa.Column('citizen_id', sa.String(length=12), nullable=True),
    sa.Column('birth_date', sa.Date(), nullable=True),
    sa.Column('agency_id', sa.Integer(), nullable=True),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('consented_at', contest.database.UTCDateTime(), nullable=True),
    sa.Column('created_at', contest.database.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'], name=op.f('fk_users_agency_id_agencies')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
    sa.UniqueConstraint('citizen_id', name=op.f('uq_users_citizen_id')),
    sa.UniqueConstraint('email', name=op.f('uq_users_email'))
    )
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_users_agency_id'), ['agency_id'], unique=False)

    op.create_table('attempts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('seed', sa.BigInteger(), nullable=False),
    sa.Column('started_at', contest.database.UTCDateTime(), nullable=False),
    sa.Column('deadline_at', contest.database.UTCDateTime(), nullable=False),
    sa.Column('submitted_at', contest.database.UTCDateTime(), nullable=True),
    sa.Column('is_auto_submitted', sa.Boolean(), nullable=False),
    sa.Column('score', sa.Integer(), nullable=True),
    sa.Column('max_score', sa.Integer(), nullable=False),
    sa.Column('duration_ms', sa.BigInteger(), nullable=True),
    sa.CheckConstraint('number > 0', name=op.f('ck_attempts_number_positive')),
    sa.ForeignKeyConstraint(['round_id'], ['rounds.id'], name=op.f('fk_attempts_round_id_rounds')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_attempts_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attempts')),
    sa.UniqueConstraint('user_id', 'round_id', 'number', name=op.f('uq_attempts_user_id_round_id_number'))
    )
    with op.batch_alter_table('attempts', schema=None) as batch_op:
        batch_op.create_index('ix_attempts_open_deadline', ['deadline_at'], unique=False, sqlite_where=sa.text('submitted_at IS NULL'), postgresql_where=sa.text('submitted_at IS NULL'))
        batch_op.create_index(batch_op.f('ix_attempts_round_id'), ['round_id'], unique=False)
        batch_op.create_index('uq_attempts_one_in_progress', ['user_id', 'round_id'], unique=True, sqlite_where=sa.text('submitted_at IS NULL'), postgresql_where=sa.text('submitted_at IS NULL'))

    op.create_table('attempt_items',
    sa.Column('attempt_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.SmallInteger(), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('choice_order', sa.JSON(), nullable=False),
    sa.Column('selected', sa.JSON(), nullable=True),
    sa.Column('answered_at', contest.database.UTCDateTime(), nullable=True),
    sa.Column('is_correct', sa.Boolean(), nullable=True),
    sa.ForeignKeyConstraint(['attempt_id'], ['attempts.id'], name=op.f('fk_attempt_items_attempt_id_attempts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['question_id'], ['questions.id'], name=op.f('fk_attempt_items_question_id_questions')),
    sa.PrimaryKeyConstraint('attempt_id', 'position', name=op.f('pk_attempt_items'))
    )
    with op.batch_alter_table('attempt_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_attempt_items_question_id'), ['question_id'], unique=False)

    op.create_table('standings',
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=True),
    sa.Column('agency_path', sa.String(length=255), nullable=False),
    sa.Column('attempt_id', sa.Integer(), nullable=False),
    sa.Column('score', sa.Integer(), nullable=False),
    sa.Column('max_score', sa.Integer(), nullable=False),
    sa.Column('duration_ms', sa.BigInteger(), nullable=False),
    sa.Column('submitted_at', contest.database.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'], name=op.f('fk_standings_agency_id_agencies')),
    sa.ForeignKeyConstraint(['attempt_id'], ['attempts.id'], name=op.f('fk_standings_attempt_id_attempts')),
    sa.ForeignKeyConstraint(['round_id'], ['rounds.id'], name=op.f('fk_standings_round_id_rounds')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_standings_user_id_users')),
    sa.PrimaryKeyConstraint('round_id', 'user_id', name=op.f('pk_standings'))
    )
    with op.batch_alter_table('standings', schema=None) as batch_op:
        # Autogenerate cannot see this index (it sorts score descending): the leaderboard's order.
        batch_op.create_index('ix_standings_rank', ['round_id', sa.text('score DESC'), 'duration_ms', 'submitted_at', 'user_id'], unique=False)
        batch_op.create_index('ix_standings_round_agency', ['round_id', 'agency_id'], unique=False)
        batch_op.create_index('ix_standings_round_path', ['round_id', 'agency_path'], unique=False, postgresql_ops={'agency_path': 'text_pattern_ops'})



def downgrade():
    with op.batch_alter_table('standings', schema=None) as batch_op:
        batch_op.drop_index('ix_standings_round_path', postgresql_ops={'agency_path': 'text_pattern_ops'})
        batch_op.drop_index('ix_standings_round_agency')
        batch_op.drop_index('ix_standings_rank')

    op.drop_table('standings')
    with op.batch_alter_table('attempt_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_attempt_items_question_id'))

    op.drop_table('attempt_items')
    with op.batch_alter_table('attempts', schema=None) as batch_op:
        batch_op.drop_index('uq_attempts_one_in_progress', sqlite_where=sa.text('submitted_at IS NULL'), postgresql_where=sa.text('submitted_at IS NULL'))
        batch_op.drop_index(batch_op.f('ix_attempts_round_id'))
        batch_op.drop_index('ix_attempts_open_deadline', sqlite_where=sa.text('submitted_at IS NULL'), postgresql_where=sa.text('submitted_at IS NULL'))

    op.drop_table('attempts')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_users_agency_id'))

    op.drop_table('users')
    with op.batch_alter_table('rounds', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rounds_contest_id'))

    op.drop_table('rounds')
    with op.batch_alter_table('questions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_questions_document_id'))
        batch_op.drop_index('ix_questions_bank_status')

    op.drop_table('questions')
    op.drop_table('question_banks')
    op.drop_table('legal_documents')
    op.drop_table('contests')
    with op.batch_alter_table('agencies', schema=None) as batch_op:
        batch_op.drop_index('ix_agencies_path', postgresql_ops={'path': 'text_pattern_ops'})
        batch_op.drop_index(batch_op.f('ix_agencies_parent_id'))

    op.drop_table('agencies')
