"""A round's certificates built by a background job from the organizer's button: the request only queues,
a worker writes one PDF with every winner, and only an organizer downloads it."""
import pytest
import sqlalchemy as sa

from contest.audit.models import AuditEntry
from contest.certificates import services
from contest.certificates.models import Certificate
from contest.extensions import db
from contest.jobs import work
from contest.jobs.models import Job
from contest.prizes.services import snapshot_of, snapshot_winners
from contest.publication.services import offer_participation_certificates
from tests.conftest import Auth, csrf_token
from tests.certificates.test_certificates import pdf_text, published  # noqa: F401  (fixture)
from tests.prizes.test_prizes import judged  # noqa: F401  (fixture)
from tests.publication.test_publication import organizer_user  # noqa: F401  (fixture)

BUTTON = "Tạo tệp giấy chứng nhận (PDF)"
NAMES = ["Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường", "Phạm Thị Dung", "Võ Văn Em"]


@pytest.fixture
def batch_dir(app, tmp_path, monkeypatch):
    directory = tmp_path / "giay"
    monkeypatch.setitem(app.config, "CERTIFICATE_BATCH_DIR", str(directory))
    return directory


def press_build(client, round_id: int):
    """The organizer presses the button on the Xét giải page; returns the response to the POST."""
    page = client.get(f"/judging/rounds/{round_id}/prizes/")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert BUTTON in html
    return client.post(f"/organizer/rounds/{round_id}/certificates",
                       data={"csrf_token": csrf_token(client, f"/judging/rounds/{round_id}/prizes/")})


def test_the_organizer_builds_every_certificate_in_a_job_and_downloads_the_pdf(app, client, world, published, auth,
                                                                                organizer_user, batch_dir):
    auth.login(organizer_user.email)
    response = press_build(client, world.round.id)
    job = db.session.scalar(sa.select(Job))
    assert response.status_code == 302 and response.headers["Location"] == f"/jobs/{job.id}"
    assert job.kind == "certificates.build" and job.status == "queued"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Certificate)) == 0  # the request drew nothing
    queued = client.get(f"/jobs/{job.id}").get_data(as_text=True)
    assert "Đang chờ" in queued and BUTTON in queued

    again = press_build(client, world.round.id)  # pressed twice: the queued build is shown, not a second one
    assert again.headers["Location"] == f"/jobs/{job.id}"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Job)) == 1

    assert work(max_jobs=1) == 1
    state = client.get(f"/jobs/{job.id}.json").get_json()
    assert state["status"] == "done" and state["percent"] == 100 and state["total"] == 3
    assert state["message"].startswith("Đã tạo 3 giấy chứng nhận trong một tệp PDF")
    assert state["url"] == f"/organizer/certificates/batches/{job.id}.pdf"
    assert "Tải tệp PDF" in client.get(f"/jobs/{job.id}").get_data(as_text=True)

    download = client.get(state["url"])
    assert download.status_code == 200 and download.mimetype == "application/pdf"
    assert download.headers["Content-Disposition"].startswith("attachment")
    pages = pdf_text(download.get_data())
    download.close()
    winners = [w["full_name"] for w in snapshot_winners(snapshot_of(world.round))]
    assert winners == ["Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường"]
    assert len(pages) == 3 and all(name in page for name, page in zip(winners, pages))
    assert all("GIẤY CHỨNG NHẬN" in page and "http://localhost/verify" in page for page in pages)
    assert [p.name for p in batch_dir.iterdir()] == [f"giay-chung-nhan-vong-{world.round.id}-{job.id}.pdf"]

    actions = dict(db.session.execute(sa.select(AuditEntry.action, AuditEntry.user_id)
                                      .where(AuditEntry.action.like("certificate%"))).all())
    assert actions == {"certificate.batch": organizer_user.id, "certificates.build": organizer_user.id}
    prizes_page = client.get(f"/judging/rounds/{world.round.id}/prizes/").get_data(as_text=True)
    assert f"/organizer/certificates/batches/{job.id}.pdf" in prizes_page and "(3 giấy chứng nhận)" in prizes_page


def test_participation_certificates_join_the_batch_over_several_commits(app, client, world, published, auth,
                                                                        organizer_user, batch_dir, monkeypatch):
    monkeypatch.setattr(services, "BATCH_SIZE", 2)  # three commits, progress reported between them
    offer_participation_certificates(world.round, organizer_user)
    db.session.commit()
    auth.login(organizer_user.email)
    press_build(client, world.round.id)
    work(max_jobs=1)  # on SQLite a progress write beside the job's open transaction would fail "database is locked"
    job = db.session.scalar(sa.select(Job))
    assert (job.status, job.done_count, job.total_count) == ("done", 5, 5)
    pages = pdf_text(client.get(f"/organizer/certificates/batches/{job.id}.pdf").get_data())
    assert [next(name for name in NAMES if name in page) for page in pages] == NAMES
    assert "Đã tham gia dự thi" in pages[4] and "Đạt Giải Nhì" in pages[2]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)
                             .where(AuditEntry.action == "certificate.batch")) == 3


def test_only_an_organizer_builds_or_downloads_and_a_missing_file_says_so(app, client, world, published, judged, auth,
                                                                          organizer_user, batch_dir):
    users, judges, after = judged
    judge = app.test_client()
    Auth(judge).login(judges[0].email)
    page = judge.get(f"/judging/rounds/{world.round.id}/prizes/").get_data(as_text=True)
    assert "Công bố kết quả" in page and BUTTON not in page  # a judge sees the section, not the button
    token = csrf_token(judge, f"/judging/rounds/{world.round.id}/prizes/")
    assert judge.post(f"/organizer/rounds/{world.round.id}/certificates", data={"csrf_token": token}).status_code == 403
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Job)) == 0
    auth.login(organizer_user.email)
    press_build(client, world.round.id)
    work(max_jobs=1)
    job = db.session.scalar(sa.select(Job))
    url = f"/organizer/certificates/batches/{job.id}.pdf"
    winner = app.test_client()
    Auth(winner).login(users[0].email)
    assert judge.get(url).status_code == 403 and winner.get(url).status_code == 403
    assert app.test_client().get(url).status_code == 302  # anonymous: to the log-in page
    for path in batch_dir.iterdir():
        path.unlink()  # another instance's disk, or cleaned up
    missing = client.get(url)
    assert missing.status_code == 404 and "Không tìm thấy tệp giấy chứng nhận trên máy chủ này" in missing.get_data(
        as_text=True)


def test_a_round_not_yet_published_builds_nothing(app, client, world, judged, auth, organizer_user, batch_dir):
    auth.login(organizer_user.email)
    token = csrf_token(client, f"/judging/rounds/{world.round.id}/prizes/")
    response = client.post(f"/organizer/rounds/{world.round.id}/certificates", data={"csrf_token": token},
                           follow_redirects=True)
    assert "chưa công bố kết quả" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Job)) == 0
