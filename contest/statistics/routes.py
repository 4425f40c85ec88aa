"""The statistics page of a round, for judges and organizers."""
from flask import Blueprint, render_template

from contest.accounts.access import role_required
from contest.accounts.models import Role
from contest.clock import format_date
from contest.database import utcnow
from contest.extensions import db
from contest.results.services import settled
from contest.rounds.models import Round
from contest.statistics.charts import bar_chart, column_chart
from contest.statistics.queries import (ITEM_FLAG_MESSAGE, LOW_DISCRIMINATION, LOW_SHARE_CORRECT, MIN_SHOWN_TO_JUDGE,
                                        entries_per_day, item_analysis, participation_by_agency, score_bands,
                                        score_distribution)

bp = Blueprint("statistics", __name__, url_prefix="/judging")


@bp.route("/rounds/<int:round_id>/statistics")
@role_required(Role.JUDGE, Role.ORGANIZER)
def round_statistics(round_id: int):
    """Entries per day, the score distribution, participation by agency and the item analysis."""
    round_ = settled(db.get_or_404(Round, round_id))
    days = entries_per_day(round_, utcnow())
    distribution = score_distribution(round_)
    agencies = participation_by_agency(round_)
    charts = {
        "days": column_chart("Biểu đồ cột: số bài nộp theo ngày (giờ Việt Nam).",
                             [(format_date(day.day), day.papers) for day in days]),
        "scores": column_chart("Biểu đồ cột: số thí sinh theo số câu trả lời đúng (bài được tính).",
                               [(str(bucket.correct), bucket.papers) for bucket in distribution]),
        "agencies": bar_chart("Biểu đồ thanh: số thí sinh có kết quả theo đơn vị.",
                              [(line.name, line.entrants) for line in agencies]),
    }
    return render_template(
        "statistics/round.html", round=round_, days=days, distribution=distribution, agencies=agencies,
        bands=score_bands(distribution, round_.question_count), items=item_analysis(round_), charts=charts,
        flag_message=ITEM_FLAG_MESSAGE, low_share=LOW_SHARE_CORRECT, low_discrimination=LOW_DISCRIMINATION,
        min_shown=MIN_SHOWN_TO_JUDGE)
