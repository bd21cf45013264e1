"""The refusal rules of the schema constraint, one function each, grouped by family.

A rule answers True when the text must be refused; its docstring says why it exists (most came
from a measured failure of the model). The driver (../driver.py) asks each rule where it applies
and names the rule that refused (SchemaChecker.refusal), so a rule can be tested on its own
(tests/test_schema_rules.py has a test per rule: what it refuses, and a near miss it accepts).

Families: lines (any line of the body), structure (where a line may sit), keywords (the task's
own keys), conditions (when/changed_when/failed_when/until), options (the module's arguments and
their values), module_values (forms particular modules document: cron fields, firewalld ports), jinja (templates and the variables they read), commands (command/shell), final
(what a finished task must have).
"""
from __future__ import annotations

from typing import Callable

RULES: dict[str, Callable[..., bool]] = {}


def rule(func: Callable[..., bool]) -> Callable[..., bool]:
    """Register a rule under its function name (names are unique across families); the function
    itself is returned unchanged, so the driver calls it directly, at no cost on the hot path."""
    if not (func.__doc__ or "").strip():
        raise TypeError(f"rule {func.__name__} has no docstring saying why it exists")
    if func.__name__ in RULES:
        raise ValueError(f"two rules named {func.__name__}")
    RULES[func.__name__] = func
    return func


from codegen.grounding.schema.rules import (  # noqa: E402  (the families register themselves)
    commands, conditions, final, jinja, keywords, lines, module_values, options, structure)

__all__ = ["RULES", "rule", "commands", "conditions", "final", "jinja", "keywords", "lines", "module_values",
           "options", "structure"]
