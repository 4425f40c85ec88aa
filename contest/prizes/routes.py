"""Judges' prize page: rules, the proposal from the ranking, exclusions, signatures, the winners list."""
import tempfile
from pathlib import Path

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user

from contest.accounts.access import role_required
from contest.accounts.models import Role
from contest.database import utcnow
from contest.extensions import db
from contest.forms import EmptyForm
from contest.leaderboards.routes import settled
from contest.prizes.models import Exclusion, PrizeRule
from contest.prizes.services import (PrizeError, canonical, exclude, propose_winners, reinstate,
                                     set_prize_rules, sign, signatures, snapshot_of, snapshot_winners)
from contest.rounds.models import Round
from questions.lazy import deferred

bp = Blueprint("prizes", __name__, url_prefix="/judging/rounds/<int:round_id>/prizes")
# openpyxl loads with the first winners list, not in every web worker (see questions.lazy).
winners_workbook = deferred("contest.exports.winners:winners_workbook")


def parse_rules(text: str) -> list[tuple[str, int, int]]:
    """Read lines "Giải Nhất | 1 | 10" (name, how many, points for the agency); ValueError names the line."""
    rules = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        parts = [part.strip() for part in line.split("|")]
        if len(parts) not in (2, 3) or not parts[1].isdigit() or (len(parts) == 3 and not parts[2].isdigit()):
            raise ValueError(f"Dòng {number}: cần “Tên giải | Số lượng | Điểm”.")
        rules.append((parts[0], int(parts[1]), int(parts[2]) if len(parts) == 3 else 0))
    return rules


@bp.route("/")
@role_required(Role.JUDGE, Role.ORGANIZER)
def index(round_id: int):
    """The prize rules, the proposed winners with the exclusions, and who has signed."""
    round_ = settled(db.get_or_404(Round, round_id))
    snapshot = snapshot_of(round_)
    winners = snapshot_winners(snapshot) if snapshot else [w.as_dict() for w in propose_winners(round_)]
    checksum = snapshot.checksum if snapshot else canonical(round_, propose_winners(round_))[1]
    rules = db.session.scalars(sa.select(PrizeRule).where(PrizeRule.round_id == round_.id)
                               .order_by(PrizeRule.stream, PrizeRule.rank_order)).all()
    by_stream: dict[str, list[str]] = {}
    for rule in rules:
        by_stream.setdefault(rule.stream, []).append(f"{rule.name} | {rule.count} | {rule.points}")
    exclusions = db.session.scalars(sa.select(Exclusion).where(Exclusion.round_id == round_.id)).all()
    return render_template("prizes/index.html", round=round_, snapshot=snapshot, winners=winners,
                           checksum=checksum, signed=signatures(round_, checksum), rules=by_stream,
                           exclusions=exclusions, form=EmptyForm(), is_closed=utcnow() >= round_.closes_at)


def _act(round_id: int, action):
    """Run a judging action on the round; its message is flashed, a refusal shown as an error."""
    round_ = db.get_or_404(Round, round_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        message = action(round_)
    except (PrizeError, ValueError) as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        db.session.commit()
        flash(message, "success")
    return redirect(url_for("prizes.index", round_id=round_id))


@bp.route("/rules", methods=["POST"])
@role_required(Role.JUDGE, Role.ORGANIZER)
def rules(round_id: int):
    """Replace the prize rules of a stream."""
    stream = request.form.get("stream", "CBCCVC").strip() or "CBCCVC"

    def action(round_):
        set_prize_rules(round_, stream, parse_rules(request.form.get("rules", "")), current_user.id)
        return f"Đã lưu cơ cấu giải của khối {stream}."
    return _act(round_id, action)


@bp.route("/exclude", methods=["POST"])
@role_required(Role.JUDGE)
def exclude_entry(round_id: int):
    """Leave an entry out of the prizes, with a written reason."""
    user_id = request.form.get("user_id", type=int) or abort(400)

    def action(round_):
        exclude(round_, user_id, request.form.get("reason", ""), current_user)
        return "Đã loại bài thi khỏi xét giải."
    return _act(round_id, action)


@bp.route("/reinstate", methods=["POST"])
@role_required(Role.JUDGE)
def reinstate_entry(round_id: int):
    """Take an exclusion back."""
    user_id = request.form.get("user_id", type=int) or abort(400)

    def action(round_):
        reinstate(round_, user_id, current_user)
        return "Đã khôi phục bài thi."
    return _act(round_id, action)


@bp.route("/sign", methods=["POST"])
@role_required(Role.JUDGE)
def sign_results(round_id: int):
    """Sign the proposal seen; the second judge's signature freezes the results."""
    def action(round_):
        snapshot = sign(round_, current_user, request.form.get("checksum", ""), utcnow())
        return "Đã đủ chữ ký: kết quả đã được chốt." if snapshot else "Đã ký; cần thêm chữ ký của một thành viên khác."
    return _act(round_id, action)


@bp.route("/winners.xlsx")
@role_required(Role.JUDGE, Role.ORGANIZER)
def winners_file(round_id: int):
    """The winners list (Danh sách đạt giải), ready to print: signed, or marked as a proposal."""
    round_ = settled(db.get_or_404(Round, round_id))
    snapshot = snapshot_of(round_)
    winners = snapshot_winners(snapshot) if snapshot else [w.as_dict() for w in propose_winners(round_)]
    title = f"DANH SÁCH ĐẠT GIẢI — {round_.contest.title.upper()} — {round_.name.upper()}"
    if snapshot is None:
        title += " (DỰ KIẾN, CHƯA KÝ)"
    path = Path(tempfile.mkdtemp()) / "danh-sach-dat-giai.xlsx"
    winners_workbook(winners, title).save(path)
    return send_file(path, as_attachment=True, download_name=path.name)
