"""Vietnamese alphabetical order: letters with marks are letters of their own, tones break ties."""
import itertools
import random
import unicodedata

import pytest

from questions.text import person_sort_key, vietnamese_sort_key


def in_order(words: list[str], key=vietnamese_sort_key) -> bool:
    """True when `words` are already sorted by `key` and no two of them compare equal."""
    keys = [key(word) for word in words]
    return all(a < b for a, b in itertools.pairwise(keys))


def test_letters_with_marks_follow_their_base_letter():
    assert in_order(["a", "ă", "â", "b", "c", "d", "đ", "e", "ê", "g", "h", "i", "k", "l", "m", "n",
                     "o", "ô", "ơ", "p", "q", "r", "s", "t", "u", "ư", "v", "x", "y"])
    assert in_order(["an", "ăn", "ân"]) and in_order(["dung", "đa"]) and in_order(["uyên", "ưa"])
    # A marked letter is a letter, not an accent: "ăn" comes after every "a…" word, "az" included.
    assert in_order(["anh", "azo", "ăn"])


def test_tones_go_ngang_huyen_hoi_nga_sac_nang():
    assert in_order(["ma", "mà", "mả", "mã", "má", "mạ"])
    assert in_order(["Anh", "Ảnh", "Ánh"])
    assert in_order(["ần", "ẩn", "ẫn", "ấn", "ận"])


def test_letters_decide_before_tones():
    # Dictionary order compares a word's letters first; a tone matters only between the same letters.
    assert in_order(["ác", "ai"]) and in_order(["bà", "ban"]) and in_order(["hòa", "hoan"])


def test_case_and_unicode_form_do_not_matter():
    assert vietnamese_sort_key("ĐỖ VĂN DŨNG") == vietnamese_sort_key("đỗ văn dũng")
    decomposed = unicodedata.normalize("NFD", "Nguyễn Thị Ánh")
    assert vietnamese_sort_key(decomposed) == vietnamese_sort_key("Nguyễn Thị Ánh")
    # Old and new tone placement are the same word.
    assert vietnamese_sort_key("Hoà") == vietnamese_sort_key("Hòa")


def test_words_compare_one_by_one_and_numbers_by_value():
    assert in_order(["Anh", "Anh Ba", "Ánh"])
    assert in_order(["Phường 2", "Phường 10", "Phường An Cựu"])
    assert in_order(["Sở Tư pháp", "Sở Y tế", "UBND huyện A Lưới", "UBND huyện Phong Điền"])


def test_people_sort_by_given_name_then_family_and_middle_names():
    names = ["Nguyễn Văn An", "Lê Thị Ánh", "Trần Đức Bình", "Đỗ Văn Dũng", "Phạm Thị Anh",
             "Bùi Minh Anh", "Trần Văn Đức", "Lê Văn An", "Ngô Dung"]
    expected = ["Lê Văn An", "Nguyễn Văn An", "Bùi Minh Anh", "Phạm Thị Anh", "Lê Thị Ánh",
                "Trần Đức Bình", "Ngô Dung", "Đỗ Văn Dũng", "Trần Văn Đức"]
    shuffled = names[:]
    random.Random(7).shuffle(shuffled)
    assert sorted(shuffled, key=person_sort_key) == expected


def test_same_given_name_orders_by_family_name_then_middle_name():
    assert in_order(["Dương Thị Mai", "Đặng Thị Mai", "Lê Thị Mai", "Lê Văn Mai", "Nguyễn Thị Mai"],
                    person_sort_key)


@pytest.mark.parametrize("text", ["", "   ", "X", "O'Neil", "Nguyễn-Văn An", "Công ty 3-2"])
def test_odd_text_gives_a_key(text):
    assert isinstance(person_sort_key(text), tuple) and isinstance(vietnamese_sort_key(text), tuple)
