"""``flask jobfair ...`` commands."""
import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import func, select

from .extensions import db

jobfair_cli = AppGroup("jobfair", help="jobfair administration commands.")


@jobfair_cli.command("create-admin")
@click.option("--email", prompt=True)
@click.option("--first-name", default="")
@click.option("--last-name", default="")
@click.password_option()
def create_admin(email, first_name, last_name, password):
    """Create the first organizer account."""
    from .auth.passwords import hash_password
    from .auth.services import normalise_email, user_by_email
    from .models import User

    if user_by_email(email):
        raise click.ClickException(f"An account already exists for {email}.")
    if len(password) < 10:
        raise click.ClickException("The password needs at least 10 characters.")
    db.session.add(
        User(
            email=normalise_email(email),
            role="organizer",
            first_name=first_name,
            last_name=last_name,
            password_hash=hash_password(password),
        )
    )
    db.session.commit()
    click.echo(f"Organizer {email} created.")


@jobfair_cli.command("demo")
@click.option("--reset", is_flag=True, help="Empty the database first.")
@click.option("--if-empty", is_flag=True, help="Do nothing (and succeed) when data exists.")
def demo(reset, if_empty):
    """Fill the database with a believable JobInTech-style fair."""
    from . import demo as demo_data
    from .candidate.services import delete_cv_file
    from .candidate.views import cv_folder
    from .models import Candidate, User

    has_data = db.session.scalar(select(func.count()).select_from(User)) > 0
    if has_data and not reset:
        if if_empty:
            click.echo("The database already has data: demo data not loaded.")
            return
        raise click.ClickException(
            "The database is not empty. Use --reset to replace its content with demo data."
        )
    old_cvs = []
    if reset:
        old_cvs = db.session.scalars(
            select(Candidate.cv_filename).where(Candidate.cv_filename.is_not(None))
        ).all()
        demo_data.empty_database()
    summary = demo_data.build(cv_folder=cv_folder())
    db.session.commit()
    for name in old_cvs:
        delete_cv_file(cv_folder(), name)
    click.echo(summary)


@jobfair_cli.command("send-mail")
@click.option("--limit", default=200, show_default=True)
def send_mail(limit):
    """Deliver the emails waiting in the outbox."""
    from . import mail

    sent, failed = mail.send_pending(limit=limit)
    click.echo(f"{sent} sent, {failed} to retry (backend: {current_app.config['MAIL_BACKEND']}).")


@jobfair_cli.command("reminders")
def reminders():
    """Queue the day-before reminder of each interview of tomorrow's fairs (once per booking)."""
    from .booking.reminders import due_reminders, send_reminder

    queued = 0
    for booking_id in due_reminders():
        # Claimed and queued in one transaction: a second run (or worker) skips it.
        queued += send_reminder(booking_id)
        db.session.commit()
    click.echo(f"{queued} reminder(s) queued.")


@jobfair_cli.command("follow-ups")
def follow_ups():
    """Queue the 30-, 90- and 180-day follow-up emails that are due (each once)."""
    from .followups.services import send_follow_ups

    sent = send_follow_ups(after_each=db.session.commit)
    db.session.commit()
    click.echo(", ".join(f"{day} days: {count} sent" for day, count in sent.items()))


@jobfair_cli.command("retention")
def retention():
    """Delete the CVs and contact details past their fairs' retention; warn a month before."""
    from .candidate.services import delete_cv_file
    from .candidate.views import cv_folder
    from .privacy import retention as rules
    from .timeutil import local_today

    result = rules.run(local_today())
    db.session.commit()
    for name in result.cv_files:
        delete_cv_file(cv_folder(), name)
    click.echo(f"{result.warned} warned, {result.deleted} deleted.")


@jobfair_cli.command("shifted-slots")
@click.option("--fix", is_flag=True, help="Move them back to the local time meant.")
def shifted_slots(fix):
    """List the coming interview slots a time-zone rule change moved (run after updating pytz);
    with --fix, put them back at the local time the organizer chose."""
    from .schedule import retiming

    found = retiming.shifted_slots()
    for shifted in found:
        slot = shifted.slot
        participation = slot.table.participation
        click.echo(f"{participation.fair.name} · {participation.company.name} · {slot.table.name}: "
                   f"meant {shifted.meant:%Y-%m-%d %H:%M}, shown {shifted.shown:%Y-%m-%d %H:%M} "
                   f"({shifted.booked} booked)")
    if not found:
        click.echo("No coming slot was moved by a time-zone rule change.")
    elif fix:
        moved = retiming.put_back(found)
        db.session.commit()
        click.echo(f"{moved} slots put back at the local time meant.")
    else:
        click.echo(f"{len(found)} slots shifted: run again with --fix to put them back.")


insertion_cli = AppGroup("insertion", help="The insertion dashboard's table of outcomes.")
jobfair_cli.add_command(insertion_cli)


@insertion_cli.command("rebuild")
@click.option("--fair", "fair_id", type=int, help="Only this fair (its id).")
def insertion_rebuild(fair_id):
    """Recompute insertion_outcomes (each candidate's resolved outcome at each fair) from the
    company outcomes and follow-up answers."""
    from .insertion import table

    written = table.rebuild(fair_id)
    db.session.commit()
    click.echo(f"{written} rows written.")


@jobfair_cli.command("backup")
@click.argument("target", type=click.Path(dir_okay=False))
def backup_command(target):
    """Copy the database to TARGET while the app runs (SQLite: online backup; PostgreSQL: pg_dump)."""
    from . import backup
    from .errors import DomainError

    db.session.remove()  # hold no transaction (nor SQLite lock) during the copy
    try:
        written = backup.backup(current_app.config["SQLALCHEMY_DATABASE_URI"], target)
    except DomainError as error:
        raise click.ClickException(error.message) from error
    click.echo(f"Backup written to {written}.")


@jobfair_cli.command("restore")
@click.argument("source", type=click.Path(exists=True, dir_okay=False))
@click.confirmation_option(prompt="This replaces the whole database. Is the app stopped? Continue?")
def restore_command(source):
    """Replace the database's content with the backup SOURCE (stop the app first)."""
    from . import backup
    from .errors import DomainError

    db.session.remove()
    db.engine.dispose()  # no pooled connection may keep the old content open
    try:
        backup.restore(current_app.config["SQLALCHEMY_DATABASE_URI"], source)
    except DomainError as error:
        raise click.ClickException(error.message) from error
    click.echo(f"Database restored from {source}. Run `flask db upgrade` if it came from an older version.")


def init_app(app):
    app.cli.add_command(jobfair_cli)
