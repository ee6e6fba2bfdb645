"""`python -m homeward ...`: the same as the `homeward` command.

Hyphenated names work too: `python -m homeward export-found` runs `export_found`.
"""

import sys

from homeward.cli import main

if __name__ == "__main__":
    args = sys.argv[1:]
    if args and "-" in args[0] and not args[0].startswith("-"):
        args[0] = args[0].replace("-", "_")
    sys.exit(main(args))
