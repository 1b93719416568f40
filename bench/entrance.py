"""The entrance line: 8 staff devices scan 2,000 different badges as fast as the server answers.

Each device is a closed loop (the next badge is scanned as soon as the answer shows),
as the scanner page does (one POST per scan, with a fresh nonce, ``HX-Request``). On
top of the 2,000 first scans: 10 % repeats (a badge shown again, at another device,
a little later: "already checked in") and 2.5 % retries (the same device re-sending the
same scan with the same nonce, as the scanner does after a lost answer: "checked in"
again, not a second check-in). The same sequence is played against the bare check-in
transaction (bench/ceiling.py) on an identical fair, same client, same run.

Afterwards: exactly one live check-in per badge, and none more.
"""
import random
import uuid

from sqlalchemy import func, select

from jobfair.extensions import db
from jobfair.models import CheckIn

from . import load

DEVICES = 8
REPEATS = 0.10
RETRIES = 0.025
CLEAN = ("checked_in", "already_checked_in")


def sequence(badges, seed):
    """Per device, a list of scans: (badge index, nonce number); a retry reuses a nonce."""
    rng = random.Random(seed)
    order = list(range(badges))
    rng.shuffle(order)
    scans = [[(b, i)] for i, b in enumerate(order)]
    nonce = badges
    # Repeats: the same badge later on (about 5 scans later per device), a new nonce.
    for position in sorted(rng.sample(range(badges), int(badges * REPEATS)), reverse=True):
        later = min(len(scans), position + DEVICES * 5 + rng.randrange(DEVICES * 10))
        scans.insert(later, [(scans[position][0][0], nonce)])
        nonce += 1
    # Retries: the same scan twice in a row at the same device.
    for position in rng.sample(range(len(scans)), int(badges * RETRIES)):
        scans[position] = scans[position] + [scans[position][0]]
    devices = [[] for _ in range(DEVICES)]
    for position, group in enumerate(scans):
        devices[position % DEVICES].extend(group)
    return devices


def app_users(fair, devices, sessions, prefix):
    return [{
        "headers": {"Cookie": session["cookie"], "HX-Request": "true"},
        "steps": [{"method": "POST", "path": f"/staff/fairs/{fair.fair_id}/scan",
                   "data": {"code": fair.badges[b][2], "device_name": f"Entrance {d + 1}",
                            "nonce": f"{prefix}-{n}", "csrf_token": session["csrf"]}}
                  for b, n in scans],
    } for d, (scans, session) in enumerate(zip(devices, sessions))]


def bare_users(fair, devices, staff_ids, prefix):
    return [{
        "steps": [{"method": "POST",
                   "path": f"/checkin?fair={fair.fair_id}&user={fair.badges[b][1]}"
                           f"&badge={fair.badges[b][0]}&nonce={prefix}-{n}&staff={staff}"}
                  for b, n in scans],
    } for scans, staff in zip(devices, staff_ids)]


def live_checkins(app, fair_id):
    """{user id: live check-ins} of the fair."""
    with app.app_context():
        rows = db.session.execute(
            select(CheckIn.user_id, func.count())
            .where(CheckIn.fair_id == fair_id, CheckIn.undone_at.is_(None))
            .group_by(CheckIn.user_id)).all()
        db.session.remove()
    return dict(rows)


def check_database(app, fair):
    """Exactly one live check-in per badge holder of the fair, and nobody else."""
    problems = []
    counts = live_checkins(app, fair.fair_id)
    holders = {user for _, user, _ in fair.badges}
    missing = holders - set(counts)
    if missing:
        problems.append(f"{len(missing)} badge holders without a check-in")
    doubles = [u for u, n in counts.items() if n != 1]
    if doubles:
        problems.append(f"{len(doubles)} people checked in more than once")
    strangers = set(counts) - holders
    if strangers:
        problems.append(f"{len(strangers)} check-ins of people without a badge")
    return problems


def measure(ctx, run_index, processes=1):
    state = ctx.state
    people = state["people"]
    app_fair, bare_fair = state["entrance_fairs"][run_index]
    devices = sequence(len(app_fair.badges), seed=1000 + run_index)
    prefix = uuid.uuid4().hex[:12]
    out = {"badges": len(app_fair.badges)}

    def bare():
        server = ctx.servers["ceiling"]
        server.mark()
        out["bare"] = load.run(server.url, bare_users(bare_fair, devices, people.staff_ids,
                                                      f"{prefix}b"),
                               "bare_checkin", DEVICES, processes)
        out["bare_server_cpu"] = server.cpu_since_mark()
        out["bare_problems"] = check_database(state["app"], bare_fair)

    def line():
        server = ctx.servers["app"]
        server.mark()
        out["line"] = load.run(server.url, app_users(app_fair, devices, state["staff_sessions"],
                                                     f"{prefix}a"),
                               "checkin", DEVICES, processes)
        out["line_server_cpu"] = server.cpu_since_mark()
        out["line_problems"] = check_database(state["app"], app_fair)

    for step in ((bare, line) if run_index % 2 == 0 else (line, bare)):
        step()
    return out
