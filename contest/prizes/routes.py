"""Judges' prize page: rules, the proposal from the ranking, exclusions, signatures, the winners list."""

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from contest.accounts.access import role_required
from contest.accounts.models import Role
from contest.certificates.jobs import builds_of
from contest.database import utcnow
from contest.exports.files import send_written
from contest.extensions import db
from contest.forms import EmptyForm
from contest.prizes.models import Exclusion, PrizeRule
from contest.prizes.services import (PrizeError, canonical, exclude, propose_winners, reinstate,
                                     set_prize_rules, sign, signatures, snapshot_of, snapshot_winners)
from contest.results.services import settled
from contest.publication.services import publication_of
from contest.rounds.models import Round
from questions.lazy import deferred
from questions.text import clean

bp = Blueprint("prizes", __name__, url_prefix="/judging/rounds/<int:round_id>/prizes")
# openpyxl loads with the first winners list, not in every web worker (see questions.lazy).
winners_workbook = deferred("contest.exports.winners:winners_workbook")


# Blank rows the prize form offers beyond the rules already set.
BLANK_RULE_ROWS = 3


def rules_from_rows(form) -> list[tuple[str, int, int]]:
    """The rows of the prize form (name-N, count-N, points-N) as (name, how many, points); blank rows
    are skipped; ValueError names every faulty row."""
    rules, faults = [], []
    numbers = sorted({int(key.split("-")[1]) for key in form if key.startswith("name-") and key[5:].isdigit()})
    for number in numbers[:50]:
        name = clean(form.get(f"name-{number}", ""))
        count, points = form.get(f"count-{number}", "").strip(), form.get(f"points-{number}", "").strip() or "0"
        if not name and not form.get(f"count-{number}", "").strip():
            continue
        if not name or not count.isdigit() or int(count) == 0 or not points.isdigit() or len(count) > 6 or len(points) > 6:
            faults.append(f"Dòng {number + 1}: cần tên giải, số lượng (số nguyên dương) và điểm cho đơn vị (số nguyên, có thể để 0).")
            continue
        rules.append((name[:60], int(count), int(points)))
    if faults:
        raise ValueError(" ".join(faults))
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
    by_stream: dict[str, list[PrizeRule]] = {}
    for rule in rules:
        by_stream.setdefault(rule.stream, []).append(rule)
    exclusions = db.session.scalars(sa.select(Exclusion).where(Exclusion.round_id == round_.id)).all()
    return render_template("prizes/index.html", round=round_, snapshot=snapshot, winners=winners,
                           checksum=checksum, signed=signatures(round_, checksum), rules=by_stream,
                           exclusions=exclusions, form=EmptyForm(), is_closed=utcnow() >= round_.closes_at,
                           streams=round_.contest.streams or ["CBCCVC"], blank_rows=BLANK_RULE_ROWS,
                           publication=publication_of(round_),
                           last_build=next(iter(builds_of(round_.id)), None) if current_user.has_role(Role.ORGANIZER)
                           else None)


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
    stream = clean(request.form.get("stream", "")) or "CBCCVC"

    def action(round_):
        set_prize_rules(round_, stream, rules_from_rows(request.form), current_user.id)
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
        settled(round_)
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
    workbook = winners_workbook(winners, title)
    return send_written(workbook.save, "danh-sach-dat-giai.xlsx")
