"""Issue 8 (the audit log) in a real browser, on the demo server.

The demo organizer creates a fair of their own (so the demo fairs other journeys use stay as
they are), edits it, adds a demo company to it, places that company on a booth and moves it,
downloads the fair's insertion export; then opens the audit log from the menu and finds those
lines, filtered by fair and by kind of action (and from the fair's own page), on a desktop
and on a phone without JavaScript. Every page of the log is checked with axe-core.

The log's own wording is new in issue 8 and may not be translated yet: the steps find its
rows by their action code and check the names they show (fair, company, booths), which read
the same in French and English.
"""
import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from jobfair.timeutil import local_today

from .journeys import flash, heading, log_in
from .test_fair_setup import FAIR, booth_cell, fill_fair_form

pytestmark = pytest.mark.e2e

ORGANIZER = "organizer@demo.jobfair"
COMPANY = "Atlas Digital Services"
COMPANY_REP = "recruiter@atlas-digital-services.demo.jobfair"
AUDITED_FAIR = dict(FAIR, name="Forum Audit Oujda", city="Oujda", region="oriental",
                    day=local_today() + timedelta(days=45), hall_rows="2", hall_cols="2")
AUDIT = "/organizer/audit"


def audit_rows(page):
    return page.locator("#audit-log tbody tr")


def test_an_organizer_finds_their_changes_in_the_audit_log(open_page):
    tab = open_page()
    page = tab.page
    log_in(tab, ORGANIZER)

    # --- Changes worth a line: a new fair, an edit, a company added, a booth placed and moved.
    tab.goto("/organizer/fairs/new")
    fill_fair_form(page, AUDITED_FAIR)
    page.get_by_role("button", name="Créer le salon", exact=True).click()
    expect(heading(tab)).to_contain_text(AUDITED_FAIR["name"])
    href = page.get_by_role("link", name="Modifier le salon", exact=True).get_attribute("href")
    fair_id = int(re.search(r"/organizer/fairs/(\d+)/edit", href).group(1))
    tab.goto(f"/organizer/fairs/{fair_id}/edit")
    page.get_by_label("Ville", exact=True).fill("Berkane")
    page.get_by_role("button", name="Enregistrer le salon", exact=True).click()
    expect(flash(tab)).to_contain_text(f"Salon « {AUDITED_FAIR['name']} » enregistré.")

    tab.goto("/organizer/companies/invite")
    page.get_by_label("Salon", exact=True).select_option(
        label=f"{AUDITED_FAIR['name']} (Berkane)")
    page.get_by_label("Nom de l'entreprise", exact=True).fill(COMPANY)
    page.get_by_label("Adresse e-mail du contact", exact=True).fill(COMPANY_REP)
    page.get_by_role("button", name="Envoyer l'invitation", exact=True).click()
    page.locator("#existing-representative button").click()
    expect(flash(tab)).to_contain_text(COMPANY)

    tab.goto(f"/organizer/fairs/{fair_id}/booths")
    page.get_by_role("button", name="Remplir la grille", exact=True).click()
    expect(page.locator(".floor-plan td.booth")).to_have_count(4)
    page.get_by_role("link", name=f"Choisir un stand pour {COMPANY}", exact=True).click()
    booth_cell(page, "A1").get_by_role(
        "button", name=f"Placer {COMPANY} sur le stand A1", exact=True).click()
    expect(booth_cell(page, "A1")).to_contain_text(COMPANY)
    page.get_by_role("link", name=f"Déplacer {COMPANY} vers un autre stand", exact=True).click()
    booth_cell(page, "B2").get_by_role(
        "button", name=f"Placer {COMPANY} sur le stand B2", exact=True).click()
    expect(booth_cell(page, "B2")).to_contain_text(COMPANY)

    # --- An export of this fair's figures.
    tab.goto(f"/organizer/insertion?fairs={fair_id}")
    with page.expect_download() as download:
        page.locator("#export-companies-csv-fr").click()
    assert download.value.suggested_filename.startswith("insertion-companies-")

    # --- The log, from the menu: newest first, who, which fair.
    page.get_by_role("navigation", name="Menu principal").locator(f'a[href="{AUDIT}"]').click()
    expect(page).to_have_url(tab.url(AUDIT))
    expect(heading(tab)).to_be_visible()
    expect(page.locator("table#audit-log th[scope='col']")).to_have_count(5)
    tab.check("log")
    mine = audit_rows(page).filter(has_text=AUDITED_FAIR["name"])
    expect(mine.first).to_have_attribute("data-action", "export.downloaded")
    expect(mine.first).to_contain_text("Nadia Bennis")

    # --- Filtered by the fair: exactly this journey's lines, newest first.
    page.locator("#fair").select_option(str(fair_id))
    page.locator("#audit-filters button[type=submit]").click()
    expect(page).to_have_url(re.compile(rf"[?&]fair={fair_id}(&|$)"))
    expected = ["export.downloaded", "booth.moved", "booth.assigned", "participation.added",
                "fair.updated", "fair.created"]
    expect(audit_rows(page)).to_have_count(len(expected))
    assert [row.get_attribute("data-action") for row in audit_rows(page).all()] == expected
    expect(audit_rows(page).nth(4)).to_contain_text("Oujda → Berkane")
    expect(audit_rows(page).nth(1)).to_contain_text("A1")
    expect(audit_rows(page).nth(1)).to_contain_text("B2")
    expect(audit_rows(page).nth(3)).to_contain_text(COMPANY)
    tab.check("log-by-fair")

    # --- And by kind of action: the booth lines only (the fair filter is kept).
    page.locator("#kind").select_option("booth")
    page.locator("#audit-filters button[type=submit]").click()
    expect(audit_rows(page)).to_have_count(2)
    expect(audit_rows(page).nth(0)).to_have_attribute("data-action", "booth.moved")
    expect(page.locator("#fair")).to_have_value(str(fair_id))
    tab.check("log-booths")

    # --- The fair's own page links to its log.
    tab.goto(f"/organizer/fairs/{fair_id}")
    page.locator("#audit-link").click()
    expect(page).to_have_url(tab.url(f"{AUDIT}?fair={fair_id}"))
    expect(audit_rows(page)).to_have_count(len(expected))

    # --- The same filtered log on a phone, without JavaScript: a plain GET form.
    phone = open_page(device="phone", javascript=False, suffix="phone")
    log_in(phone, ORGANIZER)
    phone.goto(f"{AUDIT}?fair={fair_id}&kind=export")
    expect(audit_rows(phone.page)).to_have_count(1)
    expect(audit_rows(phone.page).first).to_have_attribute("data-action", "export.downloaded")
    phone.page.locator("#kind").select_option("fair")
    phone.page.locator("#audit-filters button[type=submit]").click()
    expect(audit_rows(phone.page)).to_have_count(2)
    phone.check("log-phone")
