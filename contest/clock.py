"""Display time: the database holds UTC, people read and type Asia/Ho_Chi_Minh as dd/mm/yyyy."""
from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

from flask import current_app

DATETIME_FORMAT = "%d/%m/%Y %H:%M"
DATE_FORMAT = "%d/%m/%Y"


def display_zone() -> ZoneInfo:
    """The zone dates are shown and entered in (Asia/Ho_Chi_Minh unless configured)."""
    return ZoneInfo(current_app.config["DISPLAY_TIMEZONE"])


def format_datetime(value: datetime | None) -> str:
    """dd/mm/yyyy HH:MM in the display zone; empty for None."""
    if value is None:
        return ""
    return value.astimezone(display_zone()).strftime(DATETIME_FORMAT)


def format_date(value: date | datetime | None) -> str:
    """dd/mm/yyyy; a datetime is first moved into the display zone."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.astimezone(display_zone())
    return value.strftime(DATE_FORMAT)


def parse_local_datetime(text: str) -> datetime:
    """Read "dd/mm/yyyy HH:MM" typed in the display zone as a UTC instant; ValueError if malformed."""
    local = datetime.strptime(text.strip(), DATETIME_FORMAT)
    return local.replace(tzinfo=display_zone()).astimezone(timezone.utc)


def format_duration(milliseconds: int | None) -> str:
    """A duration as "m phút s,t giây" (tenths shown: ties are often decided by time)."""
    if milliseconds is None:
        return ""
    minutes, rest = divmod(int(milliseconds), 60_000)
    seconds = rest / 1000
    text = f"{seconds:.1f}".replace(".", ",") + " giây"
    return f"{minutes} phút {text}" if minutes else text
