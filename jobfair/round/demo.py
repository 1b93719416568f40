"""Demo data for the booking round: an upcoming fair in Marrakech whose wish window is open.

A fair of its own (the demo's Casablanca fair keeps first-come booking, which the other
journeys use): eight of the demo companies with their slots, a round whose wishes are open
until next week, wishes from candidates 41–100 (complete profiles; a few companies are far
more wished for than others, as at real fairs) and the companies' "want to meet" / "no"
marks, so that an organizer can run and publish the assignment in the browser.
"""
import random
from datetime import time, timedelta

from ..extensions import db
from ..models import (
    BookingRound,
    Booth,
    Fair,
    InterviewTable,
    Participation,
    ShortlistMark,
    Slot,
    Wish,
)
from ..timeutil import local_to_utc

SLUG = "jobintech-marrakech-2026"
# Eight demo companies. Not Oasis Networks: a browser test finds its one participation by name.
COMPANY_INDEXES = (0, 1, 2, 4, 6, 7, 8, 9)
# How much more the first companies are wished for than the others.
POPULARITY = (8, 6, 5, 2, 2, 1, 1, 1)


def build_round_fair(today, cohorts, participations, candidates):
    rng = random.Random(2027)
    day = today + timedelta(days=35)
    publish = local_to_utc(today + timedelta(days=8), time(10, 0))
    fair = Fair(
        name="JobInTech Job Fair Marrakech 2026",
        slug=SLUG,
        city="Marrakech",
        region="marrakech_safi",
        venue="Palais des Congrès",
        description="Le forum des lauréats JobInTech de Marrakech-Safi, avec une campagne de "
                    "vœux : l'ordre des vœux compte, pas la vitesse.",
        day=day,
        opens_at=time(9, 0),
        closes_at=time(17, 0),
        booking_opens_at=publish,
        booking_closes_at=local_to_utc(day - timedelta(days=1), time(20, 0)),
        cancellation_deadline=local_to_utc(day - timedelta(days=1), time(18, 0)),
        max_bookings_per_candidate=3,
        min_gap_minutes=10,
        status="published",
        hall_rows=2,
        hall_cols=4,
        cohorts=list(cohorts),
    )
    db.session.add(fair)
    mine = []
    for number, index in enumerate(COMPANY_INDEXES):
        company = participations[index].company
        participation = Participation(fair=fair, company=company, status="approved",
                                      decided_at=local_to_utc(today, time(9, 0)))
        db.session.add(participation)
        db.session.add(Booth(fair=fair, number=f"M{number + 1}", zone="M",
                             grid_row=number // 4, grid_col=number % 4,
                             participation=participation))
        for table_number in range(2 if number < 2 else 1):
            table = InterviewTable(participation=participation, name=f"Table {table_number + 1}")
            db.session.add(table)
            for hour in (9, 10, 11, 14, 15):
                for minute in (0, 30):
                    starts = local_to_utc(day, time(hour, minute))
                    db.session.add(Slot(table=table, starts_at=starts,
                                        ends_at=starts + timedelta(minutes=20), capacity=1))
        mine.append(participation)
    booking_round = BookingRound(
        fair=fair, wishes_open_at=local_to_utc(today - timedelta(days=2), time(9, 0)),
        wishes_close_at=local_to_utc(today + timedelta(days=7), time(18, 0)),
        publish_at=publish, max_wishes=5)
    db.session.add(booking_round)
    db.session.flush()

    weighted = [p for p, weight in zip(mine, POPULARITY) for _ in range(weight)]
    wishers = {p.id: [] for p in mine}
    for candidate in candidates[40:100]:
        chosen = []
        for _ in range(rng.randint(2, 5)):
            pick = rng.choice(weighted)
            if pick not in chosen:
                chosen.append(pick)
        for rank, participation in enumerate(chosen, start=1):
            db.session.add(Wish(round_id=booking_round.id, candidate_id=candidate.id,
                                participation_id=participation.id, rank=rank))
            wishers[participation.id].append(candidate)
    for participation in mine:
        for candidate in wishers[participation.id]:
            draw = rng.random()
            if draw < 0.3 or draw > 0.9:
                db.session.add(ShortlistMark(
                    round_id=booking_round.id, participation_id=participation.id,
                    candidate_id=candidate.id, decision="meet" if draw < 0.3 else "no"))
    return fair
