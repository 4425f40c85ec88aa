"""Round lifecycle: when a round was settled (its papers final, the prediction's figure fixed, the final
order stored), and the two prediction kinds that count people rather than papers.

rounds.published_at already exists (the organizer's "công bố" of the public board); round_state()
reads both columns.

Revision ID: 5e7a1c3d9b21
Revises: e81cea18955b
Create Date: 2026-12-04 02:20:00

"""
from alembic import op
import sqlalchemy as sa

import contest.database


# revision identifiers, used by Alembic.
revision = '5e7a1c3d9b21'
down_revision = 'e81cea18955b'
branch_labels = None
depends_on = None

KINDS_BEFORE = "prediction_kind IS NULL OR prediction_kind IN ('perfect_papers', 'entries')"
KINDS_AFTER = ("prediction_kind IS NULL OR prediction_kind IN "
               "('perfect_papers', 'perfect_people', 'entries', 'participants')")


def upgrade():
    with op.batch_alter_table('rounds', schema=None) as batch_op:
        batch_op.add_column(sa.Column('settled_at', contest.database.UTCDateTime(), nullable=True))
        batch_op.drop_constraint('prediction_kind', type_='check')
        batch_op.create_check_constraint('prediction_kind', KINDS_AFTER)
    # A round whose prediction's figure was fixed before this migration was settled then (the time is
    # unknown: its close stands in for it).
    op.execute("UPDATE rounds SET settled_at = closes_at WHERE prediction_truth IS NOT NULL")


def downgrade():
    op.execute("UPDATE rounds SET prediction_kind = NULL WHERE prediction_kind IN ('perfect_people', 'participants')")
    with op.batch_alter_table('rounds', schema=None) as batch_op:
        batch_op.drop_constraint('prediction_kind', type_='check')
        batch_op.create_check_constraint('prediction_kind', KINDS_BEFORE)
        batch_op.drop_column('settled_at')
