"""The all-against-all run spread over a Dask cluster (`homeward match --cluster`, and the
app's nightly re-link when `MATCH_CLUSTER` is set).

The reports are encoded once, here (`bulk.ReportTable`), and the table is sent to every
worker once (`Client.scatter(..., broadcast=True)`): workers never read the HWX files or the
database. Found people go out in runs; each worker matches a run against its copy of the
table, and the results come back in input order, so the candidates are those one process
gives (`tests/matching/test_cluster.py`). Why Dask and not Ray: docs/cluster.md.

The DNA index is read from the folder it was kept in: on a cluster of several machines that
folder (`homeward match --dna-index`, the app's var folder) must be on storage every worker
sees at the same path.
"""

from __future__ import annotations

import collections
from collections.abc import Callable, Iterable, Iterator
from typing import Any

IN_FLIGHT = 2  # runs queued per worker thread: the next is there when one ends
RUN_TIMEOUT = 3600.0  # seconds one run may take (512 people at 10,000,000 reports: ~10 min)


def _match_run(table: Any, records: list[dict], top: int, pools: bool) -> dict[str, Any]:
    return table.match(records, top=top, pools=pools)


class Cluster:
    """A connection to a Dask scheduler; `share` sends it one report table for every
    worker to keep."""

    def __init__(self, address: str, *, timeout: float = 30) -> None:
        """Connects, and raises OSError (no scheduler there) or RuntimeError (no workers)
        with a message naming the address."""
        from distributed import Client

        try:
            self.client = Client(address, timeout=timeout, set_as_default=False)
        except (OSError, TimeoutError, ValueError) as exc:
            raise OSError(f"no Dask scheduler answers at {address} ({exc})") from None
        self.threads = sum(self.client.nthreads().values())
        if self.threads == 0:
            self.client.close()
            raise RuntimeError(f"the Dask cluster at {address} has no workers")
        self.table: Any = None

    def share(self, table: Any) -> None:
        """Send the table to every worker, once."""
        self.table = self.client.scatter(table, broadcast=True, hash=False, timeout=RUN_TIMEOUT)

    def close(self) -> None:
        self.client.close()

    def __enter__(self) -> Cluster:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def match_runs(
        self, runs: Iterable[tuple[list[dict], Any]], top: int, *, pools: bool = False
    ) -> Iterator[tuple[list[dict], Any, dict[str, Any]]]:
        """(records, tag, `ReportTable.match` result) for each run (records, tag), in the
        order given; a few runs per worker thread are in flight at a time. A worker that
        dies has its runs done again by another (Dask's retries); a run that fails there
        raises its error here, and one that takes longer than RUN_TIMEOUT raises
        TimeoutError."""
        pending: collections.deque = collections.deque()
        for records, tag in runs:
            future = self.client.submit(
                _match_run, self.table, records, top, pools, pure=False, retries=2
            )
            pending.append((records, tag, future))
            if len(pending) >= IN_FLIGHT * self.threads:
                records, tag, future = pending.popleft()
                yield records, tag, future.result(timeout=RUN_TIMEOUT)
        while pending:
            records, tag, future = pending.popleft()
            yield records, tag, future.result(timeout=RUN_TIMEOUT)


def match_all(
    address: str,
    table: Any,
    found: list[dict],
    *,
    top: int = 10,
    run: int = 512,
    progress: Callable[[int], None] | None = None,
    timeout: float = 30,
    pools: bool = False,
) -> dict[str, Any]:
    """`table.match(found, top=top, pools=pools)` on the cluster at `address`: the same
    "candidates", "pairs", "bad" (positions in `found`) and "pools"."""
    out: dict[str, Any] = {"candidates": [], "pairs": 0, "bad": [], "pools": {}}
    runs = ((found[k : k + run], k) for k in range(0, len(found), run))
    with Cluster(address, timeout=timeout) as cluster:
        cluster.share(table)
        for records, start, result in cluster.match_runs(runs, top, pools=pools):
            out["candidates"] += result["candidates"]
            out["pools"].update(result.get("pools", {}))
            out["pairs"] += result["pairs"]
            out["bad"] += [(start + p, field, why) for p, field, why in result["bad"]]
            if progress:
                progress(start + len(records))
    return out
