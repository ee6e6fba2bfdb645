"""The `homeward` command.

`homeward dna ...`, `homeward match ...`, `homeward model fit ...` run the engine without
Django;
any other sub-command is handed to Django's management commands
(`homeward migrate`, `homeward serve`, `homeward load_demo`).
"""

from __future__ import annotations

import importlib
import os
import sys

# Engine sub-commands: name -> module with a `main(argv: list[str]) -> int`.
ENGINE_COMMANDS = {
    "dna": "homeward.matching.dna.cli",
    "face": "homeward.matching.face.cli",
    "match": "homeward.matching.cli",
    "model": "homeward.matching.attributes.cli",
}


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] in ENGINE_COMMANDS:
        module = importlib.import_module(ENGINE_COMMANDS[args[0]])
        return int(module.main(args[1:]) or 0)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "homeward.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["homeward", *args])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
