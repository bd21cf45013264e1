"""Templates inside a task: do they parse, and which variables do they read."""
from __future__ import annotations

import re
from functools import lru_cache

from codegen.ansible_files.template_vars import FACT_PREFIXES, FUNCTIONS, PROVIDED_VARIABLES  # noqa: F401 (re-exported)

_JINJA_WORDS = {"and", "or", "not", "in", "is", "if", "else", "true", "false", "none", "True", "False", "None"}
_EXPRESSION = re.compile(r"\{\{(.*?)(\}\}|$)", re.S)
_STRING = re.compile(r"'[^']*'?|\"[^\"]*\"?")
_NAME = re.compile(r"(?<![\w.])[A-Za-z_]\w*")


@lru_cache(maxsize=16384)
def jinja_ok(text: str) -> bool:
    """Does the text parse as a template? Cached: decoding asks again about every finished line
    for each candidate token, and parsing is the dearest step of a check."""
    from codegen.ansible_files.jinja_env import environment  # validation's own: a template it takes is taken here

    try:
        environment().parse(text)
        return True
    except Exception:  # any template syntax error
        return False


def jinja_roots(text: str, bare: bool = False) -> list[tuple[str, bool]]:
    """(variable name, finished?) for the variables a template reads: names that are not
    attributes, filters, tests, function calls, keyword arguments or Jinja words. bare: the
    text is an expression without braces (a `when:` condition)."""
    bodies = [(text, False)] if bare and "{{" not in text else \
        [(m.group(1), bool(m.group(2))) for m in _EXPRESSION.finditer(text)]
    out = []
    for body, closed in bodies:
        body = _STRING.sub("''", body)
        for match in _NAME.finditer(body):
            name, end = match.group(), match.end()
            before, after = body[:match.start()].rstrip(), body[end:].lstrip()
            if name in _JINJA_WORDS or before.endswith(("|", " is", " is not")) or (after[:1] == "(" and name in
                    FUNCTIONS) or (after[:1] == "=" and after[1:2] != "=" and before.endswith(("(", ","))):
                continue  # filters, tests, calls and keyword arguments of a call are not variables
            out.append((name, end < len(body) or closed))
    return out


def variables_ok(allowed: set[str] | None, value: str, condition: bool, complete: bool = False) -> bool:
    """Every variable a (partly written) template reads is one it may read (allowed None: any)."""
    if allowed is None or ("{{" not in value and not condition):
        return True
    for name, finished in jinja_roots(value, bare=condition):
        finished = finished or complete
        if name.startswith(FACT_PREFIXES) or any(p.startswith(name) for p in FACT_PREFIXES):
            continue
        if finished and name not in allowed:
            return False
        if not finished and not any(v.startswith(name) for v in allowed):
            return False
    return True
