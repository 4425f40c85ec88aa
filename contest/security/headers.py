"""Security headers on every response: a strict Content-Security-Policy and its companions.

The policy allows scripts, styles, images and connections from the site itself only: no inline
script or style attribute anywhere (templates use classes, scripts set CSSOM properties, which the
policy allows), so nonces are not needed. `connect-src 'self'` covers the live pages' EventSource
and the answer saves' fetch. `img-src data:` is for the empty favicon (`<link rel=icon href="data:,">`).
"""
from flask import Flask

CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])
# Features no page uses: a framed or injected script cannot ask for them either.
PERMISSIONS_POLICY = ", ".join(f"{feature}=()" for feature in (
    "camera", "microphone", "geolocation", "payment", "usb", "serial", "bluetooth", "midi",
    "magnetometer", "gyroscope", "accelerometer", "display-capture", "interest-cohort"))
HSTS = "max-age=31536000; includeSubDomains"


def security_headers(is_https: bool) -> dict[str, str]:
    """The headers every response carries; HSTS only where the site is served over HTTPS."""
    headers = {
        "Content-Security-Policy": CONTENT_SECURITY_POLICY,
        "X-Frame-Options": "DENY",  # frame-ancestors for browsers that predate it
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "same-origin",
        "Permissions-Policy": PERMISSIONS_POLICY,
        "Cross-Origin-Opener-Policy": "same-origin",
    }
    if is_https:
        headers["Strict-Transport-Security"] = HSTS
    return headers


def init_app(app: Flask) -> None:
    """Add the security headers to every response (built once: the answer save is a hot path)."""
    headers = tuple(security_headers(app.config["SESSION_COOKIE_SECURE"]).items())
    names = frozenset(name.lower() for name, _ in headers)

    @app.after_request
    def add_security_headers(response):
        # A page's own choice stands (the log-in's Referrer-Policy). One pass over the response's few headers:
        # Headers.setdefault searched them all twice for each header added.
        chosen = names.intersection(name.lower() for name, _ in response.headers)
        response.headers.extend(headers if not chosen else [item for item in headers if item[0].lower() not in chosen])
        return response
