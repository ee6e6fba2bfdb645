"""Search kernels: gather-and-sum of per-locus log10 LR tables over genotype codes.

Codes are stored locus-major (L x N) so each locus is one contiguous `take`. Each fast
kernel has a plain-Python twin for tests.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

import numpy as np

CHUNK = 1 << 16
_POOL: ThreadPoolExecutor | None = None


def _pool() -> ThreadPoolExecutor:
    global _POOL
    if _POOL is None:
        _POOL = ThreadPoolExecutor(max_workers=2)
    return _POOL


def gather_sum(codes: np.ndarray, tables: Sequence[np.ndarray], threads: int = 2) -> np.ndarray:
    """Scores[n] = sum_l tables[l][codes[l, n]]: float32 (N,).

    `codes` is an (L, N) unsigned integer array (may be memory-mapped); `tables[l]` a
    float32 vector covering every code at locus l. Chunks of 64k columns run on
    `threads` threads (numpy releases the GIL inside `take`).
    """
    n = codes.shape[1]
    out = np.empty(n, dtype=np.float32)

    def work(start: int) -> None:
        stop = min(start + CHUNK, n)
        acc = out[start:stop]
        np.take(tables[0], codes[0, start:stop], out=acc)
        buf = np.empty(stop - start, dtype=np.float32)
        for locus in range(1, len(tables)):
            np.take(tables[locus], codes[locus, start:stop], out=buf)
            acc += buf

    starts = range(0, n, CHUNK)
    if threads > 1 and n > CHUNK:
        list(_pool().map(work, starts))
    else:
        for start in starts:
            work(start)
    return out


def gather_sum_reference(codes: np.ndarray, tables: Sequence[np.ndarray]) -> np.ndarray:
    """Slow twin of `gather_sum`: one Python loop per record, float64 sums."""
    n = codes.shape[1]
    out = np.zeros(n)
    for j in range(n):
        out[j] = sum(float(tables[loc][int(codes[loc, j])]) for loc in range(len(tables)))
    return out


def gather_sum_many(codes: np.ndarray, tables: Sequence[np.ndarray]) -> np.ndarray:
    """Scores for Q queries at once: `tables[l]` is float32 (Q, codes at l); returns float32
    (Q, N) (a transposed view). Tables are turned code-major so each stored code fetches
    one contiguous row of Q values, and each chunk of codes is read once for all queries."""
    rows = [np.ascontiguousarray(t.T) for t in tables]  # (codes, Q)
    q = rows[0].shape[1]
    n = codes.shape[1]
    out = np.empty((n, q), dtype=np.float32)
    step = max(1024, (1 << 20) // (4 * q))  # about 1 MiB of scores per chunk

    def work(start: int) -> None:
        stop = min(start + step, n)
        acc = out[start:stop]
        np.take(rows[0], codes[0, start:stop], axis=0, out=acc)
        buf = np.empty_like(acc)
        for locus in range(1, len(rows)):
            np.take(rows[locus], codes[locus, start:stop], axis=0, out=buf)
            acc += buf

    list(_pool().map(work, range(0, n, step)))
    return out.T


def gather_sum_many_reference(codes: np.ndarray, tables: Sequence[np.ndarray]) -> np.ndarray:
    """Slow twin of `gather_sum_many`: one `gather_sum_reference` per query."""
    return np.stack(
        [gather_sum_reference(codes, [t[i] for t in tables]) for i in range(tables[0].shape[0])]
    )


def top_k(scores: np.ndarray, k: int) -> np.ndarray:
    """Indices of the k highest scores, best first (int64)."""
    k = min(k, len(scores))
    if k <= 0:
        return np.empty(0, dtype=np.int64)
    part = np.argpartition(-scores, k - 1)[:k]
    return part[np.argsort(-scores[part], kind="stable")]
