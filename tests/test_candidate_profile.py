"""The candidate's profile (/me/profile) and home (/me/): validation, cohort, completeness, access."""
import html
import re

import pytest

from jobfair.candidate import services
from jobfair.errors import DomainError
from jobfair.extensions import db
from jobfair.models import Candidate, User

# --- Rules, without HTTP ----------------------------------------------------------------------

GOOD_PHONES = [
    ("0612345678", "+212612345678"),
    ("06 12 34 56 78", "+212612345678"),
    ("06.12.34.56.78", "+212612345678"),
    ("07-12-34-56-78", "+212712345678"),
    ("0522 12 34 56", "+212522123456"),
    ("+212612345678", "+212612345678"),
    ("+212 6 12 34 56 78", "+212612345678"),
    ("+212 (0)6 12 34 56 78", "+212612345678"),
    ("00212612345678", "+212612345678"),
    ("00212 5 22 12 34 56", "+212522123456"),
    ("+33 6 12 34 56 78", "+33612345678"),
    ("0033 6 12 34 56 78", "+33612345678"),
    ("+1 (415) 555-2671", "+14155552671"),
    ("+12345678", "+12345678"),                    # 8 digits: the shortest international form
    ("+123456789012345", "+123456789012345"),      # 15 digits: E.164's longest
    ("٠٦١٢٣٤٥٦٧٨", "+212612345678"),                # typed on an Arabic keyboard
]

BAD_PHONES = [
    "0812345678",         # 08 is not a Moroccan mobile or landline prefix
    "061234567",          # 9 digits
    "06123456789",        # 11 digits
    "612345678",          # no trunk 0, no country code
    "212612345678",       # country code without + or 00
    "+2126123456",        # too short after +212
    "+212812345678",      # +212 then a prefix Morocco does not use here
    "+2126123456789",     # too long after +212
    "+1234567",           # 7 digits
    "+1234567890123456",  # 16 digits
    "+0612345678",        # a country code never starts with 0
    "06 12 AB 56 78",
    "tel:0612345678",
    "06 12 34 56 7²",     # a superscript is not a digit
    "+212 6 12 34 56 78 ext 12",
]


@pytest.mark.parametrize("typed, stored", GOOD_PHONES)
def test_good_phone_numbers_are_stored_as_e164(typed, stored):
    assert services.normalise_phone(typed) == stored


@pytest.mark.parametrize("typed", BAD_PHONES)
def test_bad_phone_numbers_are_refused_with_the_field(typed):
    with pytest.raises(DomainError) as error:
        services.normalise_phone(typed)
    assert error.value.field == "phone"


def test_an_empty_phone_is_no_phone():
    assert services.normalise_phone("  ") is None


def test_phone_numbers_are_shown_back_nicely():
    assert services.format_phone("+212612345678") == "06 12 34 56 78"
    assert services.format_phone("+212522123456") == "05 22 12 34 56"
    assert services.format_phone("+33612345678") == "+33612345678"
    assert services.format_phone(None) == ""
    # What is shown is typed back to the same number.
    assert services.normalise_phone(services.format_phone("+212712345678")) == "+212712345678"


@pytest.mark.parametrize("typed, stored", [
    ("https://www.linkedin.com/in/salma-benali", "https://www.linkedin.com/in/salma-benali"),
    ("https://linkedin.com/in/salma-benali/", "https://www.linkedin.com/in/salma-benali/"),
    ("  linkedin.com/in/salma  ", "https://www.linkedin.com/in/salma"),
    ("HTTPS://WWW.LinkedIn.com/in/Salma?trk=x#top", "https://www.linkedin.com/in/Salma"),
])
def test_good_linkedin_addresses(typed, stored):
    assert services.normalise_linkedin_url(typed) == stored


@pytest.mark.parametrize("typed", [
    "http://www.linkedin.com/in/salma",           # not https
    "https://www.linkedin.com/",                  # no profile
    "https://linkedin.com",
    "https://evil.example/linkedin.com/in/salma",  # another site
    "https://linkedin.com.evil.example/in/salma",
    "https://www.linkedin.com@evil.example/in/salma",  # user part: the host is evil.example
    "https://www.linkedin.com:8443/in/salma",
    "https://fr.linkedin.com/in/salma",
    "javascript:alert(1)",
    "ftp://linkedin.com/in/salma",
    "https://www.linkedin.com/in/sal ma",
])
def test_bad_linkedin_addresses(typed):
    with pytest.raises(DomainError) as error:
        services.normalise_linkedin_url(typed)
    assert error.value.field == "linkedin_url"


@pytest.mark.parametrize("typed, stored", [
    ("https://github.com/salma-b", "https://github.com/salma-b"),
    ("https://github.com/salma-b/", "https://github.com/salma-b"),
    ("github.com/Salma42", "https://github.com/Salma42"),
    ("https://www.github.com/salma?tab=repositories", "https://github.com/salma"),
])
def test_good_github_addresses(typed, stored):
    assert services.normalise_github_url(typed) == stored


@pytest.mark.parametrize("typed", [
    "http://github.com/salma",
    "https://github.com/",
    "https://github.com/salma/projet",   # a repository, not the profile
    "https://gitlab.com/salma",
    "https://github.com.evil.example/salma",
    "https://github.com@evil.example/salma",
    "https://github.com/-salma",
    "https://github.com/salma-",
    "https://github.com/sal--ma",
    "https://github.com/" + "a" * 40,
    "https://github.com/sal_ma",
])
def test_bad_github_addresses(typed):
    with pytest.raises(DomainError) as error:
        services.normalise_github_url(typed)
    assert error.value.field == "github_url"


def test_skills_are_trimmed_and_deduplicated():
    assert services.normalise_skills(" Java, spring  boot ,SQL,java,, Git ") == "Java, spring boot, SQL, Git"
    assert services.normalise_skills(" , ") is None
    assert services.skill_list("Java, SQL") == ["Java", "SQL"]
    with pytest.raises(DomainError):
        services.normalise_skills("x" * 51)
    with pytest.raises(DomainError):
        services.normalise_skills(", ".join(f"skill {n}" for n in range(31)))


def test_the_pitch_has_at_most_500_characters():
    assert services.normalise_pitch("a" * 500) == "a" * 500
    # A browser's \r\n counts as one character.
    assert services.normalise_pitch("a\r\n" * 166 + "ab") is not None
    with pytest.raises(DomainError) as error:
        services.normalise_pitch("a" * 501)
    assert error.value.field == "pitch"


def test_a_set_cohort_is_kept_by_the_service(make):
    first, second = make.cohort(), make.cohort()
    user = make.candidate(cohort_=first)
    with pytest.raises(DomainError) as error:
        services.update_profile(user.candidate, first_name="A", last_name="B", phone="", city="",
                                linkedin_url="", github_url="", skills="", pitch="", cohort=second)
    assert error.value.field == "cohort_id"
    assert user.candidate.cohort_id == first.id


def test_missing_items_follow_the_profile(make):
    user = make.candidate()
    assert len(services.missing_profile_items(user.candidate)) == 4
    user.candidate.city = "Rabat"
    assert len(services.missing_profile_items(user.candidate)) == 3
    user.candidate.phone = "+212612345678"
    user.candidate.cohort, user.candidate.cv_filename = make.cohort(), "a" * 32 + ".pdf"
    assert services.profile_is_complete(user.candidate)


# --- The profile page -------------------------------------------------------------------------

GOOD_FORM = {
    "first_name": "Salma",
    "last_name": "Benali",
    "phone": "06 12 34 56 78",
    "city": "Casablanca",
    "linkedin_url": "https://www.linkedin.com/in/salma-benali",
    "github_url": "https://github.com/salma-b",
    "skills": "Java, Spring Boot, SQL",
    "pitch": "Développeuse Java, je cherche un CDI à Casablanca.",
}


@pytest.fixture
def salma(make):
    cohort = make.cohort(name="Promo Java Casa 2026")
    cohort.track.name = "Java/JEE"
    return make.candidate(email="salma@example.ma", cohort_=cohort)


def test_saving_a_good_profile_normalises_it(auth, client, salma):
    auth.login_as(salma)
    response = auth.post("/me/profile", GOOD_FORM)
    assert response.status_code == 303 and response.headers["Location"].endswith("/me/profile")
    db.session.expire_all()
    candidate = db.session.get(Candidate, salma.candidate.id)
    assert candidate.phone == "+212612345678"
    assert candidate.city == "Casablanca"
    assert candidate.linkedin_url == "https://www.linkedin.com/in/salma-benali"
    assert candidate.github_url == "https://github.com/salma-b"
    assert candidate.skills == "Java, Spring Boot, SQL"
    assert candidate.pitch.startswith("Développeuse Java")
    assert (candidate.user.first_name, candidate.user.last_name) == ("Salma", "Benali")

    page = client.get("/me/profile")
    assert 'value="06 12 34 56 78"' in page.text  # shown back nicely
    tags = re.search(r'<ul class="tag-list cand-skills"[^>]*>(.*?)</ul>', page.text, re.DOTALL).group(1)
    assert re.findall(r"<li>(.*?)</li>", tags) == ["Java", "Spring Boot", "SQL"]


def test_an_international_number_is_saved(auth, salma):
    auth.login_as(salma)
    assert auth.post("/me/profile", dict(GOOD_FORM, phone="+33 6 12 34 56 78")).status_code == 303
    db.session.expire_all()
    assert db.session.get(Candidate, salma.candidate.id).phone == "+33612345678"


@pytest.mark.parametrize("field, typed, message", [
    ("phone", "0812345678", "Moroccan number"),
    ("phone", "+212 6 12", "Moroccan number"),
    ("phone", "+1234", "8 to 15 digits"),
    ("phone", "06 12 AB 56 78", "only digits"),
    ("linkedin_url", "http://www.linkedin.com/in/salma", "https://"),
    ("linkedin_url", "https://evil.example/in/salma", "LinkedIn"),
    ("linkedin_url", "https://www.linkedin.com@evil.example/in/salma", "not valid"),
    ("github_url", "https://github.com/salma/projet", "GitHub"),
    ("github_url", "https://gitlab.com/salma", "GitHub"),
    ("pitch", "a" * 501, "501 characters"),
    ("skills", "x" * 60, "at most 50 characters"),
    ("first_name", "", "first name"),
    ("last_name", "   ", "last name"),
])
def test_a_bad_field_is_reported_next_to_it_and_nothing_is_saved(auth, client, salma, field, typed, message):
    auth.login_as(salma)
    auth.use_language("en")
    response = auth.post("/me/profile", dict(GOOD_FORM, **{field: typed}))
    assert response.status_code == 200
    error = re.search(rf'<p class="error" id="{field}-error"[^>]*>(.*?)</p>', response.text, re.DOTALL)
    assert error and message in html.unescape(error.group(1))
    # What was typed is kept, in this field and the others.
    assert 'value="Casablanca"' in response.text
    if field == "pitch":
        assert "a" * 501 + "</textarea>" in response.text
    else:
        assert "Développeuse Java, je cherche un CDI" in response.text
        if typed.strip():
            assert f'value="{html.escape(typed)}"' in response.text
    db.session.expire_all()
    candidate = db.session.get(Candidate, salma.candidate.id)
    assert candidate.phone is None and candidate.city is None and candidate.pitch is None


def test_the_page_shows_the_cohort_and_its_track_read_only(auth, client, make, salma):
    other = make.cohort(name="Promo Data Rabat")
    auth.login_as(salma)
    page = client.get("/me/profile")
    assert page.status_code == 200
    cohort = re.search(r'<dl class="summary cand-cohort" id="cohort">(.*?)</dl>', page.text, re.DOTALL).group(1)
    assert "Promo Java Casa 2026" in cohort and "Java/JEE" in cohort
    assert 'name="cohort_id"' not in page.text
    # A forged cohort_id is ignored: the cohort stays the organizers'.
    assert auth.post("/me/profile", dict(GOOD_FORM, cohort_id=str(other.id))).status_code == 303
    db.session.expire_all()
    assert db.session.get(Candidate, salma.candidate.id).cohort.name == "Promo Java Casa 2026"


def test_a_candidate_without_a_cohort_chooses_it_once(auth, client, make):
    cohort = make.cohort(name="Promo Cloud Tanger")
    user = make.candidate()
    auth.login_as(user)
    page = client.get("/me/profile")
    assert 'name="cohort_id"' in page.text and "Promo Cloud Tanger" in page.text
    assert auth.post("/me/profile", dict(GOOD_FORM, cohort_id=str(cohort.id))).status_code == 303
    db.session.expire_all()
    assert db.session.get(Candidate, user.candidate.id).cohort_id == cohort.id
    page = client.get("/me/profile")
    assert 'name="cohort_id"' not in page.text and "Promo Cloud Tanger" in page.text


def test_an_unknown_cohort_id_is_refused(auth, make):
    user = make.candidate()
    auth.login_as(user)
    response = auth.post("/me/profile", dict(GOOD_FORM, cohort_id="999999"))
    assert response.status_code == 200 and 'id="cohort_id-error"' in response.text
    db.session.expire_all()
    assert db.session.get(Candidate, user.candidate.id).cohort_id is None


def test_the_pitch_has_a_counter_hint(auth, client, salma):
    auth.login_as(salma)
    auth.use_language("en")
    page = client.get("/me/profile").text
    assert "at most 500 characters" in page
    assert 'data-counter-for="pitch"' in page and 'data-max-chars="500"' in page
    assert "/static/candidate.js" in page


# --- Home: completeness and fairs --------------------------------------------------------------


def test_home_lists_what_is_missing_with_a_link_to_the_profile(auth, client, salma):
    auth.login_as(salma)
    auth.use_language("en")
    page = client.get("/me/")
    assert page.status_code == 200
    missing = re.search(r'<ul id="missing-items">(.*?)</ul>', page.text, re.DOTALL).group(1)
    assert re.findall(r"<li>(.*?)</li>", missing) == ["phone number", "city", "CV (PDF)"]
    assert 'id="complete-profile"' in page.text and 'href="/me/profile"' in page.text
    assert "Promo Java Casa 2026" in page.text and "Java/JEE" in page.text


def test_home_says_when_the_profile_is_complete(auth, client, salma):
    salma.candidate.phone, salma.candidate.city = "+212612345678", "Casablanca"
    salma.candidate.cv_filename = "0" * 32 + ".pdf"
    auth.login_as(salma)
    auth.use_language("en")
    page = client.get("/me/")
    assert 'id="missing-items"' not in page.text and "Your profile is complete." in page.text


def test_home_lists_the_public_fairs_inviting_the_cohort(auth, client, make, salma):
    cohort = salma.candidate.cohort
    shown = {make.fair(name="Salon Casablanca", status="published"),
             make.fair(name="Salon Rabat", status="live")}
    hidden = {make.fair(name="Salon Brouillon", status="draft"),
              make.fair(name="Salon Passé", status="closed")}
    for fair in shown | hidden:
        fair.cohorts.append(cohort)
    other = make.fair(name="Salon Autre Promo")
    other.cohorts.append(make.cohort())
    auth.login_as(salma)
    page = client.get("/me/").text
    for fair in shown:
        assert fair.name in page and f'id="fair-{fair.id}"' in page
    for fair in hidden | {other}:
        assert fair.name not in page
    # Each fair links to its company directory and the candidate's schedule (booking pages).
    for fair in shown:
        card = re.search(rf'id="fair-{fair.id}"(.*?)</li>', page, re.DOTALL).group(1)
        assert f'href="/me/fairs/{fair.id}/companies"' in card
        assert f'href="/me/fairs/{fair.id}/schedule"' in card


# --- Access to every route of the candidate's space (roles: the authorization matrix) ----------

ROUTES = [("GET", "/me/"), ("GET", "/me/profile"), ("POST", "/me/profile"),
          ("POST", "/me/cv"), ("POST", "/me/cv/remove")]


@pytest.mark.parametrize("method, url", ROUTES)
def test_a_candidate_account_without_profile_gets_404(auth, client, make, method, url):
    auth.login_as(make.user(role="candidate"))
    response = client.get(url) if method == "GET" else auth.post(url, GOOD_FORM, page="/login")
    assert response.status_code == 404


def test_a_post_without_csrf_token_changes_nothing(auth, client, salma):
    auth.login_as(salma)
    response = client.post("/me/profile", data=GOOD_FORM)
    assert response.status_code == 400
    db.session.expire_all()
    assert db.session.get(Candidate, salma.candidate.id).phone is None


def test_a_candidate_only_changes_their_own_profile(auth, client, make, salma):
    other = make.candidate(email="other@example.ma")
    auth.login_as(salma)
    assert auth.post("/me/profile", GOOD_FORM).status_code == 303
    db.session.expire_all()
    assert db.session.get(User, other.id).first_name != "Salma"
    assert db.session.get(Candidate, other.candidate.id).phone is None
