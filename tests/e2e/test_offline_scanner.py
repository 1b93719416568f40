"""Issue 13, part 1 in a real browser: the entrance scanner keeps working without the network.

On ``day_server`` (the demo fair live). Two doors: the staff member's device and the
organizer's. Both open the scanner online and download the fair's manifest. A badge is then
revoked on the server (the devices do not know yet). The network is cut in the middle of a
line of scans (Playwright's ``context.set_offline``): scans are decided on the device, with the
"offline" banner and the same statuses; one badge is scanned offline at both doors. The network
comes back: each device uploads its queue, and its sync report shows what the server decided
differently — the revoked badge, and "already checked in" at the second door. The database
holds one check-in per person, none for the revoked badge; the same batch uploaded twice
changes nothing. A reload without the network still opens the scanner (service worker).
"""
import re
import secrets
from collections import Counter

import pytest
from playwright.sync_api import expect

from .journeys import log_in
from .test_fair_day import ORGANIZER, STAFF, badges_issued, execute, utcnow  # noqa: F401

pytestmark = pytest.mark.e2e


def line_of_candidates(database, fair_id, count):
    """Candidates with an active badge, never scanned: the last of the demo's, so that the
    other fair-day journeys' people are left alone."""
    rows = database.rows(
        "SELECT u.id AS user_id, u.first_name, u.last_name, b.token FROM badges b "
        "JOIN users u ON u.id = b.user_id "
        "WHERE b.fair_id = :fair AND b.revoked_at IS NULL AND u.role = 'candidate' "
        "AND NOT EXISTS (SELECT 1 FROM checkins c WHERE c.user_id = u.id AND c.fair_id = :fair) "
        "ORDER BY u.id DESC LIMIT :count", fair=fair_id, count=count)
    assert len(rows) == count
    for row in rows:
        row["name"] = f"{row['first_name']} {row['last_name']}"
    return rows


def open_ready_scanner(tab, email, fair_id):
    log_in(tab, email)
    tab.goto(f"/staff/fairs/{fair_id}/scan")
    expect(tab.page.locator("#scan-offline-state")).to_have_attribute("data-state", "ready")
    # The service worker controls the page once it is active (it claims its clients).
    tab.page.wait_for_function("() => navigator.serviceWorker.controller !== null")


def scan(page, code):
    page.locator("#scan-code").fill(code)
    page.locator("#scan-code").press("Enter")


def panel(page):
    return page.locator("#scan-live [data-status]")


def live_checkins(database, fair_id, user_id):
    return database.rows(
        "SELECT id, device_name, nonce FROM checkins WHERE fair_id = :fair AND user_id = :user "
        "AND undone_at IS NULL", fair=fair_id, user=user_id)


def test_scans_go_on_without_the_network_and_sync_when_it_is_back(
        open_day_page, day_server, badges_issued):  # noqa: F811
    database, fair_id = day_server.database, day_server.fair_id
    first, second, both_doors, revoked, later = line_of_candidates(database, fair_id, 5)

    door = open_day_page(suffix="north")
    open_ready_scanner(door, STAFF, fair_id)
    page = door.page
    page.locator("#scan-device").fill("Porte nord")
    other = open_day_page(suffix="south")
    open_ready_scanner(other, ORGANIZER, fair_id)
    other.page.locator("#scan-device").fill("Porte sud")
    door.check("ready-offline")

    # Revoked on the server after the devices downloaded the manifest.
    execute(database, "UPDATE badges SET revoked_at = :now WHERE token = :token",
            now=utcnow(), token=revoked["token"])

    scan(page, first["token"])  # online: the server's answer
    expect(panel(page)).to_have_attribute("data-status", "checked_in")
    expect(panel(page)).not_to_have_attribute("data-offline", "true")

    page.context.set_offline(True)
    other.page.context.set_offline(True)
    banner = page.locator("#scan-offline-banner")
    expect(banner).to_be_visible()
    expect(banner).to_contain_text(re.compile("Hors ligne"))

    scan(page, second["token"])
    expect(panel(page)).to_have_attribute("data-status", "checked_in")
    expect(panel(page)).to_have_attribute("data-offline", "true")
    expect(panel(page)).to_contain_text(second["name"])
    door.check("offline-checked-in")
    scan(page, first["token"])  # checked in online a minute ago: the device knows it
    expect(panel(page)).to_have_attribute("data-status", "already_checked_in")
    scan(page, f"{day_server.base_url}/b/{revoked['token']}")
    expect(panel(page)).to_have_attribute("data-status", "checked_in")
    expect(panel(page)).to_contain_text(revoked["name"])
    scan(page, "AAAABBBBCCCCDDDD")  # no badge: offline, only "not in this fair's list"
    expect(panel(page)).to_have_attribute("data-status", "not_in_manifest")
    scan(page, both_doors["token"])
    expect(panel(page)).to_have_attribute("data-status", "checked_in")
    scan(other.page, both_doors["token"])
    expect(panel(other.page)).to_have_attribute("data-status", "checked_in")
    expect(banner).to_contain_text("5")  # five scans waiting to be sent

    # A reload without the network: the service worker's copy of the page.
    page.reload()
    expect(page.locator("#scan-form")).to_be_visible()
    expect(page.locator("#scan-offline-banner")).to_be_visible()
    assert live_checkins(database, fair_id, second["user_id"]) == []  # nothing sent yet

    page.context.set_offline(False)
    report = page.locator("#scan-sync-report")
    expect(report).to_be_visible()
    expect(page.locator("#scan-sync-summary")).to_contain_text("5")
    revoked_row = report.locator("li[data-status=revoked_badge]")
    expect(revoked_row).to_contain_text(revoked["name"])
    expect(report.locator("li[data-local=not_in_manifest][data-status=unknown_badge]")) \
        .to_contain_text("Badge inconnu")
    expect(report.locator("li")).to_have_count(2)
    expect(page.locator("#scan-offline-banner")).to_be_hidden()
    door.check("sync-report")

    other.page.context.set_offline(False)
    other_report = other.page.locator("#scan-sync-report")
    expect(other_report).to_be_visible()
    already = other_report.locator("li[data-status=already_checked_in]")
    expect(already).to_contain_text(both_doors["name"])
    expect(already).to_contain_text("Porte nord")
    other.check("sync-report-second-door")

    for person in (first, second, both_doors):
        assert len(live_checkins(database, fair_id, person["user_id"])) == 1, person
    assert live_checkins(database, fair_id, revoked["user_id"]) == []
    [kept] = live_checkins(database, fair_id, both_doors["user_id"])
    assert kept["device_name"] == "Porte nord"

    # The same batch uploaded twice: the same answers, nothing new.
    batch = [{"code": later["token"], "nonce": "e2e-twice-1", "local": "checked_in"},
             {"code": second["token"], "nonce": "e2e-twice-2", "local": "checked_in"}]
    upload = """async (batch) => {
        const root = document.getElementById("scan-offline");
        const csrf = document.querySelector("#scan-form input[name=csrf_token]").value;
        const answers = [];
        for (const attempt of [1, 2]) {
            const response = await fetch(root.dataset.sync, {method: "POST",
                headers: {"Content-Type": "application/json", "X-CSRFToken": csrf},
                body: JSON.stringify({scans: batch})});
            answers.push((await response.json()).results.map(r => r.status));
        }
        return answers;
    }"""
    assert page.evaluate(upload, batch) == [["checked_in", "already_checked_in"]] * 2
    assert len(live_checkins(database, fair_id, later["user_id"])) == 1
    assert len(live_checkins(database, fair_id, second["user_id"])) == 1


def test_another_fairs_badge_scanned_offline_is_not_called_unknown_and_the_server_decides(
        open_day_page, day_server, badges_issued):  # noqa: F811
    """Badge tokens carry no fair and the manifest holds this fair's badges only: offline, a
    badge of another fair is "not in this fair's list — checked when back online" (neither
    "unknown" nor "checked in"); back online, the sync report gives the server's answer."""
    database, fair_id = day_server.database, day_server.fair_id
    (holder,) = line_of_candidates(database, fair_id, 1)
    (rabat,) = database.rows("SELECT id FROM fairs WHERE slug = 'jobintech-rabat-2026'")
    token = secrets.token_urlsafe(24)
    execute(database, "INSERT INTO badges (fair_id, user_id, token, created_at) "
            "VALUES (:fair, :user, :token, :now)",
            fair=rabat["id"], user=holder["user_id"], token=token, now=utcnow())

    door = open_day_page(suffix="elsewhere")
    open_ready_scanner(door, STAFF, fair_id)
    page = door.page
    page.context.set_offline(True)
    expect(page.locator("#scan-offline-banner")).to_be_visible()
    scan(page, f"{day_server.base_url}/b/{token}")
    expect(panel(page)).to_have_attribute("data-status", "not_in_manifest")
    expect(panel(page)).to_have_attribute("data-offline", "true")
    expect(panel(page).locator(".scan-status")).to_have_text(
        "Absent de la liste de ce salon — vérifié au retour du réseau")
    expect(panel(page)).not_to_contain_text(re.compile("inconnu|Entrée enregistrée"))
    expect(page.locator("#scan-offline-banner")).to_contain_text("1")  # queued
    door.check("offline-not-in-list")

    page.context.set_offline(False)
    report = page.locator("#scan-sync-report")
    expect(report).to_be_visible()
    row = report.locator("li[data-local=not_in_manifest]")
    expect(row).to_have_attribute("data-status", "not_registered")
    expect(row).to_contain_text("Non inscrit(e) à ce salon")
    expect(page.locator("#scan-offline-banner")).to_be_hidden()
    door.check("sync-report-not-in-list")
    assert live_checkins(database, fair_id, holder["user_id"]) == []
    assert database.rows("SELECT id FROM checkins WHERE fair_id = :fair",
                         fair=rabat["id"]) == []


def wait_for(page, condition, what, seconds=30):
    """Let the page run (its route handlers answer meanwhile) until ``condition()``."""
    for _ in range(seconds * 4):
        if condition():
            return
        page.wait_for_timeout(250)
    raise AssertionError(f"never happened: {what}")


def test_an_upload_without_an_answer_stays_queued_and_is_sent_again_with_its_nonces(
        open_day_page, day_server, badges_issued):  # noqa: F811
    """The server unreachable behind a live network (Playwright aborts the upload: the
    resilience tests kill a real server), then an upload stored by the server whose answer is
    lost: the scans stay queued on the device, are sent again, and the server's replay of
    their nonces answers "checked in" — no conflict in the report, one check-in each."""
    database, fair_id = day_server.database, day_server.fair_id
    line = line_of_candidates(database, fair_id, 3)
    door = open_day_page(suffix="dead-server")
    open_ready_scanner(door, STAFF, fair_id)
    page = door.page
    page.context.set_offline(True)
    for person in line:
        scan(page, person["token"])
        expect(panel(page)).to_contain_text(person["name"])
    banner = page.locator("#scan-offline-banner")
    expect(banner).to_contain_text("3")

    calls = Counter()
    mode = {"now": "down"}

    def sync(route):
        now = mode["now"]
        if now == "down":  # no server: no answer
            route.abort("connectionrefused")
        elif now == "lost":  # the server decided and stored; its answer never came
            route.fetch()
            route.abort("connectionreset")
        else:
            route.continue_()
        calls[now] += 1  # counted once handled (the server's answer in, for "lost")

    page.route("**/scan/sync", sync)
    page.context.set_offline(False)
    wait_for(page, lambda: calls["down"] >= 1, "an upload once the network was back")
    expect(banner).to_be_visible()
    expect(banner).to_contain_text("3")  # still queued
    assert all(live_checkins(database, fair_id, p["user_id"]) == [] for p in line)

    mode["now"] = "lost"
    wait_for(page, lambda: calls["lost"] >= 1, "the upload tried again")
    first = {p["user_id"]: live_checkins(database, fair_id, p["user_id"]) for p in line}
    assert all(len(rows) == 1 for rows in first.values()), first  # stored by the server…
    expect(banner).to_contain_text("3")  # …but the device never heard: still queued
    expect(page.locator("#scan-sync-report")).to_be_hidden()

    mode["now"] = "up"
    report = page.locator("#scan-sync-report")
    expect(report).to_be_visible(timeout=30_000)
    expect(page.locator("#scan-sync-summary")).to_have_text(
        "Scans hors ligne envoyés : 3 ; réponses différentes du serveur : 0.")
    expect(report.locator("li")).to_have_count(0)  # replayed nonces: "checked in", as decided
    expect(banner).to_be_hidden()
    assert {p["user_id"]: live_checkins(database, fair_id, p["user_id"]) for p in line} == first


BADGES_KEPT = """fair => new Promise((resolve, reject) => {
  const opened = indexedDB.open(`jobfair-scanner-${fair}`);
  opened.onerror = () => reject(opened.error);
  opened.onsuccess = () => {
    const counted = opened.result.transaction("badges").objectStore("badges").count();
    counted.onsuccess = () => { opened.result.close(); resolve(counted.result); };
  };
})"""


def test_a_device_whose_session_ended_elsewhere_drops_its_manifest(open_day_page, day_server,
                                                                  badges_issued):
    """The staff member logs out on another device (every session of the account ends): the
    first device's next manifest request is refused (403, not a login page), and the names of
    the fair's people leave it."""
    fair_id = day_server.fair_id
    door = open_day_page(suffix="door")
    open_ready_scanner(door, STAFF, fair_id)
    assert door.page.evaluate(BADGES_KEPT, fair_id) > 0
    elsewhere = open_day_page(suffix="elsewhere")
    log_in(elsewhere, STAFF)
    elsewhere.page.get_by_role("button", name="Se déconnecter", exact=True).click()
    expect(elsewhere.page).to_have_url(re.compile(r"/login"))
    # The network blinks: back online, the scanner asks for its manifest again.
    door.page.context.set_offline(True)
    door.page.context.set_offline(False)
    expect(door.page.locator("#scan-offline-state")).to_have_attribute("data-state", "none")
    assert door.page.evaluate(BADGES_KEPT, fair_id) == 0
