"""Rules on templates: they parse, and read only variables the file may read."""
from __future__ import annotations

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
