"""Account journeys in a real browser: log in, home page, language, log out.

Every page visited is screenshotted (screenshots/, git-ignored) and checked with
axe-core: any serious or critical WCAG 2.1 A/AA or best-practice violation fails.
The server is gunicorn on the demo data (see conftest.py); all demo accounts
share the password ``jobfair-demo``.

The chosen language is saved on the account, so each test that switches a
user to English either uses an account of its own or switches back explicitly.
"""
import re
from dataclasses import dataclass

import pytest
from playwright.sync_api import expect

from .conftest import DEMO_PASSWORD

pytestmark = pytest.mark.e2e

LOGIN_FR = "Se connecter"
LOGOUT_FR = "Se déconnecter"
LOGGED_OUT_EN = "You are logged out."
WRONG_PASSWORD_FR = "Adresse e-mail ou mot de passe incorrect."


@dataclass(frozen=True)
class Role:
    key: str
    email: str
    home: str
    heading_fr: object  # str or compiled pattern
    heading_en: object
    nav_fr: tuple
    nav_en: tuple


ORGANIZER = Role("organizer", "organizer@demo.jobfair", "/organizer/",
                 "Salons", "Fairs",
                 ("Salons", "Programme", "Entreprises", "Candidats", "Insertion", "Journal d'audit",
                  "Données personnelles", "Invitations"),
                 ("Fairs", "Programme", "Companies", "Candidates", "Insertion", "Audit log",
                  "Personal data", "Invitations"))
STAFF = Role("staff", "staff@demo.jobfair", "/staff/",
             "Mes salons", "My fairs", ("Mes salons",), ("My fairs",))
COMPANY = Role("company", "recruiter@atlas-digital-services.demo.jobfair", "/company/",
               "Atlas Digital Services", "Atlas Digital Services",
               ("Mon entreprise", "Profil", "Postes", "Collègues"),
               ("My company", "Profile", "Positions", "Colleagues"))
CANDIDATE = Role("candidate", "candidate1@demo.jobfair", "/me/",
                 re.compile(r"^Bonjour \w"), re.compile(r"^Hello \w"),
                 ("Mon espace", "Mon profil", "Mes données"), ("My space", "My profile", "My data"))
ROLES = [ORGANIZER, STAFF, COMPANY, CANDIDATE]

# Accounts used by no other test, so their saved language cannot leak between tests.
NO_JS_ROLES = [
    Role("candidate", "candidate2@demo.jobfair", "/me/", CANDIDATE.heading_fr,
         CANDIDATE.heading_en, CANDIDATE.nav_fr, CANDIDATE.nav_en),
    Role("company", "recruiter@maghreb-consulting-it.demo.jobfair", "/company/",
         "Maghreb Consulting IT", "Maghreb Consulting IT", COMPANY.nav_fr, COMPANY.nav_en),
]
KEYBOARD_ACCOUNT = "candidate3@demo.jobfair"


# --------------------------------------------------------------------------- helpers


def expect_language(page, code):
    expect(page.locator("html")).to_have_attribute("lang", code)
    name = {"fr": "Français", "en": "English"}[code]
    expect(page.get_by_role("button", name=name, exact=True)).to_have_attribute("aria-pressed", "true")


def expect_french_login_page(tab):
    page = tab.page
    expect(page).to_have_url(re.compile(re.escape(tab.url("/login")) + r"(\?.*)?$"))
    expect_language(page, "fr")
    expect(page.get_by_role("heading", level=1)).to_have_text(LOGIN_FR)
    expect(page.get_by_role("button", name=LOGIN_FR, exact=True)).to_be_visible()
    expect(page.get_by_label("Adresse e-mail", exact=True)).to_be_visible()
    expect(page.get_by_label("Mot de passe", exact=True)).to_be_visible()


def log_in(tab, email, password=DEMO_PASSWORD, submit="enter"):
    page = tab.page
    page.get_by_label("Adresse e-mail", exact=True).fill(email)
    password_field = page.get_by_label("Mot de passe", exact=True)
    password_field.fill(password)
    if submit == "enter":
        password_field.press("Enter")
    else:
        page.get_by_role("button", name=LOGIN_FR, exact=True).click()


def expect_home(tab, role, language):
    """The role's home page: its URL, its heading and only its own navigation."""
    page = tab.page
    expect(page).to_have_url(tab.url(role.home))
    expect_language(page, language)
    heading = role.heading_fr if language == "fr" else role.heading_en
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    menu = page.get_by_role("navigation", name="Menu principal" if language == "fr" else "Main menu")
    nav = role.nav_fr if language == "fr" else role.nav_en
    # to_have_text with a list: exactly these links, in this order, nothing else.
    expect(menu.get_by_role("link")).to_have_text(list(nav))
    expect(menu.get_by_role("link", name=nav[0])).to_have_attribute("aria-current", "page")
    expect(page.locator("header nav")).to_have_count(1)
    logout = LOGOUT_FR if language == "fr" else "Log out"
    expect(page.get_by_role("button", name=logout, exact=True)).to_be_visible()


def choose_language(tab, code):
    name = {"fr": "Français", "en": "English"}[code]
    tab.page.get_by_role("button", name=name, exact=True).click()
    expect_language(tab.page, code)


def expect_no_horizontal_scroll(tab):
    widths = tab.page.evaluate(
        "() => ({scroll: document.documentElement.scrollWidth, inner: window.innerWidth})"
    )
    assert widths["scroll"] <= widths["inner"], (
        f"{tab.page.url} scrolls sideways at {widths['inner']} px: the page is {widths['scroll']} px wide"
    )


# --------------------------------------------------------------------------- journeys


@pytest.mark.parametrize(
    "role, submit",
    [(ORGANIZER, "enter"), (STAFF, "click"), (COMPANY, "enter"), (CANDIDATE, "click")],
    ids=[role.key for role in ROLES],
)
def test_journey(open_page, role, submit):
    """Log in (French), home page, switch to English, log out (still English)."""
    tab = open_page()
    page = tab.page

    tab.goto("/login")
    expect_french_login_page(tab)
    expect(page.locator("header nav")).to_have_count(0)  # no menu before logging in
    tab.check("login-fr")

    log_in(tab, role.email, submit=submit)
    expect_home(tab, role, "fr")
    tab.check("home-fr")

    choose_language(tab, "en")
    expect_home(tab, role, "en")
    tab.check("home-en")

    page.get_by_role("button", name="Log out", exact=True).click()
    expect(page).to_have_url(tab.url("/login"))
    expect_language(page, "en")  # the language choice outlives the session
    expect(page.get_by_role("heading", level=1)).to_have_text("Log in")
    expect(page.get_by_role("status")).to_contain_text(LOGGED_OUT_EN)
    expect(page.get_by_text(LOGGED_OUT_EN, exact=True)).to_be_visible()
    expect(page.locator("header nav")).to_have_count(0)
    expect(page.get_by_role("button", name="Log out")).to_have_count(0)
    tab.check("logged-out-en")

    # The session is really over: the home page now asks to log in.
    page.goto(tab.url(role.home))
    expect(page).to_have_url(re.compile(re.escape(tab.url("/login?next=")) + ".+"))
    expect(page.get_by_text("Log in to see this page.", exact=True)).to_be_visible()
    tab.check("home-after-logout-en")


def test_wrong_password_shows_the_error_next_to_the_field(open_page):
    tab = open_page()
    page = tab.page
    tab.goto("/login")
    expect_french_login_page(tab)

    log_in(tab, ORGANIZER.email, password="not-the-password", submit="click")

    expect_french_login_page(tab)
    email = page.get_by_label("Adresse e-mail", exact=True)
    password = page.get_by_label("Mot de passe", exact=True)
    expect(email).to_have_value(ORGANIZER.email)  # the typed address is kept
    expect(password).to_have_value("")  # the password is never sent back
    error = page.locator("#password-error")
    expect(error).to_have_text(WRONG_PASSWORD_FR)
    expect(error).to_be_visible()
    expect(error).to_have_attribute("role", "alert")
    # Next to the password field: in the same field block, and announced with it.
    field = page.locator(".field", has=page.locator("#password"))
    expect(field.locator(".error")).to_have_text(WRONG_PASSWORD_FR)
    expect(password).to_have_attribute("aria-invalid", "true")
    expect(password).to_have_attribute("aria-describedby", re.compile(r"\bpassword-error\b"))
    expect(password).to_have_accessible_description(WRONG_PASSWORD_FR)
    expect(page.locator(".error")).to_have_count(1)  # nothing said about the email field
    tab.check("wrong-password-fr")


# --------------------------------------------------------------------------- phone & keyboard


def test_login_page_on_a_phone_works_with_the_keyboard_only(open_page):
    tab = open_page(device="phone")
    page = tab.page
    tab.goto("/login")
    expect_french_login_page(tab)
    expect_no_horizontal_scroll(tab)
    tab.check("login-fr")

    # The first Tab reaches the skip link, further Tabs the email field.
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Aller au contenu")).to_be_focused()
    email = page.get_by_label("Adresse e-mail", exact=True)
    for _ in range(10):
        if email.evaluate("element => element === document.activeElement"):
            break
        page.keyboard.press("Tab")
    expect(email).to_be_focused()
    page.keyboard.type(KEYBOARD_ACCOUNT)
    page.keyboard.press("Tab")
    expect(page.get_by_label("Mot de passe", exact=True)).to_be_focused()
    page.keyboard.type(DEMO_PASSWORD)
    page.keyboard.press("Enter")

    expect(page).to_have_url(tab.url(CANDIDATE.home))
    expect(page.get_by_role("heading", level=1)).to_have_text(CANDIDATE.heading_fr)
    expect_no_horizontal_scroll(tab)
    tab.check("home-fr")


@pytest.mark.parametrize("role", ROLES, ids=[role.key for role in ROLES])
def test_home_pages_fit_a_phone(open_page, role):
    tab = open_page(device="phone")
    page = tab.page
    tab.goto("/login")
    expect_no_horizontal_scroll(tab)
    tab.check("login-fr")
    log_in(tab, role.email, submit="click")
    expect(page).to_have_url(tab.url(role.home))
    if page.locator("html").get_attribute("lang") != "fr":
        # The journey test may already have saved English on this account.
        choose_language(tab, "fr")
    expect_home(tab, role, "fr")
    expect_no_horizontal_scroll(tab)
    tab.check("home-fr")


# --------------------------------------------------------------------------- without JavaScript


@pytest.mark.parametrize("role", NO_JS_ROLES, ids=[role.key for role in NO_JS_ROLES])
def test_journey_without_javascript(open_page, role):
    """Every page works as plain HTML forms: log in, switch language, log out."""
    tab = open_page(javascript=False)
    page = tab.page
    tab.goto("/login")
    expect_french_login_page(tab)
    tab.check("login-fr")

    log_in(tab, role.email, submit="click")
    expect_home(tab, role, "fr")
    tab.check("home-fr")

    choose_language(tab, "en")
    expect_home(tab, role, "en")
    tab.check("home-en")

    page.get_by_role("button", name="Log out", exact=True).click()
    expect(page).to_have_url(tab.url("/login"))
    expect_language(page, "en")
    expect(page.get_by_text(LOGGED_OUT_EN, exact=True)).to_be_visible()
    tab.check("logged-out-en")
