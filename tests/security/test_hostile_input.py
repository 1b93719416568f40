"""Hostile input into every form and htmx POST endpoint of the app (from its URL map).

Each endpoint is posted, as the role that may use it and on real objects, its own form's fields
with random and nasty values (very long, control characters, NUL, invalid UTF-8, Unicode edge
cases, HTML/JS, SQL, wrong types, missing and repeated fields). Whatever comes back: never a
server error, never markup that would run script, and an error page of our own (in the user's
language) rather than a bare one when the request is refused.
"""
import io
import re
import urllib.parse

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.routing import IntegerConverter

from jobfair import create_app
from jobfair.auth import services as auth_services
from jobfair.config import TestConfig
from jobfair.extensions import db
from jobfair.models import Company, Fair, InterviewTable, Lead, OutboxMessage, Position, User

from . import hostile_world
from .hostile_world import client_for, forms_of, role_of, script_problems

_APP = create_app(TestConfig)  # only to read the URL map at collection time
POST_ENDPOINTS = sorted({r.endpoint for r in _APP.url_map.iter_rules() if "POST" in r.methods})

MARKERS = ('<script>alert("jf-xss")</script>', '"><img src=x onerror=alert("jf-xss")>',
           "<svg/onload=alert('jf-xss')>", "javascript:alert('jf-xss')")
NASTY = [
    "", " ", "0", "-1", "1e309", "NaN", "99999999999999999999999", "3.7", "true", "None", "null",
    "2026-02-30", "31/12/2026", "25:61", "9999-12-31", "0000-00-00", "1970-01-01T00:00:00Z",
    "' OR '1'='1", "1; DROP TABLE users; --", "\" OR 1=1 --", "%' UNION SELECT password_hash --",
    "\x00", "a\x00b", "\r\n\t\x0b\x0c\x1b[31m", "\u200f\u202eRTL override\u202c", "\u200b\ufeff",
    "e\u0301\u0301\u0301\u0301", "👩🏽‍💻🇲🇦", "مرحبا بالمرشحين", "ⵜⴰⵎⴰⵣⵉⵖⵜ", "Ｆｕｌｌｗｉｄｔｈ",
    "=HYPERLINK(\"http://x\")", "+212600000000", "@SUM(1)", "{{ 7*7 }}", "${7*7}", "%s%s%n",
    "../../etc/passwd", "http://evil.example/", "//evil.example", "A" * 300, "é" * 5000,
    *MARKERS,
]
# Bytes no str can hold: lone surrogates and invalid UTF-8, as a hostile client sends them.
RAW_BYTES = [b"\xed\xa0\x80", b"\xff\xfe", b"abc\xc3", b"\xc0\xaf"]

value_strategy = st.one_of(
    st.sampled_from(NASTY),
    st.sampled_from(RAW_BYTES),
    st.text(max_size=40),
    st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=0x3000), max_size=400),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.builds(lambda c, n: c * n, st.sampled_from("x<é😀\x00"), st.integers(1000, 70000)),
)
# What each field of the form becomes: its real value, a hostile one, missing, or repeated.
field_plan = st.sampled_from(["keep", "hostile", "hostile", "missing", "repeat"])

# Endpoints whose objects are in another fair of the world than the open one.
LIVE_FAIR = {"checkin.scan", "checkin.person", "checkin.undo", "checkin.sync"}
PAST_FAIR = {"followups.situation", "followups.resolve", "outcomes.save_row", "outcomes.bulk",
             "outcomes.remind", "outcomes.remind_all"}
ACTIONS = {"companies.decide_participation": "approve", "company.toggle_position": "close"}
# Fields of endpoints whose form no page shows in this world (or shows without its inputs).
EXTRA_FIELDS = {
    "auth.set_language": ["locale", "next"],
    "kiosk.kiosk_check_in": ["nonce"],  # shown once someone is identified at the kiosk
    "kiosk.kiosk_done": [],
    "auth.reset_password": ["password", "confirm"],
    "booking.move": ["slot_id"],
    "booking.book": [],
    "privacy.withdraw_consent": [],  # shown once a consent is given
    "booking.join_waitlist": [],
    "booking.leave_waitlist": ["back"],
    "booths.add_booth": ["number", "zone", "row", "col"],
    "booths.edit_booth": ["number", "zone"],
    "booths.remove_booth": [],
    "booths.assign": ["participation_id"],
    "checkin.scan": ["code", "nonce", "device_name"],
    "checkin.person": ["nonce", "device_name"],
    "checkin.undo": ["device_name"],
    "checkin.sync": ["scans"],  # JSON from the scanner's script; a form is no batch
    "queues.join": [],
    "queues.leave": [],
    "queues.call_next": ["called_to"],
    "queues.finish": ["entry_id", "outcome"],
    "queues.organizer_queues": ["limit"],
    "companies.add_to_fair": ["fair_id", "company_id"],
    "companies.decide_participation": ["reason", "confirm"],
    "company.request_participation": [],
    "imports.confirm": ["fingerprint"],
    "imports.cancel": [],
    "imports.reinvite": ["next"],
    "leads.booth_scan": ["code"],
    "leads.mark": ["status"],
    "outcomes.bulk": ["candidate_ids", "status"],
    "outcomes.remind": [],
    "outcomes.remind_all": [],
    # The booking round's forms show only while a round is set or its window is open.
    "round.run": ["seed"],
    "round.publish": ["run_id"],
    "round.wishes": ["wishes-0", "wishes-1"],
    "round.answer": ["answer"],
    "round.mark": ["decision"],
    "round.invite": [],
    "schedule.copy_schedule": ["targets"],
    "schedule.move_slot": ["start", "reason", "confirm", "seen"],
    "schedule.block_slot": ["reason", "confirm", "seen"],
    "schedule.unblock_slot": [],
    "schedule.delete_slot": ["reason", "confirm", "seen"],
    "schedule.delete_table": ["reason", "confirm", "seen"],
}
SETTINGS = settings(max_examples=20, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.function_scoped_fixture,
                                           HealthCheck.too_slow, HealthCheck.data_too_large])
_harvest = {}


def _url_values(app, world, endpoint):
    values = dict(world.ids)
    if endpoint in LIVE_FAIR:
        values.update(world.live_ids)
    if endpoint in PAST_FAIR:
        values.update(world.past_ids)
    if endpoint in ACTIONS:
        values["action"] = ACTIONS[endpoint]
    if endpoint == "companies.decide_participation":
        values["participation_id"] = world.requested_participation_id
    if endpoint == "fairs.remove_staff":
        values["user_id"] = world.staff_id
    if endpoint == "imports.reinvite":
        values["user_id"] = world.other_candidate_id
    if endpoint == "auth.accept_invitation":
        values["token"] = world.invitation_token
    if endpoint == "followups.answer_link":
        values["token"] = world.followup_token
    return values


def _special_token(app, world, endpoint, auth):
    """Tokens that only exist once something was done: a reset link, a stored import."""
    if endpoint == "auth.reset_password":
        auth_services.request_password_reset(world.emails["organizer"])
        db.session.commit()
        body = db.session.query(OutboxMessage).order_by(OutboxMessage.id.desc()).first().body_text
        return re.search(r"/password/reset/(\S+)", body).group(1)
    if endpoint in ("imports.confirm", "imports.cancel"):
        data = "Prénom;Nom;Email;Téléphone\r\nNadia;Alami;nadia@example.ma;0612345678\r\n".encode()
        response = auth.post("/organizer/candidates/import",
                             {"file": (io.BytesIO(data), "liste.csv"),
                              "cohort_id": str(world.ids["cohort_id"])})
        assert response.status_code == 303, response.text[:2000]
        return response.headers["Location"].rstrip("/").rsplit("/", 1)[1]
    return None


def _harvest_forms(app, world):
    """endpoint -> [(field, default, kind)], from every GET page of every role, once."""
    if _harvest:
        return _harvest
    adapter = app.url_map.bind("localhost")
    clients = {role: client_for(app, world, role) for role in (None, *hostile_world.ROLES)}
    variants = [dict(world.ids), {**world.ids, **world.live_ids}, {**world.ids, **world.past_ids},
                {**world.ids, "token": world.invitation_token},
                {**world.ids, "token": world.followup_token}]
    seen = set()
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint in ("static", "main.vendor"):
            continue
        for values in variants:
            try:
                url = rule.build({a: values[a] for a in rule.arguments})[1]
            except KeyError:
                continue
            role = role_of(app, rule.endpoint)
            if (role, url) in seen:
                continue
            seen.add((role, url))
            response = clients[role].client.get(url)
            if response.mimetype != "text/html":
                continue
            for form in forms_of(response.text, url):
                path = urllib.parse.urlsplit(form["action"]).path
                try:
                    endpoint, _args = adapter.match(path, method="POST")
                except Exception:  # noqa: BLE001 - a form posting elsewhere (GET search forms)
                    continue
                fields = _harvest.setdefault(endpoint, {})
                for name, value, kind in form["fields"]:
                    if name != "csrf_token":
                        fields.setdefault(name, (value, kind))
    return _harvest


def _encode(pairs):
    def part(value):
        raw = value if isinstance(value, bytes) else value.encode("utf-8", "surrogatepass")
        return urllib.parse.quote_from_bytes(raw, safe="")

    return "&".join(f"{part(name)}={part(value)}" for name, value in pairs).encode()


def check_answer(response, label):
    """What every answer to hostile input must look like."""
    assert response.status_code < 500, f"{label}: {response.status_code}"
    if response.mimetype != "text/html":
        return
    html = response.get_data(as_text=True)
    problems = script_problems(html)
    assert not problems, f"{label}: markup that runs script: {problems}"
    for marker in MARKERS[:3]:
        assert marker not in html, f"{label}: {marker!r} shown unescaped"
    if 400 <= response.status_code < 500 and response.status_code != 410:
        # Our own error page, in the user's language, saying what happened.
        assert re.search(r'<html lang="(fr|en)"', html) and "<h1" in html, \
            f"{label}: a bare {response.status_code} page"


def test_every_post_endpoint_is_covered(app, make):
    """A new POST endpoint must get its world values here (or the test below cannot reach it)."""
    world = hostile_world.build(make)
    missing = []
    for endpoint in POST_ENDPOINTS:
        rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint)
        values = _url_values(app, world, endpoint)
        if not rule.arguments <= values.keys():
            missing.append(f"{endpoint}: {sorted(rule.arguments - values.keys())}")
    assert not missing, missing
    harvested = _harvest_forms(app, world)
    formless = [e for e in POST_ENDPOINTS if e not in harvested and e not in EXTRA_FIELDS]
    assert not formless, f"no page shows a form for {formless}: add their fields to EXTRA_FIELDS"


@pytest.mark.parametrize("endpoint", POST_ENDPOINTS)
def test_hostile_values_never_break_an_endpoint(app, make, endpoint, monkeypatch, tmp_path):
    monkeypatch.setattr(app, "instance_path", str(tmp_path))  # CVs and imports stay here
    world = hostile_world.build(make)
    fields = dict(_harvest_forms(app, world).get(endpoint, {}))
    for name in EXTRA_FIELDS.get(endpoint, []):
        fields.setdefault(name, ("", "text"))
    role = role_of(app, endpoint) or ("candidate" if endpoint == "auth.logout" else None)
    auth = client_for(app, world, role)
    values = _url_values(app, world, endpoint)
    values["token"] = _special_token(app, world, endpoint, auth) or values["token"]
    rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint)
    url = rule.build({a: values[a] for a in rule.arguments})[1]
    csrf = auth.csrf("/login")
    names = sorted(fields)

    @SETTINGS
    @given(plans=st.lists(field_plan, min_size=len(names), max_size=len(names)),
           hostile=st.lists(value_strategy, min_size=len(names) + 1, max_size=len(names) + 1),
           htmx=st.booleans(), stray=st.sampled_from([None, "unexpected_field", "csrf_token"]))
    def post(plans, hostile, htmx, stray):
        pairs = [("csrf_token", csrf)]
        for name, plan, value in zip(names, plans, hostile):
            default = fields[name][0]
            if plan == "keep" and default is not None:
                pairs.append((name, default))
            elif plan == "hostile":
                pairs.append((name, value))
            elif plan == "repeat":
                pairs += [(name, value), (name, default or value)]
        if stray:
            pairs.append((stray, hostile[-1]))
        headers = {"HX-Request": "true"} if htmx else {}
        response = auth.client.post(url, data=_encode(pairs), headers=headers,
                                    content_type="application/x-www-form-urlencoded",
                                    follow_redirects=True)
        check_answer(response, f"{role or 'anonymous'} POST {url} {pairs!r:.600}")

    post()


def test_stored_hostile_text_is_escaped_on_every_page(app, make):
    """Names and notes people type are shown everywhere as text, never as markup."""
    world = hostile_world.build(make)
    marker = MARKERS[0] + MARKERS[1]
    for company in db.session.query(Company):
        company.name = marker + company.name
        company.description = marker
    for fair in db.session.query(Fair):
        fair.name, fair.venue = marker + fair.name, marker
    for user in db.session.query(User):
        user.first_name, user.last_name = marker, marker
    for position in db.session.query(Position):
        position.title = marker
    for table in db.session.query(InterviewTable):
        table.name = marker + table.name
    person = db.session.query(User).filter_by(email=world.emails["candidate"]).one()
    db.session.add(Lead(participation_id=world.ids["participation_id"],
                        candidate_id=person.candidate.id, rating=3, notes=marker,
                        next_step=marker))
    db.session.commit()
    pages = 0
    for role in hostile_world.ROLES:
        auth = client_for(app, world, role)
        for rule in app.url_map.iter_rules():
            if "GET" not in rule.methods or role_of(app, rule.endpoint) not in (role, None) \
                    or rule.endpoint in ("static", "main.vendor"):
                continue
            for values in (world.ids, {**world.ids, **world.past_ids},
                           {**world.ids, **world.live_ids}):
                url = rule.build({a: values[a] for a in rule.arguments})[1]
                response = auth.client.get(url, follow_redirects=True)
                check_answer(response, f"{role} GET {url}")
                pages += b"&lt;script&gt;alert(" in response.data
    assert pages > 20, "the marker should be visible (escaped) on many pages"


# --- Numbers the database cannot hold (found by the tests above: they were 500s) --------------

TOO_BIG = 2**63  # past SQLite's integers (OverflowError) and PostgreSQL's (out of range)


def test_an_id_the_database_cannot_hold_names_nothing(app, make):
    world = hostile_world.build(make)
    clients, answers = {}, []
    for rule in app.url_map.iter_rules():
        ints = {a for a, c in rule._converters.items() if isinstance(c, IntegerConverter)}
        if not ints:
            continue
        role = role_of(app, rule.endpoint)
        auth = clients.setdefault(role, client_for(app, world, role))
        values = _url_values(app, world, rule.endpoint)
        for name in ints:  # each id in turn, the others real
            url = rule.build({a: TOO_BIG if a == name else values[a] for a in rule.arguments})[1]
            method = "post" if "POST" in rule.methods and "GET" not in rule.methods else "get"
            response = getattr(auth.client, method)(url, data={"csrf_token": auth.csrf("/login")})
            answers.append((url, response.status_code))
    assert len(answers) > 40
    # (Werkzeug answers a POST to a path no rule matches with 405.)
    assert all(status in (404, 405) for _url, status in answers), \
        [a for a in answers if a[1] not in (404, 405)]


def test_a_number_the_database_cannot_hold_in_a_form_or_query_is_refused(app, make):
    world = hostile_world.build(make)
    organizer = client_for(app, world, "organizer")
    candidate = client_for(app, world, "candidate")
    fair_id, big = world.ids["fair_id"], str(TOO_BIG)
    answers = [
        organizer.post("/organizer/companies/add-to-fair",
                       {"fair_id": big, "company_id": str(world.ids["company_id"])}),
        organizer.post("/organizer/companies/add-to-fair",
                       {"fair_id": str(fair_id), "company_id": big}),
        organizer.client.get(f"/organizer/candidates?page={big}"),
        organizer.client.get(f"/organizer/fairs/{fair_id}/booths?participation={big}"),
        organizer.client.get(f"/organizer/companies/invite?fair_id={big}"),
        candidate.post(f"/me/bookings/{world.ids['booking_id']}/move",
                       {f"b{world.ids['booking_id']}-target": big},
                       page=f"/me/fairs/{fair_id}/schedule"),
    ]
    for response in answers:
        assert response.status_code in (200, 400, 404), response.status_code
        check_answer(response, response.request.url if response.request else "")
