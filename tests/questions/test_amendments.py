"""Amending decrees read into changes, and the consolidated text (văn bản hợp nhất) they give.

The texts are test fixtures, not real law (tests/fixtures/legal.py)."""
from datetime import date

import pytest

from questions.amendments import is_amending, read_amendments
from questions.consolidation import Change, Source, consolidate
from questions.legal import parse_legal_text
from tests.fixtures.legal import AMENDING, BASE, SECOND_AMENDING


@pytest.fixture(scope="module")
def base():
    return parse_legal_text(BASE)


def _changes(text: str, label: str, order: int = 0) -> list[Change]:
    legal = parse_legal_text(text)
    reading = read_amendments(legal)
    return [Change(a, Source(label, legal.meta.effective_on, a.source), (order, i))
            for i, a in enumerate(reading.amendments)]


def test_each_numbered_instruction_is_read_with_its_place_and_new_wording():
    legal = parse_legal_text(AMENDING)
    assert is_amending(legal) and not is_amending(parse_legal_text(BASE))
    reading = read_amendments(legal)
    assert reading.targets == ["7/2030/NĐ-CP"]
    found = [(a.action, a.place, a.source) for a in reading.amendments]
    assert found == [
        ("amend", "Điều 2", "khoản 1 Điều 1"),
        ("amend", "khoản 3 Điều 4", "khoản 2 Điều 1"),
        ("delete_phrase", "khoản 2 Điều 4", "khoản 3 Điều 1"),
        ("amend", "khoản 1 Điều 5", "điểm a khoản 4 Điều 1"),
        ("add", "khoản 4 Điều 5", "điểm b khoản 4 Điều 1"),
        ("add", "Điều 5a", "khoản 5 Điều 1"),
        ("repeal", "khoản 2 Điều 3", "khoản 6 Điều 1"),
        ("replace_phrase", "Điều 1", "khoản 7 Điều 1"),
        ("replace_phrase", "Điều 6", "khoản 7 Điều 1"),
        ("amend", "điểm c khoản 3 Điều 5", "khoản 8 Điều 1"),
        ("amend", "khoản 9 Điều 4", "khoản 9 Điều 1"),
    ]
    article = reading.amendments[0]
    assert article.text.startswith("Điều 2. Cơ quan, đơn vị kiểm soát\n1. Bộ Kiểm thử giúp Chính phủ")
    assert article.text.endswith("giúp Ủy ban nhân dân cấp tỉnh kiểm soát hồ sơ.")
    assert reading.amendments[3].text == "1. Thời hạn giải quyết là 20 ngày làm việc kể từ ngày nhận đủ hồ sơ."
    phrase = reading.amendments[7]
    assert (phrase.old_phrase, phrase.new_phrase) == ("Bộ Thử nghiệm", "Bộ Kiểm thử")
    # The quoted "có hiệu lực" of an amended article is not the decree's own date.
    assert legal.meta.effective_on == date(2031, 7, 1)


def test_an_instruction_that_cannot_be_read_is_listed_not_guessed():
    reading = read_amendments(parse_legal_text(AMENDING))
    assert [(u.source, u.instruction) for u in reading.unplaced] == [
        ("khoản 10 Điều 1", "Điều chỉnh các quy định khác cho phù hợp.")]
    assert "Không nhận ra" in reading.unplaced[0].reason


@pytest.mark.parametrize("instruction, expected", [
    ("Bãi bỏ Điều 9, Điều 11 và khoản 4 Điều 30.", [("repeal", "Điều 9"), ("repeal", "Điều 11"),
                                                  ("repeal", "khoản 4 Điều 30")]),
    ("Sửa đổi, bổ sung khoản 1 và khoản 3 Điều 14 như sau: “1. Một.” “3. Ba.”",
     [("amend", "khoản 1 Điều 14"), ("amend", "khoản 3 Điều 14")]),
    ("Bổ sung khoản 4a vào sau khoản 4 Điều 10 như sau: “4a. Mới.”", [("add", "khoản 4a Điều 10")]),
    ("Bổ sung điểm e vào khoản 2 Điều 8 như sau: “e) Mới.”", [("add", "điểm e khoản 2 Điều 8")]),
    ("Thay thế khoản 4 Điều 30 bằng khoản 4 mới như sau: “4. Mới.”", [("amend", "khoản 4 Điều 30")]),
    ("Sửa đổi tên Điều 8 như sau: “Yêu cầu mới”", [("amend_title", "Điều 8")]),
    ("Thay cụm từ “A cũ” bằng cụm từ “A mới” trong toàn văn Nghị định.", [("replace_phrase", "toàn văn")]),
])
def test_instruction_forms(instruction, expected):
    text = ("NGHỊ ĐỊNH\nSố: 1/2040/NĐ-CP\nCăn cứ Luật;\n"
            f"Điều 1. Sửa đổi, bổ sung một số điều của Nghị định số 7/2030/NĐ-CP\n1. {instruction}\n"
            "Điều 2. Hiệu lực thi hành\nNghị định này có hiệu lực thi hành kể từ ngày ký.")
    reading = read_amendments(parse_legal_text(text))
    assert [(a.action, a.place) for a in reading.amendments] == expected
    assert not reading.unplaced


def test_consolidated_text_as_of_a_date(base):
    changes = _changes(AMENDING, "Nghị định 12/2031/NĐ-CP")
    before = consolidate(base.articles, changes, date(2031, 6, 30))
    assert not before.applied and len(before.pending) == len(changes)
    assert before.article("5").clause_text("1").startswith("1. Thời hạn giải quyết là 10 ngày")

    after = consolidate(base.articles, changes, date(2031, 7, 1))
    five = after.article("5")
    assert five.clause_text("1") == "1. Thời hạn giải quyết là 20 ngày làm việc kể từ ngày nhận đủ hồ sơ."
    changed = next(unit for unit in five.units if unit.key == ("1", ""))
    assert changed.changed_by.label == "Nghị định 12/2031/NĐ-CP"
    assert changed.earlier == "1. Thời hạn giải quyết là 10 ngày làm việc kể từ ngày nhận đủ hồ sơ."
    assert [unit.key for unit in five.units] == [("1", ""), ("2", ""), ("3", ""), ("3", "a"), ("3", "b"),
                                                ("3", "c"), ("4", "")]
    assert five.clause_text("3").endswith("c) Trường hợp thiên tai, dịch bệnh.")
    assert after.article("2").earlier_text.startswith("1. Bộ Thử nghiệm giúp Chính phủ")
    assert after.article("2").title == "Cơ quan, đơn vị kiểm soát"
    assert after.article("4").clause_text("2") == "2. Cơ quan tiếp nhận kiểm tra hồ sơ."
    assert [a.number for a in after.articles] == ["1", "2", "3", "4", "5", "5a", "6"]
    assert after.article("5a").is_added
    repealed = next(unit for unit in after.article("3").units if unit.key == ("2", ""))
    assert repealed.is_repealed and "Phiếu hẹn" not in after.article("3").text
    assert "Bộ Kiểm thử quản lý" in after.article("1").text
    # Placed nowhere: there is no khoản 9 in Điều 4. Listed, the text unchanged.
    assert [m.reason for m in after.misplaced] == ["Văn bản không có khoản 9 Điều 4."]


def test_later_changes_apply_in_order_of_their_dates(base):
    changes = _changes(SECOND_AMENDING, "Nghị định 3/2033/NĐ-CP", 1) + _changes(AMENDING, "Nghị định 12/2031/NĐ-CP")
    result = consolidate(base.articles, changes, date(2033, 3, 1))
    unit = next(unit for unit in result.article("5").units if unit.key == ("1", ""))
    assert unit.text.startswith("1. Thời hạn giải quyết là 15 ngày")
    assert unit.changed_by.label == "Nghị định 3/2033/NĐ-CP"
    assert "20 ngày" in unit.earlier
    # The phrase changed across the whole text, wherever it still stood.
    assert "Sở Thử nghiệm" not in "\n".join(article.text for article in result.articles)
    assert "Sở Kiểm thử" in result.article("3").clause_text("3")
    touched = {(a.change.source.label, a.article, a.clauses) for a in result.applied}
    assert ("Nghị định 3/2033/NĐ-CP", "3", ("3",)) in touched


def test_a_phrase_that_is_not_in_the_text_is_reported(base):
    text = ("NGHỊ ĐỊNH\nSố: 1/2040/NĐ-CP\nCăn cứ Luật;\n"
            "Điều 1. Sửa đổi, bổ sung một số điều của Nghị định số 7/2030/NĐ-CP\n"
            "1. Thay cụm từ “Bộ Không Có” bằng cụm từ “Bộ Khác” tại Điều 4.\n"
            "Điều 2. Hiệu lực thi hành\nNghị định này có hiệu lực thi hành kể từ ngày 01 tháng 01 năm 2040.")
    result = consolidate(base.articles, _changes(text, "Nghị định 1/2040/NĐ-CP"), date(2040, 1, 1))
    assert [m.reason for m in result.misplaced] == ["Không tìm thấy cụm từ “Bộ Không Có” tại Điều 4."]
