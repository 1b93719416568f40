"""The mail outbox.

``queue()`` adds a message to the session of the change that causes it, so the
email exists if and only if the change is committed. It renders the message there;
``queue_later()`` stores only what to send (the template and a JSON payload: ids, and
the values that must be those of the moment of the change, such as an interview's
times), and the worker renders it just before the first send, with the function its
package registered (``@renderer(kind)``), in the recipient's language: the hot paths
(a booking, the publication of a booking round) do not build emails and .ics files.
The rendered text is stored on the row first, so a retry sends the same thing and the
row reads as any other. A message whose account or company is gone (the renderer raises
``Gone``) is "skipped", with the reason in ``last_error``: never sent, never retried; a
renderer's other failures are retried as a failed send is. ``send_pending()`` (the
``flask jobfair send-mail`` worker) delivers what is due, one message at a
time: each is claimed by a conditional UPDATE before it is sent, so two
workers never send the same message, and a failure puts it back with a
growing delay until ``MAIL_MAX_ATTEMPTS``. A claim is a lease: a worker killed
between claiming and recording the result leaves the message "sending", and once
``SENDING_LEASE`` has passed another run takes it again (it may then arrive twice,
which beats never). Links in emails are built from ``BASE_URL``, never from the
request's Host header.
"""
import smtplib
import sys
from dataclasses import dataclass
from datetime import timedelta
from email.message import EmailMessage
from importlib import import_module
from urllib.parse import urlsplit

from flask import current_app
from jinja2_fragments.flask import render_block
from sqlalchemy import and_, or_, select, update

from .extensions import db
from .i18n import force_locale
from .models import OutboxMessage, utcnow


def absolute_url(endpoint, **values):
    """A link for an email, built from BASE_URL (never from the request's Host header)."""
    base = urlsplit(current_app.config["BASE_URL"])
    adapter = current_app.url_map.bind(
        base.netloc, url_scheme=base.scheme, script_name=base.path or "/"
    )
    return adapter.build(endpoint, values, force_external=True)


def _render(template, locale, context):
    template_name = f"emails/{template}.txt"
    with force_locale(locale or current_app.config["BABEL_DEFAULT_LOCALE"]):
        subject = render_block(template_name, "subject", **context).strip()
        body = render_block(template_name, "body", **context).strip() + "\n"
    return subject, body


def queue(recipient, template, locale=None, attachment=None, **context):
    """Render ``emails/<template>.txt`` in the recipient's language and store it.

    ``attachment``: an optional ``(filename, content_type, text)``, e.g. an .ics file.
    """
    subject, body = _render(template, locale, context)
    message = OutboxMessage(recipient=recipient, kind=template, subject=subject, body_text=body)
    if attachment is not None:
        message.attachment_name, message.attachment_type, message.attachment_text = attachment
    db.session.add(message)
    return message


# --- Rendered by the worker ----------------------------------------------------


@dataclass
class Contents:
    """What a renderer makes of a payload: the recipient's locale, the template's context and
    an optional ``attachment()`` giving ``(filename, content_type, text)``, called in that
    locale."""

    locale: str | None
    context: dict
    attachment: object = None


class Gone(Exception):
    """What the message is about no longer exists: it is skipped, with this reason."""


RENDERERS = {}
# The modules that register renderers, imported by the worker before its first render (so a
# renderer never depends on which blueprint happened to import its module).
RENDERER_MODULES = ("jobfair.booking.notify", "jobfair.round.publication")


def renderer(kind):
    """Register ``function(payload) -> Contents`` for the messages of ``queue_later(…, kind)``."""
    def register(function):
        RENDERERS[kind] = function
        return function
    return register


def queue_later(recipient, kind, **payload):
    """Store what to send: ``emails/<kind>.txt``, rendered by the worker from ``payload``
    (JSON values) with the renderer registered for ``kind``."""
    message = OutboxMessage(recipient=recipient, kind=kind, payload=payload)
    db.session.add(message)
    return message


def render(message):
    """Fill in a message's subject, body and attachment from its payload, unless it has them.

    Raises ``Gone`` when the renderer finds what the message is about deleted.
    """
    if message.body_text is not None:
        return message
    if message.kind not in RENDERERS:
        for module in RENDERER_MODULES:
            import_module(module)
    contents = RENDERERS[message.kind](message.payload or {})
    subject, body = _render(message.kind, contents.locale, contents.context)
    attachment = None
    if contents.attachment is not None:
        with force_locale(contents.locale or current_app.config["BABEL_DEFAULT_LOCALE"]):
            attachment = contents.attachment()
    message.subject, message.body_text = subject, body
    if attachment is not None:
        message.attachment_name, message.attachment_type, message.attachment_text = attachment
    return message


# --- Delivery ----------------------------------------------------------------


def _email(message):
    email = EmailMessage()
    email["From"] = current_app.config["MAIL_SENDER"]
    email["To"] = message.recipient
    email["Subject"] = message.subject
    email.set_content(message.body_text)
    if message.attachment_text is not None:
        maintype, _, subtype = (message.attachment_type or "text/plain").partition("/")
        email.add_attachment(
            message.attachment_text.encode("utf-8"),
            maintype=maintype,
            subtype=subtype or "plain",
            filename=message.attachment_name or "attachment.txt",
        )
    return email


def _send_smtp(message):
    config = current_app.config
    with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=20) as smtp:
        if config["MAIL_USE_TLS"]:
            smtp.starttls()
        if config["MAIL_USERNAME"]:
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
        smtp.send_message(_email(message))


def _send_console(message):
    print(f"--- mail to {message.recipient}\n{_email(message)}", file=sys.stdout, flush=True)


def _send_memory(message):
    current_app.extensions.setdefault("sent_mail", []).append(_email(message))


BACKENDS = {"smtp": _send_smtp, "console": _send_console, "memory": _send_memory}


def retry_delay(attempts):
    """1, 2, 4, 8 … minutes, at most 6 hours."""
    return timedelta(minutes=min(2 ** (attempts - 1), 360))


SENDING_LEASE = timedelta(minutes=15)


def _due(columns, now):
    return or_(columns.status == "pending",
               and_(columns.status == "sending", columns.next_attempt_at <= now))


def send_pending(limit=200, send=None):
    """Deliver the due messages; returns (sent, failed) counts for this run."""
    send = send or BACKENDS[current_app.config["MAIL_BACKEND"]]
    max_attempts = current_app.config["MAIL_MAX_ATTEMPTS"]
    table = OutboxMessage.__table__
    now = utcnow()
    due = db.session.scalars(
        select(OutboxMessage.id)
        .where(_due(OutboxMessage, now), OutboxMessage.next_attempt_at <= now)
        .order_by(OutboxMessage.id)
        .limit(limit)
    ).all()
    db.session.commit()
    sent = failed = 0
    for message_id in due:
        claimed = db.session.execute(
            update(table)
            .where(table.c.id == message_id, _due(table.c, utcnow()),
                   table.c.next_attempt_at <= utcnow())
            .values(status="sending", attempts=table.c.attempts + 1,
                    next_attempt_at=utcnow() + SENDING_LEASE)
        ).rowcount
        db.session.commit()
        if claimed != 1:
            continue  # another worker took it
        message = db.session.get(OutboxMessage, message_id)
        if message is None:
            continue  # deleted since the claim (an erasure)
        try:
            if message.body_text is None:
                render(message)
                db.session.commit()  # stored first: a retry sends this same text
            send(message)
        except Gone as gone:
            db.session.rollback()
            message.status, message.last_error = "skipped", str(gone)[:2000]
        except Exception as error:  # any failure: keep the message, try later
            db.session.rollback()
            message.last_error = f"{type(error).__name__}: {error}"[:2000]
            if message.attempts >= max_attempts:
                message.status = "failed"
            else:
                message.status = "pending"
                message.next_attempt_at = utcnow() + retry_delay(message.attempts)
            failed += 1
        else:
            message.status = "sent"
            message.sent_at = utcnow()
            message.last_error = None
            sent += 1
        db.session.commit()
    return sent, failed
