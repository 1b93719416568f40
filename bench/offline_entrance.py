"""The entrance line offline (issue 13): 8 devices scan 2,000 badges without the network, then
all upload at once.

1. Each of the 8 staff devices downloads the fair's manifest (``…/scan/manifest``, all 8 at
   once): its time and size for the fair's badges.
2. Each device "scans offline" its share of the badges, decided on the device from its own
   copy of the manifest exactly as static/scanner-offline.js does (``decide``): the first scan
   of a badge at a device says "checked in" and marks it in that device's copy; a later one at
   the same device says "already checked in". Every badge is scanned once at one door, 10 %
   again at another door (a door that never heard of the first scan: it says "checked in"
   too — a conflict the server settles) and 2.5 % again at the same door.
3. All 8 devices upload their queues at once (``…/scan/sync``, JSON, the real staff logins and
   CSRF token in ``X-CSRFToken``) in batches of 50, one after the other per device as the
   script does; device 1 sends its first batch twice (its answer "lost": the same nonces). A
   batch refused (an error answer: the database busy, say) stays in the device's queue and is
   sent again with the rest of that device's queue after it, as the script does at its next
   try — the bench at once, up to 4 times.
4. Then: check-ins in the database = distinct badges (0 lost), nobody checked in twice (0
   doubled), the conflicts in the answers = the ones the plan makes (Σ over badges of the
   doors that said "checked in" − 1), the re-sent batch answered as the first time, and every
   device's next delta (``?since=``) shows every badge checked in (the devices converge).

Reported: manifest time and size, upload throughput (scans/s), time from the first upload to
the last queue emptied (each answer is sent after its COMMIT: the database has settled by
then), the workers' CPU per scan; beside the online entrance line of the same run when it ran
(scans/s and CPU per scan: a batch of 50 against one POST a scan).
"""
import hashlib
import json
import random
import statistics
import time
import uuid

from . import entrance, load, traffic
from .people import create_entrance_fair
from .report import Figure

SECTION = "Entrance line offline"
DEVICES = 8
UPLOAD_ROUNDS = 5  # a device gives up (for this bench) after sending a refused batch 4 times more
BATCH = 50  # static/scanner-offline.js
ELSEWHERE = 0.10  # a badge shown again at another door
SAME_DOOR = 0.025  # a badge shown again at the same door
CLEAN = entrance.CLEAN


# --- The plan and the devices' own decisions (no network) --------------------------------


def plan(badges, seed, devices=DEVICES):
    """Per device, the badge indices it scans, in order: every badge once at one door, some
    again at another door, some again later at the same door."""
    rng = random.Random(seed)
    order = list(range(badges))
    rng.shuffle(order)
    queues = [order[d::devices] for d in range(devices)]
    door = {b: position % devices for position, b in enumerate(order)}
    for b in rng.sample(range(badges), int(badges * ELSEWHERE)):
        other = queues[rng.choice([d for d in range(devices) if d != door[b]])]
        other.insert(rng.randrange(len(other) + 1), b)
    for b in rng.sample(range(badges), int(badges * SAME_DOOR)):
        own = queues[door[b]]
        own.insert(rng.randint(own.index(b) + 1, len(own)), b)
    return queues


def local_status(entry, live):
    """static/scanner-offline.js ``decide``, for a code shaped like a token."""
    if not live:
        return "fair_not_live"
    if entry is None:
        return "not_in_manifest"
    if entry["s"] == "revoked":
        return "revoked_badge"
    if entry["s"] != "active":
        return "not_registered"
    return "already_checked_in" if entry["c"] else "checked_in"


def decide(manifest, codes, queue, device, prefix):
    """The queue of one device: each scan decided from the device's copy of ``manifest``."""
    copy = {entry["h"]: dict(entry) for entry in manifest["badges"]}
    scans = []
    for k, b in enumerate(queue):
        entry = copy.get(hashlib.sha256(codes[b].encode()).hexdigest())
        status = local_status(entry, manifest["live"])
        if status == "checked_in":
            entry["c"] = True
        scans.append({"nonce": f"{prefix}-{device}-{k}", "code": codes[b],
                      "device_name": f"Entrance {device + 1}",
                      "scanned_at": int(time.time() * 1000), "local": status})
    return scans


def batches(scans, size=BATCH, resend_first=False):
    """The uploads of one device, in order; ``resend_first``: its first batch twice."""
    chunks = [scans[i:i + size] for i in range(0, len(scans), size)]
    return chunks[:1] + chunks if resend_first and chunks else chunks


def expected_conflicts(devices_scans):
    """The doors that said "checked in" for a badge, less the one the server believes."""
    said = {}
    for scans in devices_scans:
        for scan in scans:
            if scan["local"] == "checked_in":
                said[scan["code"]] = said.get(scan["code"], 0) + 1
    return sum(n - 1 for n in said.values())


def tally(sent, answers):
    """What the answers say. ``sent``/``answers``: per device, its batches and their result
    rows (offline.upload's), in the order sent. A batch sent again (the same nonces as an
    earlier one) is compared with its first answer, not counted twice."""
    out = {"scans": 0, "first": 0, "checked_in": 0, "conflicts": 0, "unclean": {},
           "resend_differs": 0, "missing_answers": 0}
    for batches_, rows_ in zip(sent, answers):
        first_answer = {}
        for batch, rows in zip(batches_, rows_):
            out["scans"] += len(batch)
            if len(rows) != len(batch):
                out["missing_answers"] += abs(len(batch) - len(rows))
            for scan, row in zip(batch, rows):
                if scan["nonce"] in first_answer:
                    out["resend_differs"] += first_answer[scan["nonce"]] != row["status"]
                    continue
                first_answer[scan["nonce"]] = row["status"]
                out["first"] += 1
                out["checked_in"] += row["status"] == "checked_in"
                out["conflicts"] += bool(row["conflict"])
                if row["status"] not in CLEAN:
                    out["unclean"][row["status"]] = out["unclean"].get(row["status"], 0) + 1
        out["missing_answers"] += sum(len(b) for b in batches_[len(rows_):])
    return out


def database_tally(counts, holders):
    """(lost, doubled, strangers) from {user id: live check-ins} and the badge holders."""
    return (len(set(holders) - set(counts)), sum(1 for n in counts.values() if n > 1),
            len(set(counts) - set(holders)))


def converged(delta, codes):
    """How many of ``codes`` a device's delta does NOT show checked in."""
    shown = {entry["h"] for entry in delta["badges"] if entry.get("c")}
    return sum(1 for code in codes if hashlib.sha256(code.encode()).hexdigest() not in shown)


# --- One run, served ---------------------------------------------------------------------------


def _fair(ctx, run_index):
    state = ctx.state
    fairs = state.setdefault("offline_fairs", {})
    if run_index not in fairs:
        fairs[run_index] = create_entrance_fair(state["app"], state["people"],
                                                f"offline-{run_index}", traffic.badges(ctx.quick))
    return fairs[run_index]


def _device_users(sessions, steps_per_device):
    # A device stops at a refused answer and tries again later from there, as the script
    # does (its queue goes up oldest first): the order of a device's scans is kept.
    return [{"headers": {"Cookie": s["cookie"], "X-CSRFToken": s["csrf"],
                         "Accept": "application/json"}, "steps": steps, "stop_unless": "ok"}
            for s, steps in zip(sessions, steps_per_device)]


def _by_user(result, users):
    rows = [[] for _ in range(users)]
    for record in result.records:
        rows[record[0]].append(record)
    return rows


def measure(ctx, run_index, processes=1):
    state = ctx.state
    server = ctx.servers["app"]
    fair = _fair(ctx, run_index)
    sessions = state["staff_sessions"][:DEVICES]
    base = f"/staff/fairs/{fair.fair_id}/scan"
    codes = [token for _, _, token in fair.badges]

    downloads = load.run(server.url, _device_users(sessions, [[{"path": base + "/manifest"}]]
                                                   * len(sessions)),
                         "json", DEVICES, processes, keep_bodies=True)
    manifests = [json.loads(r[0][5]) if r and r[0][1] == "ok" else {"badges": [], "live": False}
                 for r in _by_user(downloads, len(sessions))]

    prefix = uuid.uuid4().hex[:12]
    queues = plan(len(codes), seed=2000 + run_index, devices=len(sessions))
    scans = [decide(m, codes, q, d, prefix) for d, (m, q) in enumerate(zip(manifests, queues))]
    pending = [batches(s, resend_first=d == 0) for d, s in enumerate(scans)]
    batch_count = sum(len(d) for d in pending)
    # A refused batch (an error, no answer) stays queued on the device and goes up again, as
    # the script does; the bench sends it again at once (the script waits for its next try).
    accepted, answers = [[] for _ in pending], [[] for _ in pending]
    rounds, refused = [], {}
    server.mark()
    began = time.time() + load.START_DELAY
    while any(pending) and len(rounds) < UPLOAD_ROUNDS:
        result = load.run(server.url, _device_users(sessions, [
            [{"method": "POST", "path": base + "/sync", "json": {"scans": b}} for b in device]
            for device in pending]), "json", DEVICES, processes, keep_bodies=True)
        rounds.append(result)
        still = [[] for _ in pending]
        for d, records in enumerate(_by_user(result, len(pending))):
            for i, batch in enumerate(pending[d]):
                if i < len(records) and records[i][1] == "ok":
                    accepted[d].append(batch)
                    answers[d].append(json.loads(records[i][5])["results"])
                else:  # refused, or not sent after a refusal
                    still[d].append(batch)
                    if i < len(records):
                        refused[records[i][1]] = refused.get(records[i][1], 0) + 1
        pending = still
    finished = time.time()
    upload_cpu = server.cpu_since_mark()
    counts = entrance.live_checkins(state["app"], fair.fair_id)

    deltas = load.run(server.url, _device_users(sessions, [
        [{"path": f"{base}/manifest?since={m.get('generated_at', '')}"}] for m in manifests]),
        "json", DEVICES, processes, keep_bodies=True)
    stale = [converged(json.loads(r[0][5]), codes) if r and r[0][1] == "ok" else len(codes)
             for r in _by_user(deltas, len(sessions))]
    first = rounds[0].records
    if len(rounds) == 1:  # first upload sent → last answer read
        converge = max(r[4] + r[2] for r in first) - min(r[4] for r in first) if first else 0.0
    else:  # the later rounds' client start-up included
        converge = finished - began
    return {
        "badges": len(codes), "devices": len(sessions),
        "batches": batch_count, "manifest": downloads,
        "manifest_bytes": max((len(r[5].encode()) for r in downloads.records if len(r) > 5),
                              default=0),
        "rounds": len(rounds), "refused": refused,
        "left_in_queues": sum(len(b) for device in pending for b in device),
        "batch_latencies": [r[2] for result in rounds for r in result.records if r[1] == "ok"],
        "upload_cpu": upload_cpu, "tally": tally(accepted, answers),
        "expected_conflicts": expected_conflicts(scans),
        "lost_doubled_strangers": database_tally(counts, [u for _, u, _ in fair.badges]),
        "converge_s": converge,
        "stale": stale, "delta": deltas,
        "delta_bytes": max((len(r[5].encode()) for r in deltas.records if len(r) > 5),
                           default=0),
    }


def summary(one):
    t = one["tally"]
    return (f"offline: {t['scans']} scans uploaded in {one['converge_s']:.1f} s "
            f"({one['rounds']} round(s), refused {one['refused']}), conflicts {t['conflicts']}/"
            f"{one['expected_conflicts']}, lost/doubled {one['lost_doubled_strangers'][:2]}")


def figures(runs):
    offline = [r["offline"] for r in runs]
    first = offline[0]
    tallies = [o["tally"] for o in offline]
    rates = [t["scans"] / o["converge_s"] if o["converge_s"] else 0.0
             for t, o in zip(tallies, offline)]
    cpu = [1000 * o["upload_cpu"] / t["scans"] for o, t in zip(offline, tallies)]
    lost = [o["lost_doubled_strangers"][0] for o in offline]
    doubled = [o["lost_doubled_strangers"][1] for o in offline]
    strangers = sum(o["lost_doubled_strangers"][2] for o in offline)
    conflicts_off = [abs(t["conflicts"] - o["expected_conflicts"]) for t, o in zip(tallies, offline)]
    unclean = {}
    for t in tallies:
        for kind, n in t["unclean"].items():
            unclean[kind] = unclean.get(kind, 0) + n
    errors = [sum(t["unclean"].values()) + t["missing_answers"] + o["left_in_queues"]
              for t, o in zip(tallies, offline)]
    refused = {}
    for o in offline:
        for kind, n in o["refused"].items():
            refused[kind] = refused.get(kind, 0) + n
    sizes = (f"{first['badges']:,} badges, {first['devices']} devices, {tallies[0]['scans']:,} "
             f"scans uploaded per run ({tallies[0]['first']:,} scans: every badge once, "
             f"+{ELSEWHERE:.0%} at another door, +{SAME_DOOR:.1%} again at the same door; "
             f"+ one batch of {BATCH} re-sent) in {first['batches']} batches of ≤ {BATCH}")
    figures = [
        Figure(SECTION, "Manifest download, 8 devices at once, slowest", "ms",
               [1000 * max(o["manifest"].latencies()) for o in offline],
               note=f"p50 {statistics.median(1000 * statistics.median(o['manifest'].latencies()) for o in offline):.0f} ms"),
        Figure(SECTION, "Manifest size", "kB", [o["manifest_bytes"] / 1000 for o in offline],
               note=f"{first['badges']:,} badges: {first['manifest_bytes'] / max(1, first['badges']):.0f}"
                    f" bytes a badge (JSON, not compressed)"),
        Figure(SECTION, "Scans uploaded", "scans", [t["scans"] for t in tallies], note=sizes),
        Figure(SECTION, "Upload throughput (all devices at once)", "scans/s", rates,
               note="scans uploaded ÷ first upload sent → last queue empty"),
        Figure(SECTION, "Time to converge (first upload → every queue empty, database settled)",
               "s", [o["converge_s"] for o in offline],
               note="each answer comes after its COMMIT"),
        Figure(SECTION, "Batch latency p50 (answered batches)", "ms",
               [1000 * traffic.percentile(o["batch_latencies"], 50) for o in offline]),
        Figure(SECTION, "Batch latency p95 (answered batches)", "ms",
               [1000 * traffic.percentile(o["batch_latencies"], 95) for o in offline]),
        Figure(SECTION, "Batches refused (kept on the device, sent again)", "count",
               [sum(o["refused"].values()) for o in offline],
               note=(", ".join(f"{k}: {n}" for k, n in refused.items()) + "; " if refused
                     else "") + f"upload rounds: {', '.join(str(o['rounds']) for o in offline)}"),
        Figure(SECTION, "Check-ins lost (badges scanned, not checked in)", "count", lost,
               target="0", met=sum(lost) == 0),
        Figure(SECTION, "Badges checked in twice", "count", doubled, target="0",
               met=sum(doubled) == 0 and strangers == 0,
               note=f"{strangers} check-ins of people without a badge" if strangers else ""),
        Figure(SECTION, "Conflicts reported (device: checked in, server: already)", "count",
               [t["conflicts"] for t in tallies],
               target="= badges said \"checked in\" at two doors or more",
               met=sum(conflicts_off) == 0,
               note=f"expected {first['expected_conflicts']} in run 1"),
        Figure(SECTION, "Errors (answers other than checked in / already, scans never accepted)",
               "count", errors, target="0", met=sum(errors) == 0,
               note=", ".join(f"{k}: {n}" for k, n in unclean.items())),
        Figure(SECTION, "Re-sent batch: answers not as the first time", "count",
               [t["resend_differs"] for t in tallies], target="0",
               met=sum(t["resend_differs"] for t in tallies) == 0),
        Figure(SECTION, "Check-ins a device's next delta does not show", "count",
               [sum(o["stale"]) for o in offline], target="0",
               met=sum(sum(o["stale"]) for o in offline) == 0,
               note=f"8 deltas (?since= the manifest's time), {first['delta_bytes'] / 1000:.0f} kB each"),
        Figure(SECTION, "Server CPU per scan uploaded (app)", "ms", cpu,
               note="gunicorn workers only (the database's own CPU is not counted)"),
        Figure(SECTION, "Server CPU (all workers)", "% of a core",
               [100 * o["upload_cpu"] / o["converge_s"] if o["converge_s"] else 0.0
                for o in offline], note="200 % = both cores"),
    ]
    if all("entrance" in r for r in runs):
        lines = [r["entrance"]["line"] for r in runs]
        line_cpu = [1000 * r["entrance"]["line_server_cpu"] / len(a.records)
                    for r, a in zip(runs, lines)]
        figures += [
            Figure(SECTION, "Ratio to the online entrance line (scans/s)", "×",
                   [rate / a.throughput for rate, a in zip(rates, lines)],
                   note=f"online: {statistics.median(a.throughput for a in lines):.0f} scans/s, "
                        "one POST a scan, 8 devices, same run"),
            Figure(SECTION, "Server CPU per scan: offline ÷ online", "×",
                   [c / o for c, o in zip(cpu, line_cpu)],
                   note=f"online: {statistics.median(line_cpu):.2f} ms a scan"),
        ]
    return figures
