"""Papers drawn ahead of demand: at a round's opening thousands of starts arrive within seconds, and
each would draw its 20 questions and shuffle their options, then insert 21 rows in three round trips.
Drawn ahead (before the opening, `flask attempts draw-ahead`), a start on PostgreSQL claims one
ready paper and stores the attempt and its items in one statement (contest.attempts.postgres).

A paper is drawn for a recipe: the bank and its revision (a question flagged or resolved moves it),
the paper's size, the quotas and whether flagged questions are left out. A start only claims a
paper of the recipe the round has now; papers of an older recipe are never used (and are deleted by
the next draw-ahead). With none left, the start draws on demand as always.
"""
import hashlib
import json
import random
import secrets

import sqlalchemy as sa

from contest.attempts.draw import draw_paper, shuffled_order
from contest.attempts.models import DrawnPaper
from contest.attempts.pool import drawable_pool
from contest.bank.models import QuestionBank
from contest.extensions import db
from contest.rounds.models import Round


def paper_recipe(round_: Round, bank_id: int, bank: tuple) -> str:
    """What a paper drawn now for the round would depend on, as a short digest; bank: (revision, created_at)."""
    revision, created_at = bank
    described = json.dumps([bank_id, revision, str(created_at), round_.question_count, round_.quotas or [],
                            bool(round_.is_flagged_excluded)], sort_keys=True)
    return hashlib.sha256(described.encode()).hexdigest()[:32]


def bank_ids(round_: Round) -> list[int]:
    """The banks the round's streams draw from: its default bank and any per-stream bank."""
    return sorted({round_.bank_id, *(int(bank) for bank in (round_.stream_banks or {}).values())})


def draw_ahead(round_: Round, count: int) -> int:
    """Draw `count` papers per bank of the round for later starts, dropping papers of an older recipe;
    returns how many were drawn. The caller commits."""
    drawn = 0
    for bank_id in bank_ids(round_):
        bank = db.session.execute(sa.select(QuestionBank.revision, QuestionBank.created_at)
                                  .where(QuestionBank.id == bank_id)).one()
        recipe = paper_recipe(round_, bank_id, tuple(bank))
        db.session.execute(sa.delete(DrawnPaper).where(DrawnPaper.round_id == round_.id,
                                                       DrawnPaper.bank_id == bank_id, DrawnPaper.recipe != recipe))
        pool = drawable_pool(bank_id, tuple(bank)).drawable(round_.is_flagged_excluded)
        rows = []
        for _ in range(count):
            seed = secrets.randbits(62)
            rng = random.Random(seed)
            questions = draw_paper(pool, round_.question_count, round_.quotas or [], rng)
            rows.append({"round_id": round_.id, "bank_id": bank_id, "recipe": recipe, "seed": seed,
                         "items": [[q.id, shuffled_order(q.choice_count, rng)] for q in questions]})
        if rows:
            db.session.execute(sa.insert(DrawnPaper), rows)
        drawn += len(rows)
    return drawn


def papers_ready(round_id: int) -> int:
    """How many papers are drawn ahead for the round."""
    return db.session.scalar(sa.select(sa.func.count()).select_from(DrawnPaper)
                             .where(DrawnPaper.round_id == round_id)) or 0
