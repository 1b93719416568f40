"""Arabic beyond the pages: Babel's ar_MA formats (Western digits, Morocco's month names), the
badge of an Arabic reader (translated and mirrored), the funders' report in Arabic (shaped and
right to left) and mixed-direction names isolated in sentences.

The catalogue itself and the walk over every page in Arabic are in tests/test_i18n.py.
"""
import io
import re
import unicodedata
from datetime import date, datetime

import pypdfium2
from babel.dates import format_date
from flask import session

from jobfair.badges import pdf, services
from jobfair.extensions import db
from jobfair.insertion import rates

from .downloads import pdf_text
from .mailbox import delivered
from .test_insertion_rates import programme  # noqa: F401

ARABIC_INDIC_DIGITS = re.compile("[\u0660-\u0669\u06f0-\u06f9]")
FAIR_DAY = date(2026, 12, 20)


def _logical(text):
    """PDF text with Arabic presentation forms folded back to letters (what a reader copies)."""
    return unicodedata.normalize("NFKC", text)


def test_arabic_is_formatted_for_morocco_with_western_digits(app):
    from flask_babel import format_datetime, format_decimal, get_locale

    with app.test_request_context("/"):
        session["locale"] = "ar"
        assert str(get_locale()) == "ar_MA"
        assert format_decimal(1234.5) == "1.234,5"
        shown = format_datetime(datetime(2026, 12, 20, 9, 30), "medium")
        assert "2026" in shown and ":30" in shown
        assert not ARABIC_INDIC_DIGITS.search(shown)
        assert format_date(FAIR_DAY, "long", locale=str(get_locale())) == "20 دجنبر 2026"
        # The rate cards and the report format percentages the same way.
        assert rates.Rate(key="k", label="", definition="", numerator=1, denominator=3,
                          numerator_metric="", denominator_metric="").percent(
            str(get_locale())) == "33,3 %"


def _printed(make):
    cohort = make.cohort(name="Data & IA Casablanca")
    fair = make.fair(name="Job Fair Casablanca", day=FAIR_DAY)
    fair.cohorts.append(cohort)
    arabic_reader = make.candidate(cohort_=cohort, email="salma@example.ma")
    arabic_reader.first_name, arabic_reader.last_name, arabic_reader.locale = "سلمى", "بناني", "ar"
    french_reader = make.candidate(cohort_=cohort, email="karim@example.ma")
    french_reader.first_name, french_reader.last_name = "Karim", "Alaoui"
    db.session.flush()
    return fair, arabic_reader, french_reader


def test_each_badge_is_in_its_holders_language(app, make):
    fair, arabic_reader, french_reader = _printed(make)
    with app.test_request_context("/"):
        session["locale"] = "en"  # whoever prints: the badges speak their holders' language
        people = services.attach_badges(fair, services.holders(fair), create=True)
        badges = {b.name: b for b in services.documents(fair, people)}
    arabic, french = badges["سلمى بناني"], badges["Karim Alaoui"]
    assert (arabic.kind, arabic.fair_date, arabic.rtl) == ("مترشح", "20 دجنبر 2026", True)
    assert (french.kind, french.fair_date, french.rtl) == ("Candidat", "20 décembre 2026", False)


def test_an_arabic_badge_is_mirrored(app):
    w, h = pdf.FORMATS["a4-8"][:2]  # landscape: text beside the QR code
    layout = pdf.layout_for(w, h)
    fields = dict(name="Salma Bennani", subtitle="Data & IA", kind="مترشح",
                  fair_name="Job Fair Casablanca", fair_date="20 دجنبر 2026",
                  url="http://localhost/b/token", code="abc-def")
    pdf.register_fonts()
    canvas_ink = pdf.Ink(pdf.Canvas(io.BytesIO()))
    ltr = pdf.badge_ops(canvas_ink, pdf.BadgeData(**fields), w, h, layout)
    rtl = pdf.badge_ops(canvas_ink, pdf.BadgeData(**fields, rtl=True), w, h, layout)
    m, qr = layout.margin, layout.qr_size
    # The white square under the QR code: at the right end in French, at the left in Arabic.
    assert f"1 g {w - m - qr:.2f} " in ltr and f"1 g {m:.2f} " in rtl
    # The name (the first text drawn in black) starts at the margin on its side.
    def name_x(ops):
        black = ops.split("0.000 0.000 0.000 rg")[1]
        return float(re.search(r"BT 1 0 0 1 ([\d.]+) [\d.]+ Tm", black).group(1))

    assert abs(name_x(ltr) - m) < 0.01 and name_x(rtl) > name_x(ltr) + 50


def test_an_arabic_readers_own_badge_pdf_reads_in_arabic(client, auth, make):
    fair, arabic_reader, _french = _printed(make)
    fair.status = "published"
    db.session.commit()
    auth.login_as(arabic_reader)
    data = client.get(f"/me/fairs/{fair.id}/badge.pdf").data
    document = pypdfium2.PdfDocument(data)
    text = _logical(document[0].get_textpage().get_text_range())
    document.close()
    for expected in ("مترشح", "سلمى", "بناني", "دجنبر", "Job Fair Casablanca"):
        assert expected in text, expected


def test_the_funders_report_in_arabic(client, auth, organizer, programme):  # noqa: F811
    auth.login_as(organizer)
    auth.use_language("ar")
    response = client.get("/organizer/insertion/report.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = _logical(pdf_text(response.data))
    for expected in ("تقرير الإدماج", "المعدلات الرئيسية", "معدل المعرفة", "معدل الإدماج",
                     "ملخص حسب المعرض", "Fair A", "71,4", "(واحد لكل مترشح في كل معرض)"):
        assert expected in text, expected
    assert "71.4" not in text  # ar_MA writes a decimal comma
    assert not ARABIC_INDIC_DIGITS.search(text)
    # A wrapped paragraph keeps its words in reading order: the start of the definition of
    # the insertion rate is on its first line, not its last.
    lines = [line.strip() for line in text.replace("\r", "").split("\n")]
    first = next(i for i, line in enumerate(lines) if "المترشحون الذين يعملون" in line)
    later = next(i for i, line in enumerate(lines) if "ما لم يسجل" in line)  # harakat dropped
    assert first < later


def test_names_inside_arabic_sentences_are_isolated(client, auth, make):
    """A Latin (or any user-typed) name inside a translated sentence is wrapped in <bdi>, so that
    "Atlas (Maroc)" does not lose its brackets to the Arabic sentence around it."""
    cohort = make.cohort()
    fair = make.open_fair(cohorts=[cohort], name="Forum (Casa) 2026")
    person = make.bookable_candidate(cohort, email="salma@example.ma", locale="ar")
    make.participation(fair, make.company("Atlas (Maroc)"))
    db.session.commit()
    auth.login_as(person)
    page = client.get(f"/me/fairs/{fair.id}/companies").get_data(as_text=True)
    assert '<html lang="ar" dir="rtl"' in page
    assert "<h1>الشركات المشاركة في <bdi>Forum (Casa) 2026</bdi></h1>" in page


def test_a_booking_email_and_its_calendar_file_are_arabic(auth, make):
    """The confirmation is written in the candidate's language (her account's): Arabic text,
    Morocco's month name, Western digits, and an Arabic .ics."""
    cohort = make.cohort()
    fair = make.open_fair(cohorts=[cohort])
    atlas = make.participation(fair, make.company("Atlas Digital"))
    slot = make.slot_at(make.table(atlas), 10)
    person = make.bookable_candidate(cohort, email="salma@example.ma", locale="ar")
    person.first_name = "Salma"
    db.session.commit()
    auth.login_as(person)
    page = f"/me/fairs/{fair.id}/companies/{atlas.company_id}"
    assert auth.post(f"/me/fairs/{fair.id}/slots/{slot.id}/book", page=page,
                     follow_redirects=True).status_code == 200
    [message] = delivered()
    subject, body, calendar = message.subject, message.body_text, message.attachment_text
    db.session.rollback()
    month = format_date(fair.day, "MMMM", locale="ar_MA")
    assert subject.startswith("مقابلة محجوزة مع Atlas Digital يوم ") and "10:00" in subject
    assert body.startswith("مرحبًا Salma،") and month in body
    assert not ARABIC_INDIC_DIGITS.search(subject + body)
    assert "SUMMARY:مقابلة مع Atlas Digital" in calendar.replace("\r\n ", "")
