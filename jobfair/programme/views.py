from flask import Blueprint

bp = Blueprint("programme", __name__, url_prefix="/organizer")
