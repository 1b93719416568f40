"""The world the authorization matrix walks: two of everything that has an owner.

Company A and company B take part in the same live fair (approved, a booth, a table, a booked
and a free slot, a position, a representative each); candidate A booked company A and candidate B
company B, and each has a CV, a badge, a lead and an outcome from that company, and follow-up
answers. Staff work at the fair (staff B at another fair); an organizer runs it. Every URL
value points to A's objects.

Each private thing carries a marker string (ASCII, so it can be found in CSV, XLSX and PDF text
too) and the roles that may see it: ``SECRETS`` in the test says where it must never show.
"""
import io
import os
import re
import zipfile
import zlib
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import select

from jobfair.auth import services as auth_services
from jobfair.badges import services as badge_services
from jobfair.badges.services import short_code
from jobfair.candidate.services import format_phone
from jobfair.checkin import services as checkin_services
from jobfair.extensions import db
from jobfair.followups.services import link_token
from jobfair.imports import uploads
from jobfair.kiosk import services as kiosk_services
from jobfair.models import (
    ErasureRequest,
    FollowUpAnswer,
    FollowUpRequest,
    Lead,
    Outcome,
    Position,
    utcnow,
)
from jobfair.timeutil import local_today

# "staff_b" works at another fair: the scanner of this one is not theirs.
# "kiosk": the fair's self check-in kiosk (issue 13), a device that reaches its kiosk pages only.
ROLES = ("anonymous", "candidate_a", "candidate_b", "rep_a", "rep_b", "staff", "staff_b",
         "organizer", "kiosk")

CV_A = b"%PDF-1.4\n% cv-bytes-of-candidate-A\n%%EOF\n"
CV_B = b"%PDF-1.4\n% cv-bytes-of-candidate-B\n%%EOF\n"
IMPORT_CSV = b"first name,last name,e-mail\nYoussef,Idrissi,youssef.idrissi@example.ma\n"


@dataclass
class World:
    users: dict  # role -> User (None for anonymous)
    url_values: dict  # URL argument name -> value (A's objects)
    per_endpoint: dict  # endpoint -> {argument: value}, where a name means different things
    b: dict  # B's own objects, for requests that mix B's ids with A's
    markers: dict = field(default_factory=dict)  # secret name -> [strings]


def _company_side(make, fair, letter, hour_booked, hour_free):
    company = make.company(name=f"Entreprise {letter} Matrix")
    participation = make.participation(fair, company)
    booth = make.booth(fair, number=f"{letter}1", row=0, col=0 if letter == "A" else 1)
    booth.participation = participation
    table = make.table(participation, name=f"Table {letter}")
    booked = make.slot_at(table, hour_booked)
    free = make.slot_at(table, hour_free)
    position = Position(company=company, title=f"Developpeur Java {letter}", contract_type="cdi",
                        openings=1)
    db.session.add(position)
    rep = make.user(role="company_rep", email=f"rep.{letter.lower()}@entreprise.ma",
                    company=company, first_name=f"Rep{letter}", last_name=f"Recruteur{letter}")
    return {"company": company, "participation": participation, "table": table,
            "booked": booked, "free": free, "position": position, "rep": rep}


def _candidate_side(make, cohort, first, last, phone, cv_name, cv_bytes, cv_folder):
    user = make.bookable_candidate(cohort, email=f"{first.lower()}.{last.lower()}@example.ma",
                                   phone=phone, cv_filename=cv_name)
    user.first_name, user.last_name = first, last
    with open(os.path.join(cv_folder, cv_name), "wb") as handle:
        handle.write(cv_bytes)
    return user


def build(make, instance_path):
    """Make the world (committed) in ``instance_path`` (the app's, for CVs and uploads)."""
    cv_folder = os.path.join(instance_path, "cvs")
    os.makedirs(cv_folder, exist_ok=True)
    now = utcnow()
    cohort = make.cohort()
    fair = make.fair(name="Job Fair Matrix", day=local_today(), status="live",
                     booking_opens_at=now - timedelta(days=10),
                     booking_closes_at=now + timedelta(days=1),
                     cancellation_deadline=now + timedelta(days=1), hall_rows=2, hall_cols=3)
    fair.cohorts.append(cohort)
    side_a = _company_side(make, fair, "A", 15, 16)
    side_b = _company_side(make, fair, "B", 15, 16)
    cand_a = _candidate_side(make, cohort, "Amina", "Zerhounia", "+212611111111",
                             "cv-a.pdf", CV_A, cv_folder)
    cand_b = _candidate_side(make, cohort, "Badr", "Kettanib", "+212622222222",
                             "cv-b.pdf", CV_B, cv_folder)
    booking_a = make.booking(side_a["booked"], cand_a)
    booking_b = make.booking(side_b["booked"], cand_b)

    staff = make.user(role="staff", email="accueil.matrix@example.ma")
    fair.staff.append(staff)
    staff_b = make.user(role="staff", email="accueil.ailleurs@example.ma")
    other_fair = make.fair(name="Job Fair Ailleurs", status="published")
    other_fair.staff.append(staff_b)
    organizer = make.user(role="organizer", email="orga.matrix@example.ma")
    kiosk, kiosk_link = kiosk_services.create_kiosk(fair, "Entrée Matrix — borne 1", organizer)

    badge_a = badge_services.issue_badge(fair, cand_a)
    badge_b = badge_services.issue_badge(fair, cand_b)
    checkin_services.scan(fair, badge_a.token, staff, "Entrée", "nonce-matrix-a")

    leads, outcomes = {}, {}
    for letter, side, cand in (("A", side_a, cand_a), ("B", side_b, cand_b)):
        leads[letter] = Lead(participation=side["participation"], candidate=cand.candidate,
                             author_id=side["rep"].id, rating=3,
                             notes=f"lead-note-of-company-{letter}", next_step="second_interview")
        outcomes[letter] = Outcome(participation=side["participation"], candidate=cand.candidate,
                                   status="hired", contract_type="cdi",
                                   updated_by_id=side["rep"].id)
        db.session.add_all([leads[letter], outcomes[letter]])
        # A's latest answer names an employer (its situation form shows it); B's latest
        # ("seeking") contradicts company B's "hired": the organizer's conflicts page lists it.
        employed = FollowUpAnswer(fair_id=fair.id, candidate_id=cand.candidate.id,
                                  source="candidate", status="employed", contract_type="cdi",
                                  employer_name=f"employer-named-by-candidate-{letter}",
                                  in_field=True, full_time=True)
        seeking = FollowUpAnswer(fair_id=fair.id, candidate_id=cand.candidate.id,
                                 source="candidate", status="seeking")
        first, latest = (seeking, employed) if letter == "A" else (employed, seeking)
        first.answered_at, latest.answered_at = now - timedelta(hours=2), now - timedelta(hours=1)
        db.session.add_all([first, latest])
    follow_up = FollowUpRequest(fair_id=fair.id, candidate_id=cand_a.candidate.id, day=30)
    db.session.add(follow_up)

    _invitation, invitation_token = auth_services.create_invitation(
        "nouvelle.recrue@example.ma", "company_rep", invited_by=organizer,
        company=side_a["company"])
    db.session.flush()
    reset_token = auth_services._reset_serializer().dumps(
        {"u": cand_a.id, "f": auth_services._password_fingerprint(cand_a)})
    upload_token = uploads.save(os.path.join(instance_path, "imports"), IMPORT_CSV, "csv",
                                filename="promo.csv", owner_id=organizer.id, cohort_id=cohort.id)
    checkin = checkin_services.live_checkin(fair, cand_a)
    # Both consented (jobfair/privacy): the fair's companies see their names, contacts and CVs;
    # A asked for erasure (the organizers' confirmation is A's request).
    for cand in (cand_a, cand_b):
        make.consent(fair, cand)
    erasure = ErasureRequest(candidate_id=cand_a.candidate.id)
    db.session.add(erasure)
    db.session.flush()

    participation_a = side_a["participation"]
    world = World(
        users={"anonymous": None, "candidate_a": cand_a, "candidate_b": cand_b,
               "rep_a": side_a["rep"], "rep_b": side_b["rep"], "staff": staff,
               "staff_b": staff_b, "organizer": organizer, "kiosk": kiosk.user},
        url_values={
            "fair_id": fair.id, "slug": fair.slug,
            "participation_id": participation_a.id, "company_id": side_a["company"].id,
            "booking_id": booking_a.id, "candidate_id": cand_a.candidate.id,
            "table_id": side_a["table"].id, "slot_id": side_a["free"].id,
            "position_id": side_a["position"].id, "booth_id": participation_a.booth.id,
            "outcome_id": outcomes["A"].id, "checkin_id": checkin.id,
            "cohort_id": cohort.id, "operator_id": cohort.operator_id,
            "track_id": cohort.track_id, "user_id": cand_a.id, "name": "htmx.min.js",
            "erasure_id": erasure.id, "kiosk_id": kiosk.id,
            # Not in a URL: what candidate A types at the kiosk (FORM_DATA).
            "kiosk_code": kiosk_services.kiosk_code(badge_a.token),
        },
        per_endpoint={
            "auth.accept_invitation": {"token": invitation_token},
            "auth.reset_password": {"token": reset_token},
            "checkin.badge": {"token": badge_a.token},
            "followups.answer_link": {"token": link_token(follow_up)},
            "kiosk.open_link": {"token": kiosk_link},
            "imports.preview": {"token": upload_token},
            "imports.confirm": {"token": upload_token},
            "imports.cancel": {"token": upload_token},
            "fairs.remove_staff": {"user_id": staff.id},
            "companies.decide_participation": {"action": "withdraw"},
            "company.toggle_position": {"action": "close"},
        },
        b={"participation_id": side_b["participation"].id, "table_id": side_b["table"].id,
           "booking_id": booking_b.id, "candidate_id": cand_b.candidate.id},
    )
    for letter, cand, badge in (("a", cand_a, badge_a), ("b", cand_b, badge_b)):
        world.markers[f"lead_{letter}"] = [f"lead-note-of-company-{letter.upper()}"]
        world.markers[f"contact_{letter}"] = [cand.email, cand.candidate.phone,
                                              format_phone(cand.candidate.phone)]
        world.markers[f"name_{letter}"] = [cand.last_name]
        world.markers[f"badge_{letter}"] = [badge.token, short_code(badge.token)]
        world.markers[f"cv_{letter}"] = [f"cv-bytes-of-candidate-{letter.upper()}"]
        world.markers[f"answer_{letter}"] = [f"employer-named-by-candidate-{letter.upper()}"]
    db.session.commit()
    return world


# --- What the walk looks at ------------------------------------------------------------------


def snapshot(instance_path):
    """Every row of every table, and the instance folder's files (a refusal changes none)."""
    rows = {table.name: sorted(map(repr, db.session.execute(select(table)).all()))
            for table in db.metadata.sorted_tables}
    db.session.rollback()  # hold no snapshot or lock while the next request runs
    files = sorted((os.path.relpath(os.path.join(d, f), instance_path),
                    os.path.getsize(os.path.join(d, f)))
                   for d, _dirs, names in os.walk(instance_path) for f in names)
    return rows, files


def changes(before, after):
    tables = [name for name in before[0] if before[0][name] != after[0][name]]
    return tables + (["files in the instance folder"] if before[1] != after[1] else [])


def shown_text(response):
    """What the answer shows, whatever its type (HTML, CSV, .ics, XLSX, PDF)."""
    data = response.get_data()
    if data.startswith(b"PK"):
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            data = b"".join(archive.read(name) for name in archive.namelist())
    elif data.startswith(b"%PDF"):
        streams = re.findall(rb"stream\r?\n(.*?)endstream", data, re.S)
        for stream in streams:
            try:
                data += zlib.decompress(stream)
            except zlib.error:
                pass
    return data.decode("utf-8", "replace")
