"""Demo data: a JobInTech-style job fair in Casablanca, and a past one in Rabat with hiring
outcomes and candidate follow-ups. Deterministic (seeded)."""
import io
import random
from datetime import time, timedelta

from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from .auth.passwords import hash_password
from .candidate.services import store_cv
# One normaliser for demo data and invitations, so that duplicates are found in both.
from .companies.matching import normalise_company_name
from .extensions import db
from .insertion import table as insertion_table
from .models import (
    Booking,
    Booth,
    Candidate,
    Cohort,
    Company,
    Fair,
    FollowUpAnswer,
    FollowUpRequest,
    InterviewTable,
    Lead,
    Outcome,
    Participation,
    Position,
    Slot,
    Track,
    TrainingOperator,
    User,
)
from .text import slugify
from .timeutil import local_to_utc, local_today

DEMO_PASSWORD = "jobfair-demo"

TRACKS = [
    "Java/JEE", ".NET", "Data & IA", "Cloud & DevOps",
    "Cybersécurité", "Mobile", "Front-end", "Test & QA",
]

COMPANIES = [
    # name, sector, city, size, positions: (title, track, contract, openings)
    ("Atlas Digital Services", "esn", "Casablanca", "251-1000",
     [("Développeur Java/Spring", "Java/JEE", "cdi", 6), ("Testeur QA", "Test & QA", "cdd", 2)]),
    ("Maghreb Consulting IT", "esn", "Rabat", "1000+",
     [("Ingénieur .NET", ".NET", "cdi", 5), ("Développeur Angular", "Front-end", "cdi", 3)]),
    ("Banque du Détroit", "banking", "Casablanca", "1000+",
     [("Data analyst", "Data & IA", "cdi", 3), ("Analyste SOC", "Cybersécurité", "cdi", 2)]),
    ("Assurances Anfa", "banking", "Casablanca", "251-1000",
     [("Développeur Java", "Java/JEE", "pre_hire_internship", 4)]),
    ("Télécom Sahel", "telecom", "Casablanca", "1000+",
     [("Ingénieur Cloud", "Cloud & DevOps", "cdi", 4), ("Développeur mobile", "Mobile", "cdi", 2)]),
    ("Oasis Networks", "telecom", "Marrakech", "51-250",
     [("Administrateur DevOps", "Cloud & DevOps", "cdd", 2)]),
    ("Souss Software", "software", "Agadir", "51-250",
     [("Développeur full-stack", "Front-end", "cdi", 3), ("Data engineer", "Data & IA", "cdi", 2)]),
    ("Kasbah Labs", "startup", "Casablanca", "11-50",
     [("Développeur React", "Front-end", "cdi", 2), ("ML engineer", "Data & IA", "internship", 2)]),
    ("Argan Tech", "startup", "Rabat", "11-50",
     [("Développeur Flutter", "Mobile", "idmaj", 2)]),
    ("Fès Industrie Numérique", "sme", "Fès", "51-250",
     [("Développeur .NET", ".NET", "idmaj", 3)]),
    ("Agence Nationale du Numérique Public", "public", "Rabat", "251-1000",
     [("Ingénieur sécurité", "Cybersécurité", "cdi", 2), ("Ingénieur Java", "Java/JEE", "cdi", 2)]),
    ("Détroit Logistique IT", "other", "Tanger", "251-1000",
     [("Ingénieur DevOps", "Cloud & DevOps", "cdi", 2), ("Analyste BI", "Data & IA", "cdd", 1)]),
]

FIRST_NAMES = [
    "Youssef", "Fatima Zahra", "Mohamed", "Salma", "Hamza", "Imane", "Omar", "Khadija",
    "Ayoub", "Meryem", "Anas", "Hajar", "Mehdi", "Zineb", "Amine", "Nora", "Othmane",
    "Soukaina", "Karim", "Asmae", "Ilyas", "Chaimae", "Reda", "Oumaima", "Yassine",
    "Kawtar", "Achraf", "Sara", "Zakaria", "Houda",
]
LAST_NAMES = [
    "El Amrani", "Benali", "Alaoui", "Bennani", "Tazi", "Berrada", "El Idrissi", "Chraibi",
    "Ouazzani", "Lahlou", "Benjelloun", "Kettani", "Aït Ouahmane", "Amzil", "Bouzidi",
    "El Khattabi", "Naciri", "Rami", "Ziani", "Hachimi", "Essaidi", "Mansouri",
]
CITIES = ["Casablanca", "Rabat", "Mohammedia", "Salé", "Kénitra", "Settat", "El Jadida"]


def add_consents(candidates, fairs):
    """The candidates with a CV agreed to show it to the companies of the fairs inviting them
    (jobfair/privacy); the others (101–120) did not: companies see their first name only."""
    from .models import Consent
    from .privacy.services import CONSENT_TEXT_VERSION

    db.session.flush()
    for candidate in candidates:
        for fair in fairs:
            if candidate.cohort in fair.cohorts:
                db.session.add(Consent(candidate_id=candidate.id, fair_id=fair.id,
                                       text_version=CONSENT_TEXT_VERSION, locale="fr"))


def empty_database():
    for table in reversed(db.metadata.sorted_tables):
        db.session.execute(table.delete())
    db.session.flush()


def demo_cv(candidate, cohort):
    """A one-page PDF CV, so that demo candidates can book and companies can read CVs."""
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    pdf.setTitle(f"CV {candidate.user.full_name}")
    pdf.setFont("Helvetica-Bold", 20)
    pdf.drawString(60, 770, candidate.user.full_name)
    pdf.setFont("Helvetica", 12)
    lines = [
        f"{cohort.name} · {cohort.operator.name}",
        f"{candidate.city} · {candidate.phone} · {candidate.user.email}",
        "",
        f"Compétences : {candidate.skills}",
        candidate.pitch,
    ]
    for index, line in enumerate(lines):
        pdf.drawString(60, 740 - 18 * index, line)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def build(today=None, cv_folder=None):
    """Create the demo fair and its people; returns a one-line summary.

    With ``cv_folder``, candidates 1–100 get a PDF CV there (a complete profile);
    candidates 101–120 are left without one, as real newcomers are.
    """
    rng = random.Random(2026)
    today = today or local_today()
    # One hash for every demo account: they share one password, and hashing
    # 135 times at OWASP cost would make the set-up needlessly slow.
    password_hash = hash_password(DEMO_PASSWORD)

    def user(email, role, first="", last="", **extra):
        account = User(email=email, role=role, first_name=first, last_name=last,
                       password_hash=password_hash, **extra)
        db.session.add(account)
        return account

    tracks = {name: Track(name=name, slug=slugify(name)) for name in TRACKS}
    db.session.add_all(tracks.values())

    operators = [
        TrainingOperator(name="Académie Atlas du Code", city="Casablanca"),
        TrainingOperator(name="Institut Digital de Rabat", city="Rabat"),
    ]
    db.session.add_all(operators)
    start, end = today - timedelta(days=140), today - timedelta(days=20)
    cohorts = [
        Cohort(operator=operators[0], track=tracks["Java/JEE"], name="Java/JEE — Casablanca 2026",
               city="Casablanca", start_date=start, end_date=end),
        Cohort(operator=operators[0], track=tracks["Data & IA"], name="Data & IA — Casablanca 2026",
               city="Casablanca", start_date=start, end_date=end),
        Cohort(operator=operators[1], track=tracks["Cloud & DevOps"],
               name="Cloud & DevOps — Rabat 2026", city="Rabat", start_date=start, end_date=end),
    ]
    db.session.add_all(cohorts)

    fair_day = today + timedelta(days=21)
    fair = Fair(
        name="JobInTech Job Fair Casablanca 2026",
        slug="jobintech-casablanca-2026",
        city="Casablanca",
        region="casablanca_settat",
        venue="Technopark",
        description="Le forum de recrutement des lauréats JobInTech de la région Casablanca-Settat.",
        day=fair_day,
        opens_at=time(9, 0),
        closes_at=time(17, 0),
        booking_opens_at=local_to_utc(today - timedelta(days=1), time(10, 0)),
        booking_closes_at=local_to_utc(fair_day - timedelta(days=1), time(20, 0)),
        cancellation_deadline=local_to_utc(fair_day - timedelta(days=1), time(18, 0)),
        max_bookings_per_candidate=3,
        min_gap_minutes=15,
        status="published",
        hall_rows=3,
        hall_cols=5,
        cohorts=cohorts,
    )
    db.session.add(fair)

    organizer = user("organizer@demo.jobfair", "organizer", "Nadia", "Bennis")
    staff = user("staff@demo.jobfair", "staff", "Rachid", "Moussaoui")
    fair.staff.append(staff)
    del organizer

    participations = []
    for index, (name, sector, city, size, positions) in enumerate(COMPANIES):
        slug = slugify(name)
        company = Company(
            name=name, normalized_name=normalise_company_name(name), slug=slug,
            email_domain=f"{slug}.demo.jobfair", sector=sector, city=city, size=size,
            website=f"https://{slug}.example.ma",
            description=f"{name} recrute des lauréats des bootcamps JobInTech.",
        )
        db.session.add(company)
        for title, track, contract, openings in positions:
            company.positions.append(Position(title=title, track=tracks[track],
                                              contract_type=contract, openings=openings))
        user(f"recruiter@{slug}.demo.jobfair", "company_rep",
             rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES), company=company)
        participation = Participation(fair=fair, company=company, status="approved",
                                      decided_at=local_to_utc(today, time(9, 0)))
        db.session.add(participation)
        participations.append(participation)

    # A hall of 3 rows × 5 booths: zone A (rows 0–1) and zone B (row 2).
    for row in range(3):
        for col in range(5):
            number = row * 5 + col + 1
            booth = Booth(fair=fair, number=f"{'A' if row < 2 else 'B'}{number}",
                          zone="A" if row < 2 else "B", grid_row=row, grid_col=col)
            if number <= len(participations):
                booth.participation = participations[number - 1]
            db.session.add(booth)

    # Each company interviews at one or two tables, in 20-minute slots.
    slot_starts = [time(h, m) for h in (9, 10, 11, 14, 15, 16) for m in (0, 20, 40)]
    slots_by_company = []
    for index, participation in enumerate(participations):
        company_slots = []
        for number in range(1 if index % 3 else 2):
            table = InterviewTable(participation=participation, name=f"Table {number + 1}")
            db.session.add(table)
            for start_time in slot_starts:
                starts = local_to_utc(fair_day, start_time)
                slot = Slot(table=table, starts_at=starts, ends_at=starts + timedelta(minutes=20),
                            capacity=1, booked_count=0)
                db.session.add(slot)
                company_slots.append(slot)
        slots_by_company.append(company_slots)

    candidates = []
    for number in range(1, 121):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        account = user(f"candidate{number}@demo.jobfair", "candidate", first, last)
        candidate = Candidate(
            user=account,
            cohort=cohorts[(number - 1) % 3],
            phone=f"+2126{rng.randint(10000000, 99999999)}",
            city=rng.choice(CITIES),
            skills="SQL, Git, Scrum",
            pitch="Lauréat(e) JobInTech, motivé(e) et prêt(e) à rejoindre une équipe.",
        )
        db.session.add(candidate)
        candidates.append(candidate)
        if cv_folder and number <= 100:
            store_cv(candidate, demo_cv(candidate, candidate.cohort), cv_folder)

    # Forty candidates have already booked one interview each.
    for number, candidate in enumerate(candidates[:40]):
        company_index = number % len(participations)
        slot = slots_by_company[company_index][number // len(participations)]
        slot.booked_count += 1
        db.session.add(Booking(slot=slot, candidate=candidate,
                               participation=participations[company_index]))

    past = build_past_fair(today, cohorts[2], participations, candidates)
    from .round.demo import build_round_fair

    in_round = build_round_fair(today, cohorts, participations, candidates)
    add_consents(candidates[:100], (fair, past, in_round))

    db.session.flush()
    insertion_table.rebuild()  # rows were written directly: who counts at each fair, outcomes
    return (
        f"Demo fair '{fair.name}' on {fair_day.isoformat()}: {len(COMPANIES)} companies, "
        f"{len(candidates)} candidates, password '{DEMO_PASSWORD}' for every demo account. "
        f"Past fair '{past.name}' on {past.day.isoformat()} with outcomes and follow-ups. "
        f"Fair '{in_round.name}' on {in_round.day.isoformat()} with its wish window open."
    )


# The past fair in Rabat: which demo companies came (indexes into COMPANIES; none of the
# companies the browser tests use on the upcoming fair), and what became of each candidate
# of the Rabat cohort who met one: candidate number → (company index, booking status or None
# for a walk-in lead, company outcome (status, contract) or None, follow-up answers
# {day: (status, contract, employer: company index | name | None, in_field, full_time)}).
PAST_COMPANIES = (8, 10, 6, 11, 2)
PAST_MEETINGS = {
    63: (8, "attended", ("hired", "idmaj"),
         {30: ("employed", "idmaj", 8, True, True), 90: ("employed", "idmaj", 8, True, True)}),
    66: (10, "attended", ("hired", "cdi"), {90: ("employed", "cdi", 10, True, True)}),
    69: (6, "attended", ("offer_made", None),
         {30: ("seeking",), 90: ("employed", "cdi", 6, True, True)}),
    # The conflict: the company says hired, the candidate says still seeking.
    72: (11, "attended", ("hired", "cdd"), {30: ("seeking",), 90: ("seeking",)}),
    75: (2, "attended", ("not_retained", None),
         {30: ("seeking",), 90: ("employed", "cdd", "Centre d'appels Agdal", False, True)}),
    78: (8, "attended", ("shortlisted", None), {90: ("own_business",)}),
    81: (10, "attended", ("second_interview", None), {30: ("seeking",)}),
    84: (6, "attended", ("hired", "pre_hire_internship"),
         {90: ("employed", "pre_hire_internship", 6, True, True)}),
    87: (2, "attended", ("candidate_declined", None), {90: ("education",)}),
    90: (11, "attended", ("not_retained", None), {90: ("not_seeking",)}),
    93: (8, "attended", None, {}),  # no outcome yet: the company still has to record it
    99: (10, "no_show", None, {30: ("seeking",)}),
    102: (6, "attended", None, {}),
    105: (2, "attended", ("hired", "cdi"), {90: ("employed", "cdi", 2, True, True)}),
    108: (8, "attended", ("not_retained", None), {}),
    111: (11, "no_show", None, {}),
    114: (10, "attended", ("offer_made", None), {}),
    117: (6, None, None, {90: ("employed", "freelance", "Indépendant", False, False)}),
}


def build_past_fair(today, cohort, participations, candidates):
    """A closed fair held ~120 days ago in Rabat, with bookings, outcomes and follow-ups."""
    rng = random.Random(2025)
    day = today - timedelta(days=120)
    fair = Fair(
        name="JobInTech Job Fair Rabat 2026",
        slug="jobintech-rabat-2026",
        city="Rabat",
        region="rabat_sale_kenitra",
        venue="Technopolis Rabat-Shore",
        description="Le forum de recrutement des lauréats JobInTech de Rabat-Salé-Kénitra.",
        day=day,
        opens_at=time(9, 0),
        closes_at=time(17, 0),
        booking_opens_at=local_to_utc(day - timedelta(days=21), time(10, 0)),
        booking_closes_at=local_to_utc(day - timedelta(days=1), time(20, 0)),
        cancellation_deadline=local_to_utc(day - timedelta(days=1), time(18, 0)),
        max_bookings_per_candidate=3,
        min_gap_minutes=15,
        status="closed",
        cohorts=[cohort],
    )
    db.session.add(fair)
    db.session.flush()  # ids for the follow-up rows, which have no relationships

    by_company = {}
    for index in PAST_COMPANIES:
        company = participations[index].company
        participation = Participation(fair=fair, company=company, status="approved",
                                      decided_at=local_to_utc(day - timedelta(days=30), time(9, 0)))
        table = InterviewTable(participation=participation, name="Table 1")
        db.session.add_all([participation, table])
        by_company[index] = (participation, table)

    slot_starts = [time(h, m) for h in (9, 10, 11, 14, 15, 16) for m in (0, 20, 40)]
    used = {index: 0 for index in PAST_COMPANIES}
    for number, (index, booking, outcome, answers) in PAST_MEETINGS.items():
        candidate = candidates[number - 1]
        participation, table = by_company[index]
        company = participation.company
        if booking:
            starts = local_to_utc(day, slot_starts[used[index]])
            used[index] += 1
            slot = Slot(table=table, starts_at=starts, ends_at=starts + timedelta(minutes=20),
                        capacity=1, booked_count=1)
            db.session.add(slot)
            db.session.add(Booking(slot=slot, candidate=candidate, participation=participation,
                                   status=booking,
                                   created_at=local_to_utc(day - timedelta(days=10), time(12, 0))))
        else:
            db.session.add(Lead(participation=participation, candidate=candidate, rating=3, notes="Rencontré au stand, profil freelance.",
                                created_at=local_to_utc(day, time(15, 0)),
                                updated_at=local_to_utc(day, time(15, 0))))
        if outcome:
            status, contract = outcome
            hired = status == "hired"
            db.session.add(Outcome(
                participation=participation, candidate=candidate, status=status,
                contract_type=contract,
                position=company.positions[0] if hired else None,
                start_date=day + timedelta(days=rng.randint(20, 45)) if hired else None,
                updated_at=local_to_utc(day + timedelta(days=rng.randint(5, 15)), time(11, 0)),
            ))
        for follow_up_day, answer in sorted(answers.items()):
            request = FollowUpRequest(fair_id=fair.id, candidate_id=candidate.id, day=follow_up_day,
                                      sent_at=local_to_utc(day + timedelta(days=follow_up_day),
                                                           time(8, 0)))
            db.session.add(request)
            db.session.flush()
            status, *employment = answer
            values = {}
            if status == "employed":
                contract, employer, in_field, full_time = employment
                values = {"contract_type": contract, "in_field": in_field, "full_time": full_time,
                          "start_date": day + timedelta(days=rng.randint(15, follow_up_day))}
                if isinstance(employer, int):
                    values["employer_company"] = participations[employer].company
                else:
                    values["employer_name"] = employer
            answered = day + timedelta(days=follow_up_day + rng.randint(1, 6))
            db.session.add(FollowUpAnswer(
                fair_id=fair.id, candidate_id=candidate.id, request_id=request.id, source="candidate",
                status=status, answered_at=local_to_utc(answered, time(19, 30)), **values,
            ))
    db.session.flush()
    return fair
