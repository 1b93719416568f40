"""Issue 5 in a real browser: the fair's day, on the demo data with the demo fair LIVE.

All against ``day_server`` (tests/e2e/conftest.py): a gunicorn of its own on a demo database of
its own, so that check-ins, badges and leads never show on the shared demo server. In French
(the app's default language); elements are found by id or role, and the few texts asserted
accept the French or the English wording (some strings of issue 5 may not be translated yet).

1. The organizer opens the fair's badges page and prints one cohort on A4 sheets of 8; the PDF
   is rendered (pypdfium2) and every QR decoded (zxing-cpp) back to a /b/<token> URL of this
   server: one per candidate of the cohort, each the person's active badge, the printed code
   under it being the token in groups of 4. A badge URL opened by the organizer shows the
   check-in screen with the name; opened by anyone else, nothing personal.
2. At the entrance, on a 390 × 844 phone: a candidate downloads their own A6 badge; its QR,
   rendered from the PDF and cropped, becomes the video of chromium's fake camera. Staff open
   the scanner from their home page, start the camera: the candidate is checked in (green
   panel, name), and the same code seen again after the 4-second window shows "already checked
   in" with the time and the staff member's name. Then the keyboard paths (a handheld scanner
   typing the badge URL + Enter; the code printed under the QR typed by hand), an unknown
   badge, and the name search for a forgotten badge.
3. At a booth: Atlas Digital Services' representative scans two checked-in candidates from the
   booth-scan page (one with an interview now: attended; one without: walk-in lead), records a
   lead (rating, notes, next step), marks a past interview as no-show, sees the leads page and
   downloads the CSV export.
4. The organizer's live dashboard: the check-ins count moves after a check-in made in another
   browser, without a page reload (a marker set on ``window`` survives the htmx refresh).

Every page is screenshotted and checked with axe-core (``Browsing.check``).

Demo accounts used here (on this server's own database): candidates 10–12 and the first of
13–35 whose name is unique (entrance), 1 and 50 (booth; 1 holds an Atlas Digital Services
booking in demo.py), 37 (no-show at Atlas), 60 (dashboard); Atlas Digital Services'
recruiter; staff@ and organizer@. Bookings of candidates 1 and 37 are moved to "now" and
"an hour ago" with SQL (the demo fair's day is three weeks ahead).
"""
import csv
import io
import re
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

import pypdfium2
import pytest
import zxingcpp
from playwright.sync_api import expect

from jobfair.timeutil import utc_to_local

from .conftest import CHROMIUM, CHROMIUM_ARGS
from .journeys import log_in

pytestmark = pytest.mark.e2e

ORGANIZER = "organizer@demo.jobfair"
STAFF = "staff@demo.jobfair"
STAFF_NAME = "Rachid Moussaoui"
COHORT = "Java/JEE — Casablanca 2026"  # demo candidates 1, 4, 7, … (40 of them)
ATLAS = "Atlas Digital Services"
ATLAS_REP = "recruiter@atlas-digital-services.demo.jobfair"

CAMERA_CANDIDATE = "candidate10@demo.jobfair"
HANDHELD_CANDIDATE = "candidate11@demo.jobfair"
TYPED_CANDIDATE = "candidate12@demo.jobfair"
DASHBOARD_CANDIDATE = "candidate60@demo.jobfair"
BOOKED_AT_ATLAS = "candidate1@demo.jobfair"  # demo.py: candidates 1, 13, 25, 37 book Atlas
NO_SHOW_AT_ATLAS = "candidate37@demo.jobfair"
WALK_IN = "candidate50@demo.jobfair"  # no booking in demo.py

TOKEN = r"[A-Za-z0-9_-]{32}"
PRINTED_CODE = re.compile(r"(?<![\w-])(?:[A-Za-z0-9_-]{4} ){7}[A-Za-z0-9_-]{4}(?![\w-])")

CHECKED_IN = re.compile(r"Entrée enregistrée|Checked in", re.IGNORECASE)
ALREADY = re.compile(r"déjà|already", re.IGNORECASE)
UNKNOWN = re.compile(r"inconnu|unknown", re.IGNORECASE)


# --------------------------------------------------------------------------- helpers




def person(database, email):
    (row,) = database.rows(
        "SELECT u.id AS user_id, u.first_name, u.last_name, c.id AS candidate_id "
        "FROM users u LEFT JOIN candidates c ON c.user_id = u.id WHERE u.email = :email",
        email=email,
    )
    row["name"] = f"{row['first_name']} {row['last_name']}"
    return row


def active_token(database, fair_id, user_id):
    rows = database.rows(
        "SELECT token FROM badges WHERE fair_id = :fair AND user_id = :user AND revoked_at IS NULL",
        fair=fair_id, user=user_id,
    )
    assert len(rows) == 1, f"user {user_id}: {len(rows)} active badges"
    return rows[0]["token"]


def live_checkins(database, fair_id, user_id):
    return database.rows(
        "SELECT c.id, c.checked_in_at, c.device_name, u.email AS scanned_by "
        "FROM checkins c JOIN users u ON u.id = c.scanned_by_id "
        "WHERE c.fair_id = :fair AND c.user_id = :user AND c.undone_at IS NULL",
        fair=fair_id, user=user_id,
    )


def as_datetime(value):
    return datetime.fromisoformat(value) if isinstance(value, str) else value


def local_hhmm(value):
    return utc_to_local(as_datetime(value)).strftime("%H:%M")


def execute(database, statement, **params):
    """A write to the server's database (the journeys' fixtures: slots moved in time)."""
    from sqlalchemy import DateTime, bindparam, text

    query = text(statement).bindparams(
        *[bindparam(k, type_=DateTime()) for k, v in params.items() if isinstance(v, datetime)]
    )
    with database.engine.begin() as connection:
        return connection.execute(query, params).rowcount


def utcnow():
    from jobfair.models import utcnow as app_utcnow

    return app_utcnow()


def decoded(page, scale=3):
    """The QR codes on one pypdfium2 page: [(text, position)], and the rendered image."""
    image = page.render(scale=scale).to_pil()
    found = [(r.text, r.position) for r in zxingcpp.read_barcodes(image)
             if r.format == zxingcpp.BarcodeFormat.QRCode]
    return found, image


def page_text(page):
    textpage = page.get_textpage()
    try:
        # pdfium reads a "-" ending a line as a soft hyphen (U+FFFE) and joins the lines;
        # a token may end with "-": put back what is printed.
        return textpage.get_text_range().replace("\ufffe", "-\r\n")
    finally:
        textpage.close()


def write_y4m(path, image, width=640, height=480, frames=10):
    """A still video of ``image`` (centred, on white): the Y plane, neutral chroma."""
    from PIL import Image

    image = image.convert("L")
    side = min(width, height) - 40
    image.thumbnail((side, side), Image.LANCZOS)
    frame = Image.new("L", (width, height), 255)
    frame.paste(image, ((width - image.width) // 2, (height - image.height) // 2))
    luma = frame.tobytes()
    chroma = bytes([128]) * (width // 2 * height // 2)
    with open(path, "wb") as out:
        out.write(f"YUV4MPEG2 W{width} H{height} F10:1 Ip A1:1 C420jpeg\n".encode())
        out.writelines(b"FRAME\n" + luma + chroma + chroma for _ in range(frames))


def crop_qr(image, position, margin=0.15):
    xs = [position.top_left.x, position.top_right.x, position.bottom_left.x, position.bottom_right.x]
    ys = [position.top_left.y, position.top_right.y, position.bottom_left.y, position.bottom_right.y]
    side = max(max(xs) - min(xs), max(ys) - min(ys))
    pad = int(side * margin)
    box = (max(0, min(xs) - pad), max(0, min(ys) - pad),
           min(image.width, max(xs) + pad), min(image.height, max(ys) + pad))
    return image.crop(box)


def printed_code(token):
    """The code printed under a badge's QR (journey 1 checks it against the PDF's text)."""
    return " ".join(token[i:i + 4] for i in range(0, len(token), 4))


def scan_panel(page):
    return page.locator("#scan-live [data-status]")


def open_scanner_from_staff_home(tab, fair_id):
    page = tab.page
    log_in(tab, STAFF)
    expect(page).to_have_url(re.compile(r"/staff/$"))
    tab.check("staff-home")
    page.locator(f'a[href="/staff/fairs/{fair_id}/scan"]').click()
    expect(page).to_have_url(re.compile(rf"/staff/fairs/{fair_id}/scan$"))
    expect(page.locator("#scan-form")).to_be_visible()


def type_and_enter(page, code):
    page.locator("#scan-code").click()
    page.keyboard.type(code)
    page.keyboard.press("Enter")


# --------------------------------------------------------------------------- 1. badges


def test_organizer_prints_a_sheet_of_8_and_every_qr_decodes_to_a_badge_url(
        open_day_page, day_server):
    base, database, fair_id = day_server.base_url, day_server.database, day_server.fair_id
    tab = open_day_page()
    page = tab.page
    log_in(tab, ORGANIZER)
    page.get_by_role("link", name="JobInTech Job Fair Casablanca 2026").first.click()
    expect(page).to_have_url(re.compile(rf"/organizer/fairs/{fair_id}$"))
    page.locator("#badges-link").click()
    expect(page).to_have_url(re.compile(rf"/organizer/fairs/{fair_id}/badges$"))
    expect(page.locator("#count-candidates")).to_have_text("120")
    tab.check("badges-page")

    cohort = database.rows("SELECT id FROM cohorts WHERE name = :name", name=COHORT)[0]["id"]
    members = database.rows(
        "SELECT u.id FROM users u JOIN candidates c ON c.user_id = u.id WHERE c.cohort_id = :c",
        c=cohort,
    )
    assert len(members) == 40
    page.locator("#badge-format").select_option("a4-8")
    page.locator("#badge-cohort").select_option(str(cohort))
    started = time.monotonic()
    with page.expect_download() as info:
        page.locator("#print-form button[type=submit]").click()
    download = info.value
    data = Path(download.path()).read_bytes()
    seconds = time.monotonic() - started
    assert download.suggested_filename.endswith(f"-cohort-{cohort}-a4-8.pdf")
    assert data.startswith(b"%PDF")

    document = pypdfium2.PdfDocument(data)
    try:
        assert len(document) == 5  # 40 badges, 8 per A4 sheet
        urls = []
        printed = []
        for number, sheet in enumerate(document):
            width, height = sheet.get_size()
            assert (round(width), round(height)) == (595, 842)  # A4 in points
            found, _ = decoded(sheet)
            assert len(found) == 8, f"sheet {number + 1}: {len(found)} QR codes decoded"
            urls += [text for text, _ in found]
            printed += PRINTED_CODE.findall(page_text(sheet))
    finally:
        document.close()

    # Every QR: a badge URL of THIS server, one per candidate of the cohort, each the
    # person's active badge; the code printed under it is the same token, in groups of 4.
    assert all(re.fullmatch(re.escape(base) + "/b/" + TOKEN, url) for url in urls), urls[:3]
    tokens = [url.rsplit("/b/", 1)[1] for url in urls]
    assert len(set(tokens)) == 40
    active = {active_token(database, fair_id, m["id"]) for m in members}
    assert set(tokens) == active
    assert sorted(code.replace(" ", "") for code in printed) == sorted(tokens)

    tab.goto(f"/organizer/fairs/{fair_id}/badges")
    assert int(page.locator("#count-issued").inner_text()) >= 40
    sys.stderr.write(f"\n[e2e] A4 sheets of 8: {len(urls)} badges printed in {seconds:.1f} s\n")

    # A decoded URL: the organizer (who may scan) sees the check-in screen with the name;
    # someone not logged in sees a neutral page, nothing personal.
    owner = database.rows(
        "SELECT u.first_name, u.last_name FROM badges b JOIN users u ON u.id = b.user_id "
        "WHERE b.token = :token", token=tokens[0])[0]
    name = f"{owner['first_name']} {owner['last_name']}"
    page.goto(urls[0])
    expect(page.locator(".scan-name")).to_have_text(name)
    expect(page.locator("#badge-checkin")).to_be_visible()
    tab.check("badge-url-organizer")
    anonymous = open_day_page(suffix="anonymous")
    anonymous.page.goto(urls[0])
    expect(anonymous.page.locator("#neutral-badge")).to_be_visible()
    assert owner["last_name"] not in anonymous.page.content()
    anonymous.check("badge-url-anonymous")


# --------------------------------------------------------------------------- 2. the scanner


@pytest.fixture
def camera_browser(browser):
    """Launch another chromium whose fake camera plays a y4m: ``camera_browser(path)``."""
    launched = []

    def launch(video):
        camera = browser.browser_type.launch(
            executable_path=CHROMIUM, headless=True,
            args=CHROMIUM_ARGS + [
                "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
                f"--use-file-for-fake-video-capture={video}",
            ],
        )
        launched.append(camera)
        return camera

    yield launch
    for camera in launched:
        camera.close()


def test_staff_check_in_by_camera_keyboard_and_name_on_a_phone(
        open_day_page, day_server, camera_browser, badges_issued, tmp_path):
    base, database, fair_id = day_server.base_url, day_server.database, day_server.fair_id
    staff = person(database, STAFF)

    # The candidate downloads their own badge (A6) from their home page.
    holder = person(database, CAMERA_CANDIDATE)
    own = open_day_page(suffix="candidate")
    log_in(own, CAMERA_CANDIDATE)
    with own.page.expect_download() as info:
        own.page.locator(f"#badge-{fair_id}").click()
    data = Path(info.value.path()).read_bytes()
    document = pypdfium2.PdfDocument(data)
    try:
        assert len(document) == 1
        width, height = document[0].get_size()
        assert (round(width / 72 * 25.4), round(height / 72 * 25.4)) == (105, 148)  # A6, mm
        assert holder["name"] in page_text(document[0])
        found, image = decoded(document[0], scale=4)
    finally:
        document.close()
    assert len(found) == 1
    url, position = found[0]
    assert url == f"{base}/b/{active_token(database, fair_id, holder['user_id'])}"

    # The camera's video: the QR region of that rendered badge (still decodable on its own).
    qr = crop_qr(image, position)
    assert [r.text for r in zxingcpp.read_barcodes(qr)] == [url]
    video = tmp_path / "badge.y4m"
    write_y4m(video, qr)
    qr.save(tmp_path / "badge-qr.png")

    camera = camera_browser(video)
    tab = open_day_page(device="phone", suffix="scanner", using=camera)
    page = tab.page
    page.context.grant_permissions(["camera"], origin=base)
    open_scanner_from_staff_home(tab, fair_id)
    expect(page.locator("#scan-code")).to_be_focused()  # a handheld scanner types here
    expect(page.locator("#scan-camera")).to_be_visible()  # scanner.js ran after the boost
    page.locator("#scan-device").fill("Entrée nord")
    tab.check("scanner-empty")

    posts = []
    page.on("request", lambda r: posts.append(time.monotonic())
            if r.method == "POST" and r.url == f"{base}/staff/fairs/{fair_id}/scan" else None)

    # The camera: checked in, then the same code seen again after 4 s → already checked in.
    page.locator("#camera-toggle").click()
    expect(page.locator("#camera-video")).to_be_visible()
    expect(scan_panel(page)).to_have_attribute("data-status", "checked_in", timeout=15_000)
    panel = scan_panel(page)
    expect(panel).to_have_class(re.compile(r"\bscan-good\b"))
    expect(panel.locator(".scan-status")).to_have_text(CHECKED_IN)
    expect(panel.locator(".scan-name")).to_have_text(holder["name"])
    tab.check("camera-checked-in")
    expect(scan_panel(page)).to_have_attribute("data-status", "already_checked_in",
                                               timeout=15_000)
    page.locator("#camera-toggle").click()  # stop
    expect(page.locator("#camera-video")).to_be_hidden()
    assert len(posts) >= 2 and posts[1] - posts[0] >= 3.8, posts  # the 4-second window
    rows = live_checkins(database, fair_id, holder["user_id"])
    assert len(rows) == 1
    assert rows[0]["scanned_by"] == STAFF and rows[0]["device_name"] == "Entrée nord"
    panel = scan_panel(page)
    expect(panel).to_have_class(re.compile(r"\bscan-warning\b"))
    expect(panel.locator(".scan-status")).to_have_text(ALREADY)
    expect(panel.locator(".scan-name")).to_have_text(holder["name"])
    expect(panel.locator(".scan-when")).to_contain_text(local_hhmm(rows[0]["checked_in_at"]))
    expect(panel.locator(".scan-when")).to_contain_text(STAFF_NAME)
    tab.check("camera-already-checked-in")

    # A handheld scanner: it types the QR's content (the badge URL) and Enter.
    handheld = person(database, HANDHELD_CANDIDATE)
    handheld_url = f"{base}/b/{active_token(database, fair_id, handheld['user_id'])}"
    type_and_enter(page, handheld_url)
    expect(scan_panel(page).locator(".scan-name")).to_have_text(handheld["name"])
    expect(scan_panel(page)).to_have_attribute("data-status", "checked_in")
    expect(page.locator("#scan-code")).to_have_value("")
    expect(page.locator("#scan-code")).to_be_focused()
    tab.check("keyboard-checked-in")

    # By hand: the code printed under the QR, in groups of 4 with spaces.
    typed = person(database, TYPED_CANDIDATE)
    token = active_token(database, fair_id, typed["user_id"])
    type_and_enter(page, printed_code(token))
    expect(scan_panel(page).locator(".scan-name")).to_have_text(typed["name"])
    expect(scan_panel(page)).to_have_attribute("data-status", "checked_in")

    # A code that is no badge: red, no name.
    type_and_enter(page, "ZZZZ-not-a-badge-ZZZZ")
    expect(scan_panel(page)).to_have_attribute("data-status", "unknown_badge")
    expect(scan_panel(page)).to_have_class(re.compile(r"\bscan-bad\b"))
    expect(scan_panel(page).locator(".scan-status")).to_have_text(UNKNOWN)
    expect(scan_panel(page).locator(".scan-name")).to_have_count(0)
    tab.check("unknown-badge")

    # A forgotten badge: the name search, then "Check in" next to the name.
    searched = next(
        p for p in (person(database, f"candidate{n}@demo.jobfair") for n in range(13, 36))
        if len(database.rows(
            "SELECT 1 FROM users WHERE first_name = :f AND last_name = :l",
            f=p["first_name"], l=p["last_name"])) == 1
        and not live_checkins(database, fair_id, p["user_id"])
    )
    page.locator("#scan-q").fill(searched["name"])
    page.locator("#scan-q").press("Enter")
    row = page.locator("#scan-people li").filter(has_text=searched["name"])
    expect(row).to_have_count(1)
    tab.check("name-search")
    row.get_by_role("button").click()
    expect(scan_panel(page)).to_have_attribute("data-status", "checked_in")
    expect(scan_panel(page).locator(".scan-name")).to_have_text(searched["name"])
    tab.check("name-search-checked-in")

    for who in (holder, handheld, typed, searched):
        rows = live_checkins(database, fair_id, who["user_id"])
        assert len(rows) == 1, who
        assert rows[0]["scanned_by"] == STAFF and rows[0]["device_name"] == "Entrée nord"
    assert staff["name"] == STAFF_NAME


# --------------------------------------------------------------------------- 3. the booth


def check_in_by_keyboard(open_day_page, day_server, emails, suffix="entrance"):
    """Staff check ``emails`` in at the entrance (handheld-scanner path); returns the people."""
    database, fair_id = day_server.database, day_server.fair_id
    tab = open_day_page(suffix=suffix)
    open_scanner_from_staff_home(tab, fair_id)
    people = []
    for email in emails:
        who = person(database, email)
        type_and_enter(tab.page, f"{day_server.base_url}/b/"
                                 f"{active_token(database, fair_id, who['user_id'])}")
        expect(scan_panel(tab.page).locator(".scan-name")).to_have_text(who["name"])
        expect(scan_panel(tab.page)).to_have_attribute("data-status", "checked_in")
        people.append(who)
    return tab, people


@pytest.fixture
def badges_issued(open_day_page, day_server):
    """Every badge of the fair issued (the organizer prints them all once)."""
    tab = open_day_page(suffix="print")
    log_in(tab, ORGANIZER)
    response = tab.page.request.get(tab.url(f"/organizer/fairs/{day_server.fair_id}/badges.pdf?format=a6"))
    assert response.ok and response.body().startswith(b"%PDF")


def test_company_scans_badges_at_its_booth_records_leads_and_exports_them(
        open_day_page, day_server, badges_issued):
    base, database, fair_id = day_server.base_url, day_server.database, day_server.fair_id
    booked, walk_in, no_show = (person(database, e) for e in (BOOKED_AT_ATLAS, WALK_IN,
                                                             NO_SHOW_AT_ATLAS))
    (atlas,) = database.rows(
        "SELECT p.id FROM participations p JOIN companies c ON c.id = p.company_id "
        "WHERE c.name = :name AND p.fair_id = :fair", name=ATLAS, fair=fair_id)
    participation_id = atlas["id"]

    # The day is now: candidate1's Atlas interview is under way, candidate37's has ended.
    now = utcnow().replace(microsecond=0)
    for who, start in ((booked, now - timedelta(minutes=5)), (no_show, now - timedelta(hours=1))):
        moved = execute(
            database,
            "UPDATE slots SET starts_at = :starts, ends_at = :ends WHERE id IN ("
            "SELECT slot_id FROM bookings WHERE candidate_id = :candidate "
            "AND participation_id = :participation AND status = 'active')",
            starts=start, ends=start + timedelta(minutes=20),
            candidate=who["candidate_id"], participation=participation_id,
        )
        assert moved == 1, who

    check_in_by_keyboard(open_day_page, day_server, [BOOKED_AT_ATLAS, WALK_IN])

    tab = open_day_page(suffix="rep")
    page = tab.page
    log_in(tab, ATLAS_REP)
    expect(page).to_have_url(re.compile(r"/company/$"))
    tab.check("company-home")
    page.locator(f"#participation-{participation_id}").get_by_role(
        "link", name=re.compile(r"^(Scan au stand|Booth scan)")).click()
    expect(page).to_have_url(re.compile(rf"/company/fairs/{participation_id}/booth-scan$"))
    expect(page.locator("#code")).to_be_focused()
    tab.check("booth-scan")

    # The candidate with an interview now: attended.
    page.locator("#code").fill(f"{base}/b/{active_token(database, fair_id, booked['user_id'])}")
    page.locator("#code").press("Enter")
    expect(page.locator("#scan-result")).to_have_class(re.compile(r"\bscan-attended\b"))
    expect(page.locator("#scan-result")).to_contain_text(booked["name"])
    expect(page.locator("#lead-form h2")).to_have_text(booked["name"])
    tab.check("booth-attended")

    # A walk-in: typed as printed under the QR; then the quick lead form.
    token = active_token(database, fair_id, walk_in["user_id"])
    page.locator("#code").fill(printed_code(token))
    page.locator("#code").press("Enter")
    expect(page.locator("#scan-result")).to_have_class(re.compile(r"\bscan-walk_in\b"))
    expect(page.locator("#scan-result")).to_contain_text(walk_in["name"])
    form = page.locator("#lead-form")
    expect(form.locator("h2")).to_have_text(walk_in["name"])
    form.locator('input[name=rating][value="3"]').check()
    notes = "Très à l'aise en Spring Boot ; à revoir pour l'équipe paiements."
    form.locator("textarea[name=notes]").fill(notes)
    form.locator("select[name=next_step]").select_option("second_interview")
    form.get_by_role("button", name=re.compile(r"^(Enregistrer|Save)$")).click()
    expect(page.locator("#lead-saved")).to_be_visible()
    tab.check("lead-saved")
    (lead,) = database.rows(
        "SELECT l.rating, l.notes, l.next_step, u.email AS author FROM leads l "
        "JOIN users u ON u.id = l.author_id "
        "WHERE l.participation_id = :p AND l.candidate_id = :c",
        p=participation_id, c=walk_in["candidate_id"])
    assert lead == {"rating": 3, "notes": notes, "next_step": "second_interview",
                    "author": ATLAS_REP}

    # Attendance: the ended interview, candidate not at the entrance → no-show.
    page.locator(".leads-nav").get_by_role("link", name=re.compile(r"^(Présences|Attendance)$")).click()
    expect(page).to_have_url(re.compile(rf"/company/fairs/{participation_id}/attendance$"))
    (no_show_booking,) = database.rows(
        "SELECT id FROM bookings WHERE candidate_id = :c AND participation_id = :p",
        c=no_show["candidate_id"], p=participation_id)
    item = page.locator(f"#to-mark-{no_show_booking['id']}")
    expect(item).to_contain_text(no_show["name"])
    tab.check("attendance")
    item.locator("button[value=no_show]").click()
    expect(page.locator(f"#booking-{no_show_booking['id']}")).to_have_attribute(
        "data-status", "no_show")
    (booked_booking,) = database.rows(
        "SELECT id, status FROM bookings WHERE candidate_id = :c AND participation_id = :p",
        c=booked["candidate_id"], p=participation_id)
    assert booked_booking["status"] == "attended"
    expect(page.locator(f"#booking-{booked_booking['id']}")).to_have_attribute(
        "data-status", "attended")
    tab.check("attendance-marked")

    # The leads page, then the CSV export.
    page.locator(".leads-nav").get_by_role("link", name=re.compile(r"^(Contacts|Leads)$")).click()
    expect(page).to_have_url(re.compile(rf"/company/fairs/{participation_id}/leads$"))
    row = page.locator(f"#lead-{walk_in['candidate_id']}")
    expect(row.locator("th")).to_have_text(walk_in["name"])
    expect(row).to_contain_text(notes)
    expect(row.locator("td.num")).to_have_text("3")
    expect(row).to_contain_text(re.compile(r"Second entretien|Second interview"))
    expect(page.locator(f"#lead-{booked['candidate_id']}")).to_be_visible()
    tab.check("leads")
    with page.expect_download() as info:
        page.locator("#export-csv").click()
    assert info.value.suggested_filename.endswith(".csv")
    content = Path(info.value.path()).read_bytes().decode("utf-8-sig")
    lines = list(csv.reader(io.StringIO(content), delimiter=";"))
    by_email = {line[2]: line for line in lines[1:]}
    assert WALK_IN in by_email and BOOKED_AT_ATLAS in by_email
    walk_in_line = by_email[WALK_IN]
    assert walk_in_line[:2] == [walk_in["last_name"], walk_in["first_name"]]
    assert walk_in_line[4:6] == ["3", notes]
    assert re.fullmatch(r"Second entretien|Second interview", walk_in_line[6])
    assert f"{walk_in['last_name']};{walk_in['first_name']}" in content


# --------------------------------------------------------------------------- 4. dashboard


def test_live_dashboard_moves_without_a_reload(open_day_page, day_server, badges_issued):
    database, fair_id = day_server.database, day_server.fair_id
    tab = open_day_page(suffix="organizer")
    page = tab.page
    log_in(tab, ORGANIZER)
    tab.goto(f"/organizer/fairs/{fair_id}")
    page.locator("#live-dashboard-link").click()
    expect(page).to_have_url(re.compile(rf"/organizer/fairs/{fair_id}/live$"))
    count = page.locator("#n-checkins")
    expect(count).to_have_text(re.compile(r"^\d+$"))
    before = int(count.inner_text())
    (expected,) = database.rows(
        "SELECT count(*) AS n FROM checkins WHERE fair_id = :f AND undone_at IS NULL "
        "AND kind = 'entry'", f=fair_id)
    assert before == expected["n"]
    tab.check("dashboard-before")
    page.evaluate("() => { window.e2eMarker = 'same-document'; }")
    navigations = []
    page.on("framenavigated", lambda frame: navigations.append(frame.url)
            if frame == page.main_frame else None)

    check_in_by_keyboard(open_day_page, day_server, [DASHBOARD_CANDIDATE], suffix="entrance")

    expect(count).to_have_text(str(before + 1), timeout=15_000)
    assert page.evaluate("() => window.e2eMarker") == "same-document"
    assert navigations == []
    assert page.url.endswith(f"/organizer/fairs/{fair_id}/live")
    tab.check("dashboard-after")
