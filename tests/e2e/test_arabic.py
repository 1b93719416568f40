"""Browser journey in Arabic (right to left) on the demo server, every page checked with
axe-core and screenshotted (``Browsing.check``):

1. A candidate chooses العربية on the login page and logs in with the Arabic form; the page is
   ``lang="ar" dir="rtl"`` and mirrored: the brand (jobfair) and the headings start on the
   right, where they are on the left of the same page in French.
2. The candidate's booking pages: the fair's companies, one company's free slots, a booking
   and its cancellation (the place goes back), every message in Arabic, times and dates with
   Western digits and Morocco's month names.
3. The badge: the candidate's own A6 badge PDF speaks Arabic (shaped, mirrored) and its QR
   opens the badge page, in Arabic.

Demo account used here and by no other browser test: candidate55 (has a CV, no booking in
demo.py); its language becomes Arabic. Company used here only: Assurances Anfa (the booking is
cancelled at the end, so its free places are as the demo made them).
"""
import re
import unicodedata
from pathlib import Path
from urllib.parse import urlsplit

import pypdfium2
import pytest
import zxingcpp
from playwright.sync_api import expect

from .conftest import DEMO_PASSWORD
from .journeys import flash, heading

pytestmark = pytest.mark.e2e

DEMO_FAIR = "JobInTech Job Fair Casablanca 2026"
CANDIDATE = "candidate55@demo.jobfair"
COMPANY = "Assurances Anfa"
ARABIC_INDIC_DIGITS = re.compile("[\u0660-\u0669\u06f0-\u06f9]")
MOROCCAN_MONTHS = ("يناير", "فبراير", "مارس", "أبريل", "ماي", "يونيو", "يوليوز", "غشت",
                   "شتنبر", "أكتوبر", "نونبر", "دجنبر")


def box(page, selector):
    found = page.locator(selector).first.bounding_box()
    assert found is not None, f"{selector} is not shown"
    return found


def expect_mirrored(page, rtl):
    """The layout's start is on the right in Arabic, on the left in French: the brand and the
    page's heading hug the start edge; the language buttons the end edge."""
    width = page.viewport_size["width"]
    brand, title = box(page, ".brand"), box(page, "main h1")
    if rtl:
        assert brand["x"] > width / 2, brand  # jobfair at the right end of the bar
        assert title["x"] + title["width"] > width * 0.6, title
        assert box(page, ".language")["x"] < width / 2
    else:
        assert brand["x"] + brand["width"] < width / 2, brand
        assert title["x"] < width * 0.4, title
        assert box(page, ".language")["x"] > width / 2


def expect_arabic_page(tab):
    page = tab.page
    expect(page.locator("html")).to_have_attribute("lang", "ar")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    text = page.locator("main").inner_text()
    assert not ARABIC_INDIC_DIGITS.search(text), "Arabic-Indic digits on " + page.url


def test_a_candidate_logs_in_books_and_gets_a_badge_in_arabic(open_page, live_server):
    tab = open_page()
    page = tab.page

    # --- 1. The login page in French, then in Arabic: the same page, mirrored.
    tab.goto("/login")
    expect(page.locator("html")).to_have_attribute("dir", "ltr")
    expect(heading(tab)).to_have_text("Se connecter")
    expect_mirrored(page, rtl=False)
    tab.check("01-login-fr")
    page.get_by_role("button", name="العربية", exact=True).click()
    expect(heading(tab)).to_have_text("تسجيل الدخول")
    expect_arabic_page(tab)
    expect_mirrored(page, rtl=True)
    expect(page.get_by_role("button", name="العربية", exact=True)).to_have_attribute(
        "aria-pressed", "true")
    tab.check("02-login-ar")

    page.get_by_label("عنوان البريد الإلكتروني", exact=True).fill(CANDIDATE)
    page.get_by_label("كلمة المرور", exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="تسجيل الدخول", exact=True).click()
    expect(page.get_by_role("button", name="تسجيل الخروج", exact=True)).to_be_visible()
    expect(heading(tab)).to_contain_text("مرحبًا")
    expect_arabic_page(tab)
    expect_mirrored(page, rtl=True)
    card = page.locator("#my-fairs li.card").filter(has_text=DEMO_FAIR)
    assert any(month in card.inner_text() for month in MOROCCAN_MONTHS), card.inner_text()
    tab.check("03-my-space")

    # --- 2. The booking pages.
    card.get_by_role("link", name=f"الشركات والمقابلات · {DEMO_FAIR}", exact=True).click()
    expect(heading(tab)).to_have_text(f"الشركات المشاركة في {DEMO_FAIR}")
    # The fair's (Latin) name is isolated inside the Arabic sentence.
    expect(page.locator("main h1 bdi")).to_have_text(DEMO_FAIR)
    expect_arabic_page(tab)
    expect_mirrored(page, rtl=True)
    tab.check("04-companies")

    page.locator("#results").get_by_role("link", name=COMPANY, exact=True).click()
    expect(heading(tab)).to_have_text(COMPANY)
    slots = page.locator("#slots")
    expect(slots.get_by_role("heading", name="مواعيد المقابلات")).to_be_visible()
    expect(slots.get_by_role("columnheader", name="الأماكن المتبقية")).to_be_visible()
    expect_arabic_page(tab)
    # The slots table reads from the right: its first column (the time) is at the right.
    time_header = box(page, "#slots thead th:first-child")
    action_header = box(page, "#slots thead th:last-child")
    assert time_header["x"] > action_header["x"], (time_header, action_header)
    tab.check("05-company-slots")

    book = slots.get_by_role("button", name=re.compile(r"^حجز \d\d:\d\d–\d\d:\d\d$")).first
    when = book.inner_text().removeprefix("حجز").strip()
    book.click()
    expect(slots.get_by_role("status")).to_contain_text(f"تم حجز مقابلة مع {COMPANY} يوم")
    expect(slots.get_by_role("status")).to_contain_text(when.split("–")[0])
    tab.check("06-booked")

    slots.get_by_role("link", name="عرض مقابلاتي", exact=True).click()
    expect(heading(tab)).to_have_text(f"مقابلاتي · {DEMO_FAIR}")
    expect_arabic_page(tab)
    tab.check("07-my-interviews")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name=f"إلغاء هذه المقابلة · {COMPANY}", exact=True).click()
    expect(flash(tab)).to_contain_text(f"أُلغيت مقابلتك مع {COMPANY}.")
    expect(page.get_by_text("لم تُحجز أي مقابلة بعد.")).to_be_visible()
    tab.check("08-cancelled")

    # --- 3. The badge: the PDF in Arabic, and the page its QR code opens.
    page.get_by_role("navigation", name="القائمة الرئيسية").get_by_role(
        "link", name="فضائي", exact=True).click()
    with page.expect_download() as info:
        page.locator("#my-fairs li.card").filter(has_text=DEMO_FAIR).get_by_role(
            "link", name=f"شارتي · {DEMO_FAIR}", exact=True).click()
    document = pypdfium2.PdfDocument(Path(info.value.path()).read_bytes())
    try:
        textpage = document[0].get_textpage()
        text = unicodedata.normalize("NFKC", textpage.get_text_range())
        textpage.close()
        image = document[0].render(scale=4).to_pil()
    finally:
        document.close()
    assert "مترشح" in text and DEMO_FAIR in text, text  # the kind of badge, shaped Arabic
    assert any(month in text for month in MOROCCAN_MONTHS), text
    found = [r.text for r in zxingcpp.read_barcodes(image)
             if r.format == zxingcpp.BarcodeFormat.QRCode]
    assert len(found) == 1 and found[0].startswith(live_server + "/b/"), found

    tab.goto(urlsplit(found[0]).path)
    expect(heading(tab)).to_have_text("هذه شارة jobfair.")
    expect_arabic_page(tab)
    expect_mirrored(page, rtl=True)
    tab.check("09-badge-page")


def test_arabic_pages_on_a_phone(open_page):
    """The same pages on a 390 × 844 phone: mirrored, nothing wider than the screen, axe-clean."""
    tab = open_page(device="phone")
    page = tab.page
    tab.goto("/login")
    page.get_by_role("button", name="العربية", exact=True).click()
    expect(heading(tab)).to_have_text("تسجيل الدخول")
    expect_arabic_page(tab)
    expect_mirrored(page, rtl=True)
    tab.check("01-login")
    page.get_by_label("عنوان البريد الإلكتروني", exact=True).fill(CANDIDATE)
    page.get_by_label("كلمة المرور", exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="تسجيل الدخول", exact=True).click()
    expect(page.get_by_role("button", name="تسجيل الخروج", exact=True)).to_be_visible()
    expect_arabic_page(tab)
    expect_mirrored(page, rtl=True)
    tab.check("02-my-space")
    page.locator("#my-fairs li.card").filter(has_text=DEMO_FAIR).get_by_role(
        "link", name=f"الشركات والمقابلات · {DEMO_FAIR}", exact=True).click()
    expect(heading(tab)).to_have_text(f"الشركات المشاركة في {DEMO_FAIR}")
    expect_arabic_page(tab)
    # Right to left, nothing sticks out on the left (the side a right-to-left page overflows).
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
    tab.check("03-companies")

    # A "back" arrow points to the start of the line, the right in Arabic.
    page.get_by_role("navigation", name="القائمة الرئيسية").get_by_role(
        "link", name="ملفي التعريفي", exact=True).click()
    arrow = page.locator("main .arrow").first
    expect(arrow).to_have_text("←")
    assert arrow.evaluate("a => getComputedStyle(a).transform") == "matrix(-1, 0, 0, 1, 0, 0)"
    tab.check("04-profile")
