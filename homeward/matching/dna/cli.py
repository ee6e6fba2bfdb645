"""`homeward dna ...`: LR reports, database building and search from the command line.

    homeward dna lr CASE.json [--power]
    homeward dna build-db DB_DIR FAMILIES.jsonl [--population P --theta T ...]
    homeward dna simulate-db DB_DIR --families N --kind parent|parents|full_sibling [--seed S]
    homeward dna search DB_DIR[,DB_DIR...] PROFILE.json [--top 10] [--sex M]
    homeward dna search-family DB_DIR FAMILY.json [--top 10]

FAMILIES.jsonl holds HWX missing-person records (`id`, `relatives` with `relation` and
`dna`); `build-db` on an existing directory appends a new segment. Found persons (HWX
`kind: found` with `dna`) in the same file go to the found-person store.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from homeward.matching.dna.errors import DnaError


def _read_json(path: str) -> object:
    try:
        text = sys.stdin.read() if path == "-" else Path(path).read_text(encoding="utf-8")
        return json.loads(text)
    except FileNotFoundError as exc:
        raise DnaError(f"file not found: {path}") from exc
    except json.JSONDecodeError as exc:
        raise DnaError(f"{path}: not valid JSON ({exc.msg}, line {exc.lineno}).") from exc


def _print(data: object) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=2, allow_nan=False))


def cmd_lr(args: argparse.Namespace) -> int:
    from homeward.matching.dna.case import evaluate, parse_case, report

    case = parse_case(_read_json(args.case))
    out = report(case, evaluate(case))
    if args.power:
        from homeward.matching.dna.power import power_advice

        out["power"] = power_advice(
            [r for r, _ in case.relatives],
            [p for _, p in case.relatives],
            case.settings,
            draws=args.draws,
            seed=args.seed,
        )
    _print(out)
    return 0


def cmd_build_db(args: argparse.Namespace) -> int:
    from homeward.matching.dna.index import DnaIndex, records_from_jsonl

    index = DnaIndex.open_or_create(
        Path(args.db),
        population=args.population,
        theta=args.theta,
        mutation=None if args.no_mutation else {"model": args.mutation_model},
    )
    families, found = records_from_jsonl(Path(args.records), index.table)
    if families:
        index.add_families(families)
    if found:
        index.add_found(found)
    _print({"families_added": len(families), "found_added": len(found), **index.summary()})
    return 0


def cmd_simulate_db(args: argparse.Namespace) -> int:
    from homeward.matching.dna.index import DnaIndex
    from homeward.matching.dna.simulate import simulate_reference_db

    index = DnaIndex.open_or_create(Path(args.db), population=args.population)
    simulate_reference_db(index, args.families, args.kind, seed=args.seed)
    _print(index.summary())
    return 0


def cmd_search(args: argparse.Namespace) -> int:
    from homeward.matching.dna.index import DnaIndex
    from homeward.matching.dna.profiles import parse_profile
    from homeward.matching.dna.search import search_found_person

    shards = [DnaIndex.open(Path(db)) for db in args.db.split(",")]
    raw = _read_json(args.profile)
    if isinstance(raw, dict) and "dna" in raw:
        raw = raw["dna"]
    profile = parse_profile(raw, field="profile", table=shards[0].table)
    hits = search_found_person(shards, profile, top=args.top, mp_sex=args.sex)
    _print({"candidates": hits, "settings": shards[0].settings_dict()})
    return 0


def cmd_search_family(args: argparse.Namespace) -> int:
    from homeward.matching.dna.index import DnaIndex, family_from_record

    index = DnaIndex.open(Path(args.db))
    family = family_from_record(_read_json(args.family), index.table)
    hits = index.search_found(family[1], top=args.top)
    _print({"candidates": hits, "settings": index.settings_dict()})
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="homeward dna", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("lr", help="LR report for a case JSON file ('-' for stdin)")
    p.add_argument("case")
    p.add_argument("--power", action="store_true", help="add power advice for the family")
    p.add_argument("--draws", type=int, default=2000)
    p.add_argument("--seed", type=int, default=0)
    p.set_defaults(func=cmd_lr)
    p = sub.add_parser("build-db", help="add HWX records (JSON Lines) to a database directory")
    p.add_argument("db")
    p.add_argument("records")
    p.add_argument("--population", default="nist1036")
    p.add_argument("--theta", type=float, default=0.0)
    p.add_argument("--mutation-model", default="stepwise")
    p.add_argument("--no-mutation", action="store_true")
    p.set_defaults(func=cmd_build_db)
    p = sub.add_parser("simulate-db", help="add simulated reference families (for trials)")
    p.add_argument("db")
    p.add_argument("--families", type=int, default=10000)
    p.add_argument(
        "--kind", default="father", choices=["father", "mother", "parents", "full_sibling"]
    )
    p.add_argument("--population", default="nist1036")
    p.add_argument("--seed", type=int, default=0)
    p.set_defaults(func=cmd_simulate_db)
    p = sub.add_parser("search", help="score a found person's profile against every family")
    p.add_argument("db", help="database directory; several region shards comma-separated")
    p.add_argument("profile", help="JSON profile, or an HWX found record with 'dna'")
    p.add_argument("--top", type=int, default=10)
    p.add_argument("--sex", choices=["M", "F"], default=None)
    p.set_defaults(func=cmd_search)
    p = sub.add_parser("search-family", help="score a family's relatives against found persons")
    p.add_argument("db")
    p.add_argument("family", help="HWX missing-person record with relatives")
    p.add_argument("--top", type=int, default=10)
    p.set_defaults(func=cmd_search_family)
    return parser


def main(argv: list[str]) -> int:
    """Entry point for `homeward dna`; returns the exit status (2 on bad input)."""
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except DnaError as exc:
        print(json.dumps(exc.as_dict(), ensure_ascii=False), file=sys.stderr)
        return 2
