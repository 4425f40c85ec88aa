"""Fixtures: the same suite runs on SQLite or PostgreSQL (TEST_DATABASE), schema built by migrations."""
import contextvars
from contextlib import contextmanager
import os
import re
import uuid
from datetime import timedelta

import psycopg
import pytest
import sqlalchemy as sa
from flask import has_app_context
from flask.testing import FlaskClient
from flask_migrate import upgrade
from hypothesis import settings

from contest import create_app
from contest.accounts.models import Role
from contest.database import utcnow
from contest.extensions import db
from tests import factories

BACKEND = os.environ.get("TEST_DATABASE", "sqlite")
IN_CI = os.environ.get("CI") == "true"
POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
# In CI the property tests draw the same examples on every run of the same code, so a failure there is
# reproducible and a pass is not luck; on a developer's machine they keep exploring new examples.
settings.register_profile("ci", derandomize=True, print_blob=True)
if IN_CI:
    settings.load_profile("ci")
TEST_CONFIG = {"TESTING": True, "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
               "ATTEMPT_GRACE_SECONDS": 10}


def skip_or_fail(reason: str):
    """Skip on a developer's machine; in CI a missing service fails the run."""
    if IN_CI:
        pytest.fail(f"{reason} (CI=true: this must run, not skip)", pytrace=False)
    pytest.skip(reason)


def create_postgres_database() -> str:
    """Create an empty PostgreSQL database for this run and return its URL."""
    name = f"contest_test_{uuid.uuid4().hex[:12]}"
    try:
        with psycopg.connect(POSTGRES_URL, autocommit=True, connect_timeout=5) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.OperationalError as error:
        skip_or_fail(f"PostgreSQL is not reachable at {POSTGRES_URL} ({error.__class__.__name__}); "
                     "start it or set TEST_POSTGRES_URL to run the PostgreSQL tests")
    return POSTGRES_URL.rsplit("/", 1)[0] + f"/{name}"


def drop_postgres_database(url: str) -> None:
    """Drop a database created by create_postgres_database."""
    name = url.rsplit("/", 1)[1]
    with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def pytest_collection_modifyitems(config, items):
    """On the SQLite run, leave out the tests of what only PostgreSQL does (marked postgres_only): they run on
    the PostgreSQL run, which scripts/test and CI always make."""
    if BACKEND == "postgres":
        return
    kept = [item for item in items if item.get_closest_marker("postgres_only") is None]
    if len(kept) < len(items):
        config.hook.pytest_deselected(items=[item for item in items if item not in kept])
        items[:] = kept


def pytest_sessionfinish(session, exitstatus):
    """In CI nothing may be skipped: a skipped PostgreSQL or browser test fails the run."""
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = len(reporter.stats.get("skipped", [])) if reporter else 0
    if IN_CI and skipped and exitstatus == 0:
        reporter.write_line(f"CI=true: {skipped} test(s) skipped; everything must run in CI.", red=True)
        session.exitstatus = 1


@contextmanager
def empty_database(directory):
    """An empty database of the backend under test (a file in `directory` for SQLite)."""
    if BACKEND == "postgres":
        url = create_postgres_database()
        try:
            yield url
        finally:
            drop_postgres_database(url)
    else:
        yield f"sqlite:///{directory / 'test.db'}"


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    """An empty database of the backend under test, for the whole session."""
    with empty_database(tmp_path_factory.mktemp("db")) as url:
        yield url


@pytest.fixture(scope="session")
def session_app(database_url):
    """The application, its schema built by running the migrations."""
    app = create_app({**TEST_CONFIG, "DATABASE_URL": database_url})
    with app.app_context():
        upgrade()
    return app


def empty_tables() -> None:
    """Delete every row (inside an app context): each test starts from an empty schema."""
    db.session.rollback()
    tables = [table.name for table in reversed(db.metadata.sorted_tables)]
    if db.engine.dialect.name == "postgresql":
        db.session.execute(sa.text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
    else:
        for table in tables:
            db.session.execute(sa.text(f"DELETE FROM {table}"))
    db.session.commit()


@pytest.fixture
def app(session_app):
    """The application inside an app context, with every table emptied after the test."""
    with session_app.app_context():
        yield session_app
        empty_tables()
        db.session.remove()


class IsolatedClient(FlaskClient):
    """A client whose requests run in their own app context, as real requests do.

    Flask would otherwise reuse the test's app context, sharing `g` (the logged-in user) and the
    database session between the test and every request. The test's own transaction is committed
    first: on SQLite it would hold the write lock the request needs.
    """

    def open(self, *args, **kwargs):
        """Commit the test's session, then run the request in an empty context."""
        if has_app_context():  # redirects followed by the client come back here without one
            db.session.commit()
        return contextvars.Context().run(super().open, *args, **kwargs)


@pytest.fixture
def client(app):
    """A test client of the app whose requests are isolated from the test's context."""
    app.test_client_class = IsolatedClient
    return app.test_client()


@pytest.fixture
def runner(app):
    """A runner for the app's CLI commands."""
    return app.test_cli_runner()


@pytest.fixture
def now():
    """The current instant (services take `now`, so tests can also move it)."""
    return utcnow()


@pytest.fixture
def world(app, now):
    """An agency tree, a bank of 30 approved questions, an open round and a contestant."""
    return factories.build_world(now)


def csrf_token(client, url: str) -> str:
    """The CSRF token of the form on the page at `url`."""
    page = client.get(url).get_data(as_text=True)
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page) \
        or re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert match, f"no CSRF token on {url}"
    return match.group(1)


class Auth:
    """Log a user in and out through the real pages."""

    def __init__(self, client):
        self.client = client

    def login(self, email: str, password: str = factories.PASSWORD):
        """Post the login form with its CSRF token."""
        token = csrf_token(self.client, "/login")
        return self.client.post("/login", data={"email": email, "password": password,
                                                "csrf_token": token})


@pytest.fixture
def auth(client):
    """Helper to log in through the login page."""
    return Auth(client)


@pytest.fixture
def organizer(client, world, auth):
    """The client, logged in as an organizer of the world's province."""
    factories.make_user("btc@example.vn", world.province, Role.ORGANIZER, name="Ban tổ chức")
    db.session.commit()
    auth.login("btc@example.vn")
    return client


@pytest.fixture
def later(now):
    """A function giving `now` plus some seconds."""
    return lambda seconds: now + timedelta(seconds=seconds)
