"""Rules on any line of the task body, whatever it holds: loops, comments, layout."""
from __future__ import annotations

import re

from codegen.grounding.schema.rules import rule
from codegen.grounding.schema.text import MAX_BLOCK_LINES, MAX_LINE

REPEAT_SPAN = 24  # a run this long written a third time in one line is a loop
_CONTROL = re.compile(r"[\x00-\x1f]")
_INLINE_COMMENT = re.compile(r"\s#")
_QUOTE = re.compile(r"['\"]")
_AFTER_QUOTED = re.compile(r"\s*(- )?([A-Za-z_][\w.-]*: )?S\s*\S")


def is_repeating(line: str) -> bool:
    """Does the line end in a run of REPEAT_SPAN characters it has already written twice? A small
    model stuck in a loop ("| default(x.y | default(x.y | ...") never closes its value; refusing
    the third copy makes it pick the token that ends the line instead."""
    if len(line) < REPEAT_SPAN:
        return False
    tail = line[-REPEAT_SPAN:]  # ... or ends in a short unit repeated to that length ("_id_id_id_id...")
    if any(tail == (tail[:p] * (REPEAT_SPAN // p + 1))[:REPEAT_SPAN] for p in range(2, 7)) and tail.strip(tail[0]):
        return True
    return len(line) >= 3 * REPEAT_SPAN and line.count(tail) >= 3


def is_loop_prone(line: str) -> bool:
    """A key line, a list item or a long value line twice in a row is a loop. Short lines of another
    kind (the folded rest of a condition, "b | bool") may repeat. A list item written again right
    after itself was the runaway the engines' measurement found ("- passwd" thirty times, to the
    token limit, and no task left): no list means the same item twice."""
    body = line.strip()
    return ":" in body or len(body) > 12 or body.startswith("- ")


def is_growing(first: str, second: str, third: str) -> bool:
    """Three lines where each is the one before plus the same text: a loop that never repeats a line."""
    grown = second[len(first):]
    return bool(grown) and second.startswith(first) and third == second + grown


@rule
def loop_within_line(line: str) -> bool:
    """A line that ends in a run it has written twice before: a model stuck in a loop never ends
    the line ("| default(x.y | default(x.y ..." to the token limit); refusing the third copy makes
    it end the line instead."""
    return is_repeating(line)


def block_lines(text_lines: list[str], number: int, block_indent: int) -> int:
    """How many lines of block text end at line `number` (blank ones count: they are text too)."""
    count = 0
    while number >= 0 and (not text_lines[number].strip()
                           or len(text_lines[number]) - len(text_lines[number].lstrip(" ")) > block_indent):
        count, number = count + 1, number - 1
    return count


@rule
def block_too_long(text_lines: list[str], number: int, block_indent: int) -> bool:
    """A block scalar (`content: |`) ends after MAX_BLOCK_LINES (12) lines. In the 580 tasks of the
    held-out projects 2 of 78 block scalars are longer; a model writing one more template a line (`{{ item.options_config
    }}`, `{{ item.options_config_options }}`...) ran to its token limit and left no task."""
    return block_lines(text_lines, number, block_indent) > MAX_BLOCK_LINES


@rule
def control_character(line: str) -> bool:
    """Control characters and tabs have no place in a task (YAML refuses tabs for indentation,
    and a model that emits them is producing noise)."""
    return _CONTROL.search(line) is not None


@rule
def block_text_layout(line: str, complete: bool) -> bool:
    """The text of a block scalar (`content: |`) is still YAML lines: ansible-lint refuses trailing
    spaces there and lines past 160 columns."""
    return (complete and line != line.rstrip()) or line.endswith("  ") or len(line) > MAX_LINE


@rule
def comment_line(body: str) -> bool:
    """A generated task carries no comments: a small model starts one and loops in it."""
    return body.startswith("#")


@rule
def repeated_line(line: str, previous: str | None, complete: bool) -> bool:
    """The same key line, list item or long value line twice in a row is a loop, not YAML anyone
    writes."""
    return complete and previous is not None and line == previous and is_loop_prone(line)


@rule
def growing_lines(line: str, previous: str | None, before: str | None, complete: bool) -> bool:
    """"- a_x", "- a_x_x", "- a_x_x_x": a loop that never repeats a line exactly, so
    repeated_line misses it."""
    return complete and before is not None and is_growing(before, previous, line)


@rule
def template_left_open(body: str, complete: bool) -> bool:
    """A template closes on its own line: the checks see one line at a time, so a template split
    over lines would let unknown variables and broken Jinja through."""
    return complete and body.count("{{") > body.count("}}")


@rule
def inline_comment(unquoted: str, complete: bool) -> bool:
    """No comment after a value either ("# noqa ..." repeated to the token limit); while the line
    is being written a '#' inside a quote not yet closed may still be text."""
    return _INLINE_COMMENT.search(unquoted) is not None and (complete or not _QUOTE.search(unquoted))


@rule
def text_after_quoted(unquoted: str) -> bool:
    """A quoted value ends the line: text after its closing quote is not YAML ("msg: 'a' b")."""
    return _AFTER_QUOTED.match(unquoted) is not None


@rule
def first_line_indent(number: int, indent: int, line: str, complete: bool) -> bool:
    """The body of a task starts at column 2, under its `- name:` line."""
    return number == 0 and indent != 2 and (complete or len(line) >= 2)


@rule
def text_after_bare_key(colon: str, rest: str) -> bool:
    """Text after a key that has no colon ("name x", "oneview_d(name: x"): not YAML we can accept."""
    return not colon and bool(rest)


@rule
def colon_spacing(colon: str, rest: str) -> bool:
    """"key: value" has exactly one space after the colon (ansible-lint's yaml[colons]); "key:value"
    is a plain string to YAML, not a mapping."""
    return bool(colon and rest) and (rest[0] != " " or rest[1:2].isspace())


@rule
def trailing_space(line: str, complete: bool) -> bool:
    """ansible-lint's yaml[trailing-spaces]; two spaces are refused even mid-line, as no value
    written here needs them."""
    return (complete and line != line.rstrip()) or line.endswith("  ")


@rule
def line_too_long(line: str) -> bool:
    """ansible-lint's yaml[line-length] refuses lines past 160 columns; decoding wraps before that."""
    return len(line) > MAX_LINE
