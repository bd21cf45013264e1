"""Where an answer written under the engine grammar starts repeating itself, and what it has
written so far: the state a continuation grammar starts from (codegen/grounding/grammar.py).

A context-free grammar cannot say "each key once": a small model that loops writes `tags:` a
second time, or the same list item again and again, until its token budget runs out and no task
is left (measured on llama.cpp, issue 19). The local decoder refuses such a token. Remotely, the
client watches the streamed lines instead: at the first line that repeats a key of the task, an
option of its module or the list item just before it, it stops reading, keeps the text before
that line, and asks the engine to go on from there under a grammar that no longer offers what
was written (GrammarBuilder.build(..., written=...)). Each kept line was admitted by the grammar,
so the kept text is a valid start of a task.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

_TOP = re.compile(r"^  ([A-Za-z_][\w.]*):(.*)$")      # a task key: a keyword, or the module (dotted FQCN)
_OPTION = re.compile(r"^    ([A-Za-z_][\w-]*):")       # a module option, while inside the module
_ITEM = re.compile(r"^ *- ")


@dataclass(frozen=True)
class Written:
    module: str | None            # the module's FQCN, once its line is written
    keywords: frozenset[str]      # task keywords written
    options: frozenset[str]       # the module's options written
    in_module: bool               # the last task key is the module, its options written on lines below


def _lines(text: str):
    """(offset, kind, name, line) for each complete line of a task body: kind "keyword" or "module"
    (a key at indent 2), "option" (a key under a module written with its options below),
    "item" (a list item) or "other"."""
    in_module, offset = False, 0
    for line in text.split("\n")[:-1]:  # the last piece is not a whole line yet
        top = _TOP.match(line)
        if top:
            key, value = top.groups()
            in_module = "." in key and not value.strip()
            yield offset, "module" if "." in key else "keyword", key, line
        elif in_module and (option := _OPTION.match(line)):
            yield offset, "option", option.group(1), line
        else:
            yield offset, "item" if _ITEM.match(line) else "other", None, line
        offset += len(line) + 1


def written_state(text: str) -> Written:
    """What the complete lines of `text` (a task body without its name line) have written."""
    module, keywords, options, in_module = None, set(), set(), False
    for _, kind, name, line in _lines(text):
        if kind == "module":
            module, in_module = name, line.rstrip().endswith(":")  # its options on the lines below
        elif kind == "keyword":
            keywords.add(name)
            in_module = False
        elif kind == "option":
            options.add(name)
    return Written(module, frozenset(keywords), frozenset(options), in_module)


def first_repeat(text: str) -> int | None:
    """The offset of the first complete line that writes a task key or a module option a second
    time, or repeats the list item just before it; None while nothing repeats."""
    keys: set[str] = set()
    options: set[str] = set()
    previous = None
    for offset, kind, name, line in _lines(text):
        if kind in ("module", "keyword", "option"):
            seen = options if kind == "option" else keys
            if name in seen:
                return offset
            seen.add(name)
            previous = None
        elif kind == "item":
            if line.rstrip() == previous:  # trailing blanks differ in a loop that alternates them
                return offset
            previous = line.rstrip()
        else:
            previous = None
    return None
