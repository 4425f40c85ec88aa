"""Register, log in, log out, reset a forgotten password, see and end one's sessions."""
from urllib.parse import urlsplit

from flask import (Blueprint, abort, current_app, flash, g, make_response, redirect, render_template, request,
                   session, url_for)
from flask_login import current_user, login_required, login_user, logout_user

from contest.accounts import challenge, sessions, throttle
from contest.accounts.access import role_required
from contest.accounts.forms import (AccountCorrectionForm, ForgotPasswordForm, LoginForm, NewPasswordForm,
                                    PasswordChangeForm, RegistrationForm)
from contest.accounts.mail import compose, send_after_response
from contest.accounts.models import Role, User
from contest.accounts.services import (CORRECTABLE, SEARCH_LIMIT, TOKEN_LIFETIMES, AccountError, authenticate,
                                      change_password, confirm_by_link, correct_account, create_user, find_account,
                                      find_token, issue_token, normalise_email, reset_password,
                                      reset_password_by_link, search_accounts)
from contest.agencies.queries import agency_picker
from contest.certificates.services import certificates_available
from contest.audit.services import record
from contest.database import utcnow
from contest.extensions import db
from contest.forms import EmptyForm

bp = Blueprint("accounts", __name__)


def _safe_next(target: str | None) -> str:
    """Follow ?next= only to a path on this site."""
    if target and not urlsplit(target).netloc and target.startswith("/") and not target.startswith("//"):
        return target
    return url_for("rounds.home")


def _address() -> str:
    return request.remote_addr or ""


def _begin_session(user: User, remember: bool = False) -> None:
    """Log `user` in on this browser: a new session row (and remember-me cookie), committed."""
    _, remember_value = sessions.start_session(user, utcnow(), _address(), request.user_agent.string, remember)
    db.session.commit()
    login_user(user)
    if remember_value:
        g.remember_cookie = remember_value


def _external(endpoint: str, **values) -> str:
    """An absolute link for a mail: under PUBLIC_URL when set, else the address the request came to."""
    base = current_app.config["PUBLIC_URL"]
    return base + url_for(endpoint, **values) if base else url_for(endpoint, **values, _external=True)


def _challenged(form, limits: dict[str, int], counts: dict, now) -> dict | None:
    """The challenge to show if the counts are past their limits and the form brings no fresh solution
    of one; None if the request may go on (a solution, if any, is used up)."""
    over = throttle.excess(limits, counts)
    if over is None or challenge.verify(form.challenge.data, now):
        return None
    return challenge.create(over, now)


def _gate_request(kind: str, email: str, form, now) -> tuple[dict | None, bool]:
    """Registration and reset requests: the challenge to show when this address is past its limit (None:
    go on, and the request is counted), and whether a mail may still go to this e-mail in the window."""
    keys = throttle.request_keys(kind, email, _address())
    counts = throttle.running_counts(list(keys), now)
    pending = _challenged(form, {keys[0]: current_app.config["REQUEST_LIMIT_PER_ADDRESS"]}, counts, now)
    if pending is None:
        throttle.count(list(keys), now)
    return pending, counts.get(keys[1], (0,))[0] < current_app.config["RESET_MAILS_PER_ACCOUNT"]


def _with_challenge(template: str, form, pending: dict | None, status: int, **context):
    """Render a form page; with `pending`, the page solves that challenge before the form can be sent."""
    form.challenge.data = ""
    return render_template(template, form=form, challenge=pending, **context), status


@bp.before_app_request
def _restore_remembered() -> None:
    """A browser without a session brings back its remembered log-in: the cookie's secret is replaced."""
    cookie = request.cookies.get(sessions.REMEMBER_COOKIE)
    if not cookie or "_user_id" in session or request.endpoint in (None, "static"):
        return
    restored = sessions.restore_remembered(cookie, utcnow())
    if restored is None:
        g.remember_cookie = ""  # stale or forged: forget it
        return
    login, value = restored
    db.session.commit()
    session["_user_id"], session["_fresh"] = f"{login.user_id}.{login.id}", False
    g.remember_cookie = value


@bp.after_app_request
def _after(response):
    """Bring the log-in's last-seen time up to date (at most once in five minutes, sessions.TOUCH_EVERY)
    and set or clear the remember-me cookie."""
    sessions.finish_request(g.get("current_login"), utcnow())
    value = g.get("remember_cookie")
    if value:
        response.set_cookie(sessions.REMEMBER_COOKIE, value, max_age=int(sessions.remember_lifetime().total_seconds()),
                            httponly=True, samesite="Lax", secure=current_app.config["SESSION_COOKIE_SECURE"])
    elif value == "":
        response.delete_cookie(sessions.REMEMBER_COOKIE, httponly=True, samesite="Lax",
                               secure=current_app.config["SESSION_COOKIE_SECURE"])
    return response


@bp.route("/register", methods=["GET", "POST"])
def register():
    """A contestant creates an account under their agency (confirming the address first, if so configured)."""
    form = RegistrationForm()
    picker = agency_picker("agency_id", form.agency_id.data, request.args.get("agency_q", ""))
    pending = None
    if form.validate_on_submit():
        now, email = utcnow(), normalise_email(form.email.data)
        pending, may_mail = _gate_request("reg", email, form, now)
        if pending is not None:
            db.session.commit()
            return _with_challenge("accounts/register.html", form, pending, 429, picker=picker)
        confirming = current_app.config["REGISTRATION_CONFIRM_EMAIL"]
        existing = find_account(email) if confirming else None
        try:
            if existing is None:
                user = create_user(
                    full_name=form.full_name.data, email=form.email.data, password=form.password.data,
                    phone=form.phone.data, citizen_id=form.citizen_id.data,
                    birth_date=getattr(form, "birth_date_value", None),
                    agency_id=form.agency_id.data, consented_at=now, stream=form.stream.data)
        except AccountError as error:
            db.session.commit()  # the count stays
            form[error.field].errors.append(str(error))
        else:
            if not confirming:
                _begin_session(user)
                flash("Đăng ký thành công. Chúc bạn thi tốt!", "success")
                return redirect(url_for("rounds.home"))
            # The same answer whether or not the address had an account: its mailbox gets the explanation.
            messages = []
            if existing is not None:
                if may_mail:
                    messages.append(compose(existing.email, "already_registered", user=existing,
                                            login=_external("accounts.login"), forgot=_external("accounts.forgot")))
                record(existing.id, "account.registration_repeated", "user", existing.id, address=_address())
            else:
                user.is_awaiting_confirmation = True
                token = issue_token(user, "confirm", now, _address())
                messages.append(compose(user.email, "confirm", user=user, link=_external("accounts.confirm", token=token),
                                        minutes=int(TOKEN_LIFETIMES["confirm"].total_seconds() // 60)))
            db.session.commit()
            response = make_response(render_template("accounts/check_mail.html", email=email, purpose="confirm"))
            send_after_response(response, messages)
            return response
    return _with_challenge("accounts/register.html", form, pending, 200 if request.method == "GET" else 422,
                           picker=picker)


@bp.route("/register/confirm/<token>")
def confirm(token: str):
    """The link in the confirmation mail: the account can be used, and this browser is logged in."""
    user = confirm_by_link(token, utcnow())
    if user is None:
        db.session.rollback()
        return _no_store(make_response(render_template("accounts/link_invalid.html", purpose="confirm"), 404))
    _begin_session(user)
    flash("Đã xác nhận email. Đăng ký hoàn tất, chúc bạn thi tốt!", "success")
    return redirect(url_for("rounds.home"))


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Log in with e-mail and password; past the failure limits, after solving a challenge too."""
    form = LoginForm()
    status = 200 if request.method == "GET" else 401
    pending = None
    if form.validate_on_submit():
        now, address = utcnow(), _address()
        keys = throttle.keys_for(normalise_email(form.email.data), address)
        counts = throttle.running_counts(keys, now)
        limits = keys.limits()
        pending = _challenged(form, limits, counts, now)
        if pending is not None:
            # Asked before the password is checked: an unsolved guess costs the server no password hash.
            db.session.commit()
            form.challenge.errors.append("Tài khoản này vừa bị đăng nhập sai nhiều lần. Chờ máy xác minh xong "
                                         "(vài giây) rồi nhập lại mật khẩu và đăng nhập.")
            return _with_challenge("accounts/login.html", form, pending, 429)
        was_challenged = throttle.excess(limits, counts) is not None
        user = authenticate(form.email.data, form.password.data)
        if user is not None and user.is_awaiting_confirmation:
            token = issue_token(user, "confirm", now, address)
            message = compose(user.email, "confirm", user=user, link=_external("accounts.confirm", token=token),
                              minutes=int(TOKEN_LIFETIMES["confirm"].total_seconds() // 60))
            db.session.commit()
            form.email.errors.append("Email của tài khoản chưa được xác nhận. Chúng tôi vừa gửi lại thư xác nhận: "
                                     "mở liên kết trong thư để hoàn tất đăng ký.")
            response = make_response(*_with_challenge("accounts/login.html", form, None, 403))
            send_after_response(response, [message])
            return response
        if user is not None:
            throttle.clear_account(keys, counts)
            if was_challenged:
                record(user.id, "account.challenge_passed", "user", user.id, address=address)
            _begin_session(user, remember=form.remember.data)
            return redirect(_safe_next(request.args.get("next")))
        throttle.record_failure(keys, now)
        after = {key: (counts.get(key, (0, now))[0] + 1, now) for key in limits}
        for key, limit in limits.items():
            if after[key][0] == limit:  # logged once per window, when the count reaches its limit
                record(None, "account.login_challenged", "", None, limit=key.split("|")[0],
                       email=normalise_email(form.email.data), address=address)
        db.session.commit()
        form.password.errors.append("Email hoặc mật khẩu không đúng.")
        over = throttle.excess(limits, after)
        if over is not None:
            pending = challenge.create(over, now)
    return _with_challenge("accounts/login.html", form, pending, status)


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    """Log out (a POST, so no link can log a user out by surprise): the session ends on the server."""
    if EmptyForm().validate_on_submit():
        sessions.end_session(current_user.session_key, utcnow(), "logout")
        db.session.commit()
        logout_user()
        g.remember_cookie = ""
        flash("Bạn đã đăng xuất.", "info")
    return redirect(url_for("rounds.home"))


@bp.route("/password/forgot", methods=["GET", "POST"])
def forgot():
    """Ask for a reset link by e-mail; the answer is the same whether or not the address has an account."""
    form = ForgotPasswordForm()
    pending = None
    if form.validate_on_submit():
        now, email = utcnow(), normalise_email(form.email.data)
        pending, may_mail = _gate_request("reset", email, form, now)
        if pending is not None:
            db.session.commit()
            return _with_challenge("accounts/forgot.html", form, pending, 429)
        user = find_account(email)
        messages = []
        if user is not None and may_mail:
            token = issue_token(user, "reset", now, _address())
            messages.append(compose(user.email, "reset", user=user, link=_external("accounts.reset", token=token),
                                    minutes=int(TOKEN_LIFETIMES["reset"].total_seconds() // 60)))
            record(user.id, "account.password_reset_requested", "user", user.id, address=_address())
        db.session.commit()
        response = make_response(render_template("accounts/check_mail.html", email=email, purpose="reset"))
        send_after_response(response, messages)
        return response
    return _with_challenge("accounts/forgot.html", form, pending, 200 if request.method == "GET" else 422)


def _no_store(response):
    """A page reached by a secret link: not cached, and the link not passed on to other sites."""
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def reset(token: str):
    """The link in the reset mail: set a new password; every other session of the account ends."""
    now = utcnow()
    if find_token(token, "reset", now) is None:
        return _no_store(make_response(render_template("accounts/link_invalid.html", purpose="reset"), 404))
    form = NewPasswordForm()
    if form.validate_on_submit():
        user = reset_password_by_link(token, form.password.data, now)
        if user is None:  # used by a racing request a moment ago
            db.session.rollback()
            return _no_store(make_response(render_template("accounts/link_invalid.html", purpose="reset"), 404))
        user.is_awaiting_confirmation = False  # the link proved the address
        _begin_session(user)
        flash("Đã đặt mật khẩu mới. Mọi phiên đăng nhập khác của tài khoản đã kết thúc.", "success")
        return redirect(url_for("rounds.home"))
    status = 200 if request.method == "GET" else 422
    return _no_store(make_response(render_template("accounts/reset.html", form=form), status))


@bp.route("/account", methods=["GET", "POST"])
@login_required
def account():
    """The account holder's details, their sessions, and changing the password."""
    form = PasswordChangeForm()
    if form.validate_on_submit():
        try:
            change_password(current_user, form.current_password.data, form.password.data, utcnow())
        except AccountError as error:
            form[error.field].errors.append(str(error))
        else:
            # Every session ends, this one too: a copy of this browser's cookie dies with it. This browser
            # goes on under a new session (remembered if the old one was).
            login = g.get("current_login")
            _begin_session(current_user._get_current_object(), remember=bool(login and login.is_remembered))
            flash("Đã đổi mật khẩu. Các phiên đăng nhập khác của tài khoản đã kết thúc.", "success")
            return redirect(url_for("accounts.account"))
    status = 200 if request.method == "GET" else 422
    return render_template("accounts/account.html", form=form, logins=sessions.active_sessions(current_user, utcnow()),
                           device=sessions.device_label, end_form=EmptyForm(),
                           certificates=certificates_available(current_user.id)), status


@bp.route("/account/sessions/end-others", methods=["POST"])
@login_required
def end_other_sessions():
    """Log out everywhere else: every session of the account but this one ends."""
    if EmptyForm().validate_on_submit():
        ended = sessions.end_all_sessions(current_user, utcnow(), "ended_by_owner", keep=current_user.session_key)
        db.session.commit()
        flash(f"Đã đăng xuất {ended} phiên ở nơi khác." if ended else "Không có phiên nào khác đang mở.", "success")
    return redirect(url_for("accounts.account"))


@bp.route("/account/sessions/<session_id>/end", methods=["POST"])
@login_required
def end_session(session_id: str):
    """End one other session of the account (a browser left logged in somewhere)."""
    if EmptyForm().validate_on_submit() and session_id != current_user.session_key:
        if sessions.end_one_session(current_user, session_id[:32], utcnow()):
            db.session.commit()
            flash("Đã đăng xuất phiên đó.", "success")
    return redirect(url_for("accounts.account"))


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
