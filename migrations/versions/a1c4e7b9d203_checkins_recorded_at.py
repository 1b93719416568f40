"""checkins.recorded_at: when the server wrote a check-in (an offline scan's time is earlier)

A manifest delta asks for check-ins written since its cursor; asked by the scan time, a scan
decided offline and uploaded later than the other doors' last delta was never sent to them.

Revision ID: a1c4e7b9d203
Revises: f3b8c21d7e46
Create Date: 2026-12-03 12:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a1c4e7b9d203'
down_revision = 'f3b8c21d7e46'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('checkins', schema=None) as batch_op:
        batch_op.add_column(sa.Column('recorded_at', sa.DateTime(), nullable=True))
    op.execute("UPDATE checkins SET recorded_at = checked_in_at")
    with op.batch_alter_table('checkins', schema=None) as batch_op:
        batch_op.alter_column('recorded_at', existing_type=sa.DateTime(), nullable=False)


def downgrade():
    with op.batch_alter_table('checkins', schema=None) as batch_op:
        batch_op.drop_column('recorded_at')
