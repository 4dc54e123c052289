"""Rewrite the Chinese texts of data files with full-width punctuation (GB/T 15834).

    python scripts/zh_punctuation.py data/            # rewrite in place, print what changed
    python scripts/zh_punctuation.py --check data/    # exit 1 if anything would change

Only the values of ``zh`` keys are touched, and only where they contain Chinese: ASCII
``, ; : ? !`` become ``，；：？！`` (unless between two ASCII letters or digits),
``( )`` become ``（ ）``,
``"..."`` become ``“...”``; ``{placeholders}``, URLs, times (``12:00``) and digit groups
(``10,000``) are left alone. Each value is written back in its own YAML style (plain, quoted
or block), and the file is read again to check that nothing else changed. A value shared
through a YAML anchor (``&name`` ... ``*name``) is one node and is rewritten once.
``python -m playbook check`` reports what is left (``playbook.scenarios.language``).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

import yaml

HAN = "\u3400-\u9fff"
FULL = "\u3000-\u303f\uff00-\uffef“”‘’《》"
CJK = re.compile(f"[{HAN}]")
# Spans never touched: placeholders, URLs, times, digit groups, number ranges.
PROTECTED = re.compile(r"\{[^{}]*\}|https?://\S+|\d{1,2}:\d{2}|\d,\d{3}|HH:MM")
MAP = {",": "，", ";": "；", ":": "：", "?": "？", "!": "！"}
ALNUM = re.compile(r"[A-Za-z0-9]")  # an ASCII mark between two of these is left (e.g. "A, B")


def convert(text: str) -> str:
    """``text`` with full-width punctuation, if it contains Chinese (else unchanged)."""
    if not CJK.search(text):
        return text
    result = _outside_protected(text, _parens)
    result = _outside_protected(result, _marks)
    result = _quotes(result)
    return re.sub(r"(?<=[，；：？！（）“”])\u0020+|\u0020+(?=[，；：？！（）])", "", result)


def _outside_protected(text: str, fix) -> str:
    out, last = [], 0
    for m in PROTECTED.finditer(text):
        out.append(fix(text[last : m.start()], text, last))
        out.append(m.group(0))
        last = m.end()
    out.append(fix(text[last:], text, last))
    return "".join(out)


def _parens(part: str, whole: str, offset: int) -> str:
    return part.replace("(", "（").replace(")", "）")


def _marks(part: str, whole: str, offset: int) -> str:
    chars = list(part)
    for i, ch in enumerate(chars):
        if ch in MAP:
            pos = offset + i
            before = whole[:pos].rstrip(" ")[-1:]
            after = whole[pos + 1 :].lstrip(" ")[:1]
            if not (ALNUM.match(before or " ") and ALNUM.match(after or " ")):
                chars[i] = MAP[ch]
    return "".join(chars)


def _quotes(text: str) -> str:
    parts = text.split('"')
    if len(parts) % 2 == 0:  # unbalanced: leave for a person
        return text
    out = parts[0]
    for i, part in enumerate(parts[1:], start=1):
        out += ("“" if i % 2 else "”") + part
    return out


def _emit(value: str, node: yaml.ScalarNode, source: str, flow: bool) -> str:
    if node.style in ("|", ">"):
        start = node.start_mark.index
        header = source[start : source.index("\n", start)]
        body = source[source.index("\n", start) + 1 : node.end_mark.index]
        first = next(line for line in body.split("\n") if line.strip())
        indent = first[: len(first) - len(first.lstrip(" "))]
        lines = value.split("\n")
        trailing = lines[-1] == ""
        lines = lines[:-1] if trailing else lines
        text = "\n".join(indent + line if line else "" for line in lines)
        return header + "\n" + text + ("\n" if trailing else "")
    wrapped = "{k: %s}" if flow else "k: %s"
    try:
        plain_ok = yaml.safe_load(wrapped % value) == {"k": value} and value.strip() == value
    except yaml.YAMLError:
        plain_ok = False
    if plain_ok and value[:1] not in "\"'{[&*!|>%@`#,?:-":
        return value
    return json.dumps(value, ensure_ascii=False)


def rewrite(source: str) -> str:
    """``source`` (one YAML file) with every Chinese value converted."""
    edits: list[tuple[int, int, str]] = []
    seen: set[int] = set()  # an alias (*name) is the anchored node itself: edit it once

    def walk(node: yaml.Node, flow: bool) -> None:
        if id(node) in seen:
            return
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                is_zh = isinstance(key, yaml.ScalarNode) and key.value == "zh"
                if is_zh and isinstance(value, yaml.ScalarNode):
                    new = convert(value.value)
                    if new != value.value:
                        text = _emit(new, value, source, node.flow_style)
                        edits.append((value.start_mark.index, value.end_mark.index, text))
                else:
                    walk(value, node.flow_style)
        elif isinstance(node, yaml.SequenceNode):
            for item in node.value:
                walk(item, node.flow_style)

    root = yaml.compose(source, Loader=yaml.SafeLoader)
    if root is not None:
        walk(root, False)
    for start, end, text in sorted(edits, reverse=True):
        source = source[:start] + text + source[end:]
    return source


def _same_but_zh(old: object, new: object) -> bool:
    if isinstance(old, dict) and isinstance(new, dict):
        if old.keys() != new.keys():
            return False
        return all(
            (convert(old[k]) == new[k]) if k == "zh" and isinstance(old[k], str)
            else _same_but_zh(old[k], new[k])
            for k in old
        )  # fmt: skip
    if isinstance(old, list) and isinstance(new, list):
        return len(old) == len(new) and all(
            _same_but_zh(a, b) for a, b in zip(old, new, strict=True)
        )
    return old == new


def main(argv: list[str] | None = None) -> int:
    """Rewrite (or with --check, only report) every YAML file under the given folders."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="+", type=Path)
    parser.add_argument("--check", action="store_true", help="report only; exit 1 if any")
    args = parser.parse_args(argv)
    changed = 0
    for root in args.paths:
        for path in sorted([root] if root.is_file() else root.rglob("*.yaml")):
            source = path.read_text(encoding="utf-8")
            new = rewrite(source)
            if new == source:
                continue
            try:
                same = _same_but_zh(yaml.safe_load(source), yaml.safe_load(new))
            except yaml.YAMLError as exc:
                print(f"{path}: not rewritten (the result would not be valid YAML: {exc})")
                return 2
            if not same:
                print(f"{path}: not rewritten (the result would read differently)")
                return 2
            changed += 1
            print(path)
            if not args.check:
                path.write_text(new, encoding="utf-8")
    return 1 if args.check and changed else 0


if __name__ == "__main__":
    sys.exit(main())
