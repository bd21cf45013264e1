"""What of the workspace the model sees, and what decoding and validation hold the answer to.

A small model cannot read a repository: it is shown the few variables, handlers and templates
most relevant to the request and the tasks above it, as comment lines before the file's text
(a stable format, the same in training rows that carry a workspace). Decoding and validation use
all of it: a template may read only a variable something defines, `notify` names a handler that
exists, and a `template`/`copy` `src` not in the role is flagged as a file to create.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from codegen.ansible_files.variables import defined_by
from codegen.ansible_files.workspace import Workspace
from codegen.ansible_files.yaml_load import Vaulted
from codegen.grounding.context import FileContext
from codegen.grounding.secret_strings import secret_name, secret_value
from codegen.validate.references import References

SHOWN_VARIABLES = 6
SHOWN_HANDLERS = 4
SHOWN_FILES = 4
VALUE_CHARS = 40  # longer values are shown by name only
_WORD = re.compile(r"[a-z0-9]+")


@dataclass
class WorkspaceView:
    block: str                       # the comment lines the prompt shows ("" when nothing fits)
    variables: set[str]              # every name a template may read here (the constraint's set)
    handlers: list[str]              # every handler name or topic `notify` may use
    references: References           # for validation
    shown: list[str] = field(default_factory=list)  # the workspace files what was shown came from
    sources: dict = field(default_factory=dict)     # {"templates": [...], "files": [...]} a src may name
    values: dict = field(default_factory=dict)      # the role's and play's own variables: repair may
    # write `{{ name }}` for a literal equal to one of their values (not the inventory's: too many, too far)


def _words(text: str) -> set[str]:
    """Words cut to 5 letters: a crude stem ("config" meets "configuration", "template" "templates")."""
    return {w[:5] for w in _WORD.findall(text.lower().replace("_", " "))}


def _score(name: str, request: set[str], around: set[str], above: str) -> int:
    parts = _words(name)
    return 2 * len(parts & request) + len(parts & around) + (3 if name in above else 0)


def _value(name: str, value) -> str | None:
    """A short, safe rendering of a value (None: show the name alone)."""
    if isinstance(value, Vaulted) or secret_name(name):
        return None
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, (int, float)):
        text = str(value)
    elif isinstance(value, str):
        if secret_value(value) and len(value) > 12 and " " not in value:  # a token-looking string
            return None
        text = value
    elif isinstance(value, list) and all(isinstance(v, (str, int, float, bool)) for v in value):
        text = "[" + ", ".join(str(v) for v in value) + "]"
    else:
        return None
    return text if len(text) <= VALUE_CHARS and "\n" not in text else None


def _top(names: list[str], request: set[str], around: set[str], above: str, count: int) -> list[str]:
    scored = [(_score(n, request, around, above), i, n) for i, n in enumerate(names)]
    return [n for s, _, n in sorted((x for x in scored if x[0] > 0), key=lambda x: (-x[0], x[1]))[:count]]


def _handlers(ws: Workspace, ctx: FileContext) -> list[str]:
    return sorted(set(ws.handlers) | set(ctx.handlers))


def references(ws: Workspace, ctx: FileContext) -> References:
    """What a task written into this file may refer to: the variables the workspace, the file and
    its tasks define, the handlers, and (in a role or beside a playbook) the template and copy sources."""
    handlers = _handlers(ws, ctx)
    return References(
        variables=frozenset(ws.names() | set(ctx.variables) | defined_by(ctx.tasks)),
        handlers=frozenset(handlers) if ws.role is not None or handlers else None,
        templates=frozenset(ws.templates) if ws.role is not None or ws.templates else None,
        files=frozenset(ws.files) if ws.role is not None or ws.files else None,
        task_files=frozenset(ws.task_files) if ws.role is not None else None)


def view(ws: Workspace, request: str, ctx: FileContext) -> WorkspaceView:
    """The workspace as this request sees it, written into the file `ctx` (its tasks above the
    request, earlier parts of an `a & b` request among them)."""
    above = ctx.prompt_text()
    request_words, around = _words(request), _words(above)
    refs = references(ws, ctx)
    lines, shown = [], []
    top = _top(list(ws.variables), request_words, around, above, SHOWN_VARIABLES)
    if top:
        items = []
        for name in top:
            value = _value(name, ws.variables[name].value)
            items.append(name if value is None else f"{name}: {value}")
            shown.append(ws.variables[name].source)
        lines.append("# Variables: " + "; ".join(items))
    handlers = _handlers(ws, ctx)
    named = _top(handlers, request_words, around, above, SHOWN_HANDLERS) or handlers[:SHOWN_HANDLERS]
    if named:
        lines.append("# Handlers: " + "; ".join(named))
        shown += [ws.handlers[n] for n in named if n in ws.handlers]
    for label, names in (("Templates", ws.templates), ("Files", ws.files)):
        picked = _top(names, request_words, around, above, SHOWN_FILES)
        if picked:
            lines.append(f"# {label}: " + "; ".join(picked))
    values = {n: v.value for n, v in ws.variables.items()
              if not any(part in v.source for part in ("group_vars/", "host_vars/")) and not secret_name(n)}
    sources = {"templates": list(ws.templates), "files": list(ws.files)}
    return WorkspaceView("".join(line + "\n" for line in lines), set(refs.variables), handlers, refs,
                         list(dict.fromkeys(shown)), sources, values)
