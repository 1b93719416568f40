"""The offline entrance bench (``python -m bench --only offline``) at a tiny size, through the
app's real manifest and sync ends: devices decide from their own manifest, upload in batches
(one sent twice), and the bench's own checks find no check-in lost, none doubled, and exactly
the conflicts its plan makes. No timing here: the speed is the bench's."""
from bench import __main__ as orchestrator
from bench import entrance
from bench import offline_entrance as offline_bench
from jobfair.extensions import db

from . import factories
from .conftest import AuthActions

DEVICES, BADGES, BATCH = 3, 30, 4


def test_offline_and_queue_are_served_scenarios_of_the_bench():
    args = orchestrator.parse(["--only", "offline,queue", "--db", "sqlite"])
    assert args.scenarios == ["offline", "queue"]
    assert {"offline", "queue"} <= set(orchestrator.SERVED)


def test_the_database_tally_tells_a_lost_and_a_doubled_check_in():
    # user 1 checked in twice, user 2 never, user 9 has no badge
    assert offline_bench.database_tally({1: 2, 9: 1}, [1, 2]) == (1, 1, 1)


def test_offline_uploads_at_a_tiny_size_lose_nothing_and_double_nothing(app, make):
    cohort = make.cohort()
    fair = make.fair(status="live", cohorts=[cohort])
    doors = [make.user(role="staff", email=f"porte{i}@example.ma") for i in range(DEVICES)]
    fair.staff.extend(doors)
    people = [make.bookable_candidate(cohort, email=f"c{i}@example.ma") for i in range(BADGES)]
    codes = [factories.badge(fair, person).token for person in people]
    holders = [person.id for person in people]
    db.session.commit()
    fair_id = fair.id
    base = f"/staff/fairs/{fair_id}/scan"

    devices = []
    for door in doors:
        client = app.test_client()
        auth = AuthActions(client)
        auth.login_as(door)
        devices.append((client, auth.csrf(base)))
    manifests = [client.get(base + "/manifest").get_json() for client, _ in devices]
    queues = offline_bench.plan(BADGES, seed=7, devices=DEVICES)
    scans = [offline_bench.decide(m, codes, q, d, "test")
             for d, (m, q) in enumerate(zip(manifests, queues))]
    sent = [offline_bench.batches(s, size=BATCH, resend_first=d == 0)
            for d, s in enumerate(scans)]

    # The devices' batches interleaved, as uploads at once would arrive.
    answers = [[] for _ in devices]
    for step in range(max(len(b) for b in sent)):
        for d, (client, csrf) in enumerate(devices):
            if step < len(sent[d]):
                response = client.post(base + "/sync", json={"scans": sent[d][step]},
                                       headers={"X-CSRFToken": csrf})
                assert response.status_code == 200, response.data[:300]
                answers[d].append(response.get_json()["results"])

    tally = offline_bench.tally(sent, answers)
    assert tally["scans"] == sum(len(s) for s in scans) + len(sent[0][0])
    assert tally["first"] == sum(len(s) for s in scans)
    assert tally["checked_in"] == BADGES
    expected = offline_bench.expected_conflicts(scans)
    assert expected >= int(BADGES * offline_bench.ELSEWHERE) > 0
    assert tally["conflicts"] == expected
    assert tally["unclean"] == {} and tally["missing_answers"] == 0
    assert tally["resend_differs"] == 0
    db.session.commit()  # the test holds no transaction (nor SQLite lock) while the bench reads
    counts = entrance.live_checkins(app, fair_id)
    assert offline_bench.database_tally(counts, holders) == (0, 0, 0)
    for (client, _), manifest in zip(devices, manifests):
        delta = client.get(f"{base}/manifest?since={manifest['generated_at']}").get_json()
        assert offline_bench.converged(delta, codes) == 0
