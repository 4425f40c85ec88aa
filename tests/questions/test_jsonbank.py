"""Our JSON bank: exact round trips, citations rebuilt from their parts, faults by question and key."""
import json

import pytest

from questions.citation import parse_citation
from questions.jsonbank import build_citation, read_json, write_json
from questions.records import ImportFailed
from tests.questions.samples import sample_records, without_source


def write(tmp_path, questions):
    path = tmp_path / "bank.json"
    path.write_text(json.dumps({"questions": questions}, ensure_ascii=False), encoding="utf-8")
    return path


def test_round_trip_is_exact(tmp_path):
    records = sample_records()
    write_json(records, tmp_path / "bank.json")
    assert without_source(read_json(tmp_path / "bank.json")) == without_source(records)


def test_export_splits_the_citation_into_document_article_and_clause(tmp_path):
    write_json(sample_records(), tmp_path / "bank.json")
    first = json.loads((tmp_path / "bank.json").read_text(encoding="utf-8"))["questions"][0]
    assert (first["citation"], first["document"], first["article"], first["clause"]) == (
        "Khoản 1 Điều 3 Nghị định 63/2010/NĐ-CP", "Nghị định 63/2010/NĐ-CP", "3", "khoản 1")
    assert first["difficulty"] == "easy" and first["status"] == "approved" and first["correct"] == [0]


def test_citation_is_rebuilt_from_parts_when_absent(tmp_path):
    path = write(tmp_path, [{"text": "Thủ tục hành chính là gì?", "choices": ["Một", "Hai"], "correct": [1],
                             "document": "Nghị định 63/2010/NĐ-CP", "article": "8", "clause": "khoản 2",
                             "difficulty": "Khó", "status": "Đã duyệt"}])
    [record] = read_json(path)
    assert record.citation == "Khoản 2 Điều 8 Nghị định 63/2010/NĐ-CP"
    parsed = parse_citation(record.citation)
    assert (parsed.document_number, parsed.article, parsed.clause) == ("63/2010/NĐ-CP", "8", "khoản 2")
    assert record.difficulty == "hard" and record.status == "approved" and record.topic == ""


@pytest.mark.parametrize("document, article, clause", [
    ("Nghị định 63/2010/NĐ-CP", "8", "khoản 2"), ("63/2010/NĐ-CP", "35a", ""),
    ("Quyết định 468/QĐ-TTg", "", ""), ("Nghị định 63/2010/NĐ-CP", "6", "điểm d khoản 1"), ("", "17", "")])
def test_built_citations_parse_back_to_their_parts(document, article, clause):
    parsed = parse_citation(build_citation(document, article, clause))
    assert parsed.document_number == parse_citation(document).document_number
    assert (parsed.article, parsed.clause) == (article, clause)


def test_every_fault_is_named_by_question_and_key(tmp_path):
    good = {"text": "Hỏi?", "choices": ["Một", "Hai"], "correct": [0]}
    path = write(tmp_path, [
        good,
        {**good, "correct": [2]},
        {**good, "choices": "Một, Hai"},
        {**good, "text": "", "difficulty": "rất khó"},
        {**good, "citation": "Điều 8 Nghị định 63/2010/NĐ-CP", "article": "9"},
        "không phải đối tượng",
    ])
    with pytest.raises(ImportFailed) as failure:
        read_json(path)
    assert [str(issue) for issue in failure.value.issues] == [
        "Câu 2, trường “correct”: đáp án chỉ tới phương án không có",
        "Câu 3, trường “choices”: phải là danh sách các phương án (chuỗi ký tự)",
        "Câu 4, trường “text”: thiếu nội dung câu hỏi",
        "Câu 4, trường “difficulty”: “rất khó” không phải easy, medium hoặc hard",
        "Câu 5, trường “citation”: không khớp với “document”/“article”/“clause”: sửa cả hai cho giống nhau",
        "Câu 6: mỗi câu hỏi phải là một đối tượng JSON {…}",
    ]


def test_broken_json_names_line_and_column(tmp_path):
    path = tmp_path / "bank.json"
    path.write_text('{"questions": [\n  {"text": "Hỏi?",}\n]}', encoding="utf-8")
    with pytest.raises(ImportFailed) as failure:
        read_json(path)
    assert "dòng 2, cột 19" in str(failure.value)
