"""insertion_outcomes holds every (fair, candidate) that counts, not only those with an outcome

The dashboard counts the table alone (no union of invited cohorts, bookings, leads, outcomes and
answers per request): the pairs that count and have no row yet get one with an unknown outcome.
``flask jobfair insertion rebuild`` gives the same table.

Revision ID: c9f2d4a6e817
Revises: a1c4e7b9d203
Create Date: 2026-12-03 17:20:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'c9f2d4a6e817'
down_revision = 'a1c4e7b9d203'
branch_labels = None
depends_on = None

MEMBERS = """
    SELECT fc.fair_id AS fair_id, c.id AS candidate_id FROM fair_cohorts fc JOIN candidates c ON c.cohort_id = fc.cohort_id
    UNION SELECT p.fair_id, b.candidate_id FROM bookings b
        JOIN participations p ON p.id = b.participation_id WHERE b.status <> 'cancelled'
    UNION SELECT p.fair_id, l.candidate_id FROM leads l
        JOIN participations p ON p.id = l.participation_id
    UNION SELECT p.fair_id, o.candidate_id FROM outcomes o
        JOIN participations p ON p.id = o.participation_id
    UNION SELECT a.fair_id, a.candidate_id FROM follow_up_answers a
"""


def upgrade():
    op.execute(f"""
        INSERT INTO insertion_outcomes (fair_id, candidate_id, in_field_full_time, conflict,
                                        status_30, status_90, status_180)
        SELECT m.fair_id, m.candidate_id, false, false, 'no_answer', 'no_answer', 'no_answer'
        FROM ({MEMBERS}) AS m
        WHERE NOT EXISTS (SELECT 1 FROM insertion_outcomes io
                          WHERE io.fair_id = m.fair_id AND io.candidate_id = m.candidate_id)
    """)


def downgrade():
    # Back to rows with something resolved only (``flask jobfair insertion rebuild`` with the
    # older code gives that table exactly).
    op.execute("DELETE FROM insertion_outcomes WHERE status IS NULL AND status_30 = 'no_answer' "
               "AND status_90 = 'no_answer' AND status_180 = 'no_answer' AND NOT conflict")
