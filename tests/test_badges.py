"""Badges: tokens, who has a badge, issuing and reissuing, and who may download or print them."""
import math
import re
from collections import Counter
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from jobfair.badges import services
from jobfair.extensions import db
from jobfair.models import Badge

from .downloads import decoded_qr_texts, pdf_pages

TOKEN = re.compile(r"^[A-Za-z0-9_-]{32}$")


@pytest.fixture
def world(make):
    cohort = make.cohort(name="Promotion Data")
    other_cohort = make.cohort(name="Promotion Web")
    fair = make.fair(name="Forum Casablanca")
    fair.cohorts.append(cohort)
    cand = make.candidate(email="cand@example.ma", cohort_=cohort)
    outsider = make.candidate(email="outsider@example.ma", cohort_=other_cohort)
    company = make.company(name="Atlas Digital")
    make.participation(fair, company, status="approved")
    rep = make.user(role="company_rep", email="rh@atlas.example.ma", company=company)
    pending = make.company(name="Pending Co")
    make.participation(fair, pending, status="requested")
    pending_rep = make.user(role="company_rep", email="rh@pending.example.ma", company=pending)
    return SimpleNamespace(fair=fair, cohort=cohort, other_cohort=other_cohort, cand=cand,
                           outsider=outsider, company=company, rep=rep, pending_rep=pending_rep,
                           organizer=make.user(role="organizer", email="orga@example.ma"),
                           staff=make.user(role="staff", email="staff@example.ma"))


def active_badges(fair, user):
    return db.session.scalars(select(Badge).where(
        Badge.fair_id == fair.id, Badge.user_id == user.id, Badge.revoked_at.is_(None))).all()


# --- Tokens --------------------------------------------------------------------------------


def test_token_is_192_random_bits_and_not_an_id_or_email(app, world):
    badge = services.issue_badge(world.fair, world.cand)
    assert TOKEN.match(badge.token)  # 24 bytes, URL-safe base64: 32 characters
    assert str(world.cand.id) != badge.token and "cand" not in badge.token.lower()
    tokens = [services.new_token() for _ in range(2000)]
    assert len(set(tokens)) == len(tokens)
    # Shannon entropy per character close to log2(64) = 6 bits over many tokens.
    counts = Counter("".join(tokens))
    total = sum(counts.values())
    entropy = -sum(n / total * math.log2(n / total) for n in counts.values())
    assert entropy > 5.9
    assert services.badge_url(badge.token).endswith("/b/" + badge.token)
    assert services.badge_url(badge.token).startswith(app.config["BASE_URL"])


def test_issue_is_idempotent_and_reissue_revokes(app, world):
    first = services.issue_badge(world.fair, world.cand)
    assert services.issue_badge(world.fair, world.cand).id == first.id
    new = services.reissue_badge(world.fair, world.cand)
    db.session.commit()
    db.session.expire_all()
    assert new.token != first.token
    assert db.session.get(Badge, first.id).revoked_at is not None
    assert [b.id for b in active_badges(world.fair, world.cand)] == [new.id]
    assert services.issue_badge(world.fair, world.cand).id == new.id


def test_only_one_active_badge_per_person_and_fair(app, world):
    from sqlalchemy.exc import IntegrityError

    services.issue_badge(world.fair, world.cand)
    db.session.commit()
    db.session.add(Badge(fair_id=world.fair.id, user_id=world.cand.id,
                         token=services.new_token()))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


# --- Who has a badge -------------------------------------------------------------------------


def test_who_has_a_badge(app, world):
    assert services.may_have_badge(world.fair, world.cand)
    assert services.may_have_badge(world.fair, world.rep)
    assert not services.may_have_badge(world.fair, world.outsider)
    assert not services.may_have_badge(world.fair, world.pending_rep)
    assert not services.may_have_badge(world.fair, world.staff)
    assert not services.may_have_badge(world.fair, world.organizer)
    with pytest.raises(services.DomainError):
        services.issue_badge(world.fair, world.outsider)
    people = services.holders(world.fair)
    assert [p.user.email for p in people] == sorted(
        ["cand@example.ma", "rh@atlas.example.ma"],
        key=lambda e: {"cand@example.ma": world.cand.last_name,
                       "rh@atlas.example.ma": world.rep.last_name}[e].casefold())
    by_user = {p.user.id: p for p in people}
    assert by_user[world.rep.id].subtitle == "Atlas Digital"
    assert "Promotion Data" in by_user[world.cand.id].subtitle
    only_cohort = services.holders(world.fair, cohort_id=world.cohort.id)
    assert [p.user.id for p in only_cohort] == [world.cand.id]


def test_holders_sorted_by_last_then_first_name(app, make, world):
    for first, last in [("Zineb", "Alaoui"), ("Amine", "Alaoui"), ("Omar", "Tazi")]:
        person = make.candidate(cohort_=world.cohort)
        person.first_name, person.last_name = first, last
    names = [(p.user.last_name, p.user.first_name) for p in services.holders(
        world.fair, cohort_id=world.cohort.id)]
    assert names[:2] == [("Alaoui", "Amine"), ("Alaoui", "Zineb")]
    assert names[-1] == ("Tazi", "Omar")
    assert names == sorted(names, key=lambda n: (n[0].casefold(), n[1].casefold()))


# --- Own badge downloads ---------------------------------------------------------------------


def test_candidate_downloads_own_badge_same_token_each_time(client, auth, world):
    auth.login_as(world.cand)
    url = f"/me/fairs/{world.fair.id}/badge.pdf"
    first = client.get(url)
    assert first.status_code == 200
    assert first.mimetype == "application/pdf" and pdf_pages(first) == 1
    assert "no-store" in first.headers["Cache-Control"]
    [badge] = active_badges(world.fair, world.cand)
    assert decoded_qr_texts(first) == decoded_qr_texts(client.get(url)) == [
        services.badge_url(badge.token)]


def test_candidate_not_invited_or_draft_fair_gets_404(client, auth, make, world):
    auth.login_as(world.outsider)
    assert client.get(f"/me/fairs/{world.fair.id}/badge.pdf").status_code == 404
    assert client.get("/me/fairs/999999/badge.pdf").status_code == 404
    draft = make.fair(status="draft")
    draft.cohorts.append(world.other_cohort)
    assert client.get(f"/me/fairs/{draft.id}/badge.pdf").status_code == 404
    assert db.session.scalars(select(Badge)).all() == []


def test_company_rep_downloads_own_badge_only_when_approved(client, auth, world):
    auth.login_as(world.rep)
    response = client.get(f"/company/fairs/{world.fair.id}/badge.pdf")
    assert response.status_code == 200 and pdf_pages(response) == 1
    [badge] = active_badges(world.fair, world.rep)
    assert decoded_qr_texts(response) == [services.badge_url(badge.token)]
    auth.logout()
    auth.login_as(world.pending_rep)
    assert client.get(f"/company/fairs/{world.fair.id}/badge.pdf").status_code == 404


def test_no_other_candidates_badge(client, auth, world):
    """The route takes no user id: a candidate only ever gets their own token."""
    mine = services.issue_badge(world.fair, world.cand)
    db.session.commit()
    auth.login_as(world.outsider)
    assert client.get(f"/me/fairs/{world.fair.id}/badge.pdf").status_code == 404
    assert mine.token.encode() not in client.get(f"/me/fairs/{world.fair.id}/badge.pdf").data


# --- The organizer's page ---------------------------------------------------------------------


def test_organizer_page_counts_search_and_reissue(client, auth, world):
    old = services.issue_badge(world.fair, world.cand)
    db.session.commit()
    old_id, old_token = old.id, old.token
    auth.login_as(world.organizer)
    page = client.get(f"/organizer/fairs/{world.fair.id}/badges")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert re.search(r'id="count-candidates">1<', html)
    assert re.search(r'id="count-representatives">1<', html)
    assert re.search(r'id="count-issued">1<', html)
    assert f'id="person-{world.cand.id}"' in html and f'id="person-{world.rep.id}"' in html
    assert f'id="person-{world.outsider.id}"' not in html
    found = client.get(f"/organizer/fairs/{world.fair.id}/badges?q=atlas").get_data(as_text=True)
    assert f'id="person-{world.rep.id}"' in found and f'id="person-{world.cand.id}"' not in found

    url = f"/organizer/fairs/{world.fair.id}/badges/{world.cand.id}/reissue"
    response = auth.post(url, page=f"/organizer/fairs/{world.fair.id}/badges")
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(Badge, old_id).revoked_at is not None
    [new] = active_badges(world.fair, world.cand)
    assert new.token != old_token
    # Not someone without a badge for this fair.
    bad = f"/organizer/fairs/{world.fair.id}/badges/{world.outsider.id}/reissue"
    assert auth.post(bad, page=f"/organizer/fairs/{world.fair.id}/badges").status_code == 404


def test_print_issues_missing_badges_and_filters_by_cohort(client, auth, world):
    auth.login_as(world.organizer)
    base = f"/organizer/fairs/{world.fair.id}/badges.pdf"
    response = client.get(base + f"?format=a6&cohort={world.cohort.id}")
    assert response.status_code == 200 and pdf_pages(response) == 1  # A6: a badge a page
    assert len(active_badges(world.fair, world.cand)) == 1
    assert active_badges(world.fair, world.rep) == []
    everyone = client.get(base + "?format=a6")
    assert everyone.status_code == 200 and pdf_pages(everyone) == 2
    assert len(active_badges(world.fair, world.rep)) == 1
    assert client.get(base + "?format=poster").status_code == 404
    assert client.get(base + f"?cohort={world.other_cohort.id}").status_code == 404
    assert client.get(base + "?cohort=abc").status_code == 404


def test_home_pages_link_to_my_badge(client, auth, make, world):
    auth.login_as(world.cand)
    html = client.get("/me/").get_data(as_text=True)
    assert f'href="/me/fairs/{world.fair.id}/badge.pdf"' in html
    auth.logout()
    auth.login_as(world.rep)
    html = client.get("/company/").get_data(as_text=True)
    assert f'href="/company/fairs/{world.fair.id}/badge.pdf"' in html
    auth.logout()
    auth.login_as(world.pending_rep)
    assert "badge.pdf" not in client.get("/company/").get_data(as_text=True)
    auth.logout()
    auth.login_as(world.organizer)
    html = client.get(f"/organizer/fairs/{world.fair.id}").get_data(as_text=True)
    assert f'href="/organizer/fairs/{world.fair.id}/badges"' in html


def test_company_rep_badge_for_a_draft_fair_with_approved_participation(client, auth, make,
                                                                         world):
    draft = make.fair(status="draft")
    make.participation(draft, world.company, status="approved")
    auth.login_as(world.rep)
    response = client.get(f"/company/fairs/{draft.id}/badge.pdf")
    assert response.status_code == 200 and pdf_pages(response) == 1
    assert decoded_qr_texts(response) == [
        services.badge_url(services.active_badge(draft, world.rep).token)]


def test_organizer_page_lists_at_most_a_page_and_search_finds_the_rest(client, auth, make,
                                                                       world, monkeypatch):
    from jobfair.badges import views

    monkeypatch.setattr(views, "PAGE_SIZE", 1)
    auth.login_as(world.organizer)
    html = client.get(f"/organizer/fairs/{world.fair.id}/badges").get_data(as_text=True)
    assert html.count('id="person-') == 1 and 'id="more-people"' in html
    found = client.get(f"/organizer/fairs/{world.fair.id}/badges?q=rh@atlas").get_data(
        as_text=True)
    assert f'id="person-{world.rep.id}"' in found and 'id="more-people"' not in found
