"""The first page of a board shared by every viewer for a short interval (contest.leaderboards.shared):
the same top for everyone within it, the viewer's own row still marked, and final results the
moment a round is settled, never a live page kept from before. The round as boards and result pages
read it is shared too: its close settles the round at once, and answers never show by a stale copy."""
import re
import threading
import time
from array import array
from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
from hypothesis import given, strategies as st

from contest.extensions import db
from contest.attempts import routes as attempt_routes
from contest.leaderboards import routes, shared
from contest.leaderboards.models import SharedBoardTop
from contest.leaderboards.queries import Ranking, packed_key
from tests.conftest import csrf_token
from tests.leaderboards.test_final_ranking import paper, people


@pytest.fixture
def sharing(app):
    """Boards shared for a minute: longer than any test, so what a test sees is the shared entry."""
    app.config["BOARD_SHARED_SECONDS"] = 60
    shared.clear()
    yield
    app.config.pop("BOARD_SHARED_SECONDS")
    shared.clear()


def board_of(client, round_) -> str:
    return client.get(f"/rounds/{round_.id}/leaderboard").get_data(as_text=True)


def test_viewers_within_the_interval_share_one_top_and_a_settled_round_shows_its_final_order_at_once(
        client, world, now, sharing, monkeypatch):
    round_ = world.round
    round_.prediction_kind = "perfect_papers"
    round_.opens_at, round_.closes_at = now - timedelta(hours=2), now + timedelta(hours=1)
    a, b, c = people(world, ["Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường"])
    started = now - timedelta(minutes=90)
    paper(a, round_, started, 5, 30, prediction=100)
    paper(b, round_, started, 5, 90, prediction=2)
    first = board_of(client, round_)
    assert first.index("Nguyễn V. A") < first.index("Trần T. B")
    paper(c, round_, started, 5, 60, prediction=9)
    # Within the interval every viewer gets the same top: the new paper shows at the next interval.
    assert "Lê V. C" not in board_of(client, round_)
    # The round's close (and grace) passes; the next board request settles it (3 perfect papers) and
    # shows the final order, prediction before time, at once: neither the shared live page nor the
    # round as the boards read it a moment ago is served for it.
    monkeypatch.setattr(routes, "utcnow", lambda: now + timedelta(hours=1, minutes=5))
    final = board_of(client, round_)
    assert "Kết quả chung cuộc" in final
    assert final.index("Trần T. B") < final.index("Lê V. C") < final.index("Nguyễn V. A")


def test_a_viewer_in_the_shared_top_still_sees_their_own_row_marked(client, auth, world, now, sharing):
    a, b = people(world, ["Nguyễn Văn An", "Trần Thị Bình"])
    paper(a, world.round, now, 5, 30)
    paper(b, world.round, now, 4, 30)
    assert 'class="me"' not in board_of(client, world.round)  # an anonymous viewer fills the shared entry
    auth.login("u1@example.vn")
    page = board_of(client, world.round)
    assert page.count('class="me"') == 1
    row = page[page.index('class="me"'):]
    assert row.index("Trần T. B") < row.index("</tr>")
    assert "Bạn xếp hạng <strong>2</strong>" in page


def test_a_top_built_by_one_worker_is_served_by_the_others_until_it_expires(client, world, now, sharing):
    a, b = people(world, ["Nguyễn Văn An", "Trần Thị Bình"])
    paper(a, world.round, now, 5, 30)
    assert "Nguyễn V. A" in board_of(client, world.round)
    paper(b, world.round, now, 5, 10)
    shared.clear(everywhere=False)  # another worker, or another instance: nothing in its memory
    page = board_of(client, world.round)
    assert "Nguyễn V. A" in page and "Trần T. B" not in page  # the entry the first worker stored
    # Once the stored entry's interval has passed, the next viewer (on any worker) gets a new top.
    db.session.execute(sa.update(SharedBoardTop).values(expires_at=now - timedelta(seconds=1)))
    db.session.add(SharedBoardTop(key="round-top:gone", expires_at=now - timedelta(minutes=2), payload="{}"))
    db.session.commit()
    shared.clear(everywhere=False)
    page = board_of(client, world.round)
    assert page.index("Trần T. B") < page.index("Nguyễn V. A")
    # Building it swept away the entries stale for over a minute: the table does not grow with the contest.
    db.session.expire_all()
    kept = db.session.scalars(sa.select(SharedBoardTop.key)).all()
    assert len(kept) == 1 and kept[0] != "round-top:gone"


@pytest.mark.postgres_only  # the rebuild's claim is a row lock; SQLite serves one process, which rebuilds
def test_an_expired_top_another_worker_is_rebuilding_is_served_as_it_was_not_built_again(client, world, now, sharing):
    a, b = people(world, ["Nguyễn Văn An", "Trần Thị Bình"])
    paper(a, world.round, now, 5, 30)
    assert "Nguyễn V. A" in board_of(client, world.round)
    paper(b, world.round, now, 5, 10)
    db.session.execute(sa.update(SharedBoardTop).values(expires_at=now - timedelta(seconds=1)))
    db.session.commit()
    key = db.session.scalar(sa.select(SharedBoardTop.key))
    with db.engine.connect() as other, other.begin():  # another worker holds the expired row: it is rebuilding it
        other.execute(sa.select(SharedBoardTop.key).where(SharedBoardTop.key == key).with_for_update())
        shared.clear(everywhere=False)
        page = board_of(client, world.round)
        assert "Nguyễn V. A" in page and "Trần T. B" not in page  # served as it was, not built a second time
    # That worker gone without storing anything (its lock released): the next viewer rebuilds.
    shared.clear(everywhere=False)
    page = board_of(client, world.round)
    assert page.index("Trần T. B") < page.index("Nguyễn V. A")


def test_an_agency_top_lasts_longer_but_never_contradicts_its_viewers_own_rank(app, client, auth, world, now, sharing):
    a, b = people(world, ["Nguyễn Văn An", "Trần Thị Bình"])  # both of the commune
    agency_board = f"/rounds/{world.round.id}/leaderboard?agency={world.commune.id}"
    paper(a, world.round, now, 4, 30)
    assert "Nguyễn V. A" in client.get(agency_board).get_data(as_text=True)  # an anonymous viewer fills it
    paper(b, world.round, now, 5, 30)
    page = client.get(agency_board).get_data(as_text=True)
    assert "Trần T. B" not in page  # the shared top, as built before Bình's paper
    # Bình's own line says first of two: a top that leaves them out is older than that, and is rebuilt
    # for them (their row marked at the top)...
    auth.login("u1@example.vn")
    page = client.get(agency_board).get_data(as_text=True)
    assert "Bạn xếp hạng <strong>1</strong>" in page
    assert page.index('class="me"') < page.index("Trần T. B") < page.index("Nguyễn V. A")
    # ...and for everyone after them, on any worker.
    shared.clear(everywhere=False)
    page = app.test_client().get(agency_board).get_data(as_text=True)
    assert page.index("Trần T. B") < page.index("Nguyễn V. A")


def test_an_agency_viewer_in_the_shared_top_reads_their_line_from_it_until_it_expires(client, auth, world, now,
                                                                                       sharing):
    a, b, c = people(world, ["Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường"])  # all of the commune
    agency_board = f"/rounds/{world.round.id}/leaderboard?agency={world.commune.id}"
    paper(a, world.round, now, 4, 30)
    paper(b, world.round, now, 3, 30)
    auth.login("u1@example.vn")
    assert "Bạn xếp hạng <strong>2</strong> / 2" in client.get(agency_board).get_data(as_text=True)
    paper(c, world.round, now, 5, 30)  # Cường goes ahead of both
    # Within the interval Bình's line agrees with the table they see (Cường not in it yet): second of two,
    # read from the shared top, not counted again.
    page = client.get(agency_board).get_data(as_text=True)
    assert "Bạn xếp hạng <strong>2</strong> / 2" in page and "Lê V. C" not in page
    assert "Bảng theo đơn vị cập nhật sau tối đa 60 giây" in page  # the page says how old it may be
    # Once the entry expires, the table and the line move together.
    db.session.execute(sa.update(SharedBoardTop).values(expires_at=now - timedelta(seconds=1)))
    db.session.commit()
    shared.clear(everywhere=False)
    page = client.get(agency_board).get_data(as_text=True)
    assert "Bạn xếp hạng <strong>3</strong> / 3" in page and page.index("Lê V. C") < page.index("Trần T. B")


def _refresher_runs(moment: float) -> None:
    """The worker's background thread looks at its tops at `moment` (a thread of its own: no request to read)."""
    refresher = threading.Thread(target=shared.refresh_hot_tops, args=(moment,))
    refresher.start()
    refresher.join(timeout=30)
    assert not refresher.is_alive(), "the refresher waits on a row another worker holds"


@pytest.mark.postgres_only  # the refresher's claim is a row lock; on SQLite tops are rebuilt by their viewers
def test_an_agency_top_read_through_its_interval_is_rebuilt_before_it_expires_not_by_its_next_viewer(
        app, client, world, now, sharing, monkeypatch):
    monkeypatch.setitem(app.config, "LEADERBOARD_PAGE_SIZE", 1)  # a top with a next page, as a real agency's has
    a, b = people(world, ["Nguyễn Văn An", "Trần Thị Bình"])  # both of the commune
    commune_board = f"/rounds/{world.round.id}/leaderboard?agency={world.commune.id}"
    province_board = f"/rounds/{world.round.id}/leaderboard?agency={world.province.id}"
    paper(a, world.round, now, 4, 30)
    for _ in range(shared.HOT_READS):  # the commune's board is read through its interval...
        assert "Nguyễn V. A" in client.get(commune_board).get_data(as_text=True)
    assert "Nguyễn V. A" in client.get(province_board).get_data(as_text=True)  # ...the province's once
    paper(b, world.round, now, 5, 30)
    # Both stored tops near their end (the refresher looks at them REFRESH_LEAD seconds before it).
    db.session.execute(sa.update(SharedBoardTop).values(expires_at=datetime.now(timezone.utc) + timedelta(seconds=1)))
    db.session.commit()
    _refresher_runs(time.monotonic() + 3600)  # the worker's background thread, a second later
    db.session.expire_all()
    stored = dict(db.session.execute(sa.select(SharedBoardTop.key, SharedBoardTop.payload)).all())
    commune = next(payload for key, payload in stored.items() if key.endswith(f":{world.commune.id}:1"))
    province = next(payload for key, payload in stored.items() if key.endswith(f":{world.province.id}:1"))
    # The commune's top is rebuilt with Bình's paper before anyone asks; the province's, read once, is left to
    # its next viewer.
    assert "Trần T. B" in commune and "Trần T. B" not in province
    # The next viewer, on another worker, is served the rebuilt top from the store, its next page a click away.
    shared.clear(everywhere=False)
    viewer = app.test_client()
    page = viewer.get(commune_board).get_data(as_text=True)
    assert "Trần T. B" in page and "Nguyễn V. A" not in page
    next_page = re.search(r'<p class="pager"><a class="button" href="([^"]+)"', page).group(1).replace("&amp;", "&")
    assert next_page.startswith(commune_board + "&after=")
    assert "Nguyễn V. A" in viewer.get(next_page).get_data(as_text=True)


def _hot_commune_top_then_binh_ahead(client, world, now) -> str:
    """An reads the commune's board through its interval (its top stored with An alone), then Bình goes ahead,
    and the stored top is a second from its end. Returns the board's address."""
    a, b = people(world, ["Nguyễn Văn An", "Trần Thị Bình"])
    commune_board = f"/rounds/{world.round.id}/leaderboard?agency={world.commune.id}"
    paper(a, world.round, now, 4, 30)
    for _ in range(shared.HOT_READS):
        client.get(commune_board)
    paper(b, world.round, now, 5, 30)
    db.session.execute(sa.update(SharedBoardTop).values(expires_at=datetime.now(timezone.utc) + timedelta(seconds=1)))
    db.session.commit()
    return commune_board


@pytest.mark.postgres_only
def test_an_agency_top_another_worker_is_rebuilding_is_left_to_it(client, world, now, sharing):
    _hot_commune_top_then_binh_ahead(client, world, now)
    key = db.session.scalar(sa.select(SharedBoardTop.key))
    with db.engine.connect() as other, other.begin():  # another worker holds the row: it is rebuilding it
        other.execute(sa.select(SharedBoardTop.key).where(SharedBoardTop.key == key).with_for_update())
        _refresher_runs(time.monotonic() + 3600)
    db.session.expire_all()
    assert "Trần T. B" not in db.session.scalar(sa.select(SharedBoardTop.payload))  # not built a second time


@pytest.mark.postgres_only
def test_a_top_whose_background_rebuild_fails_is_left_to_its_next_viewer(client, world, now, sharing, monkeypatch):
    commune_board = _hot_commune_top_then_binh_ahead(client, world, now)

    def unreachable(*args, **kwargs):
        raise ConnectionError("the database went away")
    with monkeypatch.context() as broken:
        broken.setattr(shared, "board_page", unreachable)
        with pytest.raises(ConnectionError):  # the thread logs it
            shared.refresh_hot_tops(time.monotonic() + 3600)
        shared.refresh_hot_tops(time.monotonic() + 3600)  # not tried again every tick: it is off the list
    # The next viewer after the entry's end rebuilds it, as without the refresher.
    db.session.execute(sa.update(SharedBoardTop).values(expires_at=now - timedelta(seconds=1)))
    db.session.commit()
    shared.clear(everywhere=False)
    page = client.get(commune_board).get_data(as_text=True)
    assert page.index("Trần T. B") < page.index("Nguyễn V. A")


def _outside_the_top(app, world, now, monkeypatch):
    """Four of the commune on a board two rows long: An, Bình and Cường submit, the commune's board is built
    (An and Bình in its top), then Dung goes ahead of Cường. Returns the board's address."""
    monkeypatch.setitem(app.config, "LEADERBOARD_PAGE_SIZE", 2)
    a, b, c, d = people(world, ["Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường", "Phạm Thị Dung"])
    paper(a, world.round, now, 5, 30)
    paper(b, world.round, now, 4, 30)
    paper(c, world.round, now, 3, 30)
    agency_board = f"/rounds/{world.round.id}/leaderboard?agency={world.commune.id}"
    assert "Lê V. C" not in app.test_client().get(agency_board).get_data(as_text=True)  # an anonymous viewer builds it
    paper(d, world.round, now, 4, 10)
    return agency_board


def test_an_agency_viewer_outside_the_shared_top_is_ranked_among_the_standings_it_holds(app, client, auth, world, now,
                                                                                         sharing, monkeypatch):
    agency_board = _outside_the_top(app, world, now, monkeypatch)
    auth.login("u2@example.vn")  # Cường, below the top two
    # Their rank among the commune's standings as the top holds them (Dung's paper not yet), not counted again:
    # the same moment as the table they see, on this worker and on one that reads the stored entry.
    page = client.get(agency_board).get_data(as_text=True)
    assert "Bạn xếp hạng <strong>3</strong> / 3" in page and "Phạm T. D" not in page
    shared.clear(everywhere=False)
    assert "Bạn xếp hạng <strong>3</strong> / 3" in client.get(agency_board).get_data(as_text=True)
    # Dung is not among them yet: ranked with their own paper of now they belong in the top two, which leaves
    # them out, so it is rebuilt around their line (their row marked), and Cường is fourth of four after it.
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    auth.login("u3@example.vn")
    page = client.get(agency_board).get_data(as_text=True)
    assert "Bạn xếp hạng <strong>2</strong> / 4" in page
    assert page.index("Nguyễn V. A") < page.index('class="me"') < page.index("Phạm T. D")


def test_a_subtree_larger_than_a_top_can_hold_ranks_its_viewers_by_counting(app, client, auth, world, now, sharing,
                                                                           monkeypatch):
    monkeypatch.setattr(shared, "RANKED_AT_MOST", 2)
    agency_board = _outside_the_top(app, world, now, monkeypatch)
    auth.login("u2@example.vn")
    page = client.get(agency_board).get_data(as_text=True)
    assert "Bạn xếp hạng <strong>4</strong> / 4" in page and "Phạm T. D" not in page  # counted now, Dung included


@given(st.lists(st.tuples(st.integers(0, 10_000), st.integers(0, 10**9), st.integers(0, 10**7),
                          st.datetimes(datetime(2020, 1, 1), datetime(2100, 1, 1)), st.integers(1, 10**6)),
                min_size=2, max_size=20))
def test_packed_keys_sort_standings_as_the_boards_order_them(standings):
    # The live order (score down, time, submission) and the final one (a prediction's distance before time).
    for columns in ([0, 2, 3, 4], [0, 1, 2, 3, 4]):
        values = [[row[i].replace(tzinfo=timezone.utc) if i == 3 else row[i] for i in columns] for row in standings]
        by_keys = sorted(range(len(values)), key=lambda n: (packed_key(values[n]), n))
        by_board = sorted(range(len(values)), key=lambda n: ((-values[n][0], *values[n][1:-1]), n))
        assert by_keys == by_board
    assert packed_key([None, 1, datetime(2026, 1, 1, tzinfo=timezone.utc), 1]) is None


def test_agency_tops_built_together_do_not_expire_together(app, world, now, sharing):
    # Fifty agencies' tops built in the same second would otherwise all be rebuilt in the same second, every
    # interval, and every request then waits behind the burst.
    lasts = []
    with app.test_request_context():
        round_, commune = shared.round_state(world.round.id), shared.agency_line(world.commune.id)
        for _ in range(8):
            built_at = shared.utcnow()
            shared.shared_top(round_, "live", commune, 50, accepts=lambda top: False)  # built afresh each time
            expires_at = db.session.scalar(sa.select(SharedBoardTop.expires_at))
            lasts.append((expires_at - built_at).total_seconds())
    assert all(0.75 * 60 - 1 <= seconds <= 60 for seconds in lasts)  # never past the interval the page states
    assert len({round(seconds, 1) for seconds in lasts}) > 1


def test_a_ranked_contestant_whose_standing_moved_is_not_counted_against_themselves():
    ranking = Ranking(keys=[10, 20, 30], user_ids=array("q", [1, 2, 3]))
    assert (ranking.position(3, 15).rank, ranking.position(3, 15).entrants) == (2, 3)  # went up past the second
    assert ranking.position(1, 25).rank == 2  # went down (the round counts the last paper): only the 20 ahead
    assert ranking.position(2, 20).rank == 2  # as held
    assert ranking.position(4, 10).rank == 1 and ranking.position(4, 10).entrants == 4  # tied with the first, new


def test_a_result_page_shows_the_final_rank_and_the_answers_the_moment_the_round_closes(
        client, auth, world, now, sharing, monkeypatch):
    round_ = world.round
    round_.prediction_kind, round_.review_policy = "perfect_papers", "after_close"
    round_.opens_at, round_.closes_at = now - timedelta(hours=2), now + timedelta(hours=1)
    a, b = people(world, ["Nguyễn Văn An", "Trần Thị Bình"])
    started = now - timedelta(minutes=90)
    paper(a, round_, started, 5, 30, prediction=100)
    mine = paper(b, round_, started, 5, 90, prediction=2)
    auth.login("u1@example.vn")
    page = client.get(f"/attempts/{mine.id}/result").get_data(as_text=True)
    # Live: the faster perfect paper is ahead, and the answers wait for the close.
    assert '<strong id="rank">2</strong> / 2' in page and 'id="review-heading"' not in page
    # The close and its grace pass while the round as result pages read it is still shared: the next
    # result page settles the round (2 perfect papers: her prediction is exact) and shows the final
    # rank and the answers at once.
    monkeypatch.setattr(attempt_routes, "utcnow", lambda: now + timedelta(hours=1, minutes=5))
    page = client.get(f"/attempts/{mine.id}/result").get_data(as_text=True)
    assert '<strong id="rank">1</strong> / 2' in page and 'id="review-heading"' in page


def test_a_close_put_off_at_the_last_moment_keeps_the_answers_hidden_though_the_round_was_read_before(
        client, auth, world, now, sharing, monkeypatch):
    round_ = world.round
    round_.review_policy = "after_close"
    round_.opens_at, round_.closes_at = now - timedelta(hours=2), now + timedelta(hours=1)
    (a,) = people(world, ["Nguyễn Văn An"])
    mine = paper(a, round_, now - timedelta(minutes=90), 5, 30)
    auth.login("u0@example.vn")
    assert 'id="review-heading"' not in client.get(f"/attempts/{mine.id}/result").get_data(as_text=True)
    # The organizer puts the close off by two hours just before it; a second later (within the grace,
    # so nothing is settled) the result page, with the round it read before still shared, must not
    # show the answers to someone whose colleagues are still answering.
    round_.closes_at = now + timedelta(hours=3)
    db.session.commit()
    monkeypatch.setattr(attempt_routes, "utcnow", lambda: now + timedelta(hours=1, seconds=1))
    page = client.get(f"/attempts/{mine.id}/result").get_data(as_text=True)
    assert 'id="score">5/5<' in page and 'id="review-heading"' not in page and "đáp án đúng" not in page


def test_a_shared_top_shows_each_row_with_its_agency_as_named_now(client, world, now, sharing):
    """The top's rows are read as plain columns: each keeps its contestant's agency, by its current name."""
    (a,) = people(world, ["Nguyễn Văn An"])
    paper(a, world.round, now, 5, 30)

    def row_of_an() -> str:
        page = board_of(client, world.round)
        row = page[page.index("Nguyễn V. A"):]
        return row[:row.index("</tr>")]

    assert world.commune.name in row_of_an()
    world.commune.name = "Xã Hòa Bình Mới"
    db.session.commit()
    shared.clear()  # the next interval
    assert "Xã Hòa Bình Mới" in row_of_an()
