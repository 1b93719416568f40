"""The company's outcomes (with its leads) as CSV and XLSX: the leads export plus the outcome
columns, written by jobfair.leads.exports (the same injection-safe cells)."""
from flask_babel import gettext as _

from ..labels import CONTRACT, OUTCOME_STATUS
from ..leads import exports as lead_exports


def table(rows, fair_id):
    header, body = lead_exports.table(rows, fair_id)
    header = header + [_("Cohort"), _("Outcome"), _("Contract type"), _("Position"),
                       _("Start date")]
    for line, row in zip(body, rows):
        candidate, outcome = row["candidate"], row["outcome"]
        line.extend([
            candidate.cohort.name if candidate.cohort else "",
            str(OUTCOME_STATUS[outcome.status]) if outcome else "",
            str(CONTRACT[outcome.contract_type]) if outcome and outcome.contract_type else "",
            outcome.position.title if outcome and outcome.position else "",
            outcome.start_date.isoformat() if outcome and outcome.start_date else "",
        ])
    return header, body


def to_csv(rows, fair_id):
    return lead_exports.to_csv(rows, fair_id, make_table=table)


def to_xlsx(rows, fair_id):
    return lead_exports.to_xlsx(rows, fair_id, make_table=table, title=_("Outcomes"))
