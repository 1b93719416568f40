"""The load client: asyncio + aiohttp, in one or more processes of its own.

A load is a list of USERS, each a sequence of requests (``steps``) sent one after
the other, as a person (a candidate, a scanner) would. Every user starts at the same
instant; at most ``concurrency`` requests are in flight at once (split across the
client processes), like a front proxy's pool of upstream connections: the others wait
their turn in the client, and that wait is recorded apart from the request's latency.

Per request the client records: the user, the kind of answer (classified from the
status and body: "booked", "slot_taken", "checked_in", "http_500", "timeout"…), the
latency (sent → answer read) and the wait (the user wanted to send → answer read).
A user stops early once ``stop_after`` of its answers are of kind ``stop_kind``
(a candidate who got the interviews they wanted).

    python -m bench.load SPEC.json OUT.json  (what ``run`` starts, one per process)
"""
import asyncio
import json
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import aiohttp

START_DELAY = 2.0  # seconds between launching the processes and the common start instant


# --- What an answer means ---------------------------------------------------------------

_BOOKING_ERROR = re.compile(r'id="booking-error"[^>]*>(.*?)</p>', re.S)
_SCAN_STATUS = re.compile(r'data-status="(\w+)"')
_QUEUE_PLACE = re.compile(r'id="queue-(position|called|join|closed|not-at-fair)"')


def classify(name, status, body):
    if name in ("plain", "json"):
        return "ok" if status == 200 else f"http_{status}"
    if name == "queue":  # a candidate's place (GET, 200) or a representative's POST (303)
        if status == 303:
            return "redirected"
        found = _QUEUE_PLACE.search(body) if status == 200 else None
        if found is None:
            return "unexpected_page" if status == 200 else f"http_{status}"
        return {"position": "waiting", "join": "not_in_queue"}.get(found.group(1),
                                                                   found.group(1))
    if name == "bare_booking":
        return {201: "booked", 409: "slot_taken"}.get(status, f"http_{status}")
    if name == "bare_checkin":
        if status == 201:
            return "checked_in"
        return "already_checked_in" if status == 200 else f"http_{status}"
    if name == "booking":
        if status == 303:  # without htmx: redirected to "my interviews"
            return "booked"
        if status == 200:
            found = _BOOKING_ERROR.search(body)
            if found is None:
                return "booked" if "flash-success" in body else "unexpected_page"
            message = found.group(1).strip()
            if message.startswith("This slot was just taken"):
                return "slot_taken"
            return "refused: " + message[:80]
        return f"http_{status}"
    if name == "checkin":
        if status == 200:
            found = _SCAN_STATUS.search(body)
            return found.group(1) if found else "unexpected_page"
        return f"http_{status}"
    raise ValueError(name)


# --- One process ----------------------------------------------------------------------------


async def _user(index, user, spec, session, gate, records, t0):
    stop_after = user.get("stop_after")
    stop_kind = spec.get("stop_kind")
    done = 0
    headers = user.get("headers") or {}
    for step in user["steps"]:
        if "at" in step:  # a paced user (a page polling): sent at t0 + at, not as soon as it can
            await asyncio.sleep(max(0.0, t0 + step["at"] - time.perf_counter()))
        issued = time.perf_counter()
        body = ""
        async with gate:
            sent = time.perf_counter()
            try:
                async with session.request(
                        step.get("method", "GET"), spec["base"] + step["path"],
                        data=step.get("data"), json=step.get("json"), headers=headers,
                        allow_redirects=False) as resp:
                    body = await resp.text() if resp.status == 200 else ""
                    kind = classify(spec["classify"], resp.status, body)
            except asyncio.TimeoutError:
                kind = "timeout"
            except aiohttp.ClientError as error:
                kind = "connection: " + type(error).__name__
            ended = time.perf_counter()
        record = (index, kind, ended - sent, ended - issued, sent - t0)
        records.append(record + (body,) if spec.get("keep_bodies") else record)
        if stop_kind and kind == stop_kind:
            done += 1
            if stop_after and done >= stop_after:
                break
        if user.get("stop_unless") and kind != user["stop_unless"]:
            break  # e.g. an upload refused: the device tries again later, from there


async def _run(spec, start_at):
    connector = aiohttp.TCPConnector(limit=spec["concurrency"], force_close=True)
    timeout = aiohttp.ClientTimeout(total=spec.get("timeout", 60))
    records = []
    async with aiohttp.ClientSession(connector=connector, timeout=timeout,
                                     cookie_jar=aiohttp.DummyCookieJar()) as session:
        gate = asyncio.Semaphore(spec["concurrency"])
        delay = start_at - time.time()
        if delay > 0:
            await asyncio.sleep(delay)
        cpu0, t0 = time.process_time(), time.perf_counter()
        await asyncio.gather(*(_user(i, u, spec, session, gate, records, t0)
                               for i, u in zip(spec["user_ids"], spec["users"])))
        elapsed = time.perf_counter() - t0
        cpu = time.process_time() - cpu0
    return {"elapsed": elapsed, "cpu": cpu, "records": records}


def main(argv):
    spec = json.loads(Path(argv[1]).read_text())
    result = asyncio.run(_run(spec, spec["start_at"]))
    Path(argv[2]).write_text(json.dumps(result))


# --- The orchestrator's side ------------------------------------------------------------------


class LoadResult:
    def __init__(self, parts):
        self.records = [tuple(r) for part in parts for r in part["records"]]
        self.elapsed = max(part["elapsed"] for part in parts)
        self.client_cpu = sum(part["cpu"] for part in parts)

    def kinds(self):
        counts = {}
        for record in self.records:
            counts[record[1]] = counts.get(record[1], 0) + 1
        return counts

    def count(self, *kinds):
        return sum(1 for r in self.records if r[1] in kinds)

    def latencies(self, *kinds):
        """Request latencies in seconds (only answers of ``kinds`` when given)."""
        return [r[2] for r in self.records if not kinds or r[1] in kinds]

    def waits(self):
        return [r[3] for r in self.records]

    @property
    def throughput(self):
        return len(self.records) / self.elapsed if self.elapsed else 0.0


def run(base, users, classify_as, concurrency, processes=1, stop_kind=None, timeout=60,
        keep_bodies=False):
    """Run ``users`` against ``base`` in ``processes`` client processes; a LoadResult.

    Each user: {"steps": [{"method", "path", "data" | "json", "at"}], "headers": {...},
    "stop_after": n, "stop_unless": kind}; a step with "at" is sent that many seconds after the common start
    (or when the previous answer came, if later). ``keep_bodies``: each record ends with the
    answer's body (of a 200) as a sixth item.
    """
    processes = max(1, min(processes, len(users), concurrency))
    start_at = time.time() + START_DELAY
    with tempfile.TemporaryDirectory(prefix="bench-load-") as tmp:
        children = []
        for p in range(processes):
            ids = list(range(p, len(users), processes))
            spec = {"base": base, "classify": classify_as, "stop_kind": stop_kind,
                    "timeout": timeout, "start_at": start_at, "keep_bodies": keep_bodies,
                    "concurrency": max(1, concurrency // processes
                                       + (1 if p < concurrency % processes else 0)),
                    "user_ids": ids, "users": [users[i] for i in ids]}
            spec_path, out_path = Path(tmp) / f"spec{p}.json", Path(tmp) / f"out{p}.json"
            spec_path.write_text(json.dumps(spec))
            children.append((subprocess.Popen(
                [sys.executable, "-m", "bench.load", str(spec_path), str(out_path)],
                cwd=Path(__file__).resolve().parent.parent), out_path))
        parts = []
        for child, out_path in children:
            if child.wait() != 0:
                raise RuntimeError(f"load client exited with {child.returncode}")
            parts.append(json.loads(out_path.read_text()))
    return LoadResult(parts)


# --- Logging people in (before anything is timed) ---------------------------------------------

_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


async def _login_one(base, email, password, token_path, gate):
    async with gate:
        jar = aiohttp.CookieJar(unsafe=True)
        async with aiohttp.ClientSession(cookie_jar=jar,
                                         timeout=aiohttp.ClientTimeout(total=120)) as session:
            async with session.get(base + "/login") as resp:
                token = _CSRF.search(await resp.text()).group(1)
            async with session.post(base + "/login", allow_redirects=False, data={
                    "email": email, "password": password, "csrf_token": token}) as resp:
                if resp.status != 303:
                    raise RuntimeError(f"login of {email} answered {resp.status}")
            async with session.get(base + token_path, allow_redirects=False) as resp:
                html = await resp.text()
                if resp.status != 200:
                    raise RuntimeError(f"{token_path} answered {resp.status} to {email}")
                token = _CSRF.search(html).group(1)
            cookies = "; ".join(f"{c.key}={c.value}" for c in jar)
            return {"cookie": cookies, "csrf": token}


def login_all(base, emails, password, token_path, concurrency=8):
    """Log every account in through the real form; their Cookie header and CSRF token."""
    async def go():
        gate = asyncio.Semaphore(concurrency)
        return await asyncio.gather(*(_login_one(base, e, password, token_path, gate)
                                      for e in emails))
    return asyncio.run(go())


if __name__ == "__main__":
    main(sys.argv)
