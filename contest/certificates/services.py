"""Issuing and verifying certificates (giấy chứng nhận) of a published round.

A winner of a published round, and, where the organizer offers it, every contestant with a submitted
paper, gets one certificate per round. It is issued on first download (idempotent: one per person
and round) with the facts as printed frozen, and a public code leading to its verification page.
"""
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from contest.accounts.models import User
from contest.audit.services import record
from contest.certificates import codes
from contest.certificates.models import KINDS, Certificate
from contest.certificates.page import CertificatePage
from contest.clock import format_date
from contest.extensions import db
from contest.leaderboards.models import Standing
from contest.prizes.models import ResultSnapshot
from contest.prizes.services import snapshot_of, snapshot_winners
from contest.publication.models import Publication
from contest.publication.queries import signatures_of
from contest.publication.services import publication_of
from contest.rounds.models import Round
from questions.lazy import deferred

# fpdf2 (with fontTools and Pillow) loads with the first certificate, not in every web worker (see questions.lazy).
certificates_pdf = deferred("contest.certificates.pdf:certificates_pdf")
certificate_writer = deferred("contest.certificates.pdf:CertificateWriter")
# Certificates issued per transaction by a batch build.
BATCH_SIZE = 500


class CertificateError(ValueError):
    """A certificate the rules refuse; the message is shown to the person asking."""


@dataclass
class Entitlement:
    """What a person may be certified for in a round: a prize, or taking part."""

    kind: str
    prize: str = ""
    stream: str = ""

    @property
    def achievement(self) -> str:
        """The line printed under the name."""
        if self.kind == "prize":
            return f"Đạt {self.prize} (khối {self.stream})" if self.stream else f"Đạt {self.prize}"
        return "Đã tham gia dự thi"


def record_checksum(certificate: Certificate) -> str:
    """SHA-256 over every fact the certificate prints and the snapshot it rests on."""
    facts = {"code": certificate.code, "round_id": certificate.round_id, "user_id": certificate.user_id,
             "kind": certificate.kind, "prize": certificate.prize, "stream": certificate.stream,
             "full_name": certificate.full_name, "agency": certificate.agency, "judges": list(certificate.judges),
             "snapshot_checksum": certificate.snapshot_checksum,
             "awarded_on": format_date(certificate.awarded_at)}
    payload = json.dumps(facts, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def entitlement(round_: Round, user_id: int) -> Entitlement | None:
    """What the person may be certified for in a published round, or None."""
    publication = publication_of(round_)
    snapshot = snapshot_of(round_) if publication else None
    if snapshot is None:
        return None
    for winner in snapshot_winners(snapshot):
        if winner["user_id"] == user_id:
            return Entitlement(kind="prize", prize=winner["prize"], stream=winner["stream"])
    if publication.is_participation_certified and db.session.get(Standing, (round_.id, user_id)) is not None:
        return Entitlement(kind="participation")
    return None


def _new_certificate(round_: Round, user: User, granted: Entitlement, publication: Publication,
                     snapshot: ResultSnapshot, judges: list[str]) -> Certificate:
    certificate = Certificate(code=codes.new_code(), round_id=round_.id, user_id=user.id, kind=granted.kind,
                              prize=granted.prize, stream=granted.stream, full_name=user.full_name,
                              agency=user.agency.name if user.agency else "", judges=judges,
                              snapshot_checksum=snapshot.checksum, awarded_at=publication.published_at)
    certificate.checksum = record_checksum(certificate)
    return certificate


def certificate_of(round_id: int, user_id: int) -> Certificate | None:
    """The certificate already issued to a person for a round."""
    return db.session.scalar(sa.select(Certificate).where(Certificate.round_id == round_id,
                                                          Certificate.user_id == user_id))


def issue_certificate(round_: Round, user: User) -> Certificate:
    """The person's certificate for the round, issued now if it has not been (a second request at the same
    moment gets the first one's); refused when the person has nothing to be certified for. The caller commits."""
    existing = certificate_of(round_.id, user.id)
    if existing is not None:
        return existing
    granted = entitlement(round_, user.id)
    if granted is None:
        raise CertificateError("Bạn không có giấy chứng nhận ở vòng thi này (chưa công bố kết quả, "
                               "hoặc vòng thi chỉ cấp giấy chứng nhận cho người đạt giải).")
    snapshot = snapshot_of(round_)
    judges = [signoff.judge.full_name for signoff in signatures_of(snapshot)]
    certificate = _new_certificate(round_, user, granted, publication_of(round_), snapshot, judges)
    try:
        with db.session.begin_nested():  # a parallel request may issue it first: then read theirs back
            db.session.add(certificate)
    except IntegrityError:
        existing = certificate_of(round_.id, user.id)
        if existing is None:
            raise
        return existing
    record(user.id, "certificate.issue", "round", round_.id, certificate=certificate.code, kind=KINDS[certificate.kind])
    return certificate


def certificates_available(user_id: int) -> list[tuple[Round, Entitlement]]:
    """The published rounds where the person has a certificate to download, latest first."""
    rounds = db.session.scalars(sa.select(Round).join(Publication, Publication.round_id == Round.id)
                                .order_by(Publication.published_at.desc())).all()
    found = []
    for round_ in rounds:
        granted = entitlement(round_, user_id)
        if granted is not None:
            found.append((round_, granted))
    return found


def page_of(certificate: Certificate, verify_url: str) -> CertificatePage:
    """What the certificate prints, in words."""
    round_ = certificate.round
    contest = round_.contest
    organizer = next((line for line in (contest.organizers or "").splitlines() if line.strip()), "Ban tổ chức cuộc thi")
    granted = Entitlement(kind=certificate.kind, prize=certificate.prize, stream=certificate.stream)
    return CertificatePage(organizer=organizer, contest_title=contest.title, round_name=round_.name,
                           full_name=certificate.full_name, agency=certificate.agency,
                           achievement=granted.achievement, date=format_date(certificate.awarded_at),
                           judges=list(certificate.judges), code=codes.grouped(certificate.code),
                           verify_url=verify_url)


def certificate_pdf(certificate: Certificate, verify_url: str, font_dir: str = "") -> bytes:
    """One certificate as a PDF document."""
    return certificates_pdf([page_of(certificate, verify_url)], font_dir)


def verify_link(public_url: str, code: str) -> str:
    """The absolute address a certificate's QR code leads to."""
    return f"{public_url.rstrip('/')}/c/{code}"


def build_round_certificates(round_id: int, dest_path: Path, public_url: str, font_dir: str = "",
                             progress: Callable[[int, int], None] | None = None, user_id: int | None = None) -> int:
    """Issue every certificate a published round owes (winners; every submitted paper if offered) and
    write them all, in ranking order for winners then by name, as one multi-page PDF at `dest_path`.

    Commits every BATCH_SIZE certificates (audited as `user_id`'s, None from the command line);
    `progress(done, total)` is called as pages are added, with no transaction open, so it may write on
    its own connection (on SQLite every transaction holds the write lock). Returns the number of pages.
    For the command line or a background job, never a web request.
    """
    round_ = db.session.get(Round, round_id)
    if round_ is None:
        raise CertificateError(f"Không có vòng thi mã {round_id}.")
    publication = publication_of(round_)
    snapshot = snapshot_of(round_) if publication else None
    if snapshot is None:
        raise CertificateError("Vòng thi chưa công bố kết quả: chưa cấp được giấy chứng nhận.")
    prizes = {winner["user_id"]: Entitlement(kind="prize", prize=winner["prize"], stream=winner["stream"])
              for winner in snapshot_winners(snapshot)}
    owed = list(prizes)
    if publication.is_participation_certified:
        owed += [owner for owner in db.session.scalars(
            sa.select(Standing.user_id).join(User, User.id == Standing.user_id)
            .where(Standing.round_id == round_.id).order_by(User.full_name, User.id)) if owner not in prizes]
    judges = [signoff.judge.full_name for signoff in signatures_of(snapshot)]
    total = len(owed)
    if total == 0:
        raise CertificateError("Vòng thi không có ai được cấp giấy chứng nhận (chưa có người đạt giải).")
    writer = certificate_writer(font_dir)
    for start in range(0, total, BATCH_SIZE):
        chunk = owed[start:start + BATCH_SIZE]
        issued = {c.user_id: c for c in db.session.scalars(
            sa.select(Certificate).where(Certificate.round_id == round_.id, Certificate.user_id.in_(chunk)))}
        users = {u.id: u for u in db.session.scalars(sa.select(User).where(User.id.in_(chunk)))}
        for owner in chunk:
            if owner not in issued:
                granted = prizes.get(owner) or Entitlement(kind="participation")
                issued[owner] = _new_certificate(round_, users[owner], granted, publication, snapshot, judges)
                db.session.add(issued[owner])
        record(user_id, "certificate.batch", "round", round_.id, count=len(chunk))
        db.session.commit()
        pages = [page_of(issued[owner], verify_link(public_url, issued[owner].code)) for owner in chunk]
        db.session.commit()  # ends the reads: the pages are plain text now, and progress may write beside us
        for number, page in enumerate(pages, start=start + 1):
            writer.add(page)
            if progress is not None:
                progress(number, total)
    writer.save(dest_path)
    return writer.pages


@dataclass
class Verification:
    """What the verification page says about a code: `status` is valid, malformed, altered, unknown or
    tampered; `certificate` is set for valid and tampered."""

    status: str
    code: str
    certificate: Certificate | None = None
    snapshot: ResultSnapshot | None = None


def verify_code(text: str) -> Verification:
    """Check a code as typed: its form and check character, then the stored record and the signed snapshot."""
    code = codes.normalise(text)
    if not codes.is_well_formed(code):
        return Verification(status="malformed", code=code)
    if not codes.is_valid(code):
        return Verification(status="altered", code=code)
    certificate = db.session.scalar(sa.select(Certificate).where(Certificate.code == code))
    if certificate is None:
        return Verification(status="unknown", code=code)
    snapshot = snapshot_of(certificate.round)
    intact = (certificate.checksum == record_checksum(certificate) and snapshot is not None
              and snapshot.checksum == certificate.snapshot_checksum
              and hashlib.sha256(snapshot.payload.encode("utf-8")).hexdigest() == snapshot.checksum)
    if intact and certificate.kind == "prize":
        intact = any(w["user_id"] == certificate.user_id and w["prize"] == certificate.prize
                     for w in snapshot_winners(snapshot))
    return Verification(status="valid" if intact else "tampered", code=code, certificate=certificate,
                        snapshot=snapshot)
