"""Document relations: which document derives from which, and how much of it.

For every pair of documents joined by chains of matched sentences
(:mod:`dedup.passages`), the **coverage** of a document is the share of its words
that lie inside its passages of those chains: the material it shares with the other
document, with the small gaps the chains bridge. The derived document's coverage
gives the verdict with the thresholds :mod:`dedup.compare` uses (``wholly`` at or
above :data:`~dedup.compare.WHOLLY`, ``partially`` at or above
:data:`~dedup.compare.PARTIALLY`); a pair below ``partially`` gets no relation: it is
not derived.

Direction, recorded on each relation as ``rule``:

* ``earlier date``: where both documents have a readable date and the dates differ,
  the earlier one is the source;
* ``more covered``: otherwise the document more of whose words are shared is the
  derived one (a reprint is mostly wire copy; the wire story is not mostly the
  reprint's), ties going to the earlier document in corpus order as the source.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import NamedTuple

from .passages import Chain, DocLayout

__all__ = ["PARTIALLY", "RULE_EARLIER_DATE", "RULE_MORE_COVERED", "WHOLLY", "Relation", "relate"]

# Verdict thresholds on the derived document's coverage, fitted ONCE on the public
# COUNTER split and then frozen (see benchmarks/counter_compare.py and the README).
WHOLLY = 0.505
PARTIALLY = 0.155

RULE_EARLIER_DATE = "earlier date"
RULE_MORE_COVERED = "more covered"


class Relation(NamedTuple):
    """``derived`` takes ``coverage`` of its words from ``source``.

    ``source_coverage`` is the share of the source's words in the shared material;
    ``clusters`` the ids of the cross-document clusters that hold it.
    """

    source: str
    derived: str
    coverage: float
    source_coverage: float
    verdict: str
    rule: str
    clusters: tuple[int, ...]


def _union_words(layout: DocLayout, d: int, ivs: list[tuple[int, int]]) -> int:
    total, end = 0, -1
    for lo, hi in sorted(ivs):
        lo = max(lo, end + 1)
        if lo <= hi:
            total += layout.span_words(d, lo, hi)
        end = max(end, hi)
    return total


def relate(chains: Sequence[Chain], layout: DocLayout, doc_ids: Sequence[str],
           dates: Sequence[datetime | None], cluster_of_chain: Sequence[Sequence[int]], *,
           verdict: Callable[[float], str]) -> list[Relation]:
    """One :class:`Relation` per document pair whose shared material reaches the
    ``partially`` threshold, sorted by derived coverage (highest first), then by ids.

    ``cluster_of_chain[k]`` lists the cluster ids that chain ``k`` belongs to;
    ``verdict(coverage)`` returns ``wholly``, ``partially`` or ``non``.
    """
    spans: dict[tuple[int, int], tuple[list[tuple[int, int]], list[tuple[int, int]], set[int]]] = {}
    for k, ch in enumerate(chains):
        a_ivs, b_ivs, cids = spans.setdefault((ch.doc_a, ch.doc_b), ([], [], set()))
        a_ivs.append((ch.first_a, ch.last_a))
        b_ivs.append((ch.first_b, ch.last_b))
        cids.update(cluster_of_chain[k])
    out = []
    for (da, db), (a_ivs, b_ivs, cids) in spans.items():
        wa, wb = layout.doc_words(da), layout.doc_words(db)
        cov_a = round(_union_words(layout, da, a_ivs) / wa, 4) if wa else 0.0
        cov_b = round(_union_words(layout, db, b_ivs) / wb, 4) if wb else 0.0
        ta, tb = dates[da], dates[db]
        if ta is not None and tb is not None and ta != tb:
            rule = RULE_EARLIER_DATE
            a_is_source = ta < tb
        else:
            rule = RULE_MORE_COVERED
            a_is_source = cov_b >= cov_a  # da < db: ties keep corpus order
        src, der, c_src, c_der = (da, db, cov_a, cov_b) if a_is_source else (db, da, cov_b, cov_a)
        v = verdict(c_der)
        if v == "non":
            continue
        out.append(Relation(doc_ids[src], doc_ids[der], c_der, c_src, v, rule,
                            tuple(sorted(cids))))
    out.sort(key=lambda r: (-r.coverage, r.derived, r.source))
    return out
