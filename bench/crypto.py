"""What field-level encryption costs: one DNA profile (24 loci) encrypted and decrypted, one
ID number's keyed hash, and the 1,000,000 profiles a national report table decrypts when it
is built anew, estimated from the per-value figure.

    .venv/bin/python bench/crypto.py [--loci 24] [--repeat 20000]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import timeit

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "homeward.settings")
os.environ.setdefault("HOMEWARD_VAR_DIR", tempfile.mkdtemp(prefix="homeward-bench-"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--loci", type=int, default=24)
    parser.add_argument("--repeat", type=int, default=20000)
    args = parser.parse_args()
    import django

    django.setup()
    from homeward.common import crypto

    profile = {f"L{i}": ["12", "13.3"] for i in range(args.loci)}
    text = json.dumps(profile)
    token = crypto.encrypt(text)
    n = args.repeat
    enc = timeit.timeit(lambda: crypto.encrypt(text), number=n) / n
    dec = timeit.timeit(lambda: json.loads(crypto.decrypt(token)), number=n) / n
    digest = timeit.timeit(lambda: crypto.keyed_hash("110105197001010011"), number=n) / n
    print(f"profile of {args.loci} loci: {len(text)} characters, {len(token)} stored")
    print(f"encrypt {enc * 1e6:.1f} us, decrypt and parse {dec * 1e6:.1f} us, "
          f"keyed hash {digest * 1e6:.1f} us")  # fmt: skip
    print(f"1,000,000 profiles decrypted and parsed: {dec * 1e6:.1f} s (one core)")
    print("command: .venv/bin/python bench/crypto.py " + " ".join(sys.argv[1:]))


if __name__ == "__main__":
    main()
