"""Rules on templates: they parse, and read only variables the file may read."""
from __future__ import annotations

import re

from codegen.grounding.schema.jinja import jinja_ok, variables_ok
from codegen.grounding.schema.rules import rule
from codegen.grounding.schema.text import has_template, line_value, strip_quotes


@rule
def line_template_breaks(body: str, complete: bool) -> bool:
    """A template parses on its line once the line (or its quote) is closed, whatever the line is:
    a list item or a nested value, not only an option's value (broken Jinja fails the task at run time)."""
    if "{{" not in body:
        return False
    value, closed = line_value(body)
    return (complete or closed) and not jinja_ok(value)


@rule
def template_breaks(value: str, complete: bool) -> bool:
    """A finished value holding a template (a keyword's, an option's, or a module's free-form
    arguments such as `command: ls {{ dir }}`) must parse."""
    return complete and has_template(value) and not jinja_ok(strip_quotes(value)[0])


@rule
def reads_unknown_variable(allowed: set[str] | None, value: str, condition: bool, complete: bool) -> bool:
    """In a playbook written from scratch (allowed given), a template reads only the variables the
    file defines, facts and Ansible's own names: a small model reaches for a role's variables it
    saw in training. A name still being written must be the start of one of those."""
    return allowed is not None and not variables_ok(allowed, value, condition, complete)


_DOTTED_FILTER = re.compile(r"\|\s*([A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+)(?=[^\w.]|$)")


@rule
def filter_from_elsewhere(text: str, complete: bool, collections) -> bool:
    """A filter named by FQCN comes from an installed collection, and a name is namespace.collection.
    filter: a model trained on one project writes its filters (`debops.debops.parse_kv_items`) where
    that collection is not installed, and a longer dotted name is no filter at all (ansible-lint:
    "No filter named ..."). A name still being written at the end of the text is judged later."""
    for match in _DOTTED_FILTER.finditer(text):
        if match.end() == len(text) and not complete:
            continue
        parts = match.group(1).split(".")
        if len(parts) != 3 or ".".join(parts[:2]) not in collections:
            return True
    return False
