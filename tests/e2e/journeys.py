"""Steps every browser journey shares: log in through the French form, the menu, the page's
heading and flash messages, and "the page was updated in place, not reloaded"."""
from playwright.sync_api import expect

from .conftest import DEMO_PASSWORD


def log_in(tab, email, password=DEMO_PASSWORD):
    page = tab.page
    tab.goto("/login")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    page.get_by_label("Adresse e-mail", exact=True).fill(email)
    page.get_by_label("Mot de passe", exact=True).fill(password)
    page.get_by_role("button", name="Se connecter", exact=True).click()
    expect(page.get_by_role("button", name="Se déconnecter", exact=True)).to_be_visible()


def menu(tab, name):
    """Follow a link of the main menu and wait until the page being left has gone: several
    pages share headings and links (the organizer's home is also "Salons" with "Nouveau
    salon"), and a click during the menu's boosted request would be overwritten by its answer."""
    page = tab.page
    page.evaluate("document.querySelectorAll('h1').forEach(h1 => { h1.dataset.e2eLeaving = '1'; })")
    page.get_by_role("navigation", name="Menu principal").get_by_role(
        "link", name=name, exact=True).click()
    expect(page.locator("h1[data-e2e-leaving]")).to_have_count(0)


def heading(tab):
    return tab.page.get_by_role("heading", level=1)


def flash(tab):
    return tab.page.locator(".flashes")


def mark_document(page):
    """Tag the page's <h1>: it survives an htmx swap of one part, not a page load or a
    boosted navigation (which replace the whole body)."""
    page.locator("h1").evaluate("h1 => { h1.dataset.e2e = 'same-document'; }")


def expect_same_document(page):
    expect(page.locator("h1[data-e2e='same-document']")).to_have_count(1)
    expect_one_page(page)


def expect_one_page(page):
    """One page, not a page swapped into a part of another (a mis-targeted htmx swap)."""
    expect(page.locator("main")).to_have_count(1)
    expect(page.locator("h1")).to_have_count(1)
    expect(page.locator("header.site-header")).to_have_count(1)


def give_consent(tab, fair):
    """The candidate lets the fair's companies see their CV and contact details (My data)."""
    page = tab.page
    menu(tab, "Mes données")
    expect(heading(tab)).to_have_text("Mes données")
    page.get_by_role("link", name=f"Décider de ce que voient les entreprises de {fair}",
                     exact=True).click()
    expect(heading(tab)).to_have_text(f"Ce que voient les entreprises de {fair}")
    page.get_by_role("button", name="J’accepte de partager mon CV et mes coordonnées avec ces "
                     "entreprises", exact=True).click()
    expect(flash(tab)).to_contain_text("Votre consentement est enregistré")
