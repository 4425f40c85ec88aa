"""The single entry point: formats by extension, round trips for every writable format (also
property-based), hostile files (zip bombs, oversized files) and a 10,000-question workbook."""
import string
import tempfile
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from questions.formats import FORMATS, blank_template_xlsx, format_for_path, read_bank, write_bank
from questions.records import DIFFICULTY_LABELS, STATUS_LABELS, ImportFailed, QuestionRecord, cleaned
from questions.safety import check_zip
from tests.questions.samples import question_only, sample_records, without_source

WRITABLE = [name for name, fmt in FORMATS.items() if fmt.writer]


def test_formats_are_named_and_docx_is_read_only():
    assert list(FORMATS) == ["xlsx", "csv", "gift", "aiken", "moodle-xml", "json", "docx"]
    assert FORMATS["docx"].writer is None
    assert format_for_path("Ngân hàng.XLSX").name == "xlsx" and format_for_path("a.xml").name == "moodle-xml"


@pytest.mark.parametrize("name", WRITABLE)
def test_every_writable_format_round_trips(tmp_path, name):
    records = sample_records()
    if name == "aiken":
        records = question_only([r for r in records if len(r.correct) == 1])
    path = tmp_path / f"bank{FORMATS[name].extension}"
    write_bank(records, path, name)
    assert without_source(read_bank(path)) == without_source(records)


@pytest.mark.parametrize("name, suffix", [("gift", ".txt"), ("aiken", ".txt")])
def test_txt_is_read_as_gift_or_aiken_by_its_content(tmp_path, name, suffix):
    records = question_only(sample_records()[:1])
    path = tmp_path / f"moodle{suffix}"
    write_bank(records, path, name)
    assert without_source(read_bank(path)) == records


def test_unknown_extension_and_read_only_format(tmp_path):
    path = tmp_path / "bank.pdf"
    path.write_bytes(b"%PDF")
    with pytest.raises(ImportFailed, match="chưa được hỗ trợ"):
        read_bank(path)
    with pytest.raises(ValueError, match="docx"):
        write_bank(sample_records(), tmp_path / "bank.docx", "docx")


def test_template_reads_back_through_the_entry_point_as_an_example_only(tmp_path):
    blank_template_xlsx(tmp_path / "mau.xlsx")
    with pytest.raises(ImportFailed, match="dòng ví dụ"):
        read_bank(tmp_path / "mau.xlsx")


# --- Property-based round trips ----------------------------------------------------------------

VIETNAMESE = "aăâbcdđeêghiklmnoôơpqrstuưvxyáàảãạấầẩẫậắằẳẵặéèẻẽẹếềểễệíìỉĩịóòỏõọốồổỗộớờởỡợúùủũụứừửữựýỳỷỹỵ"
ALPHABET = VIETNAMESE + VIETNAMESE.upper() + string.digits + " .,;:?!-+=@#%&<>/\\\"'()[]{}~*_–“”\t"
SPECIAL = ["06", "=SUM(A1)", "  Điều 5  ", "-5", "@x", "'=x", "//x", "[html]x", "%50%x", "Căn cứ: x"]
raw_text = st.one_of(st.text(ALPHABET, min_size=1, max_size=30), st.sampled_from(SPECIAL))
spacing = st.sampled_from(["", " ", "  ", "\t"])


@st.composite
def padded(draw, value):
    """The value with stray spaces around it, which every reader trims."""
    return draw(spacing) + value + draw(spacing)


@st.composite
def records(draw):
    """A valid record: 2–6 distinct choices, at least one key, any Vietnamese text."""
    from questions.text import clean
    text = draw(raw_text.filter(lambda t: clean(t)))
    bases = draw(st.lists(raw_text.map(clean).filter(bool), min_size=2, max_size=6, unique_by=str.casefold))
    choices = [draw(padded(base)) for base in bases]
    correct = draw(st.lists(st.integers(0, len(choices) - 1), min_size=1, max_size=len(choices), unique=True))
    return QuestionRecord(
        text=draw(padded(text)), choices=choices, correct=sorted(correct),
        topic=draw(st.one_of(st.just(""), raw_text)), difficulty=draw(st.sampled_from(list(DIFFICULTY_LABELS))),
        citation=draw(st.one_of(st.just(""), raw_text, st.just("Khoản 2 Điều 8 Nghị định 63/2010/NĐ-CP"))),
        explanation=draw(st.one_of(st.just(""), raw_text)), audience=draw(st.sampled_from(["", "CBCCVC", "Người dân"])),
        status=draw(st.sampled_from([None, *STATUS_LABELS])))


@pytest.mark.parametrize("name", ["json", "xlsx", "moodle-xml", "csv", "gift"])
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(bank=st.lists(records(), min_size=1, max_size=5))
def test_any_records_round_trip(name, bank):
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / f"bank{FORMATS[name].extension}"
        write_bank(bank, path, name)
        assert without_source(read_bank(path)) == without_source([cleaned(record) for record in bank])


# --- Hostile files -------------------------------------------------------------------------------

def zip_with(path, members):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


@pytest.mark.parametrize("suffix", [".xlsx", ".docx"])
def test_zip_bomb_is_refused_before_opening(tmp_path, suffix):
    # 50 MB of zeros squeezes to about 50 KB: a ratio near 1000.
    path = zip_with(tmp_path / f"bomb{suffix}", {"[Content_Types].xml": "<Types/>",
                                                 "xl/worksheets/sheet1.xml": b"0" * (50 * 1024 * 1024)})
    with pytest.raises(ImportFailed) as failure:
        read_bank(path)
    assert "zip bomb" in str(failure.value) and "sheet1.xml" in str(failure.value)


def test_total_uncompressed_size_is_limited(tmp_path):
    members = {f"xl/part{n}.xml": bytes(range(256)) * 4096 for n in range(3)}  # 3 MB, barely compressible
    path = zip_with(tmp_path / "big.xlsx", members)
    with pytest.raises(ImportFailed, match="vượt giới hạn 2 MB"):
        check_zip(path, ".xlsx", max_uncompressed=2 * 1024 * 1024)


@pytest.mark.parametrize("name", WRITABLE)
def test_files_over_the_size_limit_are_refused(tmp_path, name):
    records = sample_records()
    if name == "aiken":
        records = question_only([r for r in records if len(r.correct) == 1])
    path = tmp_path / f"bank{FORMATS[name].extension}"
    write_bank(records, path, name)
    with pytest.raises(ImportFailed, match="vượt giới hạn"):
        read_bank(path, max_bytes=100)


def test_xlsx_with_entity_expansion_in_a_sheet_is_refused(tmp_path):
    source = tmp_path / "ok.xlsx"
    write_bank(sample_records(), source, "xlsx")
    bomb = tmp_path / "laughs.xlsx"
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(bomb, "w") as target:
        for item in original.infolist():
            data = original.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                doctype = (b'<!DOCTYPE worksheet [<!ENTITY a "aaaaaaaaaa">'
                           b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>')
                data = data.replace(b"<worksheet", doctype + b"<worksheet", 1).replace(b"<t>", b"<t>&b;", 1)
            target.writestr(item, data)
    with pytest.raises(ImportFailed, match="thực thể"):
        read_bank(bomb)


# --- Scale ---------------------------------------------------------------------------------------

def test_a_ten_thousand_question_workbook_reads(tmp_path):
    bank = [QuestionRecord(text=f"Câu hỏi {n} về thủ tục hành chính?", choices=["05", "06", f"Phương án {n}", "Khác"],
                           correct=[n % 4], topic=f"Phần {n % 7}", citation="Điều 8 Nghị định 63/2010/NĐ-CP")
            for n in range(10_000)]
    path = tmp_path / "large.xlsx"
    write_bank(bank, path, "xlsx")
    records = read_bank(path)
    assert len(records) == 10_000 and records[-1].choices[2] == "Phương án 9999"
