"""The authorization matrix: every route of the app, as eight kinds of user, on A's objects.

ACCESS is the table: for each endpoint and method, what each role gets. The walk builds every
URL from the URL map with values that point to objects owned by A (company A's participation,
table and slot, candidate A's booking, CV and badge…; see matrix_world.py) and checks:

- the answer is the one in the table ("ok" = a 2xx, or a 3xx that is not the login page);
- a request that is refused (login, 403, 404) changes nothing: every table's rows and the
  instance folder's files are the same before and after;
- no answer shows a secret to a role that may not see it (A's lead notes, contact details,
  badge code, CV bytes, follow-up answers, and B's likewise), searched in HTML, CSV, .ics,
  XLSX and PDF text.

A route that is not in the table fails test_every_route_is_in_the_table, by name.
Past 400 lines on purpose: the table is one row per route, and belongs in one place.
"""
import re

import pytest

from jobfair import create_app
from jobfair.config import TestConfig
from jobfair.extensions import limiter

from ..conftest import csrf_token_from
from . import matrix_world
from .matrix_world import ROLES

OK, LOGIN, FORBIDDEN, NOT_FOUND = "ok", "login", 403, 404
CANDIDATES = ("candidate_a", "candidate_b")
REPS = ("rep_a", "rep_b")
SCANNERS = ("staff", "organizer")
EVERYONE = ROLES
LOGGED_IN = ROLES[1:]


def access(ok=(), not_found=(), anonymous=LOGIN):
    """A row of the table: ``ok`` roles get in, ``not_found`` roles get 404, others 403."""
    row = {role: FORBIDDEN for role in ROLES}
    row["anonymous"] = anonymous
    row.update({role: OK for role in ok})
    row.update({role: NOT_FOUND for role in not_found})
    return row


PEOPLE = tuple(role for role in ROLES if role != "kiosk")  # a kiosk reaches its pages only
PUBLIC = access(ok=PEOPLE, anonymous=OK)
ORGANIZER = access(ok=("organizer",))
STAFF = access(ok=("staff", "staff_b"))
ANY_CANDIDATE = access(ok=CANDIDATES)  # a candidate's own data: the URL names no one else
CANDIDATE_A = access(ok=("candidate_a",), not_found=("candidate_b",))  # A's booking in the URL
ANY_REP = access(ok=REPS)  # the representative's own company: the URL names no company
COMPANY_A = access(ok=("rep_a",), not_found=("rep_b",))  # company A's object in the URL
SCANNER = access(ok=SCANNERS, not_found=("staff_b",))  # the fair's staff only
OFFLINE_SCANNER = access(ok=SCANNERS, anonymous=FORBIDDEN)
KIOSK = access(ok=("kiosk",))


def both(row):
    return {"GET": row, "POST": row}


ACCESS = {
    # Accounts: open to everyone (logged in or not); the token is A's.
    "auth.accept_invitation": both(PUBLIC),
    "auth.forgot_password": both(PUBLIC),
    "auth.index": {"GET": access(ok=LOGGED_IN)},  # each role's home
    "auth.login": both(PUBLIC),
    # Logging out (or being logged out already) ends on the login page.
    "auth.logout": {"POST": {role: LOGIN for role in ROLES}},
    "auth.reset_password": both(PUBLIC),
    "auth.set_language": {"POST": PUBLIC},
    "main.healthz": {"GET": PUBLIC},
    "main.vendor": {"GET": access(ok=EVERYONE, anonymous=OK)},  # htmx: the kiosk too
    "fairs.public": {"GET": PUBLIC},
    # /b/<token>: everyone gets a page; only the fair's staff and organizers see whose badge.
    "checkin.badge": {"GET": PUBLIC},
    # A signed link mailed to candidate A: whoever holds it answers for A (by design).
    "followups.answer_link": both(PUBLIC),
    # Badges: one's own (the URL names the fair only); every badge for organizers.
    "badges.candidate_badge": {"GET": ANY_CANDIDATE},
    "badges.company_badge": {"GET": ANY_REP},
    "badges.index": {"GET": ORGANIZER},
    "badges.print_badges": {"GET": ORGANIZER},
    "badges.reissue": {"POST": ORGANIZER},
    # Candidates: booking at any approved company of an invited fair; A's booking is A's only.
    "booking.book": {"POST": ANY_CANDIDATE},
    "booking.booking_ics": {"GET": CANDIDATE_A},
    "booking.cancel": {"POST": CANDIDATE_A},
    "booking.move": {"POST": CANDIDATE_A},
    "booking.company": {"GET": ANY_CANDIDATE},
    "booking.day_ics": {"GET": ANY_CANDIDATE},
    "booking.directory": {"GET": ANY_CANDIDATE},
    "booking.join_waitlist": {"POST": ANY_CANDIDATE},
    "booking.leave_waitlist": {"POST": ANY_CANDIDATE},
    "booking.my_schedule": {"GET": ANY_CANDIDATE},
    "candidate.home": {"GET": ANY_CANDIDATE},
    "candidate.profile": both(ANY_CANDIDATE),
    "candidate.remove_cv": {"POST": ANY_CANDIDATE},
    "candidate.upload_cv": {"POST": ANY_CANDIDATE},
    "followups.situation": both(ANY_CANDIDATE),
    # A's CV: A, organizers, and companies approved at a public fair inviting A's cohort
    # (issue 4: "the companies of fairs the candidate is registered for"), so company B too.
    "candidate.cv": {"GET": access(ok=("candidate_a", "organizer", "rep_a", "rep_b"),
                                   not_found=("candidate_b", "staff", "staff_b"))},
    # The entrance: the fair's staff and organizers.
    "checkin.scanner": {"GET": SCANNER},
    "checkin.scan": {"POST": SCANNER},
    "checkin.person": {"POST": SCANNER},
    "checkin.undo": {"POST": SCANNER},
    # The offline scanner's JSON ends (issue 13): 403, never a login page, for anyone but the
    # fair's staff and organizers.
    "checkin.manifest": {"GET": OFFLINE_SCANNER},
    "checkin.sync": {"POST": OFFLINE_SCANNER},
    "checkin.service_worker": {"GET": PUBLIC},  # code, no data
    # Walk-in queues (issue 13): one's own place; company A's line; the organizer's figures.
    "queues.my_place": {"GET": ANY_CANDIDATE},
    "queues.join": {"POST": ANY_CANDIDATE},
    "queues.leave": {"POST": ANY_CANDIDATE},
    "queues.line": {"GET": COMPANY_A},
    "queues.poster": {"GET": COMPANY_A},
    "queues.call_next": {"POST": COMPANY_A},
    "queues.finish": {"POST": COMPANY_A},
    "queues.organizer_queues": both(ORGANIZER),
    "staff.home": {"GET": STAFF},
    # Company representatives: their own company; company A's objects are 404 for B.
    "company.home": {"GET": ANY_REP},
    "company.profile": both(ANY_REP),
    "company.positions": {"GET": ANY_REP},
    "company.new_position": both(ANY_REP),
    "company.representatives": both(ANY_REP),
    "company.request_participation": {"POST": ANY_REP},
    "company.edit_position": both(COMPANY_A),
    "company.delete_position": {"POST": COMPANY_A},
    "company.toggle_position": {"POST": COMPANY_A},
    "leads.attendance": {"GET": COMPANY_A},
    "leads.booth_scan": both(COMPANY_A),
    "leads.lead": both(COMPANY_A),
    "leads.leads": {"GET": COMPANY_A},
    "leads.leads_csv": {"GET": COMPANY_A},
    "leads.leads_xlsx": {"GET": COMPANY_A},
    "leads.mark": {"POST": COMPANY_A},
    "outcomes.company_outcomes": {"GET": COMPANY_A},
    "outcomes.save_row": {"POST": COMPANY_A},
    "outcomes.bulk": {"POST": COMPANY_A},
    "outcomes.export_csv": {"GET": COMPANY_A},
    "outcomes.export_xlsx": {"GET": COMPANY_A},
    "schedule.participation_schedule": {"GET": COMPANY_A},
    "schedule.add_table": {"POST": COMPANY_A},
    "schedule.rename_table": {"POST": COMPANY_A},
    "schedule.delete_table": {"POST": COMPANY_A},
    "schedule.copy_schedule": both(COMPANY_A),
    "schedule.generate_slots": both(COMPANY_A),
    "schedule.block_slot": {"POST": COMPANY_A},
    "schedule.unblock_slot": {"POST": COMPANY_A},
    "schedule.move_slot": {"POST": COMPANY_A},
    "schedule.delete_slot": {"POST": COMPANY_A},
    # Organizers: everything below is theirs alone.
    "organizer.home": {"GET": ORGANIZER},
    "organizer.invitations": both(ORGANIZER),
    "fairs.new": both(ORGANIZER),
    "fairs.edit": both(ORGANIZER),
    "fairs.overview": {"GET": ORGANIZER},
    "fairs.change_status": {"POST": ORGANIZER},
    "fairs.add_staff": {"POST": ORGANIZER},
    "fairs.remove_staff": {"POST": ORGANIZER},
    "dashboard.live": {"GET": ORGANIZER},
    "booths.plan": {"GET": ORGANIZER},
    "booths.add_booth": {"POST": ORGANIZER},
    "booths.assign": {"POST": ORGANIZER},
    "booths.edit_booth": {"POST": ORGANIZER},
    "booths.fill": {"POST": ORGANIZER},
    "booths.hall_size": {"POST": ORGANIZER},
    "booths.remove_booth": {"POST": ORGANIZER},
    "booths.unassign": {"POST": ORGANIZER},
    "companies.organizer_companies": {"GET": ORGANIZER},
    "companies.organizer_fair_companies": {"GET": ORGANIZER},
    "companies.invite_company": both(ORGANIZER),
    "companies.add_to_fair": {"POST": ORGANIZER},
    "companies.decide_participation": {"POST": ORGANIZER},
    "programme.index": {"GET": ORGANIZER},
    "programme.add_standard_tracks": {"POST": ORGANIZER},
    "programme.new_cohort": both(ORGANIZER),
    "programme.edit_cohort": both(ORGANIZER),
    "programme.new_operator": both(ORGANIZER),
    "programme.edit_operator": both(ORGANIZER),
    "programme.new_track": both(ORGANIZER),
    "programme.edit_track": both(ORGANIZER),
    "imports.candidates": {"GET": ORGANIZER},
    "imports.upload": both(ORGANIZER),
    "imports.preview": {"GET": ORGANIZER},
    "imports.confirm": {"POST": ORGANIZER},
    "imports.cancel": {"POST": ORGANIZER},
    "imports.reinvite": {"POST": ORGANIZER},
    "insertion.dashboard": {"GET": ORGANIZER},
    "insertion.candidates": {"GET": ORGANIZER},
    "insertion.export_csv": {"GET": ORGANIZER},
    "insertion.export_xlsx": {"GET": ORGANIZER},
    "insertion.report_pdf": {"GET": ORGANIZER},
    "outcomes.organizer_fair": {"GET": ORGANIZER},
    "outcomes.remind": {"POST": ORGANIZER},
    "outcomes.remind_all": {"POST": ORGANIZER},
    "followups.conflicts": {"GET": ORGANIZER},
    "followups.resolve": {"POST": ORGANIZER},
    "audit.log": {"GET": ORGANIZER},
    # The booking round (issue 12): the organizer's round, each candidate's own wishes (the URL
    # names a fair their cohort is invited to, and a company's invitation to them), each
    # company's own shortlist (company A's participation in the URL).
    "round.organizer_round": both(ORGANIZER),
    "round.run": {"POST": ORGANIZER},
    "round.publish": {"POST": ORGANIZER},
    "round.figures_csv": {"GET": ORGANIZER},  # the run's fairness figures (a download)
    "round.figures_xlsx": {"GET": ORGANIZER},
    "round.wishes": both(ANY_CANDIDATE),
    "round.answer": {"POST": ANY_CANDIDATE},
    "round.company_round": {"GET": COMPANY_A},
    "round.mark": {"POST": COMPANY_A},
    "round.invite": {"POST": COMPANY_A},
    # Personal data (jobfair/privacy): one's own data; the fair in the URL invites A and B.
    "privacy.my_data": {"GET": ANY_CANDIDATE},
    "privacy.export_zip": {"GET": ANY_CANDIDATE},
    "privacy.consent": {"GET": ANY_CANDIDATE},
    "privacy.give_consent": {"POST": ANY_CANDIDATE},
    "privacy.withdraw_consent": {"POST": ANY_CANDIDATE},
    "privacy.request_erasure": {"POST": ANY_CANDIDATE},
    "privacy.organizer_requests": {"GET": ORGANIZER},
    "privacy.confirm_erasure": {"POST": ORGANIZER},
    "privacy.fair_settings": both(ORGANIZER),
    # The self check-in kiosk (issue 13): the organizer's kiosks; the one-time link opens on
    # any device but a kiosk; the kiosk's own pages (its fair comes from its account).
    "kiosk.organizer_kiosks": both(ORGANIZER),
    "kiosk.revoke": {"POST": ORGANIZER},
    "kiosk.send_codes": {"POST": ORGANIZER},
    "kiosk.open_link": both(PUBLIC),
    "kiosk.kiosk_start": {"GET": KIOSK},
    "kiosk.kiosk_badge": {"POST": KIOSK},
    "kiosk.kiosk_name": {"POST": KIOSK},
    "kiosk.kiosk_welcome": {"GET": KIOSK},  # nobody identified: back to the start
    "kiosk.kiosk_check_in": {"POST": KIOSK},
    "kiosk.kiosk_print": {"GET": KIOSK},
    "kiosk.kiosk_label": {"GET": access(not_found=("kiosk",))},  # only right after a check-in
    "kiosk.kiosk_done": {"POST": KIOSK},
    "kiosk.kiosk_language": {"POST": KIOSK},
}

# Who may see each secret of the world (the markers are in matrix_world.py). One's own name
# shows in one's page header everywhere, so a role's own secrets are never leaks.
SECRETS = {
    "lead_a": {"rep_a"},
    "lead_b": {"rep_b"},
    # Company A met A (a booking): its lists and exports give A's e-mail and phone.
    "contact_a": {"candidate_a", "rep_a", "organizer"},
    "contact_b": {"candidate_b", "rep_b", "organizer"},
    "name_a": {"candidate_a", "rep_a", "staff", "organizer"},  # staff: the check-in screen
    "name_b": {"candidate_b", "rep_b", "staff", "organizer"},
    "badge_a": {"candidate_a", "organizer"},
    "badge_b": {"candidate_b", "organizer"},
    "cv_a": {"candidate_a", "rep_a", "organizer"},
    "cv_b": {"candidate_b", "rep_b", "organizer"},
    "answer_a": {"candidate_a", "organizer"},
    "answer_b": {"candidate_b", "organizer"},
}
# Where a secret is shown to more people on purpose: (endpoint, secret) -> extra roles.
SHOWN_ON_PURPOSE = {
    ("candidate.cv", "cv_a"): {"rep_b"},  # see candidate.cv in ACCESS
    # The follow-up link is a bearer token mailed to A: it shows A's name and answers.
    ("followups.answer_link", "name_a"): set(EVERYONE),
    ("followups.answer_link", "answer_a"): set(EVERYONE),
}

# Form fields some POSTs need before they reach their rule (the rest are posted empty): a
# function of the world's URL values.
FORM_DATA = {
    "auth.set_language": lambda values: {"locale": "en", "next": "/"},
    "booths.add_booth": lambda values: {"row": "1", "col": "2", "number": "C9"},
    "booths.assign": lambda values: {"participation_id": values["participation_id"]},
    "booths.unassign": lambda values: {"participation_id": values["participation_id"]},
    "companies.add_to_fair": lambda values: {"fair_id": values["fair_id"],
                                             "company_id": values["company_id"]},
    "queues.call_next": lambda values: {"called_to": "Table 1"},
    "kiosk.kiosk_badge": lambda values: {"code": "not-a-badge-but-a-page"},
    "kiosk.kiosk_name": lambda values: {"name": "Amina Zerhounia",
                                        "kiosk_code": values["kiosk_code"]},
    "kiosk.kiosk_language": lambda values: {"locale": "en"},
    "privacy.request_erasure": lambda values: {"understood": "y"},
    "privacy.fair_settings": lambda values: {"retention_months": "12",
                                             "shown_without_consent": "first_name"},
}
# Roles in the order they ask: the refused first, the owners (whose POSTs may change A's
# objects) last.
ORDER = ("anonymous", "candidate_b", "rep_b", "staff_b", "kiosk", "staff", "candidate_a",
         "rep_a", "organizer")


def _routes():
    app = create_app(TestConfig)
    rules = {}
    for endpoint, view in app.view_functions.items():
        VIEW_ROLES[endpoint] = getattr(view, "allowed_roles", None)
    for rule in app.url_map.iter_rules():
        if rule.endpoint != "static":
            rules.setdefault(rule.endpoint, []).append(rule)
    return rules


VIEW_ROLES = {}
ROUTES = _routes()


def _roles(endpoint):
    return ", ".join(VIEW_ROLES.get(endpoint) or ()) or "none"


def _methods(rule):
    return sorted(rule.methods - {"HEAD", "OPTIONS"})


def test_every_route_is_in_the_table():
    missing = [f"{endpoint} {method} {rule.rule} (role_required: {_roles(endpoint)})"
               for endpoint, rules in sorted(ROUTES.items())
               for rule in rules for method in _methods(rule)
               if method not in ACCESS.get(endpoint, {})]
    assert not missing, (
        "routes with no row in ACCESS (tests/security/test_authorization_matrix.py): say who "
        "may reach them:\n" + "\n".join(missing))


def test_the_table_names_only_real_routes():
    methods = {endpoint: {m for rule in rules for m in _methods(rule)}
               for endpoint, rules in ROUTES.items()}
    stale = [f"{endpoint} {method}" for endpoint, row in sorted(ACCESS.items())
             for method in row if method not in methods.get(endpoint, set())]
    assert not stale, "rows of ACCESS for routes the app does not have:\n" + "\n".join(stale)


# --- The walk ----------------------------------------------------------------------------------


@pytest.fixture
def world(app, make, tmp_path, monkeypatch):
    monkeypatch.setattr(app, "instance_path", str(tmp_path))
    return matrix_world.build(make, str(tmp_path))


@pytest.fixture
def clients(app, world):
    """A client per role, logged in through the session cookie (no password hashing: fast)."""
    made = {}
    for role, user in world.users.items():
        client = app.test_client()
        if user is not None:
            with client.session_transaction() as session:
                session["_user_id"] = user.get_id()
                session["_fresh"] = True
        page = client.get("/login", follow_redirects=True)
        made[role] = (client, csrf_token_from(page))
    return made


def _url(endpoint, rule, world):
    values = {**world.url_values, **world.per_endpoint.get(endpoint, {})}
    missing = rule.arguments - values.keys()
    assert not missing, (f"{endpoint} ({rule.rule}) needs {sorted(missing)}: give matrix_world "
                         "a value owned by A")
    return rule.build({name: values[name] for name in rule.arguments})[1]


def _outcome(response):
    if response.status_code in (301, 302, 303, 307, 308):
        location = response.headers.get("Location", "")
        return LOGIN if re.match(r"(https?://[^/]+)?/login(\?|$)", location) else OK
    if 200 <= response.status_code < 300:
        return OK
    return response.status_code


def _leaks(endpoint, role, url, text, world):
    found = []
    for secret, allowed in SECRETS.items():
        if role in allowed | SHOWN_ON_PURPOSE.get((endpoint, secret), set()):
            continue
        # A page may echo its own URL (a login link's "next"): that tells nothing new.
        found += [f"{secret} ({marker!r})" for marker in world.markers[secret]
                  if marker and marker in text and marker not in url]
    return found


def _ask(client, method, url, csrf, data):
    if method == "GET":
        return client.get(url)
    return client.open(url, method=method, data={"csrf_token": csrf, **data})


@pytest.mark.parametrize("endpoint", sorted(set(ROUTES) & set(ACCESS)))
def test_route_answers_each_role_as_the_table_says(app, world, clients, endpoint):
    problems = []
    for rule in ROUTES[endpoint]:
        url = _url(endpoint, rule, world)
        data = FORM_DATA.get(endpoint, lambda values: {})(world.url_values)
        for method in _methods(rule):
            expected = ACCESS[endpoint][method]
            before = None  # the state after the last refused request, if nothing came since
            for role in ORDER:
                client, csrf = clients[role]
                refused = expected[role] in (FORBIDDEN, NOT_FOUND) or (
                    expected[role] == LOGIN and role == "anonymous")
                if refused and before is None:
                    before = matrix_world.snapshot(app.instance_path)
                # Rate limits (failed logins) are not this test's subject.
                limiter.reset()
                response = _ask(client, method, url, csrf, data)
                got = _outcome(response)
                where = f"{role} {method} {url}"
                if got != expected[role]:
                    location = response.headers.get("Location", "")
                    problems.append(f"{where}: expected {expected[role]}, got {got} "
                                    f"({response.status_code} {location})")
                if refused:
                    after = matrix_world.snapshot(app.instance_path)
                    changed = matrix_world.changes(before, after)
                    if changed:
                        problems.append(f"{where} was refused but changed {', '.join(changed)}")
                    before = after
                else:
                    before = None
                leaks = _leaks(endpoint, role, url, matrix_world.shown_text(response), world)
                if leaks:
                    problems.append(f"{where} shows {', '.join(leaks)}")
    assert not problems, f"{endpoint}:\n" + "\n".join(problems)


# --- The checks above can fail -------------------------------------------------------------------

# Answers where the owner does see a secret: the markers are found in every kind of answer.
OWNERS_SEE = [
    ("rep_a", "leads.leads", "lead_a"),
    ("rep_a", "leads.leads_csv", "lead_a"),
    ("rep_a", "leads.leads_xlsx", "lead_a"),  # XLSX: read inside the zip
    ("rep_a", "schedule.participation_schedule", "name_a"),
    ("candidate_a", "candidate.cv", "cv_a"),
    ("candidate_a", "badges.candidate_badge", "badge_a"),  # PDF: read in its streams
    ("candidate_a", "candidate.profile", "contact_a"),
    ("candidate_a", "followups.situation", "answer_a"),
    ("candidate_a", "privacy.export_zip", "cv_a"),  # ZIP: data.json and cv.pdf read inside
    ("candidate_a", "privacy.export_zip", "answer_a"),
    ("staff", "checkin.badge", "name_a"),
]


@pytest.mark.parametrize("role, endpoint, secret", OWNERS_SEE)
def test_the_owner_sees_the_secret_the_walk_looks_for(world, clients, role, endpoint, secret):
    (rule,) = ROUTES[endpoint]
    url = _url(endpoint, rule, world)
    response = clients[role][0].get(url)
    assert response.status_code == 200
    text = matrix_world.shown_text(response)
    assert any(marker in text for marker in world.markers[secret]), f"{secret} not in {url}"


# --- B's own pages with A's ids in them -----------------------------------------------------------


def test_company_b_cannot_reach_as_objects_through_its_own_participation(app, world, clients):
    """Rep B's own participation with A's booking, candidate or table: 404 or refused, no change."""
    client, csrf = clients["rep_b"]
    a, b = world.url_values, world.b
    own = f"/company/fairs/{b['participation_id']}"
    asks = [
        ("GET", f"{own}/leads/{a['candidate_id']}", {}, 404),
        ("POST", f"{own}/leads/{a['candidate_id']}", {"rating": "1", "notes": "x"}, 404),
        ("POST", f"{own}/attendance/{a['booking_id']}", {"status": "attended"}, 404),
        ("POST", f"{own}/outcomes/{a['candidate_id']}", {"status": "not_retained"}, 404),
        ("POST", f"{own}/outcomes/bulk",
         {"candidate_ids": str(a["candidate_id"]), "status": "not_retained"}, 200),
        ("POST", f"/company/tables/{b['table_id']}/copy", {"targets": str(a["table_id"])}, 200),
    ]
    for method, url, data, status in asks:
        before = matrix_world.snapshot(app.instance_path)
        response = _ask(client, method, url, csrf, data)
        assert response.status_code == status, f"{method} {url}: {response.status_code}"
        after = matrix_world.snapshot(app.instance_path)
        assert not matrix_world.changes(before, after), f"{method} {url} changed data"
        text = matrix_world.shown_text(response)
        assert not _leaks("", "rep_b", url, text, world), f"{method} {url}"
    # The timeline polling itself (htmx) names its table: A's table is not in B's schedule.
    response = client.get(f"{own}/schedule?table={a['table_id']}", headers={"HX-Request": "true"})
    assert response.status_code == 286 and not response.data
