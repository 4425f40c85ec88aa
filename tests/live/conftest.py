"""A small live event built through the services: three teams, one segment of each kind, two judges."""
from dataclasses import dataclass

import pytest
import sqlalchemy as sa

from contest.accounts.models import Role, User
from contest.bank.models import Question
from contest.extensions import db
from contest.live import services
from contest.live.models import LiveEvent, LiveTeam
from contest.live.rules import SegmentRules
from tests import factories


@dataclass
class Stage:
    """The event and the people around it."""

    event: LiveEvent
    teams: list[LiveTeam]
    organizer: User
    judges: list[User]


def build_stage(world, now, mode: str = "teams") -> Stage:
    """The standard live event (committed): segments all answer (2), speed (1), buzzer (2), star (2)."""
    organizer = factories.make_user("btc-live@example.vn", world.province, Role.ORGANIZER, name="Ban tổ chức")
    judges = [factories.make_user(f"gk{n}@example.vn", None, Role.JUDGE, name=f"Giám khảo {n}") for n in (1, 2)]
    db.session.flush()
    bank_questions = db.session.scalars(sa.select(Question.id).order_by(Question.id)).all()
    event = services.create_event("Hội thi Cải cách hành chính", world.round.bank, mode, "Hội trường tỉnh",
                                  organizer, now)
    teams = [services.add_team(event, name, agency.id, members, organizer)
             for name, agency, members in (("Sở Tư pháp", world.department, "Nguyễn Văn An\nTrần Thị Bình"),
                                           ("UBND huyện Một", world.district, "Lê Văn Cường"),
                                           ("UBND xã Một", world.commune, "Phạm Thị Dung"))]
    plan = [("all_answer", "Khởi động", 2), ("speed", "Tăng tốc", 1), ("buzzer", "Giành quyền", 2),
            ("star", "Về đích", 2)]
    used = 0
    for kind, title, count in plan:
        segment = services.add_segment(event, kind, title, 20, 10, SegmentRules(), organizer)
        services.choose_questions(segment, bank_questions[used:used + count], organizer)
        used += count
    services.set_judges(event, [judge.id for judge in judges], organizer)
    db.session.commit()
    return Stage(event, teams, organizer, judges)


@pytest.fixture
def stage(world, now):
    """The standard live event."""
    return build_stage(world, now)
