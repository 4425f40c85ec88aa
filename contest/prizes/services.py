"""Prizes: proposed from the ranking, judged with written exclusions, frozen by two judges' signatures."""
import hashlib
import json
from dataclasses import dataclass

import sqlalchemy as sa

from contest.accounts.models import Role, User
from contest.audit.services import record
from contest.database import utcnow
from contest.extensions import db
from contest.leaderboards.models import Standing
from contest.leaderboards.queries import board_view, rank_columns
from contest.prizes.models import Exclusion, PrizeRule, ResultSnapshot, SignOff
from contest.rounds.models import Round

SIGNATURES_NEEDED = 2


class PrizeError(ValueError):
    """A judging action the rules refuse; the message is shown to the judge."""


def snapshot_of(round_: Round) -> ResultSnapshot | None:
    """The round's signed results, if they have been frozen."""
    return db.session.scalar(sa.select(ResultSnapshot).where(ResultSnapshot.round_id == round_.id))


def _refuse_if_frozen(round_: Round) -> None:
    if snapshot_of(round_) is not None:
        raise PrizeError("Kết quả vòng thi đã được ký và chốt; không thể thay đổi.")


def set_prize_rules(round_: Round, stream: str, rules: list[tuple[str, int, int]], user_id: int | None) -> None:
    """Replace a stream's prize rules with (name, count, points) in rank order; the caller commits."""
    _refuse_if_frozen(round_)
    if any(count <= 0 or points < 0 or not name for name, count, points in rules):
        raise PrizeError("Mỗi giải cần tên, số lượng lớn hơn 0 và điểm không âm.")
    db.session.execute(sa.delete(PrizeRule).where(PrizeRule.round_id == round_.id, PrizeRule.stream == stream))
    db.session.flush()
    for order, (name, count, points) in enumerate(rules, start=1):
        db.session.add(PrizeRule(round_id=round_.id, stream=stream, rank_order=order, name=name, count=count,
                                 points=points))
    record(user_id, "prize_rules.set", "round", round_.id, stream=stream,
           rules="; ".join(f"{name} × {count} ({points} điểm)" for name, count, points in rules))


def exclude(round_: Round, user_id: int, reason: str, judge: User) -> None:
    """Leave an entry out of the prizes, with the judge's written reason."""
    _refuse_if_frozen(round_)
    if not reason.strip():
        raise PrizeError("Cần ghi rõ lý do loại.")
    if db.session.get(Standing, (round_.id, user_id)) is None:
        raise PrizeError("Thí sinh này không có bài thi trong vòng.")
    if db.session.scalar(sa.select(Exclusion.id).where(Exclusion.round_id == round_.id, Exclusion.user_id == user_id)):
        raise PrizeError("Bài thi này đã bị loại.")
    db.session.add(Exclusion(round_id=round_.id, user_id=user_id, reason=reason.strip(), judge_id=judge.id))
    record(judge.id, "prize.exclude", "round", round_.id, contestant=user_id, reason=reason.strip())


def reinstate(round_: Round, user_id: int, judge: User) -> None:
    """Take an exclusion back."""
    _refuse_if_frozen(round_)
    db.session.execute(sa.delete(Exclusion).where(Exclusion.round_id == round_.id, Exclusion.user_id == user_id))
    record(judge.id, "prize.reinstate", "round", round_.id, contestant=user_id)


@dataclass
class Winner:
    """A proposed (or signed) prize: which, to whom, with the figures that earned it."""

    stream: str
    prize: str
    points: int
    rank: int
    user_id: int
    full_name: str
    agency: str
    agency_id: int | None
    score: int
    max_score: int
    duration_ms: int
    submitted_at: str
    prediction: int | None

    def as_dict(self) -> dict:
        """The winner as stored in a snapshot."""
        return dict(self.__dict__)


def _prized_elsewhere(round_: Round) -> set[int]:
    """Contestants holding a prize in another signed round of the same contest."""
    holders: set[int] = set()
    for snapshot in db.session.scalars(sa.select(ResultSnapshot).join(Round, Round.id == ResultSnapshot.round_id)
                                       .where(Round.contest_id == round_.contest_id, Round.id != round_.id)):
        holders.update(winner["user_id"] for winner in json.loads(snapshot.payload)["winners"])
    return holders


def propose_winners(round_: Round) -> list[Winner]:
    """Walk the round's final ranking per stream and hand out its prizes in order, skipping exclusions
    (and, where the contest says so, people who already hold a prize from another round)."""
    view = board_view(round_, utcnow(), public=False)
    columns = rank_columns(view)
    excluded = set(db.session.scalars(sa.select(Exclusion.user_id).where(Exclusion.round_id == round_.id)))
    skip = excluded | (_prized_elsewhere(round_) if round_.contest.is_one_prize_per_person else set())
    rules_by_stream: dict[str, list[PrizeRule]] = {}
    for rule in db.session.scalars(sa.select(PrizeRule).where(PrizeRule.round_id == round_.id)
                                   .order_by(PrizeRule.stream, PrizeRule.rank_order)):
        rules_by_stream.setdefault(rule.stream, []).append(rule)
    winners: list[Winner] = []
    for stream, rules in rules_by_stream.items():
        slots = [rule for rule in rules for _ in range(rule.count)]
        rows = db.session.execute(
            sa.select(Standing, User).join(User, User.id == Standing.user_id)
            .where(Standing.round_id == round_.id, User.stream == stream)
            .order_by(columns[0].desc(), *columns[1:]).limit(len(slots) + len(skip))).all()
        rank = 0
        for standing, user in rows:
            rank += 1
            if user.id in skip:
                continue
            if not slots:
                break
            rule = slots.pop(0)
            winners.append(Winner(
                stream=stream, prize=rule.name, points=rule.points, rank=rank, user_id=user.id,
                full_name=user.full_name, agency=standing.agency.name if standing.agency else "",
                agency_id=standing.agency_id, score=standing.score, max_score=standing.max_score,
                duration_ms=standing.duration_ms, submitted_at=standing.submitted_at.isoformat(),
                prediction=standing.prediction))
    return winners


def canonical(round_: Round, winners: list[Winner]) -> tuple[str, str]:
    """The winners as canonical JSON and its SHA-256: what judges sign and what verify re-checks."""
    payload = json.dumps({"round_id": round_.id, "prediction_truth": round_.prediction_truth,
                          "winners": [winner.as_dict() for winner in winners]},
                         ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return payload, hashlib.sha256(payload.encode("utf-8")).hexdigest()


def signatures(round_: Round, checksum: str) -> list[SignOff]:
    """The judges' signatures on exactly this proposal."""
    return db.session.scalars(sa.select(SignOff).where(SignOff.round_id == round_.id,
                                                       SignOff.checksum == checksum)).all()


def sign(round_: Round, judge: User, checksum_seen: str, now) -> ResultSnapshot | None:
    """A judge signs the proposal they saw; the second distinct judge's signature freezes the results.

    A signature covers one checksum: if the proposal has changed since the judge looked, it is refused.
    """
    _refuse_if_frozen(round_)
    if judge.role != Role.JUDGE.value:
        raise PrizeError("Chỉ thành viên Ban giám khảo được ký kết quả.")
    if now < round_.closes_at:
        raise PrizeError("Vòng thi chưa kết thúc.")
    if round_.settled_at is None:
        raise PrizeError("Kết quả vòng thi chưa được chốt (các bài thi còn trong thời gian ân hạn); vui lòng ký sau.")
    payload, checksum = canonical(round_, propose_winners(round_))
    if checksum != checksum_seen:
        raise PrizeError("Danh sách đề xuất đã thay đổi từ khi bạn xem; vui lòng xem lại trước khi ký.")
    if any(signoff.judge_id == judge.id for signoff in signatures(round_, checksum)):
        raise PrizeError("Bạn đã ký danh sách này.")
    # A judge holds one signature per round: one on an earlier list (changed since by an exclusion) no longer
    # counts and gives way to this one (the audit log keeps both).
    db.session.execute(sa.delete(SignOff).where(SignOff.round_id == round_.id, SignOff.judge_id == judge.id))
    db.session.add(SignOff(round_id=round_.id, judge_id=judge.id, checksum=checksum))
    db.session.flush()
    record(judge.id, "prize.sign", "round", round_.id, checksum=checksum)
    if len(signatures(round_, checksum)) < SIGNATURES_NEEDED:
        return None
    snapshot = ResultSnapshot(round_id=round_.id, payload=payload, checksum=checksum)
    db.session.add(snapshot)
    record(judge.id, "prize.freeze", "round", round_.id, checksum=checksum)
    return snapshot


def snapshot_winners(snapshot: ResultSnapshot) -> list[dict]:
    """The frozen winners, as stored."""
    return json.loads(snapshot.payload)["winners"]
