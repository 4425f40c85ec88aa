"""Adversarial upload files, built small on disk, that once held a worker or its memory, and the way to
parse one in a fresh process measuring its CPU time and peak memory (shared by the fuzz tests and
bench/hostile_uploads.py).

Each builder takes a size `n` and writes the file into a folder; `HOSTILE` lists them with the size
that reproduces the attack as reported (40,000 spaces in a .docx option line, 160,000 unmatched “ in a
legal text, 3,000 rows under a declared A1:XFD1048576 …).
"""
import json
import re
import subprocess
import sys
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HEADER = ["STT", "Chủ đề", "Câu hỏi", "Phương án A", "Phương án B", "Phương án C", "Phương án D", "Đáp án",
          "Căn cứ"]


def _docx(path: Path, lines: list[str]) -> Path:
    from docx import Document

    document = Document()
    for line in lines:
        document.add_paragraph(line)
    document.save(path)
    return path


def docx_option_spaces(folder: Path, n: int) -> Path:
    """An option line with a long run of spaces and no next option (backtracking in the option split)."""
    return _docx(folder / "spaces.docx", ["Câu 1. Hỏi gì?", "A. một" + " " * n + "x", "B. hai", "Đáp án: A"])


def docx_option_tabs_and_spaces(folder: Path, n: int) -> Path:
    """Many short gaps that each look like the start of a next option."""
    return _docx(folder / "gaps.docx", ["Câu 1. Hỏi gì?", "A. một" + "  \t B " * (n // 5), "B. hai", "Đáp án: A"])


def docx_answer_pairs(folder: Path, n: int) -> Path:
    """An answer key whose number is followed by a long run of spaces and no letter."""
    return _docx(folder / "pairs.docx", ["Câu 1. Hỏi gì?", "A. một", "B. hai", "ĐÁP ÁN", "1" + " " * n + "x"])


def docx_many_questions(folder: Path, n: int) -> Path:
    """Many small questions: work must grow with the count, not its square."""
    lines = []
    for number in range(1, n // 20 + 2):
        lines += [f"Câu {number}. Hỏi {number}?", "A. một  B. hai  C. ba  D. bốn", "Đáp án: A"]
    return _docx(folder / "many.docx", lines)


def _xlsx(path: Path, rows: int, far_cell: bool = False) -> Path:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER)
    for number in range(1, rows + 1):
        sheet.append([number, "Chủ đề", f"Câu hỏi {number}?", "A", "B", "C", "D", "A", "Điều 3 Nghị định 63/2010/NĐ-CP"])
        if far_cell:
            sheet.cell(number + 1, 16384).number_format = "0.00"  # a stored, empty cell in column XFD
    workbook.save(path)
    return path


def _declare_dimension(path: Path, ref: str) -> Path:
    """Rewrite the sheet's <dimension ref> to `ref` (the file then claims to span it)."""
    patched = path.with_name("patched-" + path.name)
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(patched, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = re.sub(rb'<dimension ref="[^"]*"/>', f'<dimension ref="{ref}"/>'.encode(), data)
            target.writestr(item, data)
    patched.replace(path)
    return path


def xlsx_declared_dimension(folder: Path, n: int) -> Path:
    """Rows of a normal bank under a sheet that declares itself A1:XFD1048576."""
    return _declare_dimension(_xlsx(folder / "dimension.xlsx", n), "A1:XFD1048576")


def xlsx_far_cells(folder: Path, n: int) -> Path:
    """Every row with an empty but stored cell in the last column (XFD)."""
    return _xlsx(folder / "far.xlsx", n, far_cell=True)


def csv_quotes(folder: Path, n: int) -> Path:
    """A header, then a field that opens a quotation and never closes it, full of doubled quotes."""
    path = folder / "quotes.csv"
    path.write_text(",".join(HEADER) + "\n1,x,\"" + '""' * n + "\n", encoding="utf-8")
    return path


def csv_empty_cells(folder: Path, n: int) -> Path:
    """Rows of many empty cells."""
    path = folder / "empty.csv"
    path.write_text(",".join(HEADER) + "\n" + ("," * 500 + "\n") * (n // 500 + 1), encoding="utf-8")
    return path


def gift_unclosed_braces(folder: Path, n: int) -> Path:
    """A GIFT question whose answer block never closes, full of choice marks and spaces."""
    path = folder / "braces.gift"
    path.write_text("::T:: Hỏi {" + "~a  =b \\{ " * (n // 10) + "\n", encoding="utf-8")
    return path


def gift_nested_braces(folder: Path, n: int) -> Path:
    """Opening braces all the way down."""
    path = folder / "nested.gift"
    path.write_text("Hỏi " + "{" * n + "\n", encoding="utf-8")
    return path


def aiken_many_options(folder: Path, n: int) -> Path:
    """One question with an option line repeated and spaces everywhere."""
    path = folder / "options.aiken"
    path.write_text("Hỏi?\n" + ("A." + " " * 20 + "x\n") * (n // 24) + "ANSWER: A\n", encoding="utf-8")
    return path


def json_deep_nesting(folder: Path, n: int) -> Path:
    """Arrays nested n deep."""
    path = folder / "deep.json"
    path.write_text("[" * n + "]" * n, encoding="utf-8")
    return path


def xml_deep_nesting(folder: Path, n: int) -> Path:
    """Elements nested n deep."""
    path = folder / "deep.xml"
    path.write_text("<quiz>" + "<a>" * n + "</a>" * n + "</quiz>", encoding="utf-8")
    return path


def legal_unmatched_quotes(folder: Path, n: int) -> Path:
    """A legal text with a line of unmatched opening quotation marks."""
    path = folder / "quotes-legal.txt"
    path.write_text("NGHỊ ĐỊNH\nĐiều 1. Phạm vi\n" + "“" * n + "\n", encoding="utf-8")
    return path


# (name, builder, size that reproduces the reported attack or a larger one, reader: "bank" or "legal")
HOSTILE: list[tuple[str, Callable[[Path, int], Path], int, str]] = [
    ("docx: 40,000 spaces in an option line", docx_option_spaces, 40_000, "bank"),
    ("docx: gaps that look like options", docx_option_tabs_and_spaces, 40_000, "bank"),
    ("docx: answer key number then spaces", docx_answer_pairs, 40_000, "bank"),
    ("docx: many questions", docx_many_questions, 40_000, "bank"),
    ("xlsx: 3,000 rows under A1:XFD1048576", xlsx_declared_dimension, 3_000, "bank"),
    ("xlsx: 3,000 rows with a stored cell in XFD", xlsx_far_cells, 3_000, "bank"),
    ("csv: an unclosed quoted field", csv_quotes, 400_000, "bank"),
    ("csv: many empty cells", csv_empty_cells, 400_000, "bank"),
    ("gift: an answer block never closed", gift_unclosed_braces, 400_000, "bank"),
    ("gift: nested opening braces", gift_nested_braces, 400_000, "bank"),
    ("aiken: one question, many options", aiken_many_options, 400_000, "bank"),
    ("json: nested 100,000 deep", json_deep_nesting, 100_000, "bank"),
    ("xml: nested 100,000 deep", xml_deep_nesting, 100_000, "bank"),
    ("legal .txt: 160,000 unmatched “", legal_unmatched_quotes, 160_000, "legal"),
]

_CHILD = """
import json, sys, time
from questions.records import ImportFailed

def high_water_mib():
    # VmHWM: this process's peak resident memory (ru_maxrss would carry the parent's over exec).
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024

path, reader = sys.argv[1], sys.argv[2]
started = time.process_time()
before = high_water_mib()
outcome = "read"
try:
    if reader == "legal":
        from questions.legal import parse_legal_text
        from questions.legal_readers import read_legal_file
        parse_legal_text(read_legal_file(path))
    else:
        from questions.formats import read_bank
        outcome = f"read {len(read_bank(path))} questions"
except ImportFailed as failure:
    outcome = "refused: " + str(failure)[:160]
print(json.dumps({"cpu_seconds": time.process_time() - started, "outcome": outcome,
                  "peak_mib": high_water_mib(), "before_mib": before}))
"""


def parse_in_child(path: Path, reader: str, timeout: float = 120) -> dict:
    """Parse `path` in a fresh Python process: {"cpu_seconds", "peak_mib", "before_mib", "outcome"}.

    A crash (an uncaught exception, RecursionError) fails with the child's error output."""
    started = time.monotonic()
    result = subprocess.run([sys.executable, "-c", _CHILD, str(path), reader], cwd=ROOT, capture_output=True,
                            text=True, timeout=timeout)
    if result.returncode != 0:
        raise AssertionError(f"parsing {path.name} crashed:\n{result.stderr[-2000:]}")
    measured = json.loads(result.stdout.strip().splitlines()[-1])
    measured["wall_seconds"] = time.monotonic() - started
    return measured


if __name__ == "__main__":  # a quick look: python bench/hostile_files.py
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        for name, build, size, reader in HOSTILE:
            print(name, parse_in_child(build(Path(folder), size), reader), flush=True)
