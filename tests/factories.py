"""Test data built through the product's own services."""
from dataclasses import dataclass
from datetime import datetime, timedelta

from contest.accounts.models import Role, User
from contest.accounts.services import create_user
from contest.agencies.models import Agency
from contest.agencies.services import add_agency
from contest.bank.services import get_or_create_bank, import_questions
from contest.extensions import db
from contest.rounds.models import Round
from contest.rounds.services import create_round, get_or_create_contest
from questions.records import QuestionRecord

PASSWORD = "matkhau123"


@dataclass
class World:
    """A small contest: province → department and district → commune, a bank and an open round."""

    province: Agency
    department: Agency
    district: Agency
    commune: Agency
    round: Round
    contestant: User


def question_records(count: int, prefix: str = "Câu hỏi") -> list[QuestionRecord]:
    """`count` distinct questions; the correct option is always the first as stored."""
    return [QuestionRecord(text=f"{prefix} số {n}: đâu là phương án đúng?",
                           choices=[f"Đúng {n}", f"Sai một {n}", f"Sai hai {n}", f"Sai ba {n}"],
                           correct=[0], topic="Chung", citation="Khoản 1 Điều 3 Nghị định 63/2010/NĐ-CP")
            for n in range(1, count + 1)]


def make_user(email: str, agency: Agency | None, role: Role = Role.CONTESTANT,
              name: str = "Nguyễn Văn Thí") -> User:
    """A user with the test password."""
    return create_user(full_name=name, email=email, password=PASSWORD, role=role,
                       agency_id=agency.id if agency else None)


def make_round(now: datetime, bank_name: str = "Ngân hàng thử", question_count: int = 5,
               attempts_allowed: int | None = 2, minutes: int = 10,
               opens_in: timedelta = timedelta(hours=-1), lasts: timedelta = timedelta(days=1),
               check_bank: bool = True) -> Round:
    """A round of the test contest drawing from `bank_name` (check_bank=False: set up before the bank)."""
    contest = get_or_create_contest("thu-nghiem", "Cuộc thi thử nghiệm")
    return create_round(contest=contest, bank=get_or_create_bank(bank_name), name="Tuần 1",
                        opens_at=now + opens_in, closes_at=now + opens_in + lasts,
                        time_limit_minutes=minutes, question_count=question_count,
                        attempts_allowed=attempts_allowed, check_bank=check_bank)


def build_world(now: datetime) -> World:
    """The standard small contest, committed."""
    province = add_agency(code="T", name="UBND tỉnh Thử", headcount=10)
    department = add_agency(code="STP", name="Sở Tư pháp", parent=province, headcount=20)
    district = add_agency(code="H1", name="UBND huyện Một", parent=province, headcount=15)
    commune = add_agency(code="H1X1", name="UBND xã Một", parent=district, headcount=5)
    import_questions(question_records(30), "Ngân hàng thử")
    round_ = make_round(now)
    contestant = make_user("thisinh@example.vn", department)
    db.session.commit()
    return World(province, department, district, commune, round_, contestant)
