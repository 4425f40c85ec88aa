"""Public pages of contests and rounds, and the organizer's round set-up."""
import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user

from contest.accounts.access import role_required
from contest.accounts.models import Role
from contest.attempts.services import attempts_used, open_attempt
from contest.bank.models import QuestionBank
from contest.bank.queries import short_rounds
from contest.database import utcnow
from contest.extensions import db
from contest.forms import EmptyForm
from contest.leaderboards.queries import rank_of, standing_of
from contest.rounds.forms import RoundForm
from contest.rounds.models import Contest, Round
from contest.rounds.services import RoundError, approved_question_count, create_round, rounds_by_state

bp = Blueprint("rounds", __name__)


@bp.route("/")
def home():
    """Open, upcoming and past rounds."""
    return render_template("rounds/home.html", rounds=rounds_by_state(utcnow()), now=utcnow())


@bp.route("/rounds/<int:round_id>")
def detail(round_id: int):
    """A round's rules, and for a contestant their attempts and the start button."""
    round_ = db.get_or_404(Round, round_id)
    now = utcnow()
    context = {"round": round_, "state": round_.state_at(now), "form": EmptyForm()}
    if current_user.is_authenticated:
        standing = standing_of(round_.id, current_user.id)
        context.update(
            in_progress=open_attempt(current_user.id, round_.id),
            used=attempts_used(current_user.id, round_.id),
            standing=standing,
            rank=rank_of(standing) if standing else None,
        )
    return render_template("rounds/detail.html", **context)


@bp.route("/organizer/")
@role_required(Role.ORGANIZER)
def organizer_home():
    """The organizer's overview: contests, rounds and banks."""
    banks = db.session.scalars(sa.select(QuestionBank).order_by(QuestionBank.name)).all()
    counts = {bank.id: approved_question_count(bank.id) for bank in banks}
    contests = db.session.scalars(sa.select(Contest).order_by(Contest.created_at)).all()
    return render_template("rounds/organizer.html", banks=banks, counts=counts, contests=contests,
                           now=utcnow(), short_rounds=short_rounds())


@bp.route("/organizer/rounds/new", methods=["GET", "POST"])
@role_required(Role.ORGANIZER)
def new_round():
    """Create a timed round."""
    form = RoundForm()
    form.contest_id.choices = [(c.id, c.title) for c in db.session.scalars(sa.select(Contest))]
    form.bank_id.choices = [(b.id, b.name) for b in db.session.scalars(sa.select(QuestionBank))]
    if not form.contest_id.choices or not form.bank_id.choices:
        flash("Cần có ít nhất một cuộc thi và một ngân hàng câu hỏi trước khi tạo vòng thi.", "error")
    elif form.validate_on_submit():
        contest = db.session.get(Contest, form.contest_id.data)
        bank = db.session.get(QuestionBank, form.bank_id.data)
        if contest is None or bank is None:
            abort(400)
        try:
            round_ = create_round(
                contest=contest, bank=bank, name=form.name.data, opens_at=form.opens_at.instant,
                closes_at=form.closes_at.instant, time_limit_minutes=form.time_limit_minutes.data,
                question_count=form.question_count.data, attempts_allowed=form.attempts_allowed.data)
        except RoundError as error:
            flash(str(error), "error")
        else:
            db.session.commit()
            available = approved_question_count(bank.id)
            if available < round_.question_count:
                flash(f"Lưu ý: ngân hàng “{bank.name}” mới có {available} câu đã duyệt, "
                      f"chưa đủ {round_.question_count} câu cho mỗi lượt thi.", "warning")
            flash(f"Đã tạo vòng thi “{round_.name}”.", "success")
            return redirect(url_for("rounds.detail", round_id=round_.id))
    return render_template("rounds/new.html", form=form)
