"""Publishing a round: once two judges have signed its winners, an organizer makes the results public."""
from datetime import datetime

import sqlalchemy as sa

from contest.accounts.models import Role, User
from contest.audit.services import record
from contest.extensions import db
from contest.prizes.services import snapshot_of
from contest.publication.models import Publication
from contest.rounds.models import Round


class PublicationError(ValueError):
    """A publication the rules refuse; the message is shown to the organizer."""


def publication_of(round_: Round) -> Publication | None:
    """The round's publication, if its results are public."""
    return db.session.scalar(sa.select(Publication).where(Publication.round_id == round_.id))


def publish_round(round_: Round, organizer: User, now: datetime, is_participation_certified: bool = False) -> Publication:
    """Make the round's signed results public; refused before two judges have signed. The caller commits.

    The full public board opens too (`published_at` ends a freeze), and participation certificates are
    offered to every contestant with a submitted paper when the organizer says so.
    """
    if not organizer.has_role(Role.ORGANIZER):
        raise PublicationError("Chỉ Ban tổ chức được công bố kết quả.")
    if publication_of(round_) is not None:
        raise PublicationError("Kết quả vòng thi này đã được công bố.")
    snapshot = snapshot_of(round_)
    if snapshot is None:
        raise PublicationError("Chỉ công bố được sau khi hai thành viên Ban giám khảo đã ký danh sách đạt giải.")
    publication = Publication(round_id=round_.id, organizer_id=organizer.id, checksum=snapshot.checksum,
                              is_participation_certified=is_participation_certified, published_at=now)
    db.session.add(publication)
    if round_.published_at is None:
        round_.published_at = now
    record(organizer.id, "results.publish", "round", round_.id, checksum=snapshot.checksum,
           participation=is_participation_certified)
    return publication


def offer_participation_certificates(round_: Round, organizer: User) -> None:
    """After publication, offer participation certificates to every contestant with a submitted paper."""
    publication = publication_of(round_)
    if publication is None:
        raise PublicationError("Vòng thi chưa công bố kết quả.")
    if publication.is_participation_certified:
        raise PublicationError("Giấy chứng nhận tham gia đã được cấp cho vòng thi này.")
    publication.is_participation_certified = True
    record(organizer.id, "results.participation", "round", round_.id)
