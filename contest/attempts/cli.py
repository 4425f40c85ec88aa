"""`flask attempts …`: maintenance of attempts."""
import click
from flask.cli import AppGroup

from contest.attempts.ahead import draw_ahead, papers_ready
from contest.attempts.services import finalize_expired
from contest.database import utcnow
from contest.extensions import db
from contest.rounds.models import Round

attempts_cli = AppGroup("attempts", help="Bài thi.")


@attempts_cli.command("finalize-expired")
def finalize_expired_command():
    """Submit every attempt whose time ran out, with its saved answers (safe to run every minute)."""
    count = finalize_expired(utcnow())
    click.echo(f"Đã chốt {count} bài thi hết giờ.")


@attempts_cli.command("draw-ahead")
@click.argument("round_id", type=int)
@click.option("--count", type=int, default=1000, show_default=True, help="Số đề rút sẵn cho mỗi ngân hàng của vòng.")
def draw_ahead_command(round_id: int, count: int):
    """Draw papers ahead of a round's opening, so that starts at the opening claim them ready (PostgreSQL)."""
    round_ = db.session.get(Round, round_id)
    if round_ is None:
        raise click.ClickException(f"Không có vòng thi số {round_id}.")
    drawn = draw_ahead(round_, count)
    db.session.commit()
    click.echo(f"Đã rút sẵn {drawn} đề cho vòng “{round_.name}”; đang chờ: {papers_ready(round_id)} đề.")
