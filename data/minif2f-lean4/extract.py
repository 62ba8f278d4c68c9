#!/usr/bin/env python3
"""Builds minif2f-lean4.jsonl from a checkout of https://github.com/yangky11/miniF2F-lean4 (MIT, see README.md here).

Usage: python3 extract.py PATH/TO/miniF2F-lean4 > minif2f-lean4.jsonl

Each MiniF2F/{Test,Valid}/NAME.lean holds one `theorem NAME ... := by sorry` after its imports and `open` line; the
statement is kept from `theorem` up to and including `:= by` (the proof `sorry` dropped), in the shape of
data/minif2f/minif2f.jsonl (`name`, `split`, `formal_statement`), one object a line, sorted by split then name.
"""
import json
import pathlib
import re
import sys

root = pathlib.Path(sys.argv[1])
rows = []
for split, folder in (("test", "Test"), ("valid", "Valid")):
    for path in sorted((root / "MiniF2F" / folder).glob("*.lean")):
        text = path.read_text(encoding="utf-8")
        start = text.index("theorem ")
        end = text.rindex(":= by")
        statement = text[start:end] + ":= by\n"
        name = re.match(r"theorem\s+(\S+)", statement).group(1)
        if name != path.stem:
            raise SystemExit(f"{path}: theorem {name} does not match the file name")
        rows.append({"name": name, "split": split, "formal_statement": statement})
for row in rows:
    print(json.dumps(row, ensure_ascii=False))
