"""`flask rounds …`: set up contests and rounds from scripts."""
import click
import sqlalchemy as sa
from flask.cli import AppGroup

from contest.agencies.services import find_agency
from contest.bank.models import QuestionBank
from contest.clock import format_datetime, parse_local_datetime
from contest.database import utcnow
from contest.extensions import db
from contest.results.services import settle_due_rounds
from contest.rounds.services import RoundError, create_round, get_or_create_contest
from contest.rounds.settings import COUNTING_RULES, REVIEW_POLICIES, parse_quotas

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
@click.option("--counting", type=click.Choice(sorted(COUNTING_RULES)), default="best", show_default=True,
              help="Lần thi được tính.")
@click.option("--quota", "quota_lines", multiple=True, help="Định mức “Chủ đề | Mức độ | Số câu” (lặp lại được).")
@click.option("--prediction", type=click.Choice(["perfect_papers", "entries"]), default=None,
              help="Câu hỏi dự đoán để phân định khi bằng điểm.")
@click.option("--prediction-prompt", default="", help="Nội dung câu dự đoán.")
@click.option("--all-required", is_flag=True, help="Bắt buộc trả lời tất cả các câu.")
@click.option("--review", type=click.Choice(sorted(REVIEW_POLICIES)), default="after_close", show_default=True,
              help="Thí sinh xem gì sau khi nộp bài.")
@click.option("--eligible-agency", default=None, help="Mã đơn vị: chỉ đơn vị này và cấp dưới được dự thi.")
@click.option("--include-flagged", is_flag=True, help="Rút cả các câu hỏi cần rà soát (mặc định: không rút).")
def create_command(contest_slug, contest_title, bank_name, name, opens, closes, minutes, question_count,
                   attempts, counting, quota_lines, prediction, prediction_prompt, all_required, review,
                   eligible_agency, include_flagged):
    """Create a round in a contest."""
    bank = db.session.scalar(sa.select(QuestionBank).where(QuestionBank.name == bank_name))
    if bank is None:
        raise click.ClickException(f"Không có ngân hàng câu hỏi “{bank_name}”.")
    try:
        quotas = parse_quotas("\n".join(quota_lines))
    except ValueError as error:
        raise click.ClickException(str(error))
    contest = get_or_create_contest(contest_slug, contest_title or contest_slug)
    if eligible_agency:
        agency = find_agency(eligible_agency)
        if agency is None:
            raise click.ClickException(f"Không có đơn vị mã “{eligible_agency}”.")
        contest.eligible_agency = agency
    try:
        round_ = create_round(contest=contest, bank=bank, name=name, opens_at=opens, closes_at=closes,
                              time_limit_minutes=minutes, question_count=question_count,
                              attempts_allowed=attempts, counting_rule=counting, quotas=quotas,
                              prediction_kind=prediction, prediction_prompt=prediction_prompt,
                              is_all_required=all_required, review_policy=review,
                              is_flagged_excluded=not include_flagged)
    except RoundError as error:
        raise click.ClickException(str(error))
    db.session.commit()
    click.echo(f"Đã tạo vòng thi #{round_.id} “{round_.name}”: "
               f"{format_datetime(round_.opens_at)} – {format_datetime(round_.closes_at)}.")


@rounds_cli.command("settle")
def settle_command():
    """Settle every round past its close and grace: finalise open papers, fix the prediction's figure
    and the final order, once (safe to rerun, and on several instances at once)."""
    settled = [round_.name for round_ in settle_due_rounds(utcnow())]
    click.echo(f"Đã chốt {len(settled)} vòng thi" + (f": {', '.join(settled)}." if settled else "."))
