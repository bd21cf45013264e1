"""Rules on the task's own keys (indent 2): keywords, and the one module."""
from __future__ import annotations

import re

from codegen.ansible_files.keywords import BOOL_KEYWORDS, INT_KEYWORDS, STRING_KEYWORDS, UNTEMPLATED_BOOL_KEYWORDS
from codegen.grounding.schema.rules import rule
from codegen.grounding.schema.text import BOOL_VALUES, is_template, strip_quotes

MAX_KEYWORDS = 8
_DIGITS = re.compile(r"\d+")
_SOME_DIGITS = re.compile(r"\d*")
_NUMBER = re.compile(r"-?\d+")
_VARIABLE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_VARIABLE_OR_EMPTY = re.compile(r"[A-Za-z_][A-Za-z0-9_]*|")


@rule
def key_without_colon(colon: str) -> bool:
    """A finished key line with no colon ("  ansible.builtin.apt") is a plain string, not a key."""
    return not colon


@rule
def keyword_repeated(key: str, seen: set) -> bool:
    """Each keyword once (YAML keeps only the last of a duplicate); a long run of keywords is a
    model rambling (more than 8)."""
    return key in seen or len(seen) >= MAX_KEYWORDS


@rule
def ignore_errors_true(key: str, value: str, complete: bool) -> bool:
    """ansible-lint's ignore-errors refuses `ignore_errors: true`: only false (or a template)."""
    return key == "ignore_errors" and (value != "false" if complete else not "false".startswith(value))


@rule
def keyword_not_bool(key: str, value: str, complete: bool) -> bool:
    """Boolean keywords (become, no_log, ...) take true or false (lint's truthy rule refuses yes/no)."""
    if key not in BOOL_KEYWORDS or key == "ignore_errors":
        return False
    return value not in BOOL_VALUES if complete else not any(b.startswith(value) for b in BOOL_VALUES)


SCALAR_KEYWORDS = BOOL_KEYWORDS | INT_KEYWORDS | STRING_KEYWORDS | {"register"}


@rule
def scalar_keyword_without_value(key: str, value: str, complete: bool) -> bool:
    """A keyword that takes one value (a flag, a number, a name) ends its line with it: an empty one
    opened a block the model filled with a module's options (`delegate_facts:` then `state: restarted`)."""
    return complete and not value and key in SCALAR_KEYWORDS


@rule
def keyword_not_int(key: str, value: str, complete: bool) -> bool:
    """retries, delay, throttle and timeout take a whole number."""
    return key in INT_KEYWORDS and (_DIGITS if complete else _SOME_DIGITS).fullmatch(value) is None


@rule
def notify_not_a_name(key: str, value: str, complete: bool) -> bool:
    """notify names a handler: a boolean, null or number there is a model confusing it with a flag."""
    return key == "notify" and complete and (value in ("true", "false", "null", "~") or _NUMBER.fullmatch(value)
                                             is not None)


@rule
def keyword_not_string(key: str, value: str, complete: bool) -> bool:
    """become_user, become_flags, delegate_to and the other one-string keywords take a string: a flow
    list or mapping there (`become_flags: ['reboot']`) fails the playbook's syntax check."""
    return key in STRING_KEYWORDS and value.startswith(("[", "{"))


@rule
def keyword_template_for_plain_bool(key: str, value: str, complete: bool) -> bool:
    """delegate_facts is a plain true/false in ansible-lint's playbook schema: a template there is
    refused (`delegate_facts: '{{ x | flatten }}'` failed schema[playbook])."""
    return key in UNTEMPLATED_BOOL_KEYWORDS and (is_template(value) or value.startswith(("'{", '"{')))


KEYWORD_VALUE_RULES = (ignore_errors_true, keyword_not_bool, keyword_not_int, notify_not_a_name)


def keyword_value_refusal(key: str, value: str, complete: bool):
    """The rule refusing a keyword's value for its type, or None; templates are not typed, except
    where lint's schema types them (keyword_template_for_plain_bool)."""
    if keyword_template_for_plain_bool(key, value, complete):
        return keyword_template_for_plain_bool
    if is_template(value) or value.startswith(("'{", '"{')):
        return None
    if keyword_not_string(key, value, complete):
        return keyword_not_string
    for check in KEYWORD_VALUE_RULES:
        if check(key, value, complete):
            return check
    return None


@rule
def register_not_a_name(key: str, value: str, complete: bool) -> bool:
    """register names a variable (`register: x.pem` cannot be read back)."""
    return key == "register" and (_VARIABLE if complete else _VARIABLE_OR_EMPTY).fullmatch(value) is None


@rule
def notify_unknown_handler(key: str, value: str, complete: bool, handlers: list[str]) -> bool:
    """When the file's handlers are known, notify names one of them (a handler never defined is an
    error at run time). A template there is refused too: no handler name starts with `{`, and a
    model that has no name to write filled in a role variable (`notify: "{{ x_conf_mode | d(false) }}"`)."""
    if key != "notify" or not handlers:
        return False
    inner, closed = strip_quotes(value)
    done = complete and closed
    return not any((h == inner) if done else h.startswith(inner) for h in handlers)


@rule
def src_not_in_role(module: str | None, key: str, value: str, complete: bool, sources: dict | None) -> bool:
    """When the role's templates/ (or files/) are known and not empty, a `template` (`copy`) task's
    relative `src` names one of them: an answer naming a file the role does not have fails when it
    runs (seen on real roles: `src: apt-repository.j2` beside the role's only `kayobe.sources.j2`)."""
    folder = {"template": "templates", "copy": "files"}.get((module or "").rsplit(".", 1)[-1])
    names = (sources or {}).get(folder) if folder and key == "src" else None
    if not names or is_template(value):
        return False
    inner, closed = strip_quotes(value)
    if inner.startswith(("/", "~")):
        return False
    inner = inner.removeprefix(f"{folder}/") if len(inner) > len(folder) else inner
    done = complete and closed
    return not any((n == inner) if done else (n.startswith(inner) or f"{folder}/".startswith(inner)) for n in names)


@rule
def unknown_task_key(key: str, modules, keywords, module_allowed: bool) -> bool:
    """A finished task key that is neither a keyword nor a module of the catalog, or a second module
    (one module per task)."""
    return key not in keywords.exact and not (module_allowed and key in modules.exact)


@rule
def dead_end_task_key(key: str, modules, keywords, seen: set, module_allowed: bool) -> bool:
    """A task key being written that no module (while none is written yet) and no unused keyword
    starts like: refused at once, so the model does not write on into a name that cannot be."""
    if module_allowed and modules.has_prefix(key):
        return False
    return not keywords.has_unused_prefix(key, seen)
