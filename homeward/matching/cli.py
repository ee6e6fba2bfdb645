"""`homeward match --found F.jsonl --missing M.jsonl --top K --out C.jsonl`.

Reads HWX records (bad lines are reported on stderr with their line number and field, and
skipped), embeds photos where a record has `photos` but no `face_embeddings`, runs
`search.match_records` (the code path the web app uses) and writes HWX candidates.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

from homeward.matching.fusion import PARTS, Prior


def read_records(path: Path, kind: str, report: Any) -> tuple[list[dict], list[int]]:
    """Records of `kind` from an HWX JSON Lines file and their line numbers; a line that is
    not a JSON object of that kind is reported and skipped."""
    records, lines = [], []
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                rec = json.loads(line)
            except json.JSONDecodeError as exc:
                report(f"{path}:{number}: record: not JSON ({exc.msg})")
                continue
            if not isinstance(rec, dict):
                report(f"{path}:{number}: record: not a JSON object")
                continue
            if rec.get("kind", kind) != kind:
                report(f"{path}:{number}: kind: expected {kind!r}, got {rec.get('kind')!r}")
                continue
            records.append(rec)
            lines.append(number)
    return records, lines


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
    parser.add_argument("--model", type=Path, default=None, help="attribute model JSON")
    parser.add_argument(
        "--has-report",
        type=float,
        default=Prior().has_report,
        help="prior probability that a found person's report is in the file",
    )
    parser.add_argument(
        "--evidence", default=",".join(PARTS), help="comma-separated subset of " + ",".join(PARTS)
    )
    parser.add_argument("--quiet", action="store_true", help="no progress lines")
    return parser


def main(argv: list[str]) -> int:
    args = build_parser().parse_args(argv)
    evidence = tuple(e for e in args.evidence.split(",") if e)
    if not set(evidence) <= set(PARTS) or args.top < 1 or not 0 < args.has_report <= 1:
        print("homeward match: bad --evidence, --top or --has-report", file=sys.stderr)
        return 2
    started = time.monotonic()

    def report(msg: str) -> None:
        print(msg, file=sys.stderr)

    def progress(msg: str) -> None:
        if not args.quiet:
            print(f"[{time.monotonic() - started:7.1f}s] {msg}", file=sys.stderr)

    from homeward.matching.attributes.model import AttributeModel
    from homeward.matching.search import match_records

    records = {}
    for kind, path in (("found", args.found), ("missing", args.missing)):
        if not path.is_file():
            report(f"homeward match: no such file: {path}")
            return 2
        recs, lines = read_records(path, kind, report)
        embed_photos(recs, path.parent, report)
        records[kind] = (recs, lines, path)
    result = match_records(
        records["found"][0],
        records["missing"][0],
        model=AttributeModel.load(args.model),
        top=args.top,
        evidence=evidence,
        prior=Prior(args.has_report),
        progress=progress,
    )
    for kind, position, field, message in result.stats["bad"]:
        _, lines, path = records[kind]
        report(f"{path}:{lines[position]}: {field}: {message}")
    with args.out.open("w", encoding="utf-8") as handle:
        for cand in result.candidates:
            handle.write(json.dumps(cand, ensure_ascii=False) + "\n")
    progress(f"wrote {len(result.candidates)} candidates to {args.out}")
    return 0
