"""Rules on conditions: when, changed_when, failed_when, until (a bare Jinja expression each)."""
from __future__ import annotations

import re

from codegen.ansible_files.keywords import CONDITION_KEYWORDS
from codegen.grounding.schema.jinja import jinja_ok
from codegen.grounding.schema.rules import rule
from codegen.grounding.schema.text import strip_quotes

CONDITIONS = CONDITION_KEYWORDS
_HANDLER_CONDITION = re.compile(r"[A-Za-z_][\w.]*(\.changed|\s+is\s+changed)")
_STARTS_NUMERIC = re.compile(r"-?\d")


@rule
def condition_is_number(value: str) -> bool:
    """A condition, not a number: a model wrote `until: 10` (a retry count), or digits to the token
    limit; refused from the first digit."""
    return _STARTS_NUMERIC.match(value) is not None


@rule
def condition_breaks(value: str, complete: bool) -> bool:
    """A finished condition must parse as a Jinja expression ("when: (a and b" does not)."""
    return complete and not jinja_ok("{{ " + strip_quotes(value)[0] + " }}")


@rule
def condition_on_changed(key: str, value: str, complete: bool) -> bool:
    """`when: result.changed` is a handler's job (ansible-lint's no-handler)."""
    return complete and key == "when" and _HANDLER_CONDITION.fullmatch(strip_quotes(value)[0].strip()) is not None
