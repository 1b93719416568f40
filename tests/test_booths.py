"""The floor plan: hall size, booths, placing companies, races, print, authorization.

Longer than ~400 lines on purpose: one file per blueprint, as the other domains, and the
concurrency tests share their helpers with the page tests. Sections: the plan as others
read it · building the hall · placing companies · two organizers at once · the page ·
authorization.
"""
import re
import threading
import time
from html.parser import HTMLParser

import pytest
from flask import current_app, render_template_string, session
from sqlalchemy import event, func, select

from jobfair.booths import services
from jobfair.errors import DomainError
from jobfair.extensions import db
from jobfair.models import Booth, Fair

from .conftest import csrf_token_from

# --- Helpers -----------------------------------------------------------------------------


def plan_url(fair, **query):
    url = f"/organizer/fairs/{fair.id}/booths"
    if query:
        url += "?" + "&".join(f"{k}={v}" for k, v in query.items())
    return url


def booth_url(fair, booth, action):
    return f"/organizer/fairs/{fair.id}/booths/{booth.id}/{action}"


def hall(make, rows=3, cols=5, status="published", fill=True, **fields):
    """A fair with a rows × cols hall, filled with booths A1… (one zone per row)."""
    fair = make.fair(status=status, hall_rows=rows, hall_cols=cols, **fields)
    if fill:
        # Fill before any closing: a closed fair's plan cannot change.
        fair.status = "draft"
        services.fill_grid(fair)
        fair.status = status
    db.session.flush()
    return fair


def booth(fair, number):
    return db.session.scalar(select(Booth).where(Booth.fair_id == fair.id, Booth.number == number))


def fresh_booth(fair, number):
    db.session.expire_all()
    return booth(fair, number)


class CellText(HTMLParser):
    """The text of each floor-plan cell, as a screen reader reads it (hidden text included)."""

    def __init__(self):
        super().__init__()
        self.cells, self._depth, self._text = {}, 0, None
        self._id = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "td" and (attrs.get("id") or "").startswith("booth-"):
            self._id, self._text, self._depth = attrs["id"], [], 1
        elif self._text is not None and tag == "td":
            self._depth += 1

    def handle_endtag(self, tag):
        if self._text is not None and tag == "td":
            self._depth -= 1
            if self._depth == 0:
                self.cells[self._id] = " ".join("".join(self._text).split())
                self._text = None

    def handle_data(self, data):
        if self._text is not None:
            self._text.append(data)


def cell_texts(html):
    parser = CellText()
    parser.feed(html)
    return parser.cells


def label_of(html, booth_):
    """The booth's label only (without the organizer's buttons)."""
    match = re.search(
        rf'id="booth-{booth_.id}"[^>]*>\s*(<span class="booth-label">.*?</span></span>)', html, re.S
    )
    assert match, f"booth {booth_.number} not in the page"
    return " ".join(re.sub(r"<[^>]+>", "", match.group(1)).split())


def english_text(message):
    """A (lazy) message as an English-speaking user reads it."""
    with current_app.test_request_context():
        session["locale"] = "en"
        return str(message)


@pytest.fixture
def english(auth):
    auth.use_language("en")


@pytest.fixture
def logged_in(english, auth, organizer):
    auth.login_as(organizer)
    return organizer


# --- The plan as others read it ------------------------------------------------------------


def test_floor_plan_gives_the_grid_the_booths_and_the_companies_without_a_booth(make):
    fair = hall(make, rows=2, cols=3)
    kasbah = make.participation(fair, make.company("Kasbah Labs"))
    atlas = make.participation(fair, make.company("Atlas Digital"))
    make.participation(fair, make.company("Pending SARL"), status="requested")
    make.participation(make.fair(), make.company("Other Fair Co"))
    services.assign(booth(fair, "B2"), kasbah)

    plan = services.floor_plan(fair)

    assert [[(c.row, c.col) for c in row] for row in plan.rows] == [
        [(0, 0), (0, 1), (0, 2)], [(1, 0), (1, 1), (1, 2)]]
    assert plan.rows[1][1].booth.number == "B2"
    assert plan.rows[1][1].booth.participation.company.name == "Kasbah Labs"
    assert plan.rows[0][0].booth.participation is None
    assert [p.company.name for p in plan.unassigned] == ["Atlas Digital"]
    assert plan.unassigned[0] is atlas
    assert (plan.booth_count, plan.assigned_count) == (6, 1)


def test_floor_plan_takes_the_same_number_of_queries_whatever_the_size(make):
    def queries_for(fair):
        db.session.expire_all()
        assert fair.hall_rows  # the fair itself is loaded already where the plan is shown
        statements = []

        def count(_conn, _cursor, statement, *_args):
            statements.append(statement)

        event.listen(db.engine, "before_cursor_execute", count)
        try:
            plan = services.floor_plan(fair)
            # What the template reads: every booth's company, every unassigned company.
            names = [c.booth.participation.company.name for row in plan.rows for c in row
                     if c.booth and c.booth.participation]
            names += [p.company.name for p in plan.unassigned]
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
        return len(statements), len(names)

    small = hall(make, rows=1, cols=2)
    services.assign(booth(small, "A1"), make.participation(small))
    large = hall(make, rows=6, cols=8)
    for number in ("A1", "A2", "B3", "C4", "D5", "F8"):
        services.assign(booth(large, number), make.participation(large))
    for _ in range(5):
        make.participation(large)
    db.session.commit()

    small_queries, small_names = queries_for(small)
    large_queries, large_names = queries_for(large)
    assert (small_names, large_names) == (1, 11)
    assert small_queries == large_queries == 2


def test_a_booth_outside_the_declared_hall_is_still_shown(make):
    fair = make.fair(hall_rows=0, hall_cols=0)
    make.booth(fair, "Z9", row=1, col=2)
    plan = services.floor_plan(fair)
    assert (plan.row_count, plan.col_count) == (2, 3)
    assert plan.rows[1][2].booth.number == "Z9"


# --- Building the hall ---------------------------------------------------------------------


def test_fill_numbers_booths_per_zone_with_bands_of_rows(make):
    fair = make.fair(status="draft", hall_rows=3, hall_cols=5)
    assert services.fill_grid(fair, rows_per_zone=2, numbering="zone") == 15
    grid = {(b.grid_row, b.grid_col): (b.number, b.zone) for b in db.session.scalars(select(Booth))}
    assert grid[(0, 0)] == ("A1", "A")
    assert grid[(1, 4)] == ("A10", "A")
    assert grid[(2, 0)] == ("B1", "B")
    assert grid[(2, 4)] == ("B5", "B")


def test_fill_across_the_hall_keeps_existing_booths_and_skips_their_numbers(make):
    fair = make.fair(status="draft", hall_rows=2, hall_cols=3)
    kept = make.booth(fair, "2", row=1, col=2, zone="VIP")  # number 2 taken, on the last cell
    company = make.participation(fair)
    services.assign(kept, company)
    assert services.fill_grid(fair, rows_per_zone=1, numbering="hall") == 5
    numbers = {(b.grid_row, b.grid_col): b.number for b in db.session.scalars(select(Booth))}
    assert numbers[(1, 2)] == "2"
    assert numbers[(0, 0)] == "1"
    assert numbers[(0, 1)] != "2"  # its wanted number was taken: it got a free one
    assert len(set(numbers.values())) == 6
    assert fresh_booth(fair, "2").participation_id == company.id
    # Filling again creates nothing.
    assert services.fill_grid(fair) == 0


def test_fill_needs_a_hall_size(make):
    fair = make.fair(status="draft")
    with pytest.raises(DomainError):
        services.fill_grid(fair)


def test_shrinking_the_hall_removes_empty_booths_but_refuses_to_drop_a_company(make):
    fair = hall(make, rows=3, cols=5)
    services.assign(booth(fair, "C2"), make.participation(fair, make.company("Kasbah Labs")))
    db.session.commit()
    with pytest.raises(DomainError) as refused:
        services.set_hall_size(fair, rows=2, cols=5)
    assert refused.value.field == "rows"
    assert "C2" in english_text(refused.value.message)
    db.session.rollback()
    fair = db.session.get(Fair, fair.id)
    assert (fair.hall_rows, db.session.scalar(select(func.count(Booth.id)))) == (3, 15)

    assert services.set_hall_size(fair, rows=3, cols=2) == 9  # C2 stays: column 2 is kept
    assert (fair.hall_rows, fair.hall_cols) == (3, 2)
    assert sorted(b.number for b in db.session.scalars(select(Booth))) == [
        "A1", "A2", "B1", "B2", "C1", "C2"]
    assert services.set_hall_size(fair, rows=4, cols=6) == 0


@pytest.mark.parametrize("rows, cols, field", [(0, 5, "rows"), (27, 5, "rows"), (3, 41, "cols")])
def test_the_hall_size_has_limits(make, rows, cols, field):
    fair = make.fair()
    with pytest.raises(DomainError) as refused:
        services.set_hall_size(fair, rows, cols)
    assert refused.value.field == field


def test_single_booths_are_added_renumbered_and_removed_with_unique_numbers(make):
    fair = hall(make, rows=2, cols=3)
    services.set_hall_size(fair, 3, 3)
    with pytest.raises(DomainError) as duplicate:
        services.add_booth(fair, 2, 0, " a1 ", "A")  # the same number, whatever the case
    assert duplicate.value.field == "number"
    with pytest.raises(DomainError):
        services.add_booth(fair, 0, 0, "Z1")  # the cell has a booth
    with pytest.raises(DomainError):
        services.add_booth(fair, 3, 0, "Z1")  # outside the hall
    added = services.add_booth(fair, 2, 0, " C1 ", "  ")
    assert (added.number, added.zone, added.grid_row) == ("C1", None, 2)

    with pytest.raises(DomainError):
        services.renumber_booth(booth(fair, "A2"), "c1")
    services.renumber_booth(booth(fair, "A2"), "A2-bis", "Entrance")
    assert booth(fair, "A2-bis").zone == "Entrance"

    services.assign(booth(fair, "A3"), make.participation(fair))
    with pytest.raises(DomainError):
        services.remove_booth(booth(fair, "A3"))
    services.remove_booth(booth(fair, "B1"))
    assert booth(fair, "B1") is None


def test_suggestion_for_a_new_booth_follows_the_rows_zone(make):
    fair = hall(make, rows=2, cols=3)
    services.set_hall_size(fair, 3, 3)
    assert services.suggest_booth(fair, 1) == ("B", "B4")
    assert services.suggest_booth(fair, 2) == ("C", "C1")


# --- Placing companies ---------------------------------------------------------------------


def test_assigning_moves_a_company_and_only_approved_companies_of_the_fair(make):
    fair = hall(make)
    kasbah = make.participation(fair, make.company("Kasbah Labs"))
    services.assign(booth(fair, "A1"), kasbah)
    services.assign(booth(fair, "B3"), kasbah)  # a move frees the old booth
    assert fresh_booth(fair, "A1").participation_id is None
    assert fresh_booth(fair, "B3").participation_id == kasbah.id
    # Assigning where it already is changes nothing.
    services.assign(booth(fair, "B3"), kasbah)
    assert fresh_booth(fair, "B3").participation_id == kasbah.id

    with pytest.raises(DomainError):
        services.assign(booth(fair, "A2"), make.participation(fair, status="requested"))
    with pytest.raises(DomainError):
        services.assign(booth(fair, "A2"), make.participation(make.fair()))
    with pytest.raises(DomainError) as taken:
        services.assign(booth(fair, "B3"), make.participation(fair))
    assert "Kasbah Labs" in english_text(taken.value.message)


def test_unassign_refuses_a_stale_form(make):
    fair = hall(make)
    first, second = make.participation(fair), make.participation(fair)
    services.assign(booth(fair, "A1"), first)
    services.assign(booth(fair, "A2"), first)  # someone moved it meanwhile…
    services.assign(booth(fair, "A1"), second)  # …and put another company on A1
    with pytest.raises(DomainError):
        services.unassign(booth(fair, "A1"), first.id)  # the stale "Unassign first" button
    assert fresh_booth(fair, "A1").participation_id == second.id
    services.unassign(booth(fair, "A1"), second.id)
    assert fresh_booth(fair, "A1").participation_id is None


def test_release_booth_frees_the_booth_of_a_withdrawn_company(make):
    fair = hall(make)
    participation = make.participation(fair)
    services.assign(booth(fair, "A1"), participation)
    services.release_booth(participation)
    assert fresh_booth(fair, "A1").participation_id is None


def test_a_closed_fairs_plan_cannot_change(make):
    fair = hall(make, status="closed")
    participation = make.participation(fair)
    for change in (
        lambda: services.assign(booth(fair, "A1"), participation),
        lambda: services.set_hall_size(fair, 2, 2),
        lambda: services.fill_grid(fair),
        lambda: services.add_booth(fair, 0, 0, "X"),
        lambda: services.renumber_booth(booth(fair, "A1"), "X"),
        lambda: services.remove_booth(booth(fair, "A1")),
    ):
        with pytest.raises(DomainError):
            change()


# --- Two organizers at once -------------------------------------------------------------------


def test_the_second_organizer_with_a_stale_page_gets_a_clear_message(make, auth, client, logged_in):
    fair = hall(make)
    kasbah = make.participation(fair, make.company("Kasbah Labs"))
    argan = make.participation(fair, make.company("Argan Tech"))
    services.assign(booth(fair, "B1"), argan)
    target = booth(fair, "A3")
    # The second organizer's page: Argan Tech chosen, A3 still free.
    stale = client.get(plan_url(fair, participation=argan.id))
    assert f'action="{booth_url(fair, target, "assign")}"' in stale.text
    # Meanwhile the first organizer places Kasbah Labs on A3, and it is committed.
    services.assign(target, kasbah)
    db.session.commit()

    response = client.post(booth_url(fair, target, "assign"),
                           data={"participation_id": argan.id,
                                 "csrf_token": csrf_token_from(stale)})

    assert response.status_code == 200
    assert "Booth A3 was just given to Kasbah Labs" in response.text
    assert fresh_booth(fair, "A3").participation_id == kasbah.id
    # Argan Tech did not lose its booth: leaving B1 was undone with the failed move.
    assert fresh_booth(fair, "B1").participation_id == argan.id
    # The company stays chosen, so another booth is one click away.
    assert f'name="participation_id" value="{argan.id}"' in response.text


def _start(*threads):
    """Start the threads once the test's own session holds no transaction (on SQLite, an
    open write transaction here would hold the lock the threads need)."""
    db.session.commit()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)


def _assign_in_own_context(app, fair_id, number, participation_id, results, before=None,
                           after_update=None):
    """Assign in an app context (and database session and connection) of its own."""
    from jobfair.models import Participation

    def run():
        # A request context of its own: messages are translated for a request.
        with app.test_request_context():
            session["locale"] = "en"
            try:
                if before:
                    before()
                target = db.session.scalar(
                    select(Booth).where(Booth.fair_id == fair_id, Booth.number == number))
                services.assign(target, db.session.get(Participation, participation_id))
                if after_update:
                    after_update()
                db.session.commit()
                results[participation_id] = "won"
            except DomainError as error:
                db.session.rollback()
                results[participation_id] = str(error.message)
            except Exception as error:  # reported by the test
                db.session.rollback()
                results[participation_id] = f"crashed: {error!r}"
            finally:
                db.session.remove()

    return threading.Thread(target=run)


def test_two_organizers_placing_two_companies_on_one_booth_at_once_one_wins(app, make):
    """The first holds its UPDATE uncommitted while the second tries: on PostgreSQL the
    second waits on the row lock and then finds the booth taken; on SQLite it waits for
    the write lock. Either way the database decides: one winner."""
    fair = hall(make)
    kasbah = make.participation(fair, make.company("Kasbah Labs"))
    argan = make.participation(fair, make.company("Argan Tech"))
    db.session.commit()
    first_updated = threading.Event()
    results = {}

    def hold():
        first_updated.set()
        time.sleep(0.4)  # the second organizer clicks now

    first = _assign_in_own_context(app, fair.id, "A3", kasbah.id, results, after_update=hold)
    second = _assign_in_own_context(app, fair.id, "A3", argan.id, results,
                                    before=lambda: first_updated.wait(5))
    _start(first, second)

    assert results[kasbah.id] == "won"
    assert results[argan.id] == "Booth A3 was just given to Kasbah Labs. Choose another booth."
    assert fresh_booth(fair, "A3").participation_id == kasbah.id


def test_two_organizers_racing_freely_for_one_booth_exactly_one_wins(app, make):
    fair = hall(make)
    racers = [make.participation(fair) for _ in range(2)]
    db.session.commit()
    start = threading.Barrier(2)
    results = {}
    threads = [
        _assign_in_own_context(app, fair.id, "B2", p.id, results, before=lambda: start.wait(5))
        for p in racers
    ]
    _start(*threads)

    assert sorted(v == "won" for v in results.values()) == [False, True]
    winner = next(pid for pid, v in results.items() if v == "won")
    loser = next(v for v in results.values() if v != "won")
    assert "was just given to" in loser
    assert fresh_booth(fair, "B2").participation_id == winner


def test_one_company_placed_on_two_booths_at_once_ends_on_one_booth(app, make):
    fair = hall(make)
    company = make.participation(fair)
    db.session.commit()
    first_updated = threading.Event()
    results = {}

    def hold():
        first_updated.set()
        time.sleep(0.4)

    first = _assign_in_own_context(app, fair.id, "A1", company.id, {}, after_update=hold)
    second = _assign_in_own_context(app, fair.id, "C5", company.id, results,
                                    before=lambda: first_updated.wait(5))
    _start(first, second)

    # SQLite queues the two transactions: the second simply moves the company. PostgreSQL
    # runs them together: the unique booth-per-company index refuses the second.
    assert results[company.id] in (
        "won", f"{company.company.name} was just placed on another booth by someone else. "
               "The plan shows where it is now."), results
    db.session.expire_all()
    assert db.session.scalar(
        select(func.count(Booth.id)).where(Booth.participation_id == company.id)) == 1


# --- The page ---------------------------------------------------------------------------------


def test_placing_a_company_without_javascript(make, client, logged_in):
    fair = hall(make)
    kasbah = make.participation(fair, make.company("Kasbah Labs"))

    page = client.get(plan_url(fair))
    assert page.status_code == 200
    pick = f'href="{plan_url(fair, participation=kasbah.id)}"'
    assert pick in page.text  # "Choose a booth" is a plain link
    assert "Place here" not in page.text

    choosing = client.get(plan_url(fair, participation=kasbah.id))
    assert choosing.status_code == 200
    assert choosing.text.count("Place here") == 15  # every free booth is a button
    target = booth(fair, "B4")
    response = client.post(booth_url(fair, target, "assign"),
                           data={"participation_id": kasbah.id,
                                 "csrf_token": csrf_token_from(choosing)})
    assert response.status_code == 303
    assert response.headers["Location"] == plan_url(fair)

    after = client.get(plan_url(fair))
    assert "Kasbah Labs is now on booth B4." in after.text
    assert label_of(after.text, target) == "Booth B4, zone B, Kasbah Labs"
    assert "Every approved company has a booth." in after.text

    # Move it, then unassign it.
    moving = client.get(plan_url(fair, participation=kasbah.id))
    assert "Moving Kasbah Labs (now on booth B4)" in moving.text
    response = client.post(booth_url(fair, booth(fair, "C1"), "assign"),
                           data={"participation_id": kasbah.id,
                                 "csrf_token": csrf_token_from(moving)})
    assert response.status_code == 303
    assert fresh_booth(fair, "B4").participation_id is None
    assert fresh_booth(fair, "C1").participation_id == kasbah.id
    response = client.post(booth_url(fair, booth(fair, "C1"), "unassign"),
                           data={"participation_id": kasbah.id,
                                 "csrf_token": csrf_token_from(moving)})
    assert response.status_code == 303
    assert fresh_booth(fair, "C1").participation_id is None


def test_placing_a_company_with_htmx_updates_the_plan_in_place(make, client, logged_in):
    fair = hall(make)
    kasbah = make.participation(fair, make.company("Kasbah Labs"))
    htmx = {"HX-Request": "true"}

    choosing = client.get(plan_url(fair, participation=kasbah.id), headers=htmx)
    assert choosing.status_code == 200
    assert choosing.text.lstrip().startswith('<div id="booth-editor"')
    assert "<html" not in choosing.text
    token = csrf_token_from(client.get(plan_url(fair)))

    target = booth(fair, "A3")
    response = client.post(booth_url(fair, target, "assign"), headers=htmx,
                           data={"participation_id": kasbah.id, "csrf_token": token})
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<div id="booth-editor"')
    assert "Kasbah Labs is now on booth A3." in response.text
    assert label_of(response.text, target) == "Booth A3, zone A, Kasbah Labs"
    assert response.headers["HX-Replace-Url"] == plan_url(fair)
    assert fresh_booth(fair, "A3").participation_id == kasbah.id

    # A refusal comes back in place too, as an alert.
    other = make.participation(fair, make.company("Argan Tech"))
    refused = client.post(booth_url(fair, target, "assign"), headers=htmx,
                          data={"participation_id": other.id, "csrf_token": token})
    assert refused.status_code == 200
    assert 'role="alert"' in refused.text
    assert "Booth A3 was just given to Kasbah Labs" in refused.text


def test_a_history_restore_gets_the_whole_page(make, client, logged_in):
    fair = hall(make)
    response = client.get(plan_url(fair), headers={"HX-Request": "true",
                                                   "HX-History-Restore-Request": "true"})
    assert "<html" in response.text


def test_each_booth_reads_well_for_a_screen_reader(make, client, logged_in):
    fair = hall(make, rows=1, cols=3)
    services.assign(booth(fair, "A3"), make.participation(fair, make.company("Kasbah Labs")))
    services.remove_booth(booth(fair, "A2"))
    page = client.get(plan_url(fair, view="print"))
    cells = cell_texts(page.text)
    assert cells[f"booth-{booth(fair, 'A3').id}"] == "Booth A3, zone A, Kasbah Labs"
    assert cells[f"booth-{booth(fair, 'A1').id}"] == "Booth A1, zone A, free"
    assert "no booth" in page.text  # the empty cell says so
    # A table with a caption and row and column headers gives the reading order.
    assert "<caption>" in page.text
    assert page.text.count('<th scope="col">') == 3
    assert page.text.count('<th scope="row">') == 1


def test_the_read_only_macro_can_be_embedded_without_context(app, make, english):
    fair = hall(make, rows=1, cols=2)
    services.assign(booth(fair, "A1"), make.participation(fair, make.company("Kasbah Labs")))
    withdrawn = make.participation(fair, make.company("Gone SARL"))
    services.assign(booth(fair, "A2"), withdrawn)
    withdrawn.status = "withdrawn"
    plan = services.floor_plan(fair)
    with app.test_request_context("/"):
        html = render_template_string(
            '{% from "booths/_plan.html" import floor_plan %}{{ floor_plan(plan) }}', plan=plan)
    assert label_of(html, booth(fair, "A1")).endswith("Kasbah Labs")
    assert "Gone SARL" not in html  # the public plan shows approved companies only
    assert "<form" not in html and "Edit" not in html


def test_the_hall_is_sized_and_filled_from_the_page(make, client, auth, logged_in):
    fair = make.fair(status="draft")
    empty = client.get(plan_url(fair))
    assert "The hall has no size yet." in empty.text
    response = auth.post(f"/organizer/fairs/{fair.id}/booths/hall", {"rows": "3", "cols": "5"},
                         page=plan_url(fair))
    assert response.status_code == 303
    response = auth.post(f"/organizer/fairs/{fair.id}/booths/fill",
                         {"rows_per_zone": "2", "numbering": "zone"}, page=plan_url(fair))
    assert response.status_code == 303
    page = client.get(plan_url(fair))
    assert "Booths created: 15." in page.text
    assert label_of(page.text, booth(fair, "B5")) == "Booth B5, zone B, free"


def test_shrinking_the_hall_over_a_company_shows_the_error_next_to_the_field(make, auth,
                                                                              logged_in):
    fair = hall(make)
    services.assign(booth(fair, "C5"), make.participation(fair, make.company("Kasbah Labs")))
    response = auth.post(f"/organizer/fairs/{fair.id}/booths/hall", {"rows": "2", "cols": "4"},
                         page=plan_url(fair))
    assert response.status_code == 200
    assert re.search(r'<p class="error" id="rows-error" role="alert">[^<]*C5', response.text)
    assert re.search(r'<input[^>]*aria-invalid="true"[^>]*id="rows"[^>]*value="2"', response.text)
    assert re.search(r'<input[^>]*id="cols"[^>]*value="4"', response.text)  # kept as typed
    db.session.expire_all()
    assert db.session.get(Fair, fair.id).hall_rows == 3
    assert booth(fair, "C5").participation is not None


def test_adding_a_booth_with_a_used_number_keeps_what_was_typed(make, client, auth, logged_in):
    fair = hall(make, rows=2, cols=2)
    auth.post(f"/organizer/fairs/{fair.id}/booths/hall", {"rows": "2", "cols": "3"},
              page=plan_url(fair))
    panel = client.get(plan_url(fair, cell="0-2"))
    assert "New booth at row 1, column 3" in panel.text
    assert re.search(r'id="number"[^>]*value="A3"', panel.text)  # a suggestion
    response = client.post(f"/organizer/fairs/{fair.id}/booths/new",
                           data={"row": "0", "col": "2", "number": "b1", "zone": "Hall 2",
                                 "csrf_token": csrf_token_from(panel)})
    assert response.status_code == 200
    assert re.search(r'id="number-error" role="alert">[^<]*b1 is already used', response.text)
    assert re.search(r'id="zone"[^>]*value="Hall 2"', response.text)
    response = client.post(f"/organizer/fairs/{fair.id}/booths/new",
                           data={"row": "0", "col": "2", "number": "A3", "zone": "Hall 2",
                                 "csrf_token": csrf_token_from(panel)})
    assert response.status_code == 303
    assert booth(fair, "A3").zone == "Hall 2"


def test_a_booth_is_renumbered_and_removed_from_its_panel(make, client, logged_in):
    fair = hall(make, rows=1, cols=2)
    target = booth(fair, "A2")
    panel = client.get(plan_url(fair, cell="0-1"))
    token = csrf_token_from(panel)
    assert "Remove this booth" in panel.text
    response = client.post(booth_url(fair, target, "edit"),
                           data={"number": "Entrance 1", "zone": "", "csrf_token": token})
    assert response.status_code == 303
    assert fresh_booth(fair, "Entrance 1").id == target.id
    response = client.post(booth_url(fair, target, "remove"), data={"csrf_token": token})
    assert response.status_code == 303
    assert fresh_booth(fair, "Entrance 1") is None


def test_a_closed_fairs_plan_is_read_only(make, client, logged_in):
    fair = hall(make, status="closed")
    participation = make.participation(fair, make.company("Kasbah Labs"))
    page = client.get(plan_url(fair, participation=participation.id))
    assert page.status_code == 200
    assert "This fair is closed: the floor plan is read-only." in page.text
    assert "Place here" not in page.text and "Fill the grid" not in page.text
    assert 'id="rows"' not in page.text
    response = client.post(booth_url(fair, booth(fair, "A1"), "assign"),
                           data={"participation_id": participation.id,
                                 "csrf_token": csrf_token_from(page)})
    assert response.status_code == 200
    assert "This fair is closed: its floor plan can no longer change." in response.text
    assert fresh_booth(fair, "A1").participation_id is None


def test_the_print_view_has_the_plan_and_the_unassigned_list_and_no_controls(make, client,
                                                                             logged_in):
    fair = hall(make)
    services.assign(booth(fair, "A1"), make.participation(fair, make.company("Kasbah Labs")))
    make.participation(fair, make.company("Argan Tech"))
    page = client.get(plan_url(fair, view="print"))
    assert page.status_code == 200
    assert "booths-page is-print-view" in page.text
    assert "Kasbah Labs" in page.text
    assert re.search(r'class="unassigned".*Argan Tech', page.text, re.S)
    assert "<form method=\"post\" action=\"/organizer/fairs" not in page.text
    assert "Choose a booth" not in page.text and "+ Booth" not in page.text
    assert "data-print hidden" in page.text  # shown by booths.js only
    assert 'src="/static/booths.js"' in page.text


def test_the_stylesheet_prints_the_plan_on_a4_landscape_black_on_white():
    from pathlib import Path

    css = (Path(__file__).parent.parent / "jobfair" / "static" / "app.css").read_text()
    section = css[css.index("/* ==== Booths"):]
    assert re.search(r"@page booths \{[^}]*size: A4 landscape", section)
    print_rules = section[section.index("@media print"):]
    for rule in ("page: booths", ".booths-page .no-print", "color: #000", "background: #fff",
                 ".floor-plan { width: 100%"):
        assert rule in print_rules


def test_the_demo_fairs_hall_works_with_the_plan(app, client, auth, logged_in):
    from jobfair import demo
    from jobfair.models import Participation

    demo.build()
    db.session.commit()
    fair = db.session.scalar(select(Fair).where(Fair.slug == "jobintech-casablanca-2026"))
    plan = services.floor_plan(fair)
    assert (plan.row_count, plan.col_count, plan.booth_count) == (3, 5, 15)
    assert all(cell.booth for row in plan.rows for cell in row)
    approved = db.session.scalar(select(func.count(Participation.id)).where(
        Participation.fair_id == fair.id, Participation.status == "approved"))
    assert plan.assigned_count >= 1
    assert plan.assigned_count + len(plan.unassigned) == approved
    page = client.get(plan_url(fair))
    assert page.status_code == 200
    assert page.text.count('class="booth is-taken') == plan.assigned_count
    assert client.get(plan_url(fair, view="print")).status_code == 200


def test_choosing_a_company_that_is_not_approved_is_refused(make, client, logged_in):
    fair = hall(make)
    pending = make.participation(fair, make.company("Pending SARL"), status="requested")
    page = client.get(plan_url(fair, participation=pending.id))
    assert page.status_code == 200
    assert "Only approved companies get a booth." in page.text
    assert "Place here" not in page.text
    response = client.post(booth_url(fair, booth(fair, "A1"), "assign"),
                           data={"participation_id": pending.id,
                                 "csrf_token": csrf_token_from(page)})
    assert response.status_code == 200
    assert "Pending SARL is not approved for this fair" in response.text
    assert fresh_booth(fair, "A1").participation_id is None


# --- Authorization ------------------------------------------------------------------------------


def _routes(fair, free, taken, participation, spare):
    """Every route of the blueprint: (method, url, data for a valid request)."""
    return [
        ("GET", plan_url(fair), None),
        ("POST", f"/organizer/fairs/{fair.id}/booths/hall", {"rows": "3", "cols": "6"}),
        ("POST", f"/organizer/fairs/{fair.id}/booths/new",
         {"row": "0", "col": "5", "number": "Z1", "zone": "Z"}),
        ("POST", f"/organizer/fairs/{fair.id}/booths/fill",
         {"rows_per_zone": "1", "numbering": "zone"}),
        ("POST", booth_url(fair, free, "edit"), {"number": "Q1", "zone": "Q"}),
        ("POST", booth_url(fair, free, "remove"), {}),
        ("POST", booth_url(fair, spare, "assign"), {"participation_id": str(participation.id)}),
        ("POST", booth_url(fair, taken, "unassign"),
         {"participation_id": str(taken.participation_id)}),
    ]


def test_every_route_is_listed_in_the_authorization_test(app):
    rules = {r.endpoint for r in app.url_map.iter_rules() if r.endpoint.startswith("booths.")}
    assert rules == {"booths.plan", "booths.hall_size", "booths.fill", "booths.add_booth",
                     "booths.edit_booth", "booths.remove_booth", "booths.assign",
                     "booths.unassign"}


def test_the_organizer_uses_every_route(make, auth, client, organizer):
    """Every other role is refused and changes nothing: the authorization matrix."""
    fair = make.fair(status="draft", hall_rows=3, hall_cols=6)
    services.fill_grid(fair)
    services.remove_booth(booth(fair, "A6"))
    placed = make.participation(fair)
    services.assign(booth(fair, "B1"), placed)
    waiting = make.participation(fair)
    routes = _routes(fair, booth(fair, "A1"), booth(fair, "B1"), waiting, booth(fair, "C1"))
    assert routes[1][2] == {"rows": "3", "cols": "6"}  # the size it has: nothing disappears
    auth.login_as(organizer)
    for method, url, data in routes:
        if method == "GET":
            response = client.get(url)
        else:
            response = auth.post(url, data, page="/login")
        expected = 200 if method == "GET" else 303
        assert response.status_code == expected, (method, url, response.text[:300])


def test_an_htmx_request_without_a_login_is_sent_to_the_login_page(make, client):
    fair = hall(make)
    response = client.get(plan_url(fair), headers={"HX-Request": "true"})
    assert response.status_code == 401
    assert response.headers["HX-Redirect"].startswith("/login")


def test_forged_forms_with_another_fairs_booth_or_company_get_404(make, client, logged_in):
    fair, other = hall(make), hall(make)
    mine = make.participation(fair)
    theirs = make.participation(other)
    services.assign(booth(other, "A2"), theirs)
    token = csrf_token_from(client.get(plan_url(fair)))
    foreign_booth = booth(other, "A1")
    for action, data in (("assign", {"participation_id": mine.id}),
                         ("unassign", {"participation_id": mine.id}),
                         ("edit", {"number": "X1"}), ("remove", {})):
        response = client.post(booth_url(fair, foreign_booth, action),
                               data={**data, "csrf_token": token})
        assert response.status_code == 404, action
    # Another fair's company on this fair's booth, or in the page's address.
    response = client.post(booth_url(fair, booth(fair, "A1"), "assign"),
                           data={"participation_id": theirs.id, "csrf_token": token})
    assert response.status_code == 404
    response = client.post(booth_url(other, booth(other, "A2"), "unassign"),
                           data={"participation_id": mine.id, "csrf_token": token})
    assert response.status_code == 404
    assert client.get(plan_url(fair, participation=theirs.id)).status_code == 404
    assert client.get(plan_url(fair, cell="9-9")).status_code == 404
    assert client.get(plan_url(fair, cell="x")).status_code == 404
    assert client.get("/organizer/fairs/999999/booths").status_code == 404
    db.session.expire_all()
    assert booth(fair, "A1").participation_id is None
    assert booth(other, "A1").number == "A1"
    assert booth(other, "A2").participation_id == theirs.id
