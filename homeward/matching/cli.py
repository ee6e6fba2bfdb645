"""`homeward match --found F.jsonl --missing M.jsonl --top K --out C.jsonl`.

Reads HWX records (bad lines are reported on stderr with their line number and field, and
skipped), embeds photos where a record has `photos` but no `face_embeddings`, encodes the
reports once (`bulk.ReportTable`, the path the web app's search takes) and streams the found
people through it in chunks, writing HWX candidates as they come, with a progress bar.
`--dna-index DIR` keeps the reporting families' DNA index between runs; `--workers N`
matches in N processes, `--cluster ADDRESS` on a Dask cluster (`matching.cluster`). The
attribute model is fitted to the two files first (`attributes.fit`), unless `--model FILE`
names a saved one or `--shipped` asks for the shipped one.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from homeward.matching import hwx
from homeward.matching.fusion import PARTS, Prior

# Found people with photo embeddings whose random blocked pairs give the face calibration's
# impostor sample when the model is fitted to the input (`bulk_face.fit`).
FACE_SAMPLE = 2_000


def iter_records(path: Path, kind: str, report: Any) -> Iterator[tuple[int, dict]]:
    """(line number, record) of each record of `kind` in an HWX JSON Lines file; a line
    that is not a JSON object of that kind is reported and skipped (`hwx.read`)."""
    with path.open(encoding="utf-8") as handle:
        for item in hwx.read(handle, kinds=[kind], default=kind):
            if isinstance(item, hwx.LineError):
                report(f"{path}:{item.line}: {item.field}: {item.message}")
                continue
            yield item


def read_records(path: Path, kind: str, report: Any) -> tuple[list[dict], list[int]]:
    """All records of `kind` in the file and their line numbers (see `iter_records`)."""
    pairs = list(iter_records(path, kind, report))
    return [rec for _, rec in pairs], [number for number, _ in pairs]


def chunks(path: Path, kind: str, report: Any, size: int) -> Iterator[tuple[list, list]]:
    """`read_records` in runs of at most `size` records."""
    records: list[dict] = []
    lines: list[int] = []
    for number, rec in iter_records(path, kind, report):
        records.append(rec)
        lines.append(number)
        if len(records) == size:
            yield records, lines
            records, lines = [], []
    if records:
        yield records, lines


class Progress:
    """A progress bar on stderr: redrawn in place on a terminal, a line every 10% (or
    minute) otherwise; nothing when quiet."""

    def __init__(self, total: int, quiet: bool, started: float) -> None:
        self.total, self.quiet, self.started = max(total, 1), quiet, started
        self.tty = sys.stderr.isatty()
        self.shown_at, self.shown_tenth = 0.0, -1

    def say(self, msg: str) -> None:
        if not self.quiet:
            clear = "\r\033[K" if self.tty else ""
            print(f"{clear}[{time.monotonic() - self.started:7.1f}s] {msg}", file=sys.stderr)

    def update(self, done: int) -> None:
        if self.quiet:
            return
        now = time.monotonic()
        tenth = done * 10 // self.total
        if self.tty and now - self.shown_at < 0.5 and done < self.total:
            return
        if not self.tty and tenth == self.shown_tenth and now - self.shown_at < 60:
            return
        self.shown_at, self.shown_tenth = now, tenth
        elapsed = now - self.started
        rate = done / elapsed if elapsed > 0 else 0.0
        eta = f", {(self.total - done) / rate:,.0f} s left" if rate and done < self.total else ""
        width = 30
        filled = int(width * min(done, self.total) / self.total)
        bar = "#" * filled + "." * (width - filled)
        line = f"[{bar}] {done:,}/{self.total:,} found people{eta}"
        if self.tty:
            print(f"\r\033[K{line}", file=sys.stderr, end="", flush=True)
        else:
            print(f"[{elapsed:7.1f}s] {line}", file=sys.stderr)


def embed_photos(records: list[dict], base: Path, report: Any) -> None:
    """Fill `face_embeddings` from `photos` (paths relative to the file) with the face engine."""
    for rec in records:
        if rec.get("face_embeddings") or not rec.get("photos"):
            continue
        embeddings, photos = [], []
        for photo in rec["photos"]:
            path = photo.get("path") if isinstance(photo, dict) else photo
            if not path:
                continue
            from homeward.matching.face import PhotoError, analyse_photo

            try:
                analysis = analyse_photo(base / path)
            except (PhotoError, OSError) as exc:
                report(f"{rec.get('id')}: photos: {path}: {exc}")
                continue
            if analysis.embedding is not None:
                embeddings.append([float(v) for v in analysis.embedding])
                photos.append(photo if isinstance(photo, dict) else {"path": path})
        if embeddings:
            rec["face_embeddings"], rec["photos"] = embeddings, photos


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="homeward match", description=__doc__.split("\n")[0])
    parser.add_argument("--found", required=True, type=Path, help="HWX found people (JSONL)")
    parser.add_argument("--missing", required=True, type=Path, help="HWX missing reports")
    parser.add_argument("--top", type=int, default=10, help="candidates per found person")
    parser.add_argument("--out", required=True, type=Path, help="HWX candidates to write")
    parser.add_argument(
        "--model",
        type=Path,
        default=None,
        help="a saved attribute model (homeward model fit); default: fit one on these files",
    )
    parser.add_argument(
        "--shipped", action="store_true", help="use the shipped attribute model as it is"
    )
    parser.add_argument(
        "--has-report",
        type=float,
        default=Prior().has_report,
        help="prior probability that a found person's report is in the file",
    )
    parser.add_argument(
        "--evidence", default=",".join(PARTS), help="comma-separated subset of " + ",".join(PARTS)
    )
    parser.add_argument(
        "--dna-index",
        type=Path,
        default=None,
        help="folder to keep the reports' DNA index in between runs (rebuilt when it changes)",
    )
    parser.add_argument(
        "--chunk", type=int, default=4096, help="found people read and matched at a time"
    )
    parser.add_argument(
        "--workers", type=int, default=1, help="processes to match in (one per core)"
    )
    parser.add_argument(
        "--cluster",
        default=None,
        metavar="ADDRESS",
        help="a Dask scheduler (tcp://host:8786) to match on: the encoded reports go to "
        "every worker once (docs/cluster.md)",
    )
    parser.add_argument(
        "--cluster-timeout",
        type=float,
        default=30,
        metavar="SECONDS",
        help="how long to wait for the Dask scheduler to answer",
    )
    parser.add_argument("--quiet", action="store_true", help="no progress lines")
    return parser


def main(argv: list[str]) -> int:
    args = build_parser().parse_args(argv)
    evidence = tuple(e for e in args.evidence.split(",") if e)
    bad = not set(evidence) <= set(PARTS) or min(args.top, args.chunk, args.workers) < 1
    if bad or not 0 < args.has_report <= 1:
        print(
            "homeward match: bad --evidence, --top, --chunk, --workers or --has-report",
            file=sys.stderr,
        )
        return 2
    for path in (args.found, args.missing):
        if not path.is_file():
            print(f"homeward match: no such file: {path}", file=sys.stderr)
            return 2
    if args.cluster is not None and args.workers != 1:
        print("homeward match: --cluster and --workers: one or the other", file=sys.stderr)
        return 2
    if args.cluster is not None and "dna" in evidence and args.dna_index is None:
        print(
            "homeward match: --cluster needs --dna-index, a folder every worker reads at "
            "the same path",
            file=sys.stderr,
        )
        return 2
    if args.dna_index is not None and args.dna_index.exists() and not args.dna_index.is_dir():
        print(f"homeward match: --dna-index: not a folder: {args.dna_index}", file=sys.stderr)
        return 2
    with contextlib.ExitStack() as stack:
        if args.cluster is not None:
            from homeward.matching.cluster import Cluster

            try:  # before the reports are read and encoded, which may take long
                args.cluster = stack.enter_context(
                    Cluster(args.cluster, timeout=args.cluster_timeout)
                )
            except (OSError, RuntimeError) as exc:
                print(f"homeward match: --cluster: {exc}", file=sys.stderr)
                return 2
        return _run(args, evidence)


def _run(args: argparse.Namespace, evidence: tuple[str, ...]) -> int:
    progress = Progress(_count_lines(args.found), args.quiet, time.monotonic())

    def report(msg: str) -> None:
        print(msg, file=sys.stderr)

    from homeward.matching.attributes.model import AttributeModel
    from homeward.matching.bulk import ReportTable
    from homeward.matching.search import parse_records

    raw, lines = read_records(args.missing, "missing", report)
    embed_photos(raw, args.missing.parent, report)
    missing, bad = parse_records(raw, "missing")
    for position, field, message in bad:
        report(f"{args.missing}:{lines[position]}: {field}: {message}")
    dropped = {position for position, _field, _message in bad}
    good_lines = [n for k, n in enumerate(lines) if k not in dropped]
    progress.say(f"{len(missing):,} reports read; encoding them")
    if args.model is not None or args.shipped:
        model = AttributeModel.load(args.model)
    else:
        # Weights estimated from these very records (the shipped model is the start).
        progress.say("fitting the attribute model to these records")
        from homeward.matching.attributes.fit import fit_model
        from homeward.matching.attributes.records import feature_row

        found_rows, photographed = [], []
        for records, _numbers in chunks(args.found, "found", lambda _m: None, args.chunk):
            parsed, _bad = parse_records(records, "found")
            found_rows += [feature_row(r) for r in parsed]
            room = FACE_SAMPLE - len(photographed)
            photographed += [r for r in records if r.get("face_embeddings")][:room]
        model, fitted = fit_model(found_rows, [feature_row(r) for r in missing])
        for line in fitted.lines():
            progress.say(line)
    table = ReportTable(
        missing,
        model=model,
        evidence=evidence,
        prior=Prior(args.has_report),
        dna_index=args.dna_index,
    )
    if args.model is None and not args.shipped and table.face is not None:
        # The face's impostor side from these records' photos (the genuine side is shipped).
        progress.say(table.fit_face(photographed))
    if table.dna is not None:
        for _, position, message in table.dna.errors:
            report(f"{args.missing}:{good_lines[position]}: relatives: {message}")
    progress.say(f"{len(table):,} reports ready; matching")
    done = written = 0
    shares = args.cluster.threads * 4 if args.cluster is not None else args.workers
    size = min(args.chunk, max(1, -(-progress.total // shares)))
    runs = chunks(args.found, "found", report, size)

    def within_run(k: int) -> None:
        progress.update(done + k)  # `done` as it is then: the runs finished before

    with args.out.open("w", encoding="utf-8") as handle, _matcher(table, args) as match:
        for records, numbers, result in match(runs, within_run):
            for position, field, message in result["bad"]:
                report(f"{args.found}:{numbers[position]}: {field}: {message}")
            for cand in result["candidates"]:
                handle.write(json.dumps(cand, ensure_ascii=False) + "\n")
            done += len(records)
            written += len(result["candidates"])
            progress.update(done)
    progress.update(progress.total)  # lines that were not records count as done too
    progress.say(f"wrote {written:,} candidates to {args.out}")
    return 0


_TABLE: Any = None  # the table forked workers share (copy-on-write)


def _match_run(job: tuple) -> tuple:
    records, numbers, base, top = job
    embed_photos(records, base, lambda msg: print(msg, file=sys.stderr))
    return records, numbers, _TABLE.match(records, top=top)


@contextlib.contextmanager
def _matcher(table: Any, args: argparse.Namespace) -> Iterator[Any]:
    """A function from runs of (records, line numbers) to (records, line numbers, result),
    in input order: in this process, with `--workers N` in N forked processes that share
    the encoded reports, or with `--cluster ADDRESS` on a Dask cluster's workers, each
    sent the encoded reports once (`matching.cluster`)."""

    def said(msg: str) -> None:
        print(msg, file=sys.stderr)

    def here(runs, on_progress):
        for records, numbers in runs:
            embed_photos(records, args.found.parent, said)
            result = table.match(records, top=args.top, progress=lambda k, _n: on_progress(k))
            yield records, numbers, result

    if args.cluster is not None:  # a `cluster.Cluster`, connected by `main`

        def embedded(runs):
            for records, numbers in runs:
                embed_photos(records, args.found.parent, said)  # the files are here
                yield records, numbers

        args.cluster.share(table)
        yield lambda runs, _on_progress: args.cluster.match_runs(embedded(runs), args.top)
        return
    if args.workers == 1:
        yield here
        return
    import multiprocessing

    global _TABLE
    _TABLE = table
    with multiprocessing.get_context("fork").Pool(args.workers) as pool:

        def spread(runs, _on_progress):
            jobs = ((r, n, args.found.parent, args.top) for r, n in runs)
            yield from pool.imap(_match_run, jobs)

        try:
            yield spread
        finally:
            _TABLE = None


def _count_lines(path: Path) -> int:
    with path.open("rb") as handle:
        return sum(1 for line in handle if line.strip())
