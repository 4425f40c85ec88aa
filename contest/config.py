"""Settings read from the environment, with safe defaults for the demo and the tests."""
import os
import secrets
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
INSTANCE_DIR = PROJECT_ROOT / "instance"


class ConfigError(RuntimeError):
    """Raised when the environment lacks a setting production cannot do without."""


def normalise_database_url(url: str) -> str:
    """Point plain postgres:// URLs at the psycopg 3 driver SQLAlchemy should use."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def load_config(overrides: dict | None = None, require_secret: bool = False) -> dict:
    """Build the Flask config from the environment, then apply explicit overrides (tests).

    A server (contest.wsgi) requires SECRET_KEY unless it runs the demo; a CLI command that signs
    nothing gets a throwaway key so maintenance commands need no secret.
    """
    overrides = dict(overrides or {})
    env = os.environ
    database_url = overrides.pop("DATABASE_URL", None) or env.get("DATABASE_URL") \
        or f"sqlite:///{INSTANCE_DIR / 'contest.db'}"
    config = {
        "SQLALCHEMY_DATABASE_URI": normalise_database_url(database_url),
        "SQLALCHEMY_ENGINE_OPTIONS": {},
        # A pooled connection idle longer than this is pinged before use (see database.ping_idle_connections).
        "DATABASE_PING_IDLE_SECONDS": float(env.get("DATABASE_PING_IDLE_SECONDS", "5")),
        "SECRET_KEY": env.get("SECRET_KEY"),
        "DISPLAY_TIMEZONE": env.get("DISPLAY_TIMEZONE", "Asia/Ho_Chi_Minh"),
        # Seconds after the deadline during which a save or submit still counts: the network's share.
        "ATTEMPT_GRACE_SECONDS": int(env.get("ATTEMPT_GRACE_SECONDS", "10")),
        "LEADERBOARD_PAGE_SIZE": int(env.get("LEADERBOARD_PAGE_SIZE", "50")),
        "MAX_CONTENT_LENGTH": int(env.get("MAX_UPLOAD_BYTES", str(20 * 1024 * 1024))),
        # A bank file up to this size is checked (previewed) in the request; a larger one by a jobs worker.
        "BANK_PREVIEW_INLINE_BYTES": int(env.get("BANK_PREVIEW_INLINE_BYTES", str(256 * 1024))),
        # A jobs worker notes every JOB_HEARTBEAT_SECONDS that it is still running its job; a running job
        # not heard of for JOB_STALE_SECONDS lost its worker and is run again, JOB_MAX_TRIES times at most.
        "JOB_HEARTBEAT_SECONDS": float(env.get("JOB_HEARTBEAT_SECONDS", "10")),
        "JOB_STALE_SECONDS": float(env.get("JOB_STALE_SECONDS", "60")),
        "JOB_MAX_TRIES": int(env.get("JOB_MAX_TRIES", "3")),
        # Pages are compressed at each encoder's quickest level: a board page (13 kB) costs 0.33–0.36 M
        # instructions in brotli 1 or zstd 1 against 1.48 M in brotli 4 (Flask-Compress's default, what a
        # browser without zstd, Safari among them, got) and 0.47 M in zstd 3, for 2.1–2.4 kB sent instead of
        # 1.9–2.1 kB. At a round's close the servers' CPU is scarce, not a phone's few hundred bytes.
        "COMPRESS_BR_LEVEL": 1,
        "COMPRESS_ZSTD_LEVEL": 1,
        "COMPRESS_LEVEL": 1,  # gzip, for browsers with neither
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": env.get("SESSION_COOKIE_SECURE", "0") == "1",
        "WTF_CSRF_TIME_LIMIT": None,
        "PASSWORD_HASH_METHOD": env.get("PASSWORD_HASH_METHOD", "scrypt"),
        # Counts per window (contest.accounts.throttle): failed log-ins past a limit make the log-in ask for a
        # proof-of-work challenge (never a refusal); registrations and reset requests past theirs too.
        "LOGIN_WINDOW_MINUTES": int(env.get("LOGIN_WINDOW_MINUTES", "15")),
        "LOGIN_LIMIT_PER_ACCOUNT_AND_ADDRESS": int(env.get("LOGIN_LIMIT_PER_ACCOUNT_AND_ADDRESS", "3")),
        "LOGIN_LIMIT_PER_ACCOUNT": int(env.get("LOGIN_LIMIT_PER_ACCOUNT", "10")),
        "LOGIN_LIMIT_PER_ADDRESS": int(env.get("LOGIN_LIMIT_PER_ADDRESS", "200")),
        "REQUEST_LIMIT_PER_ADDRESS": int(env.get("REQUEST_LIMIT_PER_ADDRESS", "3")),  # registrations, reset requests
        "RESET_MAILS_PER_ACCOUNT": int(env.get("RESET_MAILS_PER_ACCOUNT", "3")),  # per window; more are not sent
        # The challenge's work: SHA-256 guesses a browser makes on average at the first step (doubling
        # every CHALLENGE_STEP failures past the limit, up to CHALLENGE_MAX_WORK).
        "CHALLENGE_WORK": int(env.get("CHALLENGE_WORK", "100000")),
        "CHALLENGE_STEP": int(env.get("CHALLENGE_STEP", "5")),
        "CHALLENGE_MAX_WORK": int(env.get("CHALLENGE_MAX_WORK", "2000000")),
        # Sessions (contest.accounts.sessions): a log-in ends after this long unused; "remember me" keeps
        # one up to REMEMBER_DAYS (at most 30).
        "SESSION_IDLE_MINUTES": int(env.get("SESSION_IDLE_MINUTES", "120")),
        "REMEMBER_DAYS": int(env.get("REMEMBER_DAYS", "30")),
        # E-mail (Flask-Mailman): an SMTP server; MAIL_BACKEND=console prints mails (the demo).
        "MAIL_BACKEND": env.get("MAIL_BACKEND", "console" if env.get("CONTEST_DEMO") == "1" else "smtp"),
        "MAIL_SERVER": env.get("MAIL_SERVER", "localhost"),
        "MAIL_PORT": int(env.get("MAIL_PORT", "25")),
        "MAIL_USERNAME": env.get("MAIL_USERNAME"),
        "MAIL_PASSWORD": env.get("MAIL_PASSWORD"),
        "MAIL_USE_TLS": env.get("MAIL_USE_TLS", "0") == "1",
        "MAIL_USE_SSL": env.get("MAIL_USE_SSL", "0") == "1",
        "MAIL_TIMEOUT": int(env.get("MAIL_TIMEOUT", "10")),
        "MAIL_DEFAULT_SENDER": env.get("MAIL_DEFAULT_SENDER", "Cuộc thi trực tuyến <no-reply@localhost>"),
        # The site's public address (https://thi.example.gov.vn), for mailed links and the links printed on
        # certificates (their QR code); blank: the address the request came to (the command line then requires it).
        "PUBLIC_URL": env.get("PUBLIC_URL", "").rstrip("/"),
        # New accounts confirm their e-mail address by a mailed link before they can log in.
        "REGISTRATION_CONFIRM_EMAIL": env.get("REGISTRATION_CONFIRM_EMAIL", "0") == "1",
        # How many reverse proxies stand in front (their X-Forwarded-* headers are then trusted).
        "PROXY_HOPS": int(env.get("PROXY_HOPS", "0")),
        # Live events (contest.live.transport): how often each process serving streams polls the stage (the
        # fan-out on SQLite, a backstop beside LISTEN/NOTIFY on PostgreSQL), whether to LISTEN, and how long a
        # stream stays open before the page reconnects.
        "LIVE_POLL_SECONDS": float(env["LIVE_POLL_SECONDS"]) if env.get("LIVE_POLL_SECONDS") else None,
        "LIVE_NOTIFY": env.get("LIVE_NOTIFY", "1") == "1",
        "LIVE_STREAM_MAX_SECONDS": float(env.get("LIVE_STREAM_MAX_SECONDS", "1800")),
        # Where DejaVuSans.ttf and DejaVuSans-Bold.ttf are (Debian's fonts-dejavu-core puts them here).
        "CERTIFICATE_FONT_DIR": env.get("CERTIFICATE_FONT_DIR", "/usr/share/fonts/truetype/dejavu"),
        # Where the certificates jobs write a round's PDF and the download reads it: with several instances a
        # directory every instance mounts (the worker that builds it need not be the instance that serves it).
        "CERTIFICATE_BATCH_DIR": env.get("CERTIFICATE_BATCH_DIR", str(INSTANCE_DIR / "certificates")),
        # PostgreSQL reached through a pooler in transaction mode (PgBouncer pool_mode=transaction): each
        # transaction may run on another server connection, so no statement is prepared (psycopg's
        # prepare_threshold=None) and the live stage does not LISTEN (it polls).
        "DATABASE_TRANSACTION_POOLER": env.get("DATABASE_TRANSACTION_POOLER", "0") == "1",
        # Seconds every viewer shares the first page of a board (contest.leaderboards.shared); 0 turns it off.
        "BOARD_SHARED_SECONDS": float(env["BOARD_SHARED_SECONDS"]) if env.get("BOARD_SHARED_SECONDS") else None,
        # An agency's first page is shared longer (10 s by default): a viewer whose own rank disagrees with
        # it gets it rebuilt.
        "BOARD_AGENCY_SHARED_SECONDS": (float(env["BOARD_AGENCY_SHARED_SECONDS"])
                                        if env.get("BOARD_AGENCY_SHARED_SECONDS") else None),
    }
    config.update(overrides)
    if config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        # SQLite holds one writer at a time: wait for the lock rather than fail under a rush.
        config["SQLALCHEMY_ENGINE_OPTIONS"] = {"connect_args": {"timeout": 30}}
    if config["DATABASE_TRANSACTION_POOLER"] and config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        config["SQLALCHEMY_ENGINE_OPTIONS"] = {**config["SQLALCHEMY_ENGINE_OPTIONS"],
                                               "connect_args": {"prepare_threshold": None}}
        config["LIVE_NOTIFY"] = False  # LISTEN holds a server connection: a transaction pooler cannot keep it
    if config["LIVE_POLL_SECONDS"] is None:
        # Polling is the fan-out where there is no NOTIFY (SQLite), a backstop where there is.
        is_notified = config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql") and config["LIVE_NOTIFY"]
        config["LIVE_POLL_SECONDS"] = 2.0 if is_notified else 0.25
    if not config["SECRET_KEY"]:
        if config.get("TESTING"):
            config["SECRET_KEY"] = secrets.token_hex(32)
        elif env.get("CONTEST_DEMO") == "1":
            config["SECRET_KEY"] = read_or_create_demo_secret()
        elif not require_secret:
            config["SECRET_KEY"] = secrets.token_hex(32)
        else:
            raise ConfigError(
                "SECRET_KEY is not set. Set it in the environment (for example "
                "`export SECRET_KEY=$(python3 -c 'import secrets; print(secrets.token_hex(32))')`); "
                "scripts/demo generates one into instance/ for the demo."
            )
    return config


def read_or_create_demo_secret() -> str:
    """Return the demo's secret key, generating it into instance/ on first use."""
    INSTANCE_DIR.mkdir(exist_ok=True)
    path = INSTANCE_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()
