"""Repeats: distinct passages, repeats inside one document or outlet, and furniture.

A *distinct passage* is a word sequence printed once or many times (a wire sentence
every outlet prints is one distinct passage with many copies): everything costly is
computed once per distinct passage. Repeats inside one document (scraping duplicates)
or one outlet (boilerplate) are grouped by transitivity, which is safe for
near-exact repeats, and a passage repeated in enough documents of its outlet is that
outlet's furniture, kept out of cross-outlet matching.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np

from .arrays import run_starts, stable_order, unique_sorted


def distinct(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Group passages by their word-sequence key.

    Returns ``rep_of`` (each passage's distinct-passage id, numbered by first
    occurrence) and the groups in CSR form: the passages of distinct passage ``r`` are
    ``members[ptr[r]:ptr[r + 1]]``, in order. Passages without words form one group.

    >>> rep, ptr, mem = distinct(np.array([7, 3, 7, 0], dtype=np.uint64))
    >>> rep.tolist(), ptr.tolist(), mem.tolist()
    ([0, 1, 0, 2], [0, 2, 3, 4], [0, 2, 1, 3])
    """
    keys = np.asarray(keys)
    # The passages by key, each key's in order (what np.unique's stable sort gives,
    # faster): groups are runs of it, each run's first item its first occurrence.
    by_key = stable_order(keys).astype(np.int64)
    new = run_starts(keys[by_key])
    run_start = np.flatnonzero(new)
    sizes = np.diff(np.r_[run_start, len(by_key)])
    first = by_key[run_start]
    order = np.argsort(first)  # number groups by first occurrence (firsts are distinct)
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order), dtype=np.int64)
    rep_of = np.empty(len(by_key), dtype=np.int64)
    rep_of[by_key] = rank[np.cumsum(new) - 1]
    # Each group's members (its run of by_key), groups in the order of their ids.
    ptr = np.zeros(len(order) + 1, dtype=np.int64)
    ptr[1:] = np.cumsum(sizes[order])
    members = by_key[np.repeat(run_start[order] - ptr[:-1], sizes[order])
                     + np.arange(len(by_key), dtype=np.int64)]
    return rep_of, ptr, members


def expand_pairs(rep_pairs: np.ndarray, ptr: np.ndarray, members: np.ndarray,
                  max_bucket: int, *, ordered: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """Passage pairs ``(a, b)``, ``a < b``, sorted, from pairs of distinct passages.
    ``ordered=False`` skips the sort (each pair still comes once: a copy has one
    distinct passage), for callers that only ask of each pair a yes or no.

    Two different distinct passages give every pair of their copies; a distinct
    passage paired with itself gives every pair of its copies, or, past
    ``max_bucket`` copies, each copy with the first and the next (linear, and still
    connected). Also returns, for each passage pair, the row of ``rep_pairs`` it
    comes from.

    >>> w, p = expand_pairs(np.array([[0, 1], [0, 0]]), np.array([0, 2, 3]),
    ...                      np.array([0, 2, 1]), 64)
    >>> p.tolist(), w.tolist()
    ([[0, 1], [0, 2], [1, 2]], [0, 1, 0])
    """
    if len(rep_pairs) == 0:
        return np.zeros(0, dtype=np.int64), np.zeros((0, 2), dtype=np.int64)
    ra, rb = rep_pairs[:, 0], rep_pairs[:, 1]
    ka, kb = ptr[ra + 1] - ptr[ra], ptr[rb + 1] - ptr[rb]
    selfp = ra == rb
    big = selfp & (ka > max_bucket)
    total = np.where(big, 0, ka * kb)
    row = np.repeat(np.arange(len(rep_pairs), dtype=np.int64), total)
    t = np.arange(int(total.sum()), dtype=np.int64) - np.repeat(np.cumsum(total) - total, total)
    k = kb[row]
    i, j = t // k, t % k
    del t, k  # memory at scale: tens of millions of pairs, each array freed once spent
    a = members[ptr[ra[row]] + i]
    b = members[ptr[rb[row]] + j]
    ok = ~selfp[row] | (i < j)
    del i, j
    row, a, b = row[ok], a[ok], b[ok]
    del ok
    row, a, b = _with_big_buckets(row, a, b, ra, big, ptr, members)
    lo, hi = np.minimum(a, b), np.maximum(a, b)
    del a, b
    if not ordered:
        return row, np.stack([lo, hi], axis=1)
    n = np.int64(members.max() + 1 if len(members) else 1)
    keys = lo * n + hi
    del lo, hi
    # Each pair comes once, so a plain argsort sorts them (3x faster than np.unique
    # with return_index, a stable merge sort); a repeat, were there one, is dropped
    # as np.unique would.
    first = np.argsort(keys)
    ordered_keys = keys[first]
    if len(keys) > 1 and bool((ordered_keys[1:] == ordered_keys[:-1]).any()):
        ordered_keys, first = np.unique(keys, return_index=True)
    return row[first], np.stack([ordered_keys // n, ordered_keys % n], axis=1)


def union_pairs(parts: list[np.ndarray], n: int) -> np.ndarray:
    """Sorted unique pairs from several ``(m, 2)`` arrays (``i < j`` in each)."""
    keys = unique_sorted(np.concatenate([p[:, 0] * np.int64(n) + p[:, 1] for p in parts]))
    return np.stack([keys // n, keys % n], axis=1)


def copy_docs(rep_pairs: np.ndarray, ptr: np.ndarray, member_doc: np.ndarray,
              max_bucket: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The copy pairs of :func:`expand_pairs` (``ordered=False``: in its order) as the
    row of ``rep_pairs`` each comes from and the documents of its two copies
    (``member_doc``: the document of each member), without the passage pairs
    themselves: what a question about document pairs needs, in a few passes over
    the copy pairs (two levels of ``np.repeat`` where :func:`expand_pairs` divides).

    >>> row, da, db = copy_docs(np.array([[0, 1], [0, 0]]), np.array([0, 2, 3]),
    ...                         np.array([5, 6, 7]), 64)
    >>> row.tolist(), da.tolist(), db.tolist()
    ([0, 0, 1], [5, 6, 5], [7, 7, 6])
    """
    if len(rep_pairs) == 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty.astype(member_doc.dtype), empty.astype(member_doc.dtype)
    ra, rb = rep_pairs[:, 0], rep_pairs[:, 1]
    sa, sb = ptr[ra], ptr[rb]
    ka, kb = ptr[ra + 1] - sa, ptr[rb + 1] - sb
    selfp = ra == rb
    big = selfp & (ka > max_bucket)
    ka = np.where(big, 0, ka)
    # Level 1: each row's first copies, i = 0 .. ka - 1.
    row1 = np.repeat(np.arange(len(rep_pairs), dtype=np.int64), ka)
    i1 = np.arange(len(row1), dtype=np.int64) - np.repeat(np.cumsum(ka) - ka, ka)
    k1 = kb[row1]
    self1 = selfp[row1]
    # Level 2: their second copies, j = 0 .. kb - 1, or i + 1 .. ka - 1 in a self pair.
    count = np.where(self1, k1 - i1 - 1, k1)
    first_j = np.where(self1, i1 + 1, 0)
    doc1 = member_doc[sa[row1] + i1]
    del k1, self1
    ends = np.cumsum(count)
    base = sb[row1] + first_j - (ends - count)  # + position among all copy pairs = index
    del first_j, ends
    row = np.repeat(row1, count)
    da = np.repeat(doc1, count)
    db = member_doc[np.repeat(base, count) + np.arange(len(row), dtype=np.int64)]
    del row1, doc1, base, count
    return _with_big_buckets(row, da, db, ra, big, ptr, member_doc)


def _with_big_buckets(row: np.ndarray, a: np.ndarray, b: np.ndarray, ra: np.ndarray,
                      big: np.ndarray, ptr: np.ndarray, of_member: np.ndarray
                      ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``row``, ``a``, ``b`` followed by the pairs of each self pair past ``max_bucket``
    copies (the rows ``big``): each copy with the first and with the next, as
    ``of_member`` (the members themselves, or their documents)."""
    if not big.any():
        return row, a, b
    rows, aa, bb = [row], [a], [b]
    for r in np.flatnonzero(big).tolist():
        m = of_member[ptr[ra[r]]:ptr[ra[r] + 1]]
        rows.append(np.full(2 * len(m) - 3, r, dtype=np.int64))
        aa.append(np.r_[np.full(len(m) - 1, m[0]), m[1:-1]])
        bb.append(np.r_[m[1:], m[2:]])
    return np.concatenate(rows), np.concatenate(aa), np.concatenate(bb)


def repeat_groups(scores: dict[tuple[int, int], float]
                   ) -> list[tuple[list[int], list[tuple[int, int, float]]]]:
    """Repeats grouped by transitivity (safe for near-exact repeats), each group with
    the pairs of its maximum spanning tree: the strongest matches that connect it, so
    a furniture line printed in k documents lists k - 1 pairs, not k(k - 1)/2, and the
    weakest of them is the weakest link that holds the group together.

    >>> repeat_groups({(0, 1): 1.0, (1, 2): 0.9, (0, 2): 0.8, (5, 7): 1.0})
    [([0, 1, 2], [(0, 1, 1.0), (1, 2, 0.9)]), ([5, 7], [(5, 7, 1.0)])]
    """
    parent: dict[int, int] = {}

    def root(i: int) -> int:
        parent.setdefault(i, i)
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    tree = []
    for (a, b), s in sorted(scores.items(), key=lambda e: (-e[1], e[0])):
        ra, rb = root(a), root(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
            tree.append((a, b, s))
    groups: dict[int, list[int]] = {}
    for i in sorted(parent):
        groups.setdefault(root(i), []).append(i)
    edges: dict[int, list[tuple[int, int, float]]] = {}
    for a, b, s in tree:
        edges.setdefault(root(a), []).append((a, b, s))
    return [(groups[r], edges[r]) for r in sorted(groups, key=lambda r: groups[r][0])]


def furniture_reps(rep_of: np.ndarray, outlet: np.ndarray, doc: np.ndarray,
                    min_docs: int) -> np.ndarray:
    """Mask of distinct passages that, in every outlet printing them, appear in at
    least ``min_docs`` of its documents.

    >>> furniture_reps(np.array([0, 0, 0, 1, 1, 1, 0]), np.array([0, 0, 0, 0, 0, 0, 1]),
    ...                 np.array([0, 1, 2, 0, 1, 2, 5]), 3).tolist()
    [False, True]
    """
    n_rep = int(rep_of.max()) + 1 if len(rep_of) else 0
    if n_rep == 0:
        return np.zeros(0, dtype=bool)
    n_out = np.int64(outlet.max() + 1)
    n_doc = np.int64(doc.max() + 1)
    group = rep_of.astype(np.int64) * n_out + outlet
    pairs = unique_sorted(group * n_doc + doc)     # (group, document), once each
    groups, docs_in = np.unique(pairs // n_doc, return_counts=True)
    rep = groups // n_out
    printed = np.bincount(rep, minlength=n_rep) > 0
    not_furniture = np.bincount(rep[docs_in < min_docs], minlength=n_rep) > 0
    return printed & ~not_furniture


def outlet_repeats(rep_pairs: np.ndarray, scores: np.ndarray, rep_of: np.ndarray,
                    outlet: np.ndarray, has_words: np.ndarray) -> list[tuple[int, int, float]]:
    """Edges ``(a, b, score)``, ``a < b``, between repeats inside one outlet.

    Copies of a distinct passage (with words) in one outlet are joined to the first
    of them (score 1.0); two different distinct passages that repeat each other
    (``rep_pairs`` with their ``scores``) are joined once per outlet printing both,
    first copy to first copy. Linear in the copies, where every pair of copies of two
    widely printed lines ("Sign up for our newsletter") would be quadratic.

    >>> outlet_repeats(np.array([[0, 1]]), np.array([0.9]), np.array([0, 0, 1, 0, 1]),
    ...                 np.array([5, 5, 5, 6, 6]), np.array([True, True]))
    [(0, 1, 1.0), (0, 2, 0.9), (3, 4, 0.9)]
    """
    n = len(rep_of)
    if n == 0:
        return []
    n_out = np.int64(outlet.max() + 1)
    gkey = rep_of.astype(np.int64) * n_out + outlet
    order = np.argsort(gkey, kind="stable")
    gk = gkey[order]
    new_group = np.r_[True, gk[1:] != gk[:-1]]
    starts = np.flatnonzero(new_group)
    first = order[starts]                  # first copy of each (distinct passage, outlet)
    keys = gk[starts]
    lead = first[np.cumsum(new_group) - 1]  # for each copy, the first in its group
    star = (lead != order) & has_words[rep_of[order]]
    a_parts, b_parts, s_parts = [lead[star]], [order[star]], [np.ones(int(star.sum()))]
    pairs = rep_pairs[rep_pairs[:, 0] != rep_pairs[:, 1]]
    sc = scores[rep_pairs[:, 0] != rep_pairs[:, 1]]
    if len(pairs):
        group_rep = keys // n_out
        rep_ptr = np.searchsorted(group_rep, np.arange(int(rep_of.max()) + 2))
        ra, rb = pairs[:, 0], pairs[:, 1]
        na, nb = rep_ptr[ra + 1] - rep_ptr[ra], rep_ptr[rb + 1] - rep_ptr[rb]
        swap = nb < na  # walk the outlets of the side printed in fewer outlets
        ra, rb = np.where(swap, rb, ra), np.where(swap, ra, rb)
        cnt = np.minimum(na, nb)
        row = np.repeat(np.arange(len(pairs)), cnt)
        g = rep_ptr[ra][row] + (np.arange(int(cnt.sum())) - np.repeat(np.cumsum(cnt) - cnt, cnt))
        want = rb[row] * n_out + keys[g] % n_out
        at = np.minimum(np.searchsorted(keys, want), len(keys) - 1)
        hit = keys[at] == want
        a_parts.append(first[g[hit]])
        b_parts.append(first[at[hit]])
        s_parts.append(sc[row[hit]])
    a, b, s = np.concatenate(a_parts), np.concatenate(b_parts), np.concatenate(s_parts)
    lo, hi = np.minimum(a, b), np.maximum(a, b)
    order = np.lexsort((hi, lo))
    return list(zip(lo[order].tolist(), hi[order].tolist(), s[order].tolist(), strict=True))


def boilerplate(n: int, groups: Iterable[list[int]], doc_of: Sequence[str],
                 min_docs: int) -> np.ndarray:
    """Mask of passages whose group of within-outlet repeats spans at least
    ``min_docs`` documents."""
    mask = np.zeros(n, dtype=bool)
    for comp in groups:
        if len({doc_of[i] for i in comp}) >= min_docs:
            mask[comp] = True
    return mask
