"""Rules on a module's options (and suboptions): their names, and the values their specs allow.

`names` maps option and alias names to their spec; `seen` and `excluded` hold the ids of specs
already written and of those a mutually exclusive one rules out."""
from __future__ import annotations

import re

from codegen.grounding.schema.rules import rule
from codegen.grounding.schema.rules.jinja import template_breaks
from codegen.grounding.schema.text import BLOCK_INDICATORS, BOOL_VALUES, is_template, strip_quotes, wants_mapping

_INT = re.compile(r"-?\d+")
_FLOAT = re.compile(r"-?\d+(\.\d*)?")
_NUMBER_SO_FAR = re.compile(r"-?\d*\.?\d*")
_QUOTED_NUMBER = re.compile(r"-?\d+(\.\d+)?")
_QUOTED_BOOLS = ("true", "false", "yes", "no", "on", "off")


@rule
def unknown_option(key: str, names: dict) -> bool:
    """An option (or alias) the module does not document: Ansible refuses the task."""
    return key not in names


@rule
def option_repeated(spec: dict, seen: set) -> bool:
    """The same option twice, or an option and its alias: YAML keeps one, Ansible may refuse both."""
    return id(spec) in seen


@rule
def option_excluded(spec: dict, excluded: set) -> bool:
    """An option the module refuses beside one already written (its mutually_exclusive groups,
    read from the module's source by the catalog)."""
    return id(spec) in excluded


@rule
def dead_end_option_key(key: str, names: dict, seen: set, excluded: set) -> bool:
    """An option name being written that no unused (and allowed) option starts like: refused at
    once, so the model does not spell on into a name that cannot be."""
    return not any(n.startswith(key) and id(spec) not in seen and id(spec) not in excluded
                   for n, spec in names.items())


@rule
def not_a_choice(spec: dict, inner: str, closed: bool, complete: bool) -> bool:
    """An option with choices takes one of them (`state: install` is not apt's); a boolean choice
    may be written lower-case. A value being written must start like one."""
    texts = [str(c) for c in spec["choices"]] + [str(c).lower() for c in spec["choices"] if isinstance(c, bool)]
    if complete and closed:
        return inner not in texts
    return not any(t.startswith(inner) for t in texts)


@rule
def not_a_number(spec: dict, value: str, inner: str, closed: bool, complete: bool) -> bool:
    """int and float options take numbers (`port: http` is refused); a quoted number is accepted,
    a quoted word is not."""
    kind = spec.get("type")
    if not value.startswith(("'", '"')):
        if complete:
            return (_INT if kind == "int" else _FLOAT).fullmatch(value) is None
        return _NUMBER_SO_FAR.fullmatch(value) is None or (kind != "float" and "." in value)
    if complete and closed:
        return _QUOTED_NUMBER.fullmatch(inner) is None
    return _NUMBER_SO_FAR.fullmatch(inner) is None


@rule
def not_a_bool(value: str, inner: str, closed: bool, complete: bool) -> bool:
    """Boolean options take true or false (lint's truthy rule refuses yes/no); a quoted boolean is
    accepted by Ansible if it is one ('yes'), a quoted anything else ('${flag}') is not."""
    if value.startswith(("'", '"')):
        lowered = inner.lower()
        if complete and closed:
            return lowered not in _QUOTED_BOOLS
        return not any(w.startswith(lowered) for w in _QUOTED_BOOLS)
    if complete:
        return value not in BOOL_VALUES
    return not any(b.startswith(value) for b in BOOL_VALUES)


def option_value_refusal(spec: dict, value: str, complete: bool):
    """The rule refusing an option's value, or None. Templates and block scalars are not typed."""
    value = value.split(" #", 1)[0].rstrip() if complete else value  # a comment after a quoted '#'
    if template_breaks(value, complete):
        return template_breaks
    choices = spec.get("choices")
    if not value or is_template(value) or (value in BLOCK_INDICATORS and not choices):
        return None
    inner, closed = strip_quotes(value)
    if choices and (spec.get("type", "str") != "list" or not value.startswith("[")):
        return not_a_choice if not_a_choice(spec, inner, closed, complete) else None
    kind = spec.get("type")
    if kind in ("int", "float"):
        return not_a_number if not_a_number(spec, value, inner, closed, complete) else None
    if kind == "bool":
        return not_a_bool if not_a_bool(value, inner, closed, complete) else None
    return None


@rule
def scalar_for_mapping(spec: dict, value: str, complete: bool) -> bool:
    """A dict option (or a list of dicts) given a plain scalar on its line: Ansible refuses it; a
    flow mapping or list, a block scalar, a template or null is fine."""
    return bool(value) and complete and wants_mapping(spec) and not is_template(value) \
        and not value.startswith(("{", "[", "|", ">")) and value not in ("null", "~")


@rule
def value_not_on_key_line(spec: dict, value: str, complete: bool) -> bool:
    """A choice, boolean or number is written on the key's line: a line ending at `state:` would
    need a list or mapping below it, which these options do not take."""
    return not value and complete and bool(spec.get("choices") or spec.get("type") in ("bool", "int", "float")) \
        and spec.get("type") not in ("list", "dict")


@rule
def request_literal_cut(inner: str, closed: bool, complete: bool, literals) -> bool:
    """A URL or path the request spells out is copied whole. Measured: `repo:
    https://github.com/example/app` for the request's `https://github.com/example/app.git`. A value
    that ends inside such a literal (not at a `/`: `/opt` of `/opt/app` is a directory of its own)
    is refused; the model then writes the rest."""
    if not (complete and closed) or len(inner) < 8 or "/" not in inner:
        return False
    return any(lit.startswith(inner) and len(lit) > len(inner) and lit[len(inner)] != "/" for lit in literals)
