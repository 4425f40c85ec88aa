"""Publications of a round's signed results, and the certificates issued from them.

Revision ID: 5c2e7d1a9b43
Revises: 5e7a1c3d9b21
Create Date: 2026-12-04 02:30:00

"""
from alembic import op
import sqlalchemy as sa

import contest.database


# revision identifiers, used by Alembic.
revision = '5c2e7d1a9b43'
down_revision = '5e7a1c3d9b21'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'publications',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('round_id', sa.Integer(), nullable=False),
        sa.Column('organizer_id', sa.Integer(), nullable=False),
        sa.Column('checksum', sa.String(length=64), nullable=False),
        sa.Column('is_participation_certified', sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column('published_at', contest.database.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['organizer_id'], ['users.id'], name=op.f('fk_publications_organizer_id_users')),
        sa.ForeignKeyConstraint(['round_id'], ['rounds.id'], name=op.f('fk_publications_round_id_rounds'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_publications')),
        sa.UniqueConstraint('round_id', name=op.f('uq_publications_round_id')),
    )
    op.create_table(
        'certificates',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('code', sa.String(length=12), nullable=False),
        sa.Column('round_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('prize', sa.String(length=60), nullable=False),
        sa.Column('stream', sa.String(length=50), nullable=False),
        sa.Column('full_name', sa.String(length=150), nullable=False),
        sa.Column('agency', sa.String(length=300), nullable=False),
        sa.Column('judges', sa.JSON(), nullable=False),
        sa.Column('snapshot_checksum', sa.String(length=64), nullable=False),
        sa.Column('awarded_at', contest.database.UTCDateTime(), nullable=False),
        sa.Column('issued_at', contest.database.UTCDateTime(), nullable=False),
        sa.Column('checksum', sa.String(length=64), nullable=False),
        sa.CheckConstraint(sa.text("kind IN ('prize', 'participation')"), name=op.f('ck_certificates_kind')),
        sa.ForeignKeyConstraint(['round_id'], ['rounds.id'], name=op.f('fk_certificates_round_id_rounds'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_certificates_user_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_certificates')),
        sa.UniqueConstraint('code', name=op.f('uq_certificates_code')),
        sa.UniqueConstraint('round_id', 'user_id', name=op.f('uq_certificates_round_id_user_id')),
    )
    with op.batch_alter_table('certificates', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_certificates_round_id'), ['round_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_certificates_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('certificates', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_certificates_user_id'))
        batch_op.drop_index(batch_op.f('ix_certificates_round_id'))
    op.drop_table('certificates')
    op.drop_table('publications')
