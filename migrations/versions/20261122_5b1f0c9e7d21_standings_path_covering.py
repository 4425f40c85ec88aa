"""Standings: the agency-path index carries the live sort keys, so subtree rank counts are index-only.

Revision ID: 5b1f0c9e7d21
Revises: 8dc746334050
Create Date: 2026-11-22 07:45:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '5b1f0c9e7d21'
down_revision = '8dc746334050'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('standings', schema=None) as batch_op:
        batch_op.drop_index('ix_standings_round_path', postgresql_ops={'agency_path': 'text_pattern_ops'})
        batch_op.create_index('ix_standings_round_path', ['round_id', 'agency_path'], unique=False,
                              postgresql_ops={'agency_path': 'text_pattern_ops'},
                              postgresql_include=['score', 'duration_ms', 'submitted_at', 'user_id'])


def downgrade():
    with op.batch_alter_table('standings', schema=None) as batch_op:
        batch_op.drop_index('ix_standings_round_path', postgresql_ops={'agency_path': 'text_pattern_ops'},
                            postgresql_include=['score', 'duration_ms', 'submitted_at', 'user_id'])
        batch_op.create_index('ix_standings_round_path', ['round_id', 'agency_path'], unique=False,
                              postgresql_ops={'agency_path': 'text_pattern_ops'})
