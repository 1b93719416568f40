"""insertion_outcomes: the resolved outcome of each (fair, candidate), for the dashboard (issue 15)

Revision ID: d5e8a1f3b702
Revises: b7d41c0e9a55
Create Date: 2026-12-02 20:20:00

Filled by ``flask jobfair insertion rebuild`` (run it once after this upgrade on a database
that already holds outcomes or follow-up answers).
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd5e8a1f3b702'
down_revision = 'b7d41c0e9a55'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'insertion_outcomes',
        sa.Column('fair_id', sa.Integer(), nullable=False),
        sa.Column('candidate_id', sa.Integer(), nullable=False),
        sa.Column('status', sa.String(length=20), nullable=True),
        sa.Column('employer_company_id', sa.Integer(), nullable=True),
        sa.Column('employer_name', sa.String(length=200), nullable=True),
        sa.Column('in_field_full_time', sa.Boolean(), nullable=False),
        sa.Column('conflict', sa.Boolean(), nullable=False),
        sa.Column('days_to_hire', sa.Integer(), nullable=True),
        sa.Column('status_30', sa.String(length=20), nullable=False),
        sa.Column('status_90', sa.String(length=20), nullable=False),
        sa.Column('status_180', sa.String(length=20), nullable=False),
        sa.ForeignKeyConstraint(['candidate_id'], ['candidates.id'],
                                name=op.f('fk_insertion_outcomes_candidate_id_candidates')),
        sa.ForeignKeyConstraint(['employer_company_id'], ['companies.id'],
                                name=op.f('fk_insertion_outcomes_employer_company_id_companies')),
        sa.ForeignKeyConstraint(['fair_id'], ['fairs.id'],
                                name=op.f('fk_insertion_outcomes_fair_id_fairs')),
        sa.PrimaryKeyConstraint('fair_id', 'candidate_id', name=op.f('pk_insertion_outcomes')),
    )
    with op.batch_alter_table('insertion_outcomes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_insertion_outcomes_candidate_id'), ['candidate_id'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('insertion_outcomes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_insertion_outcomes_candidate_id'))
    op.drop_table('insertion_outcomes')
