"""The contest web application: create_app() assembles config, extensions, blueprints and CLI."""
import sqlalchemy as sa
from flask import Flask, g, render_template, request
from flask.sessions import SecureCookieSessionInterface
from werkzeug.middleware.proxy_fix import ProxyFix

from contest import assets, clock, display, links, models  # noqa: F401  (models: every table registered before use)
from contest.accounts import sessions
from contest.accounts.models import Role, User, parse_session_id
from contest.accounts.routes import bp as accounts_bp
from contest.accounts.cli import accounts_cli
from contest.agencies.cli import agencies_cli
from contest.agencies.routes import bp as agencies_bp
from contest.attempts.cli import attempts_cli
from contest.attempts.routes import bp as attempts_bp
from contest.audit.routes import bp as audit_bp
from contest.bank.cli import questions_cli
from contest.bank.routes import bp as bank_bp
from contest.certificates.cli import certificates_cli
from contest.certificates.routes import bp as certificates_bp
from contest.database import DatabaseUnavailable, ping_idle_connections, tune_sqlite, utcnow
from contest.config import INSTANCE_DIR, PROJECT_ROOT, load_config
from contest.demo.cli import demo_cli
from contest.exports.cli import results_cli
from contest.exports.routes import bp as exports_bp
from contest.extensions import compress, csrf, db, login_manager, mail
from contest.health import bp as health_bp
from contest.integrity.routes import bp as integrity_bp
from contest.jobs.cli import jobs_cli
from contest.jobs.routes import bp as jobs_bp
from contest.judging.routes import bp as judging_bp
from contest.leaderboards.routes import bp as leaderboards_bp
from contest.legal.cli import legal_cli
from contest.legal.routes import bp as legal_bp
from contest.live.routes import bp as live_bp
from contest.prizes.routes import bp as prizes_bp
from contest.publication.routes import bp as publication_bp
from contest.reviews.routes import bp as reviews_bp
from contest.rounds.cli import rounds_cli
from contest.rounds.routes import bp as rounds_bp
from contest.scoring.cli import scores_cli
from contest.scoring.rules import mask_name
from contest.security import csrf as security_csrf, headers as security_headers, bounds as security_bounds
from contest.statistics.routes import bp as statistics_bp


def create_app(config: dict | None = None, require_secret: bool = False, migrations: bool = True) -> Flask:
    """Build the application from the environment, with `config` overriding it (tests). `migrations`
    registers Flask-Migrate for `flask db`; a web worker (contest.wsgi) goes without it."""
    app = Flask(__name__, template_folder=str(PROJECT_ROOT / "templates"),
                static_folder=None, instance_path=str(INSTANCE_DIR))
    app.config.from_mapping(load_config(config, require_secret=require_secret))
    app.session_interface = _SessionInterface()
    INSTANCE_DIR.mkdir(exist_ok=True)
    app.wsgi_app = _ReadsRetriedOnce(app.wsgi_app)
    if app.config["PROXY_HOPS"]:
        hops = app.config["PROXY_HOPS"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)

    db.init_app(app)
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            tune_sqlite(db.engine)
        else:
            ping_idle_connections(db.engine, app.config["DATABASE_PING_IDLE_SECONDS"])
    if migrations:
        _init_migrations(app)
    login_manager.init_app(app)
    csrf.init_app(app)
    security_csrf.init_app(app)  # after Flask-WTF's, whose template global it replaces
    mail.init_app(app)
    compress.init_app(app)
    assets.init_app(app, PROJECT_ROOT / "static")
    links.init_app(app)
    security_headers.init_app(app)
    security_bounds.init_app(app)

    for blueprint in (health_bp, accounts_bp, agencies_bp, rounds_bp, attempts_bp, leaderboards_bp, judging_bp,
                      bank_bp, legal_bp, reviews_bp, prizes_bp, audit_bp, statistics_bp, integrity_bp, exports_bp,
                      live_bp, publication_bp, certificates_bp, jobs_bp):
        app.register_blueprint(blueprint)
    for group in (accounts_cli, questions_cli, legal_cli, rounds_cli, attempts_cli, scores_cli, demo_cli,
                  agencies_cli, results_cli, certificates_cli, jobs_cli):
        app.cli.add_command(group)

    app.jinja_env.filters.update(datetime=clock.format_datetime, date=clock.format_date,
                                 duration=clock.format_duration, clock=clock.format_clock,
                                 duration_labels=clock.duration_labels, clock_labels=clock.clock_labels,
                                 remaining=clock.format_remaining, number=display.format_number,
                                 decimal=display.format_decimal, percent=display.format_percent, masked=mask_name)
    app.jinja_env.globals["Role"] = Role
    for status in (400, 403, 404, 413, 500):
        app.register_error_handler(status, _error_page)
    app.register_error_handler(DatabaseUnavailable, _unavailable_page)
    app.register_error_handler(sa.exc.OperationalError, _unavailable_page)
    return app


def _init_migrations(app: Flask) -> None:
    """Flask-Migrate, for `flask db` and the tests. Imported here, not at start-up: it brings Alembic, Mako
    and Pygments, 11 MB of a process that a web worker never uses."""
    from flask_migrate import Migrate
    Migrate(compare_type=True, render_as_batch=True).init_app(app, db, directory=str(PROJECT_ROOT / "migrations"))


class _SessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie session, its signer built once per worker rather than on every request
    (building it tries the serializer out: a few percent of an answer save)."""

    def save_session(self, app: Flask, session, response) -> None:
        """Static files carry no session: no cookie and no `Vary: Cookie`, so a browser keeps them across
        log-ins (Flask-Login reads the session after every request, which would add the Vary)."""
        if request.endpoint != "static":
            super().save_session(app, session, response)

    def get_signing_serializer(self, app: Flask):
        signer = app.extensions.get("session_signer")
        if signer is None:
            signer = app.extensions["session_signer"] = super().get_signing_serializer(app)
        return signer


@login_manager.user_loader
def _load_user(session_id: str) -> User | None:
    """Flask-Login's loader: the user behind the session cookie, while that log-in is live (a last-seen time
    TOUCH_EVERY old is brought up to date after the response, see accounts.routes)."""
    parsed = parse_session_id(session_id)
    if parsed is None:
        return None
    now = utcnow()
    loaded = sessions.load_user(*parsed, now)
    if loaded is None:
        return None
    user, login = loaded
    g.current_login = login
    return user


_READ_AGAIN = "contest.read_again"


def _unavailable_page(error):
    """503 with Retry-After when the database is unreachable or busy for a moment (never a 500)."""
    if isinstance(error, sa.exc.OperationalError):
        db.session.rollback()
        db.engine.dispose()  # the pool's other connections are likely gone with this one
        if error.connection_invalidated:  # not a timeout: reading again under load would double it
            request.environ[_READ_AGAIN] = True
    # The page names nobody rather than read the visitor's log-in (or an account the rollback expired) from
    # the database that just failed, which would turn this 503 into a 500; the session cookie is kept.
    login_manager._update_request_context_with_user()
    return render_template("unavailable.html"), 503, {"Retry-After": "5"}


def _no_write(data: bytes) -> None:
    """WSGI's legacy write(): Flask returns its body and never calls it, so the wrapper below refuses it
    rather than send bytes ahead of a status it may still replace."""
    raise RuntimeError("write() is not supported: return the body instead")


class _ReadsRetriedOnce:
    """A GET or HEAD whose database connection dropped runs once more, on the fresh pool, before anyone
    sees the 503: after a restart or a failover each worker's pool still holds dead connections, and
    reading twice changes nothing. (Writes are retried only where they are idempotent: the answer save.)"""

    def __init__(self, wsgi_app):
        self.wsgi_app = wsgi_app

    def __call__(self, environ, start_response):
        if environ.get("REQUEST_METHOD") not in ("GET", "HEAD"):
            return self.wsgi_app(environ, start_response)
        held = []

        def hold(status, headers, exc_info=None):
            held[:] = [status, headers, exc_info]
            return _no_write

        body = self.wsgi_app(environ, hold)
        if environ.pop(_READ_AGAIN, False):
            if hasattr(body, "close"):
                body.close()
            return self.wsgi_app(environ, start_response)  # a second drop is the 503 this time
        start_response(*held)
        return body


def _error_page(error):
    """A Vietnamese page for HTTP errors."""
    code = getattr(error, "code", 500) or 500
    return render_template("error.html", code=code), code
