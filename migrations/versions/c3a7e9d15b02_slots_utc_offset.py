"""slots.utc_offset_minutes: the local time meant survives a time-zone rule change

Revision ID: c3a7e9d15b02
Revises: fa29bc05e2ff
Create Date: 2026-12-02 15:40:00.000000

"""
from alembic import op
import sqlalchemy as sa

from jobfair.timeutil import utc_offset_minutes


# revision identifiers, used by Alembic.
revision = 'c3a7e9d15b02'
down_revision = 'fa29bc05e2ff'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('slots', schema=None) as batch_op:
        batch_op.add_column(sa.Column('utc_offset_minutes', sa.Integer(), nullable=True))

    # Existing slots: the offset today's rules give (the best known; a shift that happened
    # before this migration cannot be told apart).
    slots = sa.table('slots', sa.column('id', sa.Integer), sa.column('starts_at', sa.DateTime),
                     sa.column('utc_offset_minutes', sa.Integer))
    connection = op.get_bind()
    rows = [{'slot_id': id_, 'offset': utc_offset_minutes(starts_at)}
            for id_, starts_at in connection.execute(sa.select(slots.c.id, slots.c.starts_at))]
    if rows:
        connection.execute(
            slots.update().where(slots.c.id == sa.bindparam('slot_id'))
            .values(utc_offset_minutes=sa.bindparam('offset')), rows)


def downgrade():
    with op.batch_alter_table('slots', schema=None) as batch_op:
        batch_op.drop_column('utc_offset_minutes')
