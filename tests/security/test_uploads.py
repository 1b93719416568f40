"""Hostile files: random bytes, polyglots, lying names, markup inside a list, a zip bomb.

(tests/test_cv_upload.py and tests/test_imports.py cover wrong types, zero-byte, oversized and
formula cells one by one; here random files must never break the upload, and what is kept is
never served or shown as something that runs.)
"""
import io
import re
import zipfile

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jobfair.extensions import db
from jobfair.imports import parsing
from jobfair.models import Candidate

from .hostile_world import script_problems

SETTINGS = settings(max_examples=15, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])
PREFIXES = [b"", b"%PDF-1.4\n", b"PK\x03\x04", b"MZ\x90\x00", b"\xef\xbb\xbf", b"\xff\xfe",
            b"<html>", b"%PDF-1.7\n<script>alert(1)</script>\n", b"Pr\xc3\xa9nom;Nom;Email\r\n"]
SUFFIXES = [b"", b"\n%%EOF\n", b"\x00" * 10]
RANDOM_FILES = st.builds(lambda a, b, c: a + b + c, st.sampled_from(PREFIXES),
                         st.binary(max_size=2000), st.sampled_from(SUFFIXES))
POLYGLOT_PDF = (b"%PDF-1.4\n<html><body><script>alert(document.cookie)</script>"
                b"<img src=x onerror=alert(1)></body></html>\n%%EOF\n")


@pytest.fixture
def instance(app, tmp_path, monkeypatch):
    monkeypatch.setattr(app, "instance_path", str(tmp_path))
    return tmp_path


@pytest.fixture
def salma(make):
    person = make.candidate(email="salma@example.ma", cohort_=make.cohort())
    person.locale = "en"
    db.session.commit()
    return person


def _upload_cv(auth, data, filename="cv.pdf", content_type="application/pdf"):
    return auth.post("/me/cv", {"cv": (io.BytesIO(data), filename, content_type)},
                     page="/me/profile", content_type="multipart/form-data")


def _cv_error(response):
    match = re.search(r'id="cv-error"[^>]*>(.*?)</p>', response.text, re.DOTALL)
    return match.group(1).strip() if match else None


def test_random_files_as_a_cv_are_refused_with_a_message_or_kept_as_pdf(auth, instance, salma):
    auth.login_as(salma)

    @SETTINGS
    @given(data=RANDOM_FILES, name=st.sampled_from(["cv.pdf", "cv.PDF", "cv.exe", "cv", ".pdf"]))
    def upload(data, name):
        response = _upload_cv(auth, data, name)
        assert response.status_code in (200, 303), response.status_code
        if response.status_code == 200:
            assert _cv_error(response), "a refused file needs a message next to the field"
        else:
            db.session.rollback()
            stored = db.session.get(Candidate, salma.candidate.id).cv_filename
            assert (instance / "cvs" / stored).read_bytes()[:5] == b"%PDF-"

    upload()


def test_a_pdf_html_polyglot_is_only_ever_downloaded_as_a_pdf(auth, client, instance, salma):
    """A PDF header with HTML inside passes the content check (it is a PDF to a reader); it
    must never reach a browser as a page."""
    auth.login_as(salma)
    assert _upload_cv(auth, POLYGLOT_PDF, "cv.html", "text/html").status_code == 303
    response = client.get(f"/candidates/{salma.candidate.id}/cv")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert not list((instance / "cvs").glob("*.html")), "stored under our name, not theirs"


@pytest.mark.parametrize("name", [
    # (A browser sends a quote in a file name as %22; the test client would not.)
    "<script>alert(1)</script>.pdf", "'><img src=x onerror=alert(1)>.pdf", "../../../etc/passwd.pdf", "cv\u202efdp.exe.pdf",
    "c:\\windows\\win.ini.pdf", "cv\x00.pdf", "a" * 1000 + ".pdf", "مرحبا.pdf",
])
def test_a_hostile_cv_name_is_neither_a_path_nor_markup(auth, client, instance, salma, name):
    auth.login_as(salma)
    response = _upload_cv(auth, b"%PDF-1.4\n%%EOF\n", name)
    assert response.status_code == 303
    (stored,) = list((instance / "cvs").iterdir())
    assert re.fullmatch(r"[A-Za-z0-9_-]+\.pdf", stored.name), stored.name
    page = client.get("/me/profile")
    assert not script_problems(page.text) and "<script>alert(1)" not in page.text


def _import(auth, data, filename):
    return auth.post("/organizer/candidates/import",
                     {"file": (io.BytesIO(data), filename), "cohort_id": "0"},
                     content_type="multipart/form-data")


def test_random_files_as_a_candidate_list_never_break_the_import(auth, organizer, instance):
    db.session.commit()
    auth.login_as(organizer)

    @SETTINGS
    @given(data=RANDOM_FILES, name=st.sampled_from(["liste.csv", "liste.xlsx", "liste.CSV"]))
    def upload(data, name):
        response = _import(auth, data, name)
        assert response.status_code in (200, 303), response.status_code
        if response.status_code == 200:
            assert re.search(r'id="file-error"[^>]*>\s*\S', response.text), \
                "a refused file needs a message next to the field"
        assert not script_problems(response.text)

    upload()


def test_markup_inside_a_list_is_shown_as_text(auth, organizer, instance, make):
    make.cohort(name="Java — Casablanca")
    db.session.commit()
    auth.login_as(organizer)
    rows = ["Prénom;Nom;Email;Promotion",
            "<script>alert(1)</script>;'><img src=x onerror=alert(1)>;a@example.ma;Java — Casablanca",
            "<b>Omar</b>;Benali;b@example.ma;Java — Casablanca"]
    response = _import(auth, "\r\n".join(rows).encode(), "liste.csv")
    # Lines with problems are listed on the upload page; a clean file goes to the preview.
    page = auth.client.get(response.headers["Location"]) if response.status_code == 303 \
        else response
    assert page.status_code == 200
    assert not script_problems(page.text)
    assert "<script>alert(1)" not in page.text and "<img src=x" not in page.text
    assert "&lt;script&gt;alert(1)" in page.text or "&lt;b&gt;Omar" in page.text


def test_an_xlsx_that_unpacks_to_hundreds_of_megabytes_is_refused_unread(app):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("xl/worksheets/sheet1.xml", "w") as sheet:
            chunk = b"0" * (1024 * 1024)
            for _ in range(parsing.MAX_XLSX_UNPACKED_BYTES // len(chunk) + 1):
                sheet.write(chunk)
    data = buffer.getvalue()
    assert len(data) < 1024 * 1024  # small to send, huge to open
    with app.test_request_context():
        with pytest.raises(parsing.DomainError) as error:
            parsing.read_rows(data)
    assert error.value.field == "file"


def _workbook(formula=False):
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["Prénom", "Nom", "Email", "Promotion"])
    sheet.append(["=1+1" if formula else "Salma", "Alaoui", "salma@example.ma", "Java"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _document_renamed():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


@pytest.mark.parametrize("what, data, filename, expected", [
    ("zero bytes", b"", "liste.csv", "empty"),
    ("a Word file renamed .xlsx", _document_renamed(), "liste.xlsx", "not an Excel .xlsx workbook"),
    ("a workbook with a formula", _workbook(formula=True), "liste.xlsx",
     "looks like a spreadsheet formula"),
])
def test_each_bad_list_is_refused_with_a_readable_message(auth, make, organizer, instance, what,
                                                          data, filename, expected):
    make.cohort(name="Java")
    db.session.commit()
    auth.login_as(organizer)
    auth.use_language("en")
    response = _import(auth, data, filename)
    assert response.status_code == 200, what
    assert expected in response.text, what
    assert db.session.query(Candidate).count() == 0


def test_a_zero_byte_cv_is_refused_with_a_readable_message(auth, instance, salma):
    auth.login_as(salma)
    response = _upload_cv(auth, b"", "cv.pdf")
    assert response.status_code == 200 and _cv_error(response)
