"""A small world where every POST endpoint of the app has a real object to act on, the forms
of its pages (harvested from the rendered HTML), and checks on what a page may contain.

Used by the hostile-input tests and by the header walk (tests/security/test_headers_sessions.py).
"""
import re
from datetime import date, timedelta
from html.parser import HTMLParser
from types import SimpleNamespace

from sqlalchemy import select

from jobfair.auth import services as auth_services
from jobfair.extensions import db
from jobfair.followups import services as followup_services
from jobfair.kiosk import services as kiosk_services
from jobfair.models import (
    Badge,
    CheckIn,
    ErasureRequest,
    FollowUpRequest,
    Outcome,
    Position,
    User,
    utcnow,
)
from jobfair.timeutil import local_today

from ..conftest import AuthActions

ROLES = ("organizer", "company_rep", "staff", "candidate", "kiosk")


def build(make):
    """Three fairs: one open for booking, one live (check-in), one held 30 days ago (outcomes
    and follow-ups). Every user reads English, so messages can be asserted."""
    organizer = make.user(role="organizer", email="orga@example.ma", locale="en")
    staff = make.user(role="staff", email="accueil@example.ma", locale="en")
    company = make.company(name="Atlas Digital", city="Casablanca")
    rep = make.user(role="company_rep", email="rh@atlas.ma", company=company, locale="en")
    cohort = make.cohort()
    person = make.bookable_candidate(cohort, email="salma@example.ma")
    other = make.bookable_candidate(cohort, email="karim@example.ma")

    fair = make.open_fair(cohorts=[cohort], hall_rows=2, hall_cols=3)
    fair.staff.append(staff)
    participation = make.participation(fair, company)
    requested = make.participation(fair, make.company(name="Startup Orion"), status="requested")
    make.booth(fair, number="A1").participation = participation
    free_booth = make.booth(fair, number="A2", row=0, col=1)
    table = make.table(participation)
    booked = make.slot_at(table, 10)
    free = make.slot_at(table, 11)
    booking = make.booking(booked, person)
    position = Position(company=company, title="Développeur Java", contract_type="cdi",
                        openings=2, track=cohort.track)
    db.session.add(position)

    live = make.fair(status="live", day=local_today(), cohorts=[cohort])
    live.staff.append(staff)
    make.participation(live, company)
    badge = Badge(fair=live, user=person, token="live-badge-token-of-salma-000001")
    db.session.add(badge)
    db.session.flush()
    checkin = CheckIn(fair_id=live.id, user_id=person.id, badge_id=badge.id, kind="entry",
                      checked_in_at=utcnow(), scanned_by_id=staff.id, nonce="first-scan")
    db.session.add(checkin)

    past = make.fair(status="closed", day=local_today() - timedelta(days=30), cohorts=[cohort])
    past_participation = make.participation(past, company)
    past_table = make.table(past_participation)
    past_booking = make.booking(make.slot_at(past_table, 10), person, status="attended")
    outcome = Outcome(participation=past_participation, candidate=person.candidate,
                      status="hired", contract_type="cdi", start_date=date(2026, 1, 5))
    db.session.add(outcome)
    db.session.flush()
    followup_services.record_answer(past, person.candidate, "candidate", "seeking")
    request = FollowUpRequest(fair_id=past.id, candidate_id=person.candidate.id, day=30)
    db.session.add(request)
    db.session.flush()

    _invitation, invitation_token = auth_services.create_invitation(
        "nouvelle.recrue@example.ma", "staff", invited_by=organizer)
    erasure = ErasureRequest(candidate_id=other.candidate.id)  # the organizers' queue
    db.session.add(erasure)
    kiosk, _link = kiosk_services.create_kiosk(live, "Entrée A — borne 1", organizer)
    db.session.commit()

    ids = {
        "fair_id": fair.id, "slug": fair.slug, "participation_id": participation.id,
        "company_id": company.id, "booking_id": booking.id, "candidate_id": person.candidate.id,
        "table_id": table.id, "slot_id": free.id, "position_id": position.id,
        "cohort_id": cohort.id, "operator_id": cohort.operator_id, "track_id": cohort.track_id,
        "user_id": person.id, "booth_id": free_booth.id, "outcome_id": outcome.id,
        "checkin_id": checkin.id, "token": "no-such-token", "erasure_id": erasure.id,
        "kiosk_id": kiosk.id,
    }
    live_ids = {"fair_id": live.id}
    past_ids = {"fair_id": past.id, "participation_id": past_participation.id}
    return SimpleNamespace(
        emails={"organizer": organizer.email, "company_rep": rep.email, "staff": staff.email,
                "candidate": person.email, "kiosk": kiosk.user.email},
        ids=ids, live_ids=live_ids, past_ids=past_ids, badge_token=badge.token,
        invitation_token=invitation_token, followup_token=followup_services.link_token(request),
        requested_participation_id=requested.id, booked_slot_id=booked.id,
        past_booking_id=past_booking.id, staff_id=staff.id, other_candidate_id=other.id,
        fair_ids={"open": fair.id, "live": live.id, "past": past.id},
    )


def client_for(app, world, role):
    auth = AuthActions(app.test_client())
    if role == "kiosk":  # a device has no password: it opens with a one-time link
        user = db.session.scalar(select(User).where(User.email == world.emails[role]))
        with auth.client.session_transaction() as session:
            session["_user_id"], session["_fresh"] = user.get_id(), True
        return auth
    if role:
        response = auth.login(world.emails[role])
        assert response.status_code == 303, f"{role} could not log in"
    return auth


def role_of(app, endpoint):
    roles = getattr(app.view_functions[endpoint], "allowed_roles", None)
    return roles[0] if roles else None


# --- Forms on the pages ---------------------------------------------------------------------


class FormParser(HTMLParser):
    """Every POST form of a page: its action and its fields with their default values."""

    def __init__(self, page_url):
        super().__init__(convert_charrefs=True)
        self.page_url = page_url
        self.forms, self._form = [], None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            if (attrs.get("method") or "get").lower() == "post":
                # A form without an action posts to its own page.
                self._form = {"action": attrs.get("action") or self.page_url, "fields": []}
                self.forms.append(self._form)
            return
        if self._form is None or not attrs.get("name"):
            return
        name = attrs["name"]
        if tag == "input":
            kind = (attrs.get("type") or "text").lower()
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                self._form["fields"].append((name, None, kind))  # known name, not sent
            elif kind not in ("submit", "button", "file", "image", "reset"):
                self._form["fields"].append((name, attrs.get("value") or "", kind))
            elif kind == "file":
                self._form["fields"].append((name, None, "file"))
        elif tag == "textarea":
            self._form["fields"].append((name, "", "textarea"))
        elif tag == "select":
            self._form["fields"].append((name, "", "select"))
        elif tag == "button" and attrs.get("value") is not None:
            self._form["fields"].append((name, attrs["value"], "button"))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None


class _OptionValues(HTMLParser):
    """The first non-empty option of each select (a real choice, e.g. a real cohort id)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.first, self._select = {}, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "select":
            self._select = attrs.get("name")
        elif tag == "option" and self._select and attrs.get("value"):
            self.first.setdefault(self._select, attrs["value"])

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None


def forms_of(html, page_url):
    parser = FormParser(page_url)
    parser.feed(html)
    options = _OptionValues()
    options.feed(html)
    for form in parser.forms:
        form["fields"] = [(name, options.first.get(name, value) if kind == "select" else value,
                           kind) for name, value, kind in form["fields"]]
    return parser.forms


# --- What a page may contain ----------------------------------------------------------------


class ScriptAudit(HTMLParser):
    """Markup that would run script: inline <script>, on* attributes, javascript: URLs."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems = []

    def handle_starttag(self, tag, attrs):
        if tag == "script" and not dict(attrs).get("src"):
            self.problems.append("inline <script>")
        for name, value in attrs:
            if name.lower().startswith("on"):
                self.problems.append(f"<{tag} {name}=…>")
            if name.lower() in ("href", "src", "action", "formaction") and value and \
                    re.sub(r"[\s\x00-\x1f]", "", value).lower().startswith("javascript:"):
                self.problems.append(f"<{tag} {name}=javascript:…>")

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)


def script_problems(html):
    audit = ScriptAudit()
    audit.feed(html)
    audit.close()
    return audit.problems
