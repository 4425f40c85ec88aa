"""Our own JSON bank format, for exact round trips between contest installations.

    {"format": "contest-questions", "version": 1,
     "questions": [{"text", "choices", "correct" (0-based indices), "topic",
                    "difficulty" (easy/medium/hard), "citation", "document", "article", "clause",
                    "explanation", "audience", "status" (draft/approved/retired or null)}]}

A record holds its legal basis as free text ("Khoản 2 Điều 8 Nghị định 63/2010/NĐ-CP"). Export
writes that text unchanged as "citation", and also its parts read by parse_citation: "document"
("Nghị định 63/2010/NĐ-CP"), "article" ("8") and "clause" ("khoản 2"), for people and tools that
want them. On import "citation" wins, so round trips are exact; a file without "citation" (written
by hand or by another tool) gets one rebuilt from the parts, smallest part first as Vietnamese
writes it ("Khoản 2 Điều 8 Nghị định 63/2010/NĐ-CP"), which parses back to the same parts. When
both are given they must agree, so an edit to one and not the other is caught rather than lost.
Unknown keys are ignored; difficulty and status also accept their Vietnamese labels.
"""
import json
from pathlib import Path

from questions.citation import parse_citation
from questions.records import (QUESTION, ImportFailed, ImportIssue, QuestionRecord, choice_faults,
                               cleaned, parse_difficulty, parse_status)
from questions.safety import MAX_FILE_BYTES, read_text, refuse
from questions.text import clean

FORMAT_NAME = "contest-questions"
VERSION = 1
_TEXT_FIELDS = ("text", "topic", "citation", "document", "article", "clause", "explanation",
                "audience", "difficulty", "status")


def _field(name: str) -> str:
    return f"trường “{name}”"


def citation_parts(citation: str) -> dict[str, str]:
    """The document (kind and number), article and clause a citation names, for export."""
    parsed = parse_citation(citation)
    document = f"{parsed.kind} {parsed.document_number}".strip() if parsed.document_number else ""
    return {"document": document, "article": parsed.article, "clause": parsed.clause}


def build_citation(document: str, article: str, clause: str) -> str:
    """Citation text from its parts, smallest first: "Khoản 2 Điều 8 Nghị định 63/2010/NĐ-CP"."""
    parts = []
    if clause:
        parts.append(clause[:1].upper() + clause[1:])
    if article:
        parts.append(article if article.lower().startswith("điều") else f"Điều {article}")
    if document:
        parts.append(document)
    return " ".join(parts)


def _same_parts(citation: str, document: str, article: str, clause: str) -> bool:
    parsed = parse_citation(citation)
    given = parse_citation(build_citation(document, article, clause))
    return ((not document or parsed.document_number == given.document_number)
            and (not article or parsed.article == given.article)
            and (not clause or parsed.clause == given.clause))


def _entry_record(number: int, entry, issues: list[ImportIssue]) -> QuestionRecord | None:
    """One JSON entry as a record; faults go to issues, located by question number and key."""
    def fault(name: str, message: str) -> None:
        issues.append(ImportIssue(number, _field(name) if name else "", message, unit=QUESTION))

    if not isinstance(entry, dict):
        fault("", "mỗi câu hỏi phải là một đối tượng JSON {…}")
        return None
    before = len(issues)
    values = {}
    for name in _TEXT_FIELDS:
        value = entry.get(name)
        if value is not None and not isinstance(value, str):
            fault(name, "phải là chuỗi ký tự")
            value = None
        values[name] = clean(value)
    malformed = set()
    choices = entry.get("choices")
    if not isinstance(choices, list) or not all(isinstance(choice, str) for choice in choices):
        fault("choices", "phải là danh sách các phương án (chuỗi ký tự)")
        malformed.add("choices")
        choices = []
    choices = [clean(choice) for choice in choices]
    correct = entry.get("correct")
    if not isinstance(correct, list) or not all(type(index) is int for index in correct):
        fault("correct", "phải là danh sách số thứ tự phương án đúng, đếm từ 0 (ví dụ [1])")
        malformed.add("correct")
        correct = []
    elif len(set(correct)) != len(correct):
        fault("correct", "có số thứ tự lặp lại")
    correct = sorted(set(correct))
    for part, message in choice_faults(values["text"], choices, correct):
        if part not in malformed and not (part == "correct" and "choices" in malformed):
            fault(part, message)
    difficulty = parse_difficulty(values["difficulty"])
    if difficulty is None:
        fault("difficulty", f"“{values['difficulty']}” không phải easy, medium hoặc hard")
    status = parse_status(values["status"])
    if status is None:
        fault("status", f"“{values['status']}” không phải draft, approved hoặc retired")
    citation = values["citation"]
    document, article, clause = values["document"], values["article"], values["clause"]
    if not citation:
        citation = build_citation(document, article, clause)
    elif not _same_parts(citation, document, article, clause):
        fault("citation", "không khớp với “document”/“article”/“clause”: sửa cả hai cho giống nhau")
    if len(issues) > before:
        return None
    return QuestionRecord(
        text=values["text"], choices=choices, correct=correct, topic=values["topic"],
        difficulty=difficulty, citation=citation, explanation=values["explanation"],
        audience=values["audience"], status=status or None, source_row=number)


def read_json(path: str | Path, max_bytes: int = MAX_FILE_BYTES) -> list[QuestionRecord]:
    """Read a JSON bank, or raise ImportFailed naming every faulty question and key."""
    text = read_text(path, ".json", max_bytes)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise refuse(f"tệp JSON không hợp lệ ở dòng {exc.lineno}, cột {exc.colno}")
    except RecursionError:
        raise refuse("tệp JSON lồng nhau quá sâu")
    entries = data.get("questions") if isinstance(data, dict) else None
    if not isinstance(entries, list):
        raise refuse("tệp JSON phải có dạng {\"questions\": [ … ]}")
    issues: list[ImportIssue] = []
    records = [_entry_record(number, entry, issues) for number, entry in enumerate(entries, start=1)]
    if issues:
        raise ImportFailed(issues)
    if not records:
        raise refuse("tệp không có câu hỏi nào")
    return records


def record_entry(record: QuestionRecord) -> dict:
    """A record as a JSON entry: the citation text and its parts."""
    record = cleaned(record)
    return {
        "text": record.text, "choices": list(record.choices), "correct": sorted(record.correct),
        "topic": record.topic, "difficulty": record.difficulty, "citation": record.citation,
        **citation_parts(record.citation),
        "explanation": record.explanation, "audience": record.audience, "status": record.status,
    }


def write_json(records: list[QuestionRecord], path: str | Path) -> None:
    """Export records to our JSON format, UTF-8, readable by people (indented, no escapes)."""
    document = {"format": FORMAT_NAME, "version": VERSION,
                "questions": [record_entry(record) for record in records]}
    Path(path).write_text(json.dumps(document, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
