"""The run's fairness figures as CSV or XLSX (issue 12, point 6): the round beside first-come.

One line for all candidates of the round, then one per group (cohort, training operator,
region, track), each figure as its count with its denominator, the round's then first-come's.
The definitions are the page's: the CSV's first lines, the XLSX's second sheet. Cells go
through ``leads.exports.safe_cell`` (a group label cannot become a formula).
"""
import csv
import io

from flask_babel import gettext as _
from openpyxl import Workbook

from ..insertion.exports import _ratio
from ..leads.exports import CSV_DELIMITER, safe_cell
from ..labels import REGION
from .figures import DIMENSIONS


def _dimension_labels():
    return {"cohort": _("Cohort"), "operator": _("Training operator"), "region": _("Region"),
            "track": _("Track")}


def group_label(dimension, label):
    """A group's name as shown: a region's code in the reader's language (runs stored before
    regions were known keep their town's name); no region known: "Unknown region"."""
    if dimension != "region":
        return label
    if not label:
        return str(_("Unknown region"))
    return str(REGION.get(label, label))


def header():
    return [_("Group"), _("Name"), _("Candidates"),
            _("With an interview: round"), _("With an interview: first-come"),
            _("Share with an interview: round"), _("Share with an interview: first-come"),
            _("Ranked at least one company"),
            _("First wish: round"), _("First wish: first-come"),
            _("Top-3 wish: round"), _("Top-3 wish: first-come"),
            _("Shortlisted pairs"),
            _("Shortlisted pairs met: round"), _("Shortlisted pairs met: first-come"),
            _("Places"), _("Places left empty: round"), _("Places left empty: first-come")]


def _line(kind, name, mine, other, places=("", "", "")):
    return [kind, name, mine["candidates"],
            mine["with_interview"], other["with_interview"],
            _ratio(mine["with_interview"], mine["candidates"]),
            _ratio(other["with_interview"], other["candidates"]),
            mine["ranked"], mine["first_wish"], other["first_wish"],
            mine["top3"], other["top3"], mine["shortlisted_pairs"],
            mine["shortlisted_met"], other["shortlisted_met"], *places]


def table(run):
    """Header and lines of ``run``'s figures (plain values)."""
    mine, other = run.figures["round"], run.figures["first_come"]
    lines = [_line(_("All candidates"), "", mine, other,
                   (mine["places"], mine["places_empty"], other["places_empty"]))]
    labels = _dimension_labels()
    for dimension in DIMENSIONS:
        for row, other_row in zip(mine["groups"][dimension], other["groups"][dimension]):
            lines.append(_line(labels[dimension], group_label(dimension, row["label"]), row,
                               other_row))
    return header(), lines


def definitions():
    """[term, definition] lines: what the page says under "How the figures are counted"."""
    return [
        [_("Candidates with at least one interview"),
         _("candidates given at least one interview ÷ candidates in the round (at least one "
           "wish or accepted invitation).")],
        [_("Got their first wish") + " / " + _("Got a top-3 wish"),
         _("candidates given an interview with the company they ranked first (or first to "
           "third) ÷ candidates who ranked at least one company.")],
        [_("Shortlisted pairs met"),
         _("candidate–company pairs the company marked “want to meet” or invited (invitation "
           "accepted) that got an interview ÷ all such pairs.")],
        [_("Places left empty"),
         _("free places of open slots before the run that nobody was given ÷ all those places. "
           "They open to first-come booking after publication.")],
        [_("First-come (simulated)"),
         _("the same wishes booked as today: candidates arrive in a random order (drawn from "
           "the run's seed) and each books their wishes in order, earliest free slot first.")],
    ]


def to_csv(run):
    """The definitions and the seed as a header (term, text), a blank line, then the table.

    ``;``, UTF-8 with BOM (French Excel); every line has as many cells as the table.
    """
    head, body = table(run)
    width = len(head)
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=CSV_DELIMITER, lineterminator="\r\n")
    notes = [*definitions(), [_("Seed"), run.seed], []]
    for line in [*notes, head, *body]:
        writer.writerow([safe_cell(value) for value in line] + [""] * (width - len(line)))
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_xlsx(run):
    """Sheet 1: the table; sheet 2: the definitions and the run's seed."""
    head, body = table(run)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Figures")[:31]
    for line in [head, *body]:
        sheet.append([safe_cell(value) for value in line])
    notes = workbook.create_sheet(_("Definitions")[:31])
    for term, text in definitions():
        notes.append([safe_cell(term), safe_cell(text)])
    notes.append([safe_cell(_("Seed")), run.seed])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
