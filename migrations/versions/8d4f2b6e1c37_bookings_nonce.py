"""bookings.nonce: a retried booking request answers with its own booking

Revision ID: 8d4f2b6e1c37
Revises: 5b1e0c7d2a94
Create Date: 2026-12-02 15:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '8d4f2b6e1c37'
down_revision = '5b1e0c7d2a94'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('bookings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('nonce', sa.String(length=64), nullable=True))
        batch_op.create_index('uq_bookings_candidate_nonce', ['candidate_id', 'nonce'],
                              unique=True)


def downgrade():
    with op.batch_alter_table('bookings', schema=None) as batch_op:
        batch_op.drop_index('uq_bookings_candidate_nonce')
        batch_op.drop_column('nonce')
