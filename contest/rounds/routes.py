"""Public pages of contests and rounds, and the organizer's round set-up."""
import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from contest.accounts.access import role_required
from contest.accounts.models import Role
from contest.clock import format_datetime, parse_local_datetime
from contest.bank.models import QuestionBank
from contest.bank.queries import short_rounds
from contest.database import utcnow
from contest.extensions import db
from contest.forms import EmptyForm
from contest.leaderboards.queries import board_view, own_position, standing_of
from contest.agencies.queries import agency_choices
from contest.rounds.forms import ContestForm, RoundForm
from contest.rounds.models import Contest, Round, RoundChange
from contest.rounds.queries import contest_overview, current_contest, other_contests, own_papers, prize_lines
from contest.rounds.services import (RoundError, approved_question_count, create_round, has_started,
                                     round_settings, save_contest, update_round)
from contest.rounds.settings import format_quotas
from questions.text import clean
from contest.audit.services import record

bp = Blueprint("rounds", __name__)


@bp.route("/")
def home():
    """The contest the site runs now: its rules in short, its weeks, the one open, prizes and figures."""
    now = utcnow()
    contest = current_contest(now)
    return _contest_page(contest, now)


@bp.route("/contests/<int:contest_id>")
def contest_home(contest_id: int):
    """A contest's own home page."""
    return _contest_page(db.get_or_404(Contest, contest_id), utcnow())


def _contest_page(contest: Contest | None, now):
    if contest is None:
        return render_template("rounds/home.html", home=None, others=[], now=now)
    home = contest_overview(contest, now)
    context = {"home": home, "others": other_contests(contest), "now": now}
    featured = home.featured
    if featured is not None and current_user.is_authenticated:
        context.update(_own_round_state(featured, now))
    return render_template("rounds/home.html", **context)


def _own_round_state(round_: Round, now) -> dict:
    """What the signed-in person has done in a round: papers, the one in progress, the result counted."""
    mine = own_papers(round_.id, current_user.id)
    standing = standing_of(round_.id, current_user.id)
    view = board_view(round_, now, public=True)
    return {"in_progress": next((a for a in mine if not a.is_submitted), None), "used": len(mine),
            "papers": [a for a in mine if a.is_submitted], "standing": standing,
            "position": own_position(round_, standing, None, view) if standing is not None else None}


@bp.route("/rounds/<int:round_id>")
def detail(round_id: int):
    """A round: what is open and for how long, its rules, and for a contestant what they have done."""
    round_ = db.get_or_404(Round, round_id)
    now = utcnow()
    context = {"round": round_, "state": round_.state_at(now), "form": EmptyForm(), "now": now,
               "prizes": prize_lines(round_)}
    if current_user.is_authenticated:
        context.update(_own_round_state(round_, now), may_review=round_.may_review_at(now))
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


def _choices(form: RoundForm) -> bool:
    """Fill the form's contest and bank lists; False (with a message) when either is empty."""
    form.contest_id.choices = [(c.id, c.title) for c in db.session.scalars(sa.select(Contest))]
    form.bank_id.choices = [(b.id, b.name) for b in db.session.scalars(sa.select(QuestionBank))]
    if not form.contest_id.choices or not form.bank_id.choices:
        flash("Cần có ít nhất một cuộc thi và một ngân hàng câu hỏi trước khi tạo vòng thi.", "error")
        return False
    return True


def _stream_banks(text: str) -> dict:
    """Read lines "Khối | Tên ngân hàng" into {stream: bank id}; RoundError names a faulty line."""
    banks = {}
    for number, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        stream, _, name = (part.strip() for part in line.partition("|"))
        bank = db.session.scalar(sa.select(QuestionBank).where(QuestionBank.name == name))
        if not stream or bank is None:
            raise RoundError(f"Dòng {number} của ngân hàng theo khối: cần “Khối | Tên ngân hàng” với ngân hàng đã có.")
        banks[stream] = bank.id
    return banks


def _settings_from(form: RoundForm) -> dict:
    bank = db.session.get(QuestionBank, form.bank_id.data)
    if bank is None:
        abort(400)
    return dict(name=form.name.data, bank=bank, opens_at=form.opens_at.instant, closes_at=form.closes_at.instant,
                time_limit_minutes=form.time_limit_minutes.data, question_count=form.question_count.data,
                attempts_allowed=form.attempts_allowed.data, counting_rule=form.counting_rule.data,
                quotas=getattr(form, "quota_list", []), prediction_kind=form.prediction_kind.data or None,
                prediction_prompt=form.prediction_prompt.data or "", is_all_required=form.is_all_required.data,
                review_policy=form.review_policy.data, stream_banks=_stream_banks(form.stream_banks.data))


def _warn_if_short(round_: Round) -> None:
    available = approved_question_count(round_.bank_id)
    if available < round_.question_count:
        flash(f"Lưu ý: ngân hàng “{round_.bank.name}” mới có {available} câu đã duyệt, "
              f"chưa đủ {round_.question_count} câu cho mỗi lượt thi.", "warning")


@bp.route("/organizer/rounds/new", methods=["GET", "POST"])
@role_required(Role.ORGANIZER)
def new_round():
    """Create a timed round."""
    form = RoundForm()
    if _choices(form) and form.validate_on_submit():
        contest = db.session.get(Contest, form.contest_id.data)
        if contest is None:
            abort(400)
        try:
            round_ = create_round(contest=contest, **_settings_from(form))
            record(current_user.id, "round.create", "round", round_.id, name=round_.name)
        except RoundError as error:
            flash(str(error), "error")
        else:
            db.session.commit()
            _warn_if_short(round_)
            flash(f"Đã tạo vòng thi “{round_.name}”.", "success")
            return redirect(url_for("rounds.detail", round_id=round_.id))
    return render_template("rounds/new.html", form=form, round=None)


@bp.route("/organizer/rounds/<int:round_id>/edit", methods=["GET", "POST"])
@role_required(Role.ORGANIZER)
def edit_round(round_id: int):
    """Change a round; once someone has started, only a later close is accepted, and it is logged."""
    round_ = db.get_or_404(Round, round_id)
    form = RoundForm(obj=round_)
    if request.method == "GET":
        form.opens_at.data = format_datetime(round_.opens_at)
        form.closes_at.data = format_datetime(round_.closes_at)
        form.time_limit_minutes.data = round_.time_limit_seconds // 60
        form.quotas.data = format_quotas(round_.quotas)
        form.prediction_kind.data = round_.prediction_kind or ""
        names = dict(db.session.execute(sa.select(QuestionBank.id, QuestionBank.name)).all())
        form.stream_banks.data = "\n".join(f"{stream} | {names.get(bank_id, '')}"
                                            for stream, bank_id in (round_.stream_banks or {}).items())
    if _choices(form) and form.validate_on_submit():
        try:
            changed = update_round(round_, round_settings(**_settings_from(form)), current_user.id)
            if changed:
                record(current_user.id, "round.edit", "round", round_.id, changed=", ".join(changed))
        except RoundError as error:
            db.session.rollback()
            flash(str(error), "error")
        else:
            db.session.commit()
            _warn_if_short(round_)
            flash(f"Đã lưu {len(changed)} thay đổi." if changed else "Không có gì thay đổi.", "success")
            return redirect(url_for("rounds.edit_round", round_id=round_.id))
    changes = db.session.scalars(sa.select(RoundChange).where(RoundChange.round_id == round_.id)
                                 .order_by(RoundChange.changed_at.desc())).all()
    return render_template("rounds/new.html", form=form, round=round_, is_locked=has_started(round_),
                           changes=changes)


@bp.route("/organizer/rounds/<int:round_id>/board", methods=["POST"])
@role_required(Role.ORGANIZER)
def board_settings(round_id: int):
    """Freeze the public board from a time (dd/mm/yyyy HH:MM, blank: never), or publish the results."""
    round_ = db.get_or_404(Round, round_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    if request.form.get("action") == "publish":
        round_.published_at = utcnow()
        record(current_user.id, "round.publish", "round", round_.id)
        flash("Đã công bố kết quả: bảng xếp hạng công khai hiển thị kết quả đầy đủ.", "success")
    else:
        text = request.form.get("freeze_at", "").strip()
        try:
            round_.freeze_at = parse_local_datetime(text) if text else None
        except ValueError:
            flash("Nhập thời điểm theo dạng ngày/tháng/năm giờ:phút, ví dụ 07/12/2026 12:00.", "error")
            return redirect(url_for("rounds.edit_round", round_id=round_.id))
        round_.published_at = None
        record(current_user.id, "round.freeze", "round", round_.id, freeze_at=round_.freeze_at)
        flash("Đã lưu thời điểm đóng băng bảng xếp hạng." if text else "Bảng xếp hạng cập nhật liên tục.", "success")
    db.session.commit()
    return redirect(url_for("rounds.edit_round", round_id=round_.id))


def _contest_values(form: ContestForm) -> dict:
    return {"title": clean(form.title.data), "slug": form.slug.data, "rules_text": form.rules_text.data.strip(),
            "eligible_agency_id": form.eligible_agency_id.data or None,
            "streams": [clean(part) for part in form.streams.data.split(",") if clean(part)],
            "overall_rule": form.overall_rule.data, "name_mask": form.name_mask.data,
            "agency_min_rate": form.agency_min_rate.data / 100, "agency_formula": form.agency_formula.data,
            "agency_rate_weight": form.agency_rate_weight.data / 100,
            "is_one_prize_per_person": form.is_one_prize_per_person.data}


@bp.route("/organizer/contests/new", methods=["GET", "POST"], defaults={"contest_id": None})
@bp.route("/organizer/contests/<int:contest_id>", methods=["GET", "POST"])
@role_required(Role.ORGANIZER)
def contest_settings(contest_id: int | None):
    """Create or edit a contest: rules text, eligible agencies, streams, ranking and collective prizes."""
    contest = db.get_or_404(Contest, contest_id) if contest_id else None
    form = ContestForm(obj=contest)
    form.eligible_agency_id.choices = [(0, "— Mọi đơn vị —")] + agency_choices()
    if request.method == "GET" and contest is not None:
        form.eligible_agency_id.data = contest.eligible_agency_id or 0
        form.streams.data = ", ".join(contest.streams or [])
        form.agency_min_rate.data = round(contest.agency_min_rate * 100)
        form.agency_rate_weight.data = round(contest.agency_rate_weight * 100)
    if form.validate_on_submit():
        try:
            saved = save_contest(contest, _contest_values(form))
        except RoundError as error:
            db.session.rollback()
            flash(str(error), "error")
        else:
            record(current_user.id, "contest.save", "contest", saved.id, title=saved.title)
            db.session.commit()
            flash(f"Đã lưu cuộc thi “{saved.title}”.", "success")
            return redirect(url_for("rounds.contest_settings", contest_id=saved.id))
    return render_template("rounds/contest.html", form=form, contest=contest)
