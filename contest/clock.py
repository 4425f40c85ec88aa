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


def _duration_text(milliseconds: int, is_exact: bool) -> str:
    """"m phút s,t giây" with tenths (cut, never rounded up) or, exact, "s,mmm" milliseconds."""
    minutes, rest = divmod(int(milliseconds), 60_000)
    seconds, fraction = divmod(rest, 1000)
    text = f"{seconds},{fraction:03d} giây" if is_exact else f"{seconds},{fraction // 100} giây"
    return f"{minutes} phút {text}" if minutes else text


def format_duration(milliseconds: int | None) -> str:
    """A duration as "m phút s,t giây", tenths cut (59,960 ms → "59,9 giây", never "60,0 giây")."""
    if milliseconds is None:
        return ""
    return _duration_text(milliseconds, is_exact=False)


def _clock_text(milliseconds: int, is_exact: bool) -> str:
    """"m:ss,t" (or "h:mm:ss,t"), tenths cut; exact: milliseconds "m:ss,mmm"."""
    hours, rest = divmod(int(milliseconds), 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    seconds, fraction = divmod(rest, 1000)
    tail = f"{fraction:03d}" if is_exact else str(fraction // 100)
    if hours:
        return f"{hours}:{minutes:02d}:{seconds:02d},{tail}"
    return f"{minutes}:{seconds:02d},{tail}"


def format_clock(milliseconds: int | None) -> str:
    """A duration as a stopwatch reads, tenths cut (never rounded up): 330,100 ms → "5:30,1",
    4,000,000 ms → "1:06:40,0". Short enough for a board's row on a phone."""
    if milliseconds is None:
        return ""
    return _clock_text(milliseconds, is_exact=False)


def _labels(values_ms, text) -> list[str]:
    """Labels for durations listed in order: tenths, except that rows whose tenths read the same as a
    neighbour's show their milliseconds, so a reader can see what separates (or ties) them."""
    values = list(values_ms)
    short = [text(value, False) if value is not None else None for value in values]
    labels = []
    for index, value in enumerate(values):
        if value is None:
            labels.append("")
            continue
        neighbours = [short[i] for i in (index - 1, index + 1) if 0 <= i < len(values)]
        labels.append(text(value, True) if short[index] in neighbours else short[index])
    return labels


def duration_labels(values_ms) -> list[str]:
    """format_duration for a list in board order, with milliseconds where neighbours tie in tenths:
    [100_012, 100_034] → ["1 phút 40,012 giây", "1 phút 40,034 giây"]."""
    return _labels(values_ms, _duration_text)


def clock_labels(values_ms) -> list[str]:
    """format_clock for a list in board order, with milliseconds where neighbours tie in tenths."""
    return _labels(values_ms, _clock_text)


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
