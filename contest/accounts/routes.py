"""Register, log in, log out."""
import math
from datetime import timedelta
from urllib.parse import urlsplit

from flask import Blueprint, abort, flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user

from contest.accounts.access import role_required
from contest.accounts.forms import AccountCorrectionForm, LoginForm, PasswordChangeForm, RegistrationForm
from contest.accounts.models import Role, User
from contest.accounts import throttle
from contest.accounts.services import (CORRECTABLE, SEARCH_LIMIT, AccountError, authenticate, change_password,
                                      correct_account, create_user, normalise_email, reset_password,
                                      search_accounts)
from contest.agencies.queries import agency_picker
from contest.certificates.services import certificates_available
from contest.clock import format_datetime
from contest.database import utcnow
from contest.extensions import db
from contest.forms import EmptyForm

bp = Blueprint("accounts", __name__)


def _safe_next(target: str | None) -> str:
    """Follow ?next= only to a path on this site."""
    if target and not urlsplit(target).netloc and target.startswith("/") and not target.startswith("//"):
        return target
    return url_for("rounds.home")


@bp.route("/register", methods=["GET", "POST"])
def register():
    """A contestant creates an account under their agency."""
    form = RegistrationForm()
    picker = agency_picker("agency_id", form.agency_id.data, request.args.get("agency_q", ""))
    if form.validate_on_submit():
        try:
            user = create_user(
                full_name=form.full_name.data, email=form.email.data, password=form.password.data,
                phone=form.phone.data, citizen_id=form.citizen_id.data,
                birth_date=getattr(form, "birth_date_value", None),
                agency_id=form.agency_id.data, consented_at=utcnow(), stream=form.stream.data)
        except AccountError as error:
            form[error.field].errors.append(str(error))
        else:
            db.session.commit()
            login_user(user)
            flash("Đăng ký thành công. Chúc bạn thi tốt!", "success")
            return redirect(url_for("rounds.home"))
    return render_template("accounts/register.html", form=form, picker=picker), 200 if request.method == "GET" else 422


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Log in with e-mail and password."""
    form = LoginForm()
    status = 200 if request.method == "GET" else 401
    if form.validate_on_submit():
        now = utcnow()
        keys = throttle.keys_for(normalise_email(form.email.data), request.remote_addr or "")
        counts = throttle.running_counts(keys, now)
        until = throttle.refused_until(keys, counts)
        if until is not None:
            # Refused before the password is checked: guessing on costs the guesser nothing here either.
            shown = (until + timedelta(seconds=59)).replace(second=0, microsecond=0)
            form.password.errors.append(f"Đăng nhập sai quá nhiều lần. Vui lòng thử lại sau {format_datetime(shown)}.")
            response = make_response(render_template("accounts/login.html", form=form), 429)
            response.headers["Retry-After"] = str(max(1, math.ceil((until - now).total_seconds())))
            return response
        user = authenticate(form.email.data, form.password.data)
        if user is not None:
            if throttle.clear_account(keys, counts):
                db.session.commit()
            login_user(user, remember=form.remember.data)
            return redirect(_safe_next(request.args.get("next")))
        throttle.record_failure(keys, now)
        db.session.commit()
        form.password.errors.append("Email hoặc mật khẩu không đúng.")
    return render_template("accounts/login.html", form=form), status


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    """Log out (a POST, so no link can log a user out by surprise)."""
    if EmptyForm().validate_on_submit():
        logout_user()
        flash("Bạn đã đăng xuất.", "info")
    return redirect(url_for("rounds.home"))


@bp.route("/account", methods=["GET", "POST"])
@login_required
def account():
    """The account holder's details, and changing the password."""
    form = PasswordChangeForm()
    if form.validate_on_submit():
        try:
            change_password(current_user, form.current_password.data, form.password.data)
        except AccountError as error:
            form[error.field].errors.append(str(error))
        else:
            db.session.commit()
            login_user(current_user._get_current_object())  # this session carries the new epoch; others end
            flash("Đã đổi mật khẩu. Các phiên đăng nhập khác của tài khoản đã kết thúc.", "success")
            return redirect(url_for("accounts.account"))
    status = 200 if request.method == "GET" else 422
    return render_template("accounts/account.html", form=form,
                           certificates=certificates_available(current_user.id)), status


@bp.route("/organizer/accounts")
@role_required(Role.ORGANIZER)
def accounts_search():
    """Find an account by name, e-mail, phone or CCCD (diacritics ignored), e.g. to reset a password."""
    query = request.args.get("q", "").strip()
    found = search_accounts(query) if query else []
    return render_template("accounts/search.html", query=query, found=found, limit=SEARCH_LIMIT, form=EmptyForm())


@bp.route("/organizer/accounts/<int:user_id>/password", methods=["POST"])
@role_required(Role.ORGANIZER)
def accounts_reset_password(user_id: int):
    """Give the account a temporary password, shown on this page once (never stored in clear)."""
    user = db.session.get(User, user_id) or abort(404)
    if not EmptyForm().validate_on_submit():
        abort(400)
    if request.form.get("confirmed") != "1" and user.may_be_managed_by(current_user):
        # Whose password, and what it ends, is said before anything changes.
        return render_template(
            "confirm.html", title="Cấp lại mật khẩu",
            message=f"Cấp mật khẩu tạm thời cho {user.full_name} ({user.email})? Mật khẩu hiện tại của tài khoản "
                    "sẽ không dùng được nữa và mọi phiên đăng nhập của tài khoản kết thúc ngay.",
            note="Bài thi đang làm không mất: câu trả lời được giữ và gửi lại khi thí sinh đăng nhập lại. "
                 "Thao tác được ghi vào nhật ký.",
            action=url_for("accounts.accounts_reset_password", user_id=user.id), fields=[],
            confirm_label="Cấp mật khẩu tạm thời", cancel_url=url_for("accounts.accounts_search", q=user.email))
    try:
        temporary = reset_password(user, current_user)
    except AccountError as error:
        flash(str(error), "error")
        return redirect(url_for("accounts.accounts_search", q=user.email))
    db.session.commit()
    response = make_response(render_template("accounts/temporary_password.html", user=user, temporary=temporary))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/organizer/accounts/<int:user_id>", methods=["GET", "POST"])
@role_required(Role.ORGANIZER)
def accounts_correct(user_id: int):
    """Correct a contestant's registration (name, phone, CCCD, agency, stream), with a reason."""
    user = db.session.get(User, user_id) or abort(404)
    if not user.may_be_managed_by(current_user):
        abort(403)  # staff accounts are an admin's to correct
    form = AccountCorrectionForm(obj=user if request.method == "GET" else None)
    picker = agency_picker("agency_id", form.agency_id.data, request.args.get("agency_q", ""))
    if form.validate_on_submit():
        try:
            changed = correct_account(user, current_user, {name: form[name].data for name in CORRECTABLE},
                                      form.reason.data)
        except AccountError as error:
            form[error.field].errors.append(str(error))
        else:
            db.session.commit()
            flash(f"Đã sửa {len(changed)} mục của tài khoản {user.email}." if changed else "Không có gì thay đổi.",
                  "success")
            return redirect(url_for("accounts.accounts_search", q=user.email))
    status = 200 if request.method == "GET" else 422
    return render_template("accounts/correct.html", user=user, form=form, picker=picker), status
