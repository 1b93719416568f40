from flask import Blueprint

bp = Blueprint("booths", __name__)
