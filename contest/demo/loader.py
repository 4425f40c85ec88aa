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
from contest.bank.models import Question
from contest.live import services as live
from contest.live.models import LiveEvent
from contest.live.rules import SegmentRules
from contest.bank.services import get_or_create_bank, import_questions
from contest.reviews.models import QuestionReview
from contest.reviews.services import flag_question
from contest.database import utcnow
from contest.extensions import db
from contest.rounds.models import Round
from contest.rounds.services import create_round, get_or_create_contest
from questions.citation import parse_citation
from questions.legal import parse_legal_text
from questions.records import DIFFICULTY_BY_LABEL, QuestionRecord
from questions.text import clean, fingerprint, fold

DATA = Path(__file__).resolve().parent / "data"
DEMO_PASSWORD = "demo12345"
BANK_NAME = "Kiểm soát thủ tục hành chính"
CONTEST_SLUG = "kiem-soat-tthc"
CONTEST_TITLE = "Tìm hiểu hoạt động kiểm soát thủ tục hành chính"
ORGANIZERS = ("Cơ quan tổ chức: Ủy ban nhân dân tỉnh Bình An\n"
              "Cơ quan thường trực: Văn phòng UBND tỉnh Bình An, phối hợp với Sở Tư pháp")
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
    suspicious: int = 0
    attempts: int = 0


def _group_of(code: str, level: int) -> str:
    """The group an agency of the province's second level is ranked in for collective prizes."""
    if level != 2:
        return ""
    return "Huyện, thị xã, thành phố" if code.startswith("UBND-") else "Sở, ban, ngành"


def _add_agencies(nodes: list[dict], parent: Agency | None, report: DemoReport) -> None:
    for node in nodes:
        agency = find_agency(node["code"])
        level = parent.level + 1 if parent else 1
        if agency is None:
            agency = add_agency(code=node["code"], name=node["name"], parent=parent,
                                headcount=node["headcount"], group_name=_group_of(node["code"], level))
            report.agencies += 1
        elif not agency.group_name and _group_of(node["code"], level):
            agency.group_name = _group_of(node["code"], level)
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


def _flag_for_review(bank) -> None:
    """Flag "cần rà soát" the demo questions whose provision was amended after the wording they
    rest on, with the reason given in the data (the amending text is not among the sources)."""
    entries = json.loads((DATA / "questions.json").read_text(encoding="utf-8"))["questions"]
    for entry in entries:
        if not entry.get("review"):
            continue
        question = db.session.scalar(sa.select(Question).where(
            Question.bank_id == bank.id, Question.replaced_by_id.is_(None),
            Question.fingerprint == fingerprint(clean(entry["text"]), [clean(c) for c in entry["choices"]])))
        if question is not None and not db.session.scalar(sa.select(sa.exists().where(
                QuestionReview.question_id == question.id))):
            flag_question(question, entry["review"])


def _add_rounds(now: datetime, report: DemoReport) -> tuple[Round, Round]:
    """Four weeks, each drawing 10 questions in 15 minutes, 3 tries: one closed, one open now, two to
    come. Returns the closed week and the open one."""
    contest = get_or_create_contest(CONTEST_SLUG, CONTEST_TITLE, RULES)
    if not contest.organizers:
        contest.organizers = ORGANIZERS
    if contest.eligible_agency is None:
        contest.eligible_agency = find_agency("UBND-T")
    imported = import_questions(demo_question_records(), BANK_NAME)
    report.questions += imported.added
    bank = get_or_create_bank(BANK_NAME)
    _flag_for_review(bank)
    rounds = {r.name: r for r in contest.rounds}
    specs = [("Tuần 1", now - timedelta(days=9), now - timedelta(days=2)),
             ("Tuần 2", now - timedelta(days=2), now + timedelta(days=5)),
             ("Tuần 3", now + timedelta(days=5), now + timedelta(days=12)),
             ("Tuần 4", now + timedelta(days=12), now + timedelta(days=19))]
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


# Accounts whose papers trip the integrity signals, so judges see what a flag looks like: one
# browser shared by three accounts, an office address with six, two papers answered in seconds, a
# copied paper, and one person registered twice (same name and birth date, two CCCD numbers).
SHARED_DEVICE = "demo-may-dung-chung-7f3a9c"
SHARED_ADDRESS = "203.113.45.67"


def _suspicious_paper(user: User, round_: Round, started_at: datetime, rng: random.Random, *,
                      device_id: str = "", client_ip: str = "", seconds_each: tuple[float, float] = (8, 40),
                      skill: float = 0.7, copy_of=None):
    """One simulated paper from a given device or address; `copy_of` makes it draw the same questions
    in the same order and choose the same options as that attempt (an answer sheet passed on)."""
    attempt = start_attempt(user, round_, started_at, client_ip=client_ip, device_id=device_id)
    if copy_of is not None:
        # The draw is random; the demo makes the copy's paper the original's, as a shared sheet would.
        for item, source in zip(attempt.items, copy_of.items):
            item.question_id, item.choice_order = source.question_id, list(source.choice_order)
        db.session.flush()
        db.session.expire(attempt)
    moment = started_at
    for item in attempt.items:
        moment += timedelta(seconds=rng.uniform(*seconds_each))
        if copy_of is not None:
            shown = list(copy_of.items[item.position].selected or [])
        elif rng.random() < skill:
            shown = [item.choice_order.index(index) for index in item.question.correct]
        else:
            shown = [rng.choice([k for k, original in enumerate(item.choice_order) if original not in item.question.correct])]
        save_answer(attempt, item.position, shown, moment)
    submit_attempt(attempt, moment + timedelta(seconds=rng.uniform(1, 5)), prediction=rng.randint(20, 120))
    return attempt


def _add_suspicious(rounds: tuple[Round, Round], now: datetime, password_hash: str, report: DemoReport) -> None:
    if db.session.scalar(sa.select(User.id).where(User.email == "nghi-van-01@demo.vn")):
        return
    rng = random.Random(16)
    agencies = {code: find_agency(code) for code in ("SCT", "SYT", "TANPHU-PHULAM", "SONHA-SONKY", "UBND-HOALOC")}
    people = [("Đỗ Văn Khải", "SCT"), ("Đỗ Thị Khánh", "SCT"), ("Đỗ Minh Khoa", "SCT"),            # one device
              ("Lý Văn Phát", "SYT"), ("Lý Thị Phượng", "SYT"), ("Ngô Văn Quý", "SYT"),
              ("Ngô Thị Quyên", "SYT"), ("Hồ Văn Sang", "SYT"), ("Hồ Thị Sương", "SYT"),          # one address
              ("Dương Văn Tốc", "TANPHU-PHULAM"), ("Dương Thị Tiệp", "SONHA-SONKY"),               # seconds a paper
              ("Bùi Văn Chép", "UBND-HOALOC"), ("Bùi Thị Chung", "UBND-HOALOC"),                   # a copied paper
              ("Phan Văn Trùng", "TANPHU-PHULAM"), ("Phan Văn Trùng", "SONHA-SONKY")]              # registered twice
    users = []
    for n, (name, code) in enumerate(people, start=1):
        twice = n >= 14
        users.append(create_user(
            full_name=name, email=f"nghi-van-{n:02d}@demo.vn", password_hash=password_hash,
            agency_id=agencies[code].id, consented_at=now - timedelta(days=9),
            citizen_id=f"0350880{n:05d}" if twice else None, birth_date=date(1988, 3, 14) if twice else None))
        report.suspicious += 1
    for round_ in rounds:
        start = round_.opens_at + timedelta(hours=3)
        for k, user in enumerate(users[:3]):
            _suspicious_paper(user, round_, start + timedelta(minutes=25 * k), rng, device_id=SHARED_DEVICE)
        for k, user in enumerate(users[3:9]):
            _suspicious_paper(user, round_, start + timedelta(hours=1, minutes=20 * k), rng, client_ip=SHARED_ADDRESS)
        for k, user in enumerate(users[9:11]):
            _suspicious_paper(user, round_, start + timedelta(hours=5, minutes=7 * k), rng, seconds_each=(0.6, 1.2),
                              skill=1.0)
        original = _suspicious_paper(users[11], round_, start + timedelta(hours=8), rng, skill=0.6)
        _suspicious_paper(users[12], round_, start + timedelta(hours=8, minutes=16), rng, copy_of=original)
        for k, user in enumerate(users[13:]):
            _suspicious_paper(user, round_, start + timedelta(hours=10, minutes=30 * k), rng)
        report.attempts += len(users)


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
    _add_suspicious(rounds, now, password_hash, report)
    return report
