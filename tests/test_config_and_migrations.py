"""Configuration from the environment, and migrations that match the models on both databases."""
import pytest
from flask import request
import sqlalchemy as sa
from flask_migrate import check, upgrade

from contest import create_app
from contest.config import ConfigError, normalise_database_url
from contest.extensions import db
from tests.conftest import TEST_CONFIG, empty_database


def test_server_refuses_to_start_without_secret_key(monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("CONTEST_DEMO", raising=False)
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        create_app({"DATABASE_URL": "sqlite://"}, require_secret=True)


def test_secret_key_from_environment_is_used(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "s3cret-from-env")
    app = create_app({"DATABASE_URL": "sqlite://"}, require_secret=True)
    assert app.config["SECRET_KEY"] == "s3cret-from-env"


def test_postgres_urls_use_psycopg3():
    assert normalise_database_url("postgres://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalise_database_url("sqlite:///x.db") == "sqlite:///x.db"


@pytest.fixture
def empty_database_url(tmp_path):
    with empty_database(tmp_path) as url:
        yield url


def test_upgrade_on_an_empty_database_then_check_is_clean(empty_database_url):
    app = create_app({**TEST_CONFIG, "DATABASE_URL": empty_database_url})
    with app.app_context():
        upgrade()
        check()  # raises SystemExit(1) if the models and the migrations differ
        tables = set(sa.inspect(db.engine).get_table_names())
        if db.engine.dialect.name == "postgresql":
            # Alembic's check does not compare storage parameters: the migrations must set what the models say.
            declared = {table.name: {f"{key}={value}" for key, value in table.dialect_options["postgresql"]["with"].items()}
                        for table in db.metadata.sorted_tables if table.dialect_options["postgresql"]["with"]}
            stored = dict(db.session.execute(sa.text("SELECT relname, reloptions FROM pg_class WHERE relname = ANY(:names)"),
                                             {"names": list(declared)}).all())
            assert declared == {"attempt_items": {"fillfactor=80"}}
            assert {name: set(stored[name] or ()) for name in declared} == declared
    assert {"agencies", "users", "questions", "rounds", "attempts", "attempt_items",
            "standings", "legal_documents"} <= tables


def test_health_endpoint_answers_without_session_or_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.data == b"ok"
    assert "Set-Cookie" not in response.headers


def test_behind_a_proxy_the_client_address_comes_from_x_forwarded_for(database_url):
    app = create_app({**TEST_CONFIG, "DATABASE_URL": database_url, "PROXY_HOPS": 1})

    @app.route("/_ip")
    def _ip():
        return request.remote_addr
    response = app.test_client().get("/_ip", headers={"X-Forwarded-For": "203.0.113.7"})
    assert response.get_data(as_text=True) == "203.0.113.7"


def test_a_pooled_connection_the_server_dropped_is_replaced_after_idling():
    """PostgreSQL only (it runs in both passes): the idle ping is what keeps a restart from failing a request."""
    import psycopg

    from tests.conftest import POSTGRES_URL, create_postgres_database, drop_postgres_database

    url = create_postgres_database()
    try:
        for idle_seconds, survives in [(0.0, True), (3600.0, False)]:
            app = create_app({**TEST_CONFIG, "DATABASE_URL": url, "DATABASE_PING_IDLE_SECONDS": idle_seconds})
            with app.app_context():
                backend = db.session.scalar(sa.text("SELECT pg_backend_pid()"))
                db.session.remove()  # the connection goes back to the pool
                with psycopg.connect(POSTGRES_URL, autocommit=True) as admin:  # as a server restart would
                    admin.execute("SELECT pg_terminate_backend(%s)", (backend,))
                if survives:
                    assert db.session.scalar(sa.text("SELECT pg_backend_pid()")) != backend
                else:  # in steady use no ping is paid: a connection dropped meanwhile fails its request
                    with pytest.raises(sa.exc.OperationalError):
                        db.session.scalar(sa.text("SELECT pg_backend_pid()"))
                db.session.remove()
                db.engine.dispose()
    finally:
        drop_postgres_database(url)


def test_the_search_text_migration_folds_the_accounts_already_registered(empty_database_url):
    app = create_app({**TEST_CONFIG, "DATABASE_URL": empty_database_url})
    with app.app_context():
        upgrade(revision="a1692a795f52")  # before users had a search text
        db.session.execute(sa.text(
            "INSERT INTO users (full_name, email, phone, role, stream, password_hash, created_at) VALUES "
            "('Nguyễn Thị Đào', 'dao@example.vn', '0912345678', 'contestant', 'CBCCVC', 'x', '2026-11-01 00:00:00')"))
        db.session.commit()
        upgrade()
        assert db.session.scalar(sa.text("SELECT search_text FROM users")) == "nguyen thi dao dao@example.vn 0912345678"
        db.session.remove()
        db.engine.dispose()
