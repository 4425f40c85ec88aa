"""`flask accounts …`: the staff accounts a contest starts from, and passwords set from the server."""
import click
import sqlalchemy as sa
from flask.cli import AppGroup

from contest.accounts.models import Role, User
from contest.accounts.services import MIN_PASSWORD_LENGTH, AccountError, create_user, normalise_email, set_password
from contest.agencies.models import Agency
from contest.audit.services import record
from contest.extensions import db

accounts_cli = AppGroup("accounts", help="Tài khoản: tạo tài khoản Ban tổ chức, Ban giám khảo; đặt mật khẩu.")


def _password_option(function):
    return click.option("--password", prompt="Mật khẩu", hide_input=True, confirmation_prompt="Nhập lại mật khẩu",
                        help="Hỏi khi chạy (không hiện trên màn hình) nếu không ghi.")(function)


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise click.UsageError(f"Mật khẩu cần ít nhất {MIN_PASSWORD_LENGTH} ký tự.")


@accounts_cli.command("create")
@click.option("--email", required=True)
@click.option("--name", "full_name", required=True, help="Họ và tên.")
@click.option("--role", type=click.Choice(["organizer", "judge", "admin"]), required=True,
              help="organizer: Ban tổ chức; judge: Ban giám khảo; admin: mọi quyền.")
@click.option("--agency", "agency_code", default=None, help="Mã đơn vị công tác (không bắt buộc).")
@_password_option
def create_command(email: str, full_name: str, role: str, agency_code: str | None, password: str) -> None:
    """Create an organizer, judge or admin account (contestants register on the site)."""
    _check_password(password)
    agency_id = None
    if agency_code:
        agency_id = db.session.scalar(sa.select(Agency.id).where(Agency.code == agency_code))
        if agency_id is None:
            raise click.UsageError(f"Không có đơn vị mã “{agency_code}”.")
    try:
        user = create_user(full_name=full_name, email=email, password=password, role=Role(role), agency_id=agency_id)
    except AccountError as error:
        raise click.UsageError(str(error))
    record(None, "account.create", "user", user.id, email=user.email, role=role)
    db.session.commit()
    click.echo(f"Đã tạo tài khoản {user.email} ({Role(role).label}).")


@accounts_cli.command("set-password")
@click.argument("email")
@_password_option
def set_password_command(email: str, password: str) -> None:
    """Set any account's password (an organizer's or judge's who forgot it; contestants' passwords
    are reset by organizers on the site)."""
    _check_password(password)
    user = db.session.scalar(sa.select(User).where(User.email == normalise_email(email)))
    if user is None:
        raise click.UsageError(f"Không có tài khoản {email}.")
    set_password(user, password)
    record(None, "account.password_set", "user", user.id, email=user.email)
    db.session.commit()
    click.echo(f"Đã đặt mật khẩu mới cho {user.email}.")
