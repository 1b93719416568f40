"""Badge tokens that are not a valid badge of this fair: random, truncated, padded, another
fair's, revoked. At the scanner and at /b/<token>, each answer says why, checks no one in, and
never breaks. (tests/test_checkin.py has one example of each status; here they are many.)
"""
import re
import secrets

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from jobfair.extensions import db
from jobfair.models import Badge, CheckIn

from .. import factories
from ..conftest import AuthActions

SETTINGS = settings(max_examples=30, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.fixture
def world(make, staff):
    cohort = make.cohort()
    fair = make.fair(status="live", cohorts=[cohort])
    fair.staff.append(staff)
    other_fair = make.fair(status="live", cohorts=[cohort])
    person = make.bookable_candidate(cohort, email="salma@example.ma")
    person.first_name, person.last_name = "Salma", "Élbaz"
    staff.locale = "en"
    replaced = factories.badge(fair, person, revoked=True)
    badge = factories.badge(fair, person)
    foreign = factories.badge(other_fair, person)
    db.session.commit()
    return {"fair": fair, "person": person, "badge": badge.token, "replaced": replaced.token,
            "foreign": foreign.token, "scanner": f"/staff/fairs/{fair.id}/scan"}


def _checkins():
    db.session.rollback()
    return db.session.scalar(select(func.count(CheckIn.id)))


def _scan(auth, token, world):
    response = auth.client.post(world["scanner"], data={
        "code": token, "nonce": secrets.token_hex(8), "csrf_token": auth.csrf(world["scanner"])})
    assert response.status_code == 200
    status = re.search(r'data-status="([a-z_]+)"', response.text)
    label = re.search(r'<p class="scan-status">([^<]+)</p>', response.text)
    return status.group(1), label.group(1).strip(), response.text


def _mangled(token):
    """Near misses of a real token: cut, padded, one character changed, case swapped."""
    return st.one_of(
        st.integers(0, len(token) - 1).map(lambda n: token[:n]),
        st.integers(1, len(token) - 1).map(lambda n: token[n:]),
        st.text(min_size=1, max_size=5).map(lambda extra: token + extra),
        st.integers(0, len(token) - 1).map(
            lambda i: token[:i] + ("A" if token[i] != "A" else "B") + token[i + 1:]),
        st.just(token.swapcase()),
    )


RANDOM_CODES = st.one_of(
    st.text(max_size=80),
    st.from_regex(r"[A-Za-z0-9_-]{32}", fullmatch=True),  # shaped like a token
    st.sampled_from(["", " ", "\x00", "../../etc/passwd", "' OR '1'='1", "https://x/b/",
                     "<script>alert(1)</script>", "x" * 5000, "%00", "🙂" * 40]),
)


def test_random_and_near_miss_codes_at_the_scanner_say_unknown_badge(auth, staff, world):
    auth.login_as(staff)
    real = world["badge"]

    @SETTINGS
    @given(code=st.one_of(RANDOM_CODES, _mangled(real)))
    def scan(code):
        if code.strip() == real or "".join(code.split()) == real:
            return  # by chance the real badge (spaces are allowed in typed codes)
        status, label, page = _scan(auth, code, world)
        assert (status, label) == ("unknown_badge", "Unknown badge"), code
        assert "Salma" not in page and "<script>alert(1)" not in page

    scan()
    assert _checkins() == 0


def test_revoked_and_foreign_badges_at_the_scanner_say_why(auth, staff, world):
    auth.login_as(staff)
    assert _scan(auth, world["replaced"], world)[:2] == (
        "revoked_badge", "Revoked badge: a newer one exists")
    assert _scan(auth, world["foreign"], world)[:2] == (
        "not_registered", "Not registered for this fair")
    assert _checkins() == 0
    # A badge URL from a phone's camera works as the bare token does.
    assert _scan(auth, f"http://localhost/b/{world['badge']}", world)[0] == "checked_in"


def test_a_reissued_badge_revokes_the_old_one_at_the_scanner(app, auth, organizer, staff, world):
    person = world["person"]
    fair = world["fair"]
    response = auth.client.post(
        f"/organizer/fairs/{fair.id}/badges/{person.id}/reissue",
        data={"csrf_token": auth.csrf("/login")})
    assert response.status_code == 302  # anonymous: to the login page
    organizer_auth = AuthActions(app.test_client())
    organizer_auth.login_as(organizer)
    response = organizer_auth.post(f"/organizer/fairs/{fair.id}/badges/{person.id}/reissue",
                                   page=f"/organizer/fairs/{fair.id}/badges")
    assert response.status_code in (302, 303)
    db.session.rollback()
    new = db.session.scalar(select(Badge.token).where(
        Badge.fair_id == fair.id, Badge.user_id == person.id, Badge.revoked_at.is_(None)))
    assert new != world["badge"]
    auth.login_as(staff)
    assert _scan(auth, world["badge"], world)[0] == "revoked_badge"
    assert _scan(auth, new, world)[0] == "checked_in"


def test_the_badge_link_tells_staff_why_and_tells_others_nothing(app, auth, client, staff,
                                                                  world):
    anonymous = [client.get(f"/b/{token}") for token in
                 (world["badge"], world["foreign"], "nope", world["badge"][:-1])]
    # The same page (its log-in link comes back to the path) for any token.
    mains = {re.sub(r"next=[^\"]*", "", r.text[r.text.index("<main"):r.text.index("</main>")])
             for r in anonymous}
    assert len(mains) == 1, "a visitor must not tell a real badge from a random code"
    assert 'id="badge-reason"' not in mains.pop()

    auth.login_as(staff)

    @SETTINGS
    @given(code=st.one_of(RANDOM_CODES.filter(lambda c: "/" not in c and c.strip()),
                          _mangled(world["badge"])))
    def visit(code):
        if code == world["badge"]:
            return
        response = client.get("/b/" + code, follow_redirects=True)
        assert response.status_code in (200, 404), code  # 404: not a /b/<token> path at all
        if response.status_code == 200:
            assert "Unknown badge: no badge has this code." in response.text, code
            assert 'id="badge-checkin"' not in response.text

    visit()
    foreign = client.get(f"/b/{world['foreign']}").text
    assert "This badge is for a fair you do not work at." in foreign
    assert "Salma" not in foreign.split("<main")[1]
    replaced = client.get(f"/b/{world['replaced']}").text
    assert "This badge was replaced by a newer one." in replaced
    assert _checkins() == 0


def test_a_code_with_a_nul_is_an_unknown_badge_on_every_database(auth, staff, world):
    """PostgreSQL refuses a NUL in a query: such a code was a 500 at /b/ and the scanner."""
    auth.login_as(staff)
    assert _scan(auth, f"{world['badge'][:10]}\x00", world)[:2] == ("unknown_badge",
                                                                     "Unknown badge")
    response = auth.client.get(f"/b/{world['badge'][:10]}%00")
    assert response.status_code == 200
    assert "Unknown badge: no badge has this code." in response.text
