"""The rows of bench/datagen.py, built in memory with explicit ids (see that module's doc).

``Builder(scale, seed).build()`` returns {table name: [row dicts]}; ``builder.summary`` holds the
ids and emails a benchmark needs. No database here: datagen.py writes the rows.
"""
import math
import random
import secrets
from collections import defaultdict
from datetime import time, timedelta

from jobfair.models.people import fold

PASSWORD = "bench-jobfair-2026"
NATIONAL = {"candidates": 15000, "companies": 300, "fairs": 30, "slots": 50000, "cohorts": 60}
OPERATORS = 10
TRACKS = ["Java/JEE", ".NET", "Data & IA", "Cloud & DevOps", "Cybersécurité", "Mobile",
          "Front-end", "Test & QA"]
REGION_CITY = {
    "tanger_tetouan_al_hoceima": "Tanger", "oriental": "Oujda", "fes_meknes": "Fès",
    "rabat_sale_kenitra": "Rabat", "beni_mellal_khenifra": "Béni Mellal",
    "casablanca_settat": "Casablanca", "marrakech_safi": "Marrakech",
    "draa_tafilalet": "Errachidia", "souss_massa": "Agadir", "guelmim_oued_noun": "Guelmim",
    "laayoune_sakia_el_hamra": "Laâyoune", "dakhla_oued_ed_dahab": "Dakhla",
}
REGIONS = list(REGION_CITY)
SECTORS = ("esn", "banking", "telecom", "software", "sme", "startup", "public", "other")
SIZES = ("1-10", "11-50", "51-250", "251-1000", "1000+")
CONTRACTS = ("cdi", "cdd", "internship", "pre_hire_internship", "idmaj", "freelance")
WORDS = ["Atlas", "Maghreb", "Sahel", "Anfa", "Argan", "Kasbah", "Oasis", "Souss", "Rif",
         "Draa", "Tensift", "Zagora", "Medina", "Sebou", "Bouregreg", "Toubkal"]
KINDS = ["Digital", "Consulting", "Software", "Networks", "Labs", "Data", "Systèmes", "Cloud"]
FIRST = ["Youssef", "Salma", "Hamza", "Imane", "Omar", "Khadija", "Ayoub", "Meryem", "Anas",
         "Hajar", "Mehdi", "Zineb", "Amine", "Nora", "Othmane", "Sara", "Reda", "Kawtar"]
LAST = ["El Amrani", "Benali", "Alaoui", "Bennani", "Tazi", "Berrada", "El Idrissi", "Chraibi",
        "Lahlou", "Kettani", "Amzil", "Naciri", "Ziani", "Hachimi", "Mansouri"]
SLOTS_PER_TABLE = 24  # 20-minute slots from 09:00 to 17:00
ANSWERS = (("employed", 45), ("own_business", 5), ("education", 5), ("seeking", 30),
           ("not_seeking", 5), ("no_answer", 10))
OUTCOMES = (("hired", 30), ("offer_made", 10), ("shortlisted", 15), ("second_interview", 10),
            ("not_retained", 30), ("candidate_declined", 5))


def _weighted(rng, pairs):
    return rng.choices([v for v, _ in pairs], [w for _, w in pairs])[0]


class Builder:
    """Rows per table, in memory, with explicit ids."""

    def __init__(self, scale, seed):
        from jobfair.auth.passwords import hash_password
        from jobfair.models import utcnow
        from jobfair.timeutil import local_today

        self.rng = random.Random(seed)
        self.scale = scale
        self.now = utcnow()
        self.today = local_today()
        self.hash = hash_password(PASSWORD)
        self.rows = defaultdict(list)
        self.ids = defaultdict(int)
        self.n = {k: max(1, round(v * scale)) for k, v in NATIONAL.items()}
        self.n["fairs"] = max(3, self.n["fairs"])
        self.n["cohorts"] = max(6, self.n["cohorts"])
        self.summary = {"password": PASSWORD, "scale": scale}

    def add(self, table, **values):
        self.ids[table] += 1
        values["id"] = self.ids[table]
        self.rows[table].append(values)
        return values["id"]

    def user(self, email, role, **extra):
        first, last = self.rng.choice(FIRST), self.rng.choice(LAST)
        return self.add("users", email=email, role=role, password_hash=self.hash,
                        first_name=first, last_name=last, folded_name=fold(f"{first} {last}"),
                        is_enabled=True,
                        session_nonce=secrets.token_hex(8), created_at=self.now, **extra)

    # --- The programme -----------------------------------------------------------------

    def programme(self):
        from jobfair.text import slugify

        self.tracks = [self.add("tracks", name=name, slug=slugify(name)) for name in TRACKS]
        operators = [self.add("training_operators", name=f"Opérateur de formation {i + 1}",
                              city=list(REGION_CITY.values())[i % 12]) for i in range(OPERATORS)]
        self.cohorts = []  # (id, track_id, region)
        for j in range(self.n["cohorts"]):
            region = REGIONS[j % 12]
            track = self.tracks[j % len(self.tracks)]
            start = self.today - timedelta(days=150 + 30 * (j % 12))
            cohort_id = self.add("cohorts", operator_id=operators[j % OPERATORS], track_id=track,
                                 name=f"{TRACKS[j % len(TRACKS)]} — {REGION_CITY[region]} {j + 1}",
                                 city=REGION_CITY[region], start_date=start,
                                 end_date=start + timedelta(days=120))
            self.cohorts.append((cohort_id, track, region))
        self.organizers = [self.user(f"organizer{i}@bench.jobfair", "organizer") for i in (1, 2, 3)]
        self.staff = [self.user(f"staff{i}@bench.jobfair", "staff") for i in range(1, 9)]
        self.candidates_of_cohort = defaultdict(list)
        self.candidate_email = {}
        self.candidate_user = {}
        for number in range(1, self.n["candidates"] + 1):
            cohort_id, _track, region = self.cohorts[number % len(self.cohorts)]
            email = f"candidate{number}@bench.jobfair"
            user_id = self.user(email, "candidate", locale="fr")
            complete = number % 20 != 0  # one in twenty has not uploaded a CV yet
            candidate_id = self.add(
                "candidates", user_id=user_id, cohort_id=cohort_id,
                phone=f"+2126{self.rng.randint(10000000, 99999999)}", city=REGION_CITY[region],
                skills="SQL, Git, Scrum", pitch="Lauréat(e) JobInTech, motivé(e).",
                cv_filename=f"bench-cv-{number}.pdf" if complete else None,
                cv_uploaded_at=self.now if complete else None, created_at=self.now)
            self.candidates_of_cohort[cohort_id].append(candidate_id)
            self.candidate_email[candidate_id] = email
            self.candidate_user[candidate_id] = user_id

    def companies(self):
        from jobfair.companies.matching import normalise_company_name
        from jobfair.text import slugify

        self.company_rep = {}
        self.company_positions = {}
        for number in range(1, self.n["companies"] + 1):
            name = (f"{WORDS[number % len(WORDS)]} {KINDS[number % len(KINDS)]} {number}")
            slug = slugify(name)
            company_id = self.add(
                "companies", name=name, normalized_name=normalise_company_name(name), slug=slug,
                email_domain=f"{slug}.bench.jobfair", sector=SECTORS[number % len(SECTORS)],
                city=self.rng.choice(list(REGION_CITY.values())), size=SIZES[number % 5],
                description=f"{name} recrute des lauréats.", website=f"https://{slug}.example.ma",
                created_at=self.now)
            self.company_positions[company_id] = [
                self.add("positions", company_id=company_id, title=f"Développeur {TRACKS[t]}",
                         track_id=self.tracks[t], contract_type=CONTRACTS[(number + k) % 6],
                         openings=1 + (number + k) % 4, is_open=True)
                for k, t in enumerate({number % 8, (number * 3) % 8, (number * 5 + 1) % 8})]
            self.company_rep[company_id] = self.user(f"recruiter@{slug}.bench.jobfair",
                                                     "company_rep", company_id=company_id)

    # --- Fairs -------------------------------------------------------------------------

    def fairs(self):
        from jobfair.timeutil import local_to_utc

        n_fairs, n_upcoming = self.n["fairs"], max(1, round(3 * self.scale ** 0.5))
        n_upcoming = min(n_upcoming, n_fairs - 2)
        # The live and the bookable fair are national: they invite enough cohorts for the
        # entrance line (2,000 badges) and the booking rush (500 candidates).
        wide = max(math.ceil(len(self.cohorts) / 3),
                   math.ceil(len(self.cohorts) * 2200 / self.n["candidates"]))
        national = [c[0] for c in self.cohorts[:min(wide, len(self.cohorts))]]
        per_fair = min(self.n["companies"], max(20, round(40 * self.scale)))
        self.fair_list = []
        for index in range(n_fairs):
            if index == 0:
                status, day = "live", self.today
            elif index <= n_upcoming:
                status, day = "published", self.today + timedelta(days=7 + 7 * index)
            else:
                status, day = "closed", self.today - timedelta(days=30 + 25 * (index - n_upcoming))
            region = "casablanca_settat" if index <= 1 else REGIONS[index % 12]
            city = REGION_CITY[region]
            if status == "published":
                opens = self.now - timedelta(days=1)
            else:
                opens = local_to_utc(day - timedelta(days=21), time(10))
            fair_id = self.add(
                "fairs", name=f"JobInTech Job Fair {city} {index + 1}",
                slug=f"bench-fair-{index + 1}", city=city, region=region, venue="Technopark",
                description="Forum de recrutement des lauréats.", day=day, opens_at=time(9),
                closes_at=time(17), booking_opens_at=opens,
                booking_closes_at=local_to_utc(day - timedelta(days=1), time(20)),
                cancellation_deadline=local_to_utc(day - timedelta(days=1), time(18)),
                max_bookings_per_candidate=3, min_gap_minutes=15, status=status,
                hall_rows=math.ceil(per_fair / 10), hall_cols=10, created_at=self.now)
            if index <= 1:
                invited = national
            else:
                invited = [c[0] for c in self.cohorts if c[2] == region] or [
                    self.cohorts[index % len(self.cohorts)][0]]
            for cohort_id in invited:
                self.rows["fair_cohorts"].append({"fair_id": fair_id, "cohort_id": cohort_id})
            staff = self.staff if index == 0 else [self.staff[index % len(self.staff)]]
            for user_id in staff:
                self.rows["fair_staff"].append({"fair_id": fair_id, "user_id": user_id})
            companies = self.rng.sample(range(1, self.n["companies"] + 1), per_fair)
            self.fair_list.append({"id": fair_id, "status": status, "day": day, "opens": opens,
                                   "cohorts": invited, "companies": companies, "index": index})
        self.summary["live_fair_id"] = self.fair_list[0]["id"]
        self.summary["bookable_fair_id"] = self.fair_list[1]["id"]
        self.summary["upcoming_fair_ids"] = [f["id"] for f in self.fair_list[1:1 + n_upcoming]]
        self.summary["closed_fair_ids"] = [f["id"] for f in self.fair_list
                                           if f["status"] == "closed"]

    def participations(self):
        """Participations, booths, tables and slots: ``NATIONAL['slots'] × scale`` in all."""
        from jobfair.timeutil import local_to_utc, utc_offset_minutes

        approved = []
        for fair in self.fair_list:
            fair["participations"] = []
            for k, company_id in enumerate(fair["companies"]):
                # Published fairs still have a few requests waiting and one declined.
                status = "approved"
                if fair["status"] == "published" and k >= len(fair["companies"]) - 3:
                    status = "requested" if k < len(fair["companies"]) - 1 else "declined"
                decided = status != "requested"
                decided_at = fair["opens"] - timedelta(days=10) if decided else None
                part_id = self.add("participations", fair_id=fair["id"], company_id=company_id,
                                   status=status, requested_at=fair["opens"] - timedelta(days=20),
                                   decided_at=decided_at,
                                   decided_by_id=self.organizers[0] if decided else None)
                if status != "approved":
                    continue
                number = len(fair["participations"])
                self.add("booths", fair_id=fair["id"], number=f"A{number + 1}",
                         zone="A" if number < 20 else "B", grid_row=number // 10,
                         grid_col=number % 10, participation_id=part_id)
                fair["participations"].append((part_id, company_id))
                approved.append((fair, part_id))
        total = self.n["slots"]
        base, extra = divmod(total, len(approved))
        self.slots_of_fair = defaultdict(list)  # fair id -> [(slot id, part id, time index)]
        for position, (fair, part_id) in enumerate(approved):
            count = base + (1 if position < extra else 0)
            table_id = None
            for i in range(count):
                if i % SLOTS_PER_TABLE == 0:
                    table_id = self.add("interview_tables", participation_id=part_id,
                                        name=f"Table {i // SLOTS_PER_TABLE + 1}")
                index = i % SLOTS_PER_TABLE
                starts = local_to_utc(fair["day"], time(9 + index // 3, 20 * (index % 3)))
                blocked = self.rng.random() < 0.02
                slot_id = self.add("slots", table_id=table_id, starts_at=starts,
                                   ends_at=starts + timedelta(minutes=20), capacity=1,
                                   booked_count=0, is_blocked=blocked,
                                   utc_offset_minutes=utc_offset_minutes(starts))
                if not blocked and self.rng.random() < 0.03:
                    # A prerequisite: only candidates of one track; left unbooked here.
                    self.rows["slot_tracks"].append(
                        {"slot_id": slot_id, "track_id": self.rng.choice(self.tracks)})
                elif not blocked:
                    self.slots_of_fair[fair["id"]].append((slot_id, part_id, index))

    # --- Bookings and what follows ---------------------------------------------------------

    def bookings(self):
        slot_rows = self.rows["slots"]
        self.booked = defaultdict(list)  # fair id -> [(booking status, candidate, part id)]
        rush = []
        for fair in self.fair_list:
            pool = [c for cohort in fair["cohorts"] for c in self.candidates_of_cohort[cohort]
                    if self.rows["candidates"][c - 1]["cv_filename"]]
            self.rng.shuffle(pool)
            if fair["index"] == 1:  # the bookable fair: half of its candidates wait for the rush
                half = len(pool) // 2
                pool, rush = pool[:half], pool[half:]
            share = 0.6 if fair["status"] in ("closed", "live") else 0.3
            slots = self.slots_of_fair[fair["id"]]
            chosen = self.rng.sample(slots, int(len(slots) * share))
            state = {}  # candidate -> (participation ids, time indexes)
            cursor = 0
            for slot_id, part_id, index in chosen:
                for _attempt in range(12):
                    candidate = pool[cursor % len(pool)]
                    cursor += 1
                    parts, times = state.setdefault(candidate, (set(), []))
                    if (len(parts) < 3 and part_id not in parts
                            and all(abs(index - t) >= 2 for t in times)):  # 15-minute gap
                        break
                else:
                    continue
                status = self._booking_status(fair)
                if status != "cancelled":
                    parts.add(part_id)
                    times.append(index)
                    slot_rows[slot_id - 1]["booked_count"] = 1
                created = fair["opens"] + timedelta(minutes=self.rng.randint(1, 3000))
                cancelled = status == "cancelled"
                self.add("bookings", slot_id=slot_id, candidate_id=candidate,
                         participation_id=part_id, status=status, created_at=created,
                         cancelled_at=created + timedelta(hours=2) if cancelled else None,
                         cancelled_by_id=self.candidate_user[candidate] if cancelled else None)
                self.booked[fair["id"]].append((status, candidate, part_id))
        self.summary["rush_candidate_emails"] = [self.candidate_email[c] for c in rush]
        bookable = self.fair_list[1]["id"]
        self.summary["free_slot_ids"] = [
            s for s, _p, _i in self.slots_of_fair[bookable] if not slot_rows[s - 1]["booked_count"]]

    def _booking_status(self, fair):
        if fair["status"] == "closed":
            return _weighted(self.rng, (("attended", 75), ("no_show", 15), ("cancelled", 10)))
        if fair["status"] == "live":
            return _weighted(self.rng, (("attended", 30), ("active", 65), ("cancelled", 5)))
        return _weighted(self.rng, (("active", 95), ("cancelled", 5)))

    def fair_day(self):
        """Badges, check-ins, leads, outcomes and follow-ups."""
        from jobfair.timeutil import local_to_utc

        for fair in self.fair_list:
            if fair["status"] == "published":
                continue
            live = fair["status"] == "live"
            booked = self.booked[fair["id"]]
            attended = {c for s, c, _p in booked if s == "attended"}
            if live:
                holders = [c for cohort in fair["cohorts"]
                           for c in self.candidates_of_cohort[cohort]]
            else:
                holders = sorted({c for s, c, _p in booked if s != "cancelled"})
            at = local_to_utc(fair["day"], time(9))
            for candidate in holders:
                user_id = self.candidate_user[candidate]
                badge = self.add("badges", fair_id=fair["id"], user_id=user_id,
                                 token=secrets.token_urlsafe(24), created_at=fair["opens"])
                if candidate in attended or (live and self.rng.random() < 0.25):
                    # Spread over the first two hours of the day.
                    arrived = at + timedelta(seconds=len(self.rows["checkins"]) % 7200)
                    self.add("checkins", fair_id=fair["id"], user_id=user_id, badge_id=badge,
                             kind="entry", checked_in_at=arrived,
                             scanned_by_id=self.staff[candidate % 8],
                             device_name=f"Entrée — téléphone {candidate % 8 + 1}")
            for _part, company_id in fair["participations"]:
                self.add("badges", fair_id=fair["id"], user_id=self.company_rep[company_id],
                         token=secrets.token_urlsafe(24), created_at=fair["opens"])
            company_of = dict(fair["participations"])
            for status, candidate, part_id in booked:
                if status != "attended" or self.rng.random() > 0.6:
                    continue
                company_id = company_of[part_id]
                self.add("leads", participation_id=part_id, candidate_id=candidate,
                         author_id=self.company_rep[company_id], rating=self.rng.randint(1, 4),
                         notes="Bon échange, à revoir.", next_step="Entretien technique",
                         created_at=at + timedelta(hours=3), updated_at=at + timedelta(hours=3))
                if live or self.rng.random() > 0.7:
                    continue
                outcome = _weighted(self.rng, OUTCOMES)
                hired = outcome == "hired"
                self.add("outcomes", participation_id=part_id, candidate_id=candidate,
                         status=outcome,
                         contract_type=self.rng.choice(CONTRACTS) if hired else None,
                         position_id=self.company_positions[company_id][0] if hired else None,
                         start_date=fair["day"] + timedelta(days=30) if hired else None,
                         updated_by_id=self.company_rep[company_id],
                         updated_at=at + timedelta(days=self.rng.randint(3, 20)))
            if not live:
                self.follow_ups(fair, sorted(attended), list(company_of.values()))

    def follow_ups(self, fair, candidates, companies):
        from jobfair.timeutil import local_to_utc

        for day in (30, 90, 180):
            if fair["day"] + timedelta(days=day) > self.today:
                break
            sent = local_to_utc(fair["day"] + timedelta(days=day), time(8))
            for candidate in candidates:
                request = self.add("follow_up_requests", fair_id=fair["id"],
                                   candidate_id=candidate, day=day, sent_at=sent)
                if self.rng.random() > 0.6:
                    continue
                status = _weighted(self.rng, ANSWERS)
                employed = status == "employed"
                own = employed and self.rng.random() < 0.5
                self.add("follow_up_answers", fair_id=fair["id"], candidate_id=candidate,
                         request_id=request, source="candidate", status=status,
                         contract_type=self.rng.choice(CONTRACTS) if employed else None,
                         employer_company_id=self.rng.choice(companies) if own else None,
                         employer_name=None if own or not employed else "Entreprise régionale",
                         in_field=self.rng.random() < 0.7 if employed else None,
                         full_time=self.rng.random() < 0.85 if employed else None,
                         start_date=fair["day"] + timedelta(days=day // 2) if employed else None,
                         answered_at=sent + timedelta(days=self.rng.randint(1, 6)))

    def build(self):
        self.programme()
        self.companies()
        self.fairs()
        self.participations()
        self.bookings()
        self.fair_day()
        live = self.fair_list[0]
        bookable = self.fair_list[1]
        reps = [self.rows["users"][self.company_rep[c] - 1]["email"] for _p, c in
                live["participations"][:3]]
        booked_in_bookable = [self.candidate_email[c] for s, c, _p in
                              self.booked[bookable["id"]] if s == "active"][:5]
        self.summary["emails"] = {
            "organizer": [self.rows["users"][u - 1]["email"] for u in self.organizers],
            "staff": [self.rows["users"][u - 1]["email"] for u in self.staff],
            "company_rep": reps,
            "company_rep_bookable": [self.rows["users"][self.company_rep[c] - 1]["email"]
                                     for _p, c in bookable["participations"][:3]],
            "candidate": booked_in_bookable,
            "candidate_live": [self.candidate_email[c] for s, c, _p in
                               self.booked[live["id"]] if s == "active"][:5],
        }
        return self.rows


