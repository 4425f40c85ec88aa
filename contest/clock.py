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


def format_clock(milliseconds: int | None) -> str:
    """A duration as a stopwatch reads, tenths cut (never rounded up): 330,100 ms → "5:30,1",
    4,000,000 ms → "1:06:40,0". Short enough for a board's row on a phone."""
    if milliseconds is None:
        return ""
    tenths = int(milliseconds) // 100
    hours, rest = divmod(tenths, 36_000)
    minutes, rest = divmod(rest, 600)
    seconds, tenth = divmod(rest, 10)
    if hours:
        return f"{hours}:{minutes:02d}:{seconds:02d},{tenth}"
    return f"{minutes}:{seconds:02d},{tenth}"


def format_remaining(seconds: float) -> str:
    """Time left, as people say it: "3 ngày 4 giờ", "2 giờ 15 phút", "12 phút", "dưới 1 phút"."""
    seconds = max(0, int(seconds))
    days, rest = divmod(seconds, 86_400)
    hours, rest = divmod(rest, 3_600)
    minutes = rest // 60
    if days:
        return f"{days} ngày {hours} giờ" if hours else f"{days} ngày"
    if hours:
        return f"{hours} giờ {minutes} phút" if minutes else f"{hours} giờ"
    return f"{minutes} phút" if minutes else "dưới 1 phút"
