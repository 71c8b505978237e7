"""PassageTable: the columnar sequence of passages that find returns."""

from __future__ import annotations

import numpy as np
import pytest

from dedup import find, read_corpus
from dedup.models import Passage, PassageTable
from dedup.segment import segment

ROWS = (Passage("a", 0, 0, 10, 0), Passage("a", 1, 11, 30, 1),
        Passage("b", 0, 0, 7, 0), Passage("b", 1, 8, 19, 0), Passage("c", 0, 2, 9, 0))


@pytest.fixture
def table() -> PassageTable:
    return PassageTable.from_passages(ROWS)


def test_reads_like_the_tuple_it_replaces(table: PassageTable) -> None:
    assert len(table) == len(ROWS)
    assert list(table) == list(ROWS)
    assert [table[i] for i in range(len(ROWS))] == list(ROWS)
    assert table[-1] == ROWS[-1] and table[np.int64(2)] == ROWS[2]
    assert table == ROWS and table == list(ROWS) and ROWS == table
    assert table != ROWS[:-1] and table != (*ROWS[:-1], ROWS[0])
    assert table.index(ROWS[3]) == 3 and ROWS[1] in table
    assert list(reversed(table)) == list(reversed(ROWS))


def test_fields_are_python_ints(table: PassageTable) -> None:
    p = table[1]
    assert all(type(v) is int for v in p[1:]) and type(p.doc) is str
    assert all(type(v) is int for q in table for v in q[1:])


def test_slices_are_tables(table: PassageTable) -> None:
    part = table[1:4]
    assert isinstance(part, PassageTable) and part == ROWS[1:4]
    assert table[::-2] == ROWS[::-2] and table[5:] == ()
    assert table[1:4] == PassageTable.from_passages(ROWS[1:4])


def test_out_of_range_and_bad_keys(table: PassageTable) -> None:
    with pytest.raises(IndexError):
        table[5]
    with pytest.raises(IndexError):
        table[-6]
    with pytest.raises(TypeError):
        table["a"]  # type: ignore[call-overload]


def test_columns_are_read_only_and_shared() -> None:
    start = np.array([0, 5], dtype=np.int64)
    t = PassageTable(("d",), np.zeros(2, np.int64), [0, 1], start, [4, 9], [0, 0])
    assert np.shares_memory(t.start, start)
    with pytest.raises(ValueError):
        t.start[0] = 3
    assert start.flags.writeable  # the caller's array is left as it was


def test_bad_columns_say_why() -> None:
    with pytest.raises(ValueError, match="same length"):
        PassageTable(("d",), [0, 0], [0], [0, 1], [1, 2], [0, 0])
    with pytest.raises(ValueError, match="doc_index"):
        PassageTable(("d",), [0, 1], [0, 1], [0, 1], [1, 2], [0, 0])
    with pytest.raises(ValueError, match="integers"):
        PassageTable(("d",), np.zeros(1), [0], [0], [1], [0])


def test_counts_per_document(table: PassageTable) -> None:
    assert table.per_document() == {"a": 2, "b": 2, "c": 1}
    empty = PassageTable(("a",), [], [], [], [], [])
    assert len(empty) == 0 and list(empty) == [] and empty == () and empty.per_document() == {}


def test_not_hashable(table: PassageTable) -> None:
    with pytest.raises(TypeError):
        hash(table)


def test_find_returns_every_sentence_as_segment_cuts_it() -> None:
    corpus = read_corpus(["seeds"])
    result = find(corpus)
    assert isinstance(result.passages, PassageTable)
    expected = tuple(p for d in corpus.documents for p in segment(d.id, d.text))
    assert result.passages == expected
    assert result.passages.per_document() == {d.id: sum(p.doc == d.id for p in expected)
                                              for d in corpus.documents}
