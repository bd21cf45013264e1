"""How one YAML line of a task body reads: its value, quotes, comments. Shared by the driver and the rules."""
from __future__ import annotations

import re

MAX_LINE = 160  # ansible-lint's yaml[line-length]
# A block scalar (`content: |`) ends after this many lines, in local decoding and in the engines'
# grammar: 2 of the 78 block scalars of the 580 held-out tasks are longer, and a model writing a
# template a line ran to its token limit without them.
MAX_BLOCK_LINES = 12
BOOL_VALUES = ("true", "false")
BLOCK_INDICATORS = ("|", ">", "|-", ">-")
FREE = None  # a context where any key goes (values of keywords, free-form dicts, lists of scalars)

KEY = re.compile(r"^([A-Za-z_][A-Za-z0-9_.\-]*)(:?)(.*)$")  # a key being written: (name, colon, rest)
MAPPING_KEY = re.compile(r"[A-Za-z_][\w.-]*:( |$)")  # "key:" opening a mapping entry
_KEY_VALUE = re.compile(r"[A-Za-z_][\w.-]*: (.*)$")
_QUOTED = re.compile(r"'(?:[^']|'')*'|\"(?:[^\"\\]|\\.)*\"")


def strip_quotes(value: str) -> tuple[str, bool]:
    """(inner text, closed?) for a value that may be quoted."""
    if value[:1] in ("'", '"'):
        q = value[0]
        if len(value) > 1 and value.endswith(q):
            return value[1:-1], True
        return value[1:], False
    return value, True


def is_template(value: str) -> bool:
    """A quoted Jinja expression (or a prefix of one): values we do not type-check."""
    if value[:1] not in ("'", '"'):
        return False
    inner = value[1:]
    return inner == "" or "{{".startswith(inner[:2]) and inner[:1] == "{" or "{{" in inner or "{%" in inner


def has_template(value: str) -> bool:
    return "{{" in value or "{%" in value


def line_value(body: str) -> tuple[str, bool]:
    """(the value a YAML line holds, without a leading "- ", a "key: " and quotes; is it quoted
    and closed already?)"""
    text = body[2:] if body.startswith("- ") else body
    match = _KEY_VALUE.match(text)
    value = (match.group(1) if match else text).strip()
    inner, closed = strip_quotes(value)
    return inner, closed and len(value) > 1 and value[:1] in ("'", '"')


def without_quoted(line: str) -> str:
    """The line with quoted strings blanked (to "S"), so a '#' inside quotes is not taken for a
    comment; a quote left in the result opens a string not closed yet."""
    return _QUOTED.sub("S", line)


def wants_mapping(spec: dict) -> bool:
    return spec.get("type") == "dict" or (spec.get("type") == "list" and spec.get("elements") == "dict")
