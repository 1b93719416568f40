"""Password hashing with argon2id at OWASP's recommended parameters.

The parameters come from the app's config (``PASSWORD_HASH_TIME_COST``,
``PASSWORD_HASH_MEMORY_KIB``): production uses OWASP's, the test suite cheap
ones (hundreds of logins at 19 MiB each would dominate its time). Outside an
app, the production parameters apply.
"""
from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app, has_app_context

# OWASP Password Storage Cheat Sheet: argon2id, m=19 MiB, t=2, p=1.
TIME_COST, MEMORY_KIB = 2, 19 * 1024
_production = PasswordHasher(time_cost=TIME_COST, memory_cost=MEMORY_KIB, parallelism=1,
                             type=Type.ID)
_EXTENSION = "jobfair.password_hasher"


def init_app(app):
    time_cost = app.config.get("PASSWORD_HASH_TIME_COST", TIME_COST)
    memory_kib = app.config.get("PASSWORD_HASH_MEMORY_KIB", MEMORY_KIB)
    hasher = _production
    if (time_cost, memory_kib) != (TIME_COST, MEMORY_KIB):
        hasher = PasswordHasher(time_cost=time_cost, memory_cost=memory_kib, parallelism=1,
                                type=Type.ID)
    # Verified when the email is unknown, so that timing does not tell whether it exists.
    app.extensions[_EXTENSION] = (hasher, hasher.hash("no-such-account-placeholder"))


def _hasher():
    if has_app_context() and _EXTENSION in current_app.extensions:
        return current_app.extensions[_EXTENSION]
    return _production, None


def hash_password(password):
    return _hasher()[0].hash(password)


def verify_password(password_hash, password):
    hasher, dummy = _hasher()
    try:
        return hasher.verify(password_hash or dummy or hasher.hash(""), password) \
            and bool(password_hash)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash):
    return _hasher()[0].check_needs_rehash(password_hash)
