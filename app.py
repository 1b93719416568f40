"""Entry point for `flask` and gunicorn (``gunicorn app:app``)."""
from jobfair import create_app

app = create_app()
