"""Issue 13: logging out of the scanner leaves nothing of the fair on the device, and loses
no scan the staff member did not agree to lose.

The logout answer carries ``Clear-Site-Data: "cache", "storage"``; Chromium honours it on
http://127.0.0.1 (a potentially trustworthy origin, as https is): after logout the IndexedDB
manifest (names of the fair's people), the service worker's cache (the scanner page with the
staff member's name and a CSRF token) and the worker itself are gone. Scans still queued are
sent before logging out; when they cannot be (no network, no server — Playwright aborts the
upload here), the staff member is asked, and only a "yes" logs out.
"""
import pytest
from playwright.sync_api import expect

from .test_fair_day import STAFF, badges_issued  # noqa: F401
from .test_offline_scanner import (
    line_of_candidates,
    live_checkins,
    open_ready_scanner,
    panel,
    scan,
    wait_for,
)

pytestmark = pytest.mark.e2e

DEVICE_STATE = """async (fair) => {
    const name = "jobfair-scanner-" + fair;
    const databases = (await indexedDB.databases()).map(d => d.name);
    let badges = null;
    if (databases.includes(name)) {  // (opening a missing one would create it)
        badges = await new Promise((resolve, reject) => {
            const opening = indexedDB.open(name);
            opening.onerror = () => reject(opening.error);
            opening.onsuccess = () => {
                const db = opening.result;
                const counting = db.transaction("badges").objectStore("badges").count();
                counting.onsuccess = () => { db.close(); resolve(counting.result); };
            };
        });
    }
    const caches_ = await caches.keys();
    let kept = [];
    for (const cache of caches_) {
        const requests = await (await caches.open(cache)).keys();
        kept = kept.concat(requests.map(r => new URL(r.url).pathname));
    }
    const workers = (await navigator.serviceWorker.getRegistrations()).map(r => r.scope);
    return {databases, badges, caches: caches_, kept, workers, stored: localStorage.length};
}"""

LOG_OUT = "Se déconnecter"
QUESTION = "Scans pas encore envoyés : {count}. Se déconnecter les efface de cet appareil. " \
    "Se déconnecter quand même ?"


def device_state(page, fair_id):
    return page.evaluate(DEVICE_STATE, fair_id)


def queued_with_the_server_unreachable(page, people):
    """Scans decided offline, then the network back but every upload without an answer."""
    page.context.set_offline(True)
    for person in people:
        scan(page, person["token"])
        expect(panel(page)).to_contain_text(person["name"])
    server = {"up": False, "aborted": 0}

    def sync(route):
        if server["up"]:
            route.continue_()
        else:
            route.abort("connectionrefused")
            server["aborted"] += 1

    page.route("**/scan/sync", sync)
    page.context.set_offline(False)
    wait_for(page, lambda: server["aborted"] >= 1, "an upload once the network was back")
    expect(page.locator("#scan-offline-banner")).to_contain_text(str(len(people)))
    return server


def answer_dialogs(page, accept):
    asked = []

    def answer(dialog):
        asked.append(dialog.message)
        if accept:
            dialog.accept()
        else:
            dialog.dismiss()

    page.on("dialog", answer)
    return asked


def test_logging_out_clears_the_manifest_the_kept_page_and_the_worker(
        open_day_page, day_server, badges_issued):  # noqa: F811
    database, fair_id = day_server.database, day_server.fair_id
    (lost,) = line_of_candidates(database, fair_id, 1)
    door = open_day_page(suffix="logout-clears")
    open_ready_scanner(door, STAFF, fair_id)
    page = door.page
    scanner = f"/staff/fairs/{fair_id}/scan"
    wait_for(page, lambda: scanner in device_state(page, fair_id)["kept"],
             "the scanner page kept by the service worker")
    before = device_state(page, fair_id)
    assert before["badges"] > 0 and before["caches"] == ["jobfair-scanner-v1"]
    assert before["workers"] == [f"{day_server.base_url}/staff/"]
    assert before["stored"] >= 1  # the device's name (scanner.js)

    # One scan cannot be sent; the staff member agrees to lose it.
    server = queued_with_the_server_unreachable(page, [lost])
    asked = answer_dialogs(page, accept=True)
    page.get_by_role("button", name=LOG_OUT, exact=True).click()
    expect(page.get_by_label("Adresse e-mail", exact=True)).to_be_visible()
    assert asked == [QUESTION.format(count=1)]
    assert server["aborted"] >= 2  # the logout tried to send it first

    after = device_state(page, fair_id)
    assert after == {"databases": [], "badges": None, "caches": [], "kept": [], "workers": [],
                     "stored": 0}
    assert live_checkins(database, fair_id, lost["user_id"]) == []
    # The scanner is the login page now, also from the address bar.
    page.goto(scanner)
    expect(page.get_by_label("Adresse e-mail", exact=True)).to_be_visible()


def test_logging_out_sends_the_queued_scans_first_and_asks_when_it_cannot(
        open_day_page, day_server, badges_issued):  # noqa: F811
    database, fair_id = day_server.database, day_server.fair_id
    line = line_of_candidates(database, fair_id, 2)
    door = open_day_page(suffix="logout-sends")
    open_ready_scanner(door, STAFF, fair_id)
    page = door.page
    server = queued_with_the_server_unreachable(page, line)

    # The upload fails: asked; "no" keeps the staff member logged in, the scans queued.
    asked = answer_dialogs(page, accept=False)
    page.get_by_role("button", name=LOG_OUT, exact=True).click()
    wait_for(page, lambda: asked, "the question before losing the scans")
    assert asked == [QUESTION.format(count=2)]
    expect(page.locator("#scan-form")).to_be_visible()
    expect(page.locator("#scan-offline-banner")).to_contain_text("2")
    assert all(live_checkins(database, fair_id, p["user_id"]) == [] for p in line)

    # The server answers again: logging out sends the two scans, then logs out, unasked.
    server["up"] = True
    page.get_by_role("button", name=LOG_OUT, exact=True).click()
    expect(page.get_by_label("Adresse e-mail", exact=True)).to_be_visible()
    assert asked == [QUESTION.format(count=2)]  # not asked again
    for person in line:
        assert len(live_checkins(database, fair_id, person["user_id"])) == 1, person
    assert device_state(page, fair_id)["databases"] == []
