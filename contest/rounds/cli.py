"""`flask rounds …`: set up contests and rounds from scripts."""
import click
import sqlalchemy as sa
from flask.cli import AppGroup

from contest.bank.models import QuestionBank
from contest.clock import format_datetime, parse_local_datetime
from contest.extensions import db
from contest.rounds.services import RoundError, create_round, get_or_create_contest

rounds_cli = AppGroup("rounds", help="Cuộc thi và vòng thi.")


def _local_datetime(ctx, param, value):
    try:
        return parse_local_datetime(value)
    except ValueError:
        raise click.BadParameter("dạng dd/mm/yyyy HH:MM (giờ Việt Nam), ví dụ '01/12/2026 08:00'")


@rounds_cli.command("create")
@click.option("--contest", "contest_slug", required=True, help="Mã cuộc thi (tạo mới nếu chưa có).")
@click.option("--contest-title", default=None, help="Tên cuộc thi khi tạo mới.")
@click.option("--bank", "bank_name", required=True, help="Tên ngân hàng câu hỏi.")
@click.option("--name", required=True, help="Tên vòng thi, ví dụ 'Tuần 1'.")
@click.option("--opens", required=True, callback=_local_datetime, help="Mở lúc dd/mm/yyyy HH:MM.")
@click.option("--closes", required=True, callback=_local_datetime, help="Đóng lúc dd/mm/yyyy HH:MM.")
@click.option("--minutes", default=15, show_default=True, help="Thời gian làm bài (phút).")
@click.option("--questions", "question_count", default=10, show_default=True, help="Số câu mỗi lượt.")
@click.option("--attempts", default=None, type=int, help="Số lần thi tối đa (bỏ trống: không giới hạn).")
def create_command(contest_slug, contest_title, bank_name, name, opens, closes, minutes,
                   question_count, attempts):
    """Create a round in a contest."""
    bank = db.session.scalar(sa.select(QuestionBank).where(QuestionBank.name == bank_name))
    if bank is None:
        raise click.ClickException(f"Không có ngân hàng câu hỏi “{bank_name}”.")
    contest = get_or_create_contest(contest_slug, contest_title or contest_slug)
    try:
        round_ = create_round(contest=contest, bank=bank, name=name, opens_at=opens, closes_at=closes,
                              time_limit_minutes=minutes, question_count=question_count,
                              attempts_allowed=attempts)
    except RoundError as error:
        raise click.ClickException(str(error))
    db.session.commit()
    click.echo(f"Đã tạo vòng thi #{round_.id} “{round_.name}”: "
               f"{format_datetime(round_.opens_at)} – {format_datetime(round_.closes_at)}.")
