"""Publication: only after two judges' signatures, by an organizer, audited; the public results page and the
contest's prize list show signed winners with masked names and the week's figures."""
import pytest
import sqlalchemy as sa

from contest.accounts.models import Role
from contest.audit.models import AuditEntry
from contest.extensions import db
from contest.prizes.services import canonical, propose_winners, sign
from contest.publication.services import PublicationError, publication_of, publish_round
from tests import factories
from tests.conftest import csrf_token
from tests.prizes.test_prizes import judged  # noqa: F401  (fixture)


def signed(world, judges, after):
    """Both judges sign the proposal as it stands."""
    checksum = canonical(world.round, propose_winners(world.round))[1]
    sign(world.round, judges[0], checksum, after)
    sign(world.round, judges[1], checksum, after)
    db.session.commit()
    return checksum


@pytest.fixture
def organizer_user(world):
    user = factories.make_user("btc@example.vn", world.province, Role.ORGANIZER, name="Ban tổ chức")
    db.session.commit()
    return user


def test_publishing_needs_both_signatures_and_an_organizer_and_is_audited(world, judged, organizer_user):
    users, judges, after = judged
    with pytest.raises(PublicationError, match="hai thành viên Ban giám khảo đã ký"):
        publish_round(world.round, organizer_user, after)
    checksum = signed(world, judges, after)
    with pytest.raises(PublicationError, match="Chỉ Ban tổ chức"):
        publish_round(world.round, judges[0], after)
    publication = publish_round(world.round, organizer_user, after)
    db.session.commit()
    assert publication_of(world.round).checksum == checksum
    assert world.round.published_at == after  # the full public board opens with the results
    with pytest.raises(PublicationError, match="đã được công bố"):
        publish_round(world.round, organizer_user, after)
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "results.publish"))
    assert entry.user_id == organizer_user.id and entry.details["checksum"] == checksum


def test_the_public_results_page_opens_on_publication_with_masked_names_and_the_weeks_figures(
        client, world, judged, organizer_user):
    users, judges, after = judged
    world.district.headcount = 0  # the district's five people all took part: 5 of 5
    world.district.group_name = world.department.group_name = "Khối sở, ngành và huyện"
    signed(world, judges, after)
    url = f"/rounds/{world.round.id}/results"
    response = client.get(url)
    assert response.status_code == 404 and "chưa được công bố" in response.get_data(as_text=True)
    assert url not in client.get(f"/rounds/{world.round.id}").get_data(as_text=True)
    publish_round(world.round, organizer_user, after)
    db.session.commit()
    assert url in client.get(f"/rounds/{world.round.id}").get_data(as_text=True)  # the round's page links them
    page = client.get(url).get_data(as_text=True)
    assert "Nguyễn V. A" in page and "Nguyễn Văn An" not in page  # the contest masks names ("initials")
    assert "Giải Nhất" in page and "Trần T. B" in page and "Võ V. E" not in page  # 3 prizes, 5 papers
    assert "Giám khảo 0" in page and "Giám khảo 1" in page
    assert "100% cán bộ, công chức, viên chức tham gia: <strong>UBND huyện Một</strong>" in page
    assert "Sở Tư pháp" in page  # the other top-level agency, with none taking part
    collective = page[page.index("Xếp hạng tập thể"):page.index("Số liệu vòng thi")]
    assert "Khối sở, ngành và huyện" in collective and "UBND huyện Một" in collective
    assert "Sở Tư pháp" not in collective  # no entrant: not ranked, and the public page names only the ranked
    bands = page[page.index("Kết quả theo mức điểm"):page.index("Tham gia theo đơn vị")]
    assert "<td>100%</td><td class=\"num\">1</td>" in bands  # one perfect paper of five
    # Static stylesheet only (prints on A4 through its print rules; ready for a strict CSP).
    assert "<script" not in page and "style=" not in page and "<style" not in page


def test_the_contest_prize_list_shows_published_rounds_only(client, world, judged, organizer_user):
    users, judges, after = judged
    signed(world, judges, after)
    url = f"/contests/{world.round.contest_id}/results"
    assert "Chưa có vòng thi nào công bố" in client.get(url).get_data(as_text=True)
    publish_round(world.round, organizer_user, after)
    db.session.commit()
    page = client.get(url).get_data(as_text=True)
    assert "Tuần 1" in page and "Nguyễn V. A" in page and page.count("Giải Nhì") == 2
    assert "mỗi người nhận nhiều nhất một giải" in page


def test_the_organizer_publishes_from_the_prize_page_after_confirming(client, world, judged, organizer_user, auth):
    users, judges, after = judged
    signed(world, judges, after)
    auth.login("btc@example.vn")
    prizes = f"/judging/rounds/{world.round.id}/prizes/"
    assert "Công bố kết quả" in client.get(prizes).get_data(as_text=True)
    token = csrf_token(client, prizes)
    url = f"/organizer/rounds/{world.round.id}/publish"
    asked = client.post(url, data={"csrf_token": token, "participation": "1"}).get_data(as_text=True)
    assert "Không thể hủy công bố" in asked and "giấy chứng nhận tham gia" in asked
    assert publication_of(world.round) is None  # nothing happens before the confirmation
    response = client.post(url, data={"csrf_token": token, "participation": "1", "confirmed": "1"})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/rounds/{world.round.id}/results")
    db.session.expire_all()
    assert publication_of(world.round).is_participation_certified
    assert "Đã công bố lúc" in client.get(prizes).get_data(as_text=True)
    auth.login("gk0@example.vn")  # a judge may not publish
    assert client.post(url, data={"csrf_token": csrf_token(client, prizes), "confirmed": "1"}).status_code == 403
