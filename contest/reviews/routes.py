"""The organizer's review queue: questions whose article changed, side by side, and the answer."""
from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user

from contest.accounts.access import role_required
from contest.accounts.models import Role
from contest.audit.services import record
from contest.bank.models import Question
from contest.database import utcnow
from contest.extensions import db
from contest.reviews.forms import FlagForm, ResolveForm
from contest.reviews.models import RESOLUTIONS
from contest.reviews.queries import family_members, flagged_questions, reviews_of
from contest.reviews.services import ReviewError, confirm_question, flag_question, retire_flagged

bp = Blueprint("reviews", __name__, url_prefix="/organizer/reviews")


@bp.route("/")
@role_required(Role.ORGANIZER)
def index():
    """Every question flagged "cần rà soát", newest flags first."""
    return render_template("reviews/index.html", flagged=flagged_questions())


@bp.route("/questions/<int:question_id>")
@role_required(Role.ORGANIZER)
def question(question_id: int):
    """A question's flags with the wording before and after each change, and the three answers."""
    question = db.get_or_404(Question, question_id)
    return render_template("reviews/question.html", question=question, reviews=reviews_of(question),
                           family=family_members(question), form=ResolveForm(), flag_form=FlagForm(),
                           resolutions=RESOLUTIONS)


def _resolve(question_id: int, action, done: str):
    question = db.get_or_404(Question, question_id)
    form = ResolveForm()
    if not form.validate_on_submit():
        flash(" ".join(error for errors in form.errors.values() for error in errors) or "Yêu cầu không hợp lệ.",
              "error")
        return redirect(url_for("reviews.question", question_id=question.id))
    try:
        count = action(question, current_user.id, utcnow(), form.note.data or "")
    except ReviewError as error:
        flash(str(error), "error")
        return redirect(url_for("reviews.question", question_id=question.id))
    record(current_user.id, f"question.review_{action.__name__}", "question", question.id, flags=count,
           note=form.note.data or "")
    db.session.commit()
    flash(done, "success")
    return redirect(url_for("reviews.question", question_id=question.id))


@bp.route("/questions/<int:question_id>/confirm", methods=["POST"])
@role_required(Role.ORGANIZER)
def confirm(question_id: int):
    """The question still holds under the new wording: recorded with who and when."""
    return _resolve(question_id, confirm_question, "Đã xác nhận câu hỏi vẫn đúng theo quy định hiện hành.")


@bp.route("/questions/<int:question_id>/retire", methods=["POST"])
@role_required(Role.ORGANIZER)
def retire(question_id: int):
    """Retire the flagged question."""
    return _resolve(question_id, retire_flagged, "Đã ngừng dùng câu hỏi.")


@bp.route("/questions/<int:question_id>/flag", methods=["POST"])
@role_required(Role.ORGANIZER)
def flag(question_id: int):
    """Flag a question for review by hand, with the reason."""
    question = db.get_or_404(Question, question_id)
    form = FlagForm()
    if form.validate_on_submit():
        try:
            review = flag_question(question, form.reason.data)
        except ReviewError as error:
            flash(str(error), "error")
        else:
            record(current_user.id, "question.flag", "question", question.id, review=review.id)
            db.session.commit()
            flash("Đã đánh dấu câu hỏi cần rà soát; câu hỏi không được rút vào đề cho đến khi được xử lý.",
                  "success")
    else:
        flash(" ".join(error for errors in form.errors.values() for error in errors), "error")
    return redirect(url_for("reviews.question", question_id=question.id))
