"""DATABASE_TRANSACTION_POOLER: behind PgBouncer in transaction pooling a transaction may run on
another server connection, so psycopg must prepare nothing and the live stage must not LISTEN.
(bench/two_instances.py runs two instances through a real PgBouncer with it.)"""
import psycopg
import pytest

from contest import create_app
from contest.extensions import db
from tests.conftest import POSTGRES_URL


def test_behind_a_transaction_pooler_no_statement_is_prepared_and_nothing_listens(monkeypatch):
    monkeypatch.setenv("DATABASE_TRANSACTION_POOLER", "1")
    app = create_app({"DATABASE_URL": POSTGRES_URL, "TESTING": True})
    assert app.config["SQLALCHEMY_ENGINE_OPTIONS"]["connect_args"] == {"prepare_threshold": None}
    assert app.config["LIVE_NOTIFY"] is False
    with app.app_context():
        try:
            connection = db.engine.raw_connection()
        except Exception as error:  # noqa: BLE001 — only the connection's settings are under test
            pytest.skip(f"PostgreSQL is not reachable ({error.__class__.__name__})")
        try:
            raw = connection.driver_connection
            assert isinstance(raw, psycopg.Connection) and raw.prepare_threshold is None
        finally:
            connection.close()
            db.engine.dispose()


def test_without_a_pooler_psycopg_prepares_repeated_statements_as_usual():
    app = create_app({"DATABASE_URL": POSTGRES_URL, "TESTING": True})
    assert "connect_args" not in app.config["SQLALCHEMY_ENGINE_OPTIONS"]
    assert app.config["DATABASE_TRANSACTION_POOLER"] is False
