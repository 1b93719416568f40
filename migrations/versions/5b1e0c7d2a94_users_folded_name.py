"""users.folded_name: the scanner's name search in SQL

Revision ID: 5b1e0c7d2a94
Revises: 9c823b0ba7a9
Create Date: 2026-12-02 15:20:00.000000

"""
from alembic import op
import sqlalchemy as sa

from jobfair.models.people import fold


# revision identifiers, used by Alembic.
revision = '5b1e0c7d2a94'
down_revision = '9c823b0ba7a9'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('folded_name', sa.String(length=201), server_default='',
                                      nullable=False))

    # Existing accounts: the same folding as the model's (jobfair.models.people.fold).
    users = sa.table('users', sa.column('id', sa.Integer), sa.column('first_name', sa.String),
                     sa.column('last_name', sa.String), sa.column('folded_name', sa.String))
    connection = op.get_bind()
    rows = [{'user_id': id_, 'folded': fold(f"{first or ''} {last or ''}")}
            for id_, first, last in connection.execute(
                sa.select(users.c.id, users.c.first_name, users.c.last_name))]
    if rows:
        connection.execute(
            users.update().where(users.c.id == sa.bindparam('user_id'))
            .values(folded_name=sa.bindparam('folded')), rows)


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('folded_name')
