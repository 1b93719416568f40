"""The scanner page in a real browser (Debian's chromium through Playwright).

The app is served on the test database (the ``server`` fixture of
test_booking_races.py). Chromium's fake camera plays a y4m video of a badge's
QR code; in headless chromium on Linux there is no BarcodeDetector, so this
exercises the npm decoder (jsQR) served from /vendor.
"""
import os
import secrets

import pytest
from sqlalchemy import select

from jobfair.extensions import db
from jobfair.models import Badge, CheckIn

from .. import test_booking_races as races
from ..factories import PASSWORD

# The served app and the SQLite read-lock rule of the booking races, reused.
server = races.server
_test_thread_takes_no_write_lock = races._test_thread_takes_no_write_lock

pytestmark = pytest.mark.e2e
CHROMIUM = "/usr/bin/chromium"


def write_y4m(path, text, width=480, height=360, frames=10):
    """A still video of ``text`` as a QR code (grey levels: the Y plane, neutral chroma)."""
    import qrcode
    from PIL import Image

    code = qrcode.make(text, border=4).convert("L")
    side = min(width, height) - 20
    code = code.resize((side, side), Image.NEAREST)
    frame = Image.new("L", (width, height), 255)
    frame.paste(code, ((width - side) // 2, (height - side) // 2))
    luma = frame.tobytes()
    chroma = bytes([128]) * (width // 2 * height // 2)
    with open(path, "wb") as out:
        out.write(f"YUV4MPEG2 W{width} H{height} F10:1 Ip A1:1 C420jpeg\n".encode())
        out.writelines(b"FRAME\n" + luma + chroma + chroma for _ in range(frames))


@pytest.fixture
def day(make):
    cohort = make.cohort()
    fair = make.fair(status="live", cohorts=[cohort])
    door = make.user(role="staff", email="door@example.ma")
    fair.staff.append(door)
    people = []
    for n, name in enumerate(["Salma", "Karim", "Nadia"]):
        person = make.bookable_candidate(cohort, email=f"{name.lower()}@example.ma")
        person.first_name = name
        badge = Badge(fair_id=fair.id, user_id=person.id, token=secrets.token_urlsafe(24))
        db.session.add(badge)
        people.append((person.id, badge))
    db.session.commit()
    return fair.id, door.email, [(pid, b.token) for pid, b in people]


def launch(browser, tmp_path, video_text):
    """A second chromium whose camera plays ``video_text`` as a QR code, started by the
    session's Playwright (tests/e2e/conftest.py): one Playwright per test session."""
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail("/usr/bin/chromium is missing: install Debian's chromium (apt-get install chromium)")
    video = tmp_path / "badge.y4m"
    write_y4m(video, video_text)
    return browser.browser_type.launch(executable_path=CHROMIUM, headless=True, args=[
        "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
        f"--use-file-for-fake-video-capture={video}"])


def live_checkins(fair_id):
    db.session.rollback()
    return db.session.scalars(select(CheckIn).where(
        CheckIn.fair_id == fair_id, CheckIn.undone_at.is_(None))).all()


def test_camera_keyboard_and_retry_in_chromium(browser, server, day, tmp_path):
    fair_id, email, people = day
    (salma_id, salma), (karim_id, karim), (nadia_id, nadia) = people
    camera_browser = launch(browser, tmp_path, f"{server}/b/{karim}")
    try:
        context = camera_browser.new_context(base_url=server, viewport={"width": 390, "height": 844})
        context.grant_permissions(["camera"], origin=server)
        page = context.new_page()
        page.goto("/login")
        page.fill("input[name=email]", email)
        page.fill("input[name=password]", PASSWORD)
        page.press("input[name=password]", "Enter")
        page.wait_for_url(lambda url: "/login" not in url)
        # From the staff home (a boosted link: htmx swaps the page and runs scanner.js).
        page.goto("/staff/")
        page.click(f'a[href="/staff/fairs/{fair_id}/scan"]')
        page.wait_for_selector("#scan-camera:not([hidden])")
        page.fill("#scan-device", "Phone 1")

        # The handheld-scanner path: the code and Enter, in the focused field.
        page.focus("#scan-code")
        page.keyboard.type(salma)
        page.keyboard.press("Enter")
        page.wait_for_selector('#scan-live [data-status="checked_in"]')
        assert "Salma" in page.inner_text("#scan-live")
        assert page.input_value("#scan-code") == ""
        page.keyboard.type(salma)
        page.keyboard.press("Enter")
        page.wait_for_selector('#scan-live [data-status="already_checked_in"]')
        assert "Phone 1" in page.inner_text("#scan-live")

        # A lost answer: "not sent — retrying…", then the same nonce is sent again.
        scan_url = f"{server}/staff/fairs/{fair_id}/scan"
        sent = []

        def flaky(route):
            sent.append(route.request.post_data)
            if len(sent) == 1:
                route.abort("internetdisconnected")
            else:
                route.continue_()

        page.route(scan_url, flaky)
        page.fill("#scan-code", nadia)
        page.press("#scan-code", "Enter")
        page.wait_for_selector("#scan-pending:not([hidden])")
        assert "Non envoyé — nouvelle tentative" in page.inner_text("#scan-pending")
        assert page.locator('#scan-live [data-status="checked_in"]').count() == 0
        page.wait_for_selector('#scan-live [data-status="checked_in"]', timeout=10000)
        assert "Nadia" in page.inner_text("#scan-live")
        assert len(sent) == 2 and sent[0] == sent[1]  # the same nonce
        page.unroute(scan_url)

        # The camera: Karim's badge URL, decoded by jsQR; then a second pass.
        page.click("#camera-toggle")
        page.wait_for_function(
            "() => (document.querySelector('#scan-live [data-status]') || {}).textContent"
            " && document.querySelector('#scan-live').textContent.includes('Karim')",
            timeout=15000)
        assert page.locator('#scan-live [data-status="checked_in"]').count() == 1
        page.wait_for_selector('#scan-live [data-status="already_checked_in"]', timeout=15000)
        assert "Karim" in page.inner_text("#scan-live")
        page.click("#camera-toggle")
        if os.environ.get("SCANNER_SCREENSHOT"):
            page.screenshot(path=os.environ["SCANNER_SCREENSHOT"], full_page=True)
    finally:
        camera_browser.close()
    checked = {c.user_id: c for c in live_checkins(fair_id)}
    assert set(checked) == {salma_id, karim_id, nadia_id}
    assert all(c.device_name == "Phone 1" for c in checked.values())
    assert len(db.session.scalars(select(CheckIn)).all()) == 3


def test_the_kiosk_reads_a_badge_with_its_camera(browser, server, day, make, tmp_path):
    """Issue 13: at the self check-in kiosk a candidate shows the QR on their phone to the
    tablet's camera — it is read like the handheld scanner's typing, and they are welcomed."""
    from jobfair.kiosk import services as kiosks
    from jobfair.models import Fair

    fair_id, _, people = day
    (salma_id, salma), _, _ = people
    organizer = make.user(role="organizer", email="boss@example.ma")
    db.session.commit()
    _, link_token = kiosks.create_kiosk(db.session.get(Fair, fair_id), "Entrée B", organizer)
    db.session.commit()
    camera_browser = launch(browser, tmp_path, f"{server}/b/{salma}")
    try:
        context = camera_browser.new_context(base_url=server, viewport={"width": 1024, "height": 768})
        context.grant_permissions(["camera"], origin=server)
        page = context.new_page()
        page.goto(f"/kiosk/open/{link_token}")
        page.click("#kiosk-open")
        page.wait_for_selector("#scan-camera:not([hidden])")
        assert "Montrez votre QR code à la caméra" in page.inner_text("#scan-camera")
        page.click("#camera-toggle")
        page.wait_for_url(lambda url: url.endswith("/kiosk/welcome"), timeout=15000)
        assert "Salma" in page.inner_text("h1")
        page.click("text=Imprimer mon badge et m'enregistrer")
        page.wait_for_selector("#kiosk-print")
    finally:
        camera_browser.close()
    (checkin,) = live_checkins(fair_id)
    assert checkin.user_id == salma_id and checkin.device_name == "Entrée B"
