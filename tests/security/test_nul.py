"""A NUL in a form or a query string is dropped where values enter the app (jobfair/requests.py):
the same request gives the same result on SQLite (which would store it) and PostgreSQL (which
refuses it)."""
from jobfair.extensions import db
from jobfair.models import Track


def test_a_nul_in_a_form_field_is_dropped_and_the_rest_is_kept(client, auth, organizer):
    auth.login_as(organizer)
    answer = auth.post("/organizer/tracks/new", {"name": "Data\x00 & IA"})
    assert answer.status_code == 303, answer.data[:300]
    assert db.session.query(Track.name).scalar() == "Data & IA"


def test_a_nul_in_a_query_string_is_dropped(client, auth, organizer):
    auth.login_as(organizer)
    answer = client.get("/organizer/candidates?q=Ben%00nani")
    assert answer.status_code == 200
    assert 'value="Bennani"' in answer.get_data(as_text=True)
