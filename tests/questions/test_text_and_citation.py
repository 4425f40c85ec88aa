"""Vietnamese normalisation and citation parsing (pure Python)."""
import unicodedata

import pytest

from questions.citation import parse_citation
from questions.text import clean, fingerprint, fold


def test_clean_stores_nfc_and_trims_spacing():
    decomposed = unicodedata.normalize("NFD", "  Kiểm   soát  thủ tục ")
    assert decomposed != unicodedata.normalize("NFC", decomposed)
    assert clean(decomposed) == "Kiểm soát thủ tục"
    assert unicodedata.is_normalized("NFC", clean(decomposed))


def test_fold_ignores_diacritics_and_case():
    assert fold("Kiểm Soát Thủ Tục Hành Chính") == "kiem soat thu tuc hanh chinh"
    assert fold("Đơn vị") == "don vi"


def test_fingerprint_is_blind_to_case_spacing_and_normal_form():
    base = fingerprint("Thủ tục hành chính là gì?", ["Một", "Hai"])
    assert fingerprint(unicodedata.normalize("NFD", " thủ  tục hành chính là GÌ? "), ["một", "HAI "]) == base
    assert fingerprint("Thủ tục hành chính là gì?", ["Một", "Ba"]) != base


@pytest.mark.parametrize("text, number, kind, article, clause", [
    ("Khoản 2 Điều 8 Nghị định 63/2010/NĐ-CP", "63/2010/NĐ-CP", "Nghị định", "8", "khoản 2"),
    ("Điểm d Khoản 1 Điều 6 Nghị định 63/2010/NĐ-CP", "63/2010/NĐ-CP", "Nghị định", "6", "điểm d khoản 1"),
    ("Điều 35a Nghị định 48/2013/NĐ-CP", "48/2013/NĐ-CP", "Nghị định", "35a", ""),
    ("Quyết định 468/QĐ-TTg", "468/QĐ-TTg", "Quyết định", "", ""),
    ("Nghị quyết 52-NQ/TW", "52-NQ/TW", "Nghị quyết", "", ""),
    ("76/NQ-CP", "76/NQ-CP", "Nghị quyết", "", ""),
    ("Điều 17", "", "", "17", ""),
])
def test_citation_parts(text, number, kind, article, clause):
    citation = parse_citation(text)
    assert (citation.document_number, citation.kind, citation.article, citation.clause) == \
        (number, kind, article, clause)
