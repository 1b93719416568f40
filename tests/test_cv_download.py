"""A candidate's CV: the candidate, organizers and companies approved at a fair inviting them."""
import pytest

from jobfair.extensions import db

PDF = b"%PDF-1.4\n% a tiny test CV\n%%EOF\n"


@pytest.fixture
def cv_dir(app, tmp_path, monkeypatch):
    """CVs live in <instance>/cvs; the test gets an instance folder of its own."""
    monkeypatch.setattr(app, "instance_path", str(tmp_path))
    folder = tmp_path / "cvs"
    folder.mkdir()
    (folder / "a1b2c3.pdf").write_bytes(PDF)
    (tmp_path / "secret.txt").write_text("not a CV")
    return folder


@pytest.fixture
def people(make, cv_dir):
    cohort = make.cohort()
    other_cohort = make.cohort()
    fair = make.fair()
    fair.cohorts.append(cohort)
    other_fair = make.fair()
    other_fair.cohorts.append(other_cohort)
    owner = make.candidate(cohort_=cohort, email="salma@example.ma", cv_filename="a1b2c3.pdf")
    owner.first_name, owner.last_name = "Salma", "Benali"
    make.consent(fair, owner)  # companies see her CV (jobfair/privacy; tests/test_privacy_*)

    def rep_at(fair_, status="approved"):
        company = make.company()
        if fair_ is not None:
            make.participation(fair_, company, status=status)
        return make.user(role="company_rep", company=company)

    return {
        "owner": owner,
        "url": f"/candidates/{owner.candidate.id}/cv",
        "organizer": make.user(role="organizer"),
        "approved rep": rep_at(fair),
        "requested rep": rep_at(fair, status="requested"),
        "withdrawn rep": rep_at(fair, status="withdrawn"),
        "rep of another fair": rep_at(other_fair),
        "rep without fair": rep_at(None),
    }


@pytest.mark.parametrize("who", ["owner", "organizer", "approved rep"])
def test_allowed_people_download_the_pdf_as_an_attachment(auth, client, people, who):
    auth.login_as(people[who])
    response = client.get(people["url"])
    assert response.status_code == 200
    assert response.data == PDF
    assert response.mimetype == "application/pdf"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment") and "cv-salma-benali.pdf" in disposition
    assert "no-store" in response.headers["Cache-Control"]


# Another candidate, staff and anonymous visitors: the authorization matrix.
@pytest.mark.parametrize("who", ["requested rep", "withdrawn rep", "rep of another fair",
                                 "rep without fair"])
def test_other_companies_get_404(auth, client, people, who):
    auth.login_as(people[who])
    response = client.get(people["url"])
    assert response.status_code == 404
    assert PDF not in response.data


def test_no_cv_is_404_even_for_an_organizer(auth, client, make, people):
    without = make.candidate(cohort_=people["owner"].candidate.cohort)
    missing_file = make.candidate(cv_filename="gone.pdf")
    auth.login_as(people["organizer"])
    assert client.get(f"/candidates/{without.candidate.id}/cv").status_code == 404
    assert client.get(f"/candidates/{missing_file.candidate.id}/cv").status_code == 404
    assert client.get("/candidates/999999/cv").status_code == 404


def test_a_stored_name_cannot_reach_outside_the_cv_folder(auth, client, people):
    people["owner"].candidate.cv_filename = "../secret.txt"
    db.session.commit()
    auth.login_as(people["organizer"])
    response = client.get(people["url"])
    assert response.status_code == 404 and b"not a CV" not in response.data


def test_a_candidate_without_cohort_is_not_shown_to_companies(auth, client, people):
    people["owner"].candidate.cohort_id = None
    auth.login_as(people["approved rep"])
    assert client.get(people["url"]).status_code == 404


@pytest.mark.parametrize("status, expected", [("draft", 404), ("published", 200), ("live", 200),
                                              ("closed", 200)])
def test_companies_see_cvs_once_the_fair_is_public(auth, client, make, people, status, expected):
    """A draft fair is the organizers' work in progress: its companies see no CV yet."""
    fair = make.fair(status=status)
    fair.cohorts.append(people["owner"].candidate.cohort)
    make.consent(fair, people["owner"])
    company = make.company()
    make.participation(fair, company, status="approved")
    auth.login_as(make.user(role="company_rep", company=company))
    assert client.get(people["url"]).status_code == expected


def test_a_rep_of_a_company_without_company_id_gets_404(auth, client, make, people):
    auth.login_as(make.user(role="company_rep"))
    assert client.get(people["url"]).status_code == 404
