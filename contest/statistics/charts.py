"""Bar charts as plain geometry for server-rendered SVG: no Flask, no database, no JavaScript."""
from dataclasses import dataclass

COLUMN_WIDTH = 640
COLUMN_PLOT_HEIGHT = 180
BAR_ROW_HEIGHT = 26
BAR_LABEL_WIDTH = 230
BAR_PLOT_WIDTH = 330
CHAR_WIDTH = 6.2  # average width of a 11px glyph, to decide when labels must turn
MAX_LABEL_CHARS = 36


@dataclass
class Bar:
    """One bar: its box, its category label and the value written beside it."""

    label: str
    value: float
    value_text: str
    x: float
    y: float
    width: float
    height: float
    label_x: float
    label_y: float
    value_x: float
    value_y: float


@dataclass
class Chart:
    """A chart's size, orientation and bars; `summary` is what a screen reader announces."""

    summary: str
    orientation: str  # "column" (vertical bars) or "bar" (horizontal bars)
    width: float
    height: float
    baseline: tuple[float, float, float, float]
    bars: list[Bar]
    is_label_turned: bool = False


def _shorten(text: str, limit: int = MAX_LABEL_CHARS) -> str:
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


def column_chart(summary: str, items: list[tuple[str, float]], value_text=str) -> Chart:
    """Vertical bars for `items` (label, value), scaled to the largest value; labels turn when crowded."""
    count = max(len(items), 1)
    slot = (COLUMN_WIDTH - 20) / count
    longest = max((len(label) for label, _ in items), default=0)
    is_turned = longest * CHAR_WIDTH > slot - 4
    bottom = 24 + (longest * CHAR_WIDTH * 0.72 if is_turned else 0)
    top = 18
    largest = max((value for _, value in items), default=0) or 1
    bars = []
    for index, (label, value) in enumerate(items):
        height = COLUMN_PLOT_HEIGHT * value / largest
        x = 10 + index * slot + slot * 0.15
        y = top + COLUMN_PLOT_HEIGHT - height
        centre = x + slot * 0.35
        bars.append(Bar(label=label, value=value, value_text=value_text(value), x=round(x, 1), y=round(y, 1),
                        width=round(slot * 0.7, 1), height=round(height, 1), label_x=round(centre, 1),
                        label_y=round(top + COLUMN_PLOT_HEIGHT + 16, 1), value_x=round(centre, 1),
                        value_y=round(y - 4, 1)))
    height = top + COLUMN_PLOT_HEIGHT + bottom
    baseline = (10, top + COLUMN_PLOT_HEIGHT, COLUMN_WIDTH - 10, top + COLUMN_PLOT_HEIGHT)
    return Chart(summary=summary, orientation="column", width=COLUMN_WIDTH, height=round(height, 1),
                 baseline=baseline, bars=bars, is_label_turned=is_turned)


def bar_chart(summary: str, items: list[tuple[str, float]], value_text=str) -> Chart:
    """Horizontal bars for `items` (label, value): suits long names such as agencies."""
    largest = max((value for _, value in items), default=0) or 1
    bars = []
    for index, (label, value) in enumerate(items):
        top = 6 + index * BAR_ROW_HEIGHT
        width = BAR_PLOT_WIDTH * value / largest
        bars.append(Bar(label=_shorten(label), value=value, value_text=value_text(value), x=BAR_LABEL_WIDTH,
                        y=top, width=round(width, 1), height=BAR_ROW_HEIGHT - 8,
                        label_x=BAR_LABEL_WIDTH - 6, label_y=top + 13, value_x=round(BAR_LABEL_WIDTH + width + 4, 1),
                        value_y=top + 13))
    height = 12 + max(len(items), 1) * BAR_ROW_HEIGHT
    width = BAR_LABEL_WIDTH + BAR_PLOT_WIDTH + 90
    baseline = (BAR_LABEL_WIDTH, 2, BAR_LABEL_WIDTH, height - 4)
    return Chart(summary=summary, orientation="bar", width=width, height=height, baseline=baseline, bars=bars)
