from flask import Blueprint

bp = Blueprint("insertion", __name__)
