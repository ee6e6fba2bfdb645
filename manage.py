#!/usr/bin/env python
"""Django's command line for Homeward (the `homeward` command does the same)."""

import sys

from homeward.cli import main

if __name__ == "__main__":
    sys.exit(main())
