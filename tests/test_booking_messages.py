"""Every booking rule answers in the reader's language (issue 17).

Two rules once answered in English on French pages: their messages were
built with ``lazy_ngettext``, which the extraction did not know, so they never
reached the catalogue. Here each rule is made to refuse under French and under
English, and a static check makes sure no rule's message is built outside the
catalogue (a literal, an f-string, a keyword the extraction ignores).
"""
import ast
import re
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from flask_babel import force_locale

from jobfair.booking import services
from jobfair.errors import DomainError
from jobfair.extensions import db
from jobfair.models import utcnow

from .test_booking_rules import world  # noqa: F401  (the fixture: an open fair, two companies)
from .test_i18n import EXTRACT_KEYWORDS

ROOT = Path(__file__).resolve().parent.parent
GETTEXT_NAMES = {"_", "_l", "gettext", "lazy_gettext", "ngettext", "lazy_ngettext"}
# Words of the English messages that French messages never contain.
ENGLISH_WORDS = re.compile(
    r"\b(you|your|the|this|interviews?|slot|already|book(ing)?|opens|closed|between|fair|"
    r"company|profile|cohort|candidates)\b", re.I)


def _refusals(world, make):
    """(rule, zero-argument call that refuses) for every rule a candidate can meet."""
    fair, candidate = world.fair, world.candidate
    now = utcnow()
    booked = make.booking(make.slot_at(world.table_a, 10), world.user)  # Atlas, 10:00–10:20
    overlapping = make.slot_at(world.table_k, 10, 10)
    too_close = make.slot_at(world.table_k, 10, 30)  # 10 minutes after; the fair asks for 15
    later = make.slot_at(world.table_k, 11)
    mobile, rabat = make.track("Mobile"), make.cohort(name="Promotion Rabat")
    for_mobile, for_rabat = make.slot_at(world.table_k, 15), make.slot_at(world.table_k, 16)
    for_mobile.eligible_tracks = [mobile]
    for_rabat.eligible_cohorts = [rabat]
    full, blocked = make.slot_at(world.table_k, 17), make.slot_at(world.table_k, 12)
    full.booked_count = full.capacity
    blocked.is_blocked = True
    db.session.flush()
    live = services.live_bookings(candidate.id, fair.id)

    def changed(obj, call, **values):
        """``call`` with ``obj``'s fields set to ``values`` for the time of the call."""
        def run():
            saved = {name: getattr(obj, name) for name in values}
            for name, value in values.items():
                setattr(obj, name, value)
            try:
                call()
            finally:
                for name, value in saved.items():
                    setattr(obj, name, value)
        return run

    window = services.check_booking_window
    return [
        ("profile", changed(candidate, lambda: services.check_profile(candidate), phone=None)),
        ("not open yet", lambda: window(fair, fair.booking_opens_at - timedelta(minutes=1))),
        ("closed", lambda: window(fair, fair.booking_closes_at)),
        ("not public", changed(fair, lambda: window(fair, now), status="draft")),
        ("fair over", changed(fair, lambda: window(fair, now), status="closed")),
        ("cohort", changed(candidate, lambda: services.check_cohort_invited(fair, candidate),
                           cohort_id=None)),
        ("company withdrawn", changed(world.kasbah,
                                      lambda: services.check_company_takes_part(world.kasbah),
                                      status="withdrawn")),
        ("tracks", lambda: services.check_eligible(for_mobile, candidate)),
        ("cohorts", lambda: services.check_eligible(for_rabat, candidate)),
        ("blocked", lambda: services.check_slot_open(blocked)),
        ("started", lambda: services.check_slot_open(later, later.starts_at)),
        ("limit of one", changed(fair, lambda: services.check_booking_limit(fair, live),
                                 max_bookings_per_candidate=1)),
        ("limit of three", changed(fair, lambda: services.check_booking_limit(fair, live * 3),
                                   max_bookings_per_candidate=3)),
        ("one per company", lambda: services.check_one_per_company(world.atlas.id, live)),
        ("overlap", lambda: services.check_timing(fair, overlapping, live)),
        ("gap", lambda: services.check_timing(fair, too_close, live)),
        ("capacity", lambda: services.check_capacity(full)),
        ("not booked", changed(booked, lambda: services.check_changeable(booked, fair, now),
                               status="cancelled")),
        ("deadline", lambda: services.check_changeable(booked, fair, fair.cancellation_deadline)),
        ("changes after the fair", changed(
            fair, lambda: services.check_changeable(booked, fair, now), status="closed")),
    ]


def _message(call, locale):
    with force_locale(locale):
        with pytest.raises(DomainError) as caught:
            call()
        return str(caught.value.message)


def test_every_booking_rule_answers_in_french_and_in_english(app, world, make):  # noqa: F811
    with app.test_request_context():
        refusals = _refusals(world, make)
        seen = set()
        for rule, call in refusals:
            english, french = _message(call, "en"), _message(call, "fr")
            assert french != english, f"{rule}: the same text in both languages: {english!r}"
            assert not ENGLISH_WORDS.search(french), f"{rule}: English in French: {french!r}"
            assert ENGLISH_WORDS.search(english), f"{rule}: not English: {english!r}"
            seen.add(english)
        assert len(seen) == len(refusals), "two rules answered with the same message"


def test_the_two_messages_of_the_report_are_french(app, world, make):  # noqa: F811
    """The issue's examples, word for word: the maximum of 3 interviews and the 15-minute gap."""
    with app.test_request_context():
        refusals = dict(_refusals(world, make))
        assert _message(refusals["limit of three"], "fr") == (
            "Vous avez déjà 3 entretiens à ce salon, le maximum autorisé : "
            "annulez-en un pour en réserver un autre.")
        gap = _message(refusals["gap"], "fr")
        assert gap.startswith("Laissez au moins 15 minutes entre deux entretiens : "
                              "vous en avez un avec Atlas Digital (")


def test_a_french_candidate_over_the_limit_reads_french_on_the_page(auth, make):
    cohort = make.cohort()
    fair = make.open_fair(cohorts=[cohort], max_bookings_per_candidate=1)
    atlas = make.participation(fair, make.company("Atlas Digital"))
    kasbah = make.participation(fair, make.company("Kasbah Labs"))
    person = make.bookable_candidate(cohort, email="salma@example.ma", locale="fr")
    make.booking(make.slot_at(make.table(atlas), 10), person)
    wanted = make.slot_at(make.table(kasbah), 14)
    db.session.commit()
    auth.login_as(person)
    page = f"/me/fairs/{fair.id}/companies/{kasbah.company_id}"
    answer = auth.post(f"/me/fairs/{fair.id}/slots/{wanted.id}/book", page=page,
                       follow_redirects=True).get_data(as_text=True)
    assert 'lang="fr"' in answer
    assert "Vous avez déjà 1 entretien à ce salon, le maximum autorisé" in answer
    assert "You already have" not in answer


# --- Static: no message is built outside the catalogue --------------------------------


def _python_files():
    return sorted((ROOT / "jobfair").rglob("*.py"))


def _name(func):
    return getattr(func, "id", None) or getattr(func, "attr", None)


def test_extraction_keywords_match_the_makefile():
    makefile = (ROOT / "Makefile").read_text()
    line = re.search(r"^EXTRACT_KEYWORDS := (.+)$", makefile, re.M).group(1)
    assert tuple(line.split()) == EXTRACT_KEYWORDS


def test_every_message_in_the_code_reaches_the_catalogue(tmp_path):
    """A gettext call whose msgid the extraction misses is shown untranslated, whatever the .po."""
    pot = tmp_path / "messages.pot"
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", "-q", "extract",
                    "-F", "babel.cfg", *EXTRACT_KEYWORDS, "-o", str(pot), "."],
                   cwd=ROOT, check=True, capture_output=True)
    with open(pot, "rb") as f:
        extracted = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(f) if m.id}
    missed = []
    for path in _python_files():
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if (isinstance(node, ast.Call) and _name(node.func) in GETTEXT_NAMES and node.args
                    and isinstance(node.args[0], ast.Constant)
                    and isinstance(node.args[0].value, str)
                    and node.args[0].value not in extracted):
                missed.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.args[0].value!r}")
    assert not missed, "messages the extraction does not see:\n" + "\n".join(missed)


def test_booking_rules_build_no_message_outside_the_catalogue():
    """A DomainError of the booking package gets a gettext call or a name bound to one."""
    problems = []
    for path in sorted((ROOT / "jobfair" / "booking").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if not (isinstance(node, ast.Call) and _name(node.func) == "DomainError"):
                continue
            message = node.args[0] if node.args else None
            if isinstance(message, (ast.Constant, ast.JoinedStr, ast.BinOp)) or (
                    isinstance(message, ast.Call) and _name(message.func) not in GETTEXT_NAMES):
                problems.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert not problems, "booking messages built outside the catalogue: " + ", ".join(problems)
