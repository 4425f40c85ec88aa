"""Draft questions from legal texts: every kind from the real decree, answers traceable to the text."""
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from questions.citation import parse_citation
from questions.drafting import cite, draft_questions, number_words
from questions.legal import parse_legal_text
from questions.legal_readers import read_legal_file
from questions.text import fold

DECREE_63 = Path("/work/shared/reference/legal-texts/nghi-dinh-63-2010-ND-CP.md")
NUMBER = "63/2010/NĐ-CP"


@pytest.fixture(scope="module")
def decree():
    """Nghị định 63/2010/NĐ-CP, parsed."""
    return parse_legal_text(read_legal_file(DECREE_63))


@pytest.fixture(scope="module")
def drafts(decree):
    """Drafts from the decree with the default seed."""
    return draft_questions(decree, NUMBER)


def _kind(draft) -> str:
    """The template a draft came from, read from its wording."""
    if "KHÔNG" in draft.text:
        return "not_among"
    if draft.text.endswith("” là gì?"):
        return "meaning"
    if "được hiểu là" in draft.text:
        return "term"
    assert re.search(r"bao nhiêu|ngày nào", draft.text), draft.text
    return "number"


def _by(drafts, citation, kind):
    return [draft for draft in drafts if draft.citation == citation and _kind(draft) == kind]


def _answer(draft) -> str:
    return draft.choices[draft.correct[0]]


def test_every_kind_is_drafted_from_the_decree(drafts):
    kinds = [_kind(draft) for draft in drafts]
    assert {kind: kinds.count(kind) for kind in set(kinds)} == \
        {"number": 10, "meaning": 4, "term": 3, "not_among": 11}


def test_definitions_are_never_cut_off_mid_phrase(drafts):
    # Three definitions of Điều 3 are longer than a stem may quote: they give no "which term" draft
    # rather than a cut one ending in "…".
    definitions = [draft for draft in drafts if _kind(draft) in ("meaning", "term")]
    assert definitions
    assert not any("…" in draft.text or any("…" in choice for choice in draft.choices) for draft in definitions)


def test_every_option_of_a_number_draft_has_the_answers_form():
    text = ("NGHỊ ĐỊNH\nSố: 1/2040/NĐ-CP\nCăn cứ Luật;\nĐiều 1. Thời hạn\n"
            "1. Hồ sơ được trả trong thời hạn 05 ngày làm việc kể từ ngày nhận đủ hồ sơ hợp lệ.\n"
            "2. Báo cáo hằng năm gửi trước ngày 1 tháng 7 để cơ quan cấp trên tổng hợp kết quả.\n"
            "Điều 2. Hiệu lực thi hành\nNghị định này có hiệu lực thi hành kể từ ngày 1 tháng 7 năm 2040.")
    drafts = draft_questions(parse_legal_text(text), "1/2040/NĐ-CP")
    assert len(drafts) >= 2
    for draft in drafts:
        # Numbers below ten written the same way in every option: all "05" or all "5".
        small = {number.startswith("0") for choice in draft.choices
                 for number in re.findall(r"\d+", choice) if int(number) < 10}
        assert len(small) <= 1, draft.choices
        assert len({len(re.findall(r"\d+", choice)) for choice in draft.choices}) == 1, draft.choices


def test_drafts_are_well_formed(decree, drafts):
    chapter_titles = {chapter.title for chapter in decree.chapters}
    assert [draft.source_row for draft in drafts] == list(range(1, len(drafts) + 1))
    for draft in drafts:
        assert draft.status == "draft"
        assert len(draft.choices) == 4 and len(draft.correct) == 1 and 0 <= draft.correct[0] < 4
        assert len({fold(choice) for choice in draft.choices}) == 4, draft.choices
        assert all(choice == choice.strip() and choice for choice in draft.choices)
        assert draft.topic in chapter_titles
        assert draft.text.endswith("?") and draft.explanation
        assert draft.citation in draft.text or draft.citation in draft.explanation


def test_citations_parse_back_to_the_same_place(decree, drafts):
    for draft in drafts:
        citation = parse_citation(draft.citation)
        assert (citation.document_number, citation.kind) == (NUMBER, "Nghị định")
        article = decree.article(citation.article)
        assert article is not None and f"Điều {article.number} " in draft.citation
        clause = re.search(r"khoản (\d+)", citation.clause)
        point = re.search(r"điểm (\w)", citation.clause)
        if clause:
            assert article.clause(clause.group(1)) is not None
        if point:
            assert point.group(1) in [p.letter for p in article.clause(clause.group(1)).points]


def test_answers_and_distractors_come_from_the_text(decree, drafts):
    for draft in drafts:
        article = decree.article(parse_citation(draft.citation).article)
        source = article.text.casefold()
        answer = _answer(draft)
        wrong = [choice for index, choice in enumerate(draft.choices) if index != draft.correct[0]]
        assert all(fold(choice) != fold(answer) for choice in wrong)
        if _kind(draft) == "not_among":
            # The right answer is an item of another article's list, so it really is not here.
            assert answer.casefold() not in source
            assert any(answer.casefold() in other.text.casefold()
                       for other in decree.articles if other is not article)
            assert all(choice.casefold() in source for choice in wrong)
        else:
            assert answer.casefold() in source, (draft.citation, answer)
            if _kind(draft) != "number":
                assert all(choice.casefold() in decree.article("3").text.casefold() for choice in wrong)


def test_number_drafts(drafts):
    times = _by(drafts, "Khoản 4 Điều 20 Nghị định 63/2010/NĐ-CP", "number")[0]
    assert "quá bao nhiêu lần cho một vụ việc?" in times.text
    assert _answer(times) == "Hai lần"
    assert times.choices == ["Một lần", "Hai lần", "Ba lần", "Bốn lần"]

    entry = _by(drafts, "Điều 24 Nghị định 63/2010/NĐ-CP", "number")[0]
    assert "chậm nhất trong thời hạn bao nhiêu ngày làm việc kể từ ngày ký quyết định công bố?" in entry.text
    assert _answer(entry) == "05 (năm) ngày làm việc"
    assert all(re.fullmatch(r"\d\d \([a-zà-ỹđ ]+\) ngày làm việc", choice) for choice in entry.choices)

    # Khoản 3 Điều 9 gives 20 days to one body and 10 to another: neither is offered for the other.
    first = _by(drafts, "Điểm a Khoản 3 Điều 9 Nghị định 63/2010/NĐ-CP", "number")[0]
    second = _by(drafts, "Điểm b Khoản 3 Điều 9 Nghị định 63/2010/NĐ-CP", "number")[0]
    assert _answer(first) == "20 (hai mươi) ngày làm việc"
    assert "10 (mười) ngày làm việc" not in first.choices
    assert _answer(second) == "10 (mười) ngày làm việc"
    assert "20 (hai mươi) ngày làm việc" not in second.choices

    deadline = _by(drafts, "Khoản 3 Điều 30 Nghị định 63/2010/NĐ-CP", "number")[0]
    assert deadline.text.endswith("trước ngày nào của năm kế hoạch?")
    assert _answer(deadline) == "Ngày 31 tháng 01"

    effective = _by(drafts, "Khoản 1 Điều 37 Nghị định 63/2010/NĐ-CP", "number")[0]
    assert effective.text == "Theo Khoản 1 Điều 37 Nghị định 63/2010/NĐ-CP, Nghị định này có hiệu lực thi " \
                             "hành kể từ ngày nào?"
    assert _answer(effective) == "Ngày 14 tháng 10 năm 2010"
    assert "Ngày 08 tháng 06 năm 2010" in effective.choices

    quarterly = _by(drafts, "Khoản 1 Điều 35 Nghị định 63/2010/NĐ-CP", "number")[0]
    assert _answer(quarterly) == "Ngày 15" and "Ngày 30" not in quarterly.choices
    for draft in drafts:
        if _kind(draft) == "number":
            assert draft.explanation.startswith(f"{draft.citation} quy định: “")


def test_definition_drafts(drafts):
    meaning = _by(drafts, "Khoản 1 Điều 3 Nghị định 63/2010/NĐ-CP", "meaning")[0]
    assert meaning.text == "Theo Khoản 1 Điều 3 Nghị định 63/2010/NĐ-CP, “Thủ tục hành chính” là gì?"
    assert _answer(meaning).startswith("Trình tự, cách thức thực hiện, hồ sơ và yêu cầu, điều kiện")
    term = _by(drafts, "Khoản 2 Điều 3 Nghị định 63/2010/NĐ-CP", "term")[0]
    assert term.text.startswith("Theo Khoản 2 Điều 3 Nghị định 63/2010/NĐ-CP, thuật ngữ nào sau đây được "
                                "hiểu là “thứ tự các bước tiến hành")
    assert term.text.endswith("”?") and "…" not in term.text
    assert _answer(term) == "Trình tự thực hiện"
    # Definitions too long for an option on a phone are not options, and too long to quote whole
    # in a stem they are not asked the other way round either: never cut off mid-phrase.
    assert not _by(drafts, "Khoản 6 Điều 3 Nghị định 63/2010/NĐ-CP", "meaning")
    assert not _by(drafts, "Khoản 6 Điều 3 Nghị định 63/2010/NĐ-CP", "term")
    assert not _by(drafts, "Khoản 5 Điều 3 Nghị định 63/2010/NĐ-CP", "term")


def test_not_among_drafts(decree, drafts):
    components = _by(drafts, "Khoản 2 Điều 8 Nghị định 63/2010/NĐ-CP", "not_among")
    assert len(components) == 2
    assert components[0].text.endswith("Nội dung nào dưới đây KHÔNG thuộc các bộ phận tạo thành cơ bản đó?")
    duties = _by(drafts, "Điều 18 Nghị định 63/2010/NĐ-CP", "not_among")[0]
    assert duties.text == ("Theo Điều 18 Nghị định 63/2010/NĐ-CP, nội dung nào sau đây KHÔNG được quy định "
                           "là trách nhiệm của cơ quan thực hiện thủ tục hành chính?")
    for draft in drafts:
        if _kind(draft) == "not_among":
            # Never "Các hình thức khác" or "Thực hiện quy định khác của pháp luật" as an option.
            assert not any(re.match(r"(?:\S+ ){0,4}khác\b", choice.lower()) for choice in draft.choices)
            assert "không có trong danh sách này" in draft.explanation
    # Lists left open by "Nội dung khác …" (Khoản 4 Điều 26, Khoản 3 Điều 35) give no such question.
    assert not _by(drafts, "Khoản 4 Điều 26 Nghị định 63/2010/NĐ-CP", "not_among")
    assert not _by(drafts, "Khoản 3 Điều 35 Nghị định 63/2010/NĐ-CP", "not_among")


def test_the_seed_makes_drafts_deterministic(decree, drafts):
    assert draft_questions(decree, NUMBER, seed=0) == drafts
    other = draft_questions(decree, NUMBER, seed=1)
    assert [draft.citation for draft in other] != [] and other != drafts
    positions = [draft.correct[0] for draft in drafts]
    assert len(set(positions)) == 4


def test_quoted_text_of_an_amending_decree_is_not_drafted():
    text = """Số: 12/2030/NĐ-CP

Điều 1. Sửa đổi Nghị định số 63/2010/NĐ-CP

1. Điều 24 được sửa đổi như sau:

“Điều 24. Nhập dữ liệu

Cơ quan gửi dữ liệu chậm nhất trong thời hạn 07 (bảy) ngày làm việc.”

2. Cơ quan kiểm soát đăng tải dữ liệu trong thời hạn 03 (ba) ngày làm việc kể từ ngày nhận.
"""
    drafts = draft_questions(parse_legal_text(text), "12/2030/NĐ-CP")
    assert [(draft.citation, _answer(draft)) for draft in drafts] == [
        ("Khoản 2 Điều 1 Nghị định 12/2030/NĐ-CP", "03 (ba) ngày làm việc")]


@pytest.mark.parametrize("parts, text", [
    (("63/2010/NĐ-CP", "Nghị định", "20", "4"), "Khoản 4 Điều 20 Nghị định 63/2010/NĐ-CP"),
    (("63/2010/NĐ-CP", "Nghị định", "9", "3", "a"), "Điểm a Khoản 3 Điều 9 Nghị định 63/2010/NĐ-CP"),
    (("48/2013/NĐ-CP", "Nghị định", "35a"), "Điều 35a Nghị định 48/2013/NĐ-CP"),
])
def test_cite_round_trips_through_parse_citation(parts, text):
    assert cite(*parts) == text
    citation = parse_citation(text)
    assert (citation.document_number, citation.article) == (parts[0], parts[2])


@pytest.mark.parametrize("number, words", [(5, "năm"), (10, "mười"), (15, "mười lăm"), (20, "hai mươi"),
                                           (21, "hai mươi mốt"), (24, "hai mươi tư"), (45, "bốn mươi lăm")])
def test_number_words(number, words):
    assert number_words(number) == words


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from([
    "Điều 1. Giải thích từ ngữ", "Điều 2. Nguyên tắc", "Điều 3. Trách nhiệm", "Điều 4. Các hành vi bị nghiêm cấm",
    "Các từ ngữ dưới đây được hiểu như sau:", "1. “A” là một.", "2. “B” là hai.", "3. “A” là ba.",
    "4. “C” là bốn.", "Nghiêm cấm các hành vi sau đây:", "a) Làm sai;", "b) Làm chậm;", "c) Làm khác.",
    "1. Bảo đảm công khai.", "2. Gửi trong thời hạn 05 (năm) ngày làm việc.", "3. Không quá hai lần.",
    "5. Trước ngày 31 tháng 01 hằng năm.", "Có hiệu lực thi hành kể từ ngày 01 tháng 7 năm 2030.",
    "Chương I", "QUY ĐỊNH CHUNG", "“Điều 9. Trích dẫn", "trong 07 ngày”.", ""]), max_size=30),
    st.integers(0, 3))
def test_drafting_never_fails_and_keeps_its_promises(lines, seed):
    for draft in draft_questions(parse_legal_text("\n".join(lines)), "1/2030/NĐ-CP", seed=seed):
        assert len(draft.choices) == 4 and len({fold(choice) for choice in draft.choices}) == 4
        assert parse_citation(draft.citation).document_number == "1/2030/NĐ-CP"


# Invented definitions (a test fixture, not real law): three copies, two registers, a receipt.
DEFINITIONS = """NGHỊ ĐỊNH
Số: 2/2040/NĐ-CP
Căn cứ Luật;
Điều 1. Giải thích từ ngữ
Trong Nghị định này, các từ ngữ dưới đây được hiểu như sau:
1. “Bản sao y” là bản sao đầy đủ nội dung của bản gốc, trình bày theo mẫu.
2. “Bản sao lục” là bản sao đầy đủ nội dung của bản sao y, trình bày theo mẫu.
3. “Bản trích sao” là bản sao một phần nội dung của bản gốc cần trích sao.
4. “Sổ đăng ký đi” là sổ ghi các giấy tờ do cơ quan gửi ra ngoài.
5. “Sổ đăng ký đến” là sổ ghi các giấy tờ cơ quan nhận từ nơi khác.
6. “Phiếu hẹn” là giấy ghi ngày trả kết quả cho người nộp.
7. “Văn thư cơ quan” là bộ phận làm công tác văn thư của cơ quan.
Điều 2. Hiệu lực thi hành
Nghị định này có hiệu lực thi hành kể từ ngày ký."""


def test_definition_options_are_shaped_like_the_answer():
    drafts = draft_questions(parse_legal_text(DEFINITIONS), "2/2040/NĐ-CP", seed=3)
    assert drafts
    for draft in drafts:
        answer = _answer(draft)
        others = [choice for choice in draft.choices if choice != answer]
        opening = fold(answer).split()[0]
        # An answer opening like the others ("Bản sao …") never stands alone in its form.
        if opening in fold(draft.text).split("“", 1)[-1].split()[:1]:
            assert any(fold(choice).split()[0] == opening for choice in others), draft.choices
    # "Văn thư cơ quan" is "bộ phận làm công tác văn thư": only the answer would echo the term,
    # so neither way round is drafted.
    assert not any("“Văn thư cơ quan”" in draft.text or _answer(draft) == "Văn thư cơ quan" for draft in drafts)
