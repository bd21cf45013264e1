"""The schema constraint: whether a partly written task body can still be valid.

The model writes the body of one task under its `- name:` line:

      ansible.builtin.apt:          <- indent 2: a task keyword or the module (FQCN, in the catalog)
        name: nginx                 <- indent 4: an option (or alias) of that module
        state: present              <- a value from the option's choices
      notify: Restart nginx         <- indent 2 again: task keywords only (one module per task)

`SchemaChecker.viable(text)` is asked for every candidate token during decoding (decoding.py); it
checks every complete line and the line in progress as a prefix. A task may end only when its
required options are set; an option the module refuses beside one already written
(mutually_exclusive) cannot be started. What it cannot see (suboption groups, rules built at run
time) is left to validation and repair afterwards.

Layout:
  checker.py   SchemaChecker: the catalog, handlers and variables; viable, refusal (which rule
               refused), complete_prefix.
  driver.py    the YAML-line state machine: levels, indentation, which mapping a line belongs to;
               it asks the rules where they apply and returns the first that refuses.
  rules/       the refusal rules, one function each with a docstring saying why, by family
               (lines, structure, keywords, conditions, options, jinja, commands, final).
  text.py      how a YAML line reads (values, quotes); jinja.py: templates and the variables they read.
To add a rule: write it in its family's module under @rule, call it from the driver where it
applies, and give it a test in tests/test_schema_rules.py (a test there checks every rule has one).
"""
from __future__ import annotations

from codegen.grounding.schema.checker import SchemaChecker, SortedNames
from codegen.grounding.schema.jinja import FACT_PREFIXES, FUNCTIONS, PROVIDED_VARIABLES, jinja_ok, jinja_roots
from codegen.grounding.schema.rules.commands import CHANGE_REPORTING
from codegen.grounding.schema.rules.conditions import CONDITIONS
from codegen.grounding.schema.rules.final import LINT_REQUIRED, OPEN_MODULES
from codegen.grounding.schema.rules.lines import is_growing, is_loop_prone, is_repeating
from codegen.grounding.schema.text import MAX_LINE

__all__ = ["CHANGE_REPORTING", "CONDITIONS", "FACT_PREFIXES", "FUNCTIONS", "LINT_REQUIRED", "MAX_LINE", "OPEN_MODULES",
           "PROVIDED_VARIABLES", "SchemaChecker", "SortedNames", "is_growing", "is_loop_prone", "is_repeating",
           "jinja_ok", "jinja_roots"]
