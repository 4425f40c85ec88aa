"""The final order after the close (prediction before time), keyset pages, masked names, frozen boards."""
from datetime import timedelta

import pytest
import sqlalchemy as sa

from contest.attempts.services import save_answer, start_attempt, submit_attempt
from contest.results.services import settle_round
from contest.extensions import db
from contest.leaderboards.models import ContestStanding
from contest.leaderboards.queries import board_page, board_view, contest_board_page, rank_of, standing_of
from contest.scoring.verify import verify_all
from tests import factories


def paper(user, round_, started_at, correct, seconds, prediction=None):
    attempt = start_attempt(user, round_, started_at)
    for item in attempt.items[:correct]:
        save_answer(attempt, item.position, [item.choice_order.index(item.question.correct[0])], started_at)
    submit_attempt(attempt, started_at + timedelta(seconds=seconds), prediction=prediction)
    db.session.commit()
    return attempt


def people(world, names):
    users = [factories.make_user(f"u{n}@example.vn", world.commune, name=name) for n, name in enumerate(names)]
    db.session.commit()
    return users


def test_after_the_close_the_prediction_breaks_ties_before_time(world, now):
    round_ = world.round
    round_.prediction_kind = "perfect_papers"
    a, b, c, d = people(world, ["Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường", "Phạm Thị Dung"])
    paper(a, round_, now, 5, 30, prediction=100)   # perfect, fast, far
    paper(b, round_, now, 5, 90, prediction=3)     # perfect, slow, exact (3 perfect papers)
    paper(c, round_, now, 5, 60, prediction=None)  # perfect, no prediction
    paper(d, round_, now, 4, 10, prediction=3)
    live = board_page(round_, board_view(round_, now, public=True))
    assert [r.standing.user.full_name for r in live.rows] == ["Nguyễn Văn An", "Lê Văn Cường", "Trần Thị Bình",
                                                               "Phạm Thị Dung"]
    assert live.view == "live"
    after = round_.closes_at + timedelta(minutes=1)
    assert settle_round(round_, after) and round_.prediction_truth == 3
    db.session.commit()
    final = board_page(round_, board_view(round_, after, public=True))
    assert final.view == "final"
    assert [r.standing.user.full_name for r in final.rows] == ["Trần Thị Bình", "Nguyễn Văn An", "Lê Văn Cường",
                                                                "Phạm Thị Dung"]
    assert rank_of(standing_of(round_.id, c.id), view="final") == 3
    assert not settle_round(round_, after)  # idempotent


def test_keyset_pages_cover_the_board_once_with_shared_ranks(world, now):
    users = people(world, [f"Thí Sinh {n}" for n in range(7)])
    for n, user in enumerate(users):
        paper(user, world.round, now, 5 - n // 3, 60)  # scores 5,5,5,4,4,4,3: ties within pages
    seen, ranks, cursor = [], [], None
    while True:
        page = board_page(world.round, "live", None, cursor, limit=2)
        seen += [r.standing.user_id for r in page.rows]
        ranks += [r.rank for r in page.rows]
        cursor = page.next_cursor
        if cursor is None:
            break
    assert sorted(seen) == sorted(u.id for u in users) and len(seen) == 7
    assert ranks == [1, 1, 1, 4, 4, 4, 7]


def test_public_board_masks_names_and_never_shows_contact_data(client, world, now):
    user = factories.make_user("masked@example.vn", world.commune, name="Nguyễn Văn Anh")
    user.phone, user.citizen_id = "0912345678", "001099012345"
    db.session.commit()
    paper(user, world.round, now, 3, 60)
    page = client.get(f"/rounds/{world.round.id}/leaderboard").get_data(as_text=True)
    assert "Nguyễn V. A" in page and "Nguyễn Văn Anh" not in page
    assert "0912345678" not in page and "001099012345" not in page


def test_a_frozen_board_shows_results_as_they_stood_until_published(client, world, now):
    a, b = people(world, ["Nguyễn Văn An", "Trần Thị Bình"])
    paper(a, world.round, now - timedelta(minutes=30), 3, 60)
    world.round.freeze_at = now - timedelta(minutes=10)
    db.session.commit()
    paper(a, world.round, now - timedelta(minutes=5), 5, 60)  # improved after the freeze
    paper(b, world.round, now - timedelta(minutes=5), 4, 60)  # first paper after the freeze
    public = board_page(world.round, board_view(world.round, now, public=True))
    assert public.view == "frozen" and [(r.standing.user_id, r.score) for r in public.rows] == [(a.id, 3)]
    judges = board_page(world.round, board_view(world.round, now, public=False))
    assert [(r.standing.user_id, r.score) for r in judges.rows] == [(a.id, 5), (b.id, 4)]
    assert "tạm dừng cập nhật" in client.get(f"/rounds/{world.round.id}/leaderboard").get_data(as_text=True)
    world.round.published_at = now
    db.session.commit()
    assert board_view(world.round, now, public=True) == "live"


def test_contest_board_sums_rounds_or_takes_the_best(world, now):
    second = factories.make_round(now, opens_in=timedelta(hours=-1))
    a, b = people(world, ["Nguyễn Văn An", "Trần Thị Bình"])
    paper(a, world.round, now, 5, 100)
    paper(a, second, now + timedelta(minutes=20), 2, 50)
    paper(b, world.round, now, 4, 40)
    paper(b, second, now + timedelta(minutes=20), 4, 40)
    overall = {s.user_id: (s.score, s.duration_ms, s.rounds_taken) for s in db.session.scalars(sa.select(ContestStanding))}
    assert overall == {a.id: (7, 150_000, 2), b.id: (8, 80_000, 2)}
    assert [r.standing.user_id for r in contest_board_page(world.round.contest_id).rows] == [b.id, a.id]


@pytest.mark.parametrize("overall_rule", ["sum", "best_round"])
@pytest.mark.parametrize("counting_rule", ["best", "first", "last"])
def test_the_contest_standing_follows_every_submission_under_each_rule(world, now, overall_rule, counting_rule):
    """The overall result is kept with each submission (on PostgreSQL inside the submission's one
    statement): it always equals a recount from the round standings, whichever paper counts."""
    world.round.contest.overall_rule = overall_rule
    second = factories.make_round(now, opens_in=timedelta(hours=-1))
    for round_ in (world.round, second):
        round_.counting_rule, round_.attempts_allowed = counting_rule, None
    (a,) = people(world, ["Nguyễn Văn An"])
    papers = [(world.round, 3, 100), (second, 2, 50), (world.round, 5, 200), (world.round, 1, 20), (second, 4, 60)]
    for n, (round_, correct, seconds) in enumerate(papers):
        paper(a, round_, now + timedelta(minutes=20 * n), correct, seconds)
        held = [standing_of(r.id, a.id) for r in (world.round, second)]
        held = [(s.score, s.duration_ms) for s in held if s is not None]
        if overall_rule == "sum":
            expected = (sum(s for s, _ in held), sum(d for _, d in held), len(held))
        else:
            best = min(held, key=lambda pair: (-pair[0], pair[1]))
            expected = (best[0], best[1], len(held))
        db.session.expire_all()
        overall = db.session.get(ContestStanding, (world.round.contest_id, a.id))
        assert (overall.score, overall.duration_ms, overall.rounds_taken) == expected, (n, counting_rule)
    assert verify_all() == []
