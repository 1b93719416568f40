"""The round in the audit log: settings saved, run started and finished, published — each with
its actor and fair, and read as a sentence on /organizer/audit."""
import json

from sqlalchemy import select

from jobfair.extensions import db
from jobfair.models import AssignmentRun, AuditEvent, BookingRound
from jobfair.round import services

from .test_round_pages import set_round, world  # noqa: F401 (the fixture)


def _events(prefix="round."):
    db.session.expire_all()
    return db.session.scalars(select(AuditEvent).where(AuditEvent.action.startswith(prefix))
                              .order_by(AuditEvent.id)).all()


def test_saving_running_and_publishing_the_round_are_logged(auth, client, world):  # noqa: F811
    organizer, fair = world["organizer"], world["fair"]
    auth.use_language("en")
    auth.login_as(organizer)
    assert set_round(auth, world).status_code == 303
    assert set_round(auth, world).status_code == 303  # the same values: nothing changed
    url = f"/organizer/fairs/{fair.id}/round"
    response = auth.post(url, {"wishes_open_at": "2026-01-01T10:00",
                               "wishes_close_at": "2026-01-01T09:00",
                               "publish_at": "2026-01-03T10:00", "max_wishes": "5"})
    assert response.status_code == 200  # refused: not logged
    [saved] = _events()
    assert (saved.action, saved.actor_id, saved.fair_id) == ("round.saved", organizer.id, fair.id)
    assert json.loads(saved.details)["created"] is True

    booking_round = db.session.scalar(select(BookingRound))
    services.save_wishes(booking_round, world["person"].candidate, [world["parts"][0].id])
    db.session.commit()
    assert auth.post(f"{url}/run", {"seed": "7"}, page=url).status_code == 303
    run = db.session.scalar(select(AssignmentRun))
    assert auth.post(f"{url}/publish", {"run_id": str(run.id)}, page=url).status_code == 303

    events = _events()
    assert [e.action for e in events] == ["round.saved", "round.run_started",
                                          "round.run_finished", "round.published"]
    assert {(e.actor_id, e.fair_id) for e in events} == {(organizer.id, fair.id)}
    finished, published = (json.loads(e.details) for e in events[2:])
    assert (finished["seed"], finished["status"], finished["interviews"]) == (7, "done", 1)
    assert (events[3].object_id, published["interviews"]) == (run.id, 1)

    log = client.get("/organizer/audit").get_data(as_text=True)
    for sentence in ("Set the booking round", "Started the round&#39;s assignment",
                     "The round&#39;s assignment finished: 1 interview in",
                     "Published the round&#39;s assignment: 1 interview booked"):
        assert sentence in log, sentence


def test_changing_the_round_logs_what_changed(auth, client, world):  # noqa: F811
    auth.use_language("en")
    auth.login_as(world["organizer"])
    set_round(auth, world)
    booking_round = db.session.scalar(select(BookingRound))
    services.set_round(world["fair"], booking_round.wishes_open_at, booking_round.wishes_close_at,
                       booking_round.publish_at, 4, world["organizer"])
    db.session.commit()
    changed = _events()[-1]
    assert json.loads(changed.details) == {"created": False, "changes": {"max_wishes": [2, 4]}}
    log = client.get("/organizer/audit").get_data(as_text=True)
    assert "Changed the booking round" in log and "Companies a candidate may rank" in log
