"""The zh-hans catalogue is complete: every string a user sees is translated.

`make test` refreshes the catalogue from the code first (`make messages`), so a
new string that nobody translated arrives here empty and fails this test.
"""

from __future__ import annotations

import re
from pathlib import Path

PO = Path(__file__).resolve().parents[2] / "homeward/locale/zh_Hans/LC_MESSAGES/django.po"
_QUOTED = re.compile(r'"(.*)"$')


def catalogue_entries(text: str) -> list[dict]:
    """Each entry of a .po file as {"msgid", "msgstr", "fuzzy"}, continued lines joined."""
    entries: list[dict] = []
    current: dict | None = None
    field = ""
    for line in [*text.splitlines(), ""]:
        if not line.strip():
            if current is not None:
                entries.append(current)
            current, field = None, ""
            continue
        if current is None:
            current = {"msgid": "", "msgstr": "", "fuzzy": False}
        if line.startswith("#,") and "fuzzy" in line:
            current["fuzzy"] = True
        elif line.startswith("#"):
            continue
        else:
            keyword = line.split(" ", 1)[0]
            if keyword.startswith("msgid"):
                field = "msgid"
            elif keyword.startswith("msgstr"):
                field = "msgstr"
            match = _QUOTED.search(line)
            if match and field:
                current[field] += match.group(1)
    return entries


def test_the_parser_reads_continued_and_fuzzy_entries():
    sample = 'msgid ""\n"A long "\n"text"\nmsgstr "长文本"\n\n#, fuzzy\nmsgid "B"\nmsgstr ""\n'
    assert catalogue_entries(sample) == [
        {"msgid": "A long text", "msgstr": "长文本", "fuzzy": False},
        {"msgid": "B", "msgstr": "", "fuzzy": True},
    ]


def test_the_chinese_catalogue_has_no_untranslated_or_fuzzy_entry():
    items = [e for e in catalogue_entries(PO.read_text(encoding="utf-8")) if e["msgid"]]
    assert len(items) > 50
    missing = [e["msgid"] for e in items if not e["msgstr"] or e["fuzzy"]]
    assert missing == []
