"""Moodle XML question files: multiple choice (one or several keys) and true/false, both ways.

Parsed with defusedxml and DTDs forbidden, so entity tricks (billion laughs, external entities)
are refused before anything expands. Faults are located by question number, counting only real
questions (not the category entries). Record fields map onto Moodle as questions.moodle explains.
"""
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import defusedxml
import defusedxml.ElementTree as SafeElementTree

from questions.moodle import (TRUE_FALSE_CHOICES, category_path, feedback_lines, html_to_text,
                              is_true_false, metadata_tags, read_tags, split_feedback, text_to_html,
                              topic_from_category)
from questions.records import (QUESTION, ImportFailed, ImportIssue, QuestionRecord, choice_faults,
                               cleaned)
from questions.safety import MAX_FILE_BYTES, read_bytes, refuse
from questions.text import clean

SUPPORTED_TYPES = ("multichoice", "truefalse")
# Question types that are not questions at all, skipped without complaint.
SKIPPED_TYPES = ("category", "description")
_NAME_LENGTH = 80


def _text_of(element, is_answer: bool = False) -> str:
    """Plain text of a Moodle text element (questiontext, answer, feedback…), HTML decoded."""
    if element is None:
        return ""
    raw = element.findtext("text") or ""
    text_format = element.get("format", "moodle_auto_format" if not is_answer else "plain_text")
    return html_to_text(raw) if text_format == "html" else raw


def _fraction(answer) -> float | None:
    try:
        return float(answer.get("fraction", "0"))
    except ValueError:
        return None


def _question_record(question, number: int, topic: str, issues: list[ImportIssue]) -> QuestionRecord | None:
    """One <question> as a record, or None with its faults added to issues."""
    def fault(message: str, part: str = "") -> None:
        issues.append(ImportIssue(number, part, message, unit=QUESTION))

    before = len(issues)
    kind = question.get("type", "")
    text = clean(_text_of(question.find("questiontext")))
    answers = question.findall("answer")
    fractions = [_fraction(answer) for answer in answers]
    if None in fractions:
        fault("có phương án mang “fraction” không phải số", "đáp án")
        return None
    if kind == "truefalse":
        keys = [clean(_text_of(answer, True)).lower() for answer in answers]
        right = [key for key, fraction in zip(keys, fractions) if fraction > 0]
        if sorted(keys) != ["false", "true"] or len(right) != 1:
            fault("câu đúng/sai cần hai phương án “true”, “false” và đúng một đáp án", "đáp án")
            return None
        choices, correct = list(TRUE_FALSE_CHOICES), [0 if right[0] == "true" else 1]
    else:
        choices = [clean(_text_of(answer, True)) for answer in answers]
        correct = [index for index, fraction in enumerate(fractions) if fraction > 0]
    for part, message in choice_faults(text, choices, correct):
        fault(message, {"text": "", "choices": "phương án", "correct": "đáp án"}[part])
    citation, explanation = split_feedback(_text_of(question.find("generalfeedback")))
    tags = [tag.findtext("text") or "" for tag in question.findall("tags/tag")]
    values, tag_faults = read_tags(tags)
    for message in tag_faults:
        fault(message, "thẻ")
    if len(issues) > before:
        return None
    return QuestionRecord(text=text, choices=choices, correct=correct, topic=topic,
                          difficulty=values["difficulty"], citation=citation, explanation=explanation,
                          audience=values["audience"], status=values["status"], source_row=number)


def parse_moodle_xml(data: bytes) -> list[QuestionRecord]:
    """Records from Moodle XML bytes, or ImportFailed naming every faulty question."""
    try:
        root = SafeElementTree.fromstring(data, forbid_dtd=True)
    except defusedxml.DefusedXmlException:
        raise refuse("tệp XML có khai báo DTD hoặc thực thể (entity): bị từ chối để bảo đảm an toàn")
    except ElementTree.ParseError as exc:
        line, column = exc.position
        raise refuse(f"tệp XML không hợp lệ ở dòng {line}, cột {column + 1}")
    if root.tag != "quiz":
        raise refuse(f"tệp XML không phải câu hỏi Moodle: cần thẻ gốc <quiz>, tệp có <{root.tag}>")
    issues: list[ImportIssue] = []
    records: list[QuestionRecord] = []
    topic, number = "", 0
    for question in root.findall("question"):
        kind = question.get("type", "")
        if kind == "category":
            topic = topic_from_category(question.findtext("category/text") or "")
            continue
        if kind in SKIPPED_TYPES:
            continue
        number += 1
        if kind not in SUPPORTED_TYPES:
            issues.append(ImportIssue(number, "", f"loại câu hỏi “{kind}” không được hỗ trợ, "
                                                  "chỉ nhận trắc nghiệm (multichoice) hoặc đúng/sai (truefalse)",
                                      unit=QUESTION))
            continue
        record = _question_record(question, number, topic, issues)
        if record:
            records.append(record)
    if issues:
        raise ImportFailed(issues)
    if not records:
        raise refuse("tệp XML không có câu hỏi nào")
    return records


def read_moodle_xml(path: str | Path, max_bytes: int = MAX_FILE_BYTES) -> list[QuestionRecord]:
    """Read a Moodle XML file."""
    return parse_moodle_xml(read_bytes(path, max_bytes))


def _text_element(parent, tag: str, html_text: str, **attributes) -> ElementTree.Element:
    element = ElementTree.SubElement(parent, tag, {"format": "html", **attributes})
    ElementTree.SubElement(element, "text").text = html_text
    return element


def _plain(parent, tag: str, value: str) -> None:
    ElementTree.SubElement(parent, tag).text = value


def _weight(count: int) -> str:
    return f"{100 / count:.5f}".rstrip("0").rstrip(".")


def _question_element(quiz, record: QuestionRecord) -> None:
    true_false = is_true_false(record.choices, record.correct)
    question = ElementTree.SubElement(quiz, "question", {"type": "truefalse" if true_false else "multichoice"})
    name = ElementTree.SubElement(question, "name")
    ElementTree.SubElement(name, "text").text = record.text[:_NAME_LENGTH]
    _text_element(question, "questiontext", text_to_html(record.text))
    feedback = feedback_lines(record.citation, record.explanation)
    _text_element(question, "generalfeedback", "".join(text_to_html(line) for line in feedback))
    _plain(question, "defaultgrade", "1")
    _plain(question, "penalty", "1" if true_false else "0.3333333")
    _plain(question, "hidden", "0")
    if true_false:
        for index, key in enumerate(("true", "false")):
            answer = ElementTree.SubElement(question, "answer",
                                            {"fraction": "100" if index in record.correct else "0",
                                             "format": "moodle_auto_format"})
            _plain(answer, "text", key)
    else:
        several = len(record.correct) > 1
        _plain(question, "single", "false" if several else "true")
        _plain(question, "shuffleanswers", "true")
        _plain(question, "answernumbering", "ABCD")
        for index, choice in enumerate(record.choices):
            if index in record.correct:
                fraction = _weight(len(record.correct)) if several else "100"
            else:
                fraction = "-100" if several else "0"
            _text_element(question, "answer", text_to_html(choice), fraction=fraction)
    tags = ElementTree.SubElement(question, "tags")
    for tag in metadata_tags(record.difficulty, record.audience, record.status):
        ElementTree.SubElement(ElementTree.SubElement(tags, "tag"), "text").text = tag


def format_moodle_xml(records: list[QuestionRecord]) -> bytes:
    """Moodle XML (UTF-8) for records, with a category entry wherever the topic changes."""
    quiz = ElementTree.Element("quiz")
    topic = None
    for record in map(cleaned, records):
        if record.topic != topic:
            category = ElementTree.SubElement(quiz, "question", {"type": "category"})
            ElementTree.SubElement(ElementTree.SubElement(category, "category"), "text").text = \
                category_path(record.topic)
            topic = record.topic
        _question_element(quiz, record)
    ElementTree.indent(quiz)
    return ElementTree.tostring(quiz, encoding="utf-8", xml_declaration=True) + b"\n"


def write_moodle_xml(records: list[QuestionRecord], path: str | Path) -> None:
    """Export records to a Moodle XML file."""
    Path(path).write_bytes(format_moodle_xml(records))
