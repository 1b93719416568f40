"""The server killed (SIGKILL) while a device uploads the scans it decided offline.

A private PostgreSQL cluster serves gunicorn. A staff device holds a queue of scans decided
offline (every badge once, a few twice) and uploads it as scanner-offline.js does: batches of
50, in scan order, with a real staff login, the session's CSRF token in ``X-CSRFToken``; a
batch without an answer stays queued and is sent again, with the same nonces, once the server
is back. The device reaches the server through a relay (the venue's router or load balancer:
an address that stays the same when the server behind it is restarted), which is where the
kill is timed: while the second batch is being decided (the whole request handed to the
server), or once the server has answered it (the answer never reaches the device: the batch
was stored, the device does not know).

Proved: the killed batch is stored whole or not at all (one transaction); after a restart the
re-sent batches are answered (never a 5xx, no stack trace in the log), the retried batch's
report says "checked in" for every first scan of a badge — a fresh check-in, or the first
answer found back by its nonce — and "already checked in" for the repeats; every badge is
checked in exactly once, with one audit event, and no scan of the queue is lost.
"""
import contextlib
import signal
import socket
import threading
from collections import Counter
from types import SimpleNamespace

import psutil
import pytest
import requests
from sqlalchemy import func, select

from jobfair.extensions import db
from jobfair.models import AuditEvent, Badge, CheckIn, utcnow

from .. import factories
from ..factories import PASSWORD
from . import test_postgres_restart as restart
from .conftest import Browser, free_port, gunicorn

pytestmark = pytest.mark.resilience

BADGES, REPEATS, BATCH = 110, 10, 50  # batch size: scanner-offline.js's BATCH
SECRET_KEY = "kill-during-sync-secret-key-" + "x" * 32


# The restart tests' private cluster and its migrated database (the fairs are this test's own).
cluster, database_app = restart.cluster, restart.database_app


def seed(app, tag):
    """A live fair, its staff member, ``BADGES`` badged candidates of an invited cohort."""
    with app.app_context():
        cohort = factories.cohort()
        fair = factories.fair(status="live", cohorts=[cohort])
        door = factories.user(role="staff", email=f"door-{tag}@example.ma")
        fair.staff.append(door)
        tokens = []
        for n in range(BADGES):
            person = factories.bookable_candidate(cohort, email=f"guest{n}-{tag}@example.ma")
            badge = Badge(fair_id=fair.id, user_id=person.id, token=f"{tag}-{n:03d}-" + "k" * 24)
            db.session.add(badge)
            tokens.append(badge.token)
        db.session.commit()
        return SimpleNamespace(tag=tag, fair_id=fair.id, door=door.email, tokens=tokens,
                               scan_page=f"/staff/fairs/{fair.id}/scan")


def offline_queue(world):
    """What the device queued offline, in scan order: every badge, ten of them twice (the
    second time the device itself said "already checked in")."""
    started = int(utcnow().timestamp() * 1000) - 30 * 60 * 1000
    scans = [{"code": token, "local": "checked_in"} for token in world.tokens]
    scans += [{"code": token, "local": "already_checked_in"}
              for token in world.tokens[60:60 + REPEATS]]  # in the second batch and beyond
    scans.sort(key=lambda s: world.tokens.index(s["code"]) + (0.5 if s["local"] != "checked_in"
                                                              else 0))
    for n, scan in enumerate(scans):
        scan.update(nonce=f"{world.tag}-offline-{n:03d}", device_name="Porte nord",
                    scanned_at=started + n * 1000)
    return scans


class Relay:
    """A TCP relay to the current server. Armed, it kills the server (``kill()``) at one of
    two moments of the next upload it carries — "decided": once the whole request has been
    handed to the server; "answered": as the server's answer arrives — and closes the
    device's connection without an answer."""

    def __init__(self):
        self.listener = socket.create_server(("127.0.0.1", free_port()))
        self.port = self.listener.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.upstream = None
        self.armed = None  # (moment, kill)
        self.fired = threading.Event()
        threading.Thread(target=self._accept, daemon=True).start()

    def arm(self, moment, kill):
        self.fired.clear()
        self.armed = (moment, kill)

    def _accept(self):
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self._carry, args=(client,), daemon=True).start()

    def _fire(self, client, upstream):
        moment, kill = self.armed
        self.armed = None
        kill()
        for end in (client, upstream):
            with contextlib.suppress(OSError):
                end.shutdown(socket.SHUT_RDWR)
            end.close()
        self.fired.set()

    def _carry(self, client):
        try:
            upstream = socket.create_connection(("127.0.0.1", self.upstream), timeout=60)
        except OSError:
            client.close()
            return
        armed = self.armed if self.armed is not None else None
        request = bytearray()

        def to_server():
            with contextlib.suppress(OSError):
                while chunk := client.recv(65536):
                    upstream.sendall(chunk)
                    if armed and armed[0] == "decided" and self.armed is armed:
                        request.extend(chunk)
                        if _complete(request) and b"/scan/sync" in request.split(b"\r\n")[0]:
                            self._fire(client, upstream)
                            return
                upstream.shutdown(socket.SHUT_WR)

        def to_device():
            with contextlib.suppress(OSError):
                while chunk := upstream.recv(65536):
                    if armed and armed[0] == "answered" and self.armed is armed:
                        self._fire(client, upstream)
                        return
                    client.sendall(chunk)
                client.close()

        threading.Thread(target=to_server, daemon=True).start()
        to_device()

    def close(self):
        self.listener.close()


def _complete(request):
    """Whether ``request`` holds a whole HTTP request (headers and Content-Length body)."""
    head, found, body = bytes(request).partition(b"\r\n\r\n")
    if not found:
        return False
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    return len(body) >= length


def sigkill(process):
    """The master and its workers at once, as a crash or the OOM killer would."""
    master = psutil.Process(process.pid)
    everyone = [master, *master.children(recursive=True)]
    for member in everyone:
        with contextlib.suppress(psutil.NoSuchProcess):
            member.send_signal(signal.SIGKILL)
    psutil.wait_procs(everyone, timeout=10)


def upload(device, world, batch):
    """One batch, as scanner-offline.js posts it; its answer, or None when none came."""
    try:
        response = requests.post(
            device.url(world.scan_page + "/sync"), json={"scans": batch},
            headers={"X-CSRFToken": device.csrf, "Connection": "close"},
            cookies=device.http.cookies, timeout=60)
    except requests.ConnectionError:
        return None
    assert response.status_code == 200, (response.status_code, response.text[:2000])
    assert response.headers["Content-Type"].startswith("application/json")
    return response.json()["results"]


def stored(app, world):
    """The fair's check-ins: {nonce: (user id, undone?)}."""
    with app.app_context():
        rows = db.session.scalars(select(CheckIn).where(CheckIn.fair_id == world.fair_id)).all()
        found = {row.nonce: (row.user_id, row.undone_at is not None) for row in rows}
        db.session.remove()
        return found


@pytest.mark.parametrize("moment", ["decided", "answered"])
def test_a_server_killed_during_an_upload_loses_and_doubles_no_scan(
        database_app, tmp_path_factory, moment):
    world = seed(database_app, moment)
    queue = offline_queue(world)
    batches = [queue[i:i + BATCH] for i in range(0, len(queue), BATCH)]
    assert len(batches) == 3 and any(s["local"] == "already_checked_in" for s in batches[1])
    relay = Relay()
    logs = tmp_path_factory.mktemp(f"kill-{moment}-logs")
    instance = tmp_path_factory.mktemp(f"kill-{moment}-instance")
    settings = dict(database_url=database_app.config["SQLALCHEMY_DATABASE_URI"],
                    instance_path=instance, secret_key=SECRET_KEY, log_dir=logs,
                    LOGIN_RATE_LIMIT="1000 per minute")
    reports = []
    try:
        with gunicorn(**settings) as (base_url, process):
            relay.upstream = int(base_url.rsplit(":", 1)[1])
            device = Browser(relay.url).login(world.door, PASSWORD)
            device.csrf = device.token(world.scan_page)
            reports.append(upload(device, world, batches[0]))
            assert reports[0] is not None
            relay.arm(moment, lambda: sigkill(process))
            lost = upload(device, world, batches[1])  # the device: no answer; the queue keeps it
            assert relay.fired.wait(30), "the relay never saw the upload"
            assert lost is None
            assert process.poll() is not None, "the server survived its SIGKILL"
            first_log = process.log_path.read_text()

        # Killed: the second batch is stored whole or not at all; answered, it was stored.
        second = {scan["nonce"] for scan in batches[1]}
        firsts_in_second = {s["nonce"] for s in batches[1] if s["local"] == "checked_in"}
        kept = set(stored(database_app, world)) & second
        assert kept in (set(), firsts_in_second), sorted(kept)
        if moment == "answered":
            assert kept == firsts_in_second
        print(f"\nkilled once the upload was {moment}: the lost batch was "
              f"{'stored' if kept else 'not stored'} before the kill")

        with gunicorn(**settings) as (base_url, process):
            relay.upstream = int(base_url.rsplit(":", 1)[1])
            # The same device, session and CSRF token: what was not answered goes up again.
            for batch in batches[1:]:
                reports.append(upload(device, world, batch))
                assert reports[-1] is not None
            second_log = process.log_path.read_text()
    finally:
        relay.close()

    for log in (first_log, second_log):
        assert "Traceback" not in log, log[-4000:]

    # The retried batch: "checked in" for each first scan of a badge (the first answer found
    # back by its nonce when the lost answer had been stored), "already" for the repeats.
    retried = reports[1]
    assert [row["nonce"] for row in retried] == [scan["nonce"] for scan in batches[1]]
    for scan, row in zip(batches[1], retried):
        expected = "checked_in" if scan["local"] == "checked_in" else "already_checked_in"
        assert row["status"] == expected, (scan, row)
        assert row["conflict"] is False, row

    # No scan lost: every nonce of the queue answered once, in order; the right statuses.
    answered = [row for report in reports for row in report]
    assert [row["nonce"] for row in answered] == [scan["nonce"] for scan in queue]
    assert Counter(row["status"] for row in answered) == {
        "checked_in": BADGES, "already_checked_in": REPEATS}

    # Every badge checked in exactly once, by the nonce of its first scan, audited once.
    rows = stored(database_app, world)
    assert sorted(rows) == sorted(s["nonce"] for s in queue if s["local"] == "checked_in")
    users = [user for user, undone in rows.values() if not undone]
    assert len(users) == len(set(users)) == BADGES
    with database_app.app_context():
        assert db.session.scalar(select(func.count(AuditEvent.id)).where(
            AuditEvent.action == "checkin.entry",
            AuditEvent.fair_id == world.fair_id)) == BADGES
        db.session.remove()
