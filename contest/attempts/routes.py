"""The contestant's attempt: start, answer (page and JSON saves), submit, result."""
import secrets

import sqlalchemy as sa
from flask import (Blueprint, abort, current_app, flash, jsonify, redirect, render_template, request, session,
                   url_for)
from flask_login import current_user, login_required

from contest.accounts.access import viewer_required
from contest.accounts.models import parse_session_id
from contest.attempts.models import Attempt
from contest.attempts.queries import load_attempt, load_paper, own_attempt, paper_page, review_paper, shown_paper
from contest.attempts.services import (MAX_PREDICTION, AttemptError, expire_if_due, grace, keep_answers,
                                       lock_attempt, open_submission, quick_save,
                                       read_entrant, remaining_seconds, save_answer, save_prediction,
                                       start_attempt_id, submit_attempt, unanswered_positions)
from contest.database import DatabaseUnavailable, once_more_if_disconnected, utcnow
from contest.extensions import db
from contest.forms import EmptyForm
from contest.leaderboards.queries import board_view, own_position, standing_of
from contest.leaderboards.shared import contest_head
from contest.results.services import settled_state
from contest.rounds.queries import read_round_state
from contest.security.bounds import accepts_json, json_object

bp = Blueprint("attempts", __name__)
DEVICE_COOKIE = "device"
# Bounds of a JSON answer, checked before SQL: positions are a SMALLINT, revisions a BIGINT, and no
# question has anywhere near this many options.
MAX_POSITION = 2**15 - 1
MAX_REVISION = 2**63 - 1
MAX_OPTIONS = 64
RETRY_AFTER_SECONDS = 2


def _own(attempt: Attempt | None) -> Attempt:
    """The attempt if it is the current user's, else 404 (another's attempt does not exist for them)."""
    if attempt is None or attempt.user_id != current_user.id:
        abort(404)
    return attempt


def _prediction_from(value) -> int | None:
    """A prediction typed by the contestant: a whole number, or None if blank."""
    if value is None or str(value).strip() == "":
        return None
    try:
        number = int(str(value).strip().replace(".", "").replace(",", ""))
    except ValueError:
        raise AttemptError("Số dự đoán phải là số nguyên.")
    if not 0 <= number <= MAX_PREDICTION:
        raise AttemptError("Số dự đoán không hợp lệ.")
    return number


def _answers_from_form(form, count: int) -> dict[int, list[int]]:
    """Answers posted by the plain form: field q<position> holds the shown option numbers."""
    answers = {}
    for position in range(count):
        values = form.getlist(f"q{position}")
        if values:
            try:
                answers[position] = [int(value) for value in values]
            except ValueError:
                abort(400)
    return answers


@bp.route("/rounds/<int:round_id>/start", methods=["POST"])
def start(round_id: int):
    """Start a new attempt, or resume the one in progress.

    The session names the contestant; the round's rules, their account, attempts and the bank's revision
    are one query (read_entrant), and CSRFProtect has checked the form's token before the view runs.
    """
    signed = _session_user()
    if signed is None:
        return current_app.login_manager.unauthorized()
    entrant, round_ = read_entrant(signed[0], signed[1], round_id) or abort(404)
    if entrant is None or not entrant.is_session_live:
        return current_app.login_manager.unauthorized()
    device_id = request.cookies.get(DEVICE_COOKIE) or secrets.token_urlsafe(24)
    try:
        attempt_id = start_attempt_id(entrant, round_, utcnow(), client_ip=request.remote_addr or "",
                                      device_id=device_id)
    except AttemptError as error:
        db.session.commit()  # keeps an expired attempt the start just finalized
        flash(str(error), "error")
        return redirect(url_for("rounds.detail", round_id=round_id))
    db.session.commit()
    response = redirect(url_for("attempts.take", attempt_id=attempt_id))
    # A long-lived random id per browser: several accounts from one device are a signal for judges.
    response.set_cookie(DEVICE_COOKIE, device_id, max_age=400 * 24 * 3600, httponly=True, samesite="Lax",
                        secure=current_app.config["SESSION_COOKIE_SECURE"])
    return response


@bp.route("/attempts/<int:attempt_id>")
@viewer_required
def take(attempt_id: int):
    """The paper, resumed with the answers saved and the time the server says is left.

    The viewer's log-in and the paper are one query each, read as plain values (no account, attempt
    or question loaded as objects): at a round's opening every contestant opens this page at once.
    """
    now = utcnow()
    page = paper_page(attempt_id, current_user.id)
    if page is None:
        abort(404)
    if page.is_submitted or now > page.deadline_at + grace():
        expire_if_due(db.session.get(Attempt, attempt_id), now)  # past the grace: submitted with what was saved
        db.session.commit()
        return redirect(url_for("attempts.result", attempt_id=attempt_id))
    return render_template("attempts/take.html", attempt=page, paper=page.questions,
                           remaining=remaining_seconds(page, now), form=EmptyForm(), revision=page.revision)


@bp.route("/attempts/<int:attempt_id>/answers", methods=["POST"])
@accepts_json
def save(attempt_id: int):
    """Save one answer, or the prediction (JSON); replies with the seconds left so the countdown resyncs.

    Body: {"position": int, "selected": [shown option numbers], "revision": int} or {"prediction": int}.
    The usual save (an answer with its revision, by the contestant the session names) is one statement
    that checks everything in SQL; anything it does not store takes the full path, which says why.
    A save is idempotent (ordered by its revision), so a dropped database connection is retried once;
    if it drops again the page is told to resend after a moment (503, Retry-After).
    """
    try:
        return once_more_if_disconnected(db.session, db.engine, lambda: _save(attempt_id))
    except DatabaseUnavailable:
        return jsonify(error="Máy chủ đang bận, câu trả lời sẽ được gửi lại sau giây lát."), 503, \
            {"Retry-After": str(RETRY_AFTER_SECONDS)}


def _save(attempt_id: int):
    """The save itself (see save)."""
    payload = json_object()
    answer = _answer_from(payload)
    signed = _session_user()
    if signed is not None and answer is not None and answer[2] is not None:
        result = quick_save(attempt_id, *signed, answer[0], answer[1], utcnow(), answer[2])
        if result is not None:
            return _saved(result)
    if not current_user.is_authenticated:
        # The page keeps the answer and resends it once the contestant has logged in again.
        return jsonify(error="Phiên đăng nhập đã kết thúc. Hãy đăng nhập lại (ở thẻ khác); câu trả lời "
                             "vẫn được giữ trên máy này và sẽ được lưu sau khi đăng nhập."), 401
    attempt = _own(lock_attempt(attempt_id, exclusive=False))
    now = utcnow()
    try:
        if "prediction" in payload:
            save_prediction(attempt, _prediction_from(payload["prediction"]), now)
            db.session.commit()
            return jsonify(prediction=attempt.prediction, remaining_seconds=round(remaining_seconds(attempt, now), 1))
        if answer is None:
            return jsonify(error="Dữ liệu không hợp lệ."), 400
        result = save_answer(attempt, *answer[:2], now, answer[2])
    except AttemptError as error:
        db.session.commit()
        return jsonify(error=str(error), submitted=attempt.is_submitted,
                       result_url=url_for("attempts.result", attempt_id=attempt.id)), 409
    db.session.commit()
    return _saved(result)


def _session_user() -> tuple[int, int] | None:
    """(user id, session id) as the signed session names them (Flask-Login's key), without loading the
    account: the caller checks that the log-in is live in the query it makes anyway."""
    return parse_session_id(session["_user_id"]) if "_user_id" in session else None


def _is_whole(value, low: int, high: int) -> bool:
    """True for an int (a JSON boolean is not one) within [low, high]."""
    return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high


def _answer_from(payload: dict) -> tuple[int, list[int], int | None] | None:
    """(position, selected, revision) from a JSON answer, each within what its column holds; None if
    the body is not a well-formed answer (the prediction, a wrong type, a number out of bounds)."""
    position, selected, revision = payload.get("position"), payload.get("selected", []), payload.get("revision")
    if "prediction" in payload or not _is_whole(position, 0, MAX_POSITION) or not isinstance(selected, list) \
            or len(selected) > MAX_OPTIONS or not all(_is_whole(value, 0, MAX_OPTIONS) for value in selected) \
            or not (revision is None or _is_whole(revision, 0, MAX_REVISION)):
        return None
    return position, selected, revision


def _saved(result):
    return jsonify(position=result.position, selected=result.selected, revision=result.revision,
                   remaining_seconds=round(result.remaining_seconds, 1))


@bp.route("/attempts/<int:attempt_id>/submit", methods=["POST"])
def submit(attempt_id: int):
    """Submit the paper; submitting twice changes nothing.

    The session names the contestant (the account is not loaded: the attempt's owner is checked) and
    CSRFProtect has checked the form's token before the view runs.
    """
    if request.form.get("review"):  # the plain form's button: show what is left before handing in
        return _keep_and_review(attempt_id)
    signed = _session_user()
    if signed is None:
        return current_app.login_manager.unauthorized()
    with open_submission(attempt_id, signed[1]) as submission:  # on PostgreSQL BEGIN, lock and paper in one round trip
        if submission is None or submission.attempt.user_id != signed[0]:
            abort(404)
        attempt = submission.attempt
        if not submission.is_session_live:  # logged out, or ended by a password change or reset
            return current_app.login_manager.unauthorized()
        was_submitted = attempt.is_submitted
        try:
            submit_attempt(attempt, utcnow(), _answers_from_form(request.form, attempt.max_score),
                           _prediction_from(request.form.get("prediction")), paper=submission.paper,
                           connection=submission.connection, commit=True,
                           is_by_clock=request.form.get("auto") == "1")
        except AttemptError as error:
            submission.commit()  # answers sent with the refused submission are kept
            flash(str(error), "error")
            return _go_to(url_for("attempts.take", attempt_id=attempt_id))
        closed_by_clock = not was_submitted and attempt.is_auto_submitted  # read before the commit expires it
        submission.commit()
    if closed_by_clock:
        flash("Bài thi đã được nộp khi hết giờ, với các câu trả lời đã lưu trước thời hạn.", "warning")
    return _go_to(url_for("attempts.result", attempt_id=attempt_id))


def _go_to(location: str):
    """Where the browser goes next: a redirect for the plain form, JSON for the paper's script, which
    sends the submission itself so that a weak link cannot leave the contestant on an error page."""
    if request.accept_mimetypes.best == "application/json":
        return jsonify(location=location)
    return redirect(location)


def _keep_and_review(attempt_id: int):
    """Without JavaScript: keep the answers the form sent, then show the paper's summary."""
    if not current_user.is_authenticated:
        return current_app.login_manager.unauthorized()
    attempt = _own(lock_attempt(attempt_id, exclusive=False))
    try:
        keep_answers(attempt, _answers_from_form(request.form, attempt.max_score),
                     _prediction_from(request.form.get("prediction")), utcnow())
    except AttemptError as error:
        db.session.commit()
        flash(str(error), "error")
        return redirect(url_for("attempts.result" if attempt.is_submitted else "attempts.take", attempt_id=attempt_id))
    db.session.commit()
    return redirect(url_for("attempts.confirm", attempt_id=attempt_id))


@bp.route("/attempts/<int:attempt_id>/confirm")
@login_required
def confirm(attempt_id: int):
    """Before handing in: how many questions are answered and which are not, with the time left."""
    attempt = _own(load_paper(attempt_id))
    now = utcnow()
    if expire_if_due(attempt, now):
        db.session.commit()
        return redirect(url_for("attempts.result", attempt_id=attempt.id))
    paper = shown_paper(attempt)
    return render_template("attempts/confirm.html", attempt=attempt, paper=paper, form=EmptyForm(),
                           unanswered=[q.position for q in paper if not q.selected],
                           remaining=remaining_seconds(attempt, now))


@bp.route("/attempts/<int:attempt_id>/clock")
def clock(attempt_id: int):
    """The seconds left, for a page coming back from sleep or a hidden tab (JSON; nothing is written)."""
    signed = _session_user()
    if signed is None:
        return jsonify(error="Phiên đăng nhập đã kết thúc."), 401
    row = db.session.execute(sa.select(Attempt.deadline_at, Attempt.submitted_at)
                             .where(Attempt.id == attempt_id, Attempt.user_id == signed[0])).first()
    if row is None:
        abort(404)
    now = utcnow()
    response = jsonify(remaining_seconds=round(max(0.0, (row.deadline_at - now).total_seconds()), 1),
                       # Past the deadline and the grace the paper is closed, even before the expiry job ran.
                       is_closed=row.submitted_at is not None or now > row.deadline_at + grace(),
                       result_url=url_for("attempts.result", attempt_id=attempt_id))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/attempts/<int:attempt_id>/result")
@viewer_required
def result(attempt_id: int):
    """Score, time used and rank after submitting. The attempt is read as plain values and the round as
    boards read it (shared for a second), settled first if it is due; the paper only if this page shows
    it (the review, or the questions left unanswered where every answer is required)."""
    now = utcnow()
    attempt = own_attempt(attempt_id, current_user.id) or abort(404)
    if attempt.submitted_at is None:
        if not expire_if_due(db.session.get(Attempt, attempt_id), now):
            return redirect(url_for("attempts.take", attempt_id=attempt_id))
        db.session.commit()
        attempt = own_attempt(attempt_id, current_user.id)
    round_ = settled_state(attempt.round_id, now) or abort(404)  # after the close the rank shown is final
    standing = standing_of(attempt.round_id, current_user.id)
    if round_.may_review_at(now):  # the answers show by the round as it is now, not as read a second ago
        # (a close put off at the last moment); read for this page alone, leaving the boards' shared copy
        round_ = read_round_state(attempt.round_id) or abort(404)
    is_reviewed = round_.may_review_at(now)
    paper = load_attempt(attempt_id) if round_.is_all_required or is_reviewed else None
    position = own_position(round_, standing, None, board_view(round_, now, public=True)) if standing else None
    return render_template("attempts/result.html", attempt=attempt, round=round_,
                           contest_title=contest_head(round_).title, standing=standing, position=position,
                           is_counted=standing is not None and standing.attempt_id == attempt.id,
                           gaps=unanswered_positions(paper) if round_.is_all_required else [],
                           review=review_paper(paper) if is_reviewed else None)
