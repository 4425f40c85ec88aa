"""The declarative base, its naming convention, and the column types every model shares."""
import collections
import functools
import time
from collections.abc import Sequence
from contextlib import contextmanager, suppress
from datetime import datetime, timezone
from typing import Any

import psycopg
import sqlalchemy as sa
from psycopg import pq as psycopg_pq
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import DeclarativeBase

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base with constraint names Alembic can diff on both databases."""

    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)


class UTCDateTime(sa.types.TypeDecorator):
    """A UTC instant: stored naive in UTC on every database, returned timezone-aware."""

    impl = sa.DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        """Refuse naive datetimes so local times never slip into the database."""
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given where a UTC instant is required")
        return value.astimezone(timezone.utc).replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        """Attach UTC to the stored naive value."""
        if value is None:
            return None
        return value.replace(tzinfo=timezone.utc)


def utcnow() -> datetime:
    """The current instant in UTC, timezone-aware."""
    return datetime.now(timezone.utc)


def tune_sqlite(engine: sa.engine.Engine) -> None:
    """Make SQLite safe for a multi-process demo: WAL, foreign keys, and writers that queue.

    pysqlite opens transactions lazily, so a request that reads and then writes can fail with
    "database is locked" instead of waiting. Every transaction therefore starts with
    BEGIN IMMEDIATE, and the busy timeout lets the next writer wait its turn.
    """

    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, connection_record):
        dbapi_connection.isolation_level = None  # SQLAlchemy's "begin" event below emits BEGIN
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @sa.event.listens_for(engine, "begin")
    def _on_begin(connection):
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def ping_idle_connections(engine: sa.engine.Engine, idle_seconds: float) -> None:
    """Check a pooled connection before use only if it sat idle longer than `idle_seconds`.

    pool_pre_ping pays a round trip on every checkout: a third of a one-statement answer save.
    A connection in steady use is known to be alive; one that sat idle (the server may have
    restarted or a proxy dropped it) is pinged, and replaced by a new one if the ping fails.
    """

    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, connection_record):
        connection_record.info["returned_at"] = time.monotonic()

    @sa.event.listens_for(engine, "checkin")
    def _on_checkin(dbapi_connection, connection_record):
        connection_record.info["returned_at"] = time.monotonic()

    @sa.event.listens_for(engine, "checkout")
    def _on_checkout(dbapi_connection, connection_record, connection_proxy):
        if time.monotonic() - connection_record.info.get("returned_at", 0.0) <= idle_seconds:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as error:
            raise sa.exc.DisconnectionError("the pooled connection is gone") from error  # the pool retries


class DriverStatement:
    """A SQLAlchemy statement compiled once for the driver, to be sent on the raw psycopg connection:
    where it must travel in a pipeline with other statements (SQLAlchemy reads each statement's
    result as soon as it sends it, which pipeline mode does not allow), or where SQLAlchemy's own
    execution would cost more than the statement (the answer save, the most frequent request)."""

    def __init__(self, statement: sa.sql.ClauseElement, dialect: sa.engine.Dialect):
        self._compiled = statement.compile(dialect=dialect)
        self.sql = str(self._compiled)
        self._binds = {name: process for name, bind in self._compiled.binds.items()
                       if (process := bind.type._cached_bind_processor(dialect)) is not None}
        self._results = [column.type._cached_result_processor(dialect, None)
                         for column in statement.exported_columns]
        # Rows read by name as well as by position, as SQLAlchemy's rows are.
        self._record = collections.namedtuple("Record", [column.key for column in statement.exported_columns],
                                              rename=True)

    def params(self, values: dict[str, Any]) -> dict[str, Any]:
        """The driver's parameters for these values: the statement's own constants added, and each
        value converted as its column type says (UTCDateTime to naive UTC, for one)."""
        params = self._compiled.construct_params(values)
        for name, process in self._binds.items():
            params[name] = process(params[name])
        return params

    def row(self, values) -> tuple | None:
        """A row the driver returned, each value converted as its column type says, its values named by
        their columns; None for None."""
        if values is None:
            return None
        return self._record._make(process(value) if process else value
                                  for process, value in zip(self._results, values))


@functools.cache
def driver_statement(statement: sa.sql.ClauseElement, dialect: sa.engine.Dialect) -> DriverStatement:
    """The statement compiled for the driver once per process (statements are built once, at import
    or by a cached builder, so the statement object itself is the key)."""
    return DriverStatement(statement, dialect)


@contextmanager
def autocommit_driver_connection(engine: sa.engine.Engine):
    """A pooled psycopg connection in autocommit mode (each statement its own transaction: no BEGIN
    and COMMIT round trips), back to the pool in its usual mode afterwards, or discarded if it
    cannot be (a transaction left open, a broken connection)."""
    pooled = engine.raw_connection()
    raw = pooled.driver_connection
    try:
        raw.autocommit = True
        yield raw
    finally:
        try:
            raw.autocommit = False
        except Exception:
            pooled.invalidate()
        pooled.close()


def execute_alone(engine: sa.engine.Engine, statement: sa.sql.ClauseElement, values: dict[str, Any]) -> tuple | None:
    """Send one prebuilt statement on PostgreSQL's driver as a transaction of its own (autocommit: no
    BEGIN and COMMIT round trips); its first row converted as its columns say, or None (none returned).
    The driver's errors are raised as SQLAlchemy's, as through the session: a lost connection is an
    OperationalError (the pages' 503 and the read retried once on a fresh pool; a dead connection leaves
    the pool), a clash with a unique index an IntegrityError."""
    compiled = driver_statement(statement, engine.dialect)
    try:
        with autocommit_driver_connection(engine) as raw:
            params = compiled.params(values)
            try:
                cursor = raw.execute(compiled.sql, params)
            except psycopg.Error as error:
                raise sa.exc.DBAPIError.instance(compiled.sql, params, error, psycopg.Error,
                                                 connection_invalidated=raw.closed or raw.broken) from error
            # The result's status, not cursor.description (which builds a Column per column on every call).
            returned = cursor.pgresult is not None and cursor.pgresult.status == psycopg_pq.ExecStatus.TUPLES_OK
            return compiled.row(cursor.fetchone()) if returned else None
    except psycopg.OperationalError as error:  # no connection to be had
        raise sa.exc.OperationalError(compiled.sql, None, error, connection_invalidated=True) from error


def first_row(session, engine: sa.engine.Engine, statement: sa.sql.ClauseElement,
              values: dict[str, Any]) -> Sequence | None:
    """The first row the statement returns, or None. Through the session (scoped) while it holds a
    transaction (its changes, written or pending, are seen; a write joins it); otherwise, on PostgreSQL,
    as a statement of its own on the driver (execute_alone: no BEGIN or COMMIT round trip, no ORM
    execution), where nothing of the session's is unseen."""
    if not session().in_transaction() and engine.dialect.name == "postgresql":
        return execute_alone(engine, statement, values)
    return session.execute(statement, values).first()


def dialect_insert(table, dialect: str):
    """INSERT with ON CONFLICT for the database (PostgreSQL in production, SQLite in the demo)."""
    return (postgresql if dialect == "postgresql" else sqlite).insert(table)


class DatabaseUnavailable(RuntimeError):
    """The database connection dropped and a second try failed too: the client should retry later."""


def is_transient(error: BaseException, engine: sa.engine.Engine) -> bool:
    """True if `error` is the database's state rather than the statement's: the connection was lost (a
    restart, a terminated backend, the network), the server refuses connections for now, a lock or
    statement timed out. The driver files all of these under OperationalError."""
    if isinstance(error, sa.exc.DBAPIError) and error.connection_invalidated:
        return True
    original = error.orig if isinstance(error, sa.exc.DBAPIError) else error
    return isinstance(original, engine.dialect.loaded_dbapi.OperationalError)


def once_more_if_disconnected(session, engine: sa.engine.Engine, work):
    """Run `work()`; if the connection drops, start over once on a fresh pool (only for idempotent work,
    such as an answer save ordered by its revision), and raise DatabaseUnavailable if it drops again.

    A terminated backend usually takes its pool neighbours with it (pg_terminate_backend on every
    session, a restart), so the pool is replaced rather than the one connection: the retry must not
    pick the next dead one.
    """
    for attempt in (1, 2):
        try:
            return work()
        except (sa.exc.DBAPIError, engine.dialect.loaded_dbapi.Error) as error:
            if not is_transient(error, engine):
                raise
            with suppress(sa.exc.SQLAlchemyError):  # the dead connection may refuse the rollback too
                session.rollback()
            engine.dispose()
            if attempt == 2:
                raise DatabaseUnavailable("the database connection dropped twice") from error
