"""The format-neutral question record every importer produces, and the import error report."""
from dataclasses import dataclass, field

DIFFICULTY_BY_LABEL = {"de": "easy", "trung binh": "medium", "tb": "medium", "kho": "hard",
                       "easy": "easy", "medium": "medium", "hard": "hard"}
DIFFICULTY_LABELS = {"easy": "Dễ", "medium": "Trung bình", "hard": "Khó"}


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
    source_row: int = 0


@dataclass(frozen=True)
class ImportIssue:
    """A fault in an import file, located by row (or question number) and column."""

    row: int
    column: str
    message: str

    def __str__(self) -> str:
        where = f"Dòng {self.row}" if self.row else "Tệp"
        if self.column:
            where += f", cột {self.column}"
        return f"{where}: {self.message}"


@dataclass
class ImportFailed(Exception):
    """Raised with every fault found; an import that raises this stores nothing."""

    issues: list[ImportIssue] = field(default_factory=list)

    def __str__(self) -> str:
        return "\n".join(str(issue) for issue in self.issues)
