"""Uploading a CV: a PDF by its content, at most 5 MB, stored under <instance>/cvs with a random name."""
import io
import os
import re
from pathlib import Path

import pytest

from jobfair.candidate import services
from jobfair.errors import DomainError
from jobfair.extensions import db
from jobfair.models import Candidate

PDF = (b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n"
       b"startxref\n0\n%%EOF\n")
STORED_NAME = re.compile(r"[0-9a-f]{32}\.pdf")

NOT_PDFS = {
    "html renamed .pdf": b"<!doctype html><html><body><script>alert(1)</script></body></html>",
    "exe renamed .pdf": b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\x00" * 200 + b"This program cannot be run in DOS mode",
    "zip renamed .pdf": b"PK\x03\x04\x14\x00\x00\x00\x08\x00" + b"\x00" * 100 + b"PK\x05\x06" + b"\x00" * 18,
    "html polyglot": b"<html><!-- " + PDF + b" --></html>",
    "gif polyglot": b"GIF89a\x01\x00\x01\x00" + PDF,
    "whitespace before the header": b"  \n" + PDF,
    "no %%EOF": PDF.replace(b"%%EOF", b""),
    "%%EOF far from the end": PDF + b"A" * 4096,
    "text saying %PDF later": b"hello\n%PDF-1.4\n%%EOF\n",
    "bad version": b"%PDF-x\n%%EOF\n",
}


@pytest.fixture
def cv_dir(app, tmp_path, monkeypatch):
    """CVs live in <instance>/cvs; the test gets an instance folder of its own."""
    monkeypatch.setattr(app, "instance_path", str(tmp_path / "instance"))
    return tmp_path / "instance" / "cvs"


@pytest.fixture
def salma(make):
    return make.candidate(email="salma@example.ma", cohort_=make.cohort())


def upload(auth, data, filename="CV Salma Benali.pdf", content_type="application/pdf", **kwargs):
    return auth.post("/me/cv", {"cv": (io.BytesIO(data), filename, content_type)},
                     page="/me/profile", content_type="multipart/form-data", **kwargs)


def stored(candidate_user):
    db.session.expire_all()
    return db.session.get(Candidate, candidate_user.candidate.id)


def files_in(folder):
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def cv_error(response):
    match = re.search(r'<p class="error" id="cv-error"[^>]*>(.*?)</p>', response.text, re.DOTALL)
    return match.group(1) if match else None


# --- The content rule, without HTTP -------------------------------------------------------------


def test_a_pdf_passes_the_content_check():
    services.check_cv(PDF)
    services.check_cv(b"%PDF-2.0\n" + b"x" * 1000 + b"\n%%EOF\r\n")


@pytest.mark.parametrize("name", sorted(NOT_PDFS))
def test_other_contents_are_refused(name):
    with pytest.raises(DomainError) as error:
        services.check_cv(NOT_PDFS[name])
    assert error.value.field == "cv"


def test_size_limits():
    services.check_cv(b"%PDF-1.4\n" + b"x" * (services.MAX_CV_BYTES - 16) + b"\n%%EOF\n")
    with pytest.raises(DomainError):
        services.check_cv(b"%PDF-1.4\n" + b"x" * (services.MAX_CV_BYTES - 15) + b"\n%%EOF\n")
    with pytest.raises(DomainError):
        services.check_cv(b"")


def test_delete_cv_file_never_leaves_the_folder(tmp_path):
    (tmp_path / "secret.txt").write_text("keep me")
    folder = tmp_path / "cvs"
    folder.mkdir()
    assert services.delete_cv_file(str(folder), "../secret.txt") is False
    assert services.delete_cv_file(str(folder), "/etc/passwd") is False
    assert (tmp_path / "secret.txt").exists()


# --- Uploading through the page -----------------------------------------------------------------


def test_a_good_pdf_is_stored_under_a_random_name(app, auth, client, cv_dir, salma):
    auth.login_as(salma)
    auth.use_language("en")
    response = upload(auth, PDF)
    assert response.status_code == 303 and response.headers["Location"].endswith("/me/profile#cv")
    candidate = stored(salma)
    assert STORED_NAME.fullmatch(candidate.cv_filename)
    assert candidate.cv_uploaded_at is not None
    assert files_in(cv_dir) == [candidate.cv_filename]
    assert (cv_dir / candidate.cv_filename).read_bytes() == PDF
    # Outside static/, and nothing of the user's file name on disk.
    path = (cv_dir / candidate.cv_filename).resolve()
    assert Path(app.static_folder).resolve() not in path.parents
    assert "Salma" not in str(path) and "Benali" not in str(path)
    # The page shows it with a download link, "Replace" and "Remove".
    page = client.get("/me/profile").text
    assert 'id="current-cv"' in page and "Your CV was uploaded on" in page
    assert f'href="/candidates/{candidate.id}/cv"' in page
    assert "Replace my CV" in page and 'id="remove-cv-form"' in page
    # And the download gives back the very bytes.
    download = client.get(f"/candidates/{candidate.id}/cv")
    assert download.status_code == 200 and download.data == PDF


def test_the_content_decides_not_the_name_or_the_browser_type(auth, cv_dir, salma):
    auth.login_as(salma)
    response = upload(auth, PDF, filename="cv.txt", content_type="text/plain")
    assert response.status_code == 303
    assert files_in(cv_dir) == [stored(salma).cv_filename]


@pytest.mark.parametrize("name", ["html renamed .pdf", "exe renamed .pdf", "zip renamed .pdf",
                                  "html polyglot", "gif polyglot", "%%EOF far from the end"])
def test_a_file_that_is_not_a_pdf_is_refused(auth, cv_dir, salma, name):
    auth.login_as(salma)
    auth.use_language("en")
    response = upload(auth, NOT_PDFS[name], filename="cv.pdf", content_type="application/pdf")
    assert response.status_code == 200
    assert "not a PDF" in cv_error(response)
    assert stored(salma).cv_filename is None
    assert files_in(cv_dir) == []


def test_an_empty_file_is_refused(auth, cv_dir, salma):
    auth.login_as(salma)
    auth.use_language("en")
    response = upload(auth, b"")
    assert response.status_code == 200 and "empty" in cv_error(response)
    assert stored(salma).cv_filename is None and files_in(cv_dir) == []


def test_sending_no_file_asks_for_one(auth, cv_dir, salma):
    auth.login_as(salma)
    auth.use_language("en")
    response = auth.post("/me/cv", {}, page="/me/profile", content_type="multipart/form-data")
    assert response.status_code == 200 and "Choose your CV" in cv_error(response)
    assert stored(salma).cv_filename is None


def test_five_megabytes_are_accepted_and_one_byte_more_is_refused(auth, cv_dir, salma):
    auth.login_as(salma)
    auth.use_language("en")
    body = b"%PDF-1.4\n" + b"x" * (services.MAX_CV_BYTES - 16) + b"\n%%EOF\n"
    assert len(body) == services.MAX_CV_BYTES
    too_big = body[:-7] + b"x\n%%EOF\n"
    assert len(too_big) == services.MAX_CV_BYTES + 1
    response = upload(auth, too_big)
    assert response.status_code == 200 and "larger than 5 MB" in cv_error(response)
    assert stored(salma).cv_filename is None and files_in(cv_dir) == []
    assert upload(auth, body).status_code == 303
    assert (cv_dir / stored(salma).cv_filename).stat().st_size == services.MAX_CV_BYTES


def test_a_request_over_the_app_limit_gets_the_413_page(app, auth, cv_dir, salma):
    auth.login_as(salma)
    auth.use_language("en")
    huge = b"%PDF-1.4\n" + b"x" * app.config["MAX_CONTENT_LENGTH"] + b"\n%%EOF\n"
    response = upload(auth, huge)
    assert response.status_code == 413 and "File too large" in response.text
    assert stored(salma).cv_filename is None and files_in(cv_dir) == []


def test_replacing_the_cv_removes_the_old_file(auth, cv_dir, salma):
    auth.login_as(salma)
    upload(auth, PDF)
    first = stored(salma).cv_filename
    second_pdf = PDF.replace(b"Catalog", b"Catalog /Lang (fr)")
    assert upload(auth, second_pdf, filename="CV Salma Benali.pdf").status_code == 303
    second = stored(salma).cv_filename
    assert second != first
    assert files_in(cv_dir) == [second]
    assert (cv_dir / second).read_bytes() == second_pdf


def test_a_refused_replacement_keeps_the_current_cv(auth, cv_dir, salma):
    auth.login_as(salma)
    upload(auth, PDF)
    first = stored(salma).cv_filename
    assert upload(auth, NOT_PDFS["exe renamed .pdf"]).status_code == 200
    assert stored(salma).cv_filename == first and files_in(cv_dir) == [first]


def test_removing_the_cv(auth, client, cv_dir, salma):
    auth.login_as(salma)
    auth.use_language("en")
    upload(auth, PDF)
    candidate_id = stored(salma).id
    response = auth.post("/me/cv/remove", page="/me/profile")
    assert response.status_code == 303
    candidate = stored(salma)
    assert candidate.cv_filename is None and candidate.cv_uploaded_at is None
    assert files_in(cv_dir) == []
    page = client.get("/me/profile").text
    assert 'id="no-cv"' in page and "Upload my CV" in page and 'id="remove-cv-form"' not in page
    assert client.get(f"/candidates/{candidate_id}/cv").status_code == 404


def test_the_stored_file_is_not_reachable_under_static(app, auth, client, cv_dir, salma):
    auth.login_as(salma)
    upload(auth, PDF)
    name = stored(salma).cv_filename
    for url in (f"/static/{name}", f"/static/cvs/{name}", f"/static/../instance/cvs/{name}",
                f"/static/%2e%2e/instance/cvs/{name}"):
        response = client.get(url)
        assert response.status_code == 404, url
        assert PDF not in response.data
    assert not any(name in files for _root, _dirs, files in os.walk(app.static_folder))


def test_the_upload_form_is_multipart_and_a_plain_browser_post(auth, client, cv_dir, salma):
    auth.login_as(salma)
    page = client.get("/me/profile").text
    form = re.search(r'<form[^>]*id="cv-form"[^>]*>', page, re.DOTALL).group(0)
    assert 'enctype="multipart/form-data"' in form and 'method="post"' in form
    assert 'hx-boost="false"' in form  # so the browser shows the 413 page itself
    assert 'type="file"' in page and 'name="cv"' in page


def test_another_candidate_cannot_touch_my_cv(auth, client, make, cv_dir, salma):
    auth.login_as(salma)
    upload(auth, PDF)
    mine = stored(salma).cv_filename
    auth.logout()
    other = make.candidate(email="other@example.ma", cohort_=salma.candidate.cohort)
    auth.login_as(other)
    assert auth.post("/me/cv/remove", page="/me/profile").status_code == 303
    assert stored(salma).cv_filename == mine and files_in(cv_dir) == [mine]
    assert client.get(f"/candidates/{salma.candidate.id}/cv").status_code == 404
