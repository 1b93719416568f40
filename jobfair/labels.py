"""How the stored codes read in the user's language."""
from flask_babel import lazy_gettext as _l

FAIR_STATUS = {
    "draft": _l("Draft"),
    "published": _l("Published"),
    "live": _l("Live"),
    "closed": _l("Closed"),
}
PARTICIPATION_STATUS = {
    "requested": _l("Requested"),
    "approved": _l("Approved"),
    "declined": _l("Declined"),
    "withdrawn": _l("Withdrawn"),
}
SECTOR = {
    "esn": _l("IT services (ESN)"),
    "banking": _l("Banking & insurance"),
    "telecom": _l("Telecoms"),
    "software": _l("Software vendor"),
    "sme": _l("SME"),
    "startup": _l("Startup"),
    "public": _l("Public sector"),
    "other": _l("Other"),
}
CONTRACT = {
    "cdi": _l("Permanent contract (CDI)"),
    "cdd": _l("Fixed-term contract (CDD)"),
    "internship": _l("Internship"),
    "pre_hire_internship": _l("Pre-hire internship"),
    "idmaj": _l("Integration contract (Idmaj)"),
    "freelance": _l("Freelance"),
}
OUTCOME_STATUS = {
    "shortlisted": _l("Shortlisted"),
    "second_interview": _l("Second interview"),
    "offer_made": _l("Offer made"),
    "hired": _l("Hired"),
    "not_retained": _l("Not retained"),
    "candidate_declined": _l("Candidate declined"),
}
# A candidate's situation after the fair, as a follow-up answer (or its absence) says it.
FOLLOW_UP_STATUS = {
    "employed": _l("Employed"),
    "own_business": _l("Own business"),
    "education": _l("Continuing education"),
    "seeking": _l("Still seeking"),
    "not_seeking": _l("Not seeking"),
    "no_answer": _l("No answer"),
}

# The twelve regions of Morocco: proper nouns, written as the regions name themselves.
REGION = {
    "tanger_tetouan_al_hoceima": _l("Tanger-Tétouan-Al Hoceïma"),
    "oriental": _l("L'Oriental"),
    "fes_meknes": _l("Fès-Meknès"),
    "rabat_sale_kenitra": _l("Rabat-Salé-Kénitra"),
    "beni_mellal_khenifra": _l("Béni Mellal-Khénifra"),
    "casablanca_settat": _l("Casablanca-Settat"),
    "marrakech_safi": _l("Marrakech-Safi"),
    "draa_tafilalet": _l("Drâa-Tafilalet"),
    "souss_massa": _l("Souss-Massa"),
    "guelmim_oued_noun": _l("Guelmim-Oued Noun"),
    "laayoune_sakia_el_hamra": _l("Laâyoune-Sakia El Hamra"),
    "dakhla_oued_ed_dahab": _l("Dakhla-Oued Ed-Dahab"),
}

# The region of a town: cohorts and training operators record a city, figures by region need
# its region (the 12 regions of 2015). The main towns of each; folded (accents, case, dashes
# and spaces aside) when looked up. A town missing here has no region (shown as such).
_TOWNS = {
    "tanger_tetouan_al_hoceima": ("Tanger", "Tétouan", "Al Hoceïma", "Larache", "Chefchaouen",
                                  "Ouezzane", "Fnideq", "M'diq", "Martil", "Ksar El Kébir",
                                  "Asilah"),
    "oriental": ("Oujda", "Nador", "Berkane", "Taourirt", "Jerada", "Figuig", "Driouch",
                 "Guercif", "Bouarfa", "Zaïo"),
    "fes_meknes": ("Fès", "Meknès", "Taza", "Ifrane", "Sefrou", "El Hajeb", "Boulemane",
                   "Moulay Yacoub", "Taounate", "Azrou"),
    "rabat_sale_kenitra": ("Rabat", "Salé", "Kénitra", "Témara", "Skhirat", "Khémisset",
                           "Sidi Kacem", "Sidi Slimane", "Tiflet"),
    "beni_mellal_khenifra": ("Béni Mellal", "Khénifra", "Khouribga", "Fquih Ben Salah", "Azilal",
                             "Kasba Tadla"),
    "casablanca_settat": ("Casablanca", "Mohammédia", "Settat", "El Jadida", "Berrechid",
                          "Benslimane", "Sidi Bennour", "Médiouna", "Nouaceur", "Bouskoura"),
    "marrakech_safi": ("Marrakech", "Safi", "Essaouira", "El Kelâa des Sraghna", "Youssoufia",
                       "Chichaoua", "Al Haouz", "Benguerir", "Ben Guerir"),
    "draa_tafilalet": ("Errachidia", "Ouarzazate", "Zagora", "Tinghir", "Midelt", "Erfoud",
                       "Rissani"),
    "souss_massa": ("Agadir", "Inezgane", "Aït Melloul", "Taroudant", "Tiznit", "Tata",
                    "Biougra"),
    "guelmim_oued_noun": ("Guelmim", "Tan-Tan", "Sidi Ifni", "Assa Zag"),
    "laayoune_sakia_el_hamra": ("Laâyoune", "Boujdour", "Tarfaya", "Es-Semara", "Smara"),
    "dakhla_oued_ed_dahab": ("Dakhla", "Aousserd"),
}


def _town_key(name):
    from .text import ascii_fold

    return "".join(c for c in ascii_fold(name) if c.isalnum())


TOWN_REGIONS = {_town_key(town): region for region, towns in _TOWNS.items() for town in towns}


def region_of_city(city):
    """The region code of a town ("Fès" → "fes_meknes"), or None when it is not known."""
    return TOWN_REGIONS.get(_town_key(city or ""))


def init_app(app):
    @app.context_processor
    def inject_labels():
        return {
            "fair_status_label": FAIR_STATUS.get,
            "participation_status_label": PARTICIPATION_STATUS.get,
            "sector_label": SECTOR.get,
            "contract_label": CONTRACT.get,
            "region_label": REGION.get,
            "outcome_status_label": OUTCOME_STATUS.get,
        }
