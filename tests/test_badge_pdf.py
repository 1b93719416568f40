"""Badge PDFs: every format rendered to images and every QR decoded back to its badge URL;
long names fit their box; Arabic-script names have glyphs; 2,000 badges stay light."""
import pypdfium2
import pytest
from reportlab.lib.units import mm
from sqlalchemy import select

from jobfair.badges import pdf, services
from jobfair.demo import FIRST_NAMES, LAST_NAMES
from jobfair.extensions import db
from jobfair.models import Badge

from .downloads import decoded_qr_texts

ARABIC_NAME = ("يوسف", "العمراني")
LONGEST_DEMO = max((f"{f} {l}" for f in FIRST_NAMES for l in LAST_NAMES),
                   key=lambda n: pdf.text_width(n, pdf.BOLD, 10))
# Longer than anything in the demo data, to exercise the two-line path.
VERY_LONG = "Fatima Zahra Soukaina El Khattabi Benjelloun"
ABSURD = "Fatima Zahra Oumaima Soukaina Khadija El Khattabi Ouazzani Benjelloun Chraibi"


@pytest.fixture
def printed(make):
    """A fair with 9 candidates (odd: the last sheet is partly empty) and one representative."""
    cohort = make.cohort(name="Promotion Data & IA Casablanca")
    fair = make.fair(name="Forum Emploi Casablanca")
    fair.cohorts.append(cohort)
    people = [make.candidate(cohort_=cohort) for _ in range(8)]
    people[0].first_name, people[0].last_name = LONGEST_DEMO.split(" ", 1)
    people[1].first_name, people[1].last_name = ARABIC_NAME
    people[2].first_name, people[2].last_name = VERY_LONG.split(" ", 1)
    company = make.company(name="Atlas Digital Services")
    make.participation(fair, company)
    people.append(make.user(role="company_rep", company=company,
                            first_name="Hajar", last_name="Benjelloun"))
    return fair, cohort, people


def active_urls(fair):
    return sorted(services.badge_url(b.token) for b in db.session.scalars(
        select(Badge).where(Badge.fair_id == fair.id, Badge.revoked_at.is_(None))))


@pytest.mark.parametrize("fmt, per_page", [("a6", 1), ("a4-4", 4), ("a4-8", 8), ("label", 1)])
def test_every_format_decodes_to_the_badge_urls(client, auth, make, printed, fmt, per_page):
    fair, _cohort, people = printed
    auth.login_as(make.user(role="organizer"))
    response = client.get(f"/organizer/fairs/{fair.id}/badges.pdf?format={fmt}")
    assert response.status_code == 200
    urls = active_urls(fair)
    assert len(urls) == len(people) == 9
    assert all(url.startswith("http://localhost/b/") for url in urls)
    document = pypdfium2.PdfDocument(response.data)
    assert len(document) == -(-9 // per_page)
    document.close()
    assert sorted(decoded_qr_texts(response.data)) == urls


@pytest.mark.parametrize("fmt", ["a6", "label"])
def test_one_badge_per_page_is_in_name_order(client, auth, make, printed, fmt):
    fair, cohort, _people = printed
    auth.login_as(make.user(role="organizer"))
    response = client.get(f"/organizer/fairs/{fair.id}/badges.pdf?format={fmt}&cohort={cohort.id}")
    expected = [services.badge_url(p.badge.token) for p in
                services.attach_badges(fair, services.holders(fair, cohort_id=cohort.id))]
    assert len(expected) == 8
    assert decoded_qr_texts(response.data) == expected


def test_own_badges_decode_to_own_url(client, auth, printed):
    fair, _cohort, people = printed
    for user, url in [(people[1], f"/me/fairs/{fair.id}/badge.pdf"),
                      (people[-1], f"/company/fairs/{fair.id}/badge.pdf")]:
        auth.login_as(user)
        response = client.get(url)
        assert response.status_code == 200
        badge = services.active_badge(fair, user)
        assert decoded_qr_texts(response.data) == [services.badge_url(badge.token)]
        auth.logout()


def test_reissued_badge_prints_the_new_url(client, auth, make, printed):
    fair, _cohort, people = printed
    old = services.issue_badge(fair, people[0])
    db.session.commit()
    old_url = services.badge_url(old.token)
    new_url = services.badge_url(services.reissue_badge(fair, people[0]).token)
    db.session.commit()
    auth.login_as(people[0])
    assert decoded_qr_texts(client.get(f"/me/fairs/{fair.id}/badge.pdf").data) == [new_url]
    assert old_url != new_url


@pytest.mark.parametrize("fmt", list(pdf.FORMATS))
@pytest.mark.parametrize("name", [LONGEST_DEMO, VERY_LONG, " ".join(ARABIC_NAME)])
def test_long_names_fit_their_box(fmt, name):
    w, h, *_ = pdf.FORMATS[fmt]
    layout = pdf.layout_for(w, h)
    size, lines = pdf.fit_text(name, pdf.BOLD, layout.name_width, layout.name_max,
                               layout.name_min)
    assert layout.name_min <= size <= layout.name_max
    for line in lines:
        assert pdf.text_width(line, pdf.BOLD, size) <= layout.name_width
    assert " ".join(lines) == name  # nothing cut off
    if name == LONGEST_DEMO and fmt == "a6":
        assert lines == [name]  # the demo's longest name holds on one line on an A6 badge


@pytest.mark.parametrize("fmt", list(pdf.FORMATS))
def test_absurdly_long_name_is_cut_short_but_stays_in_its_box(fmt):
    w, h, *_ = pdf.FORMATS[fmt]
    layout = pdf.layout_for(w, h)
    size, lines = pdf.fit_text(ABSURD, pdf.BOLD, layout.name_width, layout.name_max,
                               layout.name_min)
    assert len(lines) <= 2 and size >= layout.name_min
    for line in lines:
        assert pdf.text_width(line, pdf.BOLD, size) <= layout.name_width


def test_longest_demo_name_shrinks_on_the_label():
    w, h, *_ = pdf.FORMATS["label"]
    layout = pdf.layout_for(w, h)
    assert layout.name_width < 60 * mm
    size, lines = pdf.fit_text(VERY_LONG, pdf.BOLD, layout.name_width, layout.name_max,
                               layout.name_min)
    assert len(lines) == 2
    assert all(pdf.text_width(line, pdf.BOLD, size) <= layout.name_width for line in lines)
    assert pdf.text_width(VERY_LONG, pdf.BOLD, layout.name_max) > layout.name_width


def test_arabic_and_accents_have_glyphs():
    for font in (pdf.REGULAR, pdf.BOLD):
        face = pdf.font_face(font)
        shaped = pdf.visual(" ".join(ARABIC_NAME))
        assert shaped != " ".join(ARABIC_NAME)  # shaped into presentation forms, visual order
        for char in shaped + "éèàçôÏï" + "Aït Ouahmane":
            if not char.isspace():
                assert face.charToGlyph.get(ord(char), 0) != 0, (font, hex(ord(char)))


def test_arabic_name_is_in_the_pdf_text(client, auth, printed):
    fair, _cohort, people = printed
    auth.login_as(people[1])
    data = client.get(f"/me/fairs/{fair.id}/badge.pdf").data
    document = pypdfium2.PdfDocument(data)
    text = document[0].get_textpage().get_text_range()
    document.close()
    # The drawn (shaped) letters come back as Arabic text; a missing glyph would be dropped.
    assert any("\u0600" <= ch <= "\u06ff" or "\ufe70" <= ch <= "\ufeff" for ch in text)
    assert "Forum Emploi Casablanca" in text


def test_two_thousand_badges_stay_light():
    badges = [
        pdf.BadgeData(name=f"{FIRST_NAMES[i % 30]} {LAST_NAMES[i % 22]}",
                      subtitle="Promotion Data & IA · Casablanca", kind="Candidat",
                      fair_name="Forum Emploi Casablanca", fair_date="20 décembre 2026",
                      url=f"http://localhost/b/{services.new_token()}", code="x" * 39)
        for i in range(2000)
    ]
    data = pdf.render(badges, "a4-8")
    assert len(data) < 6 * 1024 * 1024
    # One embedded subset of the regular and bold fonts, not one per page.
    assert data.count(b"/FontFile2") <= 6
