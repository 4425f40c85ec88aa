"""One entry point for question-bank files: which formats exist, and reading or writing any of them.

Extensions: .xlsx (Excel), .csv, .gift (GIFT), .aiken (Aiken), .txt (Moodle's text formats: Aiken
when it has "ANSWER: X" lines, else GIFT), .xml (Moodle XML), .json (ours), .docx (Word, read only).
"""
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from questions.aiken import looks_like_aiken, parse_aiken, read_aiken, write_aiken
from questions.gift import parse_gift, read_gift, write_gift
from questions.jsonbank import read_json, write_json
from questions.lazy import deferred
from questions.records import QuestionRecord
from questions.safety import MAX_FILE_BYTES, read_text, refuse

__all__ = ["FORMATS", "BankFormat", "blank_template_xlsx", "format_for_path", "read_bank", "write_bank"]

Reader = Callable[..., list[QuestionRecord]]
Writer = Callable[[list[QuestionRecord], Path], None]

# The spreadsheet, Word and Moodle XML modules pull in openpyxl, python-docx (lxml) and an XML
# parser: they load when a file of theirs is first read or written, not in every web worker
# (see questions.lazy). The plain-text formats above are light and imported normally.
read_xlsx = deferred("questions.spreadsheet:read_xlsx")
write_xlsx = deferred("questions.spreadsheet:write_xlsx")
read_csv = deferred("questions.spreadsheet:read_csv")
write_csv = deferred("questions.spreadsheet:write_csv")
blank_template_xlsx = deferred("questions.spreadsheet:blank_template_xlsx")
read_moodle_xml = deferred("questions.moodlexml:read_moodle_xml")
write_moodle_xml = deferred("questions.moodlexml:write_moodle_xml")
read_docx = deferred("questions.wordfile:read_docx")


@dataclass(frozen=True)
class BankFormat:
    """A question-bank file format: its name, label for people, file extensions and functions."""

    name: str
    label: str
    extensions: tuple[str, ...]
    media_type: str
    reader: Reader
    writer: Writer | None = None

    @property
    def extension(self) -> str:
        """The extension exports of this format get."""
        return self.extensions[0]


def read_moodle_text(path: str | Path, max_bytes: int = MAX_FILE_BYTES) -> list[QuestionRecord]:
    """Read a .txt from Moodle: Aiken when it has "ANSWER: X" lines, GIFT otherwise."""
    text = read_text(path, ".txt", max_bytes)
    return parse_aiken(text) if looks_like_aiken(text) else parse_gift(text)


FORMATS: dict[str, BankFormat] = {fmt.name: fmt for fmt in (
    BankFormat("xlsx", "Excel (.xlsx)", (".xlsx",),
               "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", read_xlsx, write_xlsx),
    BankFormat("csv", "CSV (UTF-8)", (".csv",), "text/csv; charset=utf-8", read_csv, write_csv),
    BankFormat("gift", "Moodle GIFT", (".gift",), "text/plain; charset=utf-8", read_gift, write_gift),
    BankFormat("aiken", "Moodle Aiken", (".aiken",), "text/plain; charset=utf-8", read_aiken, write_aiken),
    BankFormat("moodle-xml", "Moodle XML", (".xml",), "application/xml", read_moodle_xml, write_moodle_xml),
    BankFormat("json", "JSON", (".json",), "application/json", read_json, write_json),
    BankFormat("docx", "Word (.docx), chỉ nhập", (".docx",),
               "application/vnd.openxmlformats-officedocument.wordprocessingml.document", read_docx),
)}

# .txt is what Moodle and most editors save GIFT and Aiken as; the content tells them apart.
_READERS: dict[str, Reader] = {ext: fmt.reader for fmt in FORMATS.values() for ext in fmt.extensions}
_READERS[".txt"] = read_moodle_text


def format_for_path(path: str | Path) -> BankFormat | None:
    """The format a file name's extension names (.txt gives None: its content decides)."""
    suffix = Path(path).suffix.lower()
    return next((fmt for fmt in FORMATS.values() if suffix in fmt.extensions), None)


def read_bank(path: str | Path, max_bytes: int = MAX_FILE_BYTES) -> list[QuestionRecord]:
    """Read a bank file of any supported format, chosen by extension; ImportFailed lists every fault."""
    suffix = Path(path).suffix.lower()
    reader = _READERS.get(suffix)
    if reader is None:
        raise refuse(f"định dạng {suffix or '(không có đuôi)'} chưa được hỗ trợ; dùng: "
                     f"{', '.join(sorted(_READERS))}")
    return reader(path, max_bytes=max_bytes)


def write_bank(records: list[QuestionRecord], path: str | Path, format_name: str) -> None:
    """Write records in the named format; ValueError for an unknown or read-only format."""
    fmt = FORMATS.get(format_name)
    if fmt is None or fmt.writer is None:
        writable = ", ".join(name for name, f in FORMATS.items() if f.writer)
        raise ValueError(f"không xuất được định dạng “{format_name}”; dùng: {writable}")
    fmt.writer(records, Path(path))
