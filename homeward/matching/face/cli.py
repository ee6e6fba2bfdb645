"""`homeward face ...`: the face engine from the command line, JSON on stdout.

homeward face check PHOTO [--face N] [--chip OUT.png]   quality report (+ aligned chip)
homeward face embed PHOTO [--face N] [--chip OUT.png]   the same + 128-d embedding
homeward face compare PHOTO PHOTO [--years-apart Y]     distance and log10 LR
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from PIL import Image

from homeward.matching.face.calibration import shipped_calibration
from homeward.matching.face.photo import PhotoError
from homeward.matching.face.pipeline import analyse_photo, face_distance


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="homeward face", description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    for name, text in (
        ("check", "check a photo against the intake standard"),
        ("embed", "check a photo and print its face embedding"),
    ):
        command = commands.add_parser(name, help=text)
        command.add_argument("photo")
        command.add_argument("--face", type=int, default=None, help="face number (0 = leftmost)")
        command.add_argument("--chip", default=None, help="write the aligned face chip here (PNG)")
    compare = commands.add_parser("compare", help="distance and likelihood ratio of two photos")
    compare.add_argument("photos", nargs=2)
    compare.add_argument("--years-apart", type=float, default=None)
    return parser


def _print(data: dict[str, Any]) -> None:
    json.dump(data, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")


def main(argv: list[str]) -> int:
    """Run one sub-command. Exit status: 0 accepted, 1 quality rule failed, 2 unusable input."""
    args = _parser().parse_args(argv)
    try:
        if args.command in ("check", "embed"):
            analysis = analyse_photo(args.photo, face_index=args.face)
            if args.chip and analysis.report.chip is not None:
                Image.fromarray(analysis.report.chip).save(args.chip)
            _print(analysis.as_dict(with_embedding=args.command == "embed"))
            return 0 if analysis.report.accepted else 1
        first, second = (analyse_photo(path) for path in args.photos)
    except (PhotoError, FileNotFoundError) as error:
        _print({"error": str(error)})
        return 2
    if first.embedding is None or second.embedding is None:
        _print(
            {
                "error": "need exactly one face in each photo",
                "reasons": [
                    first.as_dict(with_embedding=False)["reasons"],
                    second.as_dict(with_embedding=False)["reasons"],
                ],
            }
        )
        return 2
    distance = face_distance(first.embedding, second.embedding)
    calibration = shipped_calibration()
    _print(
        {
            "distance": round(distance, 4),
            "log10_lr": round(calibration.log10_lr(distance, args.years_apart), 3),
            # The most a face can count for, photos this far apart (None: undated).
            "ceiling": round(calibration.ceiling(args.years_apart), 3),
        }
    )
    return 0
