"""Live events: the organizer's set-up pages, the host's console, the projector screen, the contestants'
phones, the stream every screen listens to, and the judges' page (final table, ledger, signatures)."""
import io
import random
import secrets
import socket

import segno
import sqlalchemy as sa
from flask import (Blueprint, Response, abort, current_app, flash, jsonify, redirect, render_template, request,
                   send_file, session, url_for)
from flask_login import current_user

from contest.accounts.access import role_required
from contest.accounts.models import Role, User
from contest.agencies.models import Agency
from contest.bank.models import QuestionBank
from contest.database import utcnow
from contest.exports.writers import MIMETYPES, table_bytes
from contest.extensions import db
from contest.forms import EmptyForm, options
from contest.live import services
from contest.live.exports import marks_table, results_table
from contest.live.forms import DrawForm, EventForm, JoinForm, JudgesForm, SegmentForm, TeamForm
from contest.live.judging import canonical, finished_run, sign, signatures, snapshot_of, snapshot_rows
from contest.live.models import LiveEvent, LiveSegment, LiveTeam
from contest.live.publication import is_published, publish_results
from contest.live.queries import (bank_questions, event_by_code, event_id_by_code, final_table, host_answers, marks_log,
                                  public_state, question_labels, segment_questions, stage_run, team_view)
from contest.live.rules import KIND_LABELS, SegmentRules, letter
from contest.live.services import LiveError
from contest.live.transport import Hub, stream
from contest.security.bounds import accepts_json, is_whole, json_object

bp = Blueprint("live", __name__)
SESSION_KEY = "live"


def _event(event_id: int) -> LiveEvent:
    return db.get_or_404(LiveEvent, event_id)


def _by_code(code: str) -> LiveEvent:
    return event_by_code(code) or abort(404)


def _json_error(message: str, status: int = 409):
    return jsonify({"ok": False, "message": message}), status


def _act(event: LiveEvent, action, anchor: str = ""):
    """Run a set-up action from a form post; flash its message or its refusal; back to the set-up page."""
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        message = action()
    except LiveError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        db.session.commit()
        flash(message, "success")
    return redirect(url_for("live.setup", event_id=event.id) + anchor)


# --- the organizer: events and their set-up ---------------------------------------------------------------

@bp.route("/organizer/live/", methods=["GET", "POST"])
@role_required(Role.ORGANIZER)
def index():
    """The live events, and a form to create one."""
    form = EventForm()
    form.bank_id.choices = options((bank.id, bank.name) for bank in db.session.scalars(
        sa.select(QuestionBank).order_by(QuestionBank.name)))
    if form.validate_on_submit():
        try:
            event = services.create_event(form.title.data, db.get_or_404(QuestionBank, form.bank_id.data),
                                          form.mode.data, form.venue.data, current_user, utcnow())
        except LiveError as error:
            db.session.rollback()
            flash(str(error), "error")
        else:
            db.session.commit()
            flash(f"Đã tạo hội thi “{event.title}” — mã tham gia {event.code}.", "success")
            return redirect(url_for("live.setup", event_id=event.id))
    events = db.session.scalars(sa.select(LiveEvent).order_by(LiveEvent.created_at.desc())).all()
    return render_template("live/index.html", form=form, events=events)


@bp.route("/organizer/live/<int:event_id>")
@role_required(Role.ORGANIZER)
def setup(event_id: int):
    """An event's set-up: teams with their PINs and QR codes, segments and their questions, judges."""
    event = _event(event_id)
    team_form = TeamForm()
    team_form.agency_id.choices = options([(0, "— không gắn đơn vị —")] + [
        (agency.id, agency.name) for agency in db.session.scalars(sa.select(Agency).order_by(Agency.path))])
    judges_form = JudgesForm(judge_ids=[judge.id for judge in event.judges])
    judges_form.judge_ids.choices = options((user.id, user.full_name) for user in db.session.scalars(
        sa.select(User).where(User.role == Role.JUDGE.value).order_by(User.full_name)))
    search = request.args.get("q", "")
    return render_template("live/setup.html", event=event, team_form=team_form, segment_form=SegmentForm(),
                           draw_form=DrawForm(), judges_form=judges_form, form=EmptyForm(), kinds=KIND_LABELS,
                           questions={segment.id: segment_questions(segment) for segment in event.segments},
                           candidates=bank_questions(event, search), search=search,
                           rules={segment.id: SegmentRules.from_settings(segment.settings).describe(
                               segment.kind, segment.points) for segment in event.segments},
                           run=services.real_run(event), letter=letter)


@bp.route("/organizer/live/<int:event_id>/teams", methods=["POST"])
@role_required(Role.ORGANIZER)
def add_team(event_id: int):
    """Add a team (or a contestant)."""
    event = _event(event_id)
    form = TeamForm()
    form.agency_id.choices = options([(0, "")] + [(agency_id, "") for agency_id in db.session.scalars(sa.select(Agency.id))])
    if not form.validate_on_submit():
        flash(" ".join(error for errors in form.errors.values() for error in errors), "error")
        return redirect(url_for("live.setup", event_id=event.id) + "#doi")

    def action():
        team = services.add_team(event, form.name.data, form.agency_id.data or None, form.members.data, current_user)
        return f"Đã thêm “{team.name}” — mã PIN {team.pin}."
    return _act(event, action, "#doi")


@bp.route("/organizer/live/<int:event_id>/teams/<int:team_id>/remove", methods=["POST"])
@role_required(Role.ORGANIZER)
def remove_team(event_id: int, team_id: int):
    """Take a team out before the event is run."""
    event = _event(event_id)
    team = db.get_or_404(LiveTeam, team_id)
    if team.event_id != event.id:
        abort(404)

    def action():
        services.remove_team(event, team, current_user)
        return f"Đã bỏ “{team.name}”."
    return _act(event, action, "#doi")


@bp.route("/organizer/live/<int:event_id>/segments", methods=["POST"])
@role_required(Role.ORGANIZER)
def add_segment(event_id: int):
    """Add a segment with its rules."""
    event = _event(event_id)
    form = SegmentForm()
    if not form.validate_on_submit():
        flash(" ".join(error for errors in form.errors.values() for error in errors), "error")
        return redirect(url_for("live.setup", event_id=event.id) + "#phan-thi")

    def action():
        segment = services.add_segment(event, form.kind.data, form.title.data, form.seconds.data, form.points.data,
                                       form.rules(), current_user)
        return f"Đã thêm phần thi “{segment.title}”."
    return _act(event, action, "#phan-thi")


def _segment(event: LiveEvent, segment_id: int) -> LiveSegment:
    segment = db.get_or_404(LiveSegment, segment_id)
    if segment.event_id != event.id:
        abort(404)
    return segment


@bp.route("/organizer/live/<int:event_id>/segments/<int:segment_id>/choose", methods=["POST"])
@role_required(Role.ORGANIZER)
def choose_questions(event_id: int, segment_id: int):
    """Put the ticked bank questions in a segment."""
    event = _event(event_id)
    segment = _segment(event, segment_id)
    ids = request.form.getlist("question_id", type=int)

    def action():
        added = services.choose_questions(segment, ids, current_user)
        return f"Đã thêm {added} câu hỏi vào “{segment.title}”."
    return _act(event, action, f"#phan-{segment.id}")


@bp.route("/organizer/live/<int:event_id>/segments/<int:segment_id>/draw", methods=["POST"])
@role_required(Role.ORGANIZER)
def draw_questions(event_id: int, segment_id: int):
    """Draw a segment's questions from the bank by quotas."""
    event = _event(event_id)
    segment = _segment(event, segment_id)
    form = DrawForm()
    if not form.validate_on_submit():
        flash(" ".join(error for errors in form.errors.values() for error in errors), "error")
        return redirect(url_for("live.setup", event_id=event.id) + f"#phan-{segment.id}")

    def action():
        added = services.draw_questions(segment, form.count.data, form.parsed, current_user,
                                        random.Random(secrets.randbits(64)))
        return f"Đã rút {added} câu hỏi cho “{segment.title}”."
    return _act(event, action, f"#phan-{segment.id}")


@bp.route("/organizer/live/<int:event_id>/judges", methods=["POST"])
@role_required(Role.ORGANIZER)
def set_judges(event_id: int):
    """Choose the judges who sign the final table."""
    event = _event(event_id)
    ids = request.form.getlist("judge_ids", type=int)

    def action():
        services.set_judges(event, ids, current_user)
        return "Đã lưu Ban giám khảo của hội thi."
    return _act(event, action, "#giam-khao")


def _qr_svg(data: str) -> Response:
    """A QR code as SVG, large enough to scan from a printed card or a projector."""
    buffer = io.BytesIO()
    segno.make(data, error="m").save(buffer, kind="svg", scale=8, border=2, title="Mã QR tham gia")
    return Response(buffer.getvalue(), mimetype="image/svg+xml", headers={"Cache-Control": "no-store"})


@bp.route("/organizer/live/<int:event_id>/teams/<int:team_id>/qr.svg")
@role_required(Role.ORGANIZER)
def team_qr(event_id: int, team_id: int):
    """The team's QR code: the join page with the event code, the team and its PIN filled in."""
    event = _event(event_id)
    team = db.get_or_404(LiveTeam, team_id)
    if team.event_id != event.id:
        abort(404)
    return _qr_svg(url_for("live.join", code=event.code, team=team.id, pin=team.pin, _external=True))


@bp.route("/live/<code>/qr.svg")
def event_qr(code: str):
    """The event's QR code (the join page with its code), for the projector."""
    event = _by_code(code)
    return _qr_svg(url_for("live.join", code=event.code, _external=True))


# --- the host's console ------------------------------------------------------------------------------------

@bp.route("/organizer/live/<int:event_id>/host")
@role_required(Role.ORGANIZER)
def host(event_id: int):
    """The host's console (its script drives it; keyboard shortcuts are listed on the page)."""
    event = _event(event_id)
    return render_template("live/host.html", event=event, run=stage_run(event.id), form=EmptyForm(),
                           labels=question_labels(event.id))


HOST_ACTIONS = {
    "next": lambda run, now, user: services.next_question(run, now),
    "lock": lambda run, now, user: services.lock_now(run, now),
    "pause": lambda run, now, user: services.pause(run, now),
    "resume": lambda run, now, user: services.resume(run, now),
    "reveal": lambda run, now, user: services.reveal(run, now),
    "scoreboard": lambda run, now, user: services.show_scoreboard(run, now),
    "finish": lambda run, now, user: services.finish(run, user, now),
    "end-rehearsal": lambda run, now, user: services.end_rehearsal(run, user, now),
}


@bp.route("/organizer/live/<int:event_id>/host/<any(start, rehearse):how>", methods=["POST"])
@accepts_json
@role_required(Role.ORGANIZER)
def start(event_id: int, how: str):
    """Put the event on the stage: for real, or as a rehearsal."""
    event = _event(event_id)
    try:
        services.start_run(event, current_user, utcnow(), rehearsal=how == "rehearse")
    except LiveError as error:
        db.session.rollback()
        return _json_error(str(error))
    db.session.commit()
    return jsonify({"ok": True})


@bp.route("/organizer/live/<int:event_id>/host/<action>", methods=["POST"])
@accepts_json
@role_required(Role.ORGANIZER)
def host_action(event_id: int, action: str):
    """One of the host's buttons (or keys): next, lock, pause, resume, reveal, scoreboard, finish."""
    if action not in HOST_ACTIONS:
        abort(404)
    event = _event(event_id)
    run = services.active_run(event.id)
    if run is None:
        return _json_error("Hội thi chưa bắt đầu.")
    run = services.locked_run(run.id)
    try:
        HOST_ACTIONS[action](run, utcnow(), current_user)
    except LiveError as error:
        db.session.rollback()
        return _json_error(str(error))
    db.session.commit()
    return jsonify({"ok": True, "phase": run.phase})


@bp.route("/organizer/live/<int:event_id>/host/mark", methods=["POST"])
@accepts_json
@role_required(Role.ORGANIZER)
def host_mark(event_id: int):
    """The host marks the spoken answer of the team holding the buzzer."""
    event = _event(event_id)
    body = json_object()
    team_id, verdict = body.get("team"), body.get("correct")
    if not is_whole(team_id) or not isinstance(verdict, bool):
        return _json_error("Cần đội và kết quả (đúng/sai).", 400)
    run = services.active_run(event.id)
    if run is None:
        return _json_error("Hội thi chưa bắt đầu.")
    try:
        services.mark_spoken(services.locked_run(run.id), team_id, verdict, current_user, utcnow())
    except LiveError as error:
        db.session.rollback()
        return _json_error(str(error))
    db.session.commit()
    return jsonify({"ok": True})


@bp.route("/organizer/live/<int:event_id>/host/correct", methods=["POST"])
@accepts_json
@role_required(Role.ORGANIZER, Role.JUDGE)
def correct(event_id: int):
    """Correct a team's points on a question, with a reason (logged)."""
    event = _event(event_id)
    body = json_object()
    question_id, team_id, points = body.get("question"), body.get("team"), body.get("points")
    if not (is_whole(question_id) and is_whole(team_id) and is_whole(points, -10_000, 10_000)) \
            or not isinstance(body.get("reason", ""), str):
        return _json_error("Cần câu hỏi, đội và số điểm (số nguyên).", 400)
    run = stage_run(event.id)
    if run is None:
        return _json_error("Hội thi chưa bắt đầu.")
    try:
        services.correct_mark(services.locked_run(run.id), question_id, team_id, points, body.get("reason", ""),
                              current_user, utcnow())
    except LiveError as error:
        db.session.rollback()
        return _json_error(str(error))
    db.session.commit()
    return jsonify({"ok": True})


@bp.route("/organizer/live/<int:event_id>/host/answers.json")
@role_required(Role.ORGANIZER, Role.JUDGE)
def answers(event_id: int):
    """For the host: what every team has answered on the current question, and the ledger's last entries."""
    event = _event(event_id)
    run = stage_run(event.id)
    if run is None:
        return jsonify({"run": None, "teams": [], "log": []})
    labels = question_labels(event.id)
    log = [{"id": mark.id, "question": labels.get(mark.question_id, ""), "team": mark.team.name, "kind": mark.kind,
            "points": mark.points, "correct": mark.is_correct, "note": mark.note,
            "by": mark.user.full_name if mark.user else "Máy chủ"} for mark in marks_log(run, last=30)]
    payload = {"run": run.id, "question": run.question_id, "teams": host_answers(run), "log": log[::-1]}
    if run.question is not None:  # the host's eyes only: the answer, to mark spoken answers and to read it out
        question = run.question.question
        payload.update(correct=", ".join(letter(index) for index in sorted(question.correct)),
                       citation=question.citation)
    response = jsonify(payload)
    response.headers["Cache-Control"] = "no-store"
    return response


# --- the projector and the stream ------------------------------------------------------------------------------

@bp.route("/live/<code>/screen")
def screen(code: str):
    """The projector screen (public: it shows only what the stage shows)."""
    event = _by_code(code)
    return render_template("live/screen.html", event=event)


def _can_hold_streams() -> bool:
    """True where an open stream does not hold a whole worker: a threaded server or gevent's greenlets."""
    return bool(request.environ.get("wsgi.multithread")) or socket.socket.__module__.startswith("gevent")


@bp.route("/live/<code>/stream")
def event_stream(code: str):
    """The event's Server-Sent Events: its state on every change (and, for screens, who has answered)."""
    event = _by_code(code)
    event_id = event.id
    if not _can_hold_streams():
        return Response("Luồng trực tiếp cần máy chủ gevent; trang sẽ tự cập nhật mỗi giây.\n", 503,
                        {"Retry-After": "1", "Content-Type": "text/plain; charset=utf-8"})
    db.session.remove()  # no transaction held while the stream is open (SQLite: no write lock)
    hub = Hub.of(current_app._get_current_object())
    subscriber, first = hub.subscribe(event_id, is_screen=request.args.get("screen") == "1")
    body = stream(hub, subscriber, first, current_app.config["LIVE_STREAM_MAX_SECONDS"])
    return Response(body, mimetype="text/event-stream",
                    headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})


@bp.route("/live/<code>/state.json")
def state(code: str):
    """The event's state now (what the stream sends), for pages whose stream cannot open."""
    event = _by_code(code)
    payload = public_state(event)
    payload["server_ms"] = int(utcnow().timestamp() * 1000)
    response = jsonify(payload)
    response.headers["Cache-Control"] = "no-store"
    return response


# --- the contestant's phone --------------------------------------------------------------------------------------

def _device_team(event: LiveEvent) -> tuple[int, str] | None:
    """(team id, device id) this browser joined for the event, from the signed session (keyed by the code)."""
    joined = session.get(SESSION_KEY, {}).get(event.code)
    return (joined[0], joined[1]) if joined else None


@bp.route("/live/", methods=["GET", "POST"])
def enter():
    """Type the event code shown on the projector."""
    if request.method == "POST":
        if not EmptyForm().validate_on_submit():
            abort(400)
        event = event_by_code(request.form.get("code", ""))
        if event is not None:
            return redirect(url_for("live.join", code=event.code))
        flash("Không có hội thi với mã này. Kiểm tra lại mã trên màn hình.", "error")
    return render_template("live/enter.html", form=EmptyForm())


@bp.route("/live/<code>", methods=["GET", "POST"])
def join(code: str):
    """Join a team with its PIN (the team's QR code fills both in); a joined device goes to its play page."""
    event = _by_code(code)
    form = JoinForm(team_id=request.args.get("team", type=int), pin=request.args.get("pin"))
    form.team_id.choices = options((team.id, team.name) for team in event.teams)
    if form.validate_on_submit():
        try:
            team = services.join_team(event, form.team_id.data, form.pin.data, request.remote_addr or "", utcnow())
        except LiveError as error:
            db.session.commit()  # a wrong PIN is counted
            flash(str(error), "error")
        else:
            joined = dict(session.get(SESSION_KEY, {}))
            joined[event.code] = [team.id, secrets.token_hex(6)]
            session[SESSION_KEY] = joined
            return redirect(url_for("live.play", code=event.code))
    elif request.method == "GET" and _device_team(event):
        return redirect(url_for("live.play", code=event.code))
    return render_template("live/join.html", event=event, form=form)


@bp.route("/live/<code>/play")
def play(code: str):
    """The contestant's phone: the question's options, its own state, its team's score."""
    event = _by_code(code)
    joined = _device_team(event)
    if joined is None:
        return redirect(url_for("live.join", code=event.code))
    team = db.session.get(LiveTeam, joined[0])
    if team is None or team.event_id != event.id:
        return redirect(url_for("live.join", code=event.code))
    return render_template("live/play.html", event=event, team=team, form=EmptyForm())


@bp.route("/live/<code>/leave", methods=["POST"])
def leave(code: str):
    """Leave the team on this device (to join another)."""
    event = _by_code(code)
    if not EmptyForm().validate_on_submit():
        abort(400)
    joined = dict(session.get(SESSION_KEY, {}))
    joined.pop(event.code, None)
    session[SESSION_KEY] = joined
    return redirect(url_for("live.join", code=event.code))


@bp.route("/live/<code>/me.json")
def me(code: str):
    """The device's own state (its team's answer on the question, stake, score), read again on reconnect."""
    event = _by_code(code)
    joined = _device_team(event)
    team = db.session.get(LiveTeam, joined[0]) if joined else None
    if team is None or team.event_id != event.id:
        return _json_error("Thiết bị chưa tham gia đội nào.", 403)
    response = jsonify(team_view(event, team))
    response.headers["Cache-Control"] = "no-store"
    return response


def _device_request(code: str) -> tuple[int, str, dict]:
    """The device's team and id for the event with this code, and the JSON body of its post; 403 if it has not
    joined. (Nothing is read from the database: an answer is the hot path of a hall of devices.)"""
    joined = session.get(SESSION_KEY, {}).get(code)
    if joined is None:
        abort(403)
    return joined[0], joined[1], json_object()


@bp.route("/live/<code>/answer", methods=["POST"])
@accepts_json
def answer(code: str):
    """A device's answer: {"run", "question", "choice"}; acknowledged with the choice its team holds."""
    now = utcnow()
    team_id, device, body = _device_request(code)
    run_id, question_id, choice = body.get("run"), body.get("question"), body.get("choice")
    if not all(is_whole(value) for value in (run_id, question_id, choice)):
        return _json_error("Câu trả lời không hợp lệ.", 400)
    ack = services.answer(code, run_id, question_id, team_id, choice, device, now)
    db.session.commit()
    return jsonify({"ok": ack.is_accepted, "choice": ack.choice, "message": ack.message}), \
        200 if ack.is_accepted else 409


def _device_action(code: str, action):
    """Run a device's buzzer press or stake on the locked run row."""
    team_id, _, body = _device_request(code)
    question_id = body.get("question")
    if not is_whole(question_id):
        return _json_error("Thiếu câu hỏi.", 400)
    event_id = event_id_by_code(code) or abort(404)
    run = services.active_run(event_id)
    if run is None:
        return _json_error("Hội thi chưa bắt đầu.")
    try:
        message = action(services.locked_run(run.id), question_id, team_id, utcnow())
    except LiveError as error:
        db.session.rollback()
        return _json_error(str(error))
    db.session.commit()
    return jsonify({"ok": True, "message": message})


@bp.route("/live/<code>/buzz", methods=["POST"])
@accepts_json
def buzz(code: str):
    """A team presses the buzzer."""
    return _device_action(code, services.press_buzzer)


@bp.route("/live/<code>/stake", methods=["POST"])
@accepts_json
def stake(code: str):
    """A team stakes its star on the question waiting to open."""
    def action(run, question_id, team_id, now):
        services.stake(run, question_id, team_id, now)
        return "Đã đặt ngôi sao hy vọng."
    return _device_action(code, action)


# --- judges: final table, ledger, signatures, exports; publication ----------------------------------------------

@bp.route("/judging/live/<int:event_id>")
@role_required(Role.JUDGE, Role.ORGANIZER)
def results(event_id: int):
    """The final table (proposed or signed), the judges' signatures and the ledger of every mark."""
    event = _event(event_id)
    run = finished_run(event)
    snapshot = snapshot_of(event)
    segment_titles = [segment.title for segment in event.segments]
    if snapshot is not None:
        frozen = snapshot_rows(snapshot)
        table, checksum, segment_titles = frozen["rows"], snapshot.checksum, frozen["segments"]
    elif run is not None:
        table, checksum = final_table(event, run), canonical(event, run)[1]
    else:
        table, checksum = [], None
    signed = signatures(event, checksum) if checksum else []
    return render_template("live/results.html", event=event, run=run, table=table, checksum=checksum,
                           segment_titles=segment_titles,
                           snapshot=snapshot, signed=signed, log=marks_log(run) if run else [],
                           labels=question_labels(event.id), form=EmptyForm(), is_published=is_published(event))


@bp.route("/judging/live/<int:event_id>/sign", methods=["POST"])
@role_required(Role.JUDGE)
def sign_results(event_id: int):
    """Sign the final table seen; the second judge's signature freezes it."""
    event = _event(event_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        snapshot = sign(event, current_user, request.form.get("checksum", ""), utcnow())
    except LiveError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        db.session.commit()
        flash("Đã đủ chữ ký: kết quả hội thi đã được chốt." if snapshot
              else "Đã ký; cần thêm chữ ký của một thành viên khác.", "success")
    return redirect(url_for("live.results", event_id=event.id))


def _download(table, file_format: str, stem: str):
    """A table as an attachment no cache keeps."""
    response = send_file(io.BytesIO(table_bytes(table, file_format)), mimetype=MIMETYPES[file_format],
                         as_attachment=True, download_name=f"{stem}.{file_format}")
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/judging/live/<int:event_id>/ket-qua.<any(xlsx, csv):file_format>")
@role_required(Role.JUDGE, Role.ORGANIZER)
def results_file(event_id: int, file_format: str):
    """The final table as .xlsx or .csv: signed (with the checksum), or marked as not signed."""
    event = _event(event_id)
    run = finished_run(event) or abort(404)
    snapshot = snapshot_of(event)
    rows = snapshot_rows(snapshot) if snapshot else None
    signed_by = [signoff.judge.full_name for signoff in signatures(event, snapshot.checksum)] if snapshot else []
    table = results_table(event, run, rows, snapshot.checksum if snapshot else canonical(event, run)[1], signed_by)
    return _download(table, file_format, f"ket-qua-hoi-thi-{event.code}")


@bp.route("/judging/live/<int:event_id>/nhat-ky.<any(xlsx, csv):file_format>")
@role_required(Role.JUDGE, Role.ORGANIZER)
def marks_file(event_id: int, file_format: str):
    """Every mark and correction of the event, in order."""
    event = _event(event_id)
    run = finished_run(event) or abort(404)
    return _download(marks_table(event, run), file_format, f"nhat-ky-cham-diem-{event.code}")


@bp.route("/organizer/live/<int:event_id>/publish", methods=["POST"])
@role_required(Role.ORGANIZER)
def publish(event_id: int):
    """Publish the signed results (the public results page opens)."""
    event = _event(event_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        publish_results(event, current_user, utcnow())
    except LiveError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        db.session.commit()
        flash("Đã công bố kết quả hội thi.", "success")
    return redirect(url_for("live.results", event_id=event.id))


@bp.route("/live/<code>/results")
def public_results(code: str):
    """The published, signed results of the event."""
    event = _by_code(code)
    snapshot = snapshot_of(event)
    if not is_published(event) or snapshot is None:
        return render_template("live/unpublished.html", event=event), 404
    return render_template("live/public_results.html", event=event, table=snapshot_rows(snapshot),
                           checksum=snapshot.checksum)
