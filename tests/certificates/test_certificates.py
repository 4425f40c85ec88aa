"""Certificates: PDFs a person reads (Vietnamese intact, found by pypdf), codes that catch a typo, a public
verification page that says valid, unknown, altered or tampered, and the batch build for a round."""
import io
import random
import re

import pypdf
import pytest
import sqlalchemy as sa

from contest.audit.models import AuditEntry
from contest.certificates import codes
from contest.certificates.models import Certificate
from contest.extensions import db
from contest.publication.services import offer_participation_certificates, publish_round
from tests.prizes.test_prizes import judged  # noqa: F401  (fixture)
from tests.publication.test_publication import organizer_user, signed  # noqa: F401  (fixture)


@pytest.fixture
def published(world, judged, organizer_user):
    """The judged round, signed by both judges and published."""
    users, judges, after = judged
    signed(world, judges, after)
    publish_round(world.round, organizer_user, after)
    db.session.commit()
    return users


def pdf_text(data: bytes) -> list[str]:
    """The text of every page of a PDF."""
    return [page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages]


def test_a_code_catches_any_single_mistyped_character_and_reads_look_alikes():
    generator = random.Random(14)
    for _ in range(50):
        code = codes.new_code()
        assert codes.is_valid(code) and len(code) == 12
        position = generator.randrange(len(code))
        wrong = generator.choice([c for c in codes.ALPHABET if c != code[position]])
        assert not codes.is_valid(code[:position] + wrong + code[position + 1:])
    code = "0" + codes.new_code()[1:-1]
    code += codes.check_character(code)
    typed = codes.grouped(code).lower().replace("0", "o")
    assert codes.normalise(typed) == code and codes.is_valid(codes.normalise(typed))


def test_a_winner_downloads_a_certificate_with_their_name_in_full_diacritics(client, world, published, auth):
    auth.login("u0@example.vn")
    account = client.get("/account").get_data(as_text=True)
    assert "Giấy chứng nhận" in account and f"/certificates/rounds/{world.round.id}.pdf" in account
    response = client.get(f"/certificates/rounds/{world.round.id}.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    [text] = pdf_text(response.data)
    certificate = db.session.scalar(sa.select(Certificate))
    assert "GIẤY CHỨNG NHẬN" in text and "Nguyễn Văn An" in text and "UBND xã Một" in text
    assert "Đạt Giải Nhất (khối CBCCVC)" in text and "Cuộc thi thử nghiệm" in text
    assert "Giám khảo 0, Giám khảo 1" in text and codes.grouped(certificate.code) in text
    assert re.search(r"Ngày \d\d/\d\d/\d{4}", text)
    again = client.get(f"/certificates/rounds/{world.round.id}.pdf")
    assert codes.grouped(certificate.code) in pdf_text(again.data)[0]  # the same certificate, issued once
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Certificate)) == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)
                             .where(AuditEntry.action == "certificate.issue")) == 1


def test_others_get_a_certificate_only_once_participation_is_offered(client, world, published, organizer_user, auth):
    auth.login("u4@example.vn")  # fifth of five, three prizes
    url = f"/certificates/rounds/{world.round.id}.pdf"
    refused = client.get(url)
    assert refused.status_code == 403 and "chỉ cấp giấy chứng nhận cho người đạt giải" in refused.get_data(as_text=True)
    offer_participation_certificates(world.round, organizer_user)
    db.session.commit()
    [text] = pdf_text(client.get(url).data)
    assert "Võ Văn Em" in text and "Đã tham gia dự thi" in text


def test_no_certificate_before_publication(client, world, judged, auth):
    users, judges, after = judged
    signed(world, judges, after)
    auth.login("u0@example.vn")
    assert client.get(f"/certificates/rounds/{world.round.id}.pdf").status_code == 403
    assert "Giấy chứng nhận" not in client.get("/account").get_data(as_text=True)


def test_a_stranger_verifies_a_code_and_learns_when_it_is_unknown_altered_or_tampered(app, client, world, published,
                                                                                         auth):
    auth.login("u1@example.vn")
    client.get(f"/certificates/rounds/{world.round.id}.pdf")
    client = app.test_client()  # a stranger: not logged in
    certificate = db.session.scalar(sa.select(Certificate))
    typed = codes.grouped(certificate.code).lower()
    response = client.get(f"/verify?code={typed}")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/c/{certificate.code}")
    page = client.get(f"/c/{certificate.code}").get_data(as_text=True)
    assert "Giấy chứng nhận hợp lệ" in page and "Trần Thị Bình" in page and "Đạt Giải Nhì (khối CBCCVC)" in page
    assert "Giám khảo 0, Giám khảo 1" in page and certificate.snapshot_checksum in page

    altered = certificate.code[:3] + ("A" if certificate.code[3] != "A" else "B") + certificate.code[4:]
    response = client.get(f"/c/{altered}")
    assert response.status_code == 404 and "bị sửa hoặc gõ nhầm" in response.get_data(as_text=True)
    body = codes.new_code()[:-1]
    unknown = body + codes.check_character(body)
    response = client.get(f"/c/{unknown}")
    assert response.status_code == 404 and "Không có giấy chứng nhận nào mang mã" in response.get_data(as_text=True)
    response = client.get("/c/12345")
    assert response.status_code == 404 and "không phải là mã giấy chứng nhận" in response.get_data(as_text=True)
    assert client.get("/verify?code=ab/cd?").headers["Location"].endswith("/c/ABCD")  # only letters and digits

    db.session.execute(sa.update(Certificate).values(prize="Giải Nhất"))  # someone edits the stored record
    db.session.commit()
    response = client.get(f"/c/{certificate.code}")
    text = response.get_data(as_text=True)
    assert response.status_code == 404 and "không còn khớp" in text and "Giấy chứng nhận hợp lệ" not in text


def test_the_batch_build_writes_every_certificate_owed_as_one_pdf(app, runner, world, published, organizer_user,
                                                                   tmp_path, monkeypatch):
    output = tmp_path / "giay.pdf"
    monkeypatch.setitem(app.config, "PUBLIC_URL", "")
    result = runner.invoke(args=["certificates", "build", str(world.round.id), "-o", str(output)])
    assert result.exit_code != 0 and "PUBLIC_URL" in result.output
    monkeypatch.setitem(app.config, "PUBLIC_URL", "https://thi.example.vn")
    offer_participation_certificates(world.round, organizer_user)
    db.session.commit()
    result = runner.invoke(args=["certificates", "build", str(world.round.id), "-o", str(output)])
    assert result.exit_code == 0, result.output
    assert "Đã ghi 5 giấy chứng nhận" in result.output
    pages = pdf_text(output.read_bytes())
    assert [next(name for name in ("Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường", "Phạm Thị Dung", "Võ Văn Em")
                 if name in text) for text in pages] == ["Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường",
                                                          "Phạm Thị Dung", "Võ Văn Em"]
    assert all("https://thi.example.vn/verify" in text for text in pages)
    assert "Đạt Giải Nhì" in pages[2] and "Đã tham gia dự thi" in pages[4]
    codes_issued = set(db.session.scalars(sa.select(Certificate.code)))
    assert len(codes_issued) == 5 and all(codes.grouped(code) in "".join(pages) for code in codes_issued)


def test_a_missing_font_says_which_package_to_install(app, client, world, published, auth, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "CERTIFICATE_FONT_DIR", str(tmp_path))
    auth.login("u0@example.vn")
    response = client.get(f"/certificates/rounds/{world.round.id}.pdf")
    assert response.status_code == 503 and "thiếu phông chữ" in response.get_data(as_text=True)
