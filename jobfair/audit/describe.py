"""How each audit action reads on the organizers' page: the one mapping from action codes to
translated sentences (and a few detail lines). An action missing here shows its code."""
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from ..labels import FAIR_STATUS, OUTCOME_STATUS, PARTICIPATION_STATUS, REGION

# The filter's "kind" of action: the part of the code before the dot.
KINDS = {
    "fair": _l("Fair changes"),
    "participation": _l("Company approvals"),
    "booth": _l("Booths"),
    "checkin": _l("Check-ins"),
    "outcome": _l("Outcomes"),
    "export": _l("Exports"),
    "candidates": _l("Candidate imports"),
    "booking": _l("Bookings"),
    "round": _l("Booking rounds"),
    "kiosk": _l("Self check-in kiosks"),
}

# The fair form's fields, under the labels the form shows.
FAIR_FIELDS = {
    "name": _l("Name"),
    "city": _l("City"),
    "region": _l("Region"),
    "venue": _l("Venue"),
    "description": _l("Description"),
    "day": _l("Date of the fair"),
    "opens_at": _l("Opening time"),
    "closes_at": _l("Closing time"),
    "booking_opens_at": _l("Booking opens"),
    "booking_closes_at": _l("Booking closes"),
    "cancellation_deadline": _l("Cancellation deadline"),
    "max_bookings_per_candidate": _l("Maximum bookings per candidate"),
    "min_gap_minutes": _l("Minimum gap between a candidate's interviews (minutes)"),
    "hall_rows": _l("Floor plan: rows"),
    "hall_cols": _l("Floor plan: columns"),
    "cohort_ids": _l("Invited cohorts"),
}

EXPORTS = {
    "leads": _l("the company's leads"),
    "outcomes": _l("the company's outcomes"),
    "insertion-candidates": _l("the insertion export (candidates)"),
    "insertion-companies": _l("the insertion export (companies)"),
    "insertion-fairs": _l("the insertion export (fairs)"),
    "insertion-report": _l("the insertion report"),
    "badges": _l("the badges"),
    "round-figures": _l("the booking round's figures"),
}


def _value(field, value):
    if value is None or value == "" or value == []:
        return "—"
    if field == "region":
        return str(REGION.get(value, value))
    if field == "cohort_ids":
        return str(len(value))
    if isinstance(value, str) and "T" in value and len(value) >= 16 and value[:4].isdigit():
        value = value[:16].replace("T", " ")  # a local date and time, to the minute
    text = str(value)
    return text if len(text) <= 80 else text[:79] + "…"


def _label(mapping, code):
    return str(mapping.get(code, code or "—"))


def _someone(name):
    return name or _("someone")


def _fair_created(d, names, entry):
    return _("Created the fair"), []


def _fair_updated(d, names, entry):
    changes = d.get("changes") or {}
    lines = [(str(FAIR_FIELDS.get(field, field)),
              f"{_value(field, old)} → {_value(field, new)}")
             for field, (old, new) in changes.items()]
    return _("Edited the fair"), lines


def _fair_state(d, names, entry):
    return _("Changed the fair's status: %(old)s → %(new)s",
             old=_label(FAIR_STATUS, d.get("old")), new=_label(FAIR_STATUS, d.get("new"))), []


def _company(d, names, entry):
    return (names.company(d.get("participation_id") or entry.event.object_id)
            or d.get("company") or "—")


def _participation(sentence):
    def describe(d, names, entry):
        lines = []
        if d.get("reason"):
            lines.append((_("Reason"), d["reason"]))
        if d.get("old"):
            lines.append((_("Status"), f"{_label(PARTICIPATION_STATUS, d.get('old'))} → "
                                       f"{_label(PARTICIPATION_STATUS, d.get('new'))}"))
        if d.get("cancelled_bookings"):
            lines.append((_("Bookings cancelled"), str(d["cancelled_bookings"])))
        if d.get("booth"):
            lines.append((_("Booth freed"), d["booth"]))
        return sentence(company=d.get("company") or _company(d, names, entry)), lines
    return describe


def _booth_assigned(d, names, entry):
    return _("Placed %(company)s on booth %(booth)s", company=d.get("company") or "—",
             booth=d.get("booth") or "—"), []


def _booth_moved(d, names, entry):
    return _("Moved %(company)s: booth %(old)s → %(new)s", company=d.get("company") or "—",
             old=d.get("old_booth") or "—", new=d.get("booth") or "—"), []


def _booth_unassigned(d, names, entry):
    return _("Cleared booth %(booth)s (%(company)s)", booth=d.get("booth") or "—",
             company=d.get("company") or "—"), []


def _checkin(d, names, entry):
    lines = [(_("Device"), d["device"])] if d.get("device") else []
    return _("Checked in %(person)s", person=_someone(names.user(d.get("user_id")))), lines


def _checkin_undo(d, names, entry):
    return _("Undid the check-in of %(person)s",
             person=_someone(names.user(d.get("user_id")))), []


def _outcome_status(snapshot):
    if not snapshot:
        return _("no outcome")
    return _label(OUTCOME_STATUS, snapshot.get("status"))


def _outcome_change(d, names, entry):
    lines = [(_("Company"), _company(d, names, entry))]
    return _("Changed the outcome of %(person)s: %(old)s → %(new)s",
             person=_someone(names.candidate(d.get("candidate_id"))),
             old=_outcome_status(d.get("old")), new=_outcome_status(d.get("new"))), lines


def _outcome_remind(d, names, entry):
    return _("Reminded %(company)s to record its outcomes",
             company=_company(d, names, entry)), []


def _import(d, names, entry):
    lines = [(_("File"), d["file"])] if d.get("file") else []
    return _("Imported candidates: %(created)s new, %(updated)s updated",
             created=d.get("created", 0), updated=d.get("updated", 0)), lines


def _booking_removed(d, names, entry):
    lines = [(_("Reason"), d["cancel_reason"])] if d.get("cancel_reason") else []
    return _("Removed the booking of %(person)s with its slot",
             person=_someone(names.candidate(d.get("candidate_id")))), lines


ROUND_FIELDS = {
    "wishes_open_at": _l("Wishes open"),
    "wishes_close_at": _l("Wishes close"),
    "publish_at": _l("Publication of the interviews"),
    "max_wishes": _l("Companies a candidate may rank"),
}


def _round_saved(d, names, entry):
    lines = [(str(ROUND_FIELDS.get(field, field)), f"{_value(field, old)} → {_value(field, new)}")
             for field, (old, new) in (d.get("changes") or {}).items()]
    if d.get("created"):
        return _("Set the booking round"), lines
    return _("Changed the booking round"), lines


def _seed(d):
    return [(_("Seed"), str(d["seed"]))] if d.get("seed") is not None else []


def _round_run_started(d, names, entry):
    return _("Started the round's assignment"), _seed(d)


def _round_run_finished(d, names, entry):
    if d.get("status") == "empty":
        return _("The round's assignment found nothing within its time limit"), _seed(d)
    return ngettext("The round's assignment finished: %(num)d interview in %(seconds)s s",
                    "The round's assignment finished: %(num)d interviews in %(seconds)s s",
                    d.get("interviews", 0), seconds=d.get("seconds", 0)), _seed(d)


def _round_published(d, names, entry):
    return ngettext("Published the round's assignment: %(num)d interview booked",
                    "Published the round's assignment: %(num)d interviews booked",
                    d.get("interviews", 0)), _seed(d)


def _kiosk_created(d, names, entry):
    return _("Created the kiosk %(name)s", name=d.get("name") or "—"), []


def _kiosk_revoked(d, names, entry):
    return _("Revoked the kiosk %(name)s", name=d.get("name") or "—"), []


def _export(d, names, entry):
    lines = []
    if d.get("company"):
        lines.append((_("Company"), d["company"]))
    filters = d.get("filters") or {}
    if filters.get("date_from") or filters.get("date_to"):
        lines.append((_("Fair days"),
                      f"{filters.get('date_from') or '…'} → {filters.get('date_to') or '…'}"))
    if len(filters.get("fairs") or []) > 1:
        lines.append((_("Fairs"), str(len(filters["fairs"]))))
    if d.get("count") is not None:
        lines.append((_("Badges"), str(d["count"])))
    return _("Downloaded %(export)s (%(format)s)", export=_label(EXPORTS, d.get("kind")),
             format=str(d.get("format") or "").upper()), lines


DESCRIBE = {
    "fair.created": _fair_created,
    "fair.updated": _fair_updated,
    "fair.state_changed": _fair_state,
    "participation.added": _participation(lambda **kw: _("Added %(company)s to the fair", **kw)),
    "participation.approved": _participation(lambda **kw: _("Approved %(company)s", **kw)),
    "participation.declined": _participation(lambda **kw: _("Declined %(company)s", **kw)),
    "participation.withdrawn": _participation(lambda **kw: _("Withdrew %(company)s", **kw)),
    "booth.assigned": _booth_assigned,
    "booth.moved": _booth_moved,
    "booth.unassigned": _booth_unassigned,
    "checkin.entry": _checkin,
    "checkin.undo": _checkin_undo,
    "outcome.change": _outcome_change,
    "outcome.remind": _outcome_remind,
    "candidates.import": _import,
    "booking.removed_with_slot": _booking_removed,
    "export.downloaded": _export,
    "round.saved": _round_saved,
    "round.run_started": _round_run_started,
    "round.run_finished": _round_run_finished,
    "round.published": _round_published,
    "kiosk.created": _kiosk_created,
    "kiosk.revoked": _kiosk_revoked,
}


def describe(entry, names):
    """``(sentence, [(label, value)])`` of one entry; ``(None, [])`` for an unknown action
    (the page then shows its code)."""
    describer = DESCRIBE.get(entry.event.action)
    if describer is None:
        return None, []
    return describer(entry.details, names, entry)
