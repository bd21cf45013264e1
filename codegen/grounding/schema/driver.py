"""The YAML-line state machine: reads a task body line by line, keeps which mapping each line
belongs to (a stack of Levels: the task's keys, a module's options, suboptions, free data), and
asks the rules (rules/) where they apply. It returns the first rule that refuses, or None.

It is on decoding's hot path (once per candidate token, on the whole text so far): rules are
plain functions called directly, and the cheap tests that decide whether a rule applies at all
stay here.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from codegen.grounding.schema.rules import (commands, conditions, final, jinja, keywords, lines, module_values, options,
                                            structure)
from codegen.grounding.schema.rules.conditions import CONDITIONS
from codegen.grounding.schema.rules.final import OPEN_MODULES
from codegen.grounding.schema.text import BLOCK_INDICATORS, FREE, KEY, strip_quotes, without_quoted


@dataclass
class Level:
    """One mapping of the task body: where its keys start and which keys it takes."""
    indent: int                  # column where keys of this mapping start
    options: dict | None         # {name: spec} allowed here, or FREE
    list_items: bool = False     # keys come as "- key:" items (list of dicts)
    task_level: bool = False
    module_args: bool = False    # the module's own argument mapping (never a list)
    items_are_maps: bool = False  # a list option whose elements are dicts: "- key: value" items only
    seen: set = field(default_factory=set)
    excluded: set = field(default_factory=set)  # ids of options a mutually exclusive one already rules out
    condition: bool = False      # the list under `when:` (and the other condition keywords)
    notify: bool = False         # the list under `notify:` (each item names a handler)
    scalar: bool = False         # the lines under an option that takes one value (str, path, number)


class Walk:
    """What the machine keeps from one line to the next."""
    __slots__ = ("checker", "text_lines", "stack", "module_doc", "block_scalar_indent")

    def __init__(self, checker, text_lines: list[str]):
        self.checker = checker
        self.text_lines = text_lines
        self.stack = [Level(indent=2, options=FREE, task_level=True)]
        self.module_doc = None  # the task's module, once its line is written
        self.block_scalar_indent: int | None = None  # the indent of the key whose block scalar we are in


MAX_WALKS = 256  # walks kept per checker (one decoding): far more than the lines of one task


def _copy_stack(stack: list[Level]) -> list[Level]:
    """The stack with each Level's mutable sets copied (a line adds to `seen`; nothing else is changed in place)."""
    out = []
    for level in stack:
        copy = Level.__new__(Level)
        copy.__dict__.update(level.__dict__)
        copy.seen, copy.excluded = set(level.seen), set(level.excluded)
        out.append(copy)
    return out


def _walked(checker, text_lines: list[str], head: str, count: int):
    """(walk, refusal) after the first `count` lines of the text (all complete), whose text is `head`.

    Every candidate token of a decoding step shares those lines, and a line's rules read only the
    line and the two before it, so the walk past them is kept per checker, keyed by their text:
    a candidate re-reads its last line only, not every line of the task so far (the schema check
    was the biggest Python cost per token on long answers). The result is the same as walking
    from the top: the same rules on the same lines in the same order, from the same state."""
    walks = checker.__dict__.setdefault("_walks", {})
    hit = walks.get(head)
    if hit is None:
        walk, start = Walk(checker, text_lines), 0
        if count:
            before = head[:head.rfind("\n", 0, len(head) - 1) + 1]  # the head less its last line
            kept = walks.get(before)
            if kept is not None and kept[1] is None:
                walk.stack, walk.module_doc, walk.block_scalar_indent = _copy_stack(kept[0][0]), *kept[0][1:]
                start = count - 1
        walk.text_lines = text_lines
        refused = None
        for number in range(start, count):
            line = text_lines[number]
            if line.strip():
                refused = _line(walk, number, line, True)
                if refused is not None:
                    break
        if len(walks) >= MAX_WALKS:
            walks.clear()
        hit = walks[head] = ((walk.stack, walk.module_doc, walk.block_scalar_indent), refused)
    (stack, module_doc, block_scalar_indent), refused = hit
    if refused is not None:
        return None, refused
    walk = Walk(checker, text_lines)
    walk.stack, walk.module_doc, walk.block_scalar_indent = _copy_stack(stack), module_doc, block_scalar_indent
    return walk, None


def refusal(checker, text: str, final_: bool = False):
    """The rule that refuses `text` (a task body, indent 2), or None if it can still become a
    valid task. final_: the task is complete."""
    text_lines = text.split("\n")
    last = len(text_lines) - 1
    walk, refused = _walked(checker, text_lines, text[:text.rfind("\n") + 1], last)
    if refused is not None:
        return refused
    line = text_lines[last]
    if line.strip():
        refused = _line(walk, last, line, final_)
        if refused is not None:
            return refused
    if final_:
        return _finished(checker, text, walk.module_doc)
    return None


def refusal_from_top(checker, text: str, final_: bool = False):
    """`refusal` walking every line from the top, nothing kept (what the kept walks must equal)."""
    text_lines = text.split("\n")
    walk = Walk(checker, text_lines)
    last = len(text_lines) - 1
    for number, line in enumerate(text_lines):
        if not line.strip():
            continue
        refused = _line(walk, number, line, final_ or number < last)
        if refused is not None:
            return refused
    if final_:
        return _finished(checker, text, walk.module_doc)
    return None


def _line(walk: Walk, number: int, line: str, complete: bool):
    """The rule refusing one line (complete: finished, not the line being written), or None."""
    if lines.loop_within_line(line):
        return lines.loop_within_line
    if lines.control_character(line):
        return lines.control_character
    indent = len(line) - len(line.lstrip(" "))
    if walk.block_scalar_indent is not None:
        if indent > walk.block_scalar_indent:  # the block's text: only layout and length apply
            if lines.block_too_long(walk.text_lines, number, walk.block_scalar_indent):
                return lines.block_too_long
            return lines.block_text_layout if lines.block_text_layout(line, complete) else None
        walk.block_scalar_indent = None
    body = line[indent:]
    refused = _whole_line(walk, number, line, body, indent, complete)
    if refused is not None:
        return refused

    # which mapping the line belongs to
    is_item = body.startswith("- ") or body == "-"
    key_indent = indent + 2 if is_item else indent
    key_text = body[2:] if is_item else body
    stack = walk.stack
    while len(stack) > 1 and key_indent < stack[-1].indent:
        stack.pop()
    level = stack[-1]
    if structure.above_task_body(key_indent):
        return structure.above_task_body
    if structure.module_args_as_list(level, is_item, indent):
        return structure.module_args_as_list
    if structure.scalar_in_list_of_dicts(level, is_item, key_indent, key_text, complete):
        return structure.scalar_in_list_of_dicts
    if level.options is FREE and not level.task_level:
        if structure.mapping_under_scalar(level, is_item, key_indent, key_text):
            return structure.mapping_under_scalar
        if level.condition and is_item and indent == level.indent and key_text:
            # a condition written as a list ("when:" then "- a is defined"): each item is one
            if jinja.reads_unknown_variable(walk.checker.variables, key_text, True, complete):
                return jinja.reads_unknown_variable
            if conditions.condition_breaks(key_text.strip(), complete):
                return conditions.condition_breaks
        if level.notify and is_item and indent == level.indent and key_text:
            if keywords.notify_unknown_handler("notify", key_text.strip() if complete else key_text, complete,
                                               walk.checker.handlers):
                return keywords.notify_unknown_handler
        if key_indent >= level.indent:
            return None  # free data: values of keywords, free-form dicts, lists of scalars
    if structure.suboptions_as_list(level, is_item, indent):
        return structure.suboptions_as_list
    if key_indent > level.indent:
        return None  # deeper than any mapping we track: list values, nested free data
    if structure.list_item_at_task_level(level, is_item):
        return structure.list_item_at_task_level
    match = KEY.match(key_text)
    if not match:
        return structure.not_a_key if structure.not_a_key(level, is_item, key_text, complete) else None
    key, colon, rest = match.groups()
    if lines.text_after_bare_key(colon, rest):
        return lines.text_after_bare_key
    if lines.colon_spacing(colon, rest):
        return lines.colon_spacing
    if lines.trailing_space(line, complete):
        return lines.trailing_space
    if lines.line_too_long(line):
        return lines.line_too_long
    if level.task_level:
        return _task_key(walk, level, key, colon, rest, indent, complete)
    if is_item and not level.list_items:
        return None  # a list item inside an option's value
    return _option_key(walk, level, key, colon, rest, indent, key_indent, complete)


def _whole_line(walk: Walk, number: int, line: str, body: str, indent: int, complete: bool):
    """The rules on any line outside block text, whatever mapping it belongs to."""
    if lines.comment_line(body):
        return lines.comment_line
    text_lines = walk.text_lines
    previous = text_lines[number - 1] if number > 0 else None
    if lines.repeated_line(line, previous, complete):
        return lines.repeated_line
    if lines.growing_lines(line, previous, text_lines[number - 2] if number > 1 else None, complete):
        return lines.growing_lines
    if lines.template_left_open(body, complete):
        return lines.template_left_open
    if "{{" in body:
        if jinja.line_template_breaks(body, complete):
            return jinja.line_template_breaks
        if jinja.reads_unknown_variable(walk.checker.variables, body, False, complete):
            return jinja.reads_unknown_variable  # list items and nested values read known variables too
    unquoted = without_quoted(line)
    if lines.inline_comment(unquoted, complete):
        return lines.inline_comment
    if lines.text_after_quoted(unquoted):
        return lines.text_after_quoted
    if lines.first_line_indent(number, indent, line, complete):
        return lines.first_line_indent
    return None


def _task_key(walk: Walk, level: Level, key: str, colon: str, rest: str, indent: int, complete: bool):
    """A key of the task itself (indent 2): a keyword, or the module."""
    checker = walk.checker
    module_allowed = walk.module_doc is None
    if not (colon or complete):  # the key is still being written
        if keywords.dead_end_task_key(key, checker.modules, checker.keywords, level.seen, module_allowed):
            return keywords.dead_end_task_key
        return None
    if keywords.key_without_colon(colon):
        return keywords.key_without_colon
    if keywords.unknown_task_key(key, checker.modules, checker.keywords, module_allowed):
        return keywords.unknown_task_key
    if key in checker.keywords.exact:
        if keywords.keyword_repeated(key, level.seen):
            return keywords.keyword_repeated
        level.seen.add(key)
        value = rest[1:].rstrip() if complete else rest[1:]
        if keywords.scalar_keyword_without_value(key, value, complete):
            return keywords.scalar_keyword_without_value
        if value:
            refused = _keyword_value(checker, key, value, complete)
            if refused is not None:
                return refused
        if value in BLOCK_INDICATORS:
            walk.block_scalar_indent = indent
        walk.stack.append(Level(indent=4, options=FREE, condition=key in CONDITIONS, notify=key == "notify"))
        return None
    # the module
    module_doc = walk.module_doc = checker.catalog.get(key)
    if commands.command_has_module(key, rest[1:], complete):
        return commands.command_has_module
    if jinja.template_breaks(rest[1:].strip(), complete):
        return jinja.template_breaks  # free-form arguments ("command: ls {{ dir }}") are a template too
    if rest.strip():
        walk.stack.append(Level(indent=4, options=FREE))  # free-form: "command: ls"
    else:
        opts = module_doc.options if module_doc and module_doc.options else FREE
        if key in OPEN_MODULES or (opts and "key_value" in opts):
            opts = FREE  # set_fact's keys are the variables it sets
        walk.stack.append(Level(indent=4, options=opts, module_args=True))
    return None


def _option_key(walk: Walk, level: Level, key: str, colon: str, rest: str, indent: int, key_indent: int,
                complete: bool):
    """A key inside a module's options (or suboptions)."""
    names = walk.checker.option_names(level.options)
    if not (colon or complete):  # the key is still being written
        if options.dead_end_option_key(key, names, level.seen, level.excluded):
            return options.dead_end_option_key
        return None
    if keywords.key_without_colon(colon):
        return keywords.key_without_colon
    if options.unknown_option(key, names):
        return options.unknown_option
    spec = names[key]
    if options.option_repeated(spec, level.seen):
        return options.option_repeated
    if options.option_excluded(spec, level.excluded):
        return options.option_excluded
    level.seen.add(id(spec))
    module_doc = walk.module_doc
    if level.module_args and module_doc is not None and module_doc.mutually_exclusive:
        present = {n for n, option in module_doc.options.items() if id(option) in level.seen}
        level.excluded = {id(module_doc.options[n]) for n in module_doc.excluded_by(present)
                          if n in module_doc.options}
    value = rest[1:].rstrip() if complete else rest[1:]
    if value in BLOCK_INDICATORS:
        walk.block_scalar_indent = indent
    if value:
        if jinja.reads_unknown_variable(walk.checker.variables, value, False, complete):
            return jinja.reads_unknown_variable
        if level.module_args and keywords.src_not_in_role(module_doc.fqcn if module_doc else None, key, value,
                                                           complete, walk.checker.sources):
            return keywords.src_not_in_role
        refused = options.option_value_refusal(spec, value, complete)
        if refused is not None:
            return refused
        inner, closed = strip_quotes(value)
        if walk.checker.literals and options.request_literal_cut(inner, closed, complete, walk.checker.literals):
            return options.request_literal_cut
        if level.module_args and module_doc is not None:
            refused = module_values.refusal(module_doc.fqcn, key, inner, complete and closed)
            if refused is not None:
                return refused
        if options.scalar_for_mapping(spec, value, complete):
            return options.scalar_for_mapping
        return None
    if options.value_not_on_key_line(spec, value, complete):
        return options.value_not_on_key_line
    walk.stack.append(_below(spec, key_indent))
    return None


def _keyword_value(checker, key: str, value: str, complete: bool):
    """The rule refusing a keyword's (non-empty) value, or None."""
    refused = keywords.keyword_value_refusal(key, value, complete)
    if refused is not None:
        return refused
    condition = key in CONDITIONS
    if jinja.reads_unknown_variable(checker.variables, value, condition, complete):
        return jinja.reads_unknown_variable
    if condition:
        if conditions.condition_is_number(value):
            return conditions.condition_is_number
        if conditions.condition_breaks(value, complete):
            return conditions.condition_breaks
        if conditions.condition_on_changed(key, value, complete):
            return conditions.condition_on_changed
    if jinja.template_breaks(value, complete):
        return jinja.template_breaks
    if keywords.register_not_a_name(key, value, complete):
        return keywords.register_not_a_name
    if keywords.notify_unknown_handler(key, value, complete, checker.handlers):
        return keywords.notify_unknown_handler
    return None


def _below(spec: dict, key_indent: int) -> Level:
    """The mapping the lines under an option with no value on its line belong to."""
    subs = spec.get("suboptions")
    if subs and spec.get("type") == "dict":
        return Level(indent=key_indent + 2, options=subs)
    if subs and spec.get("type") == "list":
        return Level(indent=key_indent + 4, options=subs, list_items=True)
    if spec.get("type") == "list" and spec.get("elements") == "dict":
        return Level(indent=key_indent + 4, options=FREE, items_are_maps=True)
    # not "str": docs call some options str that take a mapping (include_tasks' apply)
    scalar = spec.get("type") in ("path", "int", "float", "bool", "bytes", "bits")
    return Level(indent=key_indent + 2, options=FREE, scalar=scalar)


def _finished(checker, text: str, module_doc):
    """The rule refusing to end the task here, or None."""
    if final.no_module(module_doc):
        return final.no_module
    module = final.module_written(text, checker.modules)
    if final.required_missing(text, module, checker.catalog.get(module) if module else None):
        return final.required_missing
    if final.lint_option_missing(text, module):
        return final.lint_option_missing
    if final.does_not_load(text):
        return final.does_not_load
    if final.sets_nothing(text, module):
        return final.sets_nothing
    if final.schedule_without_minute(text, module):
        return final.schedule_without_minute
    return None

