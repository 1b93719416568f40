"""outbox rendered by the worker: kind, payload, nullable subject and body, status skipped

Revision ID: f3b8c21d7e46
Revises: d5e8a1f3b702
Create Date: 2026-12-03 12:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'f3b8c21d7e46'
down_revision = 'd5e8a1f3b702'
branch_labels = None
depends_on = None

STATUSES_BEFORE = "status IN ('pending', 'sending', 'sent', 'failed')"
STATUSES_AFTER = "status IN ('pending', 'sending', 'sent', 'failed', 'skipped')"


def upgrade():
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kind', sa.String(length=50), nullable=True))
        batch_op.add_column(sa.Column('payload', sa.JSON(), nullable=True))
        batch_op.alter_column('subject', existing_type=sa.String(length=300), nullable=True)
        batch_op.alter_column('body_text', existing_type=sa.Text(), nullable=True)
        batch_op.drop_constraint(op.f('ck_outbox_messages_status'), type_='check')
        batch_op.create_check_constraint('status', STATUSES_AFTER)


def downgrade():
    # Rows the worker has not rendered yet (or skipped) cannot exist in the old schema.
    op.execute("DELETE FROM outbox_messages WHERE body_text IS NULL OR status = 'skipped'")
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_outbox_messages_status'), type_='check')
        batch_op.create_check_constraint('status', STATUSES_BEFORE)
        batch_op.alter_column('body_text', existing_type=sa.Text(), nullable=False)
        batch_op.alter_column('subject', existing_type=sa.String(length=300), nullable=False)
        batch_op.drop_column('payload')
        batch_op.drop_column('kind')
