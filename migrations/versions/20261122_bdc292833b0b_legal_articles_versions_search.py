"""Legal articles, document replacement dates, question versions and diacritic-blind search.

Revision ID: bdc292833b0b
Revises: ec1e440e616b
Create Date: 2026-11-22 04:21:18.502782

"""
from alembic import op
import sqlalchemy as sa

import contest.database
from questions.text import fold


# revision identifiers, used by Alembic.
revision = 'bdc292833b0b'
down_revision = 'ec1e440e616b'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('legal_articles',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=10), nullable=False),
    sa.Column('title', sa.String(length=500), nullable=False),
    sa.Column('chapter', sa.String(length=500), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['document_id'], ['legal_documents.id'], name=op.f('fk_legal_articles_document_id_legal_documents'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_legal_articles')),
    sa.UniqueConstraint('document_id', 'position', name=op.f('uq_legal_articles_document_id_position'))
    )
    with op.batch_alter_table('legal_articles', schema=None) as batch_op:
        batch_op.create_index('ix_legal_articles_document_number', ['document_id', 'number'], unique=False)

    with op.batch_alter_table('legal_documents', schema=None) as batch_op:
        batch_op.add_column(sa.Column('status_changed_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('annex_text', sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('source_filename', sa.String(length=255), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('source_text', sa.Text(), nullable=False, server_default=''))

    with op.batch_alter_table('questions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('search_text', sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('version', sa.Integer(), nullable=False, server_default='1'))
        batch_op.add_column(sa.Column('replaced_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('updated_at', contest.database.UTCDateTime(), nullable=False, server_default=sa.func.current_timestamp()))
        batch_op.create_foreign_key(batch_op.f('fk_questions_replaced_by_id_questions'), 'questions', ['replaced_by_id'], ['id'])
        batch_op.drop_constraint('uq_questions_bank_id_fingerprint', type_='unique')
        batch_op.create_index('uq_questions_current_fingerprint', ['bank_id', 'fingerprint'], unique=True,
                              sqlite_where=sa.text('replaced_by_id IS NULL'),
                              postgresql_where=sa.text('replaced_by_id IS NULL'))

    # Existing questions become searchable without diacritics.
    bind = op.get_bind()
    questions = sa.table('questions', sa.column('id'), sa.column('text'), sa.column('choices', sa.JSON),
                         sa.column('search_text'))
    for row in bind.execute(sa.select(questions.c.id, questions.c.text, questions.c.choices)).all():
        bind.execute(questions.update().where(questions.c.id == row.id).values(
            search_text=fold(" ".join([row.text, *row.choices]))))



def downgrade():
    with op.batch_alter_table('questions', schema=None) as batch_op:
        batch_op.drop_index('uq_questions_current_fingerprint')
        batch_op.create_unique_constraint('uq_questions_bank_id_fingerprint', ['bank_id', 'fingerprint'])
        batch_op.drop_constraint(batch_op.f('fk_questions_replaced_by_id_questions'), type_='foreignkey')
        batch_op.drop_column('updated_at')
        batch_op.drop_column('replaced_by_id')
        batch_op.drop_column('version')
        batch_op.drop_column('search_text')

    with op.batch_alter_table('legal_documents', schema=None) as batch_op:
        batch_op.drop_column('source_text')
        batch_op.drop_column('source_filename')
        batch_op.drop_column('annex_text')
        batch_op.drop_column('status_changed_on')

    with op.batch_alter_table('legal_articles', schema=None) as batch_op:
        batch_op.drop_index('ix_legal_articles_document_number')

    op.drop_table('legal_articles')
