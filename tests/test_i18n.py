"""French first, English and Arabic too: the catalogues are complete and each page speaks
one language.

The msgids are English (English needs no catalogue); French (the default) and Arabic come
from jobfair/translations/<fr|ar>/LC_MESSAGES/messages.po, compiled to messages.mo by
``make translations``. Arabic pages are right to left (``dir="rtl"``) and write numbers with
Western digits, as Morocco does (Babel's ar_MA).
"""
import re
import subprocess
import sys
from datetime import date, datetime
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from sqlalchemy import select

from jobfair.audit import services as audit
from jobfair.auth import services
from jobfair.extensions import db
from jobfair.kiosk import services as kiosk_services
from jobfair.models import Booking, Position, User

from .conftest import AuthActions

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "jobfair" / "translations"
# Every language with a catalogue (English is the msgids themselves), with its number of
# plural forms (CLDR: Arabic has zero, one, two, few, many and other).
CATALOGUES = {"fr": 2, "ar": 6}
LANGUAGE_NAMES = {"fr": "French", "ar": "Arabic"}


def po_file(language):
    return TRANSLATIONS / language / "LC_MESSAGES" / "messages.po"


def mo_file(language):
    return po_file(language).with_suffix(".mo")


PO_FILE, MO_FILE = po_file("fr"), mo_file("fr")
ARABIC_INDIC_DIGITS = re.compile("[\u0660-\u0669\u06f0-\u06f9]")
PLACEHOLDER = re.compile(r"%\(\w+\)[-#0 +]*\d*(?:\.\d+)?[sdifr]")

FAIR_DAY = date(2026, 12, 20)
# The Makefile's EXTRACT_KEYWORDS (test_extraction_keywords_match_the_makefile keeps them equal).
EXTRACT_KEYWORDS = ("-k", "_l", "-k", "lazy_ngettext:1,2")


# --- The catalogue ------------------------------------------------------------


def _read_catalogue(path):
    with open(path, "rb") as f:
        return read_po(f)


def _forms(value):
    """A message id or string as a tuple of its forms (one, or singular and plurals)."""
    return tuple(value) if isinstance(value, (list, tuple)) else (value,)


def _key(msgid):
    return _forms(msgid)[0]


@pytest.fixture(scope="module")
def extracted(tmp_path_factory):
    """What the code and templates show: the Makefile's extraction, into a temporary template."""
    pot = tmp_path_factory.mktemp("pot") / "messages.pot"
    # The Makefile's extraction, into a temporary template.
    result = subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "-q", "extract",
         "-F", "babel.cfg", *EXTRACT_KEYWORDS, "-o", str(pot), "."],
        cwd=ROOT, capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stderr
    messages = [m for m in _read_catalogue(pot) if m.id]
    assert messages, "pybabel extracted no message at all"
    return messages


@pytest.mark.parametrize("language", sorted(CATALOGUES))
def test_catalogue_translates_every_message(extracted, language):
    """Every string the code and templates show has a translation in every catalogue, with the
    same blanks and every plural form of the language."""
    name, path = LANGUAGE_NAMES[language], po_file(language)
    catalogue = _read_catalogue(path)
    assert not catalogue.fuzzy, f"the {name} catalogue's header is marked fuzzy"
    assert catalogue.num_plurals == CATALOGUES[language], catalogue.plural_forms
    missing, fuzzy, broken, forms = [], [], [], []
    for message in extracted:
        translated = catalogue.get(message.id)
        if translated is None or not all(_forms(translated.string)):
            missing.append(_key(message.id))
            continue
        if message.pluralizable and len(_forms(translated.string)) != CATALOGUES[language]:
            forms.append(_key(message.id))
        if translated.fuzzy:
            fuzzy.append(_key(message.id))
        # msgstr[0] answers the msgid, every other plural form answers msgid_plural.
        originals = _forms(message.id)
        for index, form in enumerate(_forms(translated.string)):
            needed = set(PLACEHOLDER.findall(originals[min(index, len(originals) - 1)]))
            lost = needed - set(PLACEHOLDER.findall(form))
            if lost:
                broken.append(f"{_key(message.id)!r} → {form!r} lacks {sorted(lost)}")

    assert not missing, (
        f"{len(missing)} message(s) have no {name} translation in {path.relative_to(ROOT)} "
        "(run `make extract-messages`, then translate):\n" + "\n".join(map(repr, missing))
    )
    assert not fuzzy, f"fuzzy (unchecked) {name} translations:\n" + "\n".join(map(repr, fuzzy))
    assert not forms, (f"{name} plural translations without their {CATALOGUES[language]} "
                       "forms:\n" + "\n".join(map(repr, forms)))
    assert not broken, f"{name} translations that lose a placeholder:\n" + "\n".join(broken)
    # What `pybabel compile` would warn about (format mismatches and the like).
    problems = [f"{_key(m.id)!r}: {errors}" for m, errors in catalogue.check()]
    assert not problems, "\n".join(problems)


def _compiled_catalogue(language):
    """A catalogue, checked to be the one the app runs with (the compiled .mo)."""
    po, mo = po_file(language), mo_file(language)
    catalogue = _read_catalogue(po)
    if not mo.exists():
        pytest.fail(f"{mo.relative_to(ROOT)} is missing: run `make translations`.")
    with open(mo, "rb") as f:
        compiled = read_mo(f)
    stale = [
        _key(m.id) for m in catalogue
        if m.id and not m.fuzzy and all(_forms(m.string)) and (compiled.get(m.id) is None
                                      or _forms(compiled.get(m.id).string) != _forms(m.string))
    ]
    if stale:
        pytest.fail(
            f"{mo.relative_to(ROOT)} is out of date ({len(stale)} message(s), e.g. "
            f"{stale[0]!r}): run `make translations`."
        )
    return catalogue


@pytest.fixture(scope="module")
def french():
    return _compiled_catalogue("fr")


@pytest.fixture(scope="module")
def arabic():
    return _compiled_catalogue("ar")


# --- What a page shows ----------------------------------------------------------


class _VisibleText(HTMLParser):
    """The text a person sees or hears: text nodes and labelling attributes.

    Code (scripts, styles) is left out, and so is what the page marks
    translate="no" (names and codes shown as they are in every language).
    """

    SKIP = {"script", "style", "template"}
    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
            "source", "track", "wbr"}
    SPOKEN_ATTRIBUTES = ("aria-label", "title", "alt", "placeholder")

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.chunks = []
        self._skipped = []  # [tag, depth] of the elements whose content is left out

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag not in self.VOID:
            if self._skipped and self._skipped[-1][0] == tag:
                self._skipped[-1][1] += 1
            elif tag in self.SKIP or attributes.get("translate") == "no":
                self._skipped.append([tag, 1])
        if self._skipped:
            return
        self.chunks.extend(attributes[a] for a in self.SPOKEN_ATTRIBUTES if attributes.get(a))
        if tag == "input" and attributes.get("type") in {"submit", "button"} and attributes.get("value"):
            self.chunks.append(attributes["value"])

    def handle_endtag(self, tag):
        if self._skipped and self._skipped[-1][0] == tag:
            self._skipped[-1][1] -= 1
            if not self._skipped[-1][1]:
                self._skipped.pop()

    def handle_data(self, data):
        if not self._skipped:
            self.chunks.append(data)


def _squash(text):
    # \s also matches the no-break spaces of French typography.
    return re.sub(r"\s+", " ", text).strip()


def visible_text(page):
    parser = _VisibleText()
    parser.feed(page)
    parser.close()
    return "\n".join(chunk for chunk in map(_squash, parser.chunks) if chunk)


def _words(text):
    return re.findall(r"\w+", PLACEHOLDER.sub(" ", text))


def _pattern(text):
    """Where ``text`` (with %(name)s blanks) shows on a page: whole words, case-sensitive."""
    parts = PLACEHOLDER.split(_squash(text))
    while parts and not parts[0].strip():
        parts.pop(0)
    while parts and not parts[-1].strip():
        parts.pop()
    body = r".{1,200}?".join(re.escape(p).replace(r"\ ", r"\s+") for p in parts)
    return re.compile(r"(?<!\w)" + body + r"(?!\w)")


def _needles(catalogue, show):
    """Texts that betray another language: ``show`` picks (msgid form, translated form)."""
    needles = {}
    for message in catalogue:
        if not message.id or message.fuzzy:
            continue
        for english, french in zip(_forms(message.id), _forms(message.string)):
            if not french or _squash(english) == _squash(french):
                continue  # the same in both languages ("Date", "CV (PDF)")
            text = show(english, french)
            if len(_words(text)) >= 2:
                needles[text] = _pattern(text)
    return needles


def heading(page):
    """The page's <h1>, as read."""
    match = re.search(r"<h1[^>]*>(.*?)</h1>", page, re.S)
    return visible_text(match.group(1)) if match else None


# Text a page shows in both languages on purpose, by path. Better: mark it
# translate="no" in the template, and drop it from here.
SAME_IN_BOTH_LANGUAGES = {
    # The column names a candidates file may use, listed verbatim.
    "/organizer/candidates/import": {"first name", "last name", "e-mail"},
}


def _leaks(pages, needles):
    found = []
    for label, text in pages:
        words = label.split(" ")  # "<role> <method> <path>" for pages
        allowed = SAME_IN_BOTH_LANGUAGES.get(words[2], set()) if len(words) > 2 else set()
        for needle, pattern in needles.items():
            if needle in allowed:
                continue
            match = pattern.search(text)
            if match:
                found.append(f"{label}: {needle!r} (seen as {match.group(0)!r})")
    return found


# --- Data and the walk --------------------------------------------------------------


@pytest.fixture
def world(make, organizer, candidate, company_rep, staff):
    """A published fair with companies, booths, a schedule, staff and an invited cohort.

    Returns plain values (emails by role, ids for the URLs, an invitation token).
    """
    fair = make.fair(name="Job Fair Casablanca", day=FAIR_DAY, hall_rows=2, hall_cols=3)
    cohort = make.cohort()
    fair.cohorts.append(cohort)
    candidate.candidate.cohort = cohort
    company = company_rep.company
    company.city = "Casablanca"
    company.size = "51-250"
    participation = make.participation(fair, company)
    make.booth(fair, number="A1").participation = participation
    make.booth(fair, number="A2", row=0, col=1)
    make.participation(fair, make.company(name="Startup Atlas"), status="requested")
    position = Position(company=company, title="Développeur Java", contract_type="cdi",
                        openings=2, track=cohort.track)
    db.session.add(position)
    table = make.table(participation, name="Table 1")
    make.table(participation, name="Table 2")
    slot = make.slot(table, starts_at=datetime(2026, 12, 20, 10, 0), minutes=20)
    booking = Booking(slot=slot, candidate=candidate.candidate, participation=participation)
    db.session.add(booking)
    slot.booked_count = 1
    make.slot(table, starts_at=datetime(2026, 12, 20, 10, 30), minutes=30, capacity=4)
    fair.staff.append(staff)
    _invitation, token = services.create_invitation(
        "nouvelle.recrue@example.ma", "company_rep", invited_by=organizer, company=company,
    )
    # A few lines of the audit log, so that its sentences are walked too.
    audit.record("fair.updated", organizer, fair, fair, changes={"city": ["Rabat", "Casablanca"]})
    audit.record("booth.assigned", organizer, fair, object_type="booth", object_id=1,
                 booth="A1", company=company.name, participation_id=participation.id)
    audit.record("export.downloaded", company_rep, fair, participation, kind="leads",
                 format="csv")
    kiosk, _link = kiosk_services.create_kiosk(fair, "Entrée A — borne 1", organizer)
    db.session.flush()
    world = {
        "emails": {
            "organizer": organizer.email,
            "company_rep": company_rep.email,
            "staff": staff.email,
            "candidate": candidate.email,
            "kiosk": kiosk.user.email,
        },
        "invitation_token": token,
        # Values for the URL rules of the pages, by argument name.
        "url_values": {
            "fair_id": fair.id,
            "slug": fair.slug,
            "participation_id": participation.id,
            "company_id": company.id,
            "booking_id": booking.id,
            "candidate_id": candidate.candidate.id,
            "table_id": table.id,
            "position_id": position.id,
            "cohort_id": cohort.id,
            "operator_id": cohort.operator_id,
            "track_id": cohort.track_id,
            "token": "no-such-badge",  # /b/<token>: the neutral badge page
        },
    }
    db.session.commit()
    return world


# Pages every walk reads first, as (role, method, url, form data, expected status).
def _walk_plan(world):
    return [
        (None, "GET", "/login", None, 200),
        (None, "POST", "/login", {"email": "", "password": ""}, 200),  # errors under the fields
        (None, "GET", "/password/forgot", None, 200),
        (None, "POST", "/password/forgot", {"email": "pas-une-adresse"}, 200),
        (None, "GET", "/organizer/", None, 200),  # sent to log in, with a message
        (None, "GET", "/no-such-page", None, 404),
        (None, "GET", "/invitation/nope", None, 410),
        (None, "GET", f"/invitation/{world['invitation_token']}", None, 200),
        ("organizer", "GET", "/organizer/", None, 200),
        ("organizer", "POST", "/organizer/invitations",
         {"email": "accueil2@example.ma", "role": "staff", "company_id": "0", "fair_id": "0"}, 200),
        ("organizer", "GET", "/organizer/invitations", None, 200),
        ("organizer", "POST", "/organizer/invitations", {"email": "", "role": "staff"}, 200),
        ("company_rep", "GET", "/company/", None, 200),
        ("staff", "GET", "/staff/", None, 200),
        ("candidate", "GET", "/me/", None, 200),
        ("candidate", "GET", "/organizer/", None, 403),
    ]


# GET endpoints the walk does not read: machine endpoints, pages behind a secret token
# or an uploaded file. (Files that are not HTML, such as CVs and calendars, are skipped
# when they are met.)
NOT_PAGES = {"static", "main.vendor", "main.healthz", "auth.index", "auth.accept_invitation",
             "auth.reset_password", "imports.preview", "candidate.cv", "followups.answer_link",
             "kiosk.kiosk_label"}  # the label PDF exists only right after a kiosk check-in


def _every_other_page(app, world, planned):
    """Every other GET page of the app, as the first role its view admits (anonymous if any)."""
    pages, unknown = [], []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if "GET" not in rule.methods or rule.endpoint in NOT_PAGES:
            continue
        missing = rule.arguments - world["url_values"].keys()
        if missing:
            unknown.append(f"{rule.rule} needs {sorted(missing)}")
            continue
        url = rule.build({a: world["url_values"][a] for a in rule.arguments})[1]
        if url in planned:
            continue
        roles = getattr(app.view_functions[rule.endpoint], "allowed_roles", (None,))
        pages.append((roles[0], "GET", url, None, 200))
    assert not unknown, (
        "pages the language walk cannot reach; give the world fixture of tests/test_i18n.py "
        "a value for:\n" + "\n".join(unknown)
    )
    return pages


def _kiosk_client(auth, email, locale):
    """A kiosk has no password (it opens with a one-time link): signed in through the session;
    its language switch is its own (the layout's is 403 for a kiosk)."""
    user = db.session.scalar(select(User).where(User.email == email))
    with auth.client.session_transaction() as session:
        session["_user_id"], session["_fresh"] = user.get_id(), True
    if locale != "fr":
        response = auth.post("/kiosk/language", {"locale": locale}, page="/kiosk/")
        assert response.status_code == 303
    return auth


def _client_for(app, role, emails, locale):
    auth = AuthActions(app.test_client())
    if role == "kiosk":
        return _kiosk_client(auth, emails[role], locale)
    if role:
        response = auth.login(emails[role])
        assert response.status_code == 303, f"{role} could not log in"
    if locale != "fr":
        response = auth.post("/language", {"locale": locale, "next": "/"}, page="/login")
        assert response.status_code == 303
    return auth


RIGHT_TO_LEFT = {"ar"}


def walk(app, world, locale):
    """Every page of the plan, as its role, in ``locale``: [(label, visible text)]."""
    plan = _walk_plan(world)
    discovered = _every_other_page(app, world, {url for _role, _method, url, _data, _status in plan})
    clients, pages = {}, []
    for role, method, url, data, status in plan + discovered:
        if role not in clients:
            clients[role] = _client_for(app, role, world["emails"], locale)
        auth = clients[role]
        if method == "GET":
            response = auth.client.get(url, follow_redirects=True)
        else:
            response = auth.post(url, data, follow_redirects=True)
        label = f"{role or 'anonymous'} {method} {url}"
        seen = sum(1 for earlier, _text in pages if earlier.split(" (")[0] == label)
        label += f" ({seen + 1})" if seen else ""
        assert response.status_code == status, f"{label}: {response.status_code}"
        if response.mimetype != "text/html" and (role, method, url, data, status) in discovered:
            continue  # a file (CV, calendar), not a page
        assert f'<html lang="{locale}"' in response.text, f"{label} is not marked lang={locale}"
        direction = "rtl" if locale in RIGHT_TO_LEFT else "ltr"
        assert f'<html lang="{locale}" dir="{direction}"' in response.text, (
            f"{label} is not marked dir={direction}")
        pages.append((label, visible_text(response.text)))
    return pages


# --- Tests ----------------------------------------------------------------------------


def test_pages_are_in_french_by_default(client, french):
    page = client.get("/login")
    assert page.status_code == 200
    assert '<html lang="fr"' in page.text
    text = visible_text(page.text)
    assert heading(page.text) == "Se connecter"
    assert re.search(r"<button[^>]*>\s*Se connecter\s*</button>", page.text)
    for label in ("Adresse e-mail", "Mot de passe", "Mot de passe oublié"):
        assert label in text
    assert "Log in" not in text and "Password" not in text


def test_switching_to_english_makes_the_next_page_english(client, auth, french):
    # The language buttons of every page post to /language with the page as "next".
    response = auth.post("/language", {"locale": "en", "next": "/login"}, page="/login")
    assert response.status_code == 303
    assert response.headers["Location"] == "/login"
    page = client.get("/login")
    assert '<html lang="en"' in page.text
    assert heading(page.text) == "Log in"
    assert re.search(r"<button[^>]*>\s*Log in\s*</button>", page.text)
    assert "Se connecter" not in visible_text(page.text)
    # The button of the language in use is marked as pressed.
    assert re.search(r'<button[^>]*value="en"[^>]*aria-pressed="true"', page.text)

    # And back to French.
    auth.post("/language", {"locale": "fr", "next": "/login"}, page="/login")
    assert heading(client.get("/login").text) == "Se connecter"


def test_an_unknown_language_is_refused(client, auth, french):
    response = auth.post("/language", {"locale": "de", "next": "/login"}, page="/login")
    assert response.status_code == 400
    assert '<html lang="fr"' in client.get("/login").text


def test_a_logged_in_users_language_is_remembered_on_the_account(app, auth, client, organizer,
                                                                  french):
    email = organizer.email
    db.session.commit()
    assert auth.login(email).status_code == 303
    assert heading(client.get("/organizer/").text) == "Salons"

    response = auth.post("/language", {"locale": "en", "next": "/organizer/"}, page="/organizer/")
    assert response.headers["Location"] == "/organizer/"
    page = client.get("/organizer/")
    assert '<html lang="en"' in page.text and heading(page.text) == "Fairs"

    # Another device (a fresh browser) logging in to the same account gets English.
    other_device = AuthActions(app.test_client())
    assert other_device.login(email).status_code == 303
    page = other_device.client.get("/organizer/")
    assert '<html lang="en"' in page.text and heading(page.text) == "Fairs"
    assert "Log out" in visible_text(page.text)


def test_french_pages_show_no_english(app, world, french):
    pages = walk(app, world, "fr")
    leaks = _leaks(pages, _needles(french, lambda english, _french: english))
    assert not leaks, "English text on French pages:\n" + "\n".join(leaks)


def test_english_pages_show_no_french(app, world, french):
    pages = walk(app, world, "en")
    leaks = _leaks(pages, _needles(french, lambda _english, fr: fr))
    assert not leaks, "French text on English pages:\n" + "\n".join(leaks)


def test_the_walk_sees_the_pages_content(app, world, french):
    """Guard for the two walks above: the pages they read do show their data, in French."""
    text = dict(walk(app, world, "fr"))
    assert "Job Fair Casablanca" in text["organizer GET /organizer/"]
    assert "Publié" in text["organizer GET /organizer/"]
    assert "Invitation envoyée à accueil2@example.ma." in text["organizer POST /organizer/invitations"]
    assert "représentant d'entreprise" in text["organizer GET /organizer/invitations"]
    company = text["company_rep GET /company/"]
    assert "2 postes à pourvoir" in company and "CDI" in company and "Stand A1" in company
    assert "Approuvée" in company
    assert "Mes salons" in text["staff GET /staff/"] and "Job Fair Casablanca" in text["staff GET /staff/"]
    assert "Job Fair Casablanca" in text["candidate GET /me/"]
    assert "Page introuvable" in text["anonymous GET /no-such-page"]
    assert "Accès refusé" in text["candidate GET /organizer/"]
    assert "Ce lien d'invitation n'est pas valide" in text["anonymous GET /invitation/nope"]
    assert "Saisissez votre adresse e-mail." in text["anonymous POST /login"]
    assert "Connectez-vous pour voir cette page." in text["anonymous GET /organizer/"]


def test_dates_are_written_in_the_pages_language(app, world, french):
    candidate = _client_for(app, "candidate", world["emails"], "fr")
    assert "dimanche 20 décembre 2026" in visible_text(candidate.client.get("/me/").text)

    candidate.post("/language", {"locale": "en", "next": "/me/"}, page="/me/")
    assert "Sunday, December 20, 2026" in visible_text(candidate.client.get("/me/").text)


def test_emails_are_written_in_french(app, world, french):
    """The invitation email (queued by the world fixture) is French, subject included."""
    from jobfair.models import OutboxMessage

    message = db.session.scalars(db.select(OutboxMessage)).one()
    subject, body = message.subject, message.body_text
    db.session.rollback()  # end the read: no lock held over the requests of later steps
    assert subject == "Votre invitation à jobfair"
    assert "Bonjour," in body and "représentant d'entreprise" in body
    leaks = _leaks([("invitation email", subject + "\n" + body)],
                   _needles(french, lambda english, _french: english))
    assert not leaks, "English text in a French email:\n" + "\n".join(leaks)



# --- Arabic -----------------------------------------------------------------------------


def test_switching_to_arabic_gives_a_right_to_left_arabic_page(client, auth, arabic):
    response = auth.post("/language", {"locale": "ar", "next": "/login"}, page="/login")
    assert response.status_code == 303 and response.headers["Location"] == "/login"
    page = client.get("/login")
    assert '<html lang="ar" dir="rtl"' in page.text
    assert heading(page.text) == "تسجيل الدخول"
    text = visible_text(page.text)
    for label in ("عنوان البريد الإلكتروني", "كلمة المرور", "نسيت كلمة المرور؟"):
        assert label in text
    assert "Log in" not in text and "Se connecter" not in text
    assert re.search(r'<button[^>]*value="ar"[^>]*aria-pressed="true"', page.text)

    # And back to French, left to right.
    auth.post("/language", {"locale": "fr", "next": "/login"}, page="/login")
    assert '<html lang="fr" dir="ltr"' in client.get("/login").text


def test_an_arabic_choice_is_remembered_on_the_account(app, auth, client, organizer, arabic):
    email = organizer.email
    db.session.commit()
    assert auth.login(email).status_code == 303
    auth.post("/language", {"locale": "ar", "next": "/organizer/"}, page="/organizer/")
    other_device = AuthActions(app.test_client())
    assert other_device.login(email).status_code == 303
    page = other_device.client.get("/organizer/")
    assert '<html lang="ar" dir="rtl"' in page.text and heading(page.text) == "المعارض"
    assert "تسجيل الخروج" in visible_text(page.text)


def test_arabic_pages_show_no_english_and_no_french(app, world, french, arabic):
    pages = walk(app, world, "ar")
    needles = _needles(arabic, lambda english, _arabic: english)
    needles.update(_needles(french, lambda _english, fr: fr))
    leaks = _leaks(pages, needles)
    assert not leaks, "English or French text on Arabic pages:\n" + "\n".join(leaks)
    # Morocco writes numbers with Western digits (Babel's ar_MA), never Arabic-Indic ones.
    eastern = [label for label, text in pages if ARABIC_INDIC_DIGITS.search(text)]
    assert not eastern, "Arabic-Indic digits on: " + ", ".join(eastern)


def test_the_arabic_walk_sees_the_pages_content(app, world, arabic):
    """Guard for the walk above: the Arabic pages do show their data, in Arabic."""
    text = dict(walk(app, world, "ar"))
    home = text["organizer GET /organizer/"]
    assert "Job Fair Casablanca" in home and "منشور" in home
    assert "أُرسلت الدعوة إلى accueil2@example.ma." in text["organizer POST /organizer/invitations"]
    company = text["company_rep GET /company/"]
    assert "منصبان شاغران (2)" in company and "الرواق A1" in company
    assert "الصفحة غير موجودة" in text["anonymous GET /no-such-page"]
    assert "أدخل عنوان بريدك الإلكتروني." in text["anonymous POST /login"]


def test_arabic_dates_are_moroccan_with_western_digits(app, world, arabic):
    candidate = _client_for(app, "candidate", world["emails"], "ar")
    text = visible_text(candidate.client.get("/me/").text)
    # ar_MA: Morocco's month names (دجنبر, not ديسمبر) and 0-9.
    assert "الأحد، 20 دجنبر 2026" in text
    assert not ARABIC_INDIC_DIGITS.search(text)


def test_emails_follow_the_recipients_language_arabic_included(app, client, auth, make, arabic):
    """A password-reset email is written in its recipient's language, whoever asks for it."""
    from jobfair.models import OutboxMessage

    person = make.candidate(email="salma@example.ma")
    person.first_name, person.locale = "Salma", "ar"
    db.session.commit()
    # Asked from a French page: the email is still Arabic.
    auth.post("/password/forgot", {"email": "salma@example.ma"}, page="/password/forgot")
    message = db.session.scalars(db.select(OutboxMessage)).one()
    subject, body = message.subject, message.body_text
    db.session.rollback()
    assert subject == "اختر كلمة مرور جديدة"
    assert body.startswith("مرحبًا Salma،")
    leaks = _leaks([("password email", subject + "\n" + body)],
                   _needles(arabic, lambda english, _arabic: english))
    assert not leaks, "English text in an Arabic email:\n" + "\n".join(leaks)


def test_code_renders_for_someone_else_through_the_apps_force_locale():
    """Flask-Babel's own force_locale("ar") would format with bare Arabic (another month name);
    jobfair.i18n.force_locale maps the language to its Babel locale (ar → ar_MA) first."""
    direct = [
        str(path.relative_to(ROOT)) for path in sorted((ROOT / "jobfair").rglob("*.py"))
        if path.name != "i18n.py" and re.search(
            r"from flask_babel import[^\n]*\bforce_locale\b|flask_babel\.force_locale",
            path.read_text(encoding="utf-8"))
    ]
    assert not direct, "use `from jobfair.i18n import force_locale` in: " + ", ".join(direct)
