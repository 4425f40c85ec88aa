"""`flask attempts …`: maintenance of attempts."""
import click
from flask.cli import AppGroup

from contest.attempts.services import finalize_expired
from contest.database import utcnow

attempts_cli = AppGroup("attempts", help="Bài thi.")


@attempts_cli.command("finalize-expired")
def finalize_expired_command():
    """Submit every attempt whose time ran out, with its saved answers (safe to run every minute)."""
    count = finalize_expired(utcnow())
    click.echo(f"Đã chốt {count} bài thi hết giờ.")
