#!/usr/bin/env python3
"""Fill empty and fuzzy entries of the zh-hans catalogue from a TSV of `English<TAB>中文` lines.

Usage: scripts/translate.py TABLE.tsv  (edits homeward/locale/zh_Hans/LC_MESSAGES/django.po)
Entries already translated are left alone; what stays empty is printed, so a
session adding strings can write their translations and run this once.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

PO = Path(__file__).resolve().parents[1] / "homeward/locale/zh_Hans/LC_MESSAGES/django.po"


def quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _joined(lines: list[str]) -> str:
    found = (re.search(r'"(.*)"$', line) for line in lines)
    return "".join(match.group(1) for match in found if match)


def _unfuzzy(line: str) -> str:
    """A flags line without "fuzzy" (python-format and the other flags stay)."""
    if not line.startswith("#,"):
        return line
    flags = [f.strip() for f in line[2:].split(",") if f.strip() and f.strip() != "fuzzy"]
    return "#, " + ", ".join(flags) if flags else "#,"


def main(table_path: str) -> int:
    table = {}
    for line in Path(table_path).read_text(encoding="utf-8").splitlines():
        if "\t" in line and not line.startswith("#"):
            en, zh = line.split("\t", 1)
            table[en] = zh
    blocks = PO.read_text(encoding="utf-8").split("\n\n")
    untranslated = []
    out = []
    for block in blocks:
        lines = block.split("\n")
        ids = [i for i, line in enumerate(lines) if line.startswith("msgid ")]
        strs = [i for i, line in enumerate(lines) if line.startswith("msgstr")]
        if not ids or not strs:
            out.append(block)
            continue
        plural = [i for i, line in enumerate(lines) if line.startswith("msgid_plural ")]
        msgid = _joined(lines[ids[0] : (plural or strs)[0]]).replace('\\"', '"')
        msgstr = _joined(lines[strs[0] :])
        fuzzy = any(line.startswith("#,") and "fuzzy" in line for line in lines)
        if msgid and (not msgstr or fuzzy):
            # msgmerge's fuzzy guesses are usually wrong (it offered "救助站" for
            # "In the station"), so the table's entry replaces them. Chinese has one
            # plural form: a plural entry takes the table's line as msgstr[0].
            if msgid in table:
                key = "msgstr[0]" if plural else "msgstr"
                lines = lines[: strs[0]] + [f"{key} {quote(table[msgid])}"]
                lines = [ln for ln in lines if not ln.startswith("#|")]
                lines = [_unfuzzy(ln) for ln in lines]
                lines = [ln for ln in lines if ln != "#,"]
            else:
                untranslated.append(msgid)
        out.append("\n".join(lines))
    PO.write_text("\n\n".join(out), encoding="utf-8")
    for msgid in untranslated:
        print(f"untranslated: {msgid}")
    return 1 if untranslated else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
