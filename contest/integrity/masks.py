"""Partial masking of identifiers shown as evidence: enough to compare, not enough to reuse."""


def mask_ip(address: str) -> str:
    """An IPv4 address with its last two parts hidden (203.113.*.*); IPv6 keeps its first two groups."""
    if not address:
        return ""
    if ":" in address:
        groups = [group for group in address.split(":") if group]
        return ":".join(groups[:2]) + ":*"
    parts = address.split(".")
    if len(parts) != 4:
        return address[: len(address) // 2] + "*"
    return ".".join(parts[:2] + ["*", "*"])


def mask_device(device_id: str) -> str:
    """A device cookie's first four and last two characters (abcd…yz)."""
    if not device_id:
        return ""
    if len(device_id) <= 8:
        return device_id[:2] + "…"
    return f"{device_id[:4]}…{device_id[-2:]}"


def mask_citizen_id(citizen_id: str | None) -> str:
    """A CCCD number with only its last three digits shown."""
    if not citizen_id:
        return ""
    return "•" * max(len(citizen_id) - 3, 0) + citizen_id[-3:]


def mask_email(email: str) -> str:
    """An e-mail address with most of its local part hidden (ng•••@example.vn)."""
    local, _, domain = email.partition("@")
    return f"{local[:2]}•••@{domain}" if domain else local[:2] + "•••"
