"""The legal parser on hostile uploads: its work grows in step with the input, never faster.

Each hostile text is parsed at two sizes, n and 10 n, and the CPU time of the larger parse is
compared with the smaller one's: linear work gives a ratio near 10, quadratic work near 100. The
measure is relative to a baseline taken in the same test, so a busy machine slows both alike;
no wall-clock threshold."""
import gc
import time

import pytest

from questions.legal import parse_legal_text, without_quotations

HEAD = "NGHỊ ĐỊNH\nCăn cứ Luật Tổ chức Chính phủ;\nĐiều 1. Phạm vi điều chỉnh\n"
# Linear work scales by 10; allow a wide margin for caches and the allocator, far below 100.
MAX_GROWTH = 30


def _hostile(kind: str, n: int) -> str:
    """A hostile text of about n lines (or n characters for single-line cases)."""
    return {
        # 160,000 unmatched “ held a worker for 30 s before the quoted-span search was linear.
        "curly marks on one line": HEAD + "“" * (n * 20),
        "an unclosed curly mark on every line": HEAD + "\n".join(["a “ b"] * n),
        "unpaired straight marks on every line": HEAD + "\n".join(['a " b " c "'] * n),
        "alternating marks never closed": HEAD + '“"' * (n * 10),
        "nested quotations": HEAD + "\n".join(["“Điều 9. a “ b"] * n + ["” c”"] * n),
        "long runs of spaces": HEAD + "x" + " " * (n * 50) + "y\n1." + " " * (n * 50) + "z\na)" + "\t" * (n * 50),
        "one paragraph wrapped over every line": HEAD + "\n".join(["tiếp tục của đoạn"] * n),
        "text under a chapter heading": "Chương I\n" + "\n".join(["ghi chú của chương"] * n),
        "a title that never ends": "NGHỊ ĐỊNH\nĐiều 1.\n" + "\n".join(["tiêu đề tiếp"] * n),
        "a preamble that never ends": "NGHỊ ĐỊNH\nCăn cứ\n" + "\n".join(["căn cứ tiếp"] * n),
        "an annex that never ends": HEAD + "./.\nPHỤ LỤC I\nMẪU\n" + "\n".join(["dòng của phụ lục"] * n),
        "deeply nested divisions": "\n".join(
            f"Phần {i}\nChương {i}\nMục 1\nĐiều {i}. T\n1. k\na) p\nb) q\n2. k" for i in range(1, n // 8 + 2)),
        "article numbers that never go up": HEAD + "\n".join(["Điều 1. Lại"] * n),
    }[kind]


def _cpu_seconds(text: str) -> float:
    """CPU time of one parse of text, the collector paused (its passes would measure the heap, not the parser)."""
    gc.collect()
    gc.disable()
    try:
        started = time.process_time()
        parse_legal_text(text)
        return time.process_time() - started
    finally:
        gc.enable()


def _growth(small: str, large: str) -> float:
    """How many times longer the large text takes: the least of five parses of each, taken in turns so
    that both sizes meet the same moments of a busy machine (measured apart, a burst of load landing on
    the large text's parses alone read as 34× for linear work)."""
    small_best = large_best = float("inf")
    for _ in range(5):
        small_best = min(small_best, _cpu_seconds(small))
        large_best = min(large_best, _cpu_seconds(large))
    return large_best / max(small_best, 1e-3)


@pytest.mark.parametrize("kind", [
    "curly marks on one line", "an unclosed curly mark on every line",
    "unpaired straight marks on every line", "alternating marks never closed", "nested quotations",
    "long runs of spaces", "one paragraph wrapped over every line", "text under a chapter heading",
    "a title that never ends", "a preamble that never ends", "an annex that never ends",
    "deeply nested divisions", "article numbers that never go up"])
def test_parse_time_grows_linearly_on_hostile_text(kind):
    growth = _growth(_hostile(kind, 1_500), _hostile(kind, 15_000))
    assert growth < MAX_GROWTH, f"{kind}: 10× the input took {growth:.0f}× the time"


def test_hostile_text_still_parses_to_its_articles():
    legal = parse_legal_text(HEAD + "“" * 160_000 + "\nĐiều 2. Hiệu lực\nCó hiệu lực từ ngày ký.")
    assert [article.number for article in legal.articles] == ["1", "2"]
    assert legal.meta.is_effective_on_signing


@pytest.mark.parametrize("text, expected", [
    ("a “b” c", "a   c"),
    ('a "b" c', "a   c"),
    ("a “b c", "a “b c"),
    ("a “b” “c", "a   “c"),
    ('“x" "y” z', "  z"),
    ('a “b " c” "d', "a   \"d"),
    ('a " “b” c', 'a "   c'),
])
def test_quotations_are_cut_out_as_spans(text, expected):
    assert without_quotations(text) == expected
