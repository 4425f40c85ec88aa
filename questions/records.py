"""The format-neutral question record every importer produces, and the import error report."""
from dataclasses import dataclass, field, replace

from questions.text import clean, fold

MAX_OPTIONS = 6
OPTION_LETTERS = "ABCDEF"

DIFFICULTY_BY_LABEL = {"de": "easy", "trung binh": "medium", "tb": "medium", "kho": "hard",
                       "easy": "easy", "medium": "medium", "hard": "hard"}
DIFFICULTY_LABELS = {"easy": "Dễ", "medium": "Trung bình", "hard": "Khó"}
STATUS_BY_LABEL = {"nhap": "draft", "da duyet": "approved", "ngung dung": "retired",
                   "draft": "draft", "approved": "approved", "retired": "retired"}
STATUS_LABELS = {"draft": "Nháp", "approved": "Đã duyệt", "retired": "Ngừng dùng"}

# How an issue is located: spreadsheets and text files by line, Word files by question number.
ROW = "Dòng"
QUESTION = "Câu"


@dataclass
class QuestionRecord:
    """One question read from a file, already cleaned to NFC."""

    text: str
    choices: list[str]
    correct: list[int]
    topic: str = ""
    difficulty: str = "medium"
    citation: str = ""
    explanation: str = ""
    audience: str = ""
    # None: the importer's default status applies.
    status: str | None = None
    # Where the question was found: a row or line, or the question number for Word files.
    source_row: int = 0


@dataclass(frozen=True)
class ImportIssue:
    """A fault in an import file, located by row (or question number) and column (or part)."""

    row: int
    column: str
    message: str
    unit: str = ROW

    def __str__(self) -> str:
        where = f"{self.unit} {self.row}" if self.row else "Tệp"
        if self.column:
            # Spreadsheet columns read "cột H (Đáp án)"; other parts are named as they are.
            where += f", cột {self.column}" if self.unit == ROW else f", {self.column}"
        return f"{where}: {self.message}"


@dataclass
class ImportFailed(Exception):
    """Raised with every fault found; an import that raises this stores nothing."""

    issues: list[ImportIssue] = field(default_factory=list)

    def __str__(self) -> str:
        return "\n".join(str(issue) for issue in self.issues)


def cleaned(record: QuestionRecord) -> QuestionRecord:
    """A copy with every text NFC, trimmed and single-spaced, as readers produce; writers start here."""
    return replace(record, text=clean(record.text), choices=[clean(choice) for choice in record.choices],
                   correct=sorted(set(record.correct)), topic=clean(record.topic),
                   citation=clean(record.citation), explanation=clean(record.explanation),
                   audience=clean(record.audience))


def letters(indices: list[int]) -> str:
    """Option indices as letters: [0, 2] -> "A,C"."""
    return ",".join(OPTION_LETTERS[index] if index < MAX_OPTIONS else str(index + 1)
                    for index in indices)


def parse_difficulty(label: str) -> str | None:
    """"Dễ"/"Trung bình"/"Khó" (or easy/medium/hard) as a difficulty; "medium" when blank."""
    if not label:
        return "medium"
    return DIFFICULTY_BY_LABEL.get(fold(label))


def parse_status(label: str) -> str | None:
    """"Nháp"/"Đã duyệt"/"Ngừng dùng" (or draft/approved/retired) as a status; "" when blank."""
    if not label:
        return ""
    return STATUS_BY_LABEL.get(fold(label))


def choice_faults(text: str, choices: list[str], correct: list[int]) -> list[tuple[str, str]]:
    """What is wrong with a question, as (part, Vietnamese message); part is text, choices or correct."""
    faults = []
    if not text:
        faults.append(("text", "thiếu nội dung câu hỏi"))
    if any(not choice for choice in choices):
        faults.append(("choices", "có phương án trống"))
    if len(choices) < 2:
        faults.append(("choices", "cần ít nhất hai phương án"))
    elif len(choices) > MAX_OPTIONS:
        faults.append(("choices", f"có {len(choices)} phương án, nhiều nhất là {MAX_OPTIONS} (A–F)"))
    folded = [choice.casefold() for choice in choices if choice]
    if len(set(folded)) != len(folded):
        faults.append(("choices", "có hai phương án trùng nhau"))
    if not correct:
        faults.append(("correct", "chưa có đáp án đúng"))
    elif any(not 0 <= index < len(choices) for index in correct):
        faults.append(("correct", "đáp án chỉ tới phương án không có"))
    return faults
