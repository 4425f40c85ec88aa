"""Families of related questions: near-duplicates that give each other away on one paper.

Two questions are related when they rest on the same article and ask largely the same thing (stem)
or expect largely the same answer, or when one's stem states the other's answer, or when both
expect the same specific answer. A paper never holds two of a family."""
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from itertools import combinations, pairwise


# Share of word pairs two stems (or two answers) must have in common to be "largely the same".
STEM_SIMILARITY = 0.6
ANSWER_SIMILARITY = 0.8
# An answer given by this many questions or more is generic ("Không quy định"): it relates nothing.
GENERIC_ANSWER_USES = 4
# Answers this short ("Hai lần", "Thời hạn giải quyết": syllables, as Vietnamese words are written)
# relate questions only within one article: elsewhere they are common.
SHORT_ANSWER_WORDS = 5
# Above this many questions on one article, pairs are compared only when they share a rare word pair.
EXHAUSTIVE_GROUP = 60

_CITATION = re.compile(r"\b(?:theo\s+)?(?:(?:diem\s+\w|khoan\s+\d+\w?|dieu\s+\d+\w?)\s+)*"
                       r"(?:(?:nghi dinh|nghi quyet|quyet dinh|thong tu|luat)\s+(?:so\s+)?)?"
                       r"\d+(?:/\d{4})?[/-][\w/-]+(?:\s*\(ban ban hanh nam \d{4}\))?")
_REFERENCE = re.compile(r"\b(?:diem\s+\w|khoan\s+\d+\w?|dieu\s+\d+\w?)\b")
_MARKS = re.compile("[\u0300-\u036f]")


def _fold(text: str) -> str:
    """questions.text.fold for Vietnamese, ten times faster: a bank is folded whole on each import."""
    return _MARKS.sub("", unicodedata.normalize("NFD", text.lower().replace("đ", "d")))


@dataclass(frozen=True)
class Member:
    """What family detection needs of a question."""

    id: int
    document: object
    article: str
    text: str
    answer: str


def stem_words(text: str) -> list[str]:
    """The stem's words, folded, without its citation ("Theo khoản 4 Điều 20 Nghị định …")."""
    folded = _REFERENCE.sub(" ", _CITATION.sub(" ", _fold(text)))
    return re.findall(r"\w+", folded)


def similarity(first: set, second: set) -> float:
    """Jaccard similarity of two sets (0 when both are empty)."""
    return len(first & second) / len(first | second) if first or second else 0.0


def find_families(members: list[Member]) -> dict[int, int]:
    """For each question in a family of two or more, the family's id (its smallest question id)."""
    parent = {member.id: member.id for member in members}

    def root(item: int) -> int:
        while parent[item] != item:
            parent[item] = parent[parent[item]]
            item = parent[item]
        return item

    def join(first: int, second: int) -> None:
        first, second = root(first), root(second)
        if first != second:
            parent[max(first, second)] = min(first, second)

    words = {m.id: stem_words(m.text) for m in members}
    stems = {m.id: set(pairwise(words[m.id])) for m in members}
    # Stems that differ in a number ask different things ("trường hợp 5" and "trường hợp 42").
    numbers = {m.id: frozenset(word for word in words[m.id] if word.isdigit()) for m in members}
    answers = {m.id: " ".join(re.findall(r"\w+", _fold(m.answer))) for m in members}
    answer_pairs = {m.id: set(pairwise(answers[m.id].split())) for m in members}
    uses = defaultdict(int)
    for m in members:
        uses[(m.document, answers[m.id])] += 1

    by_article = defaultdict(list)
    for m in members:
        if m.document is not None and m.article:
            by_article[(m.document, m.article)].append(m)
    for group in by_article.values():
        for first, second in _candidate_pairs(group, stems):
            if (numbers[first.id] == numbers[second.id] and
                    similarity(stems[first.id], stems[second.id]) >= STEM_SIMILARITY) or (
                    len(answers[first.id].split()) >= 3 and
                    similarity(answer_pairs[first.id], answer_pairs[second.id]) >= ANSWER_SIMILARITY and
                    uses[(first.document, answers[first.id])] < GENERIC_ANSWER_USES):
                join(first.id, second.id)

    # One question's stem stating another's answer, or two questions expecting one specific answer.
    # A long answer relates questions across articles and documents ("Cơ chế một cửa, một cửa liên
    # thông" named in a question on another decree); a short one only within its article.
    specific = defaultdict(list)
    for m in members:
        if len(answers[m.id].split()) >= 2 and uses[(m.document, answers[m.id])] < GENERIC_ANSWER_USES:
            specific[answers[m.id]].append(m)
    # Indexed by their first two words, so each stem is read once whatever the answers' lengths.
    by_opening = defaultdict(list)
    for answer, holders in specific.items():
        answer_words = tuple(answer.split())
        by_opening[answer_words[:2]].append((answer_words, holders))
    for m in members if specific else ():
        stem = words[m.id]
        for start in range(len(stem) - 1):
            for answer_words, holders in by_opening.get((stem[start], stem[start + 1]), ()):
                if tuple(stem[start:start + len(answer_words)]) != answer_words:
                    continue
                for other in holders:
                    if other.id != m.id and (len(answer_words) >= SHORT_ANSWER_WORDS or
                                             (other.document, other.article) == (m.document, m.article)):
                        join(m.id, other.id)
    for answer, holders in specific.items():
        if len(answer.split()) >= SHORT_ANSWER_WORDS:
            for other in holders[1:]:
                join(holders[0].id, other.id)

    families = defaultdict(list)
    for m in members:
        families[root(m.id)].append(m.id)
    return {member: min(ids) for ids in families.values() if len(ids) > 1 for member in ids}


def _candidate_pairs(group: list[Member], stems: dict) -> list[tuple[Member, Member]]:
    """Pairs worth comparing: all of them in a small group, else those sharing a rare word pair."""
    if len(group) <= EXHAUSTIVE_GROUP:
        return list(combinations(group, 2))
    holders = defaultdict(list)
    for m in group:
        for pair in stems[m.id]:
            holders[pair].append(m)
    pairs = {}
    for members in holders.values():
        if len(members) <= 20:
            for first, second in combinations(members, 2):
                pairs[(first.id, second.id)] = (first, second)
    return list(pairs.values())
