"""Public pages of contests and rounds, and the organizer's round set-up."""
import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.datastructures import MultiDict

from contest.accounts import sessions
from contest.accounts.access import role_required
from contest.accounts.models import Role
from contest.clock import format_datetime, parse_local_datetime
from contest.bank.models import QuestionBank
from contest.bank.queries import short_rounds
from contest.reviews.queries import open_counts_by_bank
from contest.database import utcnow
from contest.extensions import db
from contest.forms import EmptyForm, options
from contest.leaderboards.queries import board_view, own_position, standing_of
from contest.agencies.queries import agency_picker
from contest.results.lifecycle import STATE_LABELS, round_state
from contest.results.services import CorrectionError, correct_settled_round, settled
from contest.rounds.forms import ContestForm, RoundForm
from contest.publication.services import publication_of
from contest.rounds.models import Contest, Round, RoundChange
from contest.rounds.queries import contest_overview, current_contest, other_contests, own_papers, prize_lines
from contest.rounds.services import (RoundError, approved_question_count, bank_problems, create_round, has_started,
                                     round_settings, save_contest, settings_problems, update_round)
from contest.rounds.settings import SETTING_LABELS, format_quotas
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
    # The log-in's few columns, not the account: at a round's opening everyone lands here first.
    if featured is not None and sessions.viewer(now).is_authenticated:
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
    now = utcnow()
    round_ = settled(db.get_or_404(Round, round_id), now)  # a closed round shows its final figures
    context = {"round": round_, "state": round_.state_at(now), "form": EmptyForm(), "now": now,
               "prizes": prize_lines(round_), "is_published": publication_of(round_) is not None}
    if sessions.viewer(now).is_authenticated:  # the log-in's few columns, not the account
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
                           now=utcnow(), short_rounds=short_rounds(), flagged=open_counts_by_bank())


def _choices(form: RoundForm) -> bool:
    """Fill the form's contest and bank lists; False (with a message) when either is empty."""
    form.contest_id.choices = options((c.id, c.title) for c in db.session.scalars(sa.select(Contest)))
    form.bank_id.choices = options((b.id, b.name) for b in db.session.scalars(sa.select(QuestionBank)))
    if not form.contest_id.choices or not form.bank_id.choices:
        flash("Cần có ít nhất một cuộc thi và một ngân hàng câu hỏi trước khi tạo vòng thi.", "error")
        return False
    return True


def _stream_banks(text: str) -> tuple[dict, list[str]]:
    """Read lines "Khối | Tên ngân hàng" into {stream: bank id}, and a message for each faulty line."""
    banks, problems = {}, []
    for number, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        stream, _, name = (part.strip() for part in line.partition("|"))
        bank = db.session.scalar(sa.select(QuestionBank).where(QuestionBank.name == name))
        if not stream or bank is None:
            problems.append(f"Dòng {number}: cần “Khối | Tên ngân hàng” với một ngân hàng đã có.")
        else:
            banks[stream] = bank.id
    return banks, problems


# The fields a round's rules are checked from; a fault in one of them postpones those checks.
_RULE_FIELDS = ("bank_id", "opens_at", "closes_at", "time_limit_minutes", "question_count", "attempts_allowed",
                "quotas", "stream_banks")


def _checked_settings(form: RoundForm, round_: Round | None = None) -> dict | None:
    """Validate the form and every rule of the round in one pass, each fault on its field (the
    organizer fixes all at once); the stored values when nothing is wrong, else None."""
    is_valid = form.validate_on_submit()
    if not form.is_submitted():
        return None
    stream_banks, faults = _stream_banks(form.stream_banks.data)
    form.stream_banks.errors = list(form.stream_banks.errors) + faults
    bank = db.session.get(QuestionBank, form.bank_id.data or 0)
    if bank is None:
        form.bank_id.errors = list(form.bank_id.errors) + ["Chọn ngân hàng câu hỏi."]
    if any(form[name].errors for name in _RULE_FIELDS):
        return None
    values = round_settings(
        name=form.name.data or "", bank=bank, opens_at=form.opens_at.instant, closes_at=form.closes_at.instant,
        time_limit_minutes=form.time_limit_minutes.data, question_count=form.question_count.data,
        attempts_allowed=form.attempts_allowed.data, counting_rule=form.counting_rule.data,
        quotas=getattr(form, "quota_list", []), prediction_kind=form.prediction_kind.data or None,
        prediction_prompt=form.prediction_prompt.data or "", is_all_required=form.is_all_required.data,
        review_policy=form.review_policy.data, stream_banks=stream_banks,
        is_flagged_excluded=form.is_flagged_excluded.data)
    problems = settings_problems(values)
    draws = ("bank_id", "stream_banks", "question_count", "quotas")
    if round_ is None or any(getattr(round_, name) != values[name] for name in draws):
        problems += bank_problems(values)
    for setting, message in problems:
        field = form[setting] if setting in form else form.name
        field.errors = list(field.errors) + [message]
    return values if is_valid and not problems else None


def _warn_if_short(round_: Round) -> None:
    available = approved_question_count(round_.bank_id)
    if available < round_.question_count:
        flash(f"Lưu ý: ngân hàng “{round_.bank.name}” mới có {available} câu đã duyệt, "
              f"chưa đủ {round_.question_count} câu cho mỗi lượt thi.", "warning")


@bp.route("/organizer/rounds/new", methods=["GET", "POST"])
@role_required(Role.ORGANIZER)
def new_round():
    """Create a timed round; every fault of the form and of its banks is shown at once."""
    form = RoundForm()
    if _choices(form):
        values = _checked_settings(form)
        contest = db.session.get(Contest, form.contest_id.data or 0)
        if values is not None and contest is not None:
            try:
                round_ = create_round(contest=contest, **_create_arguments(values))
                record(current_user.id, "round.create", "round", round_.id, name=round_.name)
            except RoundError as error:
                db.session.rollback()
                flash(str(error), "error")
            else:
                db.session.commit()
                flash(f"Đã tạo vòng thi “{round_.name}”.", "success")
                return redirect(url_for("rounds.detail", round_id=round_.id))
    status = 422 if form.errors else 200
    return render_template("rounds/new.html", form=form, round=None), status


def _create_arguments(values: dict) -> dict:
    """create_round's arguments from stored settings."""
    arguments = {name: values[name] for name in ("name", "opens_at", "closes_at", "question_count", "attempts_allowed",
                                                 "counting_rule", "quotas", "prediction_kind", "prediction_prompt",
                                                 "is_all_required", "review_policy", "stream_banks")}
    return {**arguments, "bank": db.session.get(QuestionBank, values["bank_id"]),
            "time_limit_minutes": values["time_limit_seconds"] // 60}


def _stored_formdata(round_: Round) -> MultiDict:
    """A started round's settings as the form would post them (its fields are shown but disabled)."""
    names = dict(db.session.execute(sa.select(QuestionBank.id, QuestionBank.name)).all())
    data = MultiDict({
        "contest_id": str(round_.contest_id), "bank_id": str(round_.bank_id), "name": round_.name,
        "opens_at": format_datetime(round_.opens_at), "closes_at": format_datetime(round_.closes_at),
        "time_limit_minutes": str(round_.time_limit_seconds // 60), "question_count": str(round_.question_count),
        "attempts_allowed": str(round_.attempts_allowed or ""), "counting_rule": round_.counting_rule,
        "quotas": format_quotas(round_.quotas), "prediction_kind": round_.prediction_kind or "",
        "prediction_prompt": round_.prediction_prompt, "review_policy": round_.review_policy,
        "stream_banks": "\n".join(f"{stream} | {names.get(bank_id, '')}"
                                  for stream, bank_id in (round_.stream_banks or {}).items())})
    if round_.is_all_required:
        data["is_all_required"] = "y"
    if round_.is_flagged_excluded:
        data["is_flagged_excluded"] = "y"
    return data


@bp.route("/organizer/rounds/<int:round_id>/edit", methods=["GET", "POST"])
@role_required(Role.ORGANIZER)
def edit_round(round_id: int):
    """Change a round; once someone has started, only a later close is accepted (the other fields are
    shown disabled), and every change is logged."""
    round_ = db.get_or_404(Round, round_id)
    is_locked = has_started(round_)
    if request.method == "GET":
        form = RoundForm(formdata=_stored_formdata(round_))
    elif is_locked:
        # Only the close can change: the other fields are disabled, so they are taken as stored.
        formdata = _stored_formdata(round_)
        formdata["closes_at"] = request.form.get("closes_at", "")
        formdata["csrf_token"] = request.form.get("csrf_token", "")
        form = RoundForm(formdata=formdata)
    else:
        form = RoundForm()
    if _choices(form):
        values = _checked_settings(form, round_)
        if values is not None:
            try:
                changed = update_round(round_, values, current_user.id)
                if changed:
                    record(current_user.id, "round.edit", "round", round_.id, changed=", ".join(changed))
            except RoundError as error:
                db.session.rollback()
                for setting, message in error.problems:
                    field = form[setting] if setting in form else form.closes_at
                    field.errors = list(field.errors) + [message]
            else:
                db.session.commit()
                _warn_if_short(round_)
                flash(f"Đã lưu {len(changed)} thay đổi." if changed else "Không có gì thay đổi.", "success")
                return redirect(url_for("rounds.edit_round", round_id=round_.id))
    changes = db.session.scalars(sa.select(RoundChange).where(RoundChange.round_id == round_.id)
                                 .order_by(RoundChange.changed_at.desc())).all()
    status = 422 if form.errors else 200
    return render_template("rounds/new.html", form=form, round=round_, is_locked=is_locked,
                           round_state=round_state, state_labels=STATE_LABELS,
                           changes=changes, setting_labels=SETTING_LABELS), status


@bp.route("/organizer/rounds/<int:round_id>/board", methods=["POST"])
@role_required(Role.ORGANIZER)
def board_settings(round_id: int):
    """Freeze the public board from a time (dd/mm/yyyy HH:MM, blank: never). Publishing the results (which
    ends a freeze) is done on the prize page once two judges have signed: publication.publish."""
    round_ = db.get_or_404(Round, round_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    text = request.form.get("freeze_at", "").strip()
    try:
        round_.freeze_at = parse_local_datetime(text) if text else None
    except ValueError:
        flash("Nhập thời điểm theo dạng ngày/tháng/năm giờ:phút, ví dụ 07/12/2026 12:00.", "error")
        return redirect(url_for("rounds.edit_round", round_id=round_.id))
    record(current_user.id, "round.freeze", "round", round_.id, freeze_at=round_.freeze_at)
    flash("Đã lưu thời điểm đóng băng bảng xếp hạng." if text else "Bảng xếp hạng cập nhật liên tục.", "success")
    db.session.commit()
    return redirect(url_for("rounds.edit_round", round_id=round_.id))


@bp.route("/organizer/rounds/<int:round_id>/correct", methods=["POST"])
@role_required(Role.ORGANIZER)
def correct_results(round_id: int):
    """Correct a settled round's figures, with a written reason: recounted, signatures withdrawn, logged."""
    round_ = db.get_or_404(Round, round_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        withdrawn = correct_settled_round(round_, current_user.id, clean(request.form.get("reason", "")), utcnow())
    except CorrectionError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        db.session.commit()
        flash("Đã điều chỉnh và tính lại kết quả." + (
            f" Đã rút {withdrawn} chữ ký của Ban giám khảo: kết quả cần được ký lại." if withdrawn else ""), "success")
    return redirect(url_for("rounds.edit_round", round_id=round_.id))


def _contest_values(form: ContestForm) -> dict:
    return {"title": clean(form.title.data), "slug": form.slug.data, "rules_text": form.rules_text.data.strip(),
            "organizers": "\n".join(clean(line) for line in (form.organizers.data or "").splitlines() if clean(line)),
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
    picker = agency_picker("eligible_agency_id", form.eligible_agency_id.data, request.args.get("agency_q", ""))
    if request.method == "GET" and contest is not None:
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
    return render_template("rounds/contest.html", form=form, contest=contest, picker=picker)
