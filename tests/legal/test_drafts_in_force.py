"""Drafts rest on the law in force: the current wording of an amended document, and the provisions
an amending document brings. The decrees are test fixtures, not real law (tests/fixtures/legal.py)."""
from datetime import date

import sqlalchemy as sa

from contest.bank.models import Question
from contest.extensions import db
from contest.legal.services import find_document
from tests.fixtures.legal import AMENDING, BASE


def _load(runner, tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    result = runner.invoke(args=["legal", "import", str(path)])
    assert result.exit_code == 0, result.output


def _drafts() -> list[Question]:
    return db.session.scalars(sa.select(Question).where(Question.status == "draft")).all()


def test_drafts_of_an_amending_decree_ask_about_what_it_brings(runner, app, tmp_path):
    _load(runner, tmp_path, "base.txt", BASE)
    _load(runner, tmp_path, "amending.txt", AMENDING)
    result = runner.invoke(args=["legal", "draft-questions", "12/2031/NĐ-CP"])
    assert result.exit_code == 0, result.output
    drafts = _drafts()
    # Before, the generator skipped every quotation and found one question in such a decree.
    assert len(drafts) >= 3
    assert all("Nghị định 7/2030/NĐ-CP" in draft.citation for draft in drafts)
    assert {draft.article for draft in drafts} <= {"1", "2", "4", "5", "5a", "6"}
    deadline = next(d for d in drafts if d.citation.startswith("Khoản 1 Điều 5"))
    assert deadline.choices[deadline.correct[0]] == "20 ngày làm việc"


def test_drafts_of_an_amended_decree_use_the_wording_in_force(runner, app, tmp_path):
    _load(runner, tmp_path, "base.txt", BASE)
    _load(runner, tmp_path, "amending.txt", AMENDING)
    find_document("12/2031/NĐ-CP").effective_on = date(2020, 1, 1)  # as if already in force
    db.session.commit()
    assert runner.invoke(args=["legal", "draft-questions", "7/2030/NĐ-CP"]).exit_code == 0
    drafts = _drafts()
    answers = {d.citation: d.choices[d.correct[0]] for d in drafts}
    assert answers.get("Khoản 1 Điều 5 Nghị định 7/2030/NĐ-CP") == "20 ngày làm việc"
    assert "10 ngày làm việc" not in answers.values()
    # Khoản 2 Điều 3 was repealed: no draft rests on it.
    assert not any(d.citation.startswith("Khoản 2 Điều 3 ") for d in drafts)
