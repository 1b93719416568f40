"""self check-in kiosks (issue 13): kiosks, the kiosk role

Revision ID: b7d41c0e9a55
Revises: 96fb1d49cce9
Create Date: 2026-12-02 20:05:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b7d41c0e9a55'
down_revision = '96fb1d49cce9'
branch_labels = None
depends_on = None

ROLES_BEFORE = "role IN ('organizer', 'company_rep', 'staff', 'candidate')"
ROLES_AFTER = "role IN ('organizer', 'company_rep', 'staff', 'candidate', 'kiosk')"


def _roles(check):
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_users_role'), type_='check')
        batch_op.create_check_constraint('role', check)


def upgrade():
    _roles(ROLES_AFTER)
    op.create_table('kiosks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('fair_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('link_hash', sa.String(length=64), nullable=True),
    sa.Column('link_expires_at', sa.DateTime(), nullable=True),
    sa.Column('opened_at', sa.DateTime(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('revoked_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_kiosks_created_by_id_users')),
    sa.ForeignKeyConstraint(['fair_id'], ['fairs.id'], name=op.f('fk_kiosks_fair_id_fairs')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_kiosks_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kiosks')),
    sa.UniqueConstraint('link_hash', name=op.f('uq_kiosks_link_hash')),
    sa.UniqueConstraint('user_id', name=op.f('uq_kiosks_user_id'))
    )
    with op.batch_alter_table('kiosks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_kiosks_fair_id'), ['fair_id'], unique=False)


def downgrade():
    with op.batch_alter_table('kiosks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_kiosks_fair_id'))
    op.drop_table('kiosks')
    op.execute("DELETE FROM users WHERE role = 'kiosk'")
    _roles(ROLES_BEFORE)
