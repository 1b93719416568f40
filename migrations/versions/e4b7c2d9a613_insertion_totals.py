"""insertion_totals, insertion_follow_up_totals, insertion_company_totals: insertion_outcomes
counted per fair, cohort and employer, and per fair, follow-up statuses and days to hire; the
per-company numbers per fair (the dashboard sums them)

Filled here from insertion_outcomes, bookings, leads and outcomes; ``flask jobfair insertion
rebuild`` gives the same rows.

Revision ID: e4b7c2d9a613
Revises: c9f2d4a6e817
Create Date: 2026-12-04 19:20:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e4b7c2d9a613'
down_revision = 'c9f2d4a6e817'
branch_labels = None
depends_on = None
TABLES = ('insertion_totals', 'insertion_follow_up_totals', 'insertion_company_totals')


def _foreign_key(table, column, target):
    return sa.ForeignKeyConstraint([column], [f'{target}.id'],
                                   name=op.f(f'fk_{table}_{column}_{target}'))


def upgrade():
    op.create_table(
        'insertion_totals',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('fair_id', sa.Integer(), nullable=False),
        sa.Column('cohort_id', sa.Integer(), nullable=True),
        sa.Column('employer_company_id', sa.Integer(), nullable=True),
        sa.Column('employer_name', sa.String(length=200), nullable=True),
        *[sa.Column(name, sa.Integer(), nullable=False)
          for name in ('size', 'known', 'inserted', 'insertion_base', 'in_field_full_time',
                       'conflicts')],
        _foreign_key('insertion_totals', 'fair_id', 'fairs'),
        _foreign_key('insertion_totals', 'cohort_id', 'cohorts'),
        _foreign_key('insertion_totals', 'employer_company_id', 'companies'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_insertion_totals')),
    )
    op.create_table(
        'insertion_follow_up_totals',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('fair_id', sa.Integer(), nullable=False),
        sa.Column('status_30', sa.String(length=20), nullable=False),
        sa.Column('status_90', sa.String(length=20), nullable=False),
        sa.Column('status_180', sa.String(length=20), nullable=False),
        sa.Column('days_to_hire', sa.Integer(), nullable=True),
        sa.Column('count', sa.Integer(), nullable=False),
        _foreign_key('insertion_follow_up_totals', 'fair_id', 'fairs'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_insertion_follow_up_totals')),
    )
    op.create_table(
        'insertion_company_totals',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('fair_id', sa.Integer(), nullable=False),
        sa.Column('company_id', sa.Integer(), nullable=False),
        sa.Column('metric', sa.String(length=20), nullable=False),
        sa.Column('count', sa.Integer(), nullable=False),
        _foreign_key('insertion_company_totals', 'fair_id', 'fairs'),
        _foreign_key('insertion_company_totals', 'company_id', 'companies'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_insertion_company_totals')),
    )
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_index(batch_op.f(f'ix_{table}_fair_id'), ['fair_id'], unique=False)
    op.execute("""
        INSERT INTO insertion_totals (fair_id, cohort_id, employer_company_id, employer_name,
            size, known, inserted, insertion_base, in_field_full_time, conflicts)
        SELECT io.fair_id, c.cohort_id, io.employer_company_id, io.employer_name, count(*),
            sum(CASE WHEN io.status IS NOT NULL THEN 1 ELSE 0 END),
            sum(CASE WHEN io.status IN ('employed', 'own_business') THEN 1 ELSE 0 END),
            sum(CASE WHEN io.status IS NOT NULL AND io.status <> 'not_seeking' THEN 1 ELSE 0 END),
            sum(CASE WHEN io.in_field_full_time THEN 1 ELSE 0 END),
            sum(CASE WHEN io.conflict THEN 1 ELSE 0 END)
        FROM insertion_outcomes io JOIN candidates c ON c.id = io.candidate_id
        GROUP BY io.fair_id, c.cohort_id, io.employer_company_id, io.employer_name
    """)
    op.execute("""
        INSERT INTO insertion_follow_up_totals (fair_id, status_30, status_90, status_180,
            days_to_hire, count)
        SELECT fair_id, status_30, status_90, status_180, days_to_hire, count(*)
        FROM insertion_outcomes
        GROUP BY fair_id, status_30, status_90, status_180, days_to_hire
    """)
    per_company = """
        SELECT p.fair_id, p.company_id, '{metric}', count(*) FROM {table} x
        JOIN participations p ON p.id = x.participation_id WHERE {where}
        GROUP BY p.fair_id, p.company_id"""
    op.execute("INSERT INTO insertion_company_totals (fair_id, company_id, metric, count)" + (
        " UNION ALL ".join(per_company.format(metric=metric, table=table, where=where)
                           for metric, table, where in (
            ("interviews", "bookings", "x.status = 'attended'"),
            ("leads", "leads", "true"),
            ("offers", "outcomes", "x.status IN ('offer_made', 'hired')"),
            ("hires", "outcomes", "x.status = 'hired'")))))


def downgrade():
    for table in reversed(TABLES):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(batch_op.f(f'ix_{table}_fair_id'))
        op.drop_table(table)
