"""What candidates are told about a fair with a round: the directory and a company's page say
booking waits for the round (the rule of booking.rules.check_booking_window) and offer no
"Book" button until it is published; "My wishes" shows only on the cards of fairs with a round."""
from datetime import timedelta

from jobfair.extensions import db
from jobfair.models import BookingRound, utcnow

from .test_round_pages import world  # noqa: F401 (the fixture)


def _round(fair, published=False):
    now = utcnow()
    booking_round = BookingRound(fair_id=fair.id, wishes_open_at=now - timedelta(days=2),
                                 wishes_close_at=now - timedelta(days=1),
                                 publish_at=now - timedelta(days=1), max_wishes=3,
                                 published_at=now if published else None)
    db.session.add(booking_round)
    return booking_round


def test_while_the_round_is_pending_the_directory_says_so_and_offers_no_booking(
        auth, client, world):  # noqa: F811
    fair = world["fair"]
    fair.booking_opens_at = utcnow() - timedelta(hours=1)  # first-come's window is open
    booking_round = _round(fair)
    db.session.commit()
    auth.use_language("en")
    auth.login_as(world["person"])
    company = world["parts"][0].company_id
    book = f"/me/fairs/{fair.id}/slots/"
    directory = client.get(f"/me/fairs/{fair.id}/companies").get_data(as_text=True)
    page = client.get(f"/me/fairs/{fair.id}/companies/{company}").get_data(as_text=True)
    home = client.get("/me/").get_data(as_text=True)
    message = "Booking opens once the interviews of the booking round are published."
    for html in (directory, page):
        assert 'id="round-pending"' in html and message in html
        assert f'/me/fairs/{fair.id}/wishes' in html
    assert book not in page  # no "Book" button
    assert "Booking is open until" not in home and message in home

    booking_round.published_at = utcnow()
    db.session.commit()
    directory = client.get(f"/me/fairs/{fair.id}/companies").get_data(as_text=True)
    page = client.get(f"/me/fairs/{fair.id}/companies/{company}").get_data(as_text=True)
    assert 'id="round-pending"' not in directory and "Booking is not open now" not in directory
    assert 'id="round-pending"' not in page and book in page


def test_my_wishes_shows_only_on_fairs_with_a_round(auth, client, make, world):  # noqa: F811
    fair = world["fair"]
    plain = make.fair(day=fair.day + timedelta(days=1), booking_opens_at=fair.booking_opens_at,
                      booking_closes_at=fair.booking_closes_at,
                      cancellation_deadline=fair.cancellation_deadline)
    plain.cohorts.append(world["cohort"])
    _round(fair)
    db.session.commit()
    auth.login_as(world["person"])
    home = client.get("/me/").get_data(as_text=True)
    assert f'id="fair-{fair.id}"' in home and f'id="fair-{plain.id}"' in home
    assert f'id="wishes-{fair.id}"' in home
    assert f'id="wishes-{plain.id}"' not in home
