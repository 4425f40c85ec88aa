"""Load the demo through the same services the product uses; running it twice adds nothing."""
import json
import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

from contest.accounts.models import Role, User
from contest.accounts.services import create_user, hash_password
from contest.agencies.models import Agency
from contest.agencies.services import add_agency, find_agency
from contest.attempts.services import save_answer, start_attempt, submit_attempt
from contest.prizes.services import set_prize_rules
from contest.legal.services import find_document, get_or_create_document, store_legal_text, update_document
from contest.live import services as live
from contest.live.models import LiveEvent
from contest.live.rules import SegmentRules
from contest.bank.services import get_or_create_bank, import_questions
from contest.database import utcnow
from contest.extensions import db
from contest.rounds.models import Round
from contest.rounds.services import create_round, get_or_create_contest
from questions.citation import parse_citation
from questions.legal import parse_legal_text
from questions.records import DIFFICULTY_BY_LABEL, QuestionRecord
from questions.text import clean, fold

DATA = Path(__file__).resolve().parent / "data"
DEMO_PASSWORD = "demo12345"
BANK_NAME = "Kiểm soát thủ tục hành chính"
CONTEST_SLUG = "kiem-soat-tthc"
CONTEST_TITLE = "Tìm hiểu hoạt động kiểm soát thủ tục hành chính"
RULES = (
    "Mỗi lượt thi gồm 10 câu hỏi trắc nghiệm rút ngẫu nhiên từ ngân hàng câu hỏi, làm trong 15 phút. "
    "Mỗi thí sinh được thi tối đa 3 lượt trong một tuần; hệ thống tính lượt có kết quả cao nhất. "
    "Xếp hạng theo số câu trả lời đúng, nếu bằng nhau thì thời gian làm bài ngắn hơn xếp trên, "
    "nếu vẫn bằng nhau thì người nộp bài sớm hơn xếp trên."
)
FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi",
          "Đỗ", "Hồ", "Ngô", "Dương", "Lý"]
MIDDLE = ["Văn", "Thị", "Hữu", "Đức", "Minh", "Ngọc", "Thanh", "Quốc", "Thu", "Hoài", "Xuân"]
GIVEN = ["An", "Bình", "Chi", "Dũng", "Giang", "Hà", "Hải", "Hạnh", "Hiếu", "Hoa", "Hùng", "Hương",
         "Khánh", "Lan", "Linh", "Long", "Mai", "Minh", "Nam", "Nga", "Ngọc", "Phong", "Phúc",
         "Quang", "Quyên", "Sơn", "Tâm", "Thảo", "Thắng", "Trang", "Trung", "Tuấn", "Vân", "Yến"]
STAFF = [("bantochuc@demo.vn", "Ban tổ chức cuộc thi", Role.ORGANIZER, "STP"),
         ("giamkhao@demo.vn", "Ban giám khảo cuộc thi", Role.JUDGE, "STP"),
         ("giamkhao2@demo.vn", "Thành viên Ban giám khảo thứ hai", Role.JUDGE, "SNV")]
PRIZES = [("Giải Nhất", 1, 10), ("Giải Nhì", 2, 8), ("Giải Ba", 3, 6), ("Giải Khuyến khích", 5, 4)]
CONTESTANTS = [(f"thisinh{n}@demo.vn", name, code) for n, (name, code) in enumerate([
    ("Nguyễn Văn An", "STP"), ("Trần Thị Bình", "SCT"), ("Lê Hoàng Cường", "TANPHU-PHULAM"),
    ("Phạm Thu Dung", "UBND-TP"), ("Võ Minh Em", "SONHA-SONKY")], start=1)]
LIVE_CODE = "CCHC26"
LIVE_TITLE = "Hội thi trực tiếp “Cải cách thủ tục hành chính” tỉnh Bình An"
LIVE_TEAMS = [("Đội Sở Tư pháp", "STP", "Nguyễn Văn An\nTrần Thị Bình\nLê Minh Châu"),
              ("Đội Sở Nội vụ", "SNV", "Phạm Quốc Dũng\nHoàng Thu Giang\nVõ Thanh Hà"),
              ("Đội UBND thành phố Bình An", "UBND-TP", "Đặng Hữu Hải\nBùi Ngọc Hạnh\nĐỗ Xuân Hiếu"),
              ("Đội UBND huyện Tân Phú", "UBND-TANPHU", "Hồ Thị Hoa\nNgô Đức Hùng\nDương Thu Hương")]
LIVE_SEGMENTS = [("all_answer", "Phần 1 — Khởi động", 20, 10, 4), ("speed", "Phần 2 — Tăng tốc", 15, 10, 3),
                 ("buzzer", "Phần 3 — Giành quyền trả lời", 15, 20, 3), ("star", "Phần 4 — Về đích", 30, 30, 3)]


@dataclass
class DemoReport:
    """What a demo load added."""

    agencies: int = 0
    documents: int = 0
    questions: int = 0
    rounds: int = 0
    live_events: int = 0
    accounts: int = 0
    simulated: int = 0
    attempts: int = 0


def _add_agencies(nodes: list[dict], parent: Agency | None, report: DemoReport) -> None:
    for node in nodes:
        agency = find_agency(node["code"])
        if agency is None:
            agency = add_agency(code=node["code"], name=node["name"], parent=parent,
                                headcount=node["headcount"])
            report.agencies += 1
        _add_agencies(node.get("children", []), agency, report)


def _add_documents(documents: list[dict], report: DemoReport) -> None:
    fresh = set()
    decree = find_document("63/2010/NĐ-CP")
    if decree is None or not decree.articles:
        # The decree's full text, article by article, through the same path as an organizer's upload.
        text = (DATA / "nghi-dinh-63-2010-ND-CP.md").read_text(encoding="utf-8")
        stored = store_legal_text(parse_legal_text(text), text, "nghi-dinh-63-2010-ND-CP.md")
        fresh.add(stored.document.number)
        report.documents += stored.is_new
    for entry in documents:
        document, created = get_or_create_document(entry["number"], entry["kind"])
        if created or document.number in fresh:
            # Metadata from the demo data; an organizer's corrections are kept on a re-run.
            update_document(document, kind=entry["kind"], title=entry["title"], issuer=entry["issuer"],
                            issued_on=date.fromisoformat(entry["issued_on"]),
                            effective_on=date.fromisoformat(entry["effective_on"]) if entry["effective_on"] else None)
            document.status = entry["status"]
        report.documents += created
    db.session.flush()


def demo_question_records() -> list[QuestionRecord]:
    """The demo bank, read from data/questions.json into import records.

    A question whose citation names no article stays a draft: only questions citing their
    document and article are approved for rounds.
    """
    entries = json.loads((DATA / "questions.json").read_text(encoding="utf-8"))["questions"]
    return [QuestionRecord(
        text=clean(e["text"]), choices=[clean(c) for c in e["choices"]], correct=sorted(e["correct"]),
        topic=clean(e.get("topic")), difficulty=DIFFICULTY_BY_LABEL[fold(e.get("difficulty", "Trung bình"))],
        citation=clean(e.get("citation")), explanation=clean(e.get("explanation")),
        audience=clean(e.get("audience")), source_row=index,
        status="approved" if parse_citation(e.get("citation", "")).article else "draft")
        for index, e in enumerate(entries, start=1)]


def _add_rounds(now: datetime, report: DemoReport) -> tuple[Round, Round]:
    """A closed week and an open one, each drawing 10 questions in 15 minutes, 3 tries."""
    contest = get_or_create_contest(CONTEST_SLUG, CONTEST_TITLE, RULES)
    imported = import_questions(demo_question_records(), BANK_NAME)
    report.questions += imported.added
    bank = get_or_create_bank(BANK_NAME)
    rounds = {r.name: r for r in contest.rounds}
    specs = [("Tuần 1", now - timedelta(days=9), now - timedelta(days=2)),
             ("Tuần 2", now - timedelta(days=2), now + timedelta(days=12))]
    for name, opens_at, closes_at in specs:
        if name not in rounds:
            rounds[name] = create_round(
                contest=contest, bank=bank, name=name, opens_at=opens_at, closes_at=closes_at,
                time_limit_minutes=15, question_count=10, attempts_allowed=3, prediction_kind="perfect_papers",
                prediction_prompt="Theo bạn, tuần thi này sẽ có bao nhiêu bài thi trả lời đúng cả 10 câu?")
            set_prize_rules(rounds[name], "CBCCVC", PRIZES, None)
            report.rounds += 1
    return rounds["Tuần 1"], rounds["Tuần 2"]


def _add_accounts(password_hash: str, report: DemoReport) -> None:
    for email, name, role, code in STAFF:
        if not db.session.scalar(sa.select(User.id).where(User.email == email)):
            create_user(full_name=name, email=email, password_hash=password_hash, role=role,
                        agency_id=find_agency(code).id)
            report.accounts += 1
    for email, name, code in CONTESTANTS:
        if not db.session.scalar(sa.select(User.id).where(User.email == email)):
            create_user(full_name=name, email=email, password_hash=password_hash,
                        agency_id=find_agency(code).id, phone="0912345678", consented_at=utcnow())
            report.accounts += 1


def _simulate_attempt(user: User, round_: Round, started_at: datetime, skill: float,
                      rng: random.Random) -> None:
    """One simulated paper: answers saved over time, then submitted, all by the real services."""
    attempt = start_attempt(user, round_, started_at)
    moment = started_at
    for item in attempt.items:
        moment += timedelta(seconds=rng.uniform(8, 45))
        correct = item.question.correct
        if rng.random() < skill:
            shown = [item.choice_order.index(index) for index in correct]
        else:
            wrong = [k for k, original in enumerate(item.choice_order) if original not in correct]
            shown = [rng.choice(wrong)]
        save_answer(attempt, item.position, shown, moment)
    submit_attempt(attempt, moment + timedelta(seconds=rng.uniform(2, 20)), prediction=rng.randint(20, 120))


def _add_simulated_contestants(count: int, rounds: tuple[Round, Round], now: datetime,
                               password_hash: str, report: DemoReport) -> None:
    rng = random.Random(2026)
    agencies = db.session.scalars(sa.select(Agency).order_by(Agency.code)).all()
    weights = [agency.headcount for agency in agencies]
    for n in range(1, count + 1):
        # Draw every value even for existing users, so a re-run makes the same people.
        name = f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"
        agency = rng.choices(agencies, weights)[0]
        skill = rng.uniform(0.45, 0.97)
        email = f"mo-phong-{n:04d}@demo.vn"
        if db.session.scalar(sa.select(User.id).where(User.email == email)):
            continue
        user = create_user(full_name=name, email=email, password_hash=password_hash,
                           agency_id=agency.id, consented_at=now - timedelta(days=10))
        user.agency = agency
        report.simulated += 1
        for round_ in rounds:
            end = min(round_.closes_at, now) - timedelta(minutes=20)
            span = (end - round_.opens_at).total_seconds()
            tries = rng.choice([1, 1, 1, 2, 3])
            for started_at in sorted(round_.opens_at + timedelta(seconds=rng.uniform(0, span))
                                     for _ in range(tries)):
                _simulate_attempt(user, round_, started_at, skill, rng)
                report.attempts += 1


def _add_live_event(now: datetime, report: DemoReport) -> None:
    """A live final ready to rehearse or run: four agencies' teams (PINs 111111 … 444444, for the demo
    only), one segment of each kind with questions drawn from the demo bank, both demo judges."""
    if db.session.scalar(sa.select(LiveEvent.id).where(LiveEvent.code == LIVE_CODE)):
        return
    organizer = db.session.scalar(sa.select(User).where(User.email == STAFF[0][0]))
    event = live.create_event(LIVE_TITLE, get_or_create_bank(BANK_NAME), "teams", "Hội trường UBND tỉnh Bình An",
                              organizer, now)
    event.code = LIVE_CODE
    for number, (name, code, members) in enumerate(LIVE_TEAMS, start=1):
        team = live.add_team(event, name, find_agency(code).id, members, organizer)
        team.pin = str(number) * 6
    rng = random.Random(18)
    for kind, title, seconds, points, count in LIVE_SEGMENTS:
        segment = live.add_segment(event, kind, title, seconds, points, SegmentRules(), organizer)
        live.draw_questions(segment, count, [], organizer, rng)
    judges = db.session.scalars(sa.select(User.id).where(User.email.in_([STAFF[1][0], STAFF[2][0]]))).all()
    live.set_judges(event, list(judges), organizer)
    report.live_events += 1


def load_demo(now: datetime, simulated: int = 300) -> DemoReport:
    """Load (or complete) the demo in the current transaction; the caller commits."""
    report = DemoReport()
    data = json.loads((DATA / "agencies.json").read_text(encoding="utf-8"))
    _add_agencies(data["agencies"], None, report)
    _add_documents(data["documents"], report)
    rounds = _add_rounds(now, report)
    password_hash = hash_password(DEMO_PASSWORD)
    _add_accounts(password_hash, report)
    _add_live_event(now, report)
    _add_simulated_contestants(simulated, rounds, now, password_hash, report)
    return report
