"""How figures read on screen, the Vietnamese way (thousands dots, decimal commas)."""


def format_number(value) -> str:
    """A whole number with thousands dots: 12345 → "12.345"."""
    return f"{int(value or 0):,}".replace(",", ".")


def format_decimal(value, digits: int = 2) -> str:
    """A number with a decimal comma: 12.5 → "12,50"; "—" when there is none."""
    if value is None:
        return "—"
    return f"{value:,.{digits}f}".replace(",", " ").replace(".", ",").replace(" ", ".")


def format_percent(share, digits: int = 1) -> str:
    """A share as a percentage: 0.725 → "72,5%"; "—" when there is none."""
    if share is None:
        return "—"
    return format_decimal(share * 100, digits) + "%"
