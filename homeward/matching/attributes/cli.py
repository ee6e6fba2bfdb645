"""`homeward model fit --found F.jsonl --missing M.jsonl --out MODEL.json [--labels L.jsonl]`.

Fits the attribute model to the records of two HWX files (`fit.fit_model`: u by random
sampling, m by expectation maximisation from the shipped model, then from labelled pairs when
there are enough; the face's impostor distances are drawn from the records' photos) and saves
it for `homeward match --model MODEL.json`. The labels file holds
one JSON object a line, {"found": id, "missing": id}, for pairs known to be one person. The
fit report goes to stderr; a bad record is reported with its line number and skipped.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="homeward model", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    fit = sub.add_parser("fit", help="fit the attribute model to two HWX files")
    fit.add_argument("--found", required=True, type=Path, help="HWX found people (JSONL)")
    fit.add_argument("--missing", required=True, type=Path, help="HWX missing reports")
    fit.add_argument("--out", required=True, type=Path, help="the model JSON to write")
    fit.add_argument("--labels", type=Path, default=None, help="known pairs (JSONL)")
    fit.add_argument("--start", type=Path, default=None, help="start model (default shipped)")
    fit.add_argument("--seed", type=int, default=0)
    return parser


def read_labels(path: Path, report) -> list[tuple[str, str]]:
    labels = []
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                labels.append((str(row["found"]), str(row["missing"])))
            except (json.JSONDecodeError, KeyError, TypeError):
                report(f'{path}:{number}: not a {{"found": id, "missing": id}} object')
    return labels


def fit_from_files(found_path: Path, missing_path: Path, *, labels=(), start=None, seed=0):
    """(model, report) fitted on two HWX files; bad records are reported and skipped."""
    from homeward.matching.attributes.fit import fit_model
    from homeward.matching.attributes.records import feature_row
    from homeward.matching.cli import read_records
    from homeward.matching.search import parse_records

    def report(msg: str) -> None:
        print(msg, file=sys.stderr)

    records, rows = {}, {}
    for kind, path in (("found", found_path), ("missing", missing_path)):
        raw, lines = read_records(path, kind, report)
        parsed, bad = parse_records(raw, kind)
        for position, field, message in bad:
            report(f"{path}:{lines[position]}: {field}: {message}")
        records[kind], rows[kind] = raw, [feature_row(r) for r in parsed]
    model, fitted = fit_model(rows["found"], rows["missing"], start=start, labels=labels, seed=seed)
    if fitted.status == "fitted":
        # The face's impostor side from these records' photos (the genuine side is shipped).
        from homeward.matching.bulk import ReportTable

        missing, _bad = parse_records(records["missing"], "missing")
        table = ReportTable(missing, model=model, evidence=("face",))
        fitted.face = table.fit_face(records["found"], seed=seed)
        fitted.version = model.version()
    return model, fitted


def main(argv: list[str]) -> int:
    args = build_parser().parse_args(argv)
    from homeward.matching.attributes.model import AttributeModel

    for path in (args.found, args.missing, args.labels, args.start):
        if path is not None and not path.is_file():
            print(f"homeward model: no such file: {path}", file=sys.stderr)
            return 2
    labels = read_labels(args.labels, lambda m: print(m, file=sys.stderr)) if args.labels else []
    start = AttributeModel.load(args.start) if args.start else None
    model, report = fit_from_files(
        args.found, args.missing, labels=labels, start=start, seed=args.seed
    )
    for line in report.lines():
        print(line, file=sys.stderr)
    model.save(args.out)
    print(f"wrote {args.out} ({model.version()})", file=sys.stderr)
    return 0
