"""Building submitted papers with chosen answers, for statistics, integrity and export tests."""
from datetime import timedelta

import sqlalchemy as sa

from contest.attempts.services import save_answer, start_attempt, submit_attempt
from contest.bank.services import import_questions
from contest.extensions import db
from tests import factories

FIXED_BANK = "Bộ đề cố định"


def fixed_round(now, question_count: int = 5, **settings):
    """A round whose bank holds exactly `question_count` questions: every paper shows all of them."""
    import_questions(factories.question_records(question_count, prefix="Cố định"), FIXED_BANK)
    round_ = factories.make_round(now, bank_name=FIXED_BANK, question_count=question_count, **settings)
    db.session.commit()
    return round_


def number_of(item) -> int:
    """The question's number n from its text "Cố định số n: …" (or "Câu hỏi số n: …")."""
    return int(item.question.text.split("số ", 1)[1].split(":", 1)[0])


def sit(user, round_, started_at, seconds: float, choose=None, correct: int | None = None,
        device_id: str = "", client_ip: str = "", orders: dict | None = None):
    """Start, answer and submit a paper; committed.

    `choose(item)` gives the stored option index picked (None leaves it blank); otherwise the first
    `correct` questions are answered right and the rest left blank. `orders` maps a question number
    to the shown order of its options, replacing the shuffle.
    """
    attempt = start_attempt(user, round_, started_at, client_ip=client_ip, device_id=device_id)
    db.session.flush()
    if orders:
        for item in attempt.items:
            if number_of(item) in orders:
                item.choice_order = list(orders[number_of(item)])
        db.session.flush()
    for index, item in enumerate(attempt.items):
        if choose is not None:
            stored = choose(item)
        else:
            stored = item.question.correct[0] if correct is not None and index < correct else None
        if stored is not None:
            save_answer(attempt, item.position, [item.choice_order.index(stored)], started_at)
    submit_attempt(attempt, started_at + timedelta(seconds=seconds))
    db.session.commit()
    return attempt


def count_statements(app, action) -> int:
    """How many SQL statements `action()` sends."""
    engine = db.engine
    statements = []

    def listener(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    sa.event.listen(engine, "before_cursor_execute", listener)
    try:
        action()
    finally:
        sa.event.remove(engine, "before_cursor_execute", listener)
    return len(statements)
